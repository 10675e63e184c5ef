"""al2023-with-a1-instances: A1 types with an image type that is certainly AL2023."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.images import custom_ami, non_gpu_al2023_image_type
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "al2023-with-a1-instances")


def env(types: Any, config: Any = None, source: str = "cloudformation", **compute: Any) -> Resource:
    scope = Scope("t", source)
    add(
        scope,
        Kind.LAUNCH_TEMPLATE,
        "Plain",
        {"launchTemplateName": "plain", "launchTemplateData": {"MetadataOptions": {}}},
        name="plain",
    )
    add(
        scope,
        Kind.LAUNCH_TEMPLATE,
        "Custom",
        {"launchTemplateName": "custom", "launchTemplateData": {"ImageId": "ami-1"}},
        name="custom",
    )
    add(scope, Kind.LAUNCH_TEMPLATE, "Bare", {"launchTemplateName": "bare"}, name="bare")
    block: dict[str, Any] = {"type": compute.pop("type", "EC2"), "instanceTypes": types, **compute}
    if config is not None:
        block["ec2Configuration"] = config
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": block})


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def test_default_image_type_message() -> None:
    assert run(env(["a1.large", "m6g", "a1.xlarge", "a1.large"])) == [
        "Compute environment allows A1 instances (a1.large, a1.xlarge) but gives its instances "
        "the default image type ECS_AL2023 (no ec2Configuration; the default since 2026-01-12), "
        "and Amazon Linux 2023 does not run on A1: replace them with a current Graviton family "
        "such as m7g or c7g."
    ]


def test_written_image_type_message() -> None:
    (message,) = run(env(["A1"], [{"imageType": "ECS_AL2023"}], type="SPOT"))
    assert (
        "allows A1 instances (A1) but gives its instances the image type ECS_AL2023, and" in message
    )
    (message,) = run(env(["a1.metal"], [{"imageType": "ECS_AL2023_NVIDIA"}]))
    assert "the image type ECS_AL2023_NVIDIA," in message


@pytest.mark.parametrize(
    "config",
    [
        [{"imageType": "ECS_AL2"}],
        [{"imageType": "ECS_AL2023"}, {"imageType": "ECS_AL2_NVIDIA"}],
        [{"imageType": "ECS_AL1"}],
        [{"imageType": Unknown()}],
        [{"imageIdOverride": "ami-1"}],
        Unknown(),
    ],
)
def test_silent_unless_every_entry_is_al2023(config: Any) -> None:
    assert run(env(["a1.large"], config)) == []


@pytest.mark.parametrize(
    ("compute", "custom"),
    [
        ({}, False),
        ({"imageId": "ami-1"}, True),
        ({"imageId": ""}, False),
        ({"launchTemplate": {"launchTemplateName": "plain"}}, False),
        ({"launchTemplate": {"launchTemplateId": Ref("Plain")}}, False),
        ({"launchTemplate": {"launchTemplateName": "bare"}}, False),
        ({"launchTemplate": {"launchTemplateName": "custom"}}, True),
        ({"launchTemplate": {"launchTemplateName": "elsewhere"}}, None),
        ({"launchTemplate": {"launchTemplateId": Unknown()}}, None),
        ({"launchTemplate": Unknown()}, None),
        ({"launchTemplate": {"launchTemplateName": "plain", "overrides": []}}, None),
    ],
)
def test_a_custom_ami_silences_the_default_case(compute: dict[str, Any], custom: Any) -> None:
    ce = env(["a1.large"], **compute)
    assert custom_ami(ce) is custom
    assert non_gpu_al2023_image_type(ce) == ("ECS_AL2023" if custom is False else None)
    assert len(run(ce)) == (1 if custom is False else 0)
    # an image type written says what the AMI is, custom or not
    assert len(run(env(["a1.large"], [{"imageType": "ECS_AL2023"}], **compute))) == 1


@pytest.mark.parametrize(
    "types", [["m6g", "c7g"], ["a10g"], ["ma1"], Unknown(), [Unknown()], "a1.large", []]
)
def test_other_instance_types(types: Any) -> None:
    expected = 1 if types == "a1.large" else 0  # a lone string reads as a list of one
    assert len(run(env(types))) == expected


def test_eks_fargate_and_unknown_types_are_left_alone() -> None:
    ce = env(["a1.large"])
    eks = {"eksClusterArn": "arn:aws:eks:us-east-1:1:cluster/c", "kubernetesNamespace": "b"}
    assert isinstance(ce.props.raw, dict)
    ce.props.raw["eksConfiguration"] = build(eks)
    assert run(ce) == []
    assert run(env(["a1.large"], type="FARGATE")) == []
    assert run(env(["a1.large"], type=Unknown())) == []
