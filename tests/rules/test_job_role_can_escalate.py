"""job-role-can-escalate and the iam_paths evaluator it rests on: wildcards, Deny,
boundaries, iam:PassedToService, which roles a grant reaches, and where findings land."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.iam_paths import (
    Reach,
    action_matches,
    batch_role_uses,
    grants,
    pass_role_reach,
)
from batchlint.model import Graph, Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, allow, doc

RULE = next(r for r in builtin_rules() if r.name == "job-role-can-escalate")
BATCH = allow(["batch:RegisterJobDefinition", "batch:SubmitJob"])


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


def job(scope: Scope, address: str = "Job", **container: Any) -> Resource:
    return add(scope, Kind.JOB_DEFINITION, address, {"containerProperties": container})


def flagged(*statements: dict[str, Any], **props: Any) -> bool:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Role", *statements, **props)
    job(scope, jobRoleArn=Ref("Role"))
    return bool(run(scope))


# -- the rule ---------------------------------------------------------------------------------


def test_message_location_and_wildcards() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "Role",
        allow("batch:*"),
        {"Sid": "All", "Effect": "Allow", "Action": "iam:*", "Resource": "*"},
    )
    job(scope, jobRoleArn=Ref("Role"), executionRoleArn=Ref("Role"))
    assert run(scope) == [
        (
            "Job",
            "Job role and execution role Role (containerProperties.jobRoleArn and "
            "containerProperties.executionRoleArn) may call batch:RegisterJobDefinition, "
            "batch:SubmitJob and iam:PassRole (through 'iam:*') on every role ('*') (statement "
            "'All' of policy 'p'), so code running with it can register and run a job as any "
            "role in the account: drop the Batch actions from the role, or allow iam:PassRole "
            "on this role only.",
            "/Resources/Job/Properties/containerProperties/jobRoleArn",
        )
    ]


@pytest.mark.parametrize(
    "statements",
    [
        [allow("*")],
        [allow(["batch:Register*", "batch:Submit*", "iam:Pass*"])],
        [allow("BATCH:registerjobdefinition"), allow("batch:SubmitJob"), allow("IAM:PASSROLE")],
        [{"Effect": "Allow", "NotAction": ["s3:*"], "Resource": "*"}],
        [BATCH, allow("iam:PassRole", "arn:aws:iam::123456789012:role/*")],
        [BATCH, allow("iam:PassRole", "arn:aws:iam::123456789012:role/batch-*")],
        [BATCH, allow("iam:PassRole", "arn:aws:iam::123456789012:role/someone-else")],
        [BATCH, allow("iam:PassRole", ["arn:aws:iam::123456789012:role/role", "*"])],
        [BATCH, {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:x"}],
        # a condition other than iam:PassedToService is not evaluated
        [BATCH, allow("iam:PassRole", Condition={"Bool": {"aws:SecureTransport": "true"}})],
        # passed to a service Batch hands roles to
        [
            BATCH,
            allow(
                "iam:PassRole",
                Condition={"StringLike": {"iam:PassedToService": ["ecs-tasks.amazonaws.com"]}},
            ),
        ],
        [
            BATCH,
            allow("iam:PassRole", Condition={"StringEquals": {"IAM:PassedToService": "batch.*"}}),
        ],
        # a Deny with a condition, or on some resources only, does not take the action away
        [
            allow("*"),
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*", "Condition": {}},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "arn:x"},
        ],
    ],
)
def test_escalation_paths(statements: list[dict[str, Any]]) -> None:
    assert flagged(*statements)


@pytest.mark.parametrize(
    "statements",
    [
        [allow("batch:*")],
        [allow(["batch:SubmitJob", "iam:PassRole"])],  # no RegisterJobDefinition
        [allow(["batch:Register*", "iam:PassRole"]), allow("batch:Describe*")],
        [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}],
        [{"Effect": "Allow", "NotAction": ["s3:*", Unknown()], "Resource": "*"}],
        [{"Effect": "Allow", "NotAction": Unknown(), "Resource": "*"}],
        [{"Effect": Unknown(), "Action": "*", "Resource": "*"}],
        [allow(Unknown())],
        # only the role itself (by name), another resource type, or unknown
        [BATCH, allow("iam:PassRole", "arn:aws:iam::123456789012:role/path/ROLE")],
        [BATCH, allow("iam:PassRole", "arn:aws:iam::123456789012:instance-profile/x")],
        [BATCH, allow("iam:PassRole", "arn:aws:s3:::bucket/*")],
        [BATCH, allow("iam:PassRole", Unknown())],
        [BATCH, allow("iam:PassRole", "arn:aws:iam::${AWS::AccountId}:role/x-*")],
        [BATCH, allow("iam:PassRole", "not-an-arn")],
        # passed only to services that are not Batch's, or an unknown condition
        [
            BATCH,
            allow(
                "iam:PassRole",
                Condition={"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com"]}},
            ),
        ],
        [BATCH, allow("iam:PassRole", Condition=Unknown())],
        [BATCH, allow("iam:PassRole", Condition={"StringEquals": Unknown()})],
        [
            BATCH,
            allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": Unknown()}}),
        ],
        # an unconditional Deny on everything takes it away
        [allow("*"), {"Effect": "Deny", "Action": "iam:Pass*", "Resource": "*"}],
        [allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": ["*"]}],
    ],
)
def test_not_escalation_paths(statements: list[dict[str, Any]]) -> None:
    assert not flagged(*statements)


def test_a_grant_on_another_role_in_scope_names_it() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Admin")
    role(scope, "Role", BATCH, allow("iam:PassRole", Ref("Admin")))
    job(scope, jobRoleArn=Ref("Role"))
    ((_, message, _),) = run(scope)
    assert "iam:PassRole on role Admin (statement 1 of policy 'p')" in message
    assert "run a job as role Admin:" in message


def test_a_grant_on_itself_by_reference_is_silent() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Role", BATCH, allow("iam:PassRole", [Ref("Role"), Ref("Job")]))
    job(scope, jobRoleArn=Ref("Role"))
    assert run(scope) == []


def test_any_role_is_reported_before_named_roles() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Role", BATCH, allow("iam:PassRole", "arn:aws:iam::1:role/x"), allow("iam:*"))
    job(scope, jobRoleArn=Ref("Role"))
    ((_, message, _),) = run(scope)
    assert "on every role ('*') (statement 2 of policy 'p')" in message


@pytest.mark.parametrize(
    ("managed", "found"),
    [
        (["arn:aws:iam::aws:policy/AdministratorAccess"], True),
        (
            [
                "arn:aws-cn:iam::aws:policy/IAMFullAccess",
                "arn:aws:iam::aws:policy/AWSBatchFullAccess",
            ],
            True,
        ),
        (["arn:aws:iam::aws:policy/PowerUserAccess"], False),  # everything but IAM
        (["arn:aws:iam::aws:policy/AWSBatchFullAccess"], False),
        (["arn:aws:iam::aws:policy/SomethingUnknown"], False),
    ],
)
def test_aws_managed_policies_known_by_name(managed: list[str], found: bool) -> None:
    assert flagged(managedPolicyArns=managed) is found


def test_permissions_boundary() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.IAM_POLICY, "Narrow", {"policyDocument": doc(allow(["batch:*", "s3:*"]))})
    add(scope, Kind.IAM_POLICY, "Wide", {"policyDocument": doc(allow("*"))})
    admin = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    boundaries = {
        "Narrow": Ref("Narrow"),
        "Wide": Ref("Wide"),
        "Managed": "arn:aws:iam::aws:policy/AdministratorAccess",
        "External": "arn:aws:iam::123456789012:policy/elsewhere",
        "Unknown": Unknown(),
    }
    for name, boundary in boundaries.items():
        role(scope, f"{name}Role", managedPolicyArns=admin, permissionsBoundary=boundary)
        job(scope, f"{name}Job", jobRoleArn=Ref(f"{name}Role"))
    assert [address for address, _, _ in run(scope)] == ["WideJob", "ManagedJob"]


def test_compute_environment_roles_are_reported_on_the_environment() -> None:
    scope = Scope("t.yaml", "cloudformation")
    admin = {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}
    for name in ("Instance", "Service", "Fleet", "FargateInstance"):
        role(scope, name, **admin)
    add(scope, Kind.INSTANCE_PROFILE, "Profile", {"roles": [Ref("Instance")]})
    add(scope, Kind.INSTANCE_PROFILE, "FargateProfile", {"roles": [Ref("FargateInstance")]})
    add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ec2",
        {
            "serviceRole": Ref("Service"),
            "computeResources": {
                "type": "SPOT",
                "instanceRole": Ref("Profile"),
                "spotIamFleetRole": Ref("Fleet"),
            },
        },
    )
    add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Fargate",
        {"computeResources": {"type": "FARGATE", "instanceRole": Ref("FargateProfile")}},
    )
    found = run(scope)
    assert [(address, message.split(" may ")[0], at) for address, message, at in found] == [
        (
            "Ec2",
            "Instance role Instance (computeResources.instanceRole, instance profile Profile)",
            "/Resources/Ec2/Properties/computeResources/instanceRole",
        ),
        ("Ec2", "Service role Service (serviceRole)", "/Resources/Ec2/Properties/serviceRole"),
        (
            "Ec2",
            "Spot Fleet role Fleet (computeResources.spotIamFleetRole)",
            "/Resources/Ec2/Properties/computeResources/spotIamFleetRole",
        ),
    ]


def test_one_finding_per_resource_and_role() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Role", allow("*"))
    add(
        scope,
        Kind.JOB_DEFINITION,
        "Job",
        {
            "containerProperties": {"jobRoleArn": Ref("Role")},
            "nodeProperties": {
                "nodeRangeProperties": [
                    {"container": {"jobRoleArn": Ref("Role")}},
                    {"container": {"executionRoleArn": Ref("Role")}},
                ]
            },
        },
    )
    job(scope, "Other", jobRoleArn=Ref("Role"))
    found = run(scope)
    assert [address for address, _, _ in found] == ["Job", "Other"]
    assert found[0][1].startswith(
        "Job role and execution role Role (containerProperties.jobRoleArn, "
        "nodeRangeProperties[0].container.jobRoleArn and 1 more) may call"
    )


# -- the evaluator ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("iam:PassRole", "iam:passrole", True),
        ("iam:Pass*", "iam:PassRole", True),
        ("iam:P?ssRole", "iam:PassRole", True),
        ("*", "batch:SubmitJob", True),
        ("iam:[P]assRole", "iam:PassRole", False),  # brackets are no character class in IAM
        ("iam:PassRol", "iam:PassRole", False),
        (None, "iam:PassRole", False),
    ],
)
def test_action_matches(pattern: str | None, action: str, matches: bool) -> None:
    assert action_matches(pattern, action) is matches


@pytest.mark.parametrize(
    ("resource", "reach"),
    [
        ("*", Reach.ANY),
        ("arn:aws:iam::*:role/*", Reach.ANY),
        ("arn:aws:iam::123456789012:*", Reach.ANY),
        ("arn:*:iam::*:role*", Reach.ANY),
        ("arn:aws:iam::123456789012:role/service-role/*", Reach.OTHERS),
        ("arn:aws:iam::123456789012:role/batch-?", Reach.OTHERS),
        ("arn:aws:iam::123456789012:role/other", Reach.OTHERS),
        ("arn:aws:iam::123456789012:role/ROLE", Reach.SELF),
        ("arn:aws:iam::123456789012:user/role", Reach.NONE),
        ("arn:aws:iam::123456789012:role", Reach.NONE),
        ("arn:aws:sts::123456789012:assumed-role/x", Reach.NONE),
        ("arn:aws:iam::${AWS::AccountId}:role/x", Reach.UNKNOWN),
        ("role", Reach.SELF),  # the role's own name
        ("other-name", Reach.UNKNOWN),
    ],
)
def test_pass_role_reach(resource: str, reach: Reach) -> None:
    scope = Scope("t.yaml", "cloudformation")
    found = role(scope, "Role", allow("iam:PassRole", resource))
    (grant,) = grants(scope, found, "iam:PassRole")
    assert [target.reach for target in pass_role_reach(scope, found, grant)] == [reach]


def test_batch_role_uses_skip_roles_outside_the_scope() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Role")
    job(scope, jobRoleArn="arn:aws:iam::123456789012:role/elsewhere", executionRoleArn=Unknown())
    job(scope, "Known", jobRoleArn="arn:aws:iam::123456789012:role/role")
    assert [(u.resource.address, u.role.address) for u in batch_role_uses(scope)] == [
        ("Known", "Role")
    ]
