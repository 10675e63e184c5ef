"""spot-only-queue: every environment must be known Spot before the queue is flagged."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-only-queue")


def run(*order: Any, types: dict[str, Any]) -> list[str]:
    scope = Scope("t.yaml", "cloudformation")
    for address, kind in types.items():
        add(scope, Kind.COMPUTE_ENVIRONMENT, address, {"computeResources": {"type": kind}})
    queue = add(
        scope,
        Kind.JOB_QUEUE,
        "Queue",
        {
            "computeEnvironmentOrder": [
                {"order": i, "computeEnvironment": ce} for i, ce in enumerate(order, 1)
            ]
        },
    )
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(queue, Context(scope))]


def test_message_lists_the_spot_environments_once() -> None:
    assert run(Ref("A"), Ref("B"), Ref("A"), types={"A": "SPOT", "B": "SPOT"}) == [
        "Job queue is backed only by Spot capacity (A, B), so its jobs wait whenever Spot is "
        "short: add an On-Demand compute environment after the Spot one."
    ]
    assert len(run(Ref("F"), types={"F": "FARGATE_SPOT"})) == 1


def test_silent_when_any_environment_may_be_on_demand() -> None:
    assert run(Ref("A"), Ref("B"), types={"A": "SPOT", "B": "EC2"}) == []
    assert run(Ref("A"), Ref("B"), types={"A": "FARGATE_SPOT", "B": "FARGATE"}) == []
    assert (
        run(Ref("A"), "arn:aws:batch:us-east-1:1:compute-environment/x", types={"A": "SPOT"}) == []
    )
    assert run(Ref("A"), Unknown(), types={"A": "SPOT"}) == []
    assert run(Ref("A"), types={"A": Unknown()}) == []
    assert run(types={}) == []
