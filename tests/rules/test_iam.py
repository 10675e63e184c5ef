"""batchlint.iam: a role's policies and the over-broad statements in them, on the model."""

from __future__ import annotations

from typing import Any

from batchlint.iam import (
    Breadth,
    admin_like,
    aws_managed_name,
    broad_statements,
    job_definition_roles,
    managed_policy_arns,
    policies_of_role,
    statements,
    worst,
)
from batchlint.model import JobDefinition, Kind, Node, Scope

from .model_builders import Ref, Unknown, add, allow, build, doc

# -- statements -----------------------------------------------------------------------------


def test_all_actions_and_service_wildcards() -> None:
    found = broad_statements(
        build(doc(allow("*"), allow(["s3:GetObject", "s3:*"], "arn:aws:s3:::b/*"), allow("*:*")))
    )
    assert [(s.index, s.action, s.breadth) for s in found] == [
        (0, "*", Breadth.ALL_ACTIONS),
        (1, "s3:*", Breadth.SERVICE_WILDCARD),
        (2, "*:*", Breadth.ALL_ACTIONS),
    ]


def test_write_on_any_resource_but_not_reads() -> None:
    found = broad_statements(
        build(
            doc(
                allow(["s3:GetObject", "s3:ListBucket", "dynamodb:BatchGetItem"]),
                allow(["ecr:GetAuthorizationToken", "logs:CreateLogStream"]),
                allow("s3:PutObject", ["arn:aws:s3:::b/*"]),
                allow("s3:Get*"),
                allow("s3:*Object"),
                {"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": "arn:x"},
            )
        )
    )
    assert [(s.index, s.action) for s in found] == [
        (1, "logs:CreateLogStream"),
        (4, "s3:*Object"),
        (5, "sqs:SendMessage"),
    ]
    assert all(s.breadth is Breadth.WRITE_ON_ANY_RESOURCE for s in found)


def test_not_action_with_allow_is_broad_and_deny_never_is() -> None:
    found = broad_statements(
        build(
            doc(
                {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"},
                {"Effect": "Deny", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"},
            )
        )
    )
    assert [(s.index, s.breadth, s.action) for s in found] == [(0, Breadth.NOT_ACTION, "iam:*")]


def test_a_lone_statement_dict_and_sids_and_conditions() -> None:
    lone = {
        "Statement": {
            "Sid": "All",
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        }
    }
    (found,) = broad_statements(build(lone))
    assert found.sid == "All" and found.conditional
    assert found.label("P") == "statement 'All' of policy 'P'"
    assert "under a Condition" in found.describe()
    (plain,) = broad_statements(build(doc(allow("s3:*"))))
    assert plain.label("P") == "statement 0 of policy 'P'" and not plain.conditional


def test_unknown_values_are_silent() -> None:
    assert broad_statements(None) == []
    assert broad_statements(build(Unknown())) == []
    assert broad_statements(build({"Statement": Unknown()})) == []
    assert broad_statements(build(doc({"Effect": Unknown(), "Action": "*", "Resource": "*"}))) == []
    assert broad_statements(build(doc(allow(Unknown())))) == []
    assert broad_statements(build(doc(allow("s3:PutObject", Unknown())))) == []
    # an unknown entry does not hide a known wildcard next to it
    (found,) = broad_statements(build(doc(allow([Unknown(), "ec2:*"]))))
    assert found.action == "ec2:*"


def test_odd_shapes_do_not_raise() -> None:
    for odd in ("text", 3, [], {"Statement": "x"}, {"Statement": [1, "a", None]}):
        assert broad_statements(build(odd)) == []
    assert statements(build({"Statement": [allow("*"), "junk"]})) != []


def test_a_document_written_as_a_json_string_is_read() -> None:
    text = '{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}'
    (found,) = broad_statements(Node(text, pointer="/p"))
    assert found.action == "iam:*" and found.node.inner == "/Statement/0"
    assert broad_statements(Node("{not json", pointer="/p")) == []


def test_worst_prefers_the_broadest_then_the_first() -> None:
    found = broad_statements(build(doc(allow("s3:PutObject"), allow("s3:*"), allow("ec2:*"))))
    best = worst(found)
    assert best is not None and best.action == "s3:*"
    assert worst([]) is None


# -- ARNs -----------------------------------------------------------------------------------


def test_aws_managed_names() -> None:
    assert aws_managed_name("arn:aws:iam::aws:policy/AdministratorAccess") == "AdministratorAccess"
    assert (
        aws_managed_name("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBatchServiceRole")
        == "AWSBatchServiceRole"
    )
    assert aws_managed_name("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess")
    assert aws_managed_name("arn:aws:iam::123456789012:policy/Mine") is None
    assert aws_managed_name("AdministratorAccess") is None


def test_admin_like() -> None:
    for name in ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess"):
        assert admin_like(name)
    for name in (
        "AmazonECSTaskExecutionRolePolicy",
        "AWSBatchServiceRole",
        "ReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonEC2ContainerServiceforEC2Role",
    ):
        assert not admin_like(name)


# -- a role's policies ----------------------------------------------------------------------


def _scope() -> tuple[Scope, Any]:
    scope = Scope("t.yaml", "cloudformation")
    role = add(
        scope,
        Kind.IAM_ROLE,
        "Role",
        {
            "policies": [{"policyName": "Inline", "policyDocument": doc(allow("s3:*"))}],
            "managedPolicyArns": [
                "arn:aws:iam::aws:policy/AdministratorAccess",
                Ref("Managed"),
                "arn:aws:iam::123456789012:policy/external",
                Unknown(),
            ],
        },
        name="the-role",
        arn="arn:aws:iam::123456789012:role/the-role",
    )
    add(scope, Kind.IAM_POLICY, "Managed", {"managedPolicyName": "Mgd", "policyDocument": doc()})
    add(
        scope,
        Kind.IAM_POLICY,
        "Named",
        {"policyName": "ByRoles", "policyDocument": doc(), "roles": [Ref("Role")]},
    )
    add(
        scope,
        Kind.IAM_POLICY,
        "ByName",
        {"policyName": "ByLiteralName", "policyDocument": doc(), "roles": ["the-role"]},
    )
    add(
        scope,
        Kind.IAM_POLICY,
        "Other",
        {"policyName": "Other", "policyDocument": doc(), "roles": ["someone-else"]},
    )
    add(
        scope,
        Kind.IAM_POLICY,
        "Customer",
        {"policyName": "Cust", "policyDocument": doc()},
        arn="arn:aws:iam::123456789012:policy/cust",
    )
    add(
        scope,
        Kind.IAM_POLICY_ATTACHMENT,
        "Attach1",
        {"role": Ref("Role"), "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
    )
    add(
        scope,
        Kind.IAM_POLICY_ATTACHMENT,
        "Attach2",
        {"roles": ["the-role"], "policyArn": "arn:aws:iam::123456789012:policy/cust"},
    )
    add(
        scope,
        Kind.IAM_POLICY_ATTACHMENT,
        "Attach3",  # the same policy again: listed once
        {"roles": [Ref("Role")], "policyArn": Ref("Managed")},
    )
    return scope, role


def test_policies_of_role_from_every_place() -> None:
    scope, role = _scope()
    sources = policies_of_role(scope, role)
    assert [(s.name, s.origin.address) for s in sources] == [
        ("Inline", "Role"),
        ("AdministratorAccess", "Role"),
        ("Mgd", "Role"),
        ("ByRoles", "Named"),
        ("ByLiteralName", "ByName"),
        ("PowerUserAccess", "Attach1"),
        ("Cust", "Attach2"),
    ]
    admin = sources[1]
    assert admin.document is None and admin.aws_managed
    assert sources[2].document is not None and sources[2].policy is scope.by_address["Managed"]


def test_managed_policy_arns_lists_known_arns() -> None:
    scope, role = _scope()
    arns = managed_policy_arns(scope, role)
    assert [(a.arn, a.origin.address) for a in arns] == [
        ("arn:aws:iam::aws:policy/AdministratorAccess", "Role"),
        ("arn:aws:iam::123456789012:policy/external", "Role"),
        ("arn:aws:iam::aws:policy/PowerUserAccess", "Attach1"),
        ("arn:aws:iam::123456789012:policy/cust", "Attach2"),
    ]
    assert arns[0].aws_name == "AdministratorAccess" and arns[1].aws_name is None


def test_a_role_without_policies() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role = add(scope, Kind.IAM_ROLE, "Bare", {"policies": "odd", "managedPolicyArns": Unknown()})
    assert policies_of_role(scope, role) == []
    assert managed_policy_arns(scope, role) == []


# -- job definition roles -------------------------------------------------------------------


def test_job_definition_roles_in_every_layout() -> None:
    scope = Scope("t.yaml", "cloudformation")
    jd = add(
        scope,
        Kind.JOB_DEFINITION,
        "Job",
        {
            "containerProperties": {"jobRoleArn": "a", "executionRoleArn": "b"},
            "ecsProperties": {"taskProperties": [{"taskRoleArn": "c", "executionRoleArn": "d"}]},
            "nodeProperties": {
                "nodeRangeProperties": [
                    {"container": {"jobRoleArn": "e"}},
                    {"ecsProperties": {"taskProperties": [{"taskRoleArn": "f"}]}},
                    {"container": Unknown()},
                ]
            },
            "eksProperties": {"podProperties": {"serviceAccountName": "sa"}},
        },
    )
    assert isinstance(jd, JobDefinition)
    found = job_definition_roles(jd)
    assert [(f.node.text(), f.label) for f in found] == [
        ("a", "containerProperties.jobRoleArn"),
        ("b", "containerProperties.executionRoleArn"),
        ("c", "ecsProperties.taskProperties[0].taskRoleArn"),
        ("d", "ecsProperties.taskProperties[0].executionRoleArn"),
        ("e", "nodeRangeProperties[0].container.jobRoleArn"),
        ("f", "nodeRangeProperties[1].ecsProperties.taskProperties[0].taskRoleArn"),
    ]
    assert [f.execution for f in found] == [False, True, False, True, False, False]


def test_the_same_policy_reached_twice_is_listed_once() -> None:
    # Terraform reports an aws_iam_role_policy again in the role's computed inline_policy
    scope = Scope("plan.json", "terraform-plan")
    statement = allow("s3:PutObject")
    role = add(
        scope,
        Kind.IAM_ROLE,
        "aws_iam_role.r",
        {
            "policies": [{"policyName": "w", "policyDocument": doc(statement)}],
            "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
    )
    add(
        scope,
        Kind.IAM_POLICY,
        "aws_iam_role_policy.w",
        {"policyName": "w", "policyDocument": doc(statement), "roles": [Ref("aws_iam_role.r")]},
    )
    add(
        scope,
        Kind.IAM_POLICY_ATTACHMENT,
        "aws_iam_role_policy_attachment.a",
        {
            "roles": [Ref("aws_iam_role.r")],
            "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
    )
    assert [s.name for s in policies_of_role(scope, role)] == ["w", "AdministratorAccess"]
