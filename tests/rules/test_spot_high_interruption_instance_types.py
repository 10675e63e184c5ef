"""spot-high-interruption-instance-types: the Region decides, families need every size high,
messages cite the advisor date and suggest steadier look-alikes, prices come from ctx.prices."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from batchlint import instances, prices
from batchlint.engine import ScanOptions, scan
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from ..conftest import FIXTURES
from . import scanning
from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-high-interruption-instance-types")
PLAN = FIXTURES / "rules" / RULE.name / "terraform.plan.json"
SPOT_AS_OF = prices.load().spot_as_of
HEAD = "in the highest Spot interruption-frequency bucket (>20%)"


class FakePrices:
    """A price source answering from small tables, to pin messages independent of the
    bundled snapshot."""

    spot_as_of = "2030-02-28"  # the fetch date of a live source: not what the bucket cites
    fargate_as_of = "2030-01-31"

    def __init__(
        self, spot: dict[str, tuple[int, str]], hourly: dict[str, float] | None = None
    ) -> None:
        self._spot = spot
        self._hourly = hourly or {}

    def as_of(self, region: str) -> str | None:
        return "2030-01-31"

    def snapshot_label(self, region: str | None = None, parts: Iterable[str] = ("ec2",)) -> str:
        assert list(parts) == ["spot"]
        return f"Fake advisor as of 2030-01-31 ({region})"

    def ec2_hourly(self, region: str, instance_type: str) -> float | None:
        return self._hourly.get(instance_type) if region == "eu-west-3" else None

    def fargate(self, region: str) -> None:
        return None

    def spot(self, region: str, instance_type: str) -> tuple[int, str] | None:
        return self._spot.get(instance_type) if region == "eu-west-3" else None

    def ebs_gp3(self, region: str) -> None:
        return None

    def cheapest_per_vcpu_hour(self, region: str, types: list[str]) -> tuple[str, float] | None:
        return None


def env(types: Any, kind: Any = "SPOT", **compute: Any) -> Resource:
    scope = Scope("t.yaml", "cloudformation")
    body = {"type": kind, "maxvCpus": 256, "instanceTypes": types, **compute}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"type": "MANAGED", "computeResources": body})


def run(ce: Resource, source: Any = None, region: str = "eu-west-3") -> list[tuple[str, str]]:
    assert RULE.check is not None
    context = Context(ce.scope, region=region, price_source=source)
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(ce, context)
    ]


POINTER = "/Resources/Ce/Properties/computeResources/instanceTypes"


# -- the Region, from the Terraform provider --------------------------------------------------


def _plan_in(region: str, tmp_path: Path) -> Path:
    plan = json.loads(PLAN.read_text())
    plan["configuration"]["provider_config"]["aws"]["expressions"]["region"] = {
        "constant_value": region
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    return path


def _flagged(path: Path, region: str = "us-east-1") -> list[tuple[str, str]]:
    report = scanning.scan_file(path, RULE.code, region=region)
    assert report.files_scanned
    return sorted((f.resource, f.message.split(" ", 3)[2]) for f in report.findings)


def test_the_terraform_provider_region_decides(tmp_path: Path) -> None:
    east = [
        ("aws_batch_compute_environment.spot_from_variable", "x1e.xlarge"),
        ("aws_batch_compute_environment.spot_high", "c7i.large"),
        ("aws_batch_compute_environment.spot_high", "r6i"),
        ("aws_batch_compute_environment.spot_high", "z1d.large"),
    ]
    assert _flagged(PLAN) == east
    # us-west-2: c7i.large is 5-10% and one r6i size is 10-15%, so both stay silent, while
    # r7g.large (10-15% in us-east-1) is >20% there; --region does not override the provider
    west = _plan_in("us-west-2", tmp_path)
    assert prices.spot("us-west-2", "c7i.large") == (67, "5-10%")
    assert _flagged(west, region="us-east-1") == [
        ("aws_batch_compute_environment.spot_from_variable", "x1e.xlarge"),
        ("aws_batch_compute_environment.spot_high", "z1d.large"),
        ("aws_batch_compute_environment.spot_steady", "r7g.large"),
    ]
    report = scan([str(west)], ScanOptions(select=[RULE.code]))
    cited = f" for us-west-2 (AWS public list prices, Spot advisor as of {SPOT_AS_OF}): "
    assert report.findings and all(cited in f.message for f in report.findings)


def test_bundled_snapshot_message_names_region_date_and_lower_bucket_alternatives() -> None:
    ((message, pointer),) = run(env(["c7i.large"]), region="us-east-1")
    assert pointer == f"{POINTER}/0"
    head = (
        f"Instance type c7i.large is {HEAD} for us-east-1 (AWS public list prices, Spot advisor "
        f"as of {SPOT_AS_OF}): "
    )
    assert message.startswith(head)
    suggested = message.split("such as ", 1)[1].rstrip(".").replace(" or ", ", ").split(", ")
    assert len(suggested) == 3
    for item in suggested:
        name, bucket = item.split(" ")
        advice = prices.spot("us-east-1", name)
        assert advice is not None and f"({advice[1]})" == bucket and advice[1] != ">20%"
        facts, own = instances.facts(name), instances.facts("c7i.large")
        assert facts is not None and own is not None
        assert (facts.vcpus, facts.arch) == (own.vcpus, own.arch) and name.startswith("c")


# -- reading ctx.prices -----------------------------------------------------------------------

SPOT = {
    "c7i.large": (66, ">20%"),
    "c6i.large": (63, "10-15%"),
    "c6a.large": (62, "10-15%"),
    "c6in.large": (61, "<5%"),
    "c7a.large": (60, "5-10%"),
    "c6id.large": (59, "15-20%"),
    "c5.large": (70, "<5%"),  # previous generation: never suggested
    "m7i.large": (65, "<5%"),  # another line
    "c7g.large": (65, "<5%"),  # another architecture
    "c7i.xlarge": (60, "<5%"),  # another size
    "c7i-flex.large": (60, "<5%"),  # flex: not suggested
}
HOURLY = {"c6i.large": 0.085, "c6a.large": 0.0765}


def test_reads_the_context_price_source_and_ranks_by_bucket_then_price() -> None:
    source = FakePrices(SPOT, HOURLY)
    assert run(env(["c7i.large", "m7i.large"]), source) == [
        (
            f"Instance type c7i.large is {HEAD} for eu-west-3 (Fake advisor as of 2030-01-31): "
            "allow similar types that are interrupted less often instead, such as c6in.large "
            "(<5%), c7a.large (5-10%) or c6a.large (10-15%).",
            f"{POINTER}/0",
        )
    ]
    # types the list already allows are not suggested again
    ((message, _),) = run(env(["c7i.large", "c6in.large", "c7a.large"]), source)
    assert message.endswith(
        "such as c6a.large (10-15%), c6i.large (10-15%) or c6id.large (15-20%)."
    )


def test_without_alternatives_the_advice_is_generic() -> None:
    source = FakePrices({"c7i.large": (66, ">20%")})
    ((message, _),) = run(env(["c7i.large"]), source)
    assert message.endswith(
        ": allow more instance families of a similar size that are interrupted less often and "
        "use the SPOT_PRICE_CAPACITY_OPTIMIZED allocation strategy."
    )
    tuned = env(["c7i.large"], allocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED")
    ((message, _),) = run(tuned, source)
    assert message.endswith(
        ": allow more instance families of a similar size that are interrupted less often."
    )


def test_local_disk_types_are_matched_with_local_disk_types() -> None:
    source = FakePrices(
        {
            "c6id.large": (66, ">20%"),
            "c6i.large": (63, "<5%"),  # no instance store: not suggested
            "c5d.large": (63, "<5%"),  # previous generation
            "c8id.large": (60, "10-15%"),
        }
    )
    ((message, _),) = run(env(["c6id.large"]), source)
    assert message.endswith("instead, such as c8id.large (10-15%).")


def test_single_accelerator_types_are_advised_on_demand() -> None:
    source = FakePrices({"inf1.xlarge": (70, ">20%"), "f1.2xlarge": (70, ">20%")})
    found = run(env(["inf1", "f1.2xlarge"]), source)
    assert [pointer for _, pointer in found] == [f"{POINTER}/0", f"{POINTER}/1"]
    for message, _ in found:
        assert message.endswith(
            ": run jobs that need this hardware On-Demand (an EC2 compute environment) or in a "
            "Region where it is interrupted less often."
        )


def test_a_live_unknown_bucket_is_neither_flagged_nor_suggested() -> None:
    source = FakePrices({"c7i.large": (66, ">20%"), "c6i.large": (63, "unknown")})
    ((message, _),) = run(env(["c7i.large"]), source)
    assert "such as" not in message
    assert run(env(["c6i.large"]), source) == []


def test_a_family_is_flagged_only_when_every_listed_size_is_in_the_highest_bucket() -> None:
    sizes = instances.family_types("r6i")
    listed = {name: (70, ">20%") for name in sizes[:4]}  # the other sizes are not listed
    ((message, pointer),) = run(env(["r6i"]), FakePrices(listed))
    assert message.startswith(
        f"Instance family r6i has all 4 of its advisor-listed sizes {HEAD} for eu-west-3"
    )
    assert message.endswith(
        ": allow more instance families that are interrupted less often and use "
        "the SPOT_PRICE_CAPACITY_OPTIMIZED allocation strategy."
    )
    assert pointer == f"{POINTER}/0"
    ((message, _),) = run(env(["r6i"]), FakePrices({sizes[0]: (70, ">20%")}))
    assert "has its only advisor-listed size in" in message
    mixed = {**listed, sizes[-1]: (70, "15-20%")}
    assert run(env(["r6i"]), FakePrices(mixed)) == []


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (["optimal", "default_x86_64", "default_arm64"], "SPOT"),  # AWS-managed keywords
        (["c7g.large", "zz9.large", "zz9"], "SPOT"),  # not in the advisor data / unknown
        (Unknown(), "SPOT"),  # a parameter without default
        ([Unknown(), "c6i.large"], "SPOT"),
        (["c7i.large"], "EC2"),  # On-Demand
        (["c7i.large"], Unknown()),
        (["c7i.large"], "FARGATE_SPOT"),
    ],
)
def test_silent(types: Any, kind: Any) -> None:
    source = FakePrices({**SPOT, "c7g.large": (60, "<5%"), "optimal": (60, ">20%")})
    assert run(env(types, kind), source) == []


def test_silent_in_a_region_the_advisor_does_not_cover() -> None:
    assert run(env(["c7i.large", "r6i"]), region="mars-east-1") == []


def test_a_damaged_price_source_gives_no_finding() -> None:
    class Broken(FakePrices):
        def spot(self, region: str, instance_type: str) -> tuple[int, str] | None:
            raise OSError("prices.json.gz: not a gzip file")

    assert run(env(["c7i.large"]), Broken({})) == []
