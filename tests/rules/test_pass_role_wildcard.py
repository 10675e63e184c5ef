"""pass-role-wildcard: what counts as every role, which conditions guard, messages."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.iam_paths import passed_to_services
from batchlint.model import Graph, Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, allow, build, doc

RULE = next(r for r in builtin_rules() if r.name == "pass-role-wildcard")


def run(scope: Scope) -> list[tuple[str, str, str]]:
    assert RULE.check is not None
    return [
        (hit.resource.address, hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(Graph(scope), Context(scope))
    ]


def role(scope: Scope, address: str, *statements: dict[str, Any], **props: Any) -> Resource:
    body: dict[str, Any] = dict(props)
    if statements:
        body["policies"] = [{"policyName": "p", "policyDocument": doc(*statements)}]
    return add(scope, Kind.IAM_ROLE, address, body, name=address.lower())


def flagged(*statements: dict[str, Any], **props: Any) -> bool:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Role", *statements, **props)
    add(scope, Kind.JOB_DEFINITION, "Job", {"containerProperties": {"jobRoleArn": Ref("Role")}})
    return bool(run(scope))


def test_message_and_location() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "Role",
        {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        allow("iam:*", "arn:aws:iam::*:role/*"),
    )
    add(
        scope,
        Kind.JOB_DEFINITION,
        "Job",
        {"ecsProperties": {"taskProperties": [{"taskRoleArn": Ref("Role")}]}},
    )
    assert run(scope) == [
        (
            "Job",
            "Job role Role (ecsProperties.taskProperties[0].taskRoleArn) may call iam:PassRole "
            "on every role ('*') without an iam:PassedToService condition naming the services "
            "(statement 'Pass' of policy 'p', and 1 more statement), so it can hand any role "
            "of the account to any service: name the roles it passes in Resource and add an "
            "iam:PassedToService condition.",
            "/Resources/Job/Properties/ecsProperties/taskProperties/0/taskRoleArn",
        )
    ]


@pytest.mark.parametrize(
    "statement",
    [
        allow("iam:PassRole"),
        allow("*"),
        allow("iam:Pass*", ["arn:aws:iam::123456789012:role/x", "arn:aws:iam::*:role/*"]),
        allow("iam:PassRole", "arn:aws:iam::123456789012:role/*"),
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::1:role/admin"},
        # conditions that do not name the services the role goes to
        allow("iam:PassRole", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        allow("iam:PassRole", Condition={"StringNotEquals": {"iam:PassedToService": "x"}}),
        allow("iam:PassRole", Condition={"Null": {"iam:PassedToService": "false"}}),
    ],
)
def test_flagged(statement: dict[str, Any]) -> None:
    assert flagged(statement)


@pytest.mark.parametrize(
    "statement",
    [
        allow("iam:PassRole", "arn:aws:iam::123456789012:role/batch-*"),
        allow("iam:PassRole", Ref("Job")),
        allow("iam:PassRole", Unknown()),
        allow("iam:GetRole"),
        allow(
            "iam:PassRole",
            Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
        allow(
            "iam:PassRole",
            Condition={"ForAnyValue:StringLike": {"iam:passedtoservice": ["ec2.*"]}},
        ),
        allow(
            "iam:PassRole",
            Condition={"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}},
        ),
        allow("iam:PassRole", Condition=Unknown()),
        allow("iam:PassRole", Condition={"StringLike": Unknown()}),
        allow("iam:PassRole", Condition={"StringLike": {"iam:PassedToService": [Unknown()]}}),
    ],
)
def test_silent(statement: dict[str, Any]) -> None:
    assert not flagged(statement)


def test_deny_and_boundary() -> None:
    assert not flagged(allow("*"), {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"})
    assert flagged(
        allow("*"),
        {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*", "Condition": {"Bool": {}}},
    )
    assert not flagged(allow("iam:PassRole"), permissionsBoundary="arn:aws:iam::1:policy/b")


def test_passed_to_services() -> None:
    condition = build(
        {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", " ecs.amazonaws.com"]}}
    )
    found = passed_to_services(condition)
    assert found.known and found.services == ("ec2.amazonaws.com", "ecs.amazonaws.com")
    assert passed_to_services(None).services is None
    assert not passed_to_services(build(Unknown())).known
    assert passed_to_services(build({"StringEquals": "odd"})).services is None


def test_roles_of_compute_environments_and_unused_roles() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Instance", managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    role(scope, "Unused", allow("iam:PassRole"))
    add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Env",
        {"computeResources": {"instanceRole": Ref("Instance")}},
    )
    found = run(scope)
    assert [(address, at) for address, _, at in found] == [
        ("Env", "/Resources/Env/Properties/computeResources/instanceRole")
    ]
    assert "may call iam:PassRole (through '*') on every role ('*')" in found[0][1]
