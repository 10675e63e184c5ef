"""custom-service-role: any service role but the service-linked one, when certainly set."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "custom-service-role")
SLR = "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"


def env(role: Any, source: str = "cloudformation") -> Resource:
    scope = Scope("t", source)
    add(scope, Kind.IAM_ROLE, "ServiceRole", {"roleName": "batch-service"}, name="batch-service")
    add(scope, Kind.INSTANCE_PROFILE, "Profile", {})
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "serviceRole": role})


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def test_message_names_the_role() -> None:
    assert run(env(Ref("ServiceRole"))) == [
        "Compute environment uses the custom service role ServiceRole instead of the "
        "AWSServiceRoleForBatch service-linked role, which AWS keeps scoped and current and "
        "which in-place updates require: remove serviceRole unless a custom role is required."
    ]


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::123456789012:role/service-role/AWSBatchServiceRole",
        "AWSBatchServiceRole",
        "batch-service",
        Ref("ServiceRole"),
    ],
)
def test_custom_roles(role: Any) -> None:
    assert len(run(env(role))) == 1
    assert len(run(env(role, "terraform-plan"))) == 1


@pytest.mark.parametrize(
    "role",
    [
        SLR,
        SLR.replace("arn:aws:", "arn:aws-cn:"),
        "aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
        "",
        None,
        Unknown(),
        Ref("Profile"),  # not a role: something is wrong, but not this
        Ref("Elsewhere"),
    ],
)
def test_service_linked_absent_and_unknown_roles(role: Any) -> None:
    assert run(env(role)) == []


def test_terraform_computes_the_role_when_left_out() -> None:
    assert run(env(Unknown(), "terraform-plan")) == []
    assert run(env(SLR, "terraform-state")) == []


def test_every_branch_must_be_custom() -> None:
    ce = env("placeholder")
    assert isinstance(ce.props.raw, dict)
    for first, second, hits in (
        (Ref("ServiceRole"), "custom-legacy", 1),
        (Ref("ServiceRole"), None, 0),
        (Ref("ServiceRole"), SLR, 0),
        (Ref("ServiceRole"), Unknown(), 0),
    ):
        alts = tuple(build(v) if v is not None else None for v in (first, second))
        ce.props.raw["serviceRole"] = Node(None, Origin.UNKNOWN, "/r", alts=alts)
        assert len(run(ce)) == hits
