"""A job asks for GPUs but its compute environments boot GPU instances from a non-GPU image.

## What it does
Flags a job definition whose containers ask for GPUs (`resourceRequirements` of type `GPU`
in any container, or an EKS container's `nvidia.com/gpu` limit) when the `EC2` and `SPOT`
compute environments in the same template or plan that could run it (the EKS ones for an
EKS job, the ECS ones otherwise) all choose a non-GPU image type in
`computeResources.ec2Configuration` (`ECS_AL2023`, `ECS_AL2`, `EKS_AL2023`, …, with no
`_NVIDIA` entry), and at least one of them allows GPU instance types. Environments whose
instance types have no GPU do not count: a job asking for GPUs cannot land there anyway
(`request-fits-no-instance` reports that).

An environment without `ec2Configuration` is no finding: AWS Batch then picks the AMI by
instance type, the GPU-optimized one (`ECS_AL2023_NVIDIA`, `EKS_AL2023_NVIDIA`) for GPU
instance types.

## Why is this bad?
`imageType` selects the Amazon ECS- or EKS-optimized AMI the instances boot. The non-GPU
AMIs have no NVIDIA driver and their container agent registers no GPUs, so a GPU instance
launched from one offers the job nothing to claim: the job stays in `RUNNABLE` (or, with a
driver-less host, its CUDA code finds no device). AWS's migration guide has GPU compute
environments use `ECS_AL2023_NVIDIA`, next to `ECS_AL2023` for the others.

## Example
```yaml
Resources:
  GpuEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 64
        InstanceTypes: [g5.xlarge, g5.2xlarge]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        Ec2Configuration:
          - ImageType: ECS_AL2023
  Training:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:latest
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "15000"}
          - {Type: GPU, Value: "1"}
```

## Use instead
```yaml
Resources:
  GpuEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 64
        InstanceTypes: [g5.xlarge, g5.2xlarge]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        Ec2Configuration:
          - ImageType: ECS_AL2023_NVIDIA
  Training:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:latest
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "15000"}
          - {Type: GPU, Value: "1"}
```

## Known limitations
- Job definitions are not tied to queues: every matching compute environment in the file
  counts, whether or not a queue connects it to the job. The rule is silent when one of them
  may boot a custom AMI (an `imageIdOverride`, `imageId`, or a launch template whose
  `ImageId` is set or not in the file), which could have the drivers; when its image type,
  instance types or type is unknown; and when an unmanaged environment is in scope.
- AWS documents which image type is meant for GPU instance families ("Used for GPU instance
  families"), and that Batch uses the GPU-optimized AMI for GPU instance types when it picks
  the AMI itself, but not what it does when an environment's only `ec2Configuration` entries
  are non-GPU ones: hence a warning, not an error.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_Ec2Configuration.html
- https://docs.aws.amazon.com/batch/latest/userguide/ami-selection-order.html
- https://docs.aws.amazon.com/batch/latest/userguide/ecs-migration-2023.html
- https://docs.aws.amazon.com/batch/latest/userguide/batch-gpu-ami.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint import instances
from batchlint.capacity import candidate_environments, ec2_capacity, job_platform
from batchlint.containers import containers
from batchlint.images import is_eks, non_gpu_image_types
from batchlint.model import JobDefinition, Node, Resource
from batchlint.requests import requests
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-017",
    name="gpu-request-without-gpu-image",
    severity=Severity.WARNING,
    tags=("reliability",),
    fix="Add the GPU image type (ECS_AL2023_NVIDIA) to the compute environment's ec2Configuration",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    asked = _gpu_request(jd)
    platform = job_platform(jd)
    if asked is None or platform is None or platform.fargate:
        return
    ces = candidate_environments(jd)
    if not ces:
        return
    found: list[tuple[Resource, list[str]]] = []
    for ce in ces:
        gpu_types = _allows_gpu_types(ce)
        if gpu_types is False:
            continue  # the job cannot land here whatever the image
        image_types = non_gpu_image_types(ce)
        if image_types is None:
            return  # a GPU image, the default by instance type, a custom AMI, or unknown
        if gpu_types:
            found.append((ce, image_types))
    if not found:
        return
    where = ctx.scope.noun
    named = ", ".join(f"{ce.address}: {' and '.join(types)}" for ce, types in found)
    gpu_image = "EKS_AL2023_NVIDIA" if platform.eks else "ECS_AL2023_NVIDIA"
    subject = (
        "the only compute environment in this {w} with GPU instance types boots them from"
        if len(found) == 1
        else "every compute environment in this {w} with GPU instance types boots them from"
    ).format(w=where)
    yield Hit(
        jd,
        f"Job definition asks for {_gpus(asked)} but {subject} a non-GPU image type ({named}), "
        f"whose AMI has no GPU driver: add an ec2Configuration entry with imageType "
        f"{gpu_image}, or leave ec2Configuration out so AWS Batch picks the GPU AMI.",
        asked,
    )


def _gpu_request(jd: JobDefinition) -> Node | None:
    """Where the job's first GPU request is written; ``None`` when it asks for none."""
    for container in containers(jd):
        gpus = requests(container).gpus
        if gpus is not None and gpus.value > 0:
            return gpus.node
    return None


def _allows_gpu_types(ce: Resource) -> bool | None:
    """Whether the environment's instance types include one with a GPU; ``None`` when they
    are unknown."""
    allowed = ec2_capacity([ce], is_eks(ce))
    if isinstance(allowed, str):
        return None
    found = [instances.facts(name) for name in allowed.types]
    if any(facts is None for facts in found):
        return None
    return any(facts is not None and facts.gpus > 0 for facts in found)


def _gpus(node: Node) -> str:
    value = node.number()
    if value is None:
        text = node.text() or ""
        return f"GPUs ({text})" if text else "GPUs"
    shown = f"{value:,.0f}" if value.is_integer() else f"{value:g}"
    return f"{shown} GPU" + ("" if value == 1 else "s")
