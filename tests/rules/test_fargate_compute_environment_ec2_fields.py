"""fargate-compute-environment-ec2-fields: what counts as set in each source, a hit per setting."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "fargate-compute-environment-ec2-fields")


def env(compute: Any, source: str = "cloudformation", **branches: Any) -> Resource:
    """A compute environment; ``branches`` become Fn::If settings (``None``: AWS::NoValue)."""
    scope = Scope("t", source)
    add(scope, Kind.IAM_ROLE, "Role", {})
    ce = add(
        scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "computeResources": compute}
    )
    block = ce.props.get("computeResources")
    for key, (first, second) in branches.items():
        assert block is not None and isinstance(block.raw, dict)
        alts = tuple(build(v) if v is not None else None for v in (first, second))
        block.raw[key] = Node(None, Origin.UNKNOWN, f"/{key}", alts=alts)
    return ce


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def flagged(ce: Resource) -> list[str]:
    return [m.split("computeResources.", 1)[1].split(",", 1)[0] for m in run(ce)]


def test_message_names_the_setting_and_the_type() -> None:
    assert run(env({"type": "FARGATE_SPOT", "instanceRole": "ecsInstanceRole"})) == [
        "FARGATE_SPOT compute environment sets computeResources.instanceRole, which only "
        "applies to EC2 instances and which AWS Batch rejects for Fargate: remove it."
    ]


def test_one_hit_per_setting_in_api_order() -> None:
    compute = {
        "type": "FARGATE",
        "tags": {"team": "x"},
        "minvCpus": 0,
        "allocationStrategy": "BEST_FIT",
        "instanceTypes": ["optimal"],
        "maxvCpus": 16,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
    }
    assert flagged(env(compute)) == ["allocationStrategy", "instanceTypes", "minvCpus", "tags"]


def test_cloudformation_zero_is_a_setting_terraform_zero_is_not() -> None:
    # CloudFormation sends MinvCpus: 0 (AWS: "minvCpus is not applicable for Fargate"); the
    # Terraform provider sends no zero
    compute = {"type": "FARGATE", "minvCpus": 0, "desiredvCpus": 0, "bidPercentage": 0}
    assert flagged(env(compute)) == ["bidPercentage", "desiredvCpus", "minvCpus"]
    assert flagged(env(compute, "terraform-plan")) == []
    assert flagged(env({**compute, "minvCpus": 2}, "terraform-state")) == ["minvCpus"]


def test_empty_values_are_no_settings() -> None:
    compute = {"type": "FARGATE", "instanceTypes": [], "tags": {}, "ec2KeyPair": " ", "imageId": ""}
    assert flagged(env(compute)) == []
    assert flagged(env(compute, "terraform-plan")) == []


def test_unknowns_written_or_computed() -> None:
    # a parameter without default / a resource attribute: written, its value unknown
    compute = {"type": "FARGATE", "ec2KeyPair": Unknown(), "desiredvCpus": Unknown()}
    assert flagged(env(compute)) == ["desiredvCpus", "ec2KeyPair"]
    # Terraform: desired_vcpus and ec2_configuration are computed by the provider when left out
    compute = {"type": "FARGATE", "desiredvCpus": Unknown(), "ec2Configuration": Unknown()}
    assert flagged(env(compute, "terraform-plan")) == []
    # ... but a configuration reference means the user wrote them
    compute["desiredvCpus"] = Ref("Role")
    assert flagged(env(compute, "terraform-plan")) == ["desiredvCpus"]
    # an optional-only attribute is unknown only when written
    assert flagged(env({"type": "FARGATE", "ec2KeyPair": Unknown()}, "terraform-plan")) == [
        "ec2KeyPair"
    ]


def test_conditional_settings() -> None:
    compute = {"type": "FARGATE"}
    assert flagged(env(compute, minvCpus=(None, 0))) == []
    assert flagged(env(compute, minvCpus=(2, 0))) == ["minvCpus"]
    assert flagged(env(compute, instanceTypes=([], ["c6i"]))) == []
    # an unknown branch is still a written value
    assert flagged(env(compute, instanceRole=(Unknown(), "ecsInstanceRole"))) == ["instanceRole"]


def test_type_must_be_fargate_in_every_case() -> None:
    setting = {"instanceRole": "ecsInstanceRole"}
    assert flagged(env({"type": "fargate", **setting})) == ["instanceRole"]
    assert flagged(env({**setting}, type=("FARGATE", "FARGATE_SPOT"))) == ["instanceRole"]
    assert run(env({**setting}, type=("FARGATE", "FARGATE_SPOT")))[0].startswith("Fargate ")
    assert flagged(env({**setting}, type=("FARGATE", "EC2"))) == []
    assert flagged(env({**setting}, type=("FARGATE", Unknown()))) == []
    assert flagged(env({"type": Unknown(), **setting})) == []
    assert flagged(env({"type": "EC2", **setting})) == []
    assert flagged(env({**setting})) == []


def test_odd_shapes_do_not_raise() -> None:
    for compute in ("FARGATE", ["FARGATE"], {"type": ["FARGATE"]}, {"type": {"a": 1}}, None):
        assert run(env(compute)) == []
    assert flagged(env({"type": "FARGATE", "minvCpus": "lots", "tags": "x"})) == [
        "minvCpus",
        "tags",
    ]
