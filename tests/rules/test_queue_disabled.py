"""queue-disabled: only a state that is DISABLED in every outcome fires."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "queue-disabled")


def run(state: Any = None) -> list[str]:
    scope = Scope("t.yaml", "cloudformation")
    props = {"priority": 1} if state is None else {"priority": 1, "state": state}
    queue = add(scope, Kind.JOB_QUEUE, "Queue", props)
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(queue, Context(scope))]


def test_disabled_fires() -> None:
    assert run("DISABLED") == [
        "Job queue is DISABLED, so every job submitted to it is rejected: set state to ENABLED, "
        "or delete the queue if it is no longer used."
    ]
    assert len(run(" disabled ")) == 1


def test_conditional_state() -> None:
    def branches(*values: str | None) -> Node:
        alts = tuple(None if v is None else Node(v) for v in values)
        return Node(None, Origin.UNKNOWN, alts=alts)

    scope = Scope("t.yaml", "cloudformation")
    assert RULE.check is not None
    for alts, fires in ((("DISABLED", "DISABLED"), True), (("ENABLED", "DISABLED"), False)):
        queue = add(scope, Kind.JOB_QUEUE, "Q", {})
        queue.props.raw["state"] = branches(*alts)  # type: ignore[index]
        assert bool(list(RULE.check(queue, Context(scope)))) is fires
    queue = add(scope, Kind.JOB_QUEUE, "Q", {})
    queue.props.raw["state"] = branches("DISABLED", None)  # type: ignore[index]
    assert list(RULE.check(queue, Context(scope))) == []  # NoValue: ENABLED by default


@pytest.mark.parametrize("state", [None, "ENABLED", Unknown(), 1, ["DISABLED"]])
def test_silent(state: Any) -> None:
    assert run(state) == []
