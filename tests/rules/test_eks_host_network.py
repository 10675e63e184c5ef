"""eks-host-network: the API default, unknowns, and a default from the defaults table."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchlint.engine import ScanOptions, scan
from batchlint.model import Kind
from batchlint.sources import defaults

from . import scanning

CODE = "BL-JD-031"
MESSAGE = (
    "The EKS pod uses the host's network{how}, so its containers reach the node's services and "
    "its instance role through the metadata service: set eksProperties.podProperties.hostNetwork "
    "to false."
)


def _findings(tmp_path: Path, pod: str) -> list[tuple[str, str]]:
    template = (
        "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\nParameters:\n  Stage: {Type: String}\n"
        "Resources:\n  Job:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
        "      Type: container\n      EksProperties:\n        PodProperties:\n"
        "          Containers: [{Name: main, Image: busybox:1.36}]\n" + pod
    )
    return scanning.located(tmp_path, template, CODE, also=["BL-META"])


POD = "/Resources/Job/Properties/EksProperties/PodProperties"


def test_absent_is_the_api_default(tmp_path: Path) -> None:
    assert _findings(tmp_path, "") == [(MESSAGE.format(how=" (by default)"), POD)]


def test_written_true_points_at_the_value(tmp_path: Path) -> None:
    found = _findings(tmp_path, "          HostNetwork: true\n")
    assert found == [(MESSAGE.format(how=""), POD + "/HostNetwork")]


@pytest.mark.parametrize(
    "value",
    ["false", '"False"', "!Ref Stage", "!If [IsProd, true, false]", "maybe"],
)
def test_false_unknown_or_odd_values_stay_silent(tmp_path: Path, value: str) -> None:
    assert _findings(tmp_path, f"          HostNetwork: {value}\n") == []


def test_pods_that_are_not_there_stay_silent(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Parameters:\n  Pod: {Type: String}\nResources:\n"
        "  Unknown:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
        "      Type: container\n      EksProperties: {PodProperties: !Ref Pod}\n"
        "  Odd:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
        "      Type: container\n      EksProperties: {PodProperties: [a, b]}\n"
        "  Container:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
        "      Type: container\n      ContainerProperties: {Image: busybox:1.36}\n"
    )
    assert scan([str(path)], ScanOptions(select=[CODE])).findings == []


def test_a_default_in_the_table_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the defaults table holds hostNetwork, an Fn::If branch without it reads as true."""
    key = (Kind.JOB_DEFINITION, ("eksProperties", "podProperties", "hostNetwork"))
    monkeypatch.setitem(defaults.DEFAULTS, key, (True, "https://docs.aws.amazon.com/batch/"))
    assert _findings(tmp_path, "") == [(MESSAGE.format(how=" (by default)"), POD)]
    found = _findings(tmp_path, "          HostNetwork: !If [IsProd, true, !Ref AWS::NoValue]\n")
    assert found == [(MESSAGE.format(how=""), POD + "/HostNetwork")]


def test_a_node_range_pod_is_checked_too(tmp_path: Path) -> None:
    text = """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      NodeProperties:
        NumNodes: 2
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:"
            EksProperties:
              PodProperties:
                Containers:
                  - Image: public.ecr.aws/docker/library/busybox:1.36
                    Resources: {Limits: {cpu: "1", memory: 1024Mi}}
"""
    [message] = scanning.messages(tmp_path, text, "BL-JD-031")
    assert message.startswith(
        'The EKS pod of node range "0:" uses the host\'s network (by default)'
    )
