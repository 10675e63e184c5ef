"""launch-template-imdsv1-allowed: IMDSv1, the hop limit, and when an unset HttpTokens counts."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context, Hit

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "launch-template-imdsv1-allowed")


def run(data: dict[str, Any], **resources: Any) -> list[Hit]:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.LAUNCH_TEMPLATE, "Lt", {"launchTemplateData": data})
    body = {"type": "EC2", "launchTemplate": {"launchTemplateId": Ref("Lt")}, **resources}
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": body})
    assert RULE.check is not None
    return list(RULE.check(ce, Context(scope)))


def options(**metadata: Any) -> dict[str, Any]:
    return {"MetadataOptions": metadata}


AL2 = {"ec2Configuration": [{"imageType": "ECS_AL2"}]}


def test_optional_tokens_point_at_the_value_and_mention_the_hop_limit() -> None:
    (hit,) = run(options(HttpTokens="optional", HttpPutResponseHopLimit=3))
    assert hit.message == (
        "Compute environment launches instances from launch template Lt, which allows IMDSv1 "
        "(HttpTokens optional with a hop limit of 3): any container can read the instance "
        "role's credentials from the metadata service; set HttpTokens to required and "
        "HttpPutResponseHopLimit to 1."
    )
    assert hit.at is not None and hit.at.raw == "optional"
    assert hit.at.pointer.endswith("/MetadataOptions/HttpTokens")


@pytest.mark.parametrize("hops", [2, "2", 64])
def test_hop_limit_above_one_with_tokens_required(hops: Any) -> None:
    (hit,) = run(options(HttpTokens="required", HttpPutResponseHopLimit=hops))
    assert "HttpPutResponseHopLimit of" in hit.message and hit.message.endswith("set it to 1.")
    assert hit.at is not None and hit.at.pointer.endswith("/HttpPutResponseHopLimit")


def test_hop_limit_counts_even_when_tokens_are_unknown() -> None:
    (hit,) = run(options(HttpTokens=Unknown(), HttpPutResponseHopLimit=2))
    assert "HttpPutResponseHopLimit of 2" in hit.message


@pytest.mark.parametrize(
    "metadata",
    [
        {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        {"HttpTokens": "required"},
        {"HttpTokens": Unknown()},
        {"HttpTokens": "optional", "HttpEndpoint": "disabled"},
        {"HttpTokens": "optional", "HttpEndpoint": Unknown()},  # may be off
        {"HttpTokens": "required", "HttpPutResponseHopLimit": Unknown()},
    ],
)
def test_silent(metadata: dict[str, Any]) -> None:
    assert run(options(**metadata), **AL2) == []


def test_unknown_metadata_options_are_silent() -> None:
    assert run({"MetadataOptions": Unknown()}, **AL2) == []


@pytest.mark.parametrize("image", ["ECS_AL2", "ecs_al2_nvidia", "EKS_AL2", "ECS_AL1"])
def test_unset_tokens_fire_on_amazon_linux_2(image: str) -> None:
    (hit,) = run({}, ec2Configuration=[{"imageType": "ECS_AL2023"}, {"imageType": image}])
    assert f"leaves HttpTokens unset, so its {image.upper()} AMI allows IMDSv1" in hit.message
    assert hit.at is not None and hit.at.pointer.endswith("/launchTemplateData")
    (hit,) = run(options(HttpEndpoint="enabled"), ec2Configuration=[{"imageType": image}])
    assert hit.at is not None and hit.at.pointer.endswith("/MetadataOptions")


@pytest.mark.parametrize(
    ("data", "resources"),
    [
        ({}, {}),  # the default image type depends on when the environment was created
        ({}, {"ec2Configuration": [{"imageType": "ECS_AL2023"}]}),
        ({}, {"ec2Configuration": [{"imageType": Unknown()}]}),
        ({}, {"ec2Configuration": Unknown()}),
        ({"ImageId": "ami-0123456789abcdef0"}, AL2),
        ({}, {**AL2, "imageId": "ami-0123456789abcdef0"}),
        ({}, {"ec2Configuration": [{"imageType": "ECS_AL2", "imageIdOverride": "ami-1"}]}),
    ],
)
def test_unset_tokens_are_silent_without_a_known_imdsv1_ami(
    data: dict[str, Any], resources: dict[str, Any]
) -> None:
    assert run(data, **resources) == []


def test_unset_tokens_with_a_hop_limit_report_the_imdsv1_default_first() -> None:
    (hit,) = run(options(HttpPutResponseHopLimit=2), **AL2)
    assert "allows IMDSv1" in hit.message
    (hit,) = run(options(HttpPutResponseHopLimit=2))
    assert "HttpPutResponseHopLimit of 2" in hit.message
