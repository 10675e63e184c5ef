"""A Fargate compute environment sets compute resource settings that only apply to EC2 instances.

## What it does
Flags each setting of `computeResources` that describes EC2 instances on a `FARGATE` or
`FARGATE_SPOT` compute environment: `allocationStrategy`, `bidPercentage`, `desiredvCpus`,
`ec2Configuration`, `ec2KeyPair`, `imageId`, `instanceRole`, `instanceTypes`, `launchTemplate`,
`minvCpus`, `placementGroup`, `spotIamFleetRole` and `tags`. One finding per setting, on its value.

Only settings the source writes count. An empty value, an `Fn::If` with an `AWS::NoValue` branch,
and in Terraform a `0` or an attribute the provider fills in itself (`desired_vcpus`,
`ec2_configuration`) do not: the AWS provider sends none of them for a Fargate environment.

## Why is this bad?
Fargate runs each job on capacity AWS manages, with no instances to choose, size or log in to.
AWS Batch rejects these settings on a Fargate environment ("minvCpus is not applicable for
Fargate"), so the stack or plan fails to deploy. They are usually left over from an EC2
environment that was switched to Fargate. Tags for a Fargate environment go in the
environment's own `tags`, outside `computeResources`.

## Example
```yaml
Resources:
  FargateEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: FARGATE
        MinvCpus: 0
        MaxvCpus: 64
        InstanceRole: ecsInstanceRole
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
```

## Use instead
```yaml
Resources:
  FargateEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: FARGATE
        MaxvCpus: 64
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
```

## Known limitations
A setting whose presence depends on a condition (`Fn::If` with `AWS::NoValue`) is not flagged,
nor is an environment whose type is itself conditional (one template for both Fargate and
EC2). A Terraform `0` is not flagged even when written, since the provider does not send it.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/fargate-compute-environments.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.images import EC2_ONLY_SETTINGS, compute_types, on_fargate, written
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-017",
    name="fargate-compute-environment-ec2-fields",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Remove the EC2-only settings from the Fargate compute environment",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not on_fargate(ce):
        return
    types = compute_types(ce) or frozenset()
    kind = next(iter(types)) if len(types) == 1 else "Fargate"
    for setting in EC2_ONLY_SETTINGS:
        node = written(ce, "computeResources", setting)
        if node is None:
            continue
        yield Hit(
            ce,
            f"{kind} compute environment sets computeResources.{setting}, which only applies "
            "to EC2 instances and which AWS Batch rejects for Fargate: remove it.",
            node,
        )
