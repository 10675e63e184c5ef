"""queue-without-runnable-timeout: absent or empty fires; anything written or unknown is silent."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "queue-without-runnable-timeout")


def run(**props: Any) -> list[str]:
    scope = Scope("t.yaml", "cloudformation")
    queue = add(scope, Kind.JOB_QUEUE, "Queue", {"priority": 1, **props})
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(queue, Context(scope))]


MESSAGE = (
    "Job queue has no jobStateTimeLimitActions, so a job that no compute environment can place "
    "waits in RUNNABLE with no error: add a CANCEL action for RUNNABLE jobs after a time limit "
    "(600 to 86400 seconds)."
)


def test_absent_or_empty_fires() -> None:
    assert run() == [MESSAGE]
    assert run(jobStateTimeLimitActions=[]) == [MESSAGE]
    assert run(jobQueueType="ECS_FARGATE") == [MESSAGE]


@pytest.mark.parametrize(
    "props",
    [
        {"jobStateTimeLimitActions": [{"state": "RUNNABLE", "maxTimeSeconds": Unknown()}]},
        {"jobStateTimeLimitActions": Unknown()},
        {"jobStateTimeLimitActions": {"state": "RUNNABLE"}},  # a lone action, not a list
        {"jobQueueType": "SAGEMAKER_TRAINING"},
        {"jobQueueType": Unknown()},
    ],
)
def test_silent(props: dict[str, Any]) -> None:
    assert run(**props) == []
