"""A compute environment allows A1 instances with an Amazon Linux 2023 image, which they cannot run.

## What it does
Flags a managed `EC2` or `SPOT` compute environment (on ECS) whose `instanceTypes` include the
`a1` family (`a1` or `a1.large` …) while its instances get an Amazon Linux 2023 image: its
`ec2Configuration` entries are all `ECS_AL2023` / `ECS_AL2023_NVIDIA`, or it has none, in
which case AWS Batch uses `ECS_AL2023`, the default since 2026-01-12.

## Why is this bad?
Amazon Linux 2023 does not support A1 instances, as the AWS Batch API reference says of
`ECS_AL2023`: it is built for ARMv8.2 processors (Graviton2 and later), and the first-generation
Graviton of A1 is older. The A1 types the environment allows cannot run its image, so when they
are the only types that fit, jobs stay in `RUNNABLE`. Going back to Amazon
Linux 2 is no way out: its support ended on 2026-06-30, and Batch no longer creates
environments with its AL2 AMIs. Move to a current Graviton family (`m7g`, `c7g`, `m6g`, `c6g`,
or `default_arm64`), which is also cheaper per vCPU.

## Example
```yaml
Resources:
  ArmEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [a1.xlarge, a1.2xlarge]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  ArmEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [m7g, c7g]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        Ec2Configuration:
          - ImageType: ECS_AL2023
```

## Known limitations
An environment without `ec2Configuration` that boots a custom AMI (`imageId`, or an `ImageId`
in a launch template that is not in the scanned file) is not flagged, since its operating
system is unknown. EKS environments are not checked.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_Ec2Configuration.html
- https://docs.aws.amazon.com/batch/latest/userguide/ecs-migration-2023.html
- https://docs.aws.amazon.com/linux/al2023/ug/system-requirements.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.images import (
    DEFAULT_SINCE,
    image_type_entries,
    non_gpu_al2023_image_type,
    on_ec2,
)
from batchlint.instances import family
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-021",
    name="al2023-with-a1-instances",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Replace the a1 instance types with a current Graviton family (m7g, c7g)",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if not on_ec2(ce):
        return
    listed = ce.props.get("computeResources", "instanceTypes")
    a1 = [n for n in (listed.items() if listed is not None else []) if _is_a1(n.text())]
    if not a1:
        return
    image_type = non_gpu_al2023_image_type(ce)
    if image_type is None:
        return
    how = (
        f"the image type {image_type}"
        if image_type_entries(ce)
        else f"the default image type {image_type} (no ec2Configuration; the default since "
        f"{DEFAULT_SINCE})"
    )
    names = ", ".join(dict.fromkeys(n.text() or "" for n in a1))
    yield Hit(
        ce,
        f"Compute environment allows A1 instances ({names}) but gives its instances {how}, and "
        "Amazon Linux 2023 does not run on A1: replace them with a current Graviton family such "
        "as m7g or c7g.",
        a1[0],
    )


def _is_a1(name: str | None) -> bool:
    return name is not None and family(name.strip().lower()) == "a1"
