"""A job's vCPU:memory ratio leaves most of its best-fitting instance idle.

## What it does
Places each EC2 job definition with the cost model (`batchlint.cost`): from the instance types
that the EC2 and Spot compute environments in the same template or plan allow, it takes the
one that runs the job cheapest per job-hour, with as many copies of the job side by side as
fit on it, and flags the job when more than half of that instance's vCPUs, or of the memory
ECS can register on it, stays idle while those copies run. The message names the best fit,
what it leaves idle, the share of the job-hour price that pays for it, and the common
families (not allowed yet) whose memory per vCPU is nearest the job's: `c*` about 2 GiB per
vCPU, `m*` 4, `r*` 8, `x2idn` 16 and `x2iedn` 32.

What one copy needs is the job's whole placement: the container of `containerProperties`, all
the containers of an ECS task together, or an EKS pod (its containers together, or its
largest init container). An EKS job definition is placed only on EKS compute environments,
and an ECS one only on the others.

## Why is this bad?
An instance is billed whole. A job that asks for 2 vCPUs and 30,000 MiB where only
compute-optimised `c6i` types are allowed lands on a `c6i.4xlarge` (16 vCPUs, 32 GiB): the
memory decides the size and 14 of the 16 vCPUs are paid for and never used. Instance families come
in fixed ratios — about 2 GiB per vCPU for `c*`, 4 for `m*`, 8 for `r*`, 16 to 32 for the `x*`
families — and a request far from every allowed ratio wastes the difference on every job.

## Example
```yaml
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Environment
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "2"}
          - {Type: MEMORY, Value: "30000"}
```

## Use instead
```yaml
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Environment
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "30000"}
```

## Options
- `max_idle_fraction` (default `0.5`): the largest share of the best fit's vCPUs or memory
  that may stay idle: at least 0 and below 1 (anything else counts as 0.5).

```json
{"max_idle_fraction": 0.5}
```

## Cost impact
The waste is named in dollars per job-hour, at on-demand rates from the price snapshot
bundled with batchlint (or `--live-pricing`), in the scan's Region:

    per job-hour = instance price per hour / copies of the job that fit on it
    waste        = per job-hour x idle fraction

where the idle fraction is the larger of `1 - copies x vCPUs asked / vCPUs of the instance`
and `1 - copies x memory asked / memory ECS can register on it`. In the example, `c6i.4xlarge`
costs $0.68 an hour in us-east-1 and runs one copy, so the job-hour costs $0.68 and 14 of 16
vCPUs (87.5%) idle are about $0.60 of it. It is a share of the price, not the saving of a
particular change: a better-matched family is priced differently per vCPU and per GiB. The
finding carries no monthly figure: how many job-hours a month run is not known here.

## Known limitations
- Other jobs may fill what one job leaves idle: Batch places the jobs of every job definition
  on the same queue's instances, so a memory-heavy and a compute-heavy job can share one
  instance well. The rule looks at one job definition at a time.
- Every EC2 and Spot compute environment in the file counts, whether or not a queue connects
  it to the job. The rule is silent when one of them has unknown or unrecognised instance
  types, when an unmanaged one is in scope, when there is none, when no allowed type has a
  price in the Region, and when nothing fits (that is `request-fits-no-instance`).
- It is silent for Fargate and multi-node parallel jobs, for jobs that ask for GPUs, and when
  the best fit has GPUs or other accelerators (such instances are chosen for their devices,
  which only GPU requests name).
- It is silent when no common family nearer the job's memory per vCPU is left to suggest:
  the best fit is already at the end of the range (2 GiB per vCPU with memory idle, 32 with
  vCPUs idle), or every nearer family is allowed in a size that fits and the cost model
  found it dearer for this job.
- An allowed family counts only in the sizes that hold the job: with `c6i.large` and
  `m6i.2xlarge` allowed, a 4-vCPU job lands on the `m6i` and `c*` is still suggested (a larger
  `c6i` size would do).
- Memory is what ECS can register, an estimate (see `request-fits-no-instance`); Spot prices,
  instance-hour rounding and the time instances take to scale in are not counted.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/memory-management.html
- https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
- https://aws.amazon.com/ec2/instance-types/
- https://aws.amazon.com/ec2/pricing/on-demand/
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from batchlint import instances
from batchlint.capacity import scope_capacity
from batchlint.containers import containers
from batchlint.cost.estimate import Cost, citation, dollars, estimate_job_definition
from batchlint.cost.fit import Demand, Fit, best_fit, copies_on, job_demand
from batchlint.model import JobDefinition, Node
from batchlint.requests import requests
from batchlint.rule import Context, Hit, Severity, rule

_DEFAULT_MAX_IDLE = 0.5
# Memory per vCPU (GiB) of the common instance families, in the words a message uses. Nothing
# current has less than c* nor (outside the u-* high-memory types) more than x2iedn.
_FAMILIES: tuple[tuple[float, str], ...] = (
    (2.0, "c*"),
    (4.0, "m*"),
    (8.0, "r*"),
    (16.0, "x2idn"),
    (32.0, "x2iedn"),
)
_RATIO_SLACK = 1.05  # c5n (2.6 GiB per vCPU) still counts as c-like, r5b as r-like, …
_VCPU, _MEMORY = 0, 1


@rule(
    code="BL-JD-010",
    name="job-request-wastes-instance",
    severity=Severity.NOTE,
    tags=("cost",),
    fix="Match the vCPU:memory request to the allowed families, or allow a family that matches",
    options={"max_idle_fraction": _DEFAULT_MAX_IDLE},
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    platforms = jd.field("platformCapabilities")
    if platforms is not None:
        names = platforms.texts()
        if names is None or any(name.upper() != "EC2" for name in names):
            return  # Fargate, or unknown
    demand = job_demand(jd)
    if isinstance(demand, str) or demand.gpus > 0:
        return  # multi-node, unknown requests; GPU instances are sized by their GPUs
    if demand.vcpus <= 0 or demand.memory_mib <= 0:
        return
    try:
        cost = estimate_job_definition(jd, ctx.region, ctx.prices, ctx.scope)
    except (OSError, ValueError, KeyError):  # a damaged price snapshot: no figures
        return
    fit = _fit(cost, demand, ctx)
    if cost is None or fit is None:
        return
    facts = instances.facts(fit.instance_type)
    if facts is None or facts.gpus or facts.accelerators:
        return  # an accelerator instance is chosen for its devices: c*/m*/r* are no substitute
    if instances.is_single_purpose(fit.instance_type):
        return
    limit = _max_idle(ctx)
    idle = {_VCPU: fit.idle_vcpu_fraction, _MEMORY: fit.idle_memory_fraction}
    for slot in sorted(idle, key=lambda s: -idle[s]):
        if idle[slot] <= limit:
            return
        families = _better_families(slot, demand, facts, _allowed_ratios(jd, demand, ctx))
        if not families:
            continue  # no family nearer the job's ratio that is not already allowed
        where = ctx.scope.noun
        yield Hit(
            jd,
            _message(slot, demand, fit, facts, families, where, idle[slot], cost),
            _anchor(jd, _MEMORY if slot == _VCPU else _VCPU),
        )
        return


def _fit(cost: Cost | None, demand: Demand, ctx: Context) -> Fit | None:
    """The cost model's best fit for the job, unrounded (its details round the figures)."""
    chosen = cost.details.get("fit") if cost is not None else None
    name = chosen.get("instance_type") if isinstance(chosen, dict) else None
    if not isinstance(name, str):
        return None  # Fargate, unknown types or requests, no price, nothing fits
    return best_fit(demand.vcpus, demand.memory_mib, 0.0, [name], ctx.region, ctx.prices)


def _max_idle(ctx: Context) -> float:
    value = ctx.options.get("max_idle_fraction", _DEFAULT_MAX_IDLE)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        return _DEFAULT_MAX_IDLE
    return float(value)


def _allowed_ratios(jd: JobDefinition, demand: Demand, ctx: Context) -> list[float]:
    """GiB per vCPU of every instance type the cost model could place the job on: allowed by
    the compute environments in scope, priced in the Region, and large enough for one copy."""
    eks = jd.props.get("eksProperties") is not None
    allowed = scope_capacity(ctx.scope, eks)
    out: list[float] = []
    for name in allowed.types if not isinstance(allowed, str) else []:
        facts = instances.facts(name)
        if facts is None or facts.vcpus <= 0 or copies_on(demand, name) is None:
            continue
        if ctx.prices.ec2_hourly(ctx.region, name) is not None:
            out.append(facts.memory_mib / 1024 / facts.vcpus)
    return out


def _better_families(
    slot: int, demand: Demand, facts: instances.InstanceFacts, allowed: list[float]
) -> list[tuple[float, str]]:
    """The common families nearest the job's memory per vCPU (the one just below it and the
    one just above) among those nearer to it than the best fit is — more memory per vCPU when
    vCPUs idle, less when memory does — and not allowed already (an allowed one lost on
    price). Empty when there is none."""
    job = demand.memory_mib / 1024 / demand.vcpus
    has = facts.memory_mib / 1024 / facts.vcpus
    if slot == _VCPU:
        nearer = [item for item in _FAMILIES if item[0] > has * _RATIO_SLACK]
    else:
        nearer = [item for item in _FAMILIES if item[0] * _RATIO_SLACK < has]
    nearer = [item for item in nearer if not any(_alike(item[0], ratio) for ratio in allowed)]
    below = [item for item in nearer if item[0] <= job]
    above = [item for item in nearer if item[0] >= job]
    picked = ([below[-1]] if below else []) + ([above[0]] if above else [])
    return sorted(set(picked))


def _alike(family: float, ratio: float) -> bool:
    return family / _RATIO_SLACK <= ratio <= family * _RATIO_SLACK


def _message(
    slot: int,
    demand: Demand,
    fit: Fit,
    facts: instances.InstanceFacts,
    families: list[tuple[float, str]],
    where: str,
    idle: float,
    cost: Cost,
) -> str:
    per_vcpu = demand.memory_mib / 1024 / demand.vcpus
    such = " or ".join(f"{name} ({_gib(ratio)} GiB per vCPU)" for ratio, name in families)
    asks = (
        f"The job asks for {_count(demand.vcpus, 'vCPU')} and {demand.memory_mib:,.0f} MiB of "
        f"memory ({_gib(per_vcpu)} GiB per vCPU)"
    )
    copies = f"{fit.copies} cop{'y' if fit.copies == 1 else 'ies'} of it"
    if slot == _VCPU:
        spare = facts.vcpus - fit.copies * demand.vcpus
        left = f"{_number(spare)} of {_count(facts.vcpus, 'vCPU')} idle"
        usable = math.floor(facts.vcpus / fit.copies + 1e-9)
        advice = (
            f"allow a family with more memory per vCPU such as {such}, or let the job use up "
            f"to {_count(usable, 'vCPU')}"
        )
    else:
        registrable = instances.ecs_registrable_memory_mib(facts)
        spare = registrable - fit.copies * demand.memory_mib
        left = f"about {spare:,.0f} of the {registrable:,} MiB ECS can register idle"
        advice = f"allow a family with less memory per vCPU such as {such}"
    return (
        f"{asks}: the best fit the compute environments in this {where} allow, "
        f"{fit.instance_type}, runs {copies} and leaves {left}, about "
        f"{dollars(fit.per_job_hour * idle)} of its {dollars(fit.per_job_hour)} per job-hour "
        f"(estimate from {citation(cost)}): {advice}."
    )


def _anchor(jd: JobDefinition, slot: int) -> Node | None:
    """The largest request of the figure that sizes the instance (memory when vCPUs idle,
    vCPUs when memory idles)."""
    best = None
    for container in containers(jd):
        asked = requests(container)
        request = asked.vcpus if slot == _VCPU else asked.memory_mib
        if request is not None and (best is None or request.value > best.value):
            best = request
    return best.node if best is not None else None


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _count(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}" + ("" if value == 1 else "s")


def _gib(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
