"""min-vcpus-always-on: the cost estimate, its Region and snapshot, and the fallbacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from batchlint import prices
from batchlint.cost.estimate import dollars
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from . import scanning
from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "min-vcpus-always-on")


def run(ce: Resource, region: str = "us-east-1") -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope, region=region))]


def env(compute: dict[str, Any], **props: Any) -> Resource:
    scope = Scope("t.yaml", "cloudformation")
    body = {"type": "MANAGED", "computeResources": {"maxvCpus": 256, **compute}, **props}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", body)


def per_vcpu(region: str, instance_type: str, vcpus: int) -> float:
    hourly = prices.ec2_hourly(region, instance_type)
    assert hourly is not None
    return hourly / vcpus


def test_on_demand_estimate_names_type_rate_snapshot_and_region() -> None:
    ce = env({"type": "EC2", "minvCpus": 32, "instanceTypes": ["c6i", "m6i"]})
    (message,) = run(ce)
    monthly = per_vcpu("us-east-1", "c6i.large", 2) * 32 * 730
    assert round(monthly) == 993  # $0.085/h for 2 vCPUs
    assert message == (
        "Compute environment keeps 32 vCPUs running at all times (minvCpus 32): about "
        "$993/month at c6i.large on-demand rates (estimate from AWS public list prices, EC2 "
        f"on-demand as of {prices.as_of('us-east-1')}, us-east-1); set minvCpus to 0 unless a "
        "warm pool is needed."
    )


def test_spot_adds_the_advisor_savings() -> None:
    ce = env({"type": "SPOT", "minvCpus": 16, "instanceTypes": ["c6i.2xlarge"]})
    (message,) = run(ce)
    advice = prices.spot("us-east-1", "c6i.2xlarge")
    assert advice is not None
    savings = advice[0]
    assert message.startswith("Spot compute environment keeps 16 vCPUs running at all times")
    assert f"at its {savings}% average Spot savings" in message
    assert f"Spot advisor as of {prices.load().spot_as_of}, us-east-1)" in message


def test_region_changes_the_price_and_the_snapshot_date() -> None:
    ce = env({"type": "EC2", "minvCpus": 32, "instanceTypes": ["c6i"]})
    (message,) = run(ce, region="eu-west-1")
    monthly = per_vcpu("eu-west-1", "c6i.large", 2) * 32 * 730
    assert f"about ${float(f'{monthly:.3g}'):,.0f}/month at c6i.large" in message
    assert f"as of {prices.as_of('eu-west-1')}, eu-west-1)" in message


def test_region_from_scan_options(tmp_path: Path) -> None:
    template = (
        "Resources:\n"
        "  Ce:\n"
        "    Type: AWS::Batch::ComputeEnvironment\n"
        "    Properties:\n"
        "      Type: MANAGED\n"
        "      ComputeResources:\n"
        "        Type: EC2\n"
        "        MinvCpus: 4\n"
        "        MaxvCpus: 16\n"
        "        InstanceTypes: [m7i.large]\n"
        "        Subnets: [subnet-0123456789abcdef0]\n"
        "        InstanceRole: ecsInstanceRole\n"
    )
    (finding,) = scanning.findings(
        tmp_path, template, RULE.code, name="t.yaml", region="ap-southeast-2"
    )
    assert finding.message.endswith(
        f"as of {prices.as_of('ap-southeast-2')}, ap-southeast-2); set minvCpus to 0 unless a "
        "warm pool is needed."
    )
    assert finding.pointer == "/Resources/Ce/Properties/ComputeResources/MinvCpus"


@pytest.mark.parametrize(
    ("types", "region"),
    [
        (Unknown(), "us-east-1"),  # a parameter without default
        (["zz9.large"], "us-east-1"),  # not in the instance facts
        (["c6i"], "mars-east-1"),  # no prices for the Region
    ],
)
def test_flags_without_a_dollar_figure_when_prices_are_unknown(types: Any, region: str) -> None:
    ce = env({"type": "EC2", "minvCpus": 16, "instanceTypes": types})
    assert run(ce, region=region) == [
        "Compute environment keeps 16 vCPUs running at all times (minvCpus 16), billed even "
        "when no job runs; set minvCpus to 0 unless a warm pool is needed."
    ]


def test_a_damaged_price_snapshot_gives_no_dollar_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("prices.json.gz: not a gzip file")

    monkeypatch.setattr(prices, "load", broken)
    ce = env({"type": "EC2", "minvCpus": 1, "instanceTypes": ["c6i"]})
    assert run(ce) == [
        "Compute environment keeps 1 vCPU running at all times (minvCpus 1), billed even when "
        "no job runs; set minvCpus to 0 unless a warm pool is needed."
    ]


@pytest.mark.parametrize(
    ("compute", "props"),
    [
        ({"type": "EC2", "minvCpus": 0, "instanceTypes": ["c6i"]}, {}),
        ({"type": "EC2", "instanceTypes": ["c6i"]}, {}),  # the default, 0
        ({"type": "EC2", "minvCpus": Unknown(), "instanceTypes": ["c6i"]}, {}),
        ({"type": "FARGATE", "minvCpus": 4}, {}),
        ({"type": "EC2", "minvCpus": 4, "instanceTypes": ["c6i"]}, {"type": "UNMANAGED"}),
        ({"type": Unknown(), "minvCpus": 4, "instanceTypes": ["c6i"]}, {}),
    ],
)
def test_silent(compute: dict[str, Any], props: dict[str, Any]) -> None:
    assert run(env(compute, **props)) == []


def test_dollar_rounding() -> None:
    assert [dollars(x) for x in (4.267, 62.4, 992.8, 1150.4, 12345.0)] == [
        "$4.27",
        "$62",
        "$993",
        "$1,150",
        "$12,300",
    ]
