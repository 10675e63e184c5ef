"""The compute environments a job queue lists, and what AWS Batch requires them to share.

A queue's ``computeEnvironmentOrder`` entries may be definite, conditional (an ``Fn::If`` with an
``AWS::NoValue`` branch) or unknown, and each names a compute environment in scope or outside
it. Rules that reason about a queue's environments read them through :func:`entries` so they
agree on which ones are certainly there and which are known.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchlint import instances
from batchlint.images import upper_text
from batchlint.model import EC2_TYPES, FARGATE_TYPES, Kind, Node, Resource, Scope

# CreateJobQueue's jobQueueType: one per queue, "EKS, ECS, or ECS_FARGATE depending on the
# compute environment", so a queue's environments must all be of one of them
ECS = "ECS"
ECS_FARGATE = "ECS_FARGATE"
EKS = "EKS"


@dataclass(frozen=True)
class Entry:
    """One ``computeEnvironmentOrder`` entry of a queue."""

    node: Node  # the entry (a dict of order and computeEnvironment)
    present: bool  # certainly in the list (not an Fn::If that may drop it)
    environment: Resource | None  # the compute environment in scope it names, if known


def entries(queue: Resource, scope: Scope) -> list[Entry] | None:
    """The entries of ``queue``'s ``computeEnvironmentOrder``; ``None`` when the list itself is
    unknown or absent."""
    order = queue.props.get("computeEnvironmentOrder")
    if order is None or order.unknown:
        return None
    out = []
    for item in order.items():
        outcomes = item.outcomes()
        present = bool(outcomes) and None not in outcomes
        target = None
        if item.known:
            target = scope.deref(item.get("computeEnvironment"), Kind.COMPUTE_ENVIRONMENT)
        out.append(Entry(item, present, target))
    return out


def queue_type(ce: Resource) -> str | None:
    """The job queue type a compute environment belongs in (``ECS``, ``ECS_FARGATE`` or
    ``EKS``), or ``None`` when that is unknown."""
    eks = ce.props.get("eksConfiguration")
    env_type = upper_text(ce.field("type"))
    if env_type == "UNMANAGED":
        # unmanaged environments run EC2 instances the user launches into the ECS cluster
        return EKS if eks is not None else ECS
    compute = upper_text(ce.field("computeResources", "type"))
    if compute in FARGATE_TYPES:
        return ECS_FARGATE
    if compute in EC2_TYPES:
        return EKS if eks is not None else ECS
    return None


def architecture(ce: Resource) -> str | None:
    """The CPU architecture (``x86_64`` or ``arm64``) of a managed EC2 or Spot compute
    environment's instance types; ``None`` when unknown, not EC2, or a mix of both."""
    if upper_text(ce.field("computeResources", "type")) not in EC2_TYPES:
        return None
    listed = ce.field("computeResources", "instanceTypes")
    names = listed.texts() if listed is not None else None
    expanded = instances.expand(names) if names else None
    if not expanded:
        return None
    arches = set()
    for name in expanded:
        facts = instances.facts(name)
        if facts is None:
            return None
        arches.add(facts.arch)
    return arches.pop() if len(arches) == 1 else None
