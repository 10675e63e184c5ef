"""A Spot compute environment picks Spot pools by capacity alone (SPOT_CAPACITY_OPTIMIZED).

## What it does
Flags a `SPOT` compute environment whose `allocationStrategy` is `SPOT_CAPACITY_OPTIMIZED`
(written, from a parameter's default, or in every branch of an `Fn::If`).

## Why is this bad?
`SPOT_CAPACITY_OPTIMIZED` picks the Spot pools least likely to be interrupted and ignores
their price. `SPOT_PRICE_CAPACITY_OPTIMIZED`, added in 2023, weighs both: it still favours
pools with spare capacity, so interruptions stay low, but among them it picks the cheaper
ones. AWS now recommends it for most Spot workloads. Batch can switch between the two
strategies with an infrastructure update, without replacing the compute environment (when it
uses the Batch service-linked role).

## Example
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Cost impact
The saving depends on the price spread between the pools Batch may use: with several
families and sizes allowed, the price-aware strategy can pick noticeably cheaper pools at a
similar interruption rate. batchlint does not estimate it.

## Known limitations
`SPOT_CAPACITY_OPTIMIZED_PRIORITIZED` (capacity first, then the order of `instanceTypes`) is a
deliberate choice and is not flagged.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
- https://aws.amazon.com/about-aws/whats-new/2023/08/aws-batch-price-capacity-optimized-allocation-strategy-spot-instances/
- https://aws.amazon.com/blogs/compute/introducing-price-capacity-optimized-allocation-strategy-for-ec2-spot-instances/
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import is_spot


@rule(
    code="BL-CE-010",
    name="spot-capacity-optimized-allocation",
    severity=Severity.NOTE,
    tags=("cost",),
    fix="Set allocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not is_spot(ce):
        return
    strategy = ce.props.get("computeResources", "allocationStrategy")
    if strategy is None or strategy.text() != "SPOT_CAPACITY_OPTIMIZED":
        return
    yield Hit(
        ce,
        "Spot compute environment uses SPOT_CAPACITY_OPTIMIZED, which picks Spot pools by "
        "spare capacity alone: set allocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED, which "
        "AWS recommends, to also weigh price at a similar interruption rate.",
        strategy,
    )
