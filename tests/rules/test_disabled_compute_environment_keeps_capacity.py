"""disabled-compute-environment-keeps-capacity: the cost figure, its fallbacks, what is silent."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint import prices
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "disabled-compute-environment-keeps-capacity")
FIX = "set minvCpus to 0 while it is disabled."


def env(compute: dict[str, Any], **props: Any) -> Resource:
    scope = Scope("t.yaml", "cloudformation")
    body = {
        "type": "MANAGED",
        "state": "DISABLED",
        "computeResources": {"type": "EC2", "maxvCpus": 256, **compute},
        **props,
    }
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", body)


def hits(ce: Resource, region: str = "us-east-1") -> list[tuple[str, float | None]]:
    assert RULE.check is not None
    return [(h.message, h.cost_usd) for h in RULE.check(ce, Context(ce.scope, region=region))]


def test_on_demand_figure_and_cost() -> None:
    ((message, cost),) = hits(env({"minvCpus": 16, "instanceTypes": ["c6i", "m6i"]}))
    hourly = prices.ec2_hourly("us-east-1", "c6i.large")
    assert hourly is not None
    monthly = 16 * 730 * hourly / 2
    assert round(monthly) == 496
    assert cost == pytest.approx(monthly)
    assert message == (
        "Compute environment is DISABLED but keeps 16 vCPUs running (minvCpus 16), about "
        "$496/month at c6i.large on-demand rates (estimate from AWS public list prices, EC2 "
        f"on-demand as of {prices.as_of('us-east-1')}, us-east-1), billed while no job can use "
        f"them: {FIX}"
    )


def test_spot_adds_the_average_savings_figure() -> None:
    ce = env({"type": "SPOT", "minvCpus": 8, "instanceTypes": ["c6i.2xlarge"]})
    ((message, cost),) = hits(ce)
    assert " on-demand rates or about $" in message
    assert "/month at average Spot savings (estimate from " in message
    assert f"Spot advisor as of {prices.load().spot_as_of}" in message
    assert cost is not None and cost > 0


def test_one_vcpu_in_another_region() -> None:
    ((message, _),) = hits(env({"minvCpus": 1, "instanceTypes": ["m7i"]}), region="eu-west-1")
    assert message.startswith("Compute environment is DISABLED but keeps 1 vCPU running")
    assert (
        f"as of {prices.as_of('eu-west-1')}, eu-west-1), billed while no job can use it:" in message
    )


@pytest.mark.parametrize(
    ("types", "region"),
    [(Unknown(), "us-east-1"), (["zz9.large"], "us-east-1"), (["c6i"], "mars-east-1")],
)
def test_without_a_dollar_figure(types: Any, region: str) -> None:
    assert hits(env({"minvCpus": 8, "instanceTypes": types}), region=region) == [
        (
            "Compute environment is DISABLED but keeps 8 vCPUs running (minvCpus 8), billed "
            f"while no job can use them: {FIX}",
            None,
        )
    ]


def test_a_damaged_price_snapshot_gives_no_dollar_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("prices.json.gz: not a gzip file")

    monkeypatch.setattr(prices, "load", broken)
    ((message, cost),) = hits(env({"minvCpus": 2, "instanceTypes": ["c6i"]}))
    assert cost is None and "(minvCpus 2), billed while" in message


@pytest.mark.parametrize(
    ("compute", "props"),
    [
        ({"minvCpus": 16}, {"state": "ENABLED"}),
        ({"minvCpus": 16}, {"state": None}),  # ENABLED by default
        ({"minvCpus": 16}, {"state": Unknown()}),
        ({"minvCpus": 0}, {}),
        ({}, {}),  # minvCpus 0 by default
        ({"minvCpus": Unknown()}, {}),
        ({"minvCpus": "lots"}, {}),
        ({"minvCpus": 16, "type": "FARGATE"}, {}),
        ({"minvCpus": 16, "type": Unknown()}, {}),
        ({"minvCpus": 16}, {"type": "UNMANAGED"}),
    ],
)
def test_silent(compute: dict[str, Any], props: dict[str, Any]) -> None:
    ce = env({"instanceTypes": ["c6i"], **compute}, **props)
    if props.get("state", "x") is None:
        root = ce.props.raw
        assert isinstance(root, dict)
        del root["state"]
    assert hits(ce) == []
