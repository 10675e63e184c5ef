"""The bundled, dated snapshot of AWS public list prices (USD) that cost figures are based on.

``batchlint/data/prices.json.gz`` is distilled by ``scripts/build_data.py`` from
``../shared/data/pricing`` (see ``batchlint/data/SOURCES.md``): EC2 on-demand (Linux) per Region
and instance type, Fargate rates per Region, the Spot Instance Advisor (savings and interruption
frequency), and EBS gp3. Each part carries its own ``as_of`` date, and EC2 prices differ in date
by Region, so every figure printed from here should cite :meth:`Prices.snapshot_label`.

Nothing is read at import time: :func:`load` reads and caches the snapshot on first use.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from batchlint import instances

_DATA = Path(__file__).resolve().parent / "data" / "prices.json.gz"

SOURCE_NAME = "AWS public list prices"
_PART_NAMES = {
    "ec2": "EC2 on-demand",
    "spot": "Spot advisor",
    "fargate": "Fargate",
    "ebs": "EBS gp3",
}


@dataclass(frozen=True, slots=True)
class FargateRates:
    """Fargate list prices for one Region (Linux), per vCPU-hour and per GB-hour of memory."""

    region: str
    vcpu_hour: float
    gb_hour: float
    spot_vcpu_hour: float | None
    spot_gb_hour: float | None
    arm_vcpu_hour: float | None
    arm_gb_hour: float | None
    arm_derived: bool  # ARM rates estimated as x86 x 0.8 (not published for this Region here)
    ephemeral_storage_gb_hour: float | None  # above the 20 GB included; us-east-1 only
    as_of: str

    def hourly(
        self, vcpus: float, memory_gb: float, *, arm: bool = False, spot: bool = False
    ) -> float | None:
        """Hourly cost of a task of this size, or None if that rate is not in the snapshot."""
        if spot:
            if arm:  # Fargate Spot on ARM is not in the snapshot
                return None
            per_vcpu, per_gb = self.spot_vcpu_hour, self.spot_gb_hour
        elif arm:
            per_vcpu, per_gb = self.arm_vcpu_hour, self.arm_gb_hour
        else:
            per_vcpu, per_gb = self.vcpu_hour, self.gb_hour
        if per_vcpu is None or per_gb is None:
            return None
        return vcpus * per_vcpu + memory_gb * per_gb


@dataclass(frozen=True, slots=True)
class EbsGp3Rates:
    """EBS gp3 list prices for one Region."""

    region: str
    gb_month: float
    iops_month: float  # per provisioned IOPS-month above the 3,000 included
    mibps_month: float  # per MiB/s-month of throughput above the 125 MiB/s included
    as_of: str


class PriceSource(Protocol):
    """What cost figures read prices from: the bundled snapshot (:class:`Prices`) or a live
    source that answers the same questions and says which it used."""

    def as_of(self, region: str) -> str | None: ...

    @property
    def spot_as_of(self) -> str: ...

    @property
    def fargate_as_of(self) -> str: ...

    def snapshot_label(self, region: str | None = None, parts: Iterable[str] = ("ec2",)) -> str: ...

    def ec2_hourly(self, region: str, instance_type: str) -> float | None: ...

    def fargate(self, region: str) -> FargateRates | None: ...

    def spot(self, region: str, instance_type: str) -> tuple[int, str] | None: ...

    def ebs_gp3(self, region: str) -> EbsGp3Rates | None: ...

    def cheapest_per_vcpu_hour(self, region: str, types: list[str]) -> tuple[str, float] | None: ...


class Prices:
    """The price snapshot. Get it from :func:`load`."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._ec2: dict[str, Any] = raw["ec2"]
        self._fargate: dict[str, Any] = raw["fargate"]
        self._spot: dict[str, Any] = raw["spot"]
        self._ebs: dict[str, Any] = raw["ebs_gp3"]
        self._ec2_regions: dict[str, dict[str, float]] = self._ec2["regions"]
        self._fargate_fields: list[str] = self._fargate["fields"]

    # -- dates and labels -------------------------------------------------------------------

    def regions(self) -> frozenset[str]:
        """Regions with EC2 on-demand prices (USD regions only)."""
        return frozenset(self._ec2_regions)

    def as_of(self, region: str) -> str | None:
        """Date of the EC2 on-demand prices used for ``region`` (None if not in the snapshot)."""
        source = self._ec2["region_source"].get(region)
        if source is None:
            return None
        date: str | None = self._ec2["sources"][source]["as_of"]
        return date

    @property
    def spot_as_of(self) -> str:
        return str(self._spot["as_of"])

    @property
    def fargate_as_of(self) -> str:
        return str(self._fargate["as_of"])

    @property
    def ebs_as_of(self) -> str:
        return str(self._ebs["as_of"])

    def snapshot_label(self, region: str | None = None, parts: Iterable[str] = ("ec2",)) -> str:
        """A short citation for a cost figure, e.g.
        ``AWS public list prices, EC2 on-demand as of 2026-07-20 (us-east-1)``.

        ``parts`` names the price parts the figure used: ``ec2``, ``spot``, ``fargate``, ``ebs``.
        Without a Region, EC2 shows the range of dates across Regions.
        """
        pieces: list[str] = []
        for part in parts:
            if part not in _PART_NAMES:
                raise ValueError(f"unknown price part {part!r}")
            pieces.append(f"{_PART_NAMES[part]} as of {self._part_date(part, region)}")
        text = ", ".join([SOURCE_NAME, *pieces])
        if region:
            text += f" ({region})"
        return text

    def _part_date(self, part: str, region: str | None) -> str:
        if part == "ec2":
            if region is not None:
                return self.as_of(region) or "n/a"
            dates = sorted({str(s["as_of"]) for s in self._ec2["sources"].values()})
            return dates[0] if len(dates) == 1 else f"{dates[0]}..{dates[-1]}"
        if part == "spot":
            return self.spot_as_of
        if part == "fargate":
            return self.fargate_as_of
        return self.ebs_as_of

    # -- look-ups ---------------------------------------------------------------------------

    def ec2_hourly(self, region: str, instance_type: str) -> float | None:
        """On-demand USD per hour for a concrete type in a Region (Linux), or None."""
        price = self._ec2_regions.get(region, {}).get(instance_type)
        return float(price) if price is not None else None

    def fargate(self, region: str) -> FargateRates | None:
        row = self._fargate["regions"].get(region)
        if row is None:
            return None
        values = dict(zip(self._fargate_fields, row, strict=True))
        return FargateRates(
            region=region,
            vcpu_hour=float(values["x86_vcpu_hour"]),
            gb_hour=float(values["x86_gb_hour"]),
            spot_vcpu_hour=_opt(values["spot_x86_vcpu_hour"]),
            spot_gb_hour=_opt(values["spot_x86_gb_hour"]),
            arm_vcpu_hour=_opt(values["arm_vcpu_hour"]),
            arm_gb_hour=_opt(values["arm_gb_hour"]),
            arm_derived=bool(values["arm_derived"]),
            ephemeral_storage_gb_hour=_opt(values["ephemeral_storage_gb_hour"]),
            as_of=self.fargate_as_of,
        )

    def spot(self, region: str, instance_type: str) -> tuple[int, str] | None:
        """(average savings % over on-demand, interruption-frequency label such as ``<5%``)."""
        row = self._spot["regions"].get(region, {}).get(instance_type)
        if row is None:
            return None
        return int(row[0]), str(self._spot["buckets"][int(row[1])])

    def ebs_gp3(self, region: str) -> EbsGp3Rates | None:
        row = self._ebs["regions"].get(region)
        if row is None:
            return None
        return EbsGp3Rates(
            region=region,
            gb_month=float(row[0]),
            iops_month=float(row[1]),
            mibps_month=float(row[2]),
            as_of=self.ebs_as_of,
        )

    def cheapest_per_vcpu_hour(self, region: str, types: list[str]) -> tuple[str, float] | None:
        """The concrete type with the lowest on-demand price per vCPU-hour in ``region``.

        Types without a price in that Region or without instance facts are skipped; ties go to
        the first name in alphabetical order. None when no type qualifies.
        """
        best: tuple[float, str] | None = None
        for name in types:
            price = self.ec2_hourly(region, name)
            info = instances.facts(name)
            if price is None or info is None or info.vcpus <= 0:
                continue
            candidate = (price / info.vcpus, name)
            if best is None or candidate < best:
                best = candidate
        if best is None:
            return None
        return best[1], best[0]


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)


@cache
def load() -> Prices:
    """The bundled price snapshot, read once."""
    with gzip.open(_DATA, "rb") as handle:
        raw: dict[str, Any] = json.loads(handle.read())
    return Prices(raw)


def snapshot_label(region: str | None = None, parts: Iterable[str] = ("ec2",)) -> str:
    return load().snapshot_label(region, parts)


def as_of(region: str) -> str | None:
    return load().as_of(region)


def ec2_hourly(region: str, instance_type: str) -> float | None:
    return load().ec2_hourly(region, instance_type)


def fargate(region: str) -> FargateRates | None:
    return load().fargate(region)


def spot(region: str, instance_type: str) -> tuple[int, str] | None:
    return load().spot(region, instance_type)


def ebs_gp3(region: str) -> EbsGp3Rates | None:
    return load().ebs_gp3(region)


def cheapest_per_vcpu_hour(region: str, types: list[str]) -> tuple[str, float] | None:
    return load().cheapest_per_vcpu_hour(region, types)
