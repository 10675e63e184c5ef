"""gpu-request-without-gpu-image: which image settings count, which environments, the message."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.images import non_gpu_image_types
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "gpu-request-without-gpu-image")
EKS = {"eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/batch"}


def run(scope: Scope, jd: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope))
    ]


def ce(
    scope: Scope,
    address: str,
    types: Any = ("g5.xlarge",),
    image_types: Any = ("ECS_AL2023",),
    kind: str = "EC2",
    **resources: Any,
) -> Resource:
    compute: dict[str, Any] = {
        "type": kind,
        "maxvCpus": 256,
        "instanceTypes": list(types) if isinstance(types, tuple) else types,
        **resources,
    }
    if image_types is not None:
        compute["ec2Configuration"] = [{"imageType": t} for t in image_types]
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": compute}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, address, props)


def gpu_job(scope: Scope, gpus: Any = "1", address: str = "Job", **extra: Any) -> Resource:
    reqs = [{"type": "VCPU", "value": "4"}, {"type": "GPU", "value": gpus}]
    props = {"containerProperties": {"resourceRequirements": reqs}, **extra}
    return add(scope, Kind.JOB_DEFINITION, address, props)


def test_message_and_pointer() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Gpu", image_types=("ECS_AL2023", "ECS_AL2"))
    ce(scope, "Cpu", types=("c6i",), image_types=None)
    ((message, pointer),) = run(scope, gpu_job(scope, "2"))
    assert message == (
        "Job definition asks for 2 GPUs but the only compute environment in this template with "
        "GPU instance types boots them from a non-GPU image type (Gpu: ECS_AL2023 and ECS_AL2), "
        "whose AMI has no GPU driver: add an ec2Configuration entry with imageType "
        "ECS_AL2023_NVIDIA, or leave ec2Configuration out so AWS Batch picks the GPU AMI."
    )
    assert pointer.endswith("/containerProperties/resourceRequirements/1/value")


def test_eks_job_and_environment() -> None:
    scope = Scope("t.tf.json", "terraform-plan")
    ce(scope, "aws_batch_compute_environment.ecs_gpu", image_types=("ECS_AL2023_NVIDIA",))
    add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "aws_batch_compute_environment.eks",
        {
            "type": "MANAGED",
            "eksConfiguration": EKS,
            "computeResources": {
                "type": "SPOT",
                "maxvCpus": 64,
                "instanceTypes": ["g5"],
                "ec2Configuration": [{"imageType": "EKS_AL2023"}],
            },
        },
    )
    pod = {"containers": [{"name": "a", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}
    jd = add(scope, Kind.JOB_DEFINITION, "j", {"eksProperties": {"podProperties": pod}})
    ((message, pointer),) = run(scope, jd)
    assert "(aws_batch_compute_environment.eks: EKS_AL2023)" in message
    assert "imageType EKS_AL2023_NVIDIA" in message and "in this plan" in message
    assert pointer.endswith("/limits/nvidia.com~1gpu")
    # and the ECS job of the same plan goes to the ECS environment, which has the GPU image
    assert run(scope, gpu_job(scope)) == []


@pytest.mark.parametrize(
    "case",
    [
        "no ec2Configuration",
        "GPU image type too",
        "only a GPU image type",
        "AL2 GPU image type",
        "imageIdOverride",
        "imageId",
        "unknown image type",
        "unrecognised image type",
        "external launch template",
        "launch template with an image",
        "GPU environment elsewhere",
        "no GPU instance types anywhere",
        "unknown instance types only",
        "unmanaged environment",
        "no request",
        "zero GPUs",
        "unknown GPUs",
        "Fargate job",
    ],
)
def test_silent(case: str) -> None:
    scope = Scope("t.yaml", "cloudformation")
    jd_extra: dict[str, Any] = {}
    gpus: Any = "1"
    if case == "no ec2Configuration":
        ce(scope, "Gpu", image_types=None)
    elif case == "GPU image type too":
        ce(scope, "Gpu", image_types=("ECS_AL2023", "ECS_AL2023_NVIDIA"))
    elif case == "only a GPU image type":
        ce(scope, "Gpu", image_types=("ECS_AL2023_NVIDIA",))
    elif case == "AL2 GPU image type":
        ce(scope, "Gpu", image_types=("ECS_AL2_NVIDIA",))
    elif case == "imageIdOverride":
        env = ce(scope, "Gpu")
        entry = env.props.get("computeResources", "ec2Configuration", 0)
        assert entry is not None and isinstance(entry.raw, dict)
        entry.raw["imageIdOverride"] = build("ami-0123456789abcdef0")
    elif case == "imageId":
        ce(scope, "Gpu", imageId="ami-0123456789abcdef0")
    elif case == "unknown image type":
        ce(scope, "Gpu", image_types=(Unknown(),))
    elif case == "unrecognised image type":
        ce(scope, "Gpu", image_types=("ECS_AL2099",))
    elif case == "external launch template":
        ce(scope, "Gpu", launchTemplate={"launchTemplateName": "elsewhere"})
    elif case == "launch template with an image":
        _template(scope, {"ImageId": "ami-0123456789abcdef0"})
        ce(scope, "Gpu", launchTemplate={"launchTemplateId": Ref("Template")})
    elif case == "GPU environment elsewhere":
        ce(scope, "Gpu")
        ce(scope, "GpuToo", types=("p4d.24xlarge",), image_types=None, kind="SPOT")
    elif case == "no GPU instance types anywhere":
        ce(scope, "Cpu", types=("c6i", "m6i"))
    elif case == "unknown instance types only":
        ce(scope, "Gpu", types=Unknown())
    elif case == "unmanaged environment":
        ce(scope, "Gpu")
        add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    elif case == "no request":
        ce(scope, "Gpu")
        gpus = None
    elif case == "zero GPUs":
        ce(scope, "Gpu")
        gpus = "0"
    elif case == "unknown GPUs":
        ce(scope, "Gpu")
        gpus = Unknown()
    else:
        ce(scope, "Gpu")
        jd_extra["platformCapabilities"] = ["FARGATE"]
    if gpus is None:
        jd = add(scope, Kind.JOB_DEFINITION, "Job", {"containerProperties": {"vcpus": 4}})
    else:
        jd = gpu_job(scope, gpus, **jd_extra)
    assert run(scope, jd) == []


def test_launch_template_without_an_image_keeps_the_image_type() -> None:
    scope = Scope("t.yaml", "cloudformation")
    _template(scope, {"UserData": "IyEvYmluL2Jhc2g="})
    ce(scope, "Gpu", launchTemplate={"launchTemplateId": Ref("Template")})
    assert run(scope, gpu_job(scope))


def test_environment_of_unknown_instance_types_needs_a_non_gpu_image_too() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Gpu")
    ce(scope, "Unknown", types=Unknown(), image_types=None)
    assert run(scope, gpu_job(scope)) == []  # it may have GPU types and the GPU AMI
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Gpu")
    ce(scope, "Unknown", types=Unknown(), image_types=("ECS_AL2",))
    ((message, _),) = run(scope, gpu_job(scope))
    assert "(Gpu: ECS_AL2023)" in message


def test_non_gpu_image_types() -> None:
    scope = Scope("t.yaml", "cloudformation")
    assert non_gpu_image_types(ce(scope, "A", image_types=("ecs_al2023", "ECS_AL2"))) == [
        "ECS_AL2023",
        "ECS_AL2",
    ]
    assert non_gpu_image_types(ce(scope, "B", image_types=None)) is None
    assert non_gpu_image_types(ce(scope, "C", image_types=())) is None


def _template(scope: Scope, data: dict[str, Any]) -> Resource:
    props = {"launchTemplateName": "gpu", "launchTemplateData": data}
    return add(scope, Kind.LAUNCH_TEMPLATE, "Template", props)
