"""previous-generation-instance-types: one finding per entry, naming the successor."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "previous-generation-instance-types")


def run(types: Any, kind: str = "EC2") -> list[tuple[str, str]]:
    scope = Scope("t.yaml", "cloudformation")
    ce = add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ce",
        {"type": "MANAGED", "computeResources": {"type": kind, "instanceTypes": types}},
    )
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(ce, Context(scope))
    ]


def test_each_entry_is_a_finding_naming_its_successor() -> None:
    found = run(["m4.xlarge", "c7i", "c5", "optimal", "c5d.large"])
    base = "/Resources/Ce/Properties/computeResources/instanceTypes"
    assert found == [
        (
            "Instance type m4.xlarge belongs to family m4, which is on AWS's "
            "previous-generation list: allow m8i instead for more performance per dollar.",
            f"{base}/0",
        ),
        (
            "Instance family c5 is 3 generations behind c8i: allow c8i instead for more "
            "performance per dollar.",
            f"{base}/2",
        ),
        (
            "Instance type c5d.large belongs to family c5d, which is 3 generations behind c8i: "
            "allow c8id instead for more performance per dollar.",
            f"{base}/4",
        ),
    ]


def test_retired_reason_reads_as_one_sentence() -> None:
    ((message, _),) = run(["cc2.8xlarge"], kind="SPOT")
    assert message == (
        "Instance type cc2.8xlarge belongs to family cc2, which is retired (on neither of "
        "AWS's current- and previous-generation lists): allow c8i instead for more "
        "performance per dollar."
    )


def test_silent_on_current_unknown_and_fargate() -> None:
    assert run(["c7i", "m7g.large", "default_arm64", "default_x86_64"]) == []
    assert run(["zz9.large", Unknown()]) == []
    assert run(Unknown()) == []
    assert run(["m4.large"], kind="FARGATE") == []
    assert run(["m4.large"], kind=Unknown()) == []  # type: ignore[arg-type]
