"""Every place a job definition declares a container, with its label, placement and unit."""

from __future__ import annotations

from batchlint.containers import containers
from batchlint.model import JobDefinition, Node, Scope
from batchlint.sources import load_text

TEMPLATE = """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      ContainerProperties: {Image: a, Volumes: [{Name: v}]}
      EcsProperties:
        TaskProperties:
          - Containers: [{Name: app, Image: b}, not-a-container]
            Volumes: [{Name: t}]
      EksProperties:
        PodProperties:
          InitContainers: [{Name: setup, Image: c}]
          Containers: [{Name: main, Image: d}]
          Volumes: [{Name: p}]
      NodeProperties:
        NumNodes: 2
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:"
            Container: {Image: e}
            EcsProperties:
              TaskProperties: [{Containers: [{Name: side, Image: f}]}]
            EksProperties:
              PodProperties: {Containers: [{Name: worker, Image: g}]}
"""


def test_all_seven_places_with_labels_placements_and_units() -> None:
    (scope,) = load_text(TEMPLATE, "job.yaml", "us-east-1")
    assert isinstance(scope, Scope) and not scope.meta
    [jd] = scope.resources
    assert isinstance(jd, JobDefinition)
    found = [(c.layout, c.label, c.placement, _text(c.node, "image")) for c in containers(jd)]
    assert found == [
        ("container", "the container (containerProperties)", "", "a"),
        ("ecs", 'ECS task container "app"', "ECS task 0", "b"),
        ("node", 'the container of node range "0:"', 'node range "0:"', "e"),
        (
            "ecs",
            'ECS task container "side" of node range "0:"',
            'ECS task 0 of node range "0:"',
            "f",
        ),
        ("eks", 'EKS init container "setup"', 'EKS init container "setup"', "c"),
        ("eks", 'EKS container "main"', "EKS pod", "d"),
        ("eks", 'EKS container "worker" of node range "0:"', 'EKS pod of node range "0:"', "g"),
    ]
    # the unit holds the volumes the container can mount
    volumes = {
        c.label: [_text(v, "name") for v in c.unit.each("volumes")]
        for c in containers(jd)
        if c.unit is not None
    }
    assert volumes["the container (containerProperties)"] == ["v"]
    assert volumes['ECS task container "app"'] == ["t"]
    assert volumes['EKS container "main"'] == volumes['EKS init container "setup"'] == ["p"]
    assert volumes['EKS container "worker" of node range "0:"'] == []
    assert len(volumes) == 7


def _text(node: Node, key: str) -> str | None:
    value = node.get(key)
    return value.text() if value is not None else None
