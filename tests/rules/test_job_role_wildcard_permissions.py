"""job-role-wildcard-permissions: messages, one finding per role, what stays silent."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, allow, doc

RULE = next(r for r in builtin_rules() if r.name == "job-role-wildcard-permissions")


def run(scope: Scope, jd: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope))
    ]


def role(scope: Scope, address: str, *statements: dict[str, Any], **props: Any) -> Resource:
    body: dict[str, Any] = dict(props)
    if statements:
        body["policies"] = [{"policyName": "p", "policyDocument": doc(*statements)}]
    return add(scope, Kind.IAM_ROLE, address, body, name=address.lower())


def job(scope: Scope, **container: Any) -> Resource:
    return add(scope, Kind.JOB_DEFINITION, "Job", {"containerProperties": container})


def test_message_names_role_field_statement_and_action() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "JobRole",
        allow("s3:PutObject"),
        {"Sid": "Everything", "Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": "*"},
    )
    jd = job(scope, jobRoleArn=Ref("JobRole"))
    ((message, pointer),) = run(scope, jd)
    assert message == (
        "Job role JobRole (containerProperties.jobRoleArn) allows every action ('*') in "
        "statement 'Everything' of policy 'p', and 1 more over-broad statement: grant only "
        "the actions and resources the job needs."
    )
    assert pointer == "/Resources/Job/Properties/containerProperties/jobRoleArn"


def test_admin_managed_policy_is_the_worst() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "ExecRole",
        allow("ec2:*"),
        managedPolicyArns=[
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess",
        ],
    )
    jd = job(scope, executionRoleArn=Ref("ExecRole"))
    ((message, _),) = run(scope, jd)
    assert message.startswith(
        "Execution role ExecRole (containerProperties.executionRoleArn) has the AWS managed "
        "policy AdministratorAccess attached, and 1 more over-broad statement:"
    )


def test_one_finding_per_role_even_when_named_twice() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Both", allow("*"))
    role(scope, "Fine", allow("s3:GetObject"))
    jd = add(
        scope,
        Kind.JOB_DEFINITION,
        "Job",
        {
            "nodeProperties": {
                "nodeRangeProperties": [
                    {"container": {"jobRoleArn": Ref("Both"), "executionRoleArn": Ref("Fine")}},
                    {"container": {"jobRoleArn": Ref("Both"), "executionRoleArn": Ref("Both")}},
                ]
            }
        },
    )
    ((message, pointer),) = run(scope, jd)
    assert message.startswith(
        "Job and execution role Both (nodeRangeProperties[0].container.jobRoleArn, "
        "nodeRangeProperties[1].container.jobRoleArn and 1 more) allows every action"
    )
    assert pointer.endswith("/nodeRangeProperties/0/container/jobRoleArn")


def test_conditions_are_mentioned() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "R",
        allow("sqs:SendMessage", Condition={"StringEquals": {"aws:ResourceTag/team": "a"}}),
    )
    ((message, _),) = run(scope, job(scope, jobRoleArn=Ref("R")))
    assert "allows 'sqs:SendMessage' on every resource ('*') under a Condition in statement 0" in (
        message
    )


def test_a_literal_arn_finds_the_role_by_name() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Named", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    jd = job(scope, jobRoleArn="arn:aws:iam::123456789012:role/named")
    ((message, _),) = run(scope, jd)
    assert "allows every action except NotAction ('iam:*', …)" in message


def test_silent_cases() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Scoped", allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*"))
    role(scope, "Reads", allow(["s3:ListBucket", "ecr:GetAuthorizationToken", "s3:Get*"]))
    role(scope, "Denies", {"Effect": "Deny", "Action": "*", "Resource": "*"})
    role(
        scope,
        "Service",
        managedPolicyArns=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
    )
    role(scope, "UnknownDoc", policies=[{"policyName": "x", "policyDocument": Unknown()}])
    add(scope, Kind.IAM_POLICY, "NotARole", {"policyDocument": doc(allow("*"))})
    for value in (
        Ref("Scoped"),
        Ref("Reads"),
        Ref("Denies"),
        Ref("Service"),
        Ref("UnknownDoc"),
        Ref("NotARole"),
        Ref("Missing"),
        Unknown(),
        "arn:aws:iam::123456789012:role/elsewhere",
    ):
        scope_jd = add(
            scope, Kind.JOB_DEFINITION, "J", {"containerProperties": {"jobRoleArn": value}}
        )
        assert run(scope, scope_jd) == [], value


def test_odd_shapes_do_not_raise() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "R", policies="nope", managedPolicyArns={"a": 1})
    for props in (
        {"containerProperties": "text"},
        {"containerProperties": {"jobRoleArn": Ref("R")}},
        {"nodeProperties": {"nodeRangeProperties": "x"}},
        {"ecsProperties": {"taskProperties": [{"taskRoleArn": ["a"]}, "junk"]}},
        {"containerProperties": {"jobRoleArn": {"Fn::Odd": 1}}},
    ):
        assert run(scope, add(scope, Kind.JOB_DEFINITION, "J", props)) == []
