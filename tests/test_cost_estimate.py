"""The cost model, figure by figure, recomputed by hand from the bundled price snapshot.

Every literal below is worked out in the comment beside it from the prices that
``test_the_prices_these_figures_come_from`` pins; a snapshot refresh that moves a price fails
that test first, and then the figures need recomputing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from batchlint import prices, schema
from batchlint.cost.estimate import (
    Cost,
    Range,
    best_fit,
    citation,
    dollar_range,
    estimate_compute_environment,
    estimate_job_definition,
    estimate_scope,
)
from batchlint.cost.usage import load_usage
from batchlint.engine import ScanOptions, scan
from batchlint.model import Kind, Scope
from batchlint.reporters import render

from .conftest import FIXTURES, REPO
from .rules.model_builders import Unknown, add

COST = FIXTURES / "cost"
SNAPSHOT = prices.load()
US_EC2 = f"AWS public list prices, EC2 on-demand as of {SNAPSHOT.as_of('us-east-1')} (us-east-1)"


def costs(path: Path, region: str = "us-east-1", usage: Path | None = None) -> dict[str, Any]:
    """The JSON cost entries of one file, by resource address."""
    loaded = load_usage(usage) if usage is not None else None
    report = scan([str(path)], ScanOptions(select=["BL-META"], region=region, usage=loaded))
    assert not report.findings and report.files_scanned
    return {entry["resource"]: entry for entry in report.costs}


def money(low: float, high: float | None = None) -> dict[str, float]:
    return {"low": low, "high": low if high is None else high}


def test_the_prices_these_figures_come_from() -> None:
    hourly = SNAPSHOT.ec2_hourly
    assert hourly("us-east-1", "c6i.large") == 0.085  # $0.0425 per vCPU-hour
    assert hourly("us-east-1", "m6i.xlarge") == 0.192  # $0.048
    assert hourly("us-east-1", "r6i.large") == 0.126  # $0.063
    assert hourly("eu-west-1", "c6i.large") == 0.0912  # $0.0456
    assert hourly("eu-west-1", "c6i.xlarge") == 0.1824
    assert hourly("eu-west-1", "m6i.xlarge") == 0.214  # $0.0535
    assert hourly("eu-west-1", "r6i.large") == 0.141  # $0.0705
    assert SNAPSHOT.spot("us-east-1", "c6i.large") == (63, "5-10%")
    assert SNAPSHOT.spot("us-east-1", "r6i.large") == (68, ">20%")
    assert SNAPSHOT.spot("us-east-1", "m6i.xlarge") == (55, "5-10%")
    assert SNAPSHOT.spot("eu-west-1", "c6i.large") == (54, "<5%")
    assert SNAPSHOT.spot("eu-west-1", "r6i.large") == (55, "15-20%")
    assert SNAPSHOT.spot("eu-west-1", "m6i.xlarge") == (56, "5-10%")
    us, eu = SNAPSHOT.fargate("us-east-1"), SNAPSHOT.fargate("eu-west-1")
    assert us is not None and eu is not None
    assert (us.vcpu_hour, us.gb_hour) == (0.04048, 0.004445)
    assert (us.spot_vcpu_hour, us.spot_gb_hour) == (0.01288561, 0.00141493)
    assert (eu.spot_vcpu_hour, eu.spot_gb_hour) == (0.01225536, 0.00134573)


# -- compute environments ------------------------------------------------------------------


def test_ec2_floor_and_ceiling_us_east_1() -> None:
    cost = costs(COST / "ec2.yaml")["OnDemand"]
    # c6i.large 0.085/2 = 0.0425 (cheapest), m6i.xlarge 0.192/4 = 0.048 (dearest) per vCPU-hour
    assert cost["floor_monthly_usd"] == money(248.20)  # 8 x 730 x 0.0425
    assert cost["ceiling_monthly_usd"] == money(1985.60, 2242.56)  # 64 x 730 x 0.0425 .. 0.048
    assert cost["details"]["cheapest_type"] == {
        "instance_type": "c6i.large",
        "usd_per_vcpu_hour": 0.0425,
    }
    assert cost["details"]["dearest_type"]["instance_type"] == "m6i.xlarge"
    assert cost["prices"] == US_EC2
    assert cost["region"] == "us-east-1" and cost["usage_monthly_usd"] is None


def test_ec2_floor_and_ceiling_eu_west_1() -> None:
    cost = costs(COST / "ec2.yaml", region="eu-west-1")["OnDemand"]
    # c6i.large 0.0912/2 = 0.0456, m6i.xlarge 0.214/4 = 0.0535
    assert cost["floor_monthly_usd"] == money(266.30)  # 8 x 730 x 0.0456 = 266.304
    assert cost["ceiling_monthly_usd"] == money(2130.43, 2499.52)  # 46,720 x 0.0456 .. 0.0535
    assert cost["prices"] == (
        f"AWS public list prices, EC2 on-demand as of {SNAPSHOT.as_of('eu-west-1')} (eu-west-1)"
    )


def test_spot_is_on_demand_based_with_the_advisor_estimate_in_details() -> None:
    cost = costs(COST / "ec2.yaml")["Spot"]
    # on demand: c6i.large 0.0425, r6i.large 0.063 per vCPU-hour
    assert cost["floor_monthly_usd"] == money(124.10)  # 4 x 730 x 0.0425
    assert cost["ceiling_monthly_usd"] == money(992.80, 1471.68)  # 32 x 730 x 0.0425 .. 0.063
    # Spot: c6i.large 0.0425 x 0.37 = 0.015725, r6i.large 0.063 x 0.32 = 0.02016
    assert cost["details"]["spot_monthly"] == {
        "floor": money(45.92),  # 2,920 x 0.015725 = 45.917
        "ceiling": money(367.34, 470.94),  # 23,360 x 0.015725 .. 0.02016
    }
    advisor = cost["details"]["spot_advisor"]
    assert advisor["savings_percent"] == {"low": 63, "high": 68}
    assert advisor["interruption_worst"] == ">20%"
    assert advisor["floor_type"] == "c6i.large"
    assert advisor["types"] == {
        "c6i.large": {"savings_percent": 63, "interruption": "5-10%"},
        "r6i.large": {"savings_percent": 68, "interruption": ">20%"},
    }
    assert "Spot advisor as of 2025-06-28" in cost["prices"]
    assert any("the most Spot capacity can cost" in a for a in cost["assumptions"])


def test_spot_eu_west_1() -> None:
    cost = costs(COST / "ec2.yaml", region="eu-west-1")["Spot"]
    # c6i.large 0.0456 (54% off: 0.020976), r6i.large 0.0705 (55% off: 0.031725)
    assert cost["floor_monthly_usd"] == money(133.15)  # 2,920 x 0.0456 = 133.152
    assert cost["ceiling_monthly_usd"] == money(1065.22, 1646.88)  # 23,360 x 0.0456 .. 0.0705
    assert cost["details"]["spot_monthly"] == {
        "floor": money(61.25),  # 2,920 x 0.020976 = 61.2499
        "ceiling": money(490.00, 741.10),  # 23,360 x 0.020976 .. 0.031725
    }
    assert cost["details"]["spot_advisor"]["interruption_worst"] == "15-20%"


def test_fargate_ceiling_from_the_job_definitions_memory_per_vcpu() -> None:
    entries = costs(COST / "fargate.yaml")
    # job definitions: 0.5 vCPU / 1 GB (2 GB per vCPU) and 2 vCPU / 8 GB (4 GB per vCPU)
    fargate = entries["Fargate"]
    assert fargate["details"]["memory_gb_per_vcpu"] == {"low": 2.0, "high": 4.0}
    assert fargate["floor_monthly_usd"] == money(0.0)
    # 16 x 730 x (0.04048 + 2 x 0.004445 = 0.04937) .. (0.04048 + 4 x 0.004445 = 0.05826)
    assert fargate["ceiling_monthly_usd"] == money(576.64, 680.48)
    assert fargate["prices"] == "AWS public list prices, Fargate as of 2026-09-29 (us-east-1)"
    spot = entries["FargateSpot"]
    # 32 x 730 x (0.01288561 + 2 x 0.00141493 = 0.01571547) .. (+ 4 x: 0.01854533)
    assert spot["ceiling_monthly_usd"] == money(367.11, 433.22)
    assert spot["details"]["usd_per_vcpu_hour"] == 0.01288561


def test_fargate_spot_without_job_definitions_assumes_the_fargate_maximum() -> None:
    cost = costs(COST / "terraform.plan.json")["aws_batch_compute_environment.fargate_spot"]
    assert cost["region"] == "eu-west-1"  # the provider's, not --region
    assert cost["details"]["memory_gb_per_vcpu"] == {"low": 8.0, "high": 8.0}
    # 8 x 730 x (0.01225536 + 8 x 0.00134573 = 0.0230212) = 134.4438
    assert cost["ceiling_monthly_usd"] == money(134.44)
    assert any("Fargate maximum of 8 GB per vCPU" in a for a in cost["assumptions"])


def test_terraform_plan_region_and_family_expansion() -> None:
    cost = costs(COST / "terraform.plan.json", region="us-east-1")[
        "aws_batch_compute_environment.ec2"
    ]
    assert cost["region"] == "eu-west-1"
    assert cost["details"]["priced_types"] == 10  # c6i.large .. c6i.metal
    assert cost["floor_monthly_usd"] == money(133.15)  # 4 x 730 x 0.0456
    assert cost["ceiling_monthly_usd"] == money(4260.86)  # 128 x 730 x 0.0456 (one rate)


def test_optimal_expands_to_the_default_x86_families() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce = add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ce",
        {
            "type": "MANAGED",
            "computeResources": {"type": "EC2", "maxvCpus": 10, "instanceTypes": ["optimal"]},
        },
    )
    cost = estimate_compute_environment(ce, "us-east-1", SNAPSHOT, scope)
    assert cost is not None
    # m6i, c6i, r6i, c7i: cheapest c6i 0.0425, dearest r6i 0.063 per vCPU-hour
    assert cost.details["priced_types"] == 41
    assert cost.details["cheapest_type"]["instance_type"] == "c6i.large"
    assert cost.details["dearest_type"]["instance_type"] == "r6i.large"
    assert cost.ceiling_monthly == Range(310.25, 459.9)  # 7,300 x 0.0425 .. 0.063
    assert cost.floor_monthly == Range(0.0, 0.0)  # minvCpus defaults to 0


# -- job definitions -------------------------------------------------------------------------


def test_ec2_job_shares_the_cheapest_instance_that_fits() -> None:
    cost = costs(COST / "ec2.yaml")["Transcode"]
    # 1 vCPU, 2048 MiB on c6i.large / m6i.xlarge / r6i.large (both environments in the file):
    #   c6i.large: 3,921 MiB registrable (4096 - 64 - 79 - 32): 1 copy  -> $0.085
    #   r6i.large: 16,017 MiB: 2 copies (2 vCPUs)                      -> $0.063
    #   m6i.xlarge: 16,017 MiB: 4 copies (4 vCPUs; memory allows 7)    -> $0.048
    assert cost["details"]["fit"] == {
        "instance_type": "m6i.xlarge",
        "copies": 4,
        "instance_hourly_usd": 0.192,
        "per_job_hour_usd": 0.048,
        "idle_vcpu_fraction": 0.0,
        "idle_memory_fraction": 0.4885,  # 1 - 4 x 2048 / 16017
    }
    assert cost["per_job_hour_usd"] == {"low": 0.048, "high": 0.048}
    assert cost["worst_case_per_submission_usd"] == money(0.14)  # 0.048 x 1 h x 3 attempts
    assert cost["unbounded"] is False
    assert cost["details"]["spot_per_job_hour_usd"] == 0.0216  # a Spot CE: 0.048 x 0.45
    assert cost["usage_monthly_usd"] is None
    assert "Usage-based monthly cost unknown: no usage file given." in cost["assumptions"]


def test_ec2_job_eu_west_1() -> None:
    cost = costs(COST / "ec2.yaml", region="eu-west-1")["Transcode"]
    # m6i.xlarge 0.214 / 4 = 0.0535 beats r6i.large 0.141 / 2 and c6i.large 0.0912
    assert cost["per_job_hour_usd"] == {"low": 0.0535, "high": 0.0535}
    assert cost["worst_case_per_submission_usd"] == money(0.16)  # 0.0535 x 3 = 0.1605
    assert cost["details"]["spot_per_job_hour_usd"] == 0.02354  # 0.0535 x 0.44


def test_fargate_job_without_timeout_is_unbounded() -> None:
    cost = costs(COST / "fargate.yaml")["Small"]
    # 0.5 x 0.04048 + 1 x 0.004445 = 0.024685 on demand;
    # 0.5 x 0.01288561 + 1 x 0.00141493 = 0.007857735 on Fargate Spot (both kinds in scope)
    assert cost["per_job_hour_usd"] == {"low": 0.007858, "high": 0.024685}
    assert cost["unbounded"] is True
    assert cost["worst_case_per_submission_usd"] is None
    assert cost["details"]["fargate_capacity"] == ["FARGATE", "FARGATE_SPOT"]


def test_fargate_job_worst_case() -> None:
    cost = costs(COST / "fargate.yaml")["Big"]
    # 2 x 0.04048 + 8 x 0.004445 = 0.11652; Spot 2 x 0.01288561 + 8 x 0.00141493 = 0.03709066
    assert cost["per_job_hour_usd"] == {"low": 0.037091, "high": 0.11652}
    assert cost["worst_case_per_submission_usd"] == money(0.04, 0.12)  # x 0.5 h x 2 attempts


@pytest.mark.parametrize(
    ("arch", "per_hour"),
    [
        # x86 on the only Fargate capacity, Fargate Spot: 0.01288561 + 2 x 0.00141493
        ("X86_64", 0.015715),
        # the snapshot has no Fargate Spot ARM rate: ARM on demand, 0.03238 + 2 x 0.00356
        ("ARM64", 0.0395),
    ],
)
def test_fargate_job_on_fargate_spot_only(arch: str, per_hour: float) -> None:
    scope = Scope("t.yaml", "cloudformation")
    spot = {"type": "MANAGED", "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 4}}
    add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", spot)
    container = {
        "resourceRequirements": [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "2048"},
        ],
        "runtimePlatform": {"cpuArchitecture": arch},
    }
    props = {"platformCapabilities": ["FARGATE"], "containerProperties": container}
    jd = add(scope, Kind.JOB_DEFINITION, "Jd", props)
    cost = estimate_job_definition(jd, "us-east-1", SNAPSHOT, scope)
    assert cost is not None and cost.per_job_hour is not None
    assert cost.per_job_hour.as_dict(6) == {"low": per_hour, "high": per_hour}
    assert cost.details["architecture"] == arch


# -- usage ---------------------------------------------------------------------------------


def test_usage_based_monthly() -> None:
    entries = costs(COST / "fargate.yaml", usage=COST / "fargate-usage.yaml")
    # Big: 1,000 jobs x 30 min = 500 h; 75% at 0.03709066 and 25% at 0.11652 = 0.056948
    assert entries["Big"]["usage_monthly_usd"] == money(28.47)
    assert entries["Big"]["details"]["usage"]["line"] == 4
    # Small: 2,000 x 6 min = 200 h x 0.007857735 .. 0.024685 (no spot_share: the range)
    assert entries["Small"]["usage_monthly_usd"] == money(1.57, 4.94)
    # the queue: 100 x 60 min = 100 h of Big on its own environments (Spot and on demand)
    queue = entries["Queue"]
    assert queue["kind"] == "job_queue"
    assert queue["details"]["job_definition"] == "Big"
    assert queue["details"]["compute_environments"] == ["FargateSpot", "Fargate"]
    assert queue["usage_monthly_usd"] == money(3.71, 11.65)


def test_usage_in_another_region() -> None:
    entries = costs(COST / "terraform.plan.json", usage=COST / "terraform-usage.yaml")
    render_job = entries["aws_batch_job_definition.render"]
    # 4 vCPU, 7,000 MiB: c6i.xlarge (7,953 MiB registrable) 1 copy at 0.1824 (eu-west-1)
    assert render_job["details"]["fit"]["instance_type"] == "c6i.xlarge"
    assert render_job["per_job_hour_usd"] == {"low": 0.1824, "high": 0.1824}
    assert render_job["worst_case_per_submission_usd"] == money(0.36)  # x 2 h x 1 attempt
    assert render_job["usage_monthly_usd"] == money(68.40)  # 500 x 45 min = 375 h x 0.1824


def test_usage_file_without_an_entry_says_unknown() -> None:
    cost = costs(COST / "ec2.yaml", usage=COST / "terraform-usage.yaml")["Transcode"]
    assert cost["usage_monthly_usd"] is None
    assert cost["assumptions"][-2].endswith(
        "terraform-usage.yaml has no entry for this job definition."
    )


def test_unused_usage_entries_are_listed() -> None:
    usage = load_usage(COST / "fargate-usage.yaml")
    scan([str(COST / "fargate.yaml")], ScanOptions(select=["BL-META"], usage=usage))
    assert [entry.key for entry in usage.unused()] == ["SomewhereElse"]


# -- unknowns: None and a reason, never $0 ---------------------------------------------------


def _ce(compute: dict[str, Any], scope: Scope | None = None, **props: Any) -> Cost:
    scope = scope or Scope("t.yaml", "cloudformation")
    body = {"type": "MANAGED", "computeResources": {"maxvCpus": 8, **compute}, **props}
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", body)
    cost = estimate_compute_environment(ce, "us-east-1", SNAPSHOT, scope)
    assert cost is not None
    return cost


_TYPES_UNKNOWN = "The instance types are unknown."
_NOT_IN_DATA = "Some instance types are not in batchlint's instance data: zz9.large."


@pytest.mark.parametrize(
    ("compute", "props", "floor", "reason"),
    [
        ({"type": "EC2", "minvCpus": 4, "instanceTypes": Unknown()}, {}, None, _TYPES_UNKNOWN),
        ({"type": "EC2", "minvCpus": 4, "instanceTypes": ["zz9.large"]}, {}, None, _NOT_IN_DATA),
        ({"type": "EC2", "instanceTypes": Unknown()}, {}, Range(0.0, 0.0), _TYPES_UNKNOWN),
        (
            {"type": "EC2", "minvCpus": Unknown(), "maxvCpus": Unknown(), "instanceTypes": ["c6i"]},
            {},
            None,
            "maxvCpus is unknown: no ceiling.",
        ),
        (
            {"type": Unknown()},
            {},
            None,
            "Whether it runs EC2, Spot or Fargate capacity is unknown.",
        ),
        ({}, {"type": "UNMANAGED"}, None, "Unmanaged: its instances are launched outside Batch."),
    ],
)
def test_unknown_compute_environment_figures(
    compute: dict[str, Any], props: dict[str, Any], floor: Range | None, reason: str
) -> None:
    cost = _ce(compute, **props)
    assert cost.floor_monthly == floor
    assert cost.ceiling_monthly is None
    assert reason in cost.assumptions


def test_region_without_prices() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce = add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ce",
        {
            "type": "MANAGED",
            "computeResources": {
                "type": "EC2",
                "minvCpus": 2,
                "maxvCpus": 8,
                "instanceTypes": ["c6i"],
            },
        },
    )
    cost = estimate_compute_environment(ce, "mars-east-1", SNAPSHOT, scope)
    assert cost is not None
    assert cost.floor_monthly is None and cost.ceiling_monthly is None
    assert (
        "10 of the 10 allowed instance types have no mars-east-1 price in the snapshot and are "
        "left out." in cost.assumptions
    )


_EC2 = {"type": "MANAGED", "computeResources": {"type": "EC2", "instanceTypes": ["c6i.large"]}}
_REQUESTS = {"vcpus": 1, "memory": 2048}


@pytest.mark.parametrize(
    ("environment", "container", "reason"),
    [
        (None, _REQUESTS, "no EC2 or Spot compute environment in scope to place the job on"),
        (_EC2, {"vcpus": 1}, "the job's vCPU or memory request is unknown"),
        (_EC2, {"vcpus": 1, "memory": Unknown()}, "the job's vCPU or memory request is unknown"),
        ({"type": "UNMANAGED"}, _REQUESTS, "unmanaged compute environment Ce may run any "
         "instance type"),
        (_EC2, {"vcpus": 4, "memory": 2048}, "no allowed instance type with a us-east-1 price "
         "fits the job"),
    ],
)  # fmt: skip
def test_unknown_job_figures(
    environment: dict[str, Any] | None, container: dict[str, Any], reason: str
) -> None:
    scope = Scope("t.yaml", "cloudformation")
    if environment is not None:
        add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", environment)
    jd = add(
        scope,
        Kind.JOB_DEFINITION,
        "Jd",
        {"containerProperties": container, "timeout": {"attemptDurationSeconds": 60}},
    )
    cost = estimate_job_definition(jd, "us-east-1", SNAPSHOT, scope)
    assert cost is not None
    assert cost.per_job_hour is None and cost.worst_case_per_submission is None
    assert cost.unbounded is False
    assert f"Cost unknown: {reason}." in cost.assumptions


def test_multi_node_jobs_are_not_estimated() -> None:
    scope = Scope("t.yaml", "cloudformation")
    jd = add(
        scope, Kind.JOB_DEFINITION, "Jd", {"type": "multinode", "nodeProperties": {"numNodes": 4}}
    )
    cost = estimate_job_definition(jd, "us-east-1", SNAPSHOT, scope)
    assert cost is not None and cost.per_job_hour is None
    assert cost.unbounded  # no timeout either


# -- fitting -----------------------------------------------------------------------------------


def test_best_fit_ties_go_to_the_smaller_instance() -> None:
    # 1 vCPU / 1 GiB: c6i.large fits 2 (0.085 / 2), c6i.xlarge fits 4 (0.17 / 4): same price
    fit = best_fit(1, 1024, 0, ["c6i.xlarge", "c6i.large"], "us-east-1", SNAPSHOT)
    assert fit is not None and (fit.instance_type, fit.copies) == ("c6i.large", 2)
    assert fit.per_job_hour == pytest.approx(0.0425)


def test_best_fit_counts_gpus_and_gives_none_when_nothing_fits() -> None:
    fit = best_fit(4, 8192, 1, ["c6i.2xlarge", "g5.xlarge", "g5.2xlarge"], "us-east-1", SNAPSHOT)
    assert fit is not None and fit.instance_type == "g5.xlarge" and fit.copies == 1
    assert best_fit(4, 8192, 2, ["g5.xlarge"], "us-east-1", SNAPSHOT) is None
    assert best_fit(0, 0, 0, ["c6i.large"], "us-east-1", SNAPSHOT) is None
    assert best_fit(1, 1024, 0, ["c6i.large"], "mars-east-1", SNAPSHOT) is None


# -- the report ----------------------------------------------------------------------------


def test_costs_match_the_published_schema_and_are_deterministic() -> None:
    usage = COST / "fargate-usage.yaml"
    paths = [
        str(p)
        for p in sorted(COST.iterdir())
        if p.suffix in {".json"} or p.name in {"ec2.yaml", "fargate.yaml"}
    ]
    first = scan(paths, ScanOptions(usage=load_usage(usage)))
    again = scan(paths, ScanOptions(usage=load_usage(usage)))
    doc = json.loads(render(first, "json", color=False, tool_version="0", base_dir="."))
    validator = jsonschema.Draft202012Validator(schema.json_schema())
    validator.validate(doc)
    assert len(doc["costs"]) == 11  # 3 + 5 (a queue with usage) + 3
    assert render(first, "json", color=False, tool_version="0", base_dir=".") == render(
        again, "json", color=False, tool_version="0", base_dir="."
    )
    kinds = [(c["file"], c["kind"]) for c in doc["costs"]]
    assert kinds[:4] == [("fixtures/cost/ec2.yaml", "compute_environment")] * 2 + [
        ("fixtures/cost/ec2.yaml", "job_definition"),
        ("fixtures/cost/fargate.yaml", "compute_environment"),
    ]


def test_no_costs_without_compute_environments_or_job_definitions(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties: {Priority: 1}\n"
    )
    assert scan([str(path)]).costs == []


def test_scan_with_costs_loads_no_pydantic() -> None:
    code = (
        "import sys\n"
        "from batchlint.engine import scan\n"
        "report = scan(['fixtures/cost/ec2.yaml'])\n"
        "assert report.costs\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


# -- rules on the cost model ------------------------------------------------------------------


def test_min_vcpus_finding_carries_the_floor() -> None:
    report = scan([str(COST / "ec2.yaml")], ScanOptions(select=["min-vcpus-always-on"]))
    by_resource = {f.resource: f for f in report.findings}
    assert by_resource["OnDemand"].estimated_monthly_cost_usd == pytest.approx(248.2)
    spot = by_resource["Spot"]
    assert spot.estimated_monthly_cost_usd == pytest.approx(124.1)
    assert "about $124/month at c6i.large on-demand rates, about $46/month at its 63%" in (
        spot.message
    )
    sarif = json.loads(render(report, "sarif", color=False, tool_version="0", base_dir="."))
    properties = [r["properties"] for r in sarif["runs"][0]["results"]]
    assert sorted(p["estimatedMonthlyCostUsd"] for p in properties) == [124.1, 248.2]


def test_min_vcpus_names_the_spot_floor_type_when_it_differs() -> None:
    scope = Scope("t.yaml", "cloudformation")
    types = ["c6i.2xlarge", "m6i.2xlarge"]
    cost = _ce({"type": "SPOT", "minvCpus": 16, "maxvCpus": 64, "instanceTypes": types}, scope)
    # c6i.2xlarge 0.0425 at 51% off = 0.020825; m6i.2xlarge 0.048 at 58% off = 0.02016
    assert cost.details["spot_advisor"]["floor_type"] == "m6i.2xlarge"
    assert cost.details["spot_monthly"]["floor"] == Range.exact(16 * 730 * 0.02016)
    fixture = FIXTURES / "rules" / "min-vcpus-always-on" / "cloudformation.yaml"
    report = scan([str(fixture)], ScanOptions(select=["min-vcpus-always-on"]))
    (spot,) = [f for f in report.findings if f.resource == "SpotWarmPool"]
    assert "at c6i.2xlarge on-demand rates, about $235/month at m6i.2xlarge's 58% average" in (
        spot.message
    )  # 16 x 730 x 0.02016 = 235.47


def test_budget_option_reaches_the_rule() -> None:
    path = str(COST / "ec2.yaml")
    assert not scan([path], ScanOptions(select=["max-cost-over-budget"])).findings
    report = scan([path], ScanOptions(select=["max-cost-over-budget"], budget_usd=1000))
    flagged = {f.resource: f for f in report.findings}
    assert sorted(flagged) == ["OnDemand", "Spot"]  # ceilings top out at $2,243 and $1,472
    finding = flagged["OnDemand"]
    assert finding.estimated_monthly_cost_usd == pytest.approx(2242.56)
    assert finding.message == (
        "Compute environment can cost about $1,990–$2,240/month with maxvCpus 64 fully used at "
        "on-demand rates, over the $1,000/month budget (estimate from AWS public list prices, "
        f"EC2 on-demand as of {SNAPSHOT.as_of('us-east-1')}, us-east-1): lower maxvCpus or drop "
        "the dearest instance types."
    )
    assert "(about $367–$471 at average Spot savings)" in flagged["Spot"].message
    # --budget wins over a configured rule option
    options = {"max-cost-over-budget": {"monthly_budget_usd": 100}}
    report = scan([path], ScanOptions(select=["BL-CE-007"], rule_options=options, budget_usd=2000))
    assert [f.resource for f in report.findings] == ["OnDemand"]


def test_wording_helpers() -> None:
    assert dollar_range(Range(1985.6, 2242.56)) == "$1,990–$2,240"
    assert dollar_range(Range(4.5, 4.5)) == "$4.50"
    cost = Cost("Ce", "T", "compute_environment", "t.yaml", "us-east-1", prices=US_EC2)
    assert citation(cost).endswith(f"as of {SNAPSHOT.as_of('us-east-1')}, us-east-1")


def test_estimate_scope_order() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.JOB_DEFINITION, "Jd", {"containerProperties": {"vcpus": 1, "memory": 512}})
    add(scope, Kind.COMPUTE_ENVIRONMENT, "B", {"type": "UNMANAGED"})
    add(scope, Kind.COMPUTE_ENVIRONMENT, "A", {"type": "UNMANAGED"})
    add(scope, Kind.JOB_QUEUE, "Q", {"priority": 1})  # no usage: not listed
    listed = [(c.kind, c.resource) for c in estimate_scope(scope, "us-east-1", SNAPSHOT)]
    assert listed == [
        ("compute_environment", "B"),
        ("compute_environment", "A"),
        ("job_definition", "Jd"),
    ]
