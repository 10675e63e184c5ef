"""The cost model: what a compute environment, job definition or job queue costs a month.

Every figure is in USD from a :class:`~batchlint.prices.PriceSource` (the bundled snapshot
unless a live source is given), for one Region, and every :class:`Cost` says which snapshot
(``prices``) and what it assumed (``assumptions``). Something unknown gives ``None`` and an
assumption saying what is unknown, never a made-up $0.

Figures:

* **Compute environment, EC2/SPOT.** Each allowed instance type (``optimal``,
  ``default_x86_64``/``default_arm64`` and families expanded; types with no price in the Region
  left out) is priced per vCPU-hour. *Floor*: ``minvCpus`` x 730 h x the cheapest type per
  vCPU. *Ceiling*: ``maxvCpus`` x 730 h x the cheapest to the dearest type per vCPU.
* **SPOT.** Floor and ceiling stay at on-demand rates: that is the most Spot capacity can
  cost (Batch caps the Spot price at ``bidPercentage`` of on-demand, 100% by default), and the
  Spot Instance Advisor's savings are averages over a month, not prices. The estimate at
  those average savings is in ``details.spot_monthly`` (floor and ceiling ranges) and
  ``details.spot_advisor`` (savings range, worst interruption bucket, per-type figures).
* **Compute environment, FARGATE/FARGATE_SPOT.** Nothing runs when no job does (floor $0).
  Ceiling: ``maxvCpus`` x 730 h x (vCPU rate + memory-per-vCPU x GB rate), with the
  memory-per-vCPU range of the Fargate job definitions in scope, else the Fargate maximum of
  8 GB per vCPU. FARGATE_SPOT uses the Fargate Spot rates, which are list prices.
* **Job definition.** *Per job-hour*: Fargate, vCPUs x vCPU rate + GB x GB rate (Fargate Spot
  when the only Fargate capacity in scope is FARGATE_SPOT, a range when both kinds are there);
  EC2, the cheapest allowed instance type that fits, divided by the copies of the job that fit
  on it (see :mod:`batchlint.cost.fit`), at on-demand rates with the Spot estimate in
  details. *Worst case per submission*: per job-hour x timeout x attempts, unbounded without
  a timeout.
* **Usage** (a usage file, :mod:`batchlint.cost.usage`): jobs per month x average hours x the
  per job-hour rate; with ``spot_share``, that share at the Spot rate and the rest on demand.
  A job queue gets a cost entry only when the usage file names it; its jobs are priced on the
  queue's own compute environments.

EBS volumes, data transfer, and instance-hour rounding are not included.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchlint import instances
from batchlint.capacity import Ec2Capacity, ec2_capacity, scope_capacity
from batchlint.cost.fit import Demand, Fit, best_fit, job_demand
from batchlint.images import upper_text
from batchlint.model import EC2_TYPES, FARGATE_TYPES, Kind, Node, Resource, Scope

if TYPE_CHECKING:
    from batchlint.cost.usage import Usage, UsageEntry
    from batchlint.prices import PriceSource

__all__ = [
    "HOURS_PER_MONTH",
    "Cost",
    "Fit",
    "Range",
    "best_fit",
    "citation",
    "dollar_range",
    "dollars",
    "estimate_compute_environment",
    "estimate_job_definition",
    "estimate_job_queue",
    "estimate_scope",
]

HOURS_PER_MONTH = 730.0
# Fargate sizes go up to 8 GB per vCPU (0.25 vCPU with 2 GB ... 2 vCPU with 16 GB); see
# https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
FARGATE_MAX_GB_PER_VCPU = 8.0
# The Spot Instance Advisor's interruption-frequency buckets, least to most frequent.
INTERRUPTION_BUCKETS = ("<5%", "5-10%", "10-15%", "15-20%", ">20%")

_EPSILON = 1e-9  # price-per-vCPU ties (0.085 / 2 and 0.17 / 4 may differ in the last bit)
_NOT_INCLUDED = "EBS volumes, data transfer and other charges are not included."
_KIND_ORDER = {Kind.COMPUTE_ENVIRONMENT: 0, Kind.JOB_QUEUE: 1, Kind.JOB_DEFINITION: 2}


@dataclass(frozen=True)
class Range:
    """USD; ``low == high`` when the figure is exact."""

    low: float
    high: float

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value)

    @classmethod
    def span(cls, values: Iterable[float]) -> Range:
        items = list(values)
        return cls(min(items), max(items))

    def times(self, factor: float) -> Range:
        return Range(self.low * factor, self.high * factor)

    def as_dict(self, places: int = 2) -> dict[str, float]:
        return {"low": round(self.low, places), "high": round(self.high, places)}


@dataclass
class Cost:
    """The estimate for one compute environment, job definition or job queue."""

    resource: str
    resource_type: str
    kind: str  # "compute_environment" | "job_definition" | "job_queue"
    file: str
    region: str
    floor_monthly: Range | None = None  # CE: minvCpus always on
    ceiling_monthly: Range | None = None  # CE: maxvCpus fully used
    per_job_hour: Range | None = None  # JD, JQ
    worst_case_per_submission: Range | None = None  # JD, JQ; None when unbounded or unknown
    unbounded: bool = False  # JD, JQ without a timeout
    usage_monthly: Range | None = None  # from the usage file; None = unknown
    details: dict[str, Any] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    prices: str = ""  # PriceSource.snapshot_label for the parts used

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready and deterministic: money rounded to cents, hourly rates to 6 places."""
        return {
            "resource": self.resource,
            "resource_type": self.resource_type,
            "kind": self.kind,
            "file": self.file,
            "region": self.region,
            "floor_monthly_usd": _money(self.floor_monthly),
            "ceiling_monthly_usd": _money(self.ceiling_monthly),
            "per_job_hour_usd": self.per_job_hour.as_dict(6) if self.per_job_hour else None,
            "worst_case_per_submission_usd": _money(self.worst_case_per_submission),
            "unbounded": self.unbounded,
            "usage_monthly_usd": _money(self.usage_monthly),
            "details": _plain(self.details),
            "assumptions": list(self.assumptions),
            "prices": self.prices,
        }


def _money(value: Range | None) -> dict[str, float] | None:
    return value.as_dict(2) if value is not None else None


def _plain(value: Any) -> Any:
    """Details as JSON data: a Range inside details is money (cents)."""
    if isinstance(value, Range):
        return value.as_dict(2)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return copy.copy(value)


# -- the scope -------------------------------------------------------------------------------


def estimate_scope(
    scope: Scope, region: str, prices: PriceSource, usage: Usage | None = None
) -> list[Cost]:
    """Every compute environment and job definition of ``scope``, and the job queues the
    usage file names: compute environments first, then queues, then job definitions, each in
    source order."""
    out: list[Cost] = []
    for resource in sorted(scope.resources, key=lambda r: _KIND_ORDER.get(r.kind, 9)):
        try:
            cost = _estimate(resource, region, prices, scope, usage)
        except Exception as exc:  # a bug here must not end the scan: say so in the output
            cost = _new(resource, resource.kind.value, region)
            cost.assumptions.append(f"Not estimated: {type(exc).__name__}: {exc}")
        if cost is not None:
            out.append(cost)
    return out


def _estimate(
    resource: Resource, region: str, prices: PriceSource, scope: Scope, usage: Usage | None
) -> Cost | None:
    if resource.kind is Kind.COMPUTE_ENVIRONMENT:
        return estimate_compute_environment(resource, region, prices, scope)
    if resource.kind is Kind.JOB_QUEUE:
        return estimate_job_queue(resource, region, prices, scope, usage)
    if resource.kind is Kind.JOB_DEFINITION:
        return estimate_job_definition(resource, region, prices, scope, usage)
    return None


# -- compute environments --------------------------------------------------------------------


@dataclass(frozen=True)
class _Rate:
    instance_type: str
    vcpus: int
    hourly: float

    @property
    def per_vcpu(self) -> float:
        return self.hourly / self.vcpus


def estimate_compute_environment(
    ce: Resource, region: str, prices: PriceSource, scope: Scope
) -> Cost | None:
    """Floor and ceiling of a compute environment (None for another kind of resource)."""
    if ce.kind is not Kind.COMPUTE_ENVIRONMENT:
        return None
    cost = _new(ce, "compute_environment", region)
    env_type = upper_text(ce.field("type"))
    compute = upper_text(ce.field("computeResources", "type"))
    cost.details["compute_type"] = compute
    parts: list[str] = []
    if env_type == "UNMANAGED":
        cost.assumptions.append("Unmanaged: its instances are launched outside Batch.")
    elif env_type is None or compute is None:
        cost.assumptions.append("Whether it runs EC2, Spot or Fargate capacity is unknown.")
    elif compute in EC2_TYPES:
        parts = _ec2_environment(cost, ce, compute == "SPOT", region, prices)
    elif compute in FARGATE_TYPES:
        parts = _fargate_environment(cost, ce, compute == "FARGATE_SPOT", region, prices, scope)
    else:
        cost.assumptions.append(f"Compute type {compute} is not priced.")
    cost.assumptions.append(
        "Usage-based cost is estimated per job definition or job queue, not here."
    )
    cost.assumptions.append(_NOT_INCLUDED)
    cost.prices = prices.snapshot_label(region, parts or ("ec2",))
    return cost


def _ec2_environment(
    cost: Cost, ce: Resource, spot: bool, region: str, prices: PriceSource
) -> list[str]:
    minimum = _number(ce.field("computeResources", "minvCpus"))
    maximum = _number(ce.field("computeResources", "maxvCpus"))
    listed = ce.field("computeResources", "instanceTypes")
    entries = listed.texts() if listed is not None else None
    cost.details.update(min_vcpus=minimum, max_vcpus=maximum, instance_types=entries)
    if minimum == 0:
        cost.floor_monthly = Range.exact(0.0)  # nothing is kept running
    rates = _priced_types(cost, entries, region, prices)
    if rates:
        cheap, dear = _pick(rates), _pick(rates, highest=True)
        cost.details["cheapest_type"] = _rate_dict(cheap)
        cost.details["dearest_type"] = _rate_dict(dear)
        if minimum is not None and minimum > 0:
            cost.floor_monthly = Range.exact(minimum * HOURS_PER_MONTH * cheap.per_vcpu)
        if maximum is not None:
            low, high = cheap.per_vcpu, dear.per_vcpu
            cost.ceiling_monthly = Range(low, high).times(maximum * HOURS_PER_MONTH)
        cost.assumptions.append(
            "Priced per vCPU for 730 hours a month: the floor at the cheapest allowed type per "
            "vCPU, the ceiling from the cheapest to the dearest; Batch launches whole "
            "instances, so running capacity can round up."
        )
    if minimum is None:
        cost.assumptions.append("minvCpus is unknown: no floor.")
    if maximum is None:
        cost.assumptions.append("maxvCpus is unknown: no ceiling.")
    if spot and rates and _spot_environment(cost, rates, minimum, maximum, region, prices):
        return ["ec2", "spot"]
    return ["ec2"]


def _priced_types(
    cost: Cost, entries: list[str] | None, region: str, prices: PriceSource
) -> list[_Rate]:
    """The allowed concrete types that have facts and a price in ``region``."""
    if not entries:
        cost.assumptions.append("The instance types are unknown.")
        return []
    types = instances.expand(entries, region)
    if not types:
        cost.assumptions.append(
            "Some instance types are not in batchlint's instance data: " + ", ".join(entries) + "."
        )
        return []
    rates, unpriced = [], []
    for name in types:
        hourly = prices.ec2_hourly(region, name)
        facts = instances.facts(name)
        if hourly is None or facts is None or facts.vcpus <= 0:
            unpriced.append(name)
        else:
            rates.append(_Rate(name, facts.vcpus, hourly))
    cost.details["priced_types"] = len(rates)
    if unpriced:
        cost.details["unpriced_types"] = unpriced
        cost.assumptions.append(
            f"{len(unpriced)} of the {len(types)} allowed instance types have no {region} "
            "price in the snapshot and are left out."
        )
    return rates


def _pick(rates: list[_Rate], highest: bool = False) -> _Rate:
    """The cheapest (or dearest) type per vCPU; ties go to the smaller type, then the name
    (a 2-vCPU warm pool is described as c6i.large, not c6i.12xlarge at the same rate)."""
    target = max(r.per_vcpu for r in rates) if highest else min(r.per_vcpu for r in rates)
    near = [r for r in rates if abs(r.per_vcpu - target) <= _EPSILON]
    return min(near, key=lambda r: (r.vcpus, r.instance_type))


def _rate_dict(rate: _Rate) -> dict[str, Any]:
    return {"instance_type": rate.instance_type, "usd_per_vcpu_hour": round(rate.per_vcpu, 6)}


def _spot_environment(
    cost: Cost,
    rates: list[_Rate],
    minimum: float | None,
    maximum: float | None,
    region: str,
    prices: PriceSource,
) -> bool:
    """Spot estimates at the advisor's average savings; False when it has no figures."""
    table: dict[str, dict[str, Any]] = {}
    discounted: list[_Rate] = []
    missing: list[str] = []
    for rate in sorted(rates, key=lambda r: r.instance_type):
        advice = prices.spot(region, rate.instance_type)
        if advice is None:
            missing.append(rate.instance_type)
            continue
        percent, bucket = advice
        table[rate.instance_type] = {"savings_percent": percent, "interruption": bucket}
        discounted.append(_Rate(rate.instance_type, rate.vcpus, rate.hourly * (1 - percent / 100)))
    if not discounted:
        cost.assumptions.append("The Spot Instance Advisor has no figures for these types.")
        return False
    cheap, dear = _pick(discounted), _pick(discounted, highest=True)
    savings = [int(row["savings_percent"]) for row in table.values()]
    buckets = [str(row["interruption"]) for row in table.values()]
    cost.details["spot_monthly"] = {
        "floor": Range.exact(minimum * HOURS_PER_MONTH * cheap.per_vcpu)
        if minimum is not None
        else None,
        "ceiling": Range(cheap.per_vcpu, dear.per_vcpu).times(maximum * HOURS_PER_MONTH)
        if maximum is not None
        else None,
    }
    cost.details["spot_advisor"] = {
        "savings_percent": {"low": min(savings), "high": max(savings)},
        "interruption_worst": max(buckets, key=_bucket_rank),
        "floor_type": cheap.instance_type,
        "types": table,
        "types_without_data": missing,
    }
    cost.assumptions.append(
        "Floor and ceiling are at on-demand rates, the most Spot capacity can cost; the Spot "
        "estimate applies each type's average savings from the Spot Instance Advisor, which "
        "are monthly averages, not prices."
    )
    return True


def _bucket_rank(label: str) -> int:
    return INTERRUPTION_BUCKETS.index(label) if label in INTERRUPTION_BUCKETS else -1


def _fargate_environment(
    cost: Cost, ce: Resource, spot: bool, region: str, prices: PriceSource, scope: Scope
) -> list[str]:
    maximum = _number(ce.field("computeResources", "maxvCpus"))
    cost.details["max_vcpus"] = maximum
    cost.floor_monthly = Range.exact(0.0)
    cost.assumptions.append("Fargate keeps nothing running when no job runs.")
    rates = prices.fargate(region)
    ratios = scope.cached(("fargate_memory_ratios",), lambda: _fargate_memory_ratios(scope))
    if ratios:
        per_vcpu_gb = Range.span(ratios)
        cost.assumptions.append(
            f"Memory per vCPU from the {len(ratios)} Fargate job definition"
            f"{'s' if len(ratios) != 1 else ''} in scope."
        )
    else:
        per_vcpu_gb = Range.exact(FARGATE_MAX_GB_PER_VCPU)
        cost.assumptions.append(
            "No Fargate job definition with a known size in scope: assumed the Fargate "
            "maximum of 8 GB per vCPU."
        )
    cost.details["memory_gb_per_vcpu"] = per_vcpu_gb.as_dict(4)
    if rates is None:
        cost.assumptions.append(f"The snapshot has no Fargate rates for {region}.")
        return ["fargate"]
    low = rates.hourly(1, per_vcpu_gb.low, spot=spot)
    high = rates.hourly(1, per_vcpu_gb.high, spot=spot)
    per_vcpu, per_gb = (
        (rates.spot_vcpu_hour, rates.spot_gb_hour) if spot else (rates.vcpu_hour, rates.gb_hour)
    )
    cost.details["usd_per_vcpu_hour"] = per_vcpu
    cost.details["usd_per_gb_hour"] = per_gb
    if low is None or high is None:
        cost.assumptions.append(f"The snapshot has no Fargate Spot rates for {region}.")
    elif maximum is None:
        cost.assumptions.append("maxvCpus is unknown: no ceiling.")
    else:
        cost.ceiling_monthly = Range(low, high).times(maximum * HOURS_PER_MONTH)
        cost.assumptions.append(
            f"Ceiling: maxvCpus of Fargate{' Spot' if spot else ''} tasks for 730 hours a month."
        )
    return ["fargate"]


def _fargate_memory_ratios(scope: Scope) -> list[float]:
    """GB of memory per vCPU of each Fargate job definition in scope with a known size."""
    out = []
    for jd in scope.of_kind(Kind.JOB_DEFINITION):
        if _platform(jd) != "FARGATE":
            continue
        demand = job_demand(jd)
        if isinstance(demand, Demand) and demand.vcpus > 0:
            out.append(demand.memory_mib / 1024 / demand.vcpus)
    return out


# -- job definitions and queues ----------------------------------------------------------------


@dataclass(frozen=True)
class _Pricing:
    per_job_hour: Range  # what one job-hour costs on the capacity in scope
    on_demand: float  # per job-hour on demand
    spot: float | None  # per job-hour on Spot (list price on Fargate, advisor average on EC2)


def estimate_job_definition(
    jd: Resource,
    region: str,
    prices: PriceSource,
    scope: Scope,
    usage: Usage | None = None,
) -> Cost | None:
    """Per job-hour, worst case per submission and (with a usage file) monthly cost of a job
    definition, on the compute environments in scope (None for another kind of resource)."""
    if jd.kind is not Kind.JOB_DEFINITION:
        return None
    cost = _new(jd, "job_definition", region)
    entry = usage.entry_for(jd) if usage is not None else None
    pool = _Pool(scope.of_kind(Kind.COMPUTE_ENVIRONMENT), scope)
    _estimate_job(cost, jd, pool, region, prices, usage, entry)
    return cost


def estimate_job_queue(
    queue: Resource,
    region: str,
    prices: PriceSource,
    scope: Scope,
    usage: Usage | None = None,
) -> Cost | None:
    """The jobs a usage file says a queue runs, priced on the queue's compute environments;
    None when the usage file does not name the queue."""
    if queue.kind is not Kind.JOB_QUEUE or usage is None:
        return None
    entry = usage.entry_for(queue)
    if entry is None:
        return None
    cost = _new(queue, "job_queue", region)
    ces: list[Resource] = []
    outside = False
    for item in queue.props.each("computeEnvironmentOrder"):
        target = scope.deref(item.get("computeEnvironment"), Kind.COMPUTE_ENVIRONMENT)
        if target is None:
            outside = True
        elif target not in ces:
            ces.append(target)
    jd = _queue_job(scope, entry)
    cost.details["job_definition"] = jd.address if jd is not None else entry.job_definition
    cost.details["compute_environments"] = [ce.address for ce in ces]
    if jd is None or outside or not ces:
        reason = (
            "the usage entry names no job definition in this file (job_definition)"
            if jd is None
            else "its compute environments are unknown or outside this file"
        )
        cost.assumptions.append(f"Cost unknown: {reason}.")
        _usage(cost, usage, entry, None)
        cost.prices = prices.snapshot_label(region, ("ec2",))
        return cost
    _estimate_job(cost, jd, _Pool(ces), region, prices, usage, entry)
    return cost


def _queue_job(scope: Scope, entry: UsageEntry) -> Resource | None:
    jds = scope.of_kind(Kind.JOB_DEFINITION)
    if entry.job_definition is None:
        return jds[0] if len(jds) == 1 else None
    for jd in jds:
        if entry.job_definition in (jd.address, jd.name):
            return jd
    return None


class _Pool:
    """The compute environments a job may land on: a queue's, or all of a scope's (what
    those offer is then worked out once per scope, not once per job definition)."""

    def __init__(self, ces: list[Resource], scope: Scope | None = None) -> None:
        self.ces = ces
        self.scope = scope  # set when ``ces`` are every compute environment of the scope

    def ec2(self, eks: bool) -> Ec2Capacity | str:
        if self.scope is not None:
            return scope_capacity(self.scope, eks)
        return ec2_capacity(self.ces, eks)

    def fargate(self) -> list[str]:
        """The Fargate capacity types among the environments (FARGATE, FARGATE_SPOT)."""
        if self.scope is not None:
            kinds = self.scope.cached(("fargate_capacity",), lambda: _fargate_kinds(self.ces))
            return list(kinds)
        return _fargate_kinds(self.ces)


def _fargate_kinds(ces: list[Resource]) -> list[str]:
    compute_types = {upper_text(ce.field("computeResources", "type")) for ce in ces}
    return sorted(kind for kind in compute_types if kind in FARGATE_TYPES)


def _estimate_job(
    cost: Cost,
    jd: Resource,
    pool: _Pool,
    region: str,
    prices: PriceSource,
    usage: Usage | None,
    entry: UsageEntry | None,
) -> None:
    platform = _platform(jd)
    cost.details["platform"] = platform
    want_spot = entry is not None and bool(entry.spot_share)
    pricing: _Pricing | None = None
    parts = ["ec2"]
    demand = job_demand(jd)
    if platform is None:
        cost.assumptions.append("The platform (EC2 or Fargate) is unknown.")
    elif isinstance(demand, str):
        cost.assumptions.append(f"Cost unknown: {demand}.")
    else:
        cost.details.update(vcpus=demand.vcpus, memory_mib=demand.memory_mib, gpus=demand.gpus)
        if platform == "FARGATE":
            parts = ["fargate"]
            pricing = _fargate_job(cost, jd, demand, pool, region, prices)
        else:
            pricing = _ec2_job(cost, jd, demand, pool, region, prices, want_spot)
            if pricing is not None and pricing.spot is not None:
                parts = ["ec2", "spot"]
    if pricing is not None:
        cost.per_job_hour = pricing.per_job_hour
    _worst_case(cost, jd)
    _usage(cost, usage, entry, pricing)
    cost.assumptions.append(_NOT_INCLUDED)
    cost.prices = prices.snapshot_label(region, parts)


def _fargate_job(
    cost: Cost,
    jd: Resource,
    demand: Demand,
    pool: _Pool,
    region: str,
    prices: PriceSource,
) -> _Pricing | None:
    arch = upper_text(jd.props.get("containerProperties", "runtimePlatform", "cpuArchitecture"))
    arm = arch == "ARM64"
    cost.details["architecture"] = "ARM64" if arm else "X86_64"
    rates = prices.fargate(region)
    if rates is None:
        cost.assumptions.append(f"Cost unknown: the snapshot has no Fargate rates for {region}.")
        return None
    gb = demand.memory_mib / 1024
    on_demand = rates.hourly(demand.vcpus, gb, arm=arm)
    spot = rates.hourly(demand.vcpus, gb, arm=arm, spot=True)
    if on_demand is None:
        cost.assumptions.append(f"Cost unknown: no Fargate ARM rates for {region}.")
        return None
    if arm and rates.arm_derived:
        cost.assumptions.append(f"Fargate ARM rates for {region} are estimated as x86 x 0.8.")
    kinds = pool.fargate()
    cost.details["fargate_capacity"] = kinds
    cost.details["spot_per_job_hour_usd"] = round(spot, 6) if spot is not None else None
    if kinds == ["FARGATE_SPOT"] and spot is not None:
        per_hour = Range.exact(spot)
        cost.assumptions.append("Per job-hour at Fargate Spot rates: the only Fargate capacity.")
    elif kinds == ["FARGATE", "FARGATE_SPOT"] and spot is not None:
        per_hour = Range(spot, on_demand)
        cost.assumptions.append("Per job-hour from Fargate Spot to Fargate on-demand rates.")
    else:
        per_hour = Range.exact(on_demand)
        if not kinds:
            cost.assumptions.append(
                "No Fargate compute environment in scope: at Fargate on-demand rates."
            )
    cost.assumptions.append("Fargate bills the task size asked for, per second.")
    return _Pricing(per_hour, on_demand, spot)


def _ec2_job(
    cost: Cost,
    jd: Resource,
    demand: Demand,
    pool: _Pool,
    region: str,
    prices: PriceSource,
    want_spot: bool,
) -> _Pricing | None:
    allowed = pool.ec2(jd.props.get("eksProperties") is not None)
    if isinstance(allowed, str):
        cost.assumptions.append(f"Cost unknown: {allowed}.")
        return None
    types, has_spot = allowed.types, allowed.has_spot
    fit = best_fit(demand.vcpus, demand.memory_mib, demand.gpus, types, region, prices)
    if fit is None:
        cost.assumptions.append(
            f"Cost unknown: no allowed instance type with a {region} price fits the job."
        )
        return None
    cost.details["fit"] = {
        "instance_type": fit.instance_type,
        "copies": fit.copies,
        "instance_hourly_usd": round(fit.instance_hourly, 6),
        "per_job_hour_usd": round(fit.per_job_hour, 6),
        "idle_vcpu_fraction": round(fit.idle_vcpu_fraction, 4),
        "idle_memory_fraction": round(fit.idle_memory_fraction, 4),
    }
    copies = f"{fit.copies} copies of the job share" if fit.copies > 1 else "the job has"
    cost.assumptions.append(
        f"Per job-hour on {fit.instance_type}, the cheapest allowed type that fits, at "
        f"on-demand rates; {copies} one instance."
    )
    spot: float | None = None
    advice = prices.spot(region, fit.instance_type) if has_spot or want_spot else None
    if advice is not None:
        spot = fit.per_job_hour * (1 - advice[0] / 100)
        cost.details["spot_per_job_hour_usd"] = round(spot, 6)
        cost.assumptions.append(
            f"Spot estimate at {fit.instance_type}'s {advice[0]}% average savings "
            "(Spot Instance Advisor)."
        )
    return _Pricing(Range.exact(fit.per_job_hour), fit.per_job_hour, spot)


def _worst_case(cost: Cost, jd: Resource) -> None:
    seconds_node = jd.props.get("timeout", "attemptDurationSeconds")
    attempts = _number(jd.field("retryStrategy", "attempts"))
    cost.details["attempts"] = attempts
    if seconds_node is None or (seconds_node.known and seconds_node.raw is None):
        cost.unbounded = True
        cost.details["timeout_seconds"] = None
        cost.assumptions.append(
            "No timeout: a hung attempt runs until cancelled, so the worst case per "
            "submission is unbounded."
        )
        return
    seconds = _number(seconds_node)
    cost.details["timeout_seconds"] = seconds
    if seconds is None or attempts is None:
        cost.assumptions.append("Worst case per submission unknown: timeout or attempts unknown.")
    elif cost.per_job_hour is not None:
        cost.worst_case_per_submission = cost.per_job_hour.times(seconds / 3600 * attempts)
        cost.assumptions.append(
            "Worst case per submission: every attempt runs to the timeout (a timeout given "
            "at submission overrides the job definition's)."
        )


def _usage(
    cost: Cost, usage: Usage | None, entry: UsageEntry | None, pricing: _Pricing | None
) -> None:
    noun = cost.kind.replace("_", " ")
    if usage is None:
        cost.assumptions.append("Usage-based monthly cost unknown: no usage file given.")
        return
    if entry is None:
        cost.assumptions.append(
            f"Usage-based monthly cost unknown: {usage.file} has no entry for this {noun}."
        )
        return
    hours = entry.jobs_per_month * entry.average_duration_minutes / 60
    cost.details["usage"] = {
        "file": usage.file,
        "line": entry.line,
        "key": entry.key,
        "jobs_per_month": entry.jobs_per_month,
        "average_duration_minutes": entry.average_duration_minutes,
        "spot_share": entry.spot_share,
        "job_hours_per_month": round(hours, 4),
    }
    if pricing is None:
        cost.assumptions.append("Usage-based monthly cost unknown: the per job-hour cost is.")
    elif entry.spot_share is None:
        cost.usage_monthly = pricing.per_job_hour.times(hours)
        cost.assumptions.append("Monthly: jobs x average duration x per job-hour.")
    elif entry.spot_share > 0 and pricing.spot is None:
        cost.assumptions.append(
            "Usage-based monthly cost unknown: spot_share is given but no Spot price is known."
        )
    else:
        share = entry.spot_share
        rate = share * (pricing.spot or 0.0) + (1 - share) * pricing.on_demand
        cost.usage_monthly = Range.exact(rate * hours)
        cost.assumptions.append(
            f"Monthly: jobs x average duration, {share:.0%} at the Spot and the rest at the "
            "on-demand per job-hour."
        )


# -- helpers ----------------------------------------------------------------------------------


def _new(resource: Resource, kind: str, region: str) -> Cost:
    return Cost(resource.address, resource.type, kind, resource.scope.file, region)


def _platform(jd: Resource) -> str | None:
    """FARGATE or EC2 (the default); None when platformCapabilities is unknown."""
    node = jd.field("platformCapabilities")
    if node is None:
        return "EC2"
    names = node.texts()
    if names is None:
        return None
    return "FARGATE" if any(name.upper() == "FARGATE" for name in names) else "EC2"


def _number(node: Node | None) -> float | None:
    """A count or duration: None when unknown, negative or not finite (Batch rejects those)."""
    value = node.number() if node is not None else None
    return value if value is not None and math.isfinite(value) and value >= 0 else None


# -- wording, for messages ---------------------------------------------------------------------


def dollars(amount: float) -> str:
    """Three significant figures, whole dollars from $10: $4.27, $62, $993, $1,150, $12,300."""
    if amount < 10:
        return f"${amount:,.2f}"
    rounded = float(f"{amount:.3g}")
    return f"${rounded:,.0f}"


def dollar_range(value: Range) -> str:
    low, high = dollars(value.low), dollars(value.high)
    return low if low == high else f"{low}–{high}"


def citation(cost: Cost) -> str:
    """The snapshot label for running text inside parentheses: ``…as of 2026-07-20,
    us-east-1`` rather than ``…as of 2026-07-20 (us-east-1)``."""
    suffix = f" ({cost.region})"
    if cost.prices.endswith(suffix):
        return f"{cost.prices[: -len(suffix)]}, {cost.region}"
    return cost.prices
