"""deprecated-vcpus-memory-fields: the three cases, their messages, and where it stays silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-014"


def _findings(tmp_path: Path, properties: str) -> list[tuple[str, str]]:
    template = f"""
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
{properties}
"""
    found = scanning.findings(tmp_path, template, CODE, also=["BL-META-003"])  # 003: a crash
    return [(f.pointer.split("/Properties", 1)[-1], f.message) for f in found]


def _container(body: str) -> str:
    return "      ContainerProperties:\n        Image: busybox:1.36\n" + body


def test_legacy_only(tmp_path: Path) -> None:
    found = _findings(tmp_path, _container("        Vcpus: 16\n        Memory: 1048576\n"))
    assert found == [
        (
            "/ContainerProperties/Vcpus",
            "The container (containerProperties) uses the deprecated vcpus (16) and memory "
            "(1048576) fields: replace them with the resourceRequirements entries {type: VCPU, "
            'value: "16"} and {type: MEMORY, value: "1048576"}.',
        )
    ]


def test_both_forms(tmp_path: Path) -> None:
    body = (
        "        Vcpus: 2\n        Memory: 4096\n"
        '        ResourceRequirements: [{Type: VCPU, Value: "4"}, {Type: MEMORY, Value: !Ref '
        "AWS::NoValue}]\n"
    )
    found = _findings(tmp_path, _container(body))
    assert found == [
        (
            "/ContainerProperties/Vcpus",
            "The container (containerProperties) sets both the deprecated vcpus (2) and a "
            "resourceRequirements VCPU (4), and AWS Batch uses only the resourceRequirements "
            "value: delete vcpus.",
        ),
        (
            "/ContainerProperties/Memory",
            "The container (containerProperties) sets both the deprecated memory (4096) and a "
            "resourceRequirements MEMORY, and AWS Batch uses only the resourceRequirements "
            "value: delete memory.",
        ),
    ]


def test_tiny_memory(tmp_path: Path) -> None:
    found = _findings(tmp_path, _container('        Memory: "3.5"\n'))
    assert found == [
        (
            "/ContainerProperties/Memory",
            "The container (containerProperties) sets the deprecated memory field to 3.5 MiB, "
            "below the 4 MiB AWS Batch accepts, so registering the job definition fails: give "
            "at least 4 MiB, as a resourceRequirements entry of type MEMORY.",
        )
    ]


def test_fargate(tmp_path: Path) -> None:
    found = _findings(
        tmp_path, "      PlatformCapabilities: [fargate]\n" + _container("        Vcpus: 1\n")
    )
    assert len(found) == 1
    assert "uses the deprecated vcpus (1) field, which Fargate does not support" in found[0][1]


def test_unknown_requirement_type_is_not_both(tmp_path: Path) -> None:
    body = (
        "        Vcpus: 2\n        ResourceRequirements: [{Type: !Ref AWS::StackName, Value: 2}]\n"
    )
    found = _findings(tmp_path, _container(body))
    assert [message.split(":")[0] for _, message in found] == [
        "The container (containerProperties) uses the deprecated vcpus (2) field"
    ]


@pytest.mark.parametrize(
    "properties",
    [
        _container('        ResourceRequirements: [{Type: VCPU, Value: "1"}]\n'),
        _container("        Vcpus: null\n        Memory: !Ref AWS::NoValue\n"),
        _container("        ResourceRequirements: not-a-list\n"),
        "      ContainerProperties: not-a-container\n",
        # ECS task containers have no legacy fields; if one is written, AWS rejects the
        # unknown key, which is not this rule's finding
        "      EcsProperties:\n        TaskProperties:\n          - Containers:\n"
        "              - {Name: app, Image: busybox:1.36, Memory: 2048}\n",
        "      EksProperties:\n        PodProperties:\n          Containers:\n"
        "            - {Name: app, Image: busybox:1.36, Resources: {Limits: {memory: 2Mi}}}\n",
    ],
)
def test_silent(properties: str, tmp_path: Path) -> None:
    assert _findings(tmp_path, properties) == []
