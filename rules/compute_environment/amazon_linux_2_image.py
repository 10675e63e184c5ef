"""A compute environment runs its instances on Amazon Linux 2, which AWS no longer supports.

## What it does
Flags each `computeResources.ec2Configuration` entry of a managed `EC2` or `SPOT` compute
environment whose `imageType` is an Amazon Linux 2 one: `ECS_AL2`, `ECS_AL2_NVIDIA`, `EKS_AL2`
or `EKS_AL2_NVIDIA`. An environment without `ec2Configuration` is not flagged: since
2026-01-12 AWS Batch gives a new environment the Amazon Linux 2023 image type (`ECS_AL2023`,
`EKS_AL2023` on EKS) by default.

## Why is this bad?
AWS ended support for the Amazon ECS-optimized Amazon Linux 2 AMIs on 2026-06-30 (the
EKS-optimized ones on 2025-11-26): they get no more security patches or bug fixes, and from
2026-06-30 AWS Batch refuses to create ECS compute environments with its Amazon Linux 2 AMIs, so
a new deployment of this template fails. Batch never upgrades the AMI of an existing
environment on its own, so its instances keep running an unpatched operating system.

Switch `imageType` to `ECS_AL2023` (`ECS_AL2023_NVIDIA` for GPU instances, `EKS_AL2023` or
`EKS_AL2023_NVIDIA` on EKS) and check user data and launch templates for what changed in
AL2023 (`dnf` instead of `yum`, IMDSv2 required by default, cgroup v2).

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
        Ec2Configuration:
          - ImageType: ECS_AL2
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
        Ec2Configuration:
          - ImageType: ECS_AL2023
```

## Known limitations
An environment created before 2026-01-12 without `ec2Configuration` still runs Amazon Linux 2,
which a template cannot show. A custom AMI (`imageIdOverride`, a launch template's `ImageId`)
is judged by the `imageType` it is declared with, which AWS requires to match it. `ECS_AL1`
(Amazon Linux 1, long out of support) is not flagged.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_Ec2Configuration.html
- https://docs.aws.amazon.com/batch/latest/userguide/ecs-migration-2023.html
- https://docs.aws.amazon.com/batch/latest/userguide/compute_resource_AMIs.html
- https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.images import (
    AL2_ECS_END_OF_SUPPORT,
    AL2_EKS_END_OF_SUPPORT,
    AL2_SUCCESSORS,
    image_type_entries,
    on_ec2,
)
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-020",
    name="amazon-linux-2-image",
    severity=Severity.WARNING,
    tags=("reliability", "security"),
    fix="Set imageType to its Amazon Linux 2023 counterpart (ECS_AL2023)",
    security_severity=5.0,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not on_ec2(ce):
        return
    for node, values in image_type_entries(ce) or []:
        if not values or any(v not in AL2_SUCCESSORS for v in values):
            continue
        shown = " or ".join(dict.fromkeys(values))
        successors = " or ".join(dict.fromkeys(AL2_SUCCESSORS[v] for v in values))
        if all(v.startswith("EKS_") for v in values):
            why = (
                f"whose EKS-optimized AMIs lost AWS support on {AL2_EKS_END_OF_SUPPORT} (no "
                "security patches since)"
            )
        else:
            why = (
                f"whose ECS-optimized AMIs lost AWS support on {AL2_ECS_END_OF_SUPPORT} (no "
                "security patches since, and AWS Batch no longer creates environments with them)"
            )
        yield Hit(
            ce,
            f"Compute environment runs its instances on Amazon Linux 2 (imageType {shown}), "
            f"{why}: set imageType to {successors} and check user data for AL2023.",
            node,
        )
