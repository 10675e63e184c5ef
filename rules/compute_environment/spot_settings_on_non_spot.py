"""An On-Demand compute environment carries settings that only Spot uses.

## What it does
Flags a compute environment whose `computeResources.type` is `EC2` (On-Demand) and that sets
a Spot-only allocation strategy (`SPOT_CAPACITY_OPTIMIZED`, `SPOT_PRICE_CAPACITY_OPTIMIZED`,
`SPOT_CAPACITY_OPTIMIZED_PRIORITIZED`), a `bidPercentage` or a `spotIamFleetRole`, one finding
per setting. The message names the setting and what AWS does with it:

| Setting on `EC2` | What AWS does |
| --- | --- |
| Spot-only `allocationStrategy` | rejects it: the deploy fails |
| `bidPercentage` | accepts and ignores it: the instances are On-Demand, at full price |
| `spotIamFleetRole` | accepts and ignores it |

## Why is this bad?
Each of these settings means something only for EC2 Spot capacity. A Spot strategy makes
`CreateComputeEnvironment` fail ("Invalid compute resource allocation strategy
SPOT_CAPACITY_OPTIMIZED for type EC2"). A bid percentage or Spot Fleet role is silently
ignored: the environment launches On-Demand instances at full price, which is rarely what the
author of a bid percentage meant. Usually the environment was copied from a Spot one, or its
type was changed without its Spot settings.

The rule is a warning, not an error, because two of its cases deploy: an ignored bid
percentage or Spot Fleet role leaves a working environment, usually one that runs On-Demand
where its author meant Spot. Where AWS rejects the setting, the message says so.

## Example
```yaml
Resources:
  OnDemandEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  OnDemandEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Known limitations
A setting that is present only in some outcomes (an `Fn::If` with an `AWS::NoValue` branch,
the usual way a template that offers both Spot and On-Demand writes it) is not flagged, nor a
compute type that is unknown. A `bidPercentage` of 0 is not flagged: Terraform writes 0 for
"not set" and leaves it out of the request. On `FARGATE` and `FARGATE_SPOT` environments, which
reject these settings along with every other EC2 one, `fargate-compute-environment-ec2-fields`
reports them.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import SPOT_ONLY_STRATEGIES, compute_type, written

_SUBJECT = "On-Demand compute environment"
_SPOT_MEANT = "or set computeResources.type to SPOT if Spot capacity was meant"


@rule(
    code="BL-CE-012",
    name="spot-settings-on-non-spot",
    severity=Severity.WARNING,
    tags=("reliability", "cost"),
    fix="Remove the Spot settings, or make the environment SPOT",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    # Fargate rejects these with every other EC2 setting: fargate-compute-environment-ec2-fields
    if compute_type(ce) != "EC2":
        return
    strategy = ce.props.get("computeResources", "allocationStrategy")
    name = strategy.text() if strategy is not None else None
    if strategy is not None and name in SPOT_ONLY_STRATEGIES:
        yield Hit(
            ce,
            f"{_SUBJECT} sets allocationStrategy {name}, which exists only for Spot, so AWS "
            f"Batch rejects the environment: use BEST_FIT_PROGRESSIVE, {_SPOT_MEANT}.",
            strategy,
        )
    bid = ce.props.get("computeResources", "bidPercentage")
    shown = _bid(bid)
    if bid is not None and shown is not None:
        yield Hit(
            ce,
            f"{_SUBJECT} sets bidPercentage {shown}, which Batch ignores, launching On-Demand "
            f"instances at full price: remove it, {_SPOT_MEANT}.",
            bid,
        )
    role = ce.props.get("computeResources", "spotIamFleetRole")
    if _role_written(role):
        yield Hit(
            ce,
            f"{_SUBJECT} sets spotIamFleetRole, which Batch ignores on On-Demand capacity: "
            f"remove it, {_SPOT_MEANT}.",
            role,
        )


def _bid(node: Node | None) -> str | None:
    """The bid percentage as shown in a message; ``None`` when absent, unknown, or 0 (which
    Terraform writes for "not set")."""
    text = node.text() if node is not None else None
    if text is None or not text.strip():
        return None
    number = node.number() if node is not None else None
    if number == 0:
        return None
    return f"{number:g}" if number is not None else f'"{text}"'


def _role_written(node: Node | None) -> bool:
    """A role present in every outcome: a non-blank value, or an unknown one (a parameter
    without default, a reference to a role)."""
    if node is None or not written(node):
        return False
    text = node.text()
    if text is None:
        return node.unknown  # a known non-string is no role
    return bool(text.strip())
