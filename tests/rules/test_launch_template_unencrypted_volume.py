"""launch-template-unencrypted-volume: written false always; unset only for a fresh volume."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context, Hit

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "launch-template-unencrypted-volume")


def run(*mappings: Any, image: str | None = None, **resources: Any) -> list[Hit]:
    scope = Scope("t.yaml", "cloudformation")
    data: dict[str, Any] = {"BlockDeviceMappings": list(mappings)}
    if image is not None:
        data["ImageId"] = image
    add(scope, Kind.LAUNCH_TEMPLATE, "Lt", {"launchTemplateData": data})
    body = {"type": "SPOT", "launchTemplate": {"launchTemplateId": Ref("Lt")}, **resources}
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": body})
    assert RULE.check is not None
    return list(RULE.check(ce, Context(scope)))


def volume(device: str | None = "/dev/xvda", **ebs: Any) -> dict[str, Any]:
    mapping: dict[str, Any] = {"Ebs": {"VolumeSize": 100, **ebs}}
    if device is not None:
        mapping["DeviceName"] = device
    return mapping


def test_written_false_points_at_the_value() -> None:
    (hit,) = run(volume(Encrypted=False))
    assert hit.message == (
        "Compute environment launches instances from launch template Lt, which maps /dev/xvda "
        "to an unencrypted EBS volume (Encrypted false): set Encrypted to true."
    )
    assert hit.at is not None and hit.at.pointer.endswith("/Ebs/Encrypted")


def test_unset_points_at_the_volume_and_names_the_account_default() -> None:
    (hit,) = run(volume(None))
    assert "maps a device to an EBS volume that leaves Encrypted unset" in hit.message
    assert "unless EBS encryption by default is on for the account" in hit.message
    assert hit.at is not None and hit.at.pointer.endswith("/Ebs")


def test_one_finding_per_volume() -> None:
    hits = run(volume(Encrypted="false"), volume("/dev/xvdb"), volume("/dev/xvdc", Encrypted=True))
    assert ["/dev/xvda" in h.message for h in hits] == [True, False]


@pytest.mark.parametrize(
    "mapping",
    [
        volume(Encrypted=True),
        volume(Encrypted="true"),
        volume(Encrypted=Unknown()),
        volume(SnapshotId="snap-0123456789abcdef0"),
        volume(KmsKeyId="alias/batch"),
        {"DeviceName": "/dev/xvdb", "VirtualName": "ephemeral0"},
        {"DeviceName": "/dev/xvdb", "NoDevice": ""},
        {"DeviceName": "/dev/xvdb", "Ebs": Unknown()},
        {"DeviceName": "/dev/xvdb", "Ebs": "gp3"},
    ],
)
def test_silent(mapping: dict[str, Any]) -> None:
    assert run(mapping) == []


@pytest.mark.parametrize(
    ("image", "resources"),
    [
        ("ami-0123456789abcdef0", {}),
        (None, {"imageId": "ami-0123456789abcdef0"}),
        (None, {"ec2Configuration": [{"imageType": "ECS_AL2023", "imageIdOverride": "ami-1"}]}),
    ],
)
def test_custom_ami_counts_only_written_false(image: str | None, resources: Any) -> None:
    assert run(volume(), image=image, **resources) == []
    assert len(run(volume(Encrypted=False), image=image, **resources)) == 1


def test_odd_shapes_never_raise() -> None:
    assert run("sda", None, 3) == []
