"""spot-capacity-optimized-allocation: which strategies and capacity types it flags."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-capacity-optimized-allocation")
MESSAGE = (
    "Spot compute environment uses SPOT_CAPACITY_OPTIMIZED, which picks Spot pools by spare "
    "capacity alone: set allocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED, which AWS "
    "recommends, to also weigh price at a similar interruption rate."
)


def env(compute_type: Any, strategy: Any = None) -> Resource:
    compute: dict[str, Any] = {"type": compute_type, "maxvCpus": 64}
    if strategy is not None:
        compute["allocationStrategy"] = strategy
    scope = Scope("t.yaml", "cloudformation")
    return add(
        scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "computeResources": compute}
    )


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def test_message_and_pointer() -> None:
    assert run(env("SPOT", "SPOT_CAPACITY_OPTIMIZED")) == [
        (MESSAGE, "/Resources/Ce/Properties/computeResources/allocationStrategy")
    ]


@pytest.mark.parametrize(
    ("compute_type", "strategy"),
    [
        ("SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED"),
        ("SPOT", "SPOT_CAPACITY_OPTIMIZED_PRIORITIZED"),
        ("SPOT", None),  # BEST_FIT by default: spot-best-fit-allocation's concern
        ("SPOT", Unknown()),
        ("SPOT", ["SPOT_CAPACITY_OPTIMIZED"]),  # an odd shape is no strategy
        ("EC2", "SPOT_CAPACITY_OPTIMIZED"),  # spot-settings-on-non-spot's concern
        ("FARGATE_SPOT", "SPOT_CAPACITY_OPTIMIZED"),
        (Unknown(), "SPOT_CAPACITY_OPTIMIZED"),
    ],
)
def test_silent(compute_type: Any, strategy: Any) -> None:
    assert run(env(compute_type, strategy)) == []


def test_an_fn_if_counts_only_when_its_branches_agree() -> None:
    ce = env("SPOT", "placeholder")
    compute = ce.props.get("computeResources")
    assert compute is not None and isinstance(compute.raw, dict)
    pointer = "/Resources/Ce/Properties/computeResources/allocationStrategy"

    def branches(*values: str | None) -> Node:
        alts = tuple(Node(v, pointer=pointer) if v else None for v in values)
        return Node(None, Origin.UNKNOWN, pointer, alts=alts)

    compute.raw["allocationStrategy"] = branches(
        "SPOT_CAPACITY_OPTIMIZED", "SPOT_CAPACITY_OPTIMIZED"
    )
    assert len(run(ce)) == 1
    compute.raw["allocationStrategy"] = branches("SPOT_CAPACITY_OPTIMIZED", None)
    assert run(ce) == []  # the other branch is BEST_FIT
    compute.raw["allocationStrategy"] = branches(
        "SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"
    )
    assert run(ce) == []
