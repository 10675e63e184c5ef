"""A Spot compute environment with the BEST_FIT strategy has no Spot Fleet role.

## What it does
Flags a `SPOT` compute environment whose `allocationStrategy` is `BEST_FIT` (written, or left
out: it is the default) and that sets no `spotIamFleetRole`. A role that is unknown (a
parameter without default, a reference to a role created elsewhere) or conditional (an
`Fn::If` with an `AWS::NoValue` branch) counts as set.

## Why is this bad?
With `BEST_FIT`, Batch launches Spot capacity through an EC2 Spot Fleet request, which needs
an IAM role that Spot Fleet can assume: the API reference says the role is required when the
strategy is `BEST_FIT` or not specified. Without one, Batch cannot launch instances: the
compute environment goes `INVALID` and the jobs in its queues stay `RUNNABLE`. The other
Spot strategies (`SPOT_PRICE_CAPACITY_OPTIMIZED`, `SPOT_CAPACITY_OPTIMIZED`) do not need the
role.

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

## Known limitations
Whether the role named in `spotIamFleetRole` exists, trusts `spotfleet.amazonaws.com` and
carries the `AmazonEC2SpotFleetTaggingRole` policy is not checked.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
- https://docs.aws.amazon.com/batch/latest/userguide/spot_fleet_IAM_role.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment, Origin
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import is_spot


@rule(
    code="BL-CE-011",
    name="spot-fleet-role-missing",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Set spotIamFleetRole, or use SPOT_PRICE_CAPACITY_OPTIMIZED",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not is_spot(ce):
        return
    strategy = ce.field("computeResources", "allocationStrategy")
    if strategy is None or strategy.text() != "BEST_FIT":
        return
    role = ce.props.get("computeResources", "spotIamFleetRole")
    if role is not None:
        value = role.text()
        # unknown or conditional counts as set; only a blank string is as good as absent
        if role.unknown or value is None or value.strip():
            return
    how = "by default" if strategy.origin is Origin.DEFAULT else "as written"
    yield Hit(
        ce,
        f"Spot compute environment uses the BEST_FIT allocation strategy ({how}) without a "
        "spotIamFleetRole, so Batch cannot request Spot capacity and the environment goes "
        "INVALID: set spotIamFleetRole, or use SPOT_PRICE_CAPACITY_OPTIMIZED, which needs no "
        "Spot Fleet role.",
        role if role is not None else strategy,
    )
