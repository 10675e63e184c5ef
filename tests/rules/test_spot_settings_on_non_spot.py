"""spot-settings-on-non-spot: one message per setting, and what does not count as set."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context, Severity

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-settings-on-non-spot")
BASE = "/Resources/Ce/Properties/computeResources"
SPOT_MEANT = "or set computeResources.type to SPOT if Spot capacity was meant"


def env(compute_type: Any = "EC2", **settings: Any) -> Resource:
    compute: dict[str, Any] = {"type": compute_type, "maxvCpus": 64, **settings}
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.IAM_ROLE, "Role", {"roleName": "fleet"})
    return add(
        scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "computeResources": compute}
    )


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def test_severity_is_a_warning_because_two_cases_deploy() -> None:
    assert RULE.severity is Severity.WARNING


def test_one_message_per_setting() -> None:
    ce = env(
        allocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED",
        bidPercentage=60,
        spotIamFleetRole=Ref("Role"),
    )
    assert run(ce) == [
        (
            "On-Demand compute environment sets allocationStrategy SPOT_PRICE_CAPACITY_OPTIMIZED, "
            "which exists only for Spot, so AWS Batch rejects the environment: use "
            f"BEST_FIT_PROGRESSIVE, {SPOT_MEANT}.",
            f"{BASE}/allocationStrategy",
        ),
        (
            "On-Demand compute environment sets bidPercentage 60, which Batch ignores, launching "
            f"On-Demand instances at full price: remove it, {SPOT_MEANT}.",
            f"{BASE}/bidPercentage",
        ),
        (
            "On-Demand compute environment sets spotIamFleetRole, which Batch ignores on "
            f"On-Demand capacity: remove it, {SPOT_MEANT}.",
            f"{BASE}/spotIamFleetRole",
        ),
    ]


@pytest.mark.parametrize(
    "strategy",
    [
        "SPOT_CAPACITY_OPTIMIZED",
        "SPOT_PRICE_CAPACITY_OPTIMIZED",
        "SPOT_CAPACITY_OPTIMIZED_PRIORITIZED",
    ],
)
def test_every_spot_only_strategy(strategy: str) -> None:
    (hit,) = run(env(allocationStrategy=strategy))
    assert f"sets allocationStrategy {strategy}," in hit[0]


@pytest.mark.parametrize(
    ("bid", "shown"), [("80", "80"), (55.5, "55.5"), ("lots", '"lots"'), (150, "150")]
)
def test_bid_percentage_is_shown_as_written(bid: Any, shown: str) -> None:
    (hit,) = run(env(bidPercentage=bid))
    assert hit[0].startswith(f"On-Demand compute environment sets bidPercentage {shown}, ")


@pytest.mark.parametrize(
    "settings",
    [
        {"allocationStrategy": "BEST_FIT_PROGRESSIVE"},
        {"allocationStrategy": "BEST_FIT_PROGRESSIVE_ORDERED"},
        {"allocationStrategy": Unknown()},
        {"bidPercentage": 0},  # Terraform's "not set"
        {"bidPercentage": "0"},
        {"bidPercentage": ""},
        {"bidPercentage": Unknown()},  # may be 0
        {"bidPercentage": [60]},  # odd shapes
        {"bidPercentage": {"a": 1}},
        {"bidPercentage": True},
        {"spotIamFleetRole": ""},
        {"spotIamFleetRole": "  "},
        {"spotIamFleetRole": {"a": 1}},
    ],
)
def test_silent_on_what_is_not_a_spot_setting(settings: dict[str, Any]) -> None:
    assert run(env(**settings)) == []


@pytest.mark.parametrize("compute_type", ["SPOT", "FARGATE", "FARGATE_SPOT", Unknown(), "ec2"])
def test_only_on_demand_capacity_is_checked(compute_type: Any) -> None:
    ce = env(compute_type, allocationStrategy="SPOT_CAPACITY_OPTIMIZED", bidPercentage=60)
    assert run(ce) == []


def test_a_setting_present_in_one_branch_only_is_not_flagged() -> None:
    ce = env(bidPercentage=1, spotIamFleetRole="x")
    compute = ce.props.get("computeResources")
    assert compute is not None and isinstance(compute.raw, dict)
    for key, value in (("bidPercentage", 70), ("spotIamFleetRole", "arn:aws:iam::1:role/f")):
        pointer = f"{BASE}/{key}"
        some: tuple[Node | None, ...] = (Node(value, pointer=pointer), None)
        compute.raw[key] = Node(None, Origin.UNKNOWN, pointer, alts=some)
    assert run(ce) == []
    for key, value in (("bidPercentage", 70), ("spotIamFleetRole", "arn:aws:iam::1:role/f")):
        pointer = f"{BASE}/{key}"
        both: tuple[Node | None, ...] = (Node(value, pointer=pointer), Node(value, pointer=pointer))
        compute.raw[key] = Node(None, Origin.UNKNOWN, pointer, alts=both)
    assert [pointer for _, pointer in run(ce)] == [
        f"{BASE}/bidPercentage",
        f"{BASE}/spotIamFleetRole",
    ]
