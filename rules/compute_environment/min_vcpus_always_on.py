"""A managed EC2 or Spot compute environment keeps instances running when no job needs them.

## What it does
Flags a managed `EC2` or `SPOT` compute environment whose `minvCpus` is above 0, and estimates
what that always-on capacity costs a month: the cost model's *floor* (`batchlint.cost`),
`minvCpus` x 730 hours x the on-demand price per vCPU-hour of the cheapest instance type the
environment allows, in the scan's Region (for Spot, also the floor at the Spot Instance
Advisor's average savings). The figure comes from the AWS public price snapshot bundled with
batchlint (or the live price source the scan was given), and the message says which one. The
finding carries the on-demand floor as its estimated monthly cost.

## Why is this bad?
AWS Batch never scales a compute environment below `minvCpus`. Those instances run, and are
billed, around the clock, even when the queue is empty for days. Most Batch workloads tolerate
the few minutes it takes to launch instances; a warm pool is rarely worth its cost.

## Example
```yaml
Resources:
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 32
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
About `minvCpus x 730 h x price per vCPU-hour` each month, whether or not any job runs: 32 vCPUs
of `c6i` in us-east-1 ($0.0425 per vCPU-hour on demand) come to about $993 a month. The
estimate is a floor: Batch may not pick the cheapest allowed type, and EBS volumes and data
transfer are not included. For Spot, the Spot figure is the cheapest allowed type after its
average savings from the Spot Instance Advisor (named when it is not the cheapest on-demand
type); real Spot prices vary. When the instance types are unknown (a parameter without
default), not in the price snapshot, or the Region has no prices, the finding gives the vCPU
count without a dollar figure.

## Known limitations
Instance types set in a launch template are not read. The Region comes from the Terraform
provider or `--region` (default us-east-1); a CloudFormation template does not say where it
will be deployed.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/userguide/compute_environment_parameters.html
- https://aws.amazon.com/ec2/pricing/on-demand/
- https://aws.amazon.com/ec2/spot/instance-advisor/
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from batchlint.cost.estimate import Cost, citation, dollars, estimate_compute_environment
from batchlint.model import EC2_TYPES, ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-006",
    name="min-vcpus-always-on",
    severity=Severity.WARNING,
    tags=("cost",),
    fix="Set minvCpus to 0",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    env_type = ce.field("type")
    if env_type is None or env_type.text() != "MANAGED":
        return
    compute_type = ce.field("computeResources", "type")
    kind = compute_type.text() if compute_type is not None else None
    if kind not in EC2_TYPES:
        return
    minimum = ce.field("computeResources", "minvCpus")
    vcpus = minimum.number() if minimum is not None else None
    if vcpus is None or vcpus <= 0:
        return
    shown = f"{vcpus:,g}"
    unit = "vCPU" if vcpus == 1 else "vCPUs"
    subject = "Spot compute environment" if kind == "SPOT" else "Compute environment"
    try:
        cost = estimate_compute_environment(ce, ctx.region, ctx.prices, ctx.scope)
    except (OSError, ValueError, KeyError):  # a damaged price snapshot: no dollar figure
        cost = None
    estimate = _wording(cost) if cost is not None else None
    text = f": {estimate[0]}" if estimate is not None else ", billed even when no job runs"
    yield Hit(
        ce,
        f"{subject} keeps {shown} {unit} running at all times (minvCpus {shown}){text}; set "
        "minvCpus to 0 unless a warm pool is needed.",
        minimum,
        cost_usd=estimate[1] if estimate is not None else None,
    )


def _wording(cost: Cost) -> tuple[str, float] | None:
    """The floor in words (with the Spot estimate for Spot) and in dollars; None without a
    dollar figure."""
    floor, cheapest = cost.floor_monthly, cost.details.get("cheapest_type")
    if floor is None or cheapest is None or not math.isfinite(floor.low):
        return None
    text = f"about {dollars(floor.low)}/month at {cheapest['instance_type']} on-demand rates"
    spot = cost.details.get("spot_monthly", {}).get("floor")
    if spot is not None:
        advisor = cost.details["spot_advisor"]
        name = advisor["floor_type"]
        savings = advisor["types"][name]["savings_percent"]
        whose = "its" if name == cheapest["instance_type"] else f"{name}'s"
        text += f", about {dollars(spot.low)}/month at {whose} {savings}% average Spot savings"
    return f"{text} (estimate from {citation(cost)})", floor.low
