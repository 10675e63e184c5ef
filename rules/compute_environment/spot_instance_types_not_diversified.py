"""A Spot compute environment allows too few instance families to ride out Spot shortages.

## What it does
Flags a managed `SPOT` compute environment whose `instanceTypes` allow fewer than 3 instance
families (the family is the part before the dot: `c6i.2xlarge` and `c6i` are both `c6i`).
`optimal`, `default_x86_64` and `default_arm64` count as diversified. Lists that hold an FPGA,
Inferentia, Trainium, Gaudi or video-transcoding family (`f1`, `inf2`, `trn1`, `dl1`, `vt1`,
…) are not checked: jobs built for one of those accelerators have no other family to use.

## Why is this bad?
Each instance type in each Availability Zone is a separate Spot capacity pool. With one or two
families, Batch has few pools to choose from: when they run dry, jobs wait in `RUNNABLE`, and
interruptions hit all running instances at once. Allowing several families (of similar size
and architecture) lets the allocation strategy move to pools with spare capacity.

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
        MaxvCpus: 256
        InstanceTypes: [c6i.2xlarge, c6i.4xlarge]
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
        InstanceTypes: [c6i, c7i, m6i, c6a]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Options
- `min_families` (default `3`): the fewest instance families a Spot compute environment may
  allow.

## Known limitations
Instance types set in a launch template are not read. A list that is unknown (a parameter
without default) or that holds an unknown entry is not checked. Families are counted by name,
so `c6i` and `c6id` count as two even though they share much of their capacity.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/bestpractices.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint import instances
from batchlint.model import ComputeEnvironment, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import is_spot

# entries that let Batch pick from many families
_DIVERSE = {"optimal", "default_x86_64", "default_arm64"}


@rule(
    code="BL-CE-002",
    name="spot-instance-types-not-diversified",
    severity=Severity.WARNING,
    tags=("reliability", "cost"),
    fix="Allow at least 3 instance families",
    options={"min_families": 3},
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not is_spot(ce):
        return
    types = ce.field("computeResources", "instanceTypes")
    if types is None:
        return
    minimum = _minimum(ctx)
    # an Fn::If is flagged only when every branch is under-diversified
    widest: list[str] = []
    for outcome in types.outcomes() or [None]:
        families = _families(outcome)
        if families is None or len(families) >= minimum:
            return
        if len(families) > len(widest):
            widest = families
    count = len(widest)
    yield Hit(
        ce,
        f"Spot compute environment allows only {count} instance "
        f"famil{'y' if count == 1 else 'ies'} ({', '.join(widest)}), so a shortage in "
        f"those Spot pools stalls its jobs: allow at least {minimum} families of similar size "
        "(or optimal).",
        types,
    )


def _families(types: Node | None) -> list[str] | None:
    """The distinct families a known list allows; ``None`` when unknown, absent, empty or
    diversified by Batch itself."""
    entries = types.texts() if types is not None else None
    if not entries:
        return None
    families: list[str] = []
    for entry in entries:
        name = entry.strip().lower()
        if name in _DIVERSE:
            return None
        family = name.split(".", 1)[0]
        if not family or instances.is_single_purpose(family):
            return None
        if family not in families:
            families.append(family)
    return families


def _minimum(ctx: Context) -> int:
    value = ctx.options.get("min_families", 3)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 3
    return max(int(value), 1)
