"""instance-role-not-instance-profile: role ARNs and role references, never names."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "instance-role-not-instance-profile")


def env(role: Any, source: str = "cloudformation", profile_name: Any = None, **ce: Any) -> Resource:
    scope = Scope("t", source)
    add(scope, Kind.IAM_ROLE, "Role", {"roleName": "batch-instance"}, name="batch-instance")
    add(scope, Kind.IAM_ROLE, "Unnamed", {})
    profile: dict[str, Any] = {"roles": [Ref("Role")]}
    if profile_name is not None:
        profile["instanceProfileName"] = profile_name
    add(scope, Kind.INSTANCE_PROFILE, "Profile", profile)
    compute = {"type": ce.pop("type", "EC2"), "instanceRole": role}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": compute, **ce})


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def test_message_names_the_role() -> None:
    assert run(env(Ref("Role"))) == [
        "instanceRole is the IAM role Role, not an instance profile, so the compute environment "
        "goes INVALID: create an instance profile for the role and pass its name or ARN."
    ]
    (message,) = run(env("arn:aws:iam::123456789012:role/ecsInstanceRole"))
    assert "IAM role arn:aws:iam::123456789012:role/ecsInstanceRole," in message


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::123456789012:role/ecsInstanceRole",
        "arn:aws-us-gov:iam::123456789012:role/path/to/batch",
        "arn:aws-cn:iam::123456789012:role/x",
    ],
)
def test_role_arns_are_flagged(value: str) -> None:
    assert len(run(env(value))) == 1


@pytest.mark.parametrize(
    "value",
    [
        "ecsInstanceRole",
        "batch-instance",  # a role's name, which is also a profile's
        "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole",
        "arn:aws:iam::123456789012:role",  # malformed
        "arn:aws:sts::123456789012:role/x",
        "",
        Unknown(),
        Ref("Profile"),
        Ref("Elsewhere"),
    ],
)
def test_profiles_names_and_unknowns_are_not(value: Any) -> None:
    assert run(env(value)) == []


def test_a_profile_that_may_carry_the_role_name_silences_a_reference() -> None:
    # !Ref Role is the role's name, which Batch reads as a profile name
    assert run(env(Ref("Role"), profile_name=Ref("Role"))) == []
    assert run(env(Ref("Role"), profile_name="batch-instance")) == []
    assert run(env(Ref("Role"), profile_name=Unknown())) == []
    assert len(run(env(Ref("Role"), profile_name="other"))) == 1
    assert len(run(env(Ref("Unnamed"), profile_name="other"))) == 1
    # Terraform takes only an ARN: a reference to a role is always its ARN or wrong
    assert len(run(env(Ref("Role"), "terraform-plan", profile_name="batch-instance"))) == 1


def test_every_branch_must_be_a_role() -> None:
    def conditional(first: Any, second: Any) -> Resource:
        ce = env("placeholder")
        block = ce.props.get("computeResources")
        assert block is not None and isinstance(block.raw, dict)
        alts = tuple(build(v) if v is not None else None for v in (first, second))
        block.raw["instanceRole"] = Node(None, Origin.UNKNOWN, "/x", alts=alts)
        return ce

    (message,) = run(conditional(Ref("Role"), "arn:aws:iam::1:role/dev"))
    assert "IAM role Role or arn:aws:iam::1:role/dev," in message
    assert run(conditional(Ref("Role"), Ref("Profile"))) == []
    assert run(conditional(Ref("Role"), Unknown())) == []
    assert run(conditional(Ref("Role"), None)) == []


def test_fargate_and_odd_shapes_are_left_alone() -> None:
    assert run(env("arn:aws:iam::1:role/x", type="FARGATE")) == []
    assert run(env(["arn:aws:iam::1:role/x"])) == []
    assert run(env({"Arn": "arn:aws:iam::1:role/x"})) == []
