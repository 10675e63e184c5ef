"""writable-root-filesystem: every container layout, what stays silent, and its messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-027"


def _findings(tmp_path: Path, properties: str) -> list[tuple[str, str]]:
    template = (
        "Resources:\n  Job:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
        "      Type: container\n" + properties
    )
    return scanning.located(tmp_path, template, CODE, also=["BL-META"])


def test_absent_points_at_the_container_and_says_what_to_set(tmp_path: Path) -> None:
    found = _findings(tmp_path, "      ContainerProperties: {Image: busybox:1.36}\n")
    assert found == [
        (
            "The container (containerProperties) has a writable root file system "
            "(readonlyRootFilesystem is not set): set readonlyRootFilesystem to true and mount "
            "a volume or tmpfs for the paths the job writes.",
            "/Resources/Job/Properties/ContainerProperties",
        )
    ]


def test_eks_names_the_security_context_and_an_empty_dir(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """      EksProperties:
        PodProperties:
          Containers:
            - Name: main
              Image: busybox:1.36
              SecurityContext: {ReadOnlyRootFilesystem: false}
""",
    )
    assert found == [
        (
            'EKS container "main" has a writable root file system (readOnlyRootFilesystem is '
            "false): set securityContext.readOnlyRootFilesystem to true and mount an emptyDir "
            "volume for the paths the job writes.",
            "/Resources/Job/Properties/EksProperties/PodProperties/Containers/0/SecurityContext"
            "/ReadOnlyRootFilesystem",
        )
    ]


@pytest.mark.parametrize(
    "value",
    ["true", '"TRUE"', "!Ref Choice", "!If [IsProd, true, false]", "yes-please", "[true]"],
)
def test_true_unknown_or_odd_values_stay_silent(tmp_path: Path, value: str) -> None:
    found = _findings(
        tmp_path,
        f"      ContainerProperties: {{Image: busybox:1.36, ReadonlyRootFilesystem: {value}}}\n",
    )
    assert found == []


@pytest.mark.parametrize(
    "context",
    ["!Ref Context", "!If [IsProd, {ReadOnlyRootFilesystem: true}, !Ref AWS::NoValue]"],
)
def test_unknown_eks_security_context_stays_silent(tmp_path: Path, context: str) -> None:
    found = _findings(
        tmp_path,
        f"""      EksProperties:
        PodProperties:
          Containers:
            - {{Name: main, Image: busybox:1.36, SecurityContext: {context}}}
""",
    )
    assert found == []


def test_odd_shapes_do_not_raise(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """      EksProperties:
        PodProperties:
          Containers: [not-a-container, {Name: main, Image: busybox:1.36, SecurityContext: x}]
""",
    )
    assert [message for message, _ in found] == [
        'EKS container "main" has a writable root file system (readOnlyRootFilesystem is not '
        "set): set securityContext.readOnlyRootFilesystem to true and mount an emptyDir volume "
        "for the paths the job writes."
    ]
