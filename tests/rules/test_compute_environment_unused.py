"""compute-environment-unused: only with queues in scope, none of which may name it."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Node, Origin, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "compute-environment-unused")


def scope_with(*queues: Any, name: Any = None, min_vcpus: Any = None) -> Scope:
    """Environments Used (named "used") and Idle (named ``name``), and queues listing
    ``queues`` (each a list of computeEnvironment values, or a raw order value)."""
    scope = Scope("t", "cloudformation")
    add(scope, Kind.COMPUTE_ENVIRONMENT, "Used", {"computeEnvironmentName": "used"}, name="used")
    idle: dict[str, Any] = {"computeResources": {"type": "EC2"}}
    if name is not None:
        idle["computeEnvironmentName"] = name
    if min_vcpus is not None:
        idle["computeResources"]["minvCpus"] = min_vcpus
    add(scope, Kind.COMPUTE_ENVIRONMENT, "Idle", idle, name=name if isinstance(name, str) else None)
    for i, order in enumerate(queues):
        if isinstance(order, list):
            order = [{"order": n, "computeEnvironment": ce} for n, ce in enumerate(order, 1)]
        add(scope, Kind.JOB_QUEUE, f"Queue{i}", {"computeEnvironmentOrder": order})
    return scope


def run(scope: Scope, address: str = "Idle") -> list[str]:
    assert RULE.check is not None
    ce = scope.by_address[address]
    return [hit.message for hit in RULE.check(ce, Context(scope))]


def test_message_names_the_queues_and_the_warm_vcpus() -> None:
    assert run(scope_with([Ref("Used")])) == [
        "Compute environment is not used by the job queue in this template (Queue0), so it runs no "
        "job: add it to a queue's computeEnvironmentOrder or delete it."
    ]
    (message,) = run(scope_with(*[[Ref("Used")]] * 5, min_vcpus=16))
    assert "any of the 5 job queues in this template (Queue0, Queue1, Queue2, …)" in message
    assert "so it runs no job while keeping 16 vCPUs running:" in message
    assert run(scope_with([Ref("Used")]), "Used") == []


def test_no_queue_in_scope_is_silence() -> None:
    assert run(scope_with()) == []


def test_used_by_reference_name_or_arn_in_any_position() -> None:
    assert run(scope_with([Ref("Used"), Ref("Idle")])) == []
    assert run(scope_with([Ref("Used")], [Ref("Used"), Ref("Used"), Ref("Idle")])) == []
    assert run(scope_with(["idle"], name="idle")) == []
    arn = "arn:aws:batch:us-east-1:123456789012:compute-environment/idle"
    assert run(scope_with([arn], name="idle")) == []


def test_entries_that_may_be_it_keep_it_silent() -> None:
    external = "arn:aws:batch:us-east-1:123456789012:compute-environment/shared"
    # an unknown entry, an unknown list, an entry of an unknown shape
    assert run(scope_with([Unknown()])) == []
    assert run(scope_with(Unknown())) == []
    assert run(scope_with([Ref("Used")], [Ref("Elsewhere")])) == []
    # a literal that is not in scope: only when this environment's name is unknown
    assert len(run(scope_with([external]))) == 1
    assert run(scope_with([external], name=Unknown())) == []
    assert len(run(scope_with([external], name="idle"))) == 1


def test_conditional_entries() -> None:
    def conditional(first: Any, second: Any) -> Scope:
        scope = scope_with([Ref("Used")])
        entry = scope.by_address["Queue0"].props.get("computeEnvironmentOrder", 0)
        assert entry is not None and isinstance(entry.raw, dict)
        alts = tuple(build(v) if v is not None else None for v in (first, second))
        entry.raw["computeEnvironment"] = Node(None, Origin.UNKNOWN, "/c", alts=alts)
        return scope

    assert run(conditional(Ref("Used"), Ref("Idle"))) == []
    assert len(run(conditional(Ref("Used"), None))) == 1
    assert run(conditional(Ref("Used"), Unknown())) == []
    # a whole entry under a condition may be anything
    scope = scope_with([Ref("Used")])
    order = scope.by_address["Queue0"].props.get("computeEnvironmentOrder")
    assert order is not None and isinstance(order.raw, list)
    order.raw.append(Node(None, Origin.UNKNOWN, "/e", alts=(build({"order": 2}), None)))
    assert run(scope) == []


def test_odd_shapes_do_not_raise() -> None:
    assert len(run(scope_with("not a list"))) == 1
    assert len(run(scope_with([None]))) == 1
    assert len(run(scope_with([{"nested": Ref("Idle")}]))) == 1
