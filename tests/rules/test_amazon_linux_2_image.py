"""amazon-linux-2-image: each AL2 entry, written or as read back; never the default."""

from __future__ import annotations

from typing import Any

from batchlint.images import image_type_entries
from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "amazon-linux-2-image")


def env(
    config: Any, compute_type: Any = "EC2", source: str = "cloudformation", **ce: Any
) -> Resource:
    scope = Scope("t", source)
    compute: dict[str, Any] = {"type": compute_type, "instanceTypes": ["c6i"]}
    if config is not None:
        compute["ec2Configuration"] = config
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": compute, **ce})


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def test_ecs_message_says_support_ended_and_creation_is_blocked() -> None:
    assert run(env([{"imageType": "ECS_AL2"}])) == [
        "Compute environment runs its instances on Amazon Linux 2 (imageType ECS_AL2), whose "
        "ECS-optimized AMIs lost AWS support on 2026-06-30 (no security patches since, and AWS "
        "Batch no longer creates environments with them): set imageType to ECS_AL2023 and "
        "check user data for AL2023."
    ]


def test_eks_message_gives_the_eks_date() -> None:
    eks = {"eksClusterArn": "arn:aws:eks:us-east-1:1:cluster/c", "kubernetesNamespace": "b"}
    (message,) = run(env([{"imageType": "EKS_AL2_NVIDIA"}], eksConfiguration=eks))
    assert (
        "(imageType EKS_AL2_NVIDIA), whose EKS-optimized AMIs lost AWS support on 2025-11-26"
        in message
    )
    assert "set imageType to EKS_AL2023_NVIDIA" in message


def test_one_hit_per_al2_entry() -> None:
    entries = [
        {"imageType": "ECS_AL2"},
        {"imageType": "ecs_al2_nvidia"},
        {"imageType": "ECS_AL2023"},
    ]
    messages = run(env(entries, "SPOT"))
    assert len(messages) == 2
    assert "set imageType to ECS_AL2023_NVIDIA" in messages[1]


def test_default_unknown_and_other_types_are_not_flagged() -> None:
    assert run(env(None)) == []  # the default has been ECS_AL2023 since 2026-01-12
    assert run(env([])) == []
    assert run(env(Unknown())) == []
    assert run(env([{"imageType": Unknown()}])) == []
    assert run(env([{"imageIdOverride": "ami-1"}])) == []
    assert run(env([{"imageType": "ECS_AL2023"}, {"imageType": "ECS_AL2023_NVIDIA"}])) == []
    assert run(env([{"imageType": "ECS_AL1"}])) == []
    assert run(env([{"imageType": "ECS_AL2"}], "FARGATE")) == []
    assert run(env([{"imageType": "ECS_AL2"}], Unknown())) == []
    assert run(env({"imageType": "ECS_AL2"})) == []  # not a list
    assert run(env("ECS_AL2")) == []


def test_an_unknown_entry_does_not_hide_an_al2_one() -> None:
    assert len(run(env([Unknown(), {"imageType": "ECS_AL2"}]))) == 1


def test_conditional_image_types() -> None:
    def conditional(first: Any, second: Any) -> Resource:
        ce = env([{"imageType": "placeholder"}])
        entry = ce.props.get("computeResources", "ec2Configuration", 0)
        assert entry is not None and isinstance(entry.raw, dict)
        alts = tuple(build(v) if v is not None else None for v in (first, second))
        entry.raw["imageType"] = Node(None, Origin.UNKNOWN, "/t", alts=alts)
        return ce

    (message,) = run(conditional("ECS_AL2_NVIDIA", "ECS_AL2"))
    assert "(imageType ECS_AL2_NVIDIA or ECS_AL2)" in message
    assert "set imageType to ECS_AL2023_NVIDIA or ECS_AL2023" in message
    assert run(conditional("ECS_AL2", "ECS_AL2023")) == []
    assert run(conditional("ECS_AL2", Unknown())) == []


def test_terraform_reads_a_computed_configuration_as_absent() -> None:
    ce = env(Unknown(), source="terraform-plan")
    assert image_type_entries(ce) == []
    assert run(ce) == []
    # read back from AWS: the environment really runs AL2
    assert len(run(env([{"imageType": "ECS_AL2"}], source="terraform-state"))) == 1
