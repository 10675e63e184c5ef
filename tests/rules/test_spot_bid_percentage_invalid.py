"""spot-bid-percentage-invalid: the values it accepts and the ones it reports."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-bid-percentage-invalid")
ADVICE = (
    ": use a whole number from 1 to 100 (the most a Spot Instance may cost, as a percentage of "
    "On-Demand), or leave it out for 100."
)


def env(bid: Any, compute_type: Any = "SPOT") -> Resource:
    compute = {"type": compute_type, "maxvCpus": 64, "bidPercentage": bid}
    scope = Scope("t.yaml", "cloudformation")
    return add(
        scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "computeResources": compute}
    )


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


@pytest.mark.parametrize(
    ("bid", "problem"),
    [
        (150, "150, above 100% of the On-Demand price"),
        ("101", "101, above 100% of the On-Demand price"),
        (-20, "-20, which is negative"),
        (55.5, "55.5, which is not a whole number"),
        ("lots", '"lots", which is not a number'),
        ("60%", '"60%", which is not a number'),
        ("inf", '"inf", which is not a number'),
        (1e300, "1e+300, above 100% of the On-Demand price"),
    ],
)
def test_reports_what_is_wrong(bid: Any, problem: str) -> None:
    assert run(env(bid)) == [f"Spot compute environment sets bidPercentage to {problem}{ADVICE}"]


@pytest.mark.parametrize(
    "bid", [1, 60, 100, "60", " 100 ", 60.0, 0, "0", Unknown(), True, [150], {"a": 150}]
)
def test_accepts_valid_unset_unknown_and_odd_values(bid: Any) -> None:
    assert run(env(bid)) == []


@pytest.mark.parametrize("compute_type", ["EC2", "FARGATE", "FARGATE_SPOT", Unknown()])
def test_only_spot_environments(compute_type: Any) -> None:
    assert run(env(150, compute_type)) == []


def test_points_at_the_value() -> None:
    ce = env(150)
    assert RULE.check is not None
    (hit,) = RULE.check(ce, Context(ce.scope))
    assert hit.at is not None
    assert hit.at.pointer == "/Resources/Ce/Properties/computeResources/bidPercentage"
