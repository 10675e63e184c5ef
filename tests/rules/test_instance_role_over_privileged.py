"""instance-role-over-privileged: profile -> roles, which grants count, messages, silence;
and the over-broad ranking it shares with job-role-wildcard-permissions."""

from __future__ import annotations

from typing import Any

from batchlint.iam import Breadth, admin_like, grants_summary, over_broad_grants
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, allow, doc

RULE = next(r for r in builtin_rules() if r.name == "instance-role-over-privileged")
ECS = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


def role(scope: Scope, address: str, *statements: dict[str, Any], **props: Any) -> Resource:
    body: dict[str, Any] = {"managedPolicyArns": [ECS], **props}
    if statements:
        body["policies"] = [{"policyName": "extra", "policyDocument": doc(*statements)}]
    return add(scope, Kind.IAM_ROLE, address, body, name=address.lower())


def profile(scope: Scope, address: str, *roles: Any) -> Resource:
    return add(scope, Kind.INSTANCE_PROFILE, address, {"roles": list(roles)}, name=address.lower())


def run(scope: Scope, instance_role: Any, compute_type: Any = "EC2") -> list[tuple[str, str]]:
    resources: dict[str, Any] = {"instanceRole": instance_role}
    if compute_type is not None:
        resources["type"] = compute_type
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "CE", {"computeResources": resources})
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(ce, Context(scope))
    ]


def test_message_names_role_profile_and_worst_grant() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "InstanceRole",
        allow("ecs:*"),
        managedPolicyArns=[ECS, "arn:aws:iam::aws:policy/AmazonS3FullAccess"],
    )
    profile(scope, "Profile", Ref("InstanceRole"))
    ((message, pointer),) = run(scope, Ref("Profile"))
    assert message == (
        "Instance role InstanceRole (instance profile Profile) has the AWS managed policy "
        "AmazonS3FullAccess attached, and 1 more over-broad statement; every job on these "
        "instances can use it through the instance metadata service: keep the role to "
        "AmazonEC2ContainerServiceforEC2Role and give jobs scoped job roles."
    )
    assert pointer == "/Resources/CE/Properties/computeResources/instanceRole"


def test_a_role_named_directly_and_every_role_of_a_profile() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Named", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    ((message, _),) = run(scope, "arn:aws:iam::123456789012:instance-profile/named")
    assert message.startswith("Instance role Named allows every action except NotAction")

    scope = Scope("t.yaml", "cloudformation")
    role(scope, "A", allow("*"))
    role(scope, "B", allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/t"))
    role(scope, "C")
    profile(scope, "Profile", Ref("A"), Ref("B"), Ref("C"), Ref("Missing"))
    found = run(scope, "profile")  # the profile's physical name
    assert [m.split(" (")[0] for m, _ in found] == ["Instance role A", "Instance role B"]


def test_what_ecs_instances_need_is_not_a_finding() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(
        scope,
        "Needed",
        allow(["logs:CreateLogStream", "logs:PutLogEvents", "ec2:CreateTags"]),
        allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*"),
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        managedPolicyArns=[
            ECS,
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ],
    )
    profile(scope, "Profile", Ref("Needed"))
    assert run(scope, Ref("Profile")) == []


def test_versioned_full_access_policies_are_admin_like() -> None:
    assert admin_like("CloudWatchFullAccessV2") and admin_like("AmazonS3FullAccess")
    assert not admin_like("CloudWatchAgentServerPolicy")
    assert not admin_like("AmazonEC2ContainerRegistryReadOnly")
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "R", managedPolicyArns=[ECS, "arn:aws:iam::aws:policy/CloudWatchFullAccessV2"])
    profile(scope, "P", Ref("R"))
    ((message, _),) = run(scope, Ref("P"))
    assert "has the AWS managed policy CloudWatchFullAccessV2 attached;" in message


def test_ranking_shared_with_job_roles() -> None:
    scope = Scope("t.yaml", "cloudformation")
    r = role(scope, "R", allow("s3:PutObject"), allow("sqs:*"), allow("*"))
    assert over_broad_grants(scope, r) == [
        "allows every action ('*') in statement 2 of policy 'extra'",
        "allows every action of a service ('sqs:*') in statement 1 of policy 'extra'",
        "allows 's3:PutObject' on every resource ('*') in statement 0 of policy 'extra'",
    ]
    narrow = over_broad_grants(scope, r, up_to=Breadth.SERVICE_WILDCARD)
    assert narrow == over_broad_grants(scope, r)[:2]
    assert grants_summary(narrow) == (
        "allows every action ('*') in statement 2 of policy 'extra', and 1 more over-broad "
        "statement"
    )
    assert grants_summary(narrow[:1]) == narrow[0]


def test_silent_cases() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role(scope, "Broad", allow("*"))
    profile(scope, "Profile", Ref("Broad"))
    role(scope, "UnknownDoc", policies=[{"policyName": "x", "policyDocument": Unknown()}])
    profile(scope, "UnknownProfile", Ref("UnknownDoc"))
    profile(scope, "EmptyProfile")
    add(scope, Kind.IAM_POLICY, "NotARole", {"policyDocument": doc(allow("*"))})
    for value, compute_type in (
        (Ref("Profile"), "FARGATE"),
        (Ref("Profile"), "fargate_spot"),
        (Ref("UnknownProfile"), "EC2"),
        (Ref("EmptyProfile"), "EC2"),
        (Ref("NotARole"), "EC2"),
        (Ref("Missing"), "EC2"),
        ("ecsInstanceRole", "EC2"),
        (Unknown(), "EC2"),
    ):
        assert run(scope, value, compute_type) == [], value
    # an unknown compute type does not hide an instance role
    assert len(run(scope, Ref("Profile"), Unknown())) == 1
    assert len(run(scope, Ref("Profile"), None)) == 1


def test_odd_shapes_do_not_raise() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.INSTANCE_PROFILE, "P", {"roles": "text"}, name="p")
    add(scope, Kind.INSTANCE_PROFILE, "Q", {"roles": [{"a": 1}, 3]}, name="q")
    role(scope, "R", policies="nope", managedPolicyArns={"a": 1})
    for value in (Ref("P"), Ref("Q"), "r", ["p"], {"x": 1}, 5):
        assert run(scope, value) == []
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "CE", {"computeResources": "text"})
    assert RULE.check is not None
    assert list(RULE.check(ce, Context(scope))) == []
