"""A compute environment allows previous-generation EC2 instance types.

## What it does
Flags each `instanceTypes` entry of an `EC2` or `SPOT` compute environment whose family is on
AWS's list of previous-generation instances (for example `m4`, `c4`, `r4`, `p3`), is retired,
or is three or more generations behind the newest family of its line and processor vendor (for
example `c5` next to `c8i`, `m6g` next to `m9g`). The message names a current family to use
instead.

## Why is this bad?
Newer generations give more performance per dollar: the same work finishes sooner on fewer
instance-hours, usually at the same or a lower hourly price. Previous-generation families also
get less new capacity, so On-Demand launches are more likely to fail with insufficient
capacity and Spot pools are smaller.

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
        MaxvCpus: 64
        InstanceTypes: [m4.xlarge, c7i]
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
        MaxvCpus: 64
        InstanceTypes: [m8i.xlarge, c7i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Known limitations
Families are rated from a table bundled with batchlint; a family it does not know is not
flagged. A newer family may not be offered in every Region yet. `optimal`,
`default_x86_64` and `default_arm64` are not flagged: AWS Batch chooses their families.
Instance types set in a launch template, and lists that are unknown (a parameter without
default or an `Fn::If`), are not checked.

## References
- https://aws.amazon.com/ec2/previous-generation/
- https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
- https://docs.aws.amazon.com/batch/latest/userguide/bestpractices.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint import generations
from batchlint.model import EC2_TYPES, ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-003",
    name="previous-generation-instance-types",
    severity=Severity.NOTE,
    tags=("cost", "performance"),
    fix="Allow a current-generation instance family instead",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    compute_type = ce.field("computeResources", "type")
    if compute_type is None or compute_type.text() not in EC2_TYPES:
        return
    types = ce.field("computeResources", "instanceTypes")
    for entry in types.items() if types is not None else []:
        value = entry.text()
        if not value:
            continue
        name = value.strip().lower()
        found = generations.status(name)
        if found is None or not found.previous:
            continue
        if "." in name:
            subject = f"Instance type {name} belongs to family {found.family}, which"
        else:
            subject = f"Instance family {found.family}"
        successor = found.successor or "a current-generation family"
        yield Hit(
            ce,
            f"{subject} is {_reason(found.reason)}: allow {successor} instead for more "
            "performance per dollar.",
            entry,
        )


def _reason(reason: str) -> str:
    """A reason fit for the middle of a sentence: "retired: on neither …" reads as
    "retired (on neither …)"."""
    head, sep, tail = reason.partition(": ")
    return f"{head} ({tail})" if sep else reason
