"""The EC2 capacity the compute environments of a scope offer a job.

Cost estimates, ``request-fits-no-instance`` and ``job-request-wastes-instance`` all ask the
same question — which instance types could this job land on? — and must agree on the answer:
the concrete types allowed by every managed EC2/Spot compute environment of the job's
orchestration (EKS or ECS). When any such environment cannot be read, the answer is unknown
and callers stay silent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from batchlint import instances
from batchlint.model import Kind, Node, Resource, Scope

_EC2 = frozenset({"EC2", "SPOT"})


@dataclass(frozen=True)
class Ec2Capacity:
    types: list[str]  # concrete instance types, each once, in the order written
    has_spot: bool  # whether any of the environments is Spot


def ec2_capacity(ces: Iterable[Resource], eks: bool) -> Ec2Capacity | str:
    """What a job could run on, given the compute environments that may receive it (all of
    a scope's, or a queue's), or a sentence saying why that is unknown or empty."""
    types: list[str] = []
    has_spot = False
    relevant = 0
    for ce in ces:
        if (ce.props.get("eksConfiguration") is not None) != eks:
            continue
        env_type = _upper(ce.field("type"))
        compute = _upper(ce.field("computeResources", "type"))
        if env_type == "UNMANAGED":
            return f"unmanaged compute environment {ce.address} may run any instance type"
        if env_type is None or compute is None:
            return f"the type of compute environment {ce.address} is unknown"
        if compute not in _EC2:
            continue
        listed = ce.field("computeResources", "instanceTypes")
        entries = listed.texts() if listed is not None else None
        expanded = instances.expand(entries, None) if entries else None
        if not expanded:
            return f"the instance types of compute environment {ce.address} are unknown"
        relevant += 1
        has_spot = has_spot or compute == "SPOT"
        types.extend(name for name in expanded if name not in types)
    if not relevant:
        return "no EC2 or Spot compute environment in scope to place the job on"
    return Ec2Capacity(types, has_spot)


def scope_capacity(scope: Scope, eks: bool) -> Ec2Capacity | str:
    """:func:`ec2_capacity` of all the compute environments of ``scope``, worked out once
    per scope rather than once per job definition. The answer is shared: do not change it."""
    return scope.cached(
        ("ec2_capacity", eks),
        lambda: ec2_capacity(scope.of_kind(Kind.COMPUTE_ENVIRONMENT), eks),
    )


def _upper(node: Node | None) -> str | None:
    text = node.text() if node is not None else None
    return text.strip().upper() if text else None
