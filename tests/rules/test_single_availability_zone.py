"""single-availability-zone: one subnet, one zone by name or ID, and what stays silent."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "single-availability-zone")


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def scope_with(**subnets: dict[str, Any]) -> Scope:
    scope = Scope("t.yaml", "cloudformation")
    for name, props in subnets.items():
        add(scope, Kind.SUBNET, name, props)
    return scope


def env(scope: Scope, subnets: Any) -> Resource:
    compute = {"type": "EC2", "subnets": subnets}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": compute})


def test_subnets_in_one_zone() -> None:
    scope = scope_with(A={"availabilityZone": "us-east-1a"}, B={"availabilityZone": "us-east-1a"})
    ((message, pointer),) = run(env(scope, [Ref("A"), Ref("B")]))
    assert message == (
        "Compute environment's 2 subnets (A, B) are all in Availability Zone us-east-1a: add "
        "subnets in at least one more Availability Zone."
    )
    assert pointer == "/Resources/Ce/Properties/computeResources/subnets"


def test_zone_ids_count_when_every_subnet_has_one() -> None:
    scope = scope_with(
        A={"availabilityZone": "us-east-1a", "availabilityZoneId": "use1-az1"},
        B={"availabilityZoneId": "use1-az1"},
        C={"availabilityZone": "us-east-1b", "availabilityZoneId": "use1-az2"},
    )
    ((message, _),) = run(env(scope, [Ref("A"), Ref("B")]))
    assert "are all in Availability Zone use1-az1:" in message
    assert run(env(scope, [Ref("A"), Ref("C")])) == []
    assert run(env(scope, [Ref("B"), Ref("C")])) == []


def test_single_subnet_in_scan_outside_it_and_unknown() -> None:
    scope = scope_with(A={"availabilityZone": "us-east-1a"}, NoZone={})
    ((message, pointer),) = run(env(scope, [Ref("A")]))
    assert message == (
        "Compute environment has a single subnet, A, so all its capacity is in one "
        "Availability Zone (us-east-1a): add subnets in at least one more Availability Zone."
    )
    assert pointer == "/Resources/Ce/Properties/computeResources/subnets/0"
    ((message, _),) = run(env(scope, [Ref("NoZone")]))
    assert "a single subnet, NoZone, so all its capacity is in one Availability Zone:" in message
    ((message, _),) = run(env(scope, ["subnet-0123456789abcdef0"]))
    assert "a single subnet, subnet-0123456789abcdef0, so" in message
    ((message, _),) = run(env(scope, [Unknown()]))
    assert message.startswith("Compute environment has a single subnet (set at deploy time), so")
    # one subnet written twice, by reference and by name
    ((message, _),) = run(env(scope, [Ref("A"), "A"]))
    assert "a single subnet, A," in message
    # a lone string is a list of one
    assert len(run(env(scope, "subnet-0123456789abcdef0"))) == 1


@pytest.mark.parametrize(
    "subnets",
    [
        [Ref("A"), Ref("B")],  # two zones
        [Ref("A"), Ref("NoZone")],  # a zone not known
        [Ref("A"), "subnet-0123456789abcdef0"],  # a subnet outside the scan
        [Ref("A"), Unknown()],
        ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        Unknown(),
        [],
    ],
)
def test_silent(subnets: Any) -> None:
    scope = scope_with(
        A={"availabilityZone": "us-east-1a"}, B={"availabilityZone": "us-east-1b"}, NoZone={}
    )
    assert run(env(scope, subnets)) == []


def test_an_entry_an_fn_if_may_leave_out_is_silent() -> None:
    scope = scope_with(A={"availabilityZone": "us-east-1a"})
    maybe = Node(None, Origin.UNKNOWN, "/p", alts=(Node("subnet-1"), None))
    ce = env(scope, [Ref("A")])
    listed = ce.props.get("computeResources", "subnets")
    assert listed is not None and isinstance(listed.raw, list)
    listed.raw.append(maybe)
    assert run(ce) == []
    listed.raw[1] = Node(None, Origin.UNKNOWN, "/p", alts=(Node("subnet-1"), Node("subnet-2")))
    assert run(ce) == []  # a second subnet, in a zone not known
    listed.raw.pop()
    listed.raw[0] = Node(None, Origin.UNKNOWN, "/p", alts=(Node("subnet-1"), Node("subnet-2")))
    assert len(run(ce)) == 1  # one subnet, either way


def test_a_placement_group_is_one_zone_by_design() -> None:
    scope = scope_with(A={"availabilityZone": "us-east-1a"})
    compute = {"type": "EC2", "subnets": [Ref("A")], "placementGroup": Unknown()}
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Mnp", {"computeResources": compute})
    assert run(ce) == []
