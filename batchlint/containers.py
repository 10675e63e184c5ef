"""Every place a job definition declares a container, whatever the job type.

Rules about containers (privileged, environment, images, resource requests) iterate these
instead of knowing each layout: container properties, every node range's container and ECS
task containers, ECS task containers in node ranges, EKS containers and init containers (of the
job, and of each node range).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from batchlint.model import JobDefinition, Node


@dataclass(frozen=True)
class Container:
    node: Node  # the container's dict
    layout: str  # "container", "node", "ecs", "eks"
    label: str  # a noun phrase for messages: 'the container of node range "0:3"', …
    # the unit that is placed on one instance, shared by the containers that run together:
    # "" (containerProperties), 'node range "0:3"', "ECS task 0", 'ECS task 1 of node range
    # "2:"', "EKS pod", 'EKS init container "setup"'
    placement: str = ""
    # what the container runs in, holding its volumes: the container's own dict for container
    # and node-range containers, the ECS task, or the EKS pod
    unit: Node | None = None

    @property
    def is_eks(self) -> bool:
        return self.layout == "eks"


def containers(jd: JobDefinition) -> Iterator[Container]:
    props = jd.props
    single = props.get("containerProperties")
    if single is not None and isinstance(single.raw, dict):
        yield Container(single, "container", "the container (containerProperties)", unit=single)
    yield from _ecs(props.get("ecsProperties"), "")
    for index, group in enumerate(props.each("nodeProperties", "nodeRangeProperties")):
        target = group.get("targetNodes")
        where = f'node range "{target.text() if target and target.text() else index}"'
        container = group.get("container")
        if container is not None and isinstance(container.raw, dict):
            yield Container(container, "node", f"the container of {where}", where, container)
        yield from _ecs(group.get("ecsProperties"), f" of {where}")
    yield from _eks(props.get("eksProperties"), "")
    for index, group in enumerate(props.each("nodeProperties", "nodeRangeProperties")):
        target = group.get("targetNodes")
        where = f'node range "{target.text() if target and target.text() else index}"'
        yield from _eks(group.get("eksProperties"), f" of {where}")


def _eks(eks: Node | None, suffix: str) -> Iterator[Container]:
    pod = eks.get("podProperties") if eks is not None else None
    if pod is None:
        return
    for key in ("initContainers", "containers"):
        for index, container in enumerate(pod.each(key)):
            if not isinstance(container.raw, dict):
                continue  # an unknown or a value of the wrong shape is no container
            name = container.get("name")
            label = name.text() if name is not None and name.text() else str(index)
            what = "EKS container" if key == "containers" else "EKS init container"
            placement = "EKS pod" if key == "containers" else f'{what} "{label}"'
            label = f'{what} "{label}"{suffix}'
            yield Container(container, "eks", label, placement + suffix, pod)


def _ecs(ecs: Node | None, suffix: str) -> Iterator[Container]:
    if ecs is None:
        return
    for number, task in enumerate(ecs.each("taskProperties")):
        for index, container in enumerate(task.each("containers")):
            if not isinstance(container.raw, dict):
                continue
            name = container.get("name")
            label = name.text() if name is not None and name.text() else str(index)
            placement = f"ECS task {number}{suffix}"
            label = f'ECS task container "{label}"{suffix}'
            yield Container(container, "ecs", label, placement, task)


def environment(container: Container) -> list[tuple[Node, Node | None]]:
    """(name, value) pairs of a container's environment (``environment`` or EKS ``env``)."""
    key = "env" if container.is_eks else "environment"
    out = []
    for entry in container.node.each(key):
        name = entry.get("name")
        if name is not None:
            out.append((name, entry.get("value")))
    return out
