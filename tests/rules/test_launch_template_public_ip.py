"""launch-template-public-ip: one finding per network interface that asks for a public IP."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context, Hit

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "launch-template-public-ip")


def run(*interfaces: Any, version: Any = "$Latest") -> list[Hit]:
    scope = Scope("t.yaml", "cloudformation")
    data = {"NetworkInterfaces": list(interfaces)}
    add(scope, Kind.LAUNCH_TEMPLATE, "Lt", {"launchTemplateData": data})
    spec = {"launchTemplateId": Ref("Lt"), "version": version}
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": {"launchTemplate": spec}})
    assert RULE.check is not None
    return list(RULE.check(ce, Context(scope)))


def test_message_names_the_template_and_the_interface() -> None:
    (hit,) = run({"DeviceIndex": 0}, {"DeviceIndex": 1, "AssociatePublicIpAddress": "True"})
    assert hit.message == (
        "Compute environment launches instances from launch template Lt, which gives each "
        "instance a public IP address (NetworkInterfaces[1].AssociatePublicIpAddress): remove "
        "it and reach the internet through a NAT gateway or VPC endpoints."
    )
    assert hit.at is not None and hit.at.pointer.endswith("/1/AssociatePublicIpAddress")


@pytest.mark.parametrize("value", [False, "false", Unknown(), "yes", None])
def test_silent(value: Any) -> None:
    interface = {"DeviceIndex": 0}
    if value is not None:
        interface["AssociatePublicIpAddress"] = value
    assert run(interface) == []


def test_silent_for_a_version_the_scan_cannot_see() -> None:
    assert len(run({"AssociatePublicIpAddress": True})) == 1
    assert run({"AssociatePublicIpAddress": True}, version="5") == []
    assert run({"AssociatePublicIpAddress": True}, version=Unknown()) == []


def test_odd_shapes_never_raise() -> None:
    assert run("eni-0123", 3, [{"AssociatePublicIpAddress": True}]) == []
