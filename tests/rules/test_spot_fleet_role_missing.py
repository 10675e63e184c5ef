"""spot-fleet-role-missing: what counts as a role, the default strategy, where it points."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-fleet-role-missing")
_ABSENT = object()
BASE = "/Resources/Ce/Properties/computeResources"


def env(strategy: Any = _ABSENT, role: Any = _ABSENT, compute_type: Any = "SPOT") -> Resource:
    compute: dict[str, Any] = {"type": compute_type, "maxvCpus": 64}
    if strategy is not _ABSENT:
        compute["allocationStrategy"] = strategy
    if role is not _ABSENT:
        compute["spotIamFleetRole"] = role
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.IAM_ROLE, "Role", {"roleName": "fleet"})
    return add(
        scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "computeResources": compute}
    )


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def message(how: str) -> str:
    return (
        f"Spot compute environment uses the BEST_FIT allocation strategy ({how}) without a "
        "spotIamFleetRole, so Batch cannot request Spot capacity and the environment goes "
        "INVALID: set spotIamFleetRole, or use SPOT_PRICE_CAPACITY_OPTIMIZED, which needs no "
        "Spot Fleet role."
    )


def test_default_strategy_points_at_the_compute_resources() -> None:
    assert run(env()) == [(message("by default"), BASE)]


def test_written_strategy_points_at_it() -> None:
    assert run(env("BEST_FIT")) == [(message("as written"), f"{BASE}/allocationStrategy")]


@pytest.mark.parametrize("role", ["", "   "])
def test_a_blank_role_is_no_role_and_is_pointed_at(role: str) -> None:
    assert run(env("BEST_FIT", role)) == [(message("as written"), f"{BASE}/spotIamFleetRole")]


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
        Unknown(),  # a parameter without default
        Ref("Role"),  # !GetAtt Role.Arn
        {"Fn::Unexpected": "x"},  # an odd shape: not known to be missing
        ["arn:aws:iam::123456789012:role/fleet"],
    ],
)
def test_any_role_that_may_be_set_keeps_it_silent(role: Any) -> None:
    assert run(env("BEST_FIT", role)) == []


def test_a_conditional_role_keeps_it_silent() -> None:
    ce = env("BEST_FIT", "placeholder")
    compute = ce.props.get("computeResources")
    assert compute is not None and isinstance(compute.raw, dict)
    pointer = f"{BASE}/spotIamFleetRole"
    alts = (Node(None, Origin.UNKNOWN, pointer, ref="Role"), None)
    compute.raw["spotIamFleetRole"] = Node(None, Origin.UNKNOWN, pointer, alts=alts)
    assert run(ce) == []


@pytest.mark.parametrize(
    ("strategy", "compute_type"),
    [
        ("SPOT_PRICE_CAPACITY_OPTIMIZED", "SPOT"),
        ("SPOT_CAPACITY_OPTIMIZED", "SPOT"),
        (Unknown(), "SPOT"),
        ("BEST_FIT", "EC2"),
        (_ABSENT, "FARGATE_SPOT"),
        (_ABSENT, Unknown()),
    ],
)
def test_silent_without_spot_best_fit(strategy: Any, compute_type: Any) -> None:
    assert run(env(strategy, compute_type=compute_type)) == []
