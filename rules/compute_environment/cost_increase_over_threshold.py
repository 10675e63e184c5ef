"""A change raises the total monthly cost ceiling or floor by more than the allowed amount.

## What it does
Used as a pull-request gate with `batchlint cost --compare BASE PATH`: compares the cost
estimates of two versions of the same stack and flags the change when the total monthly
*ceiling* (every compute environment at `maxvCpus`) or *floor* (`minvCpus` always on) rises by
more than `max_increase_usd` dollars or `max_increase_percent` percent of the base's total.
It uses the high end of each total (the dearest allowed instance types), and points at the
compute environment whose figure rose the most. A plain `batchlint scan` has no base to
compare with, so there the rule is silent; so it is when no limit is set.

## Why is this bad?
`maxvCpus` and `minvCpus` are one-line edits that can add thousands of dollars a month, and a
reviewer rarely works that out. A limit on the change makes the cost of a pull request a
decision someone takes on purpose, not a surprise on the next bill.

## Base
The examples below are each compared with this version of the stack:

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
        MaxvCpus: 64
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

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
        MinvCpus: 0
        MaxvCpus: 512
        InstanceTypes: [c6i]
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
        MaxvCpus: 80
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Options
`max_increase_usd` (default: none): the most the total monthly ceiling or floor may rise, in
USD. `max_increase_percent` (default: none): the most either may rise, in percent of the
base's total (any rise from $0 is over it). Either one over its limit fires; with neither the
rule is silent. `batchlint cost --compare` sets them with `--max-increase-usd` and
`--max-increase-percent` and exits 1 when the rule fires. The examples above are checked with:

```json
{"max_increase_usd": 1000}
```

## Cost impact
In us-east-1, raising `maxvCpus` of a `c6i` compute environment from 64 to 512 raises its
monthly ceiling from about $1,990 to $15,900: about $13,900 more, over the $1,000 allowed.
Going to 80 instead adds about $500. The finding carries the rise of the total as its estimated
monthly cost. EBS volumes and data transfer are not included.

## Known limitations
Resources are matched by address (CloudFormation logical id, Terraform address) within files
matched by path, so a renamed resource counts as removed and added. A compute environment
whose ceiling or floor is unknown on either side is left out of the total change (the
comparison says how many were).

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://aws.amazon.com/ec2/pricing/on-demand/
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from batchlint.cost.estimate import dollars
from batchlint.model import Graph, Kind
from batchlint.rule import Context, Hit, Severity, rule

_FIGURES = {"ceiling": "total monthly ceiling", "floor": "total monthly floor"}


@rule(
    code="BL-CE-009",
    name="cost-increase-over-threshold",
    severity=Severity.WARNING,
    tags=("cost",),
    fix="Lower maxvCpus or minvCpus, or raise the limit if the cost is intended",
    options={"max_increase_usd": None, "max_increase_percent": None},
)
def check(graph: Graph, ctx: Context) -> Iterator[Hit]:
    increase = ctx.options.get("increase")  # given only by a comparison (cost --compare)
    max_usd = ctx.options.get("max_increase_usd")
    max_percent = ctx.options.get("max_increase_percent")
    if not isinstance(increase, dict) or (max_usd is None and max_percent is None):
        return
    for gate, what in _FIGURES.items():
        item: dict[str, Any] = increase.get(gate) or {}
        change = float(item.get("change_usd") or 0.0)
        if change <= 0 or item.get("file") != graph.scope.file:
            continue
        resource = graph.scope.by_address.get(str(item.get("resource")))
        if resource is None or resource.kind is not Kind.COMPUTE_ENVIRONMENT:
            continue
        percent = item.get("percent")  # None: a rise from $0
        over = []
        if max_usd is not None and change > float(max_usd):
            over.append(f"{dollars(float(max_usd))} (max_increase_usd)")
        if max_percent is not None and (percent is None or percent > float(max_percent)):
            over.append(f"{float(max_percent):g}% (max_increase_percent)")
        if not over:
            continue
        base, head = float(item["base_usd"]), float(item["head_usd"])
        rise = f"{dollars(base)} to {dollars(head)}, +{percent:,.0f}%" if percent else "from $0"
        new = "new " if item.get("resource_added") else ""
        field = str(item.get("field"))
        yield Hit(
            resource,
            f"This change raises the {what} by about {dollars(change)} "
            f"({rise}), "
            f"more than the {' and '.join(over)} allowed; "
            f"{dollars(float(item['resource_change_usd']))} of it is this {new}compute "
            f"environment's: lower its {field}, or raise the limit if the cost is intended "
            f"(estimate from {item.get('prices')}).",
            resource.field("computeResources", field),
            cost_usd=change,
        )
