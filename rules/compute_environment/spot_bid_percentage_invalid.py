"""A Spot compute environment's bidPercentage is not a whole percentage from 1 to 100.

## What it does
Flags the `bidPercentage` of a `SPOT` compute environment when it is not a whole number from
1 to 100: a negative or larger number, a fraction, or text that is no number at all
(`"lots"`, `"60%"`). The value is checked wherever it comes from: written, a parameter's
default, or an `Fn::If` whose branches agree.

## Why is this bad?
`bidPercentage` is an integer: the most a Spot Instance may cost, as a percentage of the
On-Demand price of its type (100 when left out). Text that is not an integer fails
CloudFormation's and Terraform's type validation, so the deploy fails. A negative cap can
never be met, and a cap above the On-Demand price is outside what the API documents: at best
it does nothing. AWS recommends leaving the field out for most workloads: you always pay the
Spot market price, and a low cap only makes Batch wait for cheap capacity.

## Example
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        BidPercentage: 150
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
0 is not flagged: Terraform writes 0 for "not set" and leaves it out of the request (its
provider also sends 0 to clear the setting). A value that is unknown (a parameter without
default, a Terraform variable) is not checked. Whether the API itself rejects values above 100
is not documented; the rule holds to the documented meaning, a percentage of the On-Demand
price. On an `EC2` or Fargate environment, `spot-settings-on-non-spot` reports the setting
instead.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/config/latest/developerguide/batch-managed-spot-compute-environment-max-bid.html
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import is_spot


@rule(
    code="BL-CE-013",
    name="spot-bid-percentage-invalid",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Use a whole number from 1 to 100, or leave bidPercentage out",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not is_spot(ce):
        return
    bid = ce.props.get("computeResources", "bidPercentage")
    text = bid.text() if bid is not None else None  # None: absent, unknown, or not a scalar
    if bid is None or text is None:
        return
    problem = _problem(text)
    if problem is None:
        return
    yield Hit(
        ce,
        f"Spot compute environment sets bidPercentage to {problem}: use a whole number from 1 "
        "to 100 (the most a Spot Instance may cost, as a percentage of On-Demand), or leave it "
        "out for 100.",
        bid,
    )


def _problem(text: str) -> str | None:
    """What is wrong with a written bid percentage, for the message; ``None`` when valid."""
    try:
        value = float(text.strip())
    except ValueError:
        return f'"{text}", which is not a number'
    if not math.isfinite(value):
        return f'"{text}", which is not a number'
    shown = f"{value:g}"
    if value != int(value):
        return f"{shown}, which is not a whole number"
    if value < 0:
        return f"{shown}, which is negative"
    if value > 100:
        return f"{shown}, above 100% of the On-Demand price"
    return None
