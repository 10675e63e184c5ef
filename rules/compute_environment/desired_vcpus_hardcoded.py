"""A compute environment writes desiredvCpus, which AWS Batch manages itself.

## What it does
Flags a compute environment whose `computeResources.desiredvCpus` is written in the template
or the Terraform configuration (a value the provider computes does not count), when it does
harm:

- in Terraform, whatever the value (0 included): Terraform reads the live value back on every
  plan and sets the written one again;
- on an Amazon EKS environment, whatever the value: AWS says not to set it there;
- in CloudFormation, when it differs from `minvCpus` (0 when left out). CloudFormation compares
  templates, not live values, so an unchanged `desiredvCpus` equal to `minvCpus`, which is
  where Batch starts anyway, is only noise for drift detection.

## Why is this bad?
Batch moves `desiredvCpus` between `minvCpus` and `maxvCpus` as jobs arrive and finish, so a
written value is out of date as soon as the environment scales. Terraform then plans a change
back to it on every run while Batch is scaled, and the apply fails ("Manually scaling down
compute environment is not supported") whenever Batch is above the written value: the API
accepts only an increase. In CloudFormation the value drifts, and changing it later fails the
same way. On an EKS environment, Batch cannot change it at all.

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
        DesiredvCpus: 16
        MaxvCpus: 256
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
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Known limitations
A Terraform plan shows `desired_vcpus` even when the configuration leaves it out (the provider
computes it), and batchlint's model does not keep the configuration. So a plan is checked
only where it creates the compute environment, where an unwritten `desired_vcpus` is still
unknown; a plan that updates an existing environment, and a Terraform state, are not checked.
A value present only in some branches of an `Fn::If` (the other one `AWS::NoValue`) is not
flagged, nor, in CloudFormation, one that cannot be compared with `minvCpus` (a parameter
without default). On a Fargate environment, which rejects `desiredvCpus` with every other EC2
setting, `fargate-compute-environment-ec2-fields` reports it.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResourceUpdate.html
- https://docs.aws.amazon.com/batch/latest/userguide/error-desired-vcpus-update.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import FARGATE_TYPES, ComputeEnvironment, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import (
    compute_type,
    reapplied_on_every_deploy,
    written_desired_vcpus,
)

_REMOVE = "remove desiredvCpus and let minvCpus and maxvCpus bound the scaling"


@rule(
    code="BL-CE-015",
    name="desired-vcpus-hardcoded",
    severity=Severity.WARNING,
    tags=("reliability", "operability"),
    fix="Remove desiredvCpus",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    desired = written_desired_vcpus(ce)
    if desired is None:
        return
    value = desired.number()
    shown = f" to {_count(value)}" if value is not None else ""
    if compute_type(ce) in FARGATE_TYPES:
        return  # rejected with every other EC2 setting: fargate-compute-environment-ec2-fields
    if ce.props.get("eksConfiguration") is not None:
        text = f"EKS compute environment sets desiredvCpus{shown}, which Batch cannot change "
        text += f"on an EKS environment once created: {_REMOVE}."
    elif reapplied_on_every_deploy(ce):
        text = f"Compute environment sets desiredvCpus{shown}, which Batch changes as it "
        text += "scales, so Terraform sets it back whenever Batch has scaled and the apply "
        text += f"fails while Batch is above it: {_REMOVE}."
    else:
        low = _number(ce.field("computeResources", "minvCpus"))
        if value is None or low is None or value == low:
            return  # where Batch starts anyway; CloudFormation does not send it again
        text = f"Compute environment sets desiredvCpus{shown} (minvCpus {_count(low)}), a "
        text += "starting size Batch overrides as it scales, so the template drifts and a "
        text += f"later change to it fails while Batch is above the new value: {_REMOVE}."
    yield Hit(ce, text, desired)


def _number(node: Node | None) -> float | None:
    return node.number() if node is not None else None


def _count(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"
