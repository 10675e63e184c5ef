"""A disabled compute environment keeps its minimum capacity running, and billed.

## What it does
Flags a managed `EC2` or `SPOT` compute environment whose `state` is `DISABLED` and whose
`minvCpus` is above 0, with the monthly cost of that capacity from the cost model
(`batchlint.cost`, as `min-vcpus-always-on` prices it): `minvCpus` x 730 hours x the
on-demand price per vCPU-hour of the cheapest instance type the environment allows, in the
scan's Region (for Spot, also the figure at the Spot Instance Advisor's average savings). The
finding carries the on-demand figure as its estimated monthly cost.

## Why is this bad?
Disabling a compute environment stops Batch from placing jobs on it, but not from keeping
`minvCpus` running: AWS documents that the minimum is kept "even if the compute environment
is DISABLED". The instances stay up and are billed while no job can use them. An environment
is usually disabled to take it out of service; set `minvCpus` to 0 at the same time (or
delete the environment).

## Example
```yaml
Resources:
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      State: DISABLED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 16
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      State: DISABLED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Cost impact
About `minvCpus x 730 h x price per vCPU-hour` each month, for capacity no job can use:
16 vCPUs of `c6i` in us-east-1 ($0.0425 per vCPU-hour on demand) come to about $496 a month.
The figure is a floor (Batch may not pick the cheapest allowed type; EBS is not included).
When the instance types are unknown or not in the price snapshot, the message gives the vCPU
count without a dollar figure.

## Known limitations
`min-vcpus-always-on` also reports the same `minvCpus`; this rule adds that the capacity is
idle by construction. A `state` or `minvCpus` that is unknown (a parameter without default,
an `Fn::If` whose branches differ) is not checked.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateComputeEnvironment.html
- https://aws.amazon.com/ec2/pricing/on-demand/
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from batchlint.cost.estimate import Cost, citation, dollars, estimate_compute_environment
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import SPOT, compute_type

_EC2_TYPES = {"EC2", SPOT}


@rule(
    code="BL-CE-016",
    name="disabled-compute-environment-keeps-capacity",
    severity=Severity.WARNING,
    tags=("cost",),
    fix="Set minvCpus to 0 while the environment is disabled",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    env_type = ce.field("type")
    state = ce.field("state")
    if env_type is None or env_type.text() != "MANAGED":
        return
    if state is None or state.text() != "DISABLED" or compute_type(ce) not in _EC2_TYPES:
        return
    minimum = ce.field("computeResources", "minvCpus")
    vcpus = minimum.number() if minimum is not None else None
    if vcpus is None or vcpus <= 0:
        return
    shown = f"{vcpus:,g}"
    unit, them = ("vCPU", "it") if vcpus == 1 else ("vCPUs", "them")
    try:
        cost = estimate_compute_environment(ce, ctx.region, ctx.prices, ctx.scope)
    except (OSError, ValueError, KeyError):  # a damaged price snapshot: no dollar figure
        cost = None
    estimate = _wording(cost) if cost is not None else None
    figure = f", {estimate[0]}" if estimate is not None else ""
    yield Hit(
        ce,
        f"Compute environment is DISABLED but keeps {shown} {unit} running (minvCpus "
        f"{shown}){figure}, billed while no job can use {them}: set minvCpus to 0 while it is "
        "disabled.",
        minimum,
        cost_usd=estimate[1] if estimate is not None else None,
    )


def _wording(cost: Cost) -> tuple[str, float] | None:
    """The floor in words (with the Spot estimate for Spot) and in dollars, as
    ``min-vcpus-always-on`` gives it; None without a dollar figure."""
    floor, cheapest = cost.floor_monthly, cost.details.get("cheapest_type")
    if floor is None or cheapest is None or not math.isfinite(floor.low):
        return None
    text = f"about {dollars(floor.low)}/month at {cheapest['instance_type']} on-demand rates"
    spot = cost.details.get("spot_monthly", {}).get("floor")
    if spot is not None:
        text += f" or about {dollars(spot.low)}/month at average Spot savings"
    return f"{text} (estimate from {citation(cost)})", floor.low
