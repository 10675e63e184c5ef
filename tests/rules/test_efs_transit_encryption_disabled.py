"""efs-transit-encryption-disabled: defaults, the rejected case, every volume layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-034"
HEAD = (
    "Parameters:\n  Setting: {Type: String}\n  Stage: {Type: String, Default: prod}\n"
    "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\nResources:\n  Job:\n"
    "    Type: AWS::Batch::JobDefinition\n    Properties:\n      Type: container\n"
)


def _findings(tmp_path: Path, properties: str) -> list[tuple[str, str]]:
    return scanning.located(tmp_path, HEAD + properties, CODE, also=["BL-META"])


def _container(efs: str) -> str:
    return (
        "      ContainerProperties:\n        Image: busybox:1.36\n        Vcpus: 1\n"
        "        Memory: 1024\n        Volumes:\n          - Name: shared\n"
        f"            EfsVolumeConfiguration: {efs}\n"
    )


def test_default_is_disabled(tmp_path: Path) -> None:
    assert _findings(tmp_path, _container("{FileSystemId: fs-1}")) == [
        (
            'Volume "shared" of the container (containerProperties) mounts EFS file system '
            "fs-1 with transitEncryption left out (DISABLED by default), so file data crosses "
            "the network unencrypted: set transitEncryption to ENABLED.",
            "/Resources/Job/Properties/ContainerProperties/Volumes/0/EfsVolumeConfiguration",
        )
    ]


def test_access_point_or_iam_without_encryption_is_rejected_by_aws(tmp_path: Path) -> None:
    efs = (
        "{FileSystemId: fs-1, TransitEncryption: DISABLED, "
        "AuthorizationConfig: {AccessPointId: fsap-1, Iam: ENABLED}}"
    )
    assert _findings(tmp_path, _container(efs)) == [
        (
            'Volume "shared" of the container (containerProperties) mounts EFS file system '
            "fs-1 with access point fsap-1 and IAM authorization but with transitEncryption "
            "DISABLED, which AWS rejects when the job definition is registered: set "
            "transitEncryption to ENABLED.",
            "/Resources/Job/Properties/ContainerProperties/Volumes/0/EfsVolumeConfiguration/"
            "TransitEncryption",
        )
    ]


@pytest.mark.parametrize(
    ("efs", "needs"),
    [
        ("{FileSystemId: fs-1, AuthorizationConfig: {AccessPointId: !Ref Setting}}", "an access"),
        ("{FileSystemId: fs-1, AuthorizationConfig: {Iam: enabled}}", "IAM authorization"),
        ("{FileSystemId: fs-1, AuthorizationConfig: {Iam: DISABLED}}", None),
        (
            "{FileSystemId: fs-1, AuthorizationConfig: "
            "{AccessPointId: !If [IsProd, fsap-1, !Ref AWS::NoValue]}}",
            None,
        ),
    ],
)
def test_what_requires_encryption(tmp_path: Path, efs: str, needs: str | None) -> None:
    ((message, _),) = _findings(tmp_path, _container(efs))
    if needs is None:
        assert "so file data crosses the network unencrypted" in message
    else:
        assert f"with {needs}" in message and "which AWS rejects" in message


@pytest.mark.parametrize(
    "efs",
    [
        "{FileSystemId: fs-1, TransitEncryption: ENABLED}",
        "{FileSystemId: fs-1, TransitEncryption: enabled}",
        "{FileSystemId: fs-1, TransitEncryption: !Ref Setting}",
        "{FileSystemId: fs-1, TransitEncryption: !If [IsProd, ENABLED, !Ref AWS::NoValue]}",
        "{FileSystemId: fs-1, TransitEncryption: !If [IsProd, ENABLED, DISABLED]}",
        "{FileSystemId: fs-1, TransitEncryption: SOMETIMES}",
        "!Ref Setting",
        "[fs-1]",
    ],
)
def test_silent(tmp_path: Path, efs: str) -> None:
    assert _findings(tmp_path, _container(efs)) == []


def test_if_whose_branches_are_all_disabled(tmp_path: Path) -> None:
    efs = "{FileSystemId: fs-1, TransitEncryption: !If [IsProd, DISABLED, !Ref AWS::NoValue]}"
    ((message, _),) = _findings(tmp_path, _container(efs))
    assert "with transitEncryption DISABLED" in message


def test_ecs_task_volumes_once_per_task_and_node_ranges_each(tmp_path: Path) -> None:
    volume = "[{Name: v, EfsVolumeConfiguration: {FileSystemId: !Ref Setting}}]"
    container = "{Name: c%d, Image: busybox:1.36, ResourceRequirements: [{Type: VCPU, Value: '1'}]}"
    properties = (
        "      EcsProperties:\n        TaskProperties:\n"
        f"          - Volumes: {volume}\n"
        f"            Containers: [{container % 1}, {container % 2}]\n"
        "      NodeProperties:\n        NumNodes: 2\n        MainNode: 0\n"
        "        NodeRangeProperties:\n"
        f"          - TargetNodes: '0'\n            Container: {{Image: x, Volumes: {volume}}}\n"
        f"          - TargetNodes: '1'\n            Container: {{Image: x, Volumes: {volume}}}\n"
    )
    found = [message.split(" mounts ")[0] for message, _ in _findings(tmp_path, properties)]
    assert found == [
        'Volume "v" of ECS task 0',
        'Volume "v" of the container of node range "0"',
        'Volume "v" of the container of node range "1"',
    ]
