"""A compute environment can cost more a month than the budget, when `maxvCpus` is fully used.

## What it does
When a monthly budget is configured (the rule option `monthly_budget_usd`, or the scan's own
budget, which wins), flags a managed compute environment whose monthly *ceiling* is above it:
`maxvCpus` x 730 hours at the cost model's rates (`batchlint.cost`). For `EC2` and `SPOT` the
ceiling is a range, from the cheapest to the dearest allowed instance type per vCPU, on demand;
the rule fires when its high end is over budget. For `FARGATE` and `FARGATE_SPOT` it uses the
memory per vCPU of the Fargate job definitions in the same file (the Fargate maximum, 8 GB per
vCPU, when there is none) and the Fargate or Fargate Spot rates. Without a budget the rule is
silent.

## Why is this bad?
`maxvCpus` is the only hard limit on what a compute environment can spend. A burst of jobs, a
retry storm or a job that fans out can keep it at `maxvCpus` for days; if that costs more than
the team can afford, the limit is set too high for the budget, and the bill is the first
place anyone notices.

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
        MaxvCpus: 1024
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
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Options
`monthly_budget_usd` (default: none, and the rule is silent): the most one compute environment
may cost a month at `maxvCpus`, in USD. A budget given to the scan itself
(`ScanOptions.budget_usd`) overrides it. The examples above are checked with:

```json
{"monthly_budget_usd": 5000}
```

## Cost impact
With the budget above, 1,024 vCPUs of `c6i`/`m6i` in us-east-1 can cost about
$31,800–$35,900 a month (`c6i` at $0.0425, `m6i` at $0.048 per vCPU-hour on demand); 64 vCPUs
stay under $2,300. For Spot, the message adds the estimate at the Spot Instance Advisor's
average savings, but the check uses on-demand rates: Spot can cost up to that. EBS volumes and
data transfer are not included. The finding carries the high end of the ceiling as its
estimated monthly cost.

## Known limitations
A ceiling is only known when `maxvCpus` and the instance types (EC2/Spot) are known and
priced in the Region; otherwise the rule is silent. Instance types in a launch template are
not read. The Region comes from the Terraform provider or `--region` (default us-east-1).

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://aws.amazon.com/ec2/pricing/on-demand/
- https://aws.amazon.com/fargate/pricing/
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from batchlint.cost.estimate import (
    citation,
    dollar_range,
    dollars,
    estimate_compute_environment,
)
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule

_SUBJECT = {
    "EC2": "Compute environment",
    "SPOT": "Spot compute environment",
    "FARGATE": "Fargate compute environment",
    "FARGATE_SPOT": "Fargate Spot compute environment",
}


@rule(
    code="BL-CE-007",
    name="max-cost-over-budget",
    severity=Severity.WARNING,
    tags=("cost",),
    fix="Lower maxvCpus to fit the budget",
    options={"monthly_budget_usd": None},
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    budget = ctx.options.get("monthly_budget_usd")
    if budget is None:
        return
    budget = float(budget)
    try:
        cost = estimate_compute_environment(ce, ctx.region, ctx.prices, ctx.scope)
    except (OSError, ValueError, KeyError):  # a damaged price snapshot: nothing to compare
        return
    if cost is None or cost.ceiling_monthly is None or cost.ceiling_monthly.high <= budget:
        return
    if not math.isfinite(cost.ceiling_monthly.high):  # overflowed (maxvCpus 1e308): unknown
        return
    compute = cost.details.get("compute_type") or ""
    maximum = cost.details.get("max_vcpus") or 0
    spot = cost.details.get("spot_monthly", {}).get("ceiling")
    rates = "on-demand rates" if compute in ("EC2", "SPOT") else "Fargate rates"
    if compute == "FARGATE_SPOT":
        rates = "Fargate Spot rates"
    if spot is not None:
        rates += f" (about {dollar_range(spot)} at average Spot savings)"
    fix = "lower maxvCpus" if compute.startswith("FARGATE") else _fix(cost.details)
    yield Hit(
        ce,
        f"{_SUBJECT.get(compute, 'Compute environment')} can cost about "
        f"{dollar_range(cost.ceiling_monthly)}/month with maxvCpus {maximum:,g} fully used at "
        f"{rates}, over the {dollars(budget)}/month budget (estimate from {citation(cost)}): "
        f"{fix}.",
        ce.field("computeResources", "maxvCpus"),
        cost_usd=cost.ceiling_monthly.high,
    )


def _fix(details: dict[str, object]) -> str:
    cheapest = details.get("cheapest_type")
    dearest = details.get("dearest_type")
    if isinstance(cheapest, dict) and isinstance(dearest, dict) and cheapest != dearest:
        return "lower maxvCpus or drop the dearest instance types"
    return "lower maxvCpus"
