"""batchlint.job_secrets and the IAM evaluation the secrets rules share (iam.allows,
iam.wide_grants, iam.every_resource): what a container reads, and whether a role may."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.containers import containers
from batchlint.iam import Target, allows, every_resource, role_documents, wide_grants
from batchlint.job_secrets import execution_roles, secret_key, secret_target, secret_uses
from batchlint.model import JobDefinition, Kind, Node, Origin, Scope

from .model_builders import Ref, Unknown, add, allow, build, doc

SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret"
ECS = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def _role(scope: Scope, *statements: dict[str, Any], managed: list[Any] | None = None) -> Any:
    props: dict[str, Any] = {"managedPolicyArns": managed if managed is not None else [ECS]}
    if statements:
        props["policies"] = [{"policyName": "p", "policyDocument": doc(*statements)}]
    return add(scope, Kind.IAM_ROLE, "Role", props)


def _allows(scope: Scope, action: str, target: Target) -> bool | None:
    role = scope.by_address["Role"]
    documents = role_documents(scope, role)
    return None if documents is None else allows(scope, documents, action, target)


SECRET = Target("secretsmanager", arn=f"{SM}:prod/db-AbCdEf")
READ = "secretsmanager:GetSecretValue"


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([], False),  # the ECS managed policy grants no secrets
        ([allow(READ, f"{SM}:prod/db-*")], True),
        ([allow(READ, f"{SM}:prod/db-??????")], True),
        ([allow(READ, f"{SM}:prod/db")], False),  # the real ARN has the suffix
        ([allow(READ, f"{SM}:staging/*")], False),
        ([allow("secretsmanager:Get*", "*")], True),
        ([allow("SecretsManager:getsecretvalue", "*")], True),  # actions ignore case
        ([allow(READ, f"{SM}:PROD/db-*")], False),  # resources do not
        ([allow("s3:GetObject", "*")], False),
        ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], True),
        ([{"Effect": "Allow", "NotAction": "secretsmanager:*", "Resource": "*"}], False),
        ([{"Effect": "Allow", "Action": READ, "NotResource": f"{SM}:prod/*"}], False),
        (
            [allow(READ, "*"), {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}],
            False,
        ),
        (
            [allow(READ, "*"), {"Effect": "Deny", "Action": READ, "Resource": f"{SM}:other-*"}],
            True,
        ),
        # a Condition on the deciding statement, an unknown action or resource: cannot tell
        ([allow(READ, "*", Condition={"Bool": {"aws:SecureTransport": "true"}})], None),
        ([allow(Unknown(), "*")], None),
        ([allow(READ, Unknown())], None),
        (
            [
                allow(READ, "*"),
                {"Effect": "Deny", "Action": READ, "Resource": "*", "Condition": {"x": {}}},
            ],
            None,
        ),
        ([{"Effect": Unknown(), "Action": READ, "Resource": "*"}], None),
    ],
)
def test_allows_on_a_known_arn(statements: list[dict[str, Any]], expected: bool | None) -> None:
    scope = Scope("t.yaml", "cloudformation")
    _role(scope, *statements)
    assert _allows(scope, READ, SECRET) is expected


def test_a_secret_named_without_its_suffix() -> None:
    partial = Target("secretsmanager", arn=f"{SM}:prod/db", partial=True)
    for resource, expected in (
        (f"{SM}:prod/db-*", True),
        (f"{SM}:prod/db*", True),
        (f"{SM}:prod/db", False),  # IAM matches the full ARN, suffix included
        (f"{SM}:prod/db-AbCdEf", None),  # may be this very secret
        (f"{SM}:prod/other-*", False),
    ):
        scope = Scope("t.yaml", "cloudformation")
        _role(scope, allow(READ, resource))
        assert _allows(scope, READ, partial) is expected, resource


def test_an_ssm_parameter_named_without_its_arn() -> None:
    named = Target("ssm", resource="parameter/prod/api-key")
    for resource, expected in (
        ("arn:aws:ssm:*:*:parameter/prod/*", True),
        ("arn:aws:ssm:*:*:parameter/staging/*", False),
        ("arn:aws:ssm:us-east-1:123456789012:parameter/prod/*", None),  # region, account?
        ("arn:aws:s3:::bucket/*", False),
        ("*", True),
    ):
        scope = Scope("t.yaml", "cloudformation")
        _role(scope, allow("ssm:GetParameters", resource))
        assert _allows(scope, "ssm:GetParameters", named) is expected, resource
    scope = Scope("t.yaml", "cloudformation")
    _role(scope, allow("ssm:GetParameter", "*"))  # the agent calls GetParameters
    assert _allows(scope, "ssm:GetParameters", named) is False


def test_references_match_the_resource_they_name() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.SECRET, "Db", {"name": "prod/db"})
    add(scope, Kind.SECRET, "Other", {"name": "prod/other"})
    _role(scope, allow(READ, Ref("Db")))
    assert _allows(scope, READ, Target("secretsmanager", ref="Db")) is True
    assert _allows(scope, READ, Target("secretsmanager", ref="Other")) is False
    # a reference to something that is not a secret in scope: cannot tell
    assert _allows(scope, READ, Target("secretsmanager", ref="Elsewhere")) is None


@pytest.mark.parametrize(
    "managed",
    [
        [ECS, "arn:aws:iam::123456789012:policy/outside-the-scope"],
        [ECS, "arn:aws:iam::aws:policy/SomeManagedPolicyNotKnown"],
        [Unknown()],
        Unknown(),
    ],
)
def test_a_policy_that_cannot_be_read_keeps_the_role_unknown(managed: Any) -> None:
    scope = Scope("t.yaml", "cloudformation")
    role = _role(scope, allow("s3:GetObject", "*"), managed=managed)
    assert role_documents(scope, role) is None


def test_policies_that_may_name_the_role_keep_it_unknown() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role = _role(scope)
    assert role_documents(scope, role) is not None
    add(scope, Kind.IAM_POLICY, "Maybe", {"roles": [Unknown()], "policyDocument": doc()})
    assert role_documents(scope, role) is None


def test_known_aws_managed_policies() -> None:
    scope = Scope("t.yaml", "cloudformation")
    _role(scope, managed=[ECS, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])
    parameter = Target("ssm", arn="arn:aws:ssm:us-east-1:123456789012:parameter/x")
    assert _allows(scope, "ssm:GetParameters", parameter) is True
    assert _allows(scope, READ, SECRET) is False


@pytest.mark.parametrize(
    ("pattern", "service", "kind", "every"),
    [
        ("*", "secretsmanager", "secret:", True),
        ("arn:aws:secretsmanager:*:*:secret:*", "secretsmanager", "secret:", True),
        ("arn:*:secretsmanager:*", "secretsmanager", "secret:", True),
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
            "secretsmanager",
            "secret:",
            True,
        ),
        ("arn:aws:secretsmanager:*:*:secret:prod/*", "secretsmanager", "secret:", False),
        ("arn:aws:secretsmanager:*:*:secret:db-AbCdEf", "secretsmanager", "secret:", False),
        ("arn:aws:ssm:*:*:parameter/*", "ssm", "parameter/", True),
        ("arn:aws:ssm:*:*:parameter*", "ssm", "parameter/", True),
        ("arn:aws:ssm:*:*:parameter/app/*", "ssm", "parameter/", False),
        ("arn:aws:ssm:*:*:document/*", "ssm", "parameter/", False),
        ("arn:aws:s3:::*", "ssm", "parameter/", False),
    ],
)
def test_every_resource(pattern: str, service: str, kind: str, every: bool) -> None:
    assert every_resource(pattern, service, kind) is every


def test_wide_grants_name_the_statement_and_respect_denies() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role = _role(
        scope,
        {**allow(["s3:GetObject", "secretsmanager:*"], "*"), "Sid": "Wide"},
        allow("ssm:GetParametersByPath", "arn:aws:ssm:*:*:parameter/*"),
        {"Effect": "Deny", "Action": "ssm:*", "Resource": "*"},
    )
    found = wide_grants(scope, role, (READ,), "secretsmanager", "secret:")
    assert [(g.label(), g.action, g.resource) for g in found] == [
        ("statement 'Wide' of policy 'p'", "secretsmanager:*", "*")
    ]
    ssm = ("ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath")
    assert wide_grants(scope, role, ssm, "ssm", "parameter/") == []


# -- what containers read, and with which execution role ---------------------------------------


def _job(props: dict[str, Any]) -> tuple[Scope, JobDefinition]:
    scope = Scope("t.yaml", "cloudformation")
    jd = add(scope, Kind.JOB_DEFINITION, "Job", props)
    assert isinstance(jd, JobDefinition)
    return scope, jd


def test_secret_uses_and_execution_roles_of_every_layout() -> None:
    secrets = [{"name": "A", "valueFrom": "/a"}]
    log = {"logDriver": "splunk", "secretOptions": [{"name": "splunk-token", "valueFrom": "/t"}]}
    _, jd = _job(
        {
            "containerProperties": {"executionRoleArn": "r1", "secrets": secrets},
            "ecsProperties": {
                "taskProperties": [
                    {
                        "executionRoleArn": "r2",
                        "containers": [{"name": "x", "logConfiguration": log}, {"name": "y"}],
                    }
                ]
            },
            "nodeProperties": {
                "nodeRangeProperties": [{"targetNodes": "0:", "container": {"secrets": secrets}}]
            },
            "eksProperties": {"podProperties": {"containers": [{"name": "e", "env": []}]}},
        }
    )
    roles = execution_roles(jd)
    seen = []
    for container in containers(jd):
        role = roles.get(id(container.node))
        uses = [(u.label, u.where) for u in secret_uses(container)]
        seen.append(
            (container.label, role.label if role else None, role.absent if role else None, uses)
        )
    assert seen == [
        ("the container (containerProperties)", "containerProperties.executionRoleArn", False,
         [("secret A", "secrets")]),
        ('ECS task container "x"', "ecsProperties.taskProperties[0].executionRoleArn", False,
         [("log option splunk-token", "logConfiguration.secretOptions")]),
        ('ECS task container "y"', "ecsProperties.taskProperties[0].executionRoleArn", False, []),
        ('the container of node range "0:"',
         "nodeRangeProperties[0].container.executionRoleArn", True, [("secret A", "secrets")]),
        ('EKS container "e"', None, None, []),
    ]  # fmt: skip


def test_an_if_with_a_role_in_one_branch_is_not_absent() -> None:
    _, jd = _job({"containerProperties": {"image": "x"}})
    holder = jd.props.get("containerProperties")
    assert holder is not None and isinstance(holder.raw, dict)
    role_ref = Node(None, Origin.UNKNOWN, ref="Role")
    holder.raw["executionRoleArn"] = Node(None, Origin.UNKNOWN, alts=(role_ref, None))
    (role,) = execution_roles(jd).values()
    assert role.absent is False
    holder.raw["executionRoleArn"] = Node(None, Origin.UNKNOWN, alts=(None, None))
    (role,) = execution_roles(jd).values()
    assert role.absent is True


@pytest.mark.parametrize(
    ("value_from", "expected"),
    [
        (f"{SM}:prod/db-AbCdEf", Target("secretsmanager", arn=f"{SM}:prod/db-AbCdEf")),
        (
            f"{SM}:prod/db-AbCdEf:password:AWSCURRENT:",
            Target("secretsmanager", arn=f"{SM}:prod/db-AbCdEf"),
        ),
        (f"{SM}:prod/db", Target("secretsmanager", arn=f"{SM}:prod/db", partial=True)),
        (
            "arn:aws:ssm:us-east-1:123456789012:parameter/a/b",
            Target("ssm", arn="arn:aws:ssm:us-east-1:123456789012:parameter/a/b"),
        ),
        ("/a/b", Target("ssm", resource="parameter/a/b")),
        ("plain-name", Target("ssm", resource="parameter/plain-name")),
        ("arn:aws:s3:::bucket/key", None),
        (Unknown(), None),
    ],
)
def test_secret_target(value_from: Any, expected: Target | None) -> None:
    scope = Scope("t.yaml", "cloudformation")
    assert secret_target(scope, build(value_from)) == expected


def test_secret_target_and_key_of_a_secret_in_scope() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.SECRET, "Db", {"name": "prod/db", "kmsKeyId": Ref("Key")})
    add(scope, Kind.SECRET, "Plain", {"name": "prod/plain"})
    add(scope, Kind.SECRET, "AwsKey", {"name": "prod/aws", "kmsKeyId": "alias/aws/secretsmanager"})
    target = secret_target(scope, build(Ref("Db")))
    assert target == Target("secretsmanager", resource="secret:prod/db", ref="Db", partial=True)
    found = secret_key(scope, build(Ref("Db")))
    assert found is not None and found[1] == Target("kms", ref="Key")
    assert secret_key(scope, build(Ref("Plain"))) is None
    assert secret_key(scope, build(Ref("AwsKey"))) is None


@pytest.mark.parametrize(("other", "known"), [(Unknown(), False), (None, True)])
def test_an_if_with_an_unknown_branch_keeps_the_role_unknown(other: Any, known: bool) -> None:
    scope = Scope("t.yaml", "cloudformation")
    role = _role(scope)
    props = role.props.raw
    assert isinstance(props, dict)
    alts = (build([ECS]), None if other is None else build(other))
    props["managedPolicyArns"] = Node(None, Origin.UNKNOWN, alts=alts)
    assert (role_documents(scope, role) is not None) is known


def test_a_resource_in_an_if_with_an_unknown_branch_cannot_be_told() -> None:
    scope = Scope("t.yaml", "cloudformation")
    role = _role(scope, allow(READ, f"{SM}:staging/*"))
    documents = role_documents(scope, role)
    assert documents is not None
    statement = documents[0][1].get("Statement", 0)
    assert statement is not None and isinstance(statement.raw, dict)
    known = build(f"{SM}:staging/*")
    statement.raw["Resource"] = Node(None, Origin.UNKNOWN, alts=(known, build(Unknown())))
    assert allows(scope, documents, READ, SECRET) is None
    statement.raw["Resource"] = Node(None, Origin.UNKNOWN, alts=(known, build(f"{SM}:other-*")))
    assert allows(scope, documents, READ, SECRET) is False


def test_literal_texts_of_every_known_branch() -> None:
    from batchlint.job_secrets import literal_texts

    either = Node(None, Origin.UNKNOWN, alts=(build("a"), build(Unknown()), None))
    assert literal_texts(either) == ["a"]
    assert literal_texts(build("b")) == ["b"] and literal_texts(build(Unknown())) == []
