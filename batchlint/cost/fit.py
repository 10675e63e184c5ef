"""What a job asks for, and the cheapest EC2 instance type it fits on (shared with its copies).

A job's containers are grouped by what must sit on one instance together (see
``containers.Container.placement``): the container of ``containerProperties``, all the
containers of an ECS task, or an EKS pod (its containers together, or its largest init
container, which runs before them). Multi-node parallel jobs are not placed: each node is an
instance of its own and the node count is often a parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from batchlint import instances
from batchlint.containers import containers
from batchlint.model import JobDefinition
from batchlint.requests import requests

if TYPE_CHECKING:
    from batchlint.model import Resource
    from batchlint.prices import PriceSource

_EPSILON = 1e-9  # float slack when dividing capacity by a request, and for price ties


@dataclass(frozen=True)
class Demand:
    """What one copy of a job needs on one instance (or one Fargate task)."""

    vcpus: float
    memory_mib: float
    gpus: float = 0.0


@dataclass(frozen=True)
class Fit:
    """A job's container group placed on an EC2 instance type."""

    instance_type: str
    copies: int  # how many copies of the job fit on one instance
    instance_hourly: float  # on-demand USD/hour of the instance
    per_job_hour: float  # instance_hourly / copies
    idle_vcpu_fraction: float  # left idle when `copies` run
    idle_memory_fraction: float  # of the memory ECS can register


def job_demand(jd: Resource) -> Demand | str:
    """The job's demand on one instance, or a sentence saying why it is unknown."""
    if not isinstance(jd, JobDefinition):
        return "not a job definition"
    if jd.props.get("nodeProperties") is not None:
        return "multi-node parallel jobs are not estimated (each node is its own instance)"
    groups: dict[str, list[Demand | None]] = {}
    for container in containers(jd):
        if not isinstance(container.node.raw, dict):
            continue
        asked = requests(container)
        gpus = asked.gpus.value if asked.gpus is not None else 0.0
        figures = [r.value if r is not None else None for r in (asked.vcpus, asked.memory_mib)]
        if any(v is None or not math.isfinite(v) or v < 0 for v in [*figures, gpus]):
            groups.setdefault(container.placement, []).append(None)  # missing or nonsense
            continue
        demand = Demand(figures[0] or 0.0, figures[1] or 0.0, gpus)
        groups.setdefault(container.placement, []).append(demand)
    main = [p for p in groups if not p.startswith("EKS init")]
    if len(main) != 1:
        return "the job's containers are unknown or not in one placement"
    parts = [groups[main[0]]] + [groups[p] for p in groups if p.startswith("EKS init")]
    if any(d is None for part in parts for d in part):
        return "the job's vCPU or memory request is unknown"
    totals = [_total([d for d in part if d is not None]) for part in parts]
    # init containers run one at a time before the pod's containers: the larger need wins
    return Demand(
        max(t.vcpus for t in totals),
        max(t.memory_mib for t in totals),
        max(t.gpus for t in totals),
    )


def _total(demands: list[Demand]) -> Demand:
    return Demand(
        sum(d.vcpus for d in demands),
        sum(d.memory_mib for d in demands),
        sum(d.gpus for d in demands),
    )


def copies_on(demand: Demand, instance_type: str) -> tuple[int, int] | None:
    """(copies of ``demand`` that fit on one ``instance_type``, memory ECS registers there);
    None when the type is unknown, not even one copy fits, or the demand is empty."""
    facts = instances.facts(instance_type)
    if facts is None:
        return None
    memory = instances.ecs_registrable_memory_mib(facts)
    limits = [
        math.floor(has / asked + _EPSILON)
        for asked, has in (
            (demand.vcpus, facts.vcpus),
            (demand.memory_mib, memory),
            (demand.gpus, facts.gpus),
        )
        if asked > 0
    ]
    if not limits or min(limits) < 1:
        return None
    return min(limits), memory


def best_fit(
    vcpus: float,
    memory_mib: float,
    gpus: float,
    types: list[str],
    region: str,
    prices: PriceSource,
) -> Fit | None:
    """The cheapest per-job-hour placement among concrete ``types`` (registrable memory from
    instances.ecs_registrable_memory_mib); None when nothing fits or prices are unknown.

    Ties go to the smaller instance (fewer vCPUs), then the name: ``c6i.large`` and
    ``c6i.xlarge`` cost the same per job when the job fits 2 and 4 times.
    """
    demand = Demand(vcpus, memory_mib, gpus)
    best: tuple[tuple[float, int, str], Fit] | None = None
    for name in types:
        placed = copies_on(demand, name)
        hourly = prices.ec2_hourly(region, name)
        facts = instances.facts(name)
        if placed is None or hourly is None or facts is None:
            continue
        copies, memory = placed
        fit = Fit(
            instance_type=name,
            copies=copies,
            instance_hourly=hourly,
            per_job_hour=hourly / copies,
            idle_vcpu_fraction=max(0.0, 1 - copies * vcpus / facts.vcpus),
            idle_memory_fraction=max(0.0, 1 - copies * memory_mib / memory) if memory else 0.0,
        )
        key = (round(fit.per_job_hour, 9), facts.vcpus, name)
        if best is None or key < best[0]:
            best = (key, fit)
    return best[1] if best is not None else None
