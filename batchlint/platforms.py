"""Which platform a job definition runs on, and the units Fargate runs as one task.

A job definition runs on Fargate when its ``platformCapabilities`` include ``FARGATE``
(absent means ``EC2``). Fargate settings live on the unit Fargate starts as one task:
``containerProperties`` (``executionRoleArn``, ``networkConfiguration``,
``fargatePlatformConfiguration.platformVersion``) or each ECS task of ``ecsProperties``
(``executionRoleArn``, ``networkConfiguration``, ``platformVersion``). Multi-node parallel
and EKS jobs do not run on Fargate, so their node ranges and pods are no such unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchlint.containers import Container, containers
from batchlint.model import JobDefinition, Node

FARGATE = "FARGATE"
SINGLE_LABEL = "the container (containerProperties)"


def is_fargate(jd: JobDefinition) -> bool:
    """Whether the job definition certainly runs on Fargate: every value its
    ``platformCapabilities`` can take (an ``Fn::If`` whose branches agree) names ``FARGATE``.
    Unknown or absent reads as not Fargate."""
    capabilities = jd.props.get("platformCapabilities")
    outcomes = capabilities.every_outcome() if capabilities is not None else []
    if not outcomes:
        return False
    for outcome in outcomes:
        names = outcome.texts() if outcome is not None else None
        if not names or FARGATE not in {name.strip().upper() for name in names}:
            return False
    return True


@dataclass(frozen=True)
class FargateTask:
    """``containerProperties`` or one ECS task of a Fargate job definition."""

    node: Node  # the dict holding executionRoleArn, networkConfiguration, volumes, …
    label: str  # for messages: "the container (containerProperties)", "ECS task 0"
    containers: tuple[Container, ...]
    version_path: tuple[str, ...]  # where its Fargate platform version is written

    @property
    def is_ecs(self) -> bool:
        return self.label != SINGLE_LABEL


def fargate_tasks(jd: JobDefinition) -> list[FargateTask]:
    """The units a Fargate job definition runs as Fargate tasks; empty when it is not
    certainly a Fargate job definition."""
    if not is_fargate(jd):
        return []
    found = list(containers(jd))
    out = []
    single = jd.props.get("containerProperties")
    if single is not None and single.known and isinstance(single.raw, dict):
        mine = tuple(c for c in found if c.layout == "container")
        out.append(
            FargateTask(
                single, SINGLE_LABEL, mine, ("fargatePlatformConfiguration", "platformVersion")
            )
        )
    for number, task in enumerate(jd.props.each("ecsProperties", "taskProperties")):
        if not isinstance(task.raw, dict):
            continue
        where = f"ECS task {number}"
        mine = tuple(c for c in found if c.layout == "ecs" and c.placement == where)
        out.append(FargateTask(task, where, mine, ("platformVersion",)))
    return out


def written(node: Node | None) -> bool:
    """Whether a value is certainly written: known (or an ``Fn::If`` whose branches all
    give one), neither null nor an empty list or mapping."""
    outcomes = node.every_outcome() if node is not None else []
    return bool(outcomes) and all(o is not None and o.raw not in (None, [], {}) for o in outcomes)


def absent(node: Node | None) -> bool:
    """Whether a value is certainly not given: missing, null or empty in every outcome."""
    if node is None:
        return True
    outcomes = node.every_outcome()
    return bool(outcomes) and all(o is None or o.raw in (None, "", [], {}) for o in outcomes)
