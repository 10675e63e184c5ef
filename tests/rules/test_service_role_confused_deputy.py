"""service-role-confused-deputy: which trust statements count, messages, what stays silent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchlint.iam import unguarded_service_trust
from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "service-role-confused-deputy")
BATCH = "batch.amazonaws.com"


def trust(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def assume(service: Any = BATCH, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        **extra,
    }


def run(document: Any, **ce: Any) -> list[tuple[str, str]]:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.IAM_ROLE, "Role", {"assumeRolePolicyDocument": document}, name="role")
    props = ce or {"serviceRole": Ref("Role")}
    env = add(scope, Kind.COMPUTE_ENVIRONMENT, "CE", props)
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(env, Context(scope))
    ]


def test_message_names_role_statement_and_points_at_the_service_role() -> None:
    ((message, pointer),) = run(trust(assume()))
    assert message == (
        "The service role Role lets batch.amazonaws.com assume it (trust statement 0) with no "
        "aws:SourceAccount or aws:SourceArn condition: add one that names this account, "
        "against the cross-service confused deputy."
    )
    assert pointer == "/Resources/CE/Properties/serviceRole"


def test_spot_fleet_role_and_more_statements() -> None:
    document = trust(
        {"Sid": "Nope", **assume("spotfleet.amazonaws.com"), "Effect": "Deny"},
        {"Sid": "Fleet", **assume(["ec2.amazonaws.com", "spotfleet.amazonaws.com"])},
        assume("spotfleet.amazonaws.com", Action=["sts:TagSession", "sts:AssumeRole"]),
        assume("spotfleet.amazonaws.com", Action="sts:*"),
    )
    fleet = {"type": "SPOT", "spotIamFleetRole": Ref("Role")}
    ((message, pointer),) = run(document, computeResources=fleet)
    assert message.startswith(
        "The Spot Fleet role Role lets spotfleet.amazonaws.com assume it (trust statement "
        "'Fleet' (1) (and 2 more statements)) with no"
    )
    assert pointer.endswith("/computeResources/spotIamFleetRole")
    # the same role as service role: it trusts spotfleet, not batch
    assert run(document) == []
    # Batch uses the Spot Fleet role for Spot capacity only
    for kind in ("EC2", "FARGATE_SPOT", Unknown(), None):
        assert run(document, computeResources={**fleet, "type": kind}) == []


@pytest.mark.parametrize(
    "statement",
    [
        assume(Action="*"),
        assume(Action="STS:AssumeRole"),
        assume(Action="sts:Assume*"),
        assume("batch.amazonaws.com.cn"),
        assume([BATCH]),
        {"Effect": "Allow", "Principal": {"Service": BATCH}, "NotAction": "sts:TagSession"},
        # conditions that do not tie the use to a source
        assume(Condition={"StringNotEquals": {"aws:SourceAccount": "123456789012"}}),
        assume(Condition={"StringEquals": {"aws:PrincipalTag/team": "a"}}),
        assume(Condition={"Null": {"aws:SourceArn": "false"}}),
        assume(Condition={"Bool": {"aws:SecureTransport": "true"}}),
    ],
)
def test_unguarded_statements(statement: dict[str, Any]) -> None:
    assert len(run(trust(statement))) == 1


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        {"StringEquals": {"AWS:SOURCEACCOUNT": "123456789012"}},
        {"StringLike": {"aws:SourceArn": "arn:aws:batch:*:123456789012:*"}},
        {"ArnLike": {"aws:sourcearn": "arn:aws:batch:*:123456789012:*"}},
        {"ArnEquals": {"aws:SourceArn": "arn:aws:batch:us-east-1:123456789012:x"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}},
        {"ForAnyValue:StringLike": {"aws:SourceOrgPaths": "o-a1b2c3/*"}},
        {"StringEquals": {"aws:SourceOrgID": "o-a1b2c3"}},
        {"StringEquals": Unknown()},
        Unknown(),
    ],
)
def test_guarded_statements(condition: Any) -> None:
    assert run(trust(assume(Condition=condition))) == []


def test_silent_cases() -> None:
    for document in (
        trust(assume(Effect="Deny")),
        trust(assume(Effect=Unknown())),
        trust(assume("ecs-tasks.amazonaws.com")),
        trust(assume(Unknown())),
        trust({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
        trust({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"}),
        trust(assume(Action="sts:AssumeRoleWithWebIdentity")),
        trust(assume(Action=Unknown())),
        trust({"Effect": "Allow", "Principal": {"Service": BATCH}, "NotAction": "sts:*"}),
        trust({"Effect": "Allow", "Principal": {"Service": BATCH}}),
        trust(Unknown()),
        {"Statement": Unknown()},
        Unknown(),
        "not json",
        None,
    ):
        assert run(document) == [], document
    for ce in (
        {"serviceRole": Ref("Missing")},
        {"serviceRole": Unknown()},
        {"serviceRole": "arn:aws:iam::123456789012:role/elsewhere"},
        {"computeResources": {"type": "SPOT"}},
        {"computeResources": "text"},
    ):
        assert run(trust(assume(), assume("spotfleet.amazonaws.com")), **ce) == [], ce


def test_role_found_by_literal_arn_and_json_string_documents() -> None:
    assert len(run(trust(assume()), serviceRole="arn:aws:iam::123456789012:role/role")) == 1
    # Terraform's assume_role_policy: a JSON string the source did not parse
    assert len(run(json.dumps(trust(assume())))) == 1
    guarded = trust(assume(Condition={"StringEquals": {"aws:SourceAccount": "1"}}))
    assert run(json.dumps(guarded)) == []


def test_helper_reads_a_lone_statement_and_keeps_sids() -> None:
    (found,) = unguarded_service_trust(build({"Statement": {"Sid": "S", **assume()}}), BATCH)
    assert (found.index, found.sid, found.label()) == (0, "S", "statement 'S' (0)")
    assert unguarded_service_trust(build({"Statement": ["junk", 3]}), BATCH) == []
    assert unguarded_service_trust(None, BATCH) == []
