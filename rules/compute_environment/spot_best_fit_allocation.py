"""A Spot compute environment uses the BEST_FIT allocation strategy, written or by default.

## What it does
Flags a managed `SPOT` compute environment whose `allocationStrategy` is `BEST_FIT`, either
written or left out (`BEST_FIT` is the default).

## Why is this bad?
`BEST_FIT` asks for the single cheapest instance type that fits the queue. When Spot has no
capacity for that type, Batch waits instead of trying other types or pools: jobs stall in
`RUNNABLE`, and every interruption returns to the same scarce pool. Batch also needs a Spot
Fleet role for it.

## Example
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
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

## References
- https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment, Origin
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import is_spot


@rule(
    code="BL-CE-001",
    name="spot-best-fit-allocation",
    severity=Severity.WARNING,
    tags=("reliability", "cost"),
    fix="Set allocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not is_spot(ce):
        return
    strategy = ce.field("computeResources", "allocationStrategy")
    if strategy is None or strategy.text() != "BEST_FIT":
        return
    how = "by default" if strategy.origin is Origin.DEFAULT else "as written"
    yield Hit(
        ce,
        f"Spot compute environment uses the BEST_FIT allocation strategy ({how}), which waits "
        "for one scarce instance pool: set allocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED.",
        strategy,
    )
