"""A managed EC2 or Spot compute environment keeps instances running when no job needs them.

## What it does
Flags a managed `EC2` or `SPOT` compute environment whose `minvCpus` is above 0, and estimates
what that always-on capacity costs a month: `minvCpus` x 730 hours x the on-demand price per
vCPU-hour of the cheapest instance type the environment allows, in the scan's Region (for Spot,
also with the Spot Instance Advisor's average savings for that type). The figure comes from the
AWS public price snapshot bundled with batchlint, and the message says which one.

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
transfer are not included. For Spot, the estimate applies the type's average savings from the
Spot Instance Advisor; real Spot prices vary. When the instance types are unknown (a parameter
without default), not in the price snapshot, or the Region has no prices, the finding gives the
vCPU count without a dollar figure.

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

from collections.abc import Iterator

from batchlint import instances, prices
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule

HOURS_PER_MONTH = 730
_EC2_TYPES = {"EC2", "SPOT"}


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
    if kind not in _EC2_TYPES:
        return
    minimum = ce.field("computeResources", "minvCpus")
    vcpus = minimum.number() if minimum is not None else None
    if vcpus is None or vcpus <= 0:
        return
    shown = f"{vcpus:,g}"
    unit = "vCPU" if vcpus == 1 else "vCPUs"
    subject = "Spot compute environment" if kind == "SPOT" else "Compute environment"
    estimate = _estimate(ce, ctx.region, vcpus, spot=kind == "SPOT")
    cost = f": {estimate}" if estimate is not None else ", billed even when no job runs"
    yield Hit(
        ce,
        f"{subject} keeps {shown} {unit} running at all times (minvCpus {shown}){cost}; set "
        "minvCpus to 0 unless a warm pool is needed.",
        minimum,
    )


def _estimate(ce: ComputeEnvironment, region: str, vcpus: float, spot: bool) -> str | None:
    """The monthly cost of ``vcpus`` always-on vCPUs of the cheapest allowed type, or None
    when the types or prices are not known."""
    types = ce.field("computeResources", "instanceTypes")
    entries = types.texts() if types is not None else None
    if not entries:
        return None
    try:
        concrete = instances.expand(entries, region)
        if not concrete:
            return None
        cheapest = prices.cheapest_per_vcpu_hour(region, concrete)
        if cheapest is None:
            return None
        rate = cheapest[1]
        name = _smallest_at_rate(region, concrete, rate) or cheapest[0]
        dated = prices.as_of(region)
        advice = prices.spot(region, name) if spot else None
        spot_date = prices.load().spot_as_of if advice is not None else None
    except (OSError, ValueError, KeyError):  # a damaged price snapshot: no dollar figure
        return None
    monthly = rate * vcpus * HOURS_PER_MONTH
    text = f"about {_dollars(monthly)}/month at {name} on-demand rates"
    source = f"{prices.SOURCE_NAME}, EC2 on-demand as of {dated or 'n/a'}"
    if advice is not None:
        savings = advice[0]
        text += (
            f", about {_dollars(monthly * (1 - savings / 100))}/month at its {savings}% average "
            "Spot savings"
        )
        source += f", Spot advisor as of {spot_date}"
    return f"{text} (estimate from {source}, {region})"


def _smallest_at_rate(region: str, types: list[str], rate: float) -> str | None:
    """Among the types priced at ``rate`` per vCPU-hour, the one with the fewest vCPUs: the
    price snapshot breaks ties by name, which would name a 12xlarge for a 2-vCPU warm pool."""
    best: tuple[int, str] | None = None
    for name in types:
        hourly = prices.ec2_hourly(region, name)
        facts = instances.facts(name)
        if hourly is None or facts is None or facts.vcpus <= 0:
            continue
        candidate = (facts.vcpus, name)
        if abs(hourly / facts.vcpus - rate) <= 1e-9 and (best is None or candidate < best):
            best = candidate
    return best[1] if best is not None else None


def _dollars(amount: float) -> str:
    """Three significant figures, whole dollars from $10: $4.27, $62, $993, $1,150, $12,300."""
    if amount < 10:
        return f"${amount:,.2f}"
    rounded = float(f"{amount:.3g}")
    return f"${rounded:,.0f}"
