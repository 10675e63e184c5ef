"""A compute environment installs an SSH key pair on its instances.

## What it does
Flags a managed `EC2` or `SPOT` compute environment that sets `computeResources.ec2KeyPair`,
written as a name or as a reference (a `AWS::EC2::KeyPair::KeyName` parameter, a Terraform
`aws_key_pair`). A key pair set only under a condition (`Fn::If` with `AWS::NoValue`) is not
flagged.

## Why is this bad?
A key pair lets whoever holds the private key log in to every instance of the environment over
SSH, where the ECS agent's credentials, the instance role and every running job's containers,
environment and mounted data are within reach. The key is long-lived, shared and rarely
rotated, and it only works with port 22 reachable from somewhere. AWS Systems Manager Session
Manager gives the same shell access without a key or an open port, authorized by IAM and
logged in CloudTrail: attach `AmazonSSMManagedInstanceCore` to the instance role instead.

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
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        Ec2KeyPair: batch-admin
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
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Known limitations
A key pair set in the environment's launch template (`KeyName`) is not read. On a Fargate
environment a key pair is an error, reported by `fargate-compute-environment-ec2-fields`.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.images import on_fargate, written
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-019",
    name="ec2-key-pair-on-hosts",
    severity=Severity.NOTE,
    tags=("security",),
    fix="Remove ec2KeyPair and use Session Manager for shell access",
    security_severity=4.0,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if on_fargate(ce):
        return
    key = written(ce, "computeResources", "ec2KeyPair")
    if key is None:
        return
    name = key.text()
    which = f"key pair {name}" if name else "a key pair"
    yield Hit(
        ce,
        f"Compute environment installs {which} on every instance it launches, so anyone with "
        "the private key can log in to the hosts of all jobs: remove ec2KeyPair and use "
        "Session Manager (AmazonSSMManagedInstanceCore) for shell access.",
        key,
    )
