"""fair-share-policy-ineffective: weights, use by queues, and AWS's bounds."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "fair-share-policy-ineffective")

WEIGHTED = {"shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 1}]}


def run(policy: dict[str, Any], *queue_arns: Any, name: str | None = "p") -> list[str]:
    """The messages for one policy; each of ``queue_arns`` is a queue's schedulingPolicyArn
    (``None``: a queue without one). With no queue arguments, one queue uses the policy."""
    scope = Scope("t.yaml", "cloudformation")
    target = add(scope, Kind.SCHEDULING_POLICY, "Policy", policy, name=name)
    for i, arn in enumerate(queue_arns if queue_arns else (Ref("Policy"),)):
        props: dict[str, Any] = {"priority": 1}
        if arn is not None:
            props["schedulingPolicyArn"] = arn
        add(scope, Kind.JOB_QUEUE, f"Queue{i}", props)
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(target, Context(scope))]


def shares(*pairs: tuple[Any, Any]) -> dict[str, Any]:
    return {
        "fairsharePolicy": {
            "shareDistribution": [{"shareIdentifier": s, "weightFactor": w} for s, w in pairs]
        }
    }


def test_no_weights() -> None:
    assert run({}) == [
        "Scheduling policy has no fairsharePolicy, so every share identifier gets the same "
        "weight (1.0): add a fairsharePolicy whose shareDistribution weights the share "
        "identifiers your jobs use."
    ]
    assert run({"fairsharePolicy": {"computeReservation": 5}}) == [
        "Scheduling policy's fairsharePolicy has no shareDistribution, so every share "
        "identifier gets the same weight (1.0): list the share identifiers your jobs use with "
        "their weightFactor."
    ]
    assert len(run({"fairsharePolicy": {"shareDistribution": []}})) == 1
    assert run({"quotaSharePolicy": {"idleResourceAssignmentStrategy": "FIFO"}}) == []
    assert run({"fairsharePolicy": Unknown()}) == []
    assert run({"fairsharePolicy": {"shareDistribution": Unknown()}}) == []


def test_unused_only_when_no_queue_may_use_it() -> None:
    policy = {"fairsharePolicy": WEIGHTED}
    assert run(policy, None, None) == [
        "Scheduling policy is used by none of the 2 job queues in this template (as "
        "schedulingPolicyArn), so it schedules nothing: attach it to the queue it was written "
        "for, or remove it."
    ]
    (one,) = run(policy, None)
    assert one.startswith("Scheduling policy is not used by the job queue in this template")
    assert run(policy, Ref("Policy"), None) == []
    assert run(policy, "arn:aws:batch:us-east-1:1:scheduling-policy/p") == []  # by name
    # a queue names a policy batchlint cannot resolve: it may be this one
    assert run(policy, None, Unknown()) == []
    assert run(policy, None, "arn:aws:batch:us-east-1:1:scheduling-policy/other") == []
    assert run(policy, None, Ref("Elsewhere")) == []
    # no queue in the file at all: the policy may serve queues of another stack
    scope = Scope("t.yaml", "cloudformation")
    alone = add(scope, Kind.SCHEDULING_POLICY, "Policy", policy)
    assert RULE.check is not None
    assert list(RULE.check(alone, Context(scope))) == []


def test_bounds() -> None:
    policy = {"fairsharePolicy": {**WEIGHTED, "computeReservation": -1, "shareDecaySeconds": 1e6}}
    assert run(policy) == [
        "Scheduling policy sets computeReservation to -1, outside the 0 to 99 AWS Batch "
        "accepts, so the policy cannot be created: use a value in that range.",
        "Scheduling policy sets shareDecaySeconds to 1000000, outside the 0 to 604800 AWS Batch "
        "accepts, so the policy cannot be created: use a value in that range.",
    ]
    edges = {"fairsharePolicy": {**WEIGHTED, "computeReservation": 99, "shareDecaySeconds": 0}}
    assert run(edges) == []
    assert run(shares(("a", 0.0001), ("b", "999.9999"), ("c", Unknown()), ("d", "lots"))) == []
    assert run(shares(("teamA", 0.00001))) == [
        "Scheduling policy gives share identifier 'teamA' a weightFactor of 1e-05, outside the "
        "0.0001 to 999.9999 AWS Batch accepts, so the policy cannot be created: use a weight in "
        "that range."
    ]


@pytest.mark.parametrize(
    ("ident", "valid"),
    [
        ("teamA", True),
        ("TeamA*", True),
        ("*", True),
        ("a" * 255, True),
        ("a" * 256, False),
        ("", False),
        ("team-a", True),  # "alphanumeric" in the docs; other characters stay unflagged
        ("team_a", True),
        ("team*a", False),
        ("**", False),
    ],
)
def test_share_identifier_pattern(ident: str, valid: bool) -> None:
    messages = run(shares((ident, 1)))
    assert (messages == []) is valid
    if not valid:
        assert "is not 1 to 255 characters" in messages[0]
        assert len(messages[0]) < 300  # a long identifier is shortened in the message


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ("UserA*", "UserA1", True),
        ("UserA1", "UserA*", True),
        ("UserA*", "UserA*", True),
        ("UserA", "UserA", True),
        ("UserA*", "UserB", False),
        ("UserA", "UserA1", False),
        ("*", "UserA", False),  # a lone "*" is not judged
    ],
)
def test_overlapping_identifiers(first: str, second: str, overlap: bool) -> None:
    messages = run(shares((first, 1), (second, 2)))
    assert messages == (
        [
            f"Scheduling policy's share identifiers {first!r} and {second!r} overlap, which AWS "
            "Batch rejects: give each share identifier or prefix one entry."
        ]
        if overlap
        else []
    )


@pytest.mark.parametrize(
    "policy",
    [
        {"fairsharePolicy": "weird"},
        {"fairsharePolicy": {"shareDistribution": "x", "computeReservation": "many"}},
        {"fairsharePolicy": {"shareDistribution": [None, 3, {"weightFactor": 0}]}},
    ],
)
def test_odd_shapes_do_not_raise(policy: dict[str, Any]) -> None:
    run(policy)
