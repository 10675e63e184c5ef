"""A compute environment's vCPU limits contradict each other or are negative.

## What it does
Flags a compute environment whose `computeResources` set a negative `minvCpus`, `maxvCpus` or
`desiredvCpus`, a `minvCpus` above `maxvCpus`, or a `desiredvCpus` outside the range from
`minvCpus` to `maxvCpus`. `minvCpus` is 0 when left out (its documented default). Only known
values are compared: one from a parameter without default, or an `Fn::If` whose branches
differ, is left alone.

## Why is this bad?
AWS Batch scales a managed compute environment between `minvCpus` and `maxvCpus`, starting at
`desiredvCpus`. Limits that contradict each other are rejected when the environment is
created or updated, so the deploy fails (in Terraform, at apply time, after the plan looked
fine).

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
        MinvCpus: 64
        MaxvCpus: 32
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

## Known limitations
In a Terraform plan, `desiredvCpus` is compared only when the plan creates the compute
environment: in a plan that updates one, the value shown may be the one Batch scaled to rather
than one written in the configuration, and the provider sends it only when it changes. A
Terraform state is not checked for `desiredvCpus` either.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/userguide/error-desired-vcpus-update.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import written_desired_vcpus

_SUBJECT = "Compute environment"


@rule(
    code="BL-CE-014",
    name="vcpu-bounds-invalid",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Keep 0 <= minvCpus <= desiredvCpus <= maxvCpus",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    low_node = ce.field("computeResources", "minvCpus")
    high_node = ce.props.get("computeResources", "maxvCpus")
    desired_node = written_desired_vcpus(ce)
    low, high, desired = _count(low_node), _count(high_node), _count(desired_node)

    negative = False
    for name, node, value in (
        ("minvCpus", low_node, low),
        ("maxvCpus", high_node, high),
        ("desiredvCpus", desired_node, desired),
    ):
        if value is not None and value < 0:
            negative = True
            yield Hit(
                ce,
                f"{_SUBJECT} sets {name} to {_shown(value)}, which AWS Batch rejects: vCPU "
                "counts must be 0 or more.",
                node,
            )
    if negative:
        return  # the comparisons below would only repeat the same mistake

    if low is not None and high is not None and low > high:
        yield Hit(
            ce,
            f"{_SUBJECT} sets minvCpus {_shown(low)} above maxvCpus {_shown(high)}, which AWS "
            "Batch rejects: make minvCpus at most maxvCpus.",
            low_node,
        )
        return
    if desired is None:
        return
    if low is not None and desired < low:
        side = f"below minvCpus {_shown(low)}"
    elif high is not None and desired > high:
        side = f"above maxvCpus {_shown(high)}"
    else:
        return
    yield Hit(
        ce,
        f"{_SUBJECT} sets desiredvCpus {_shown(desired)} {side}, which AWS Batch rejects: leave "
        f"desiredvCpus out (Batch manages it) or keep it {_range(low, high)}.",
        desired_node,
    )


def _count(node: Node | None) -> float | None:
    return node.number() if node is not None else None


def _shown(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {_shown(low)} and {_shown(high)}"
    if low is not None:
        return f"at least {_shown(low)}"
    return f"at most {_shown(high)}" if high is not None else "within its limits"
