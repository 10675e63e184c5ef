"""``--live-pricing``: prices from the AWS Price List API and EC2 Spot price history.

:class:`LivePrices` answers the same questions as the bundled snapshot
(:class:`batchlint.prices.PriceSource`) from read-only AWS calls:

- EC2 on-demand: ``pricing:GetProducts`` (``AmazonEC2``), one product per instance type and Region.
- Fargate: ``pricing:GetProducts`` (``AmazonECS``) for the Region, matched by usage type.
- Spot: ``ec2:DescribeSpotPriceHistory`` in the target Region. The interruption-frequency bucket
  is in no API (only in the Spot Instance Advisor feed), so it always comes from the snapshot.
- EBS gp3: always the snapshot.

Each (service, Region, key) is asked once per run. Any failure - no credentials, AccessDenied,
no network, a timeout, an unexpected response - falls back to the snapshot's answer and leaves
a note in :attr:`LivePrices.notes`; nothing is raised to the caller. boto3 is imported only
when the first live call is made, so a scan without ``--live-pricing`` never loads it.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from statistics import fmean
from typing import Any

from batchlint import instances
from batchlint.prices import EbsGp3Rates, FargateRates, PriceSource

# The Price List Query API is served only from these Regions (botocore's endpoint data for
# ``api.pricing`` in the ``aws`` partition); they all return the same, global catalogue.
PRICING_REGIONS = frozenset({"us-east-1", "eu-central-1", "ap-south-1"})

# A live lookup must not hang a CI run: short timeouts, throttling retried a little.
_CONNECT_TIMEOUT = 3
_READ_TIMEOUT = 10
_MAX_ATTEMPTS = 3
_MAX_PAGES = 10  # GetProducts pages (100 products each) read for one question

_READ_ONLY_PREFIXES = ("Describe", "Get", "List")

_PART_NAMES = {"ec2": "EC2 on-demand", "spot": "Spot", "fargate": "Fargate", "ebs": "EBS gp3"}

# Fargate usage types in the AmazonECS price list, without their Region prefix (``USE1-``,
# ``EUC1-``, ...). Matching after the prefix avoids a Region -> prefix table.
_FARGATE_USAGE = {
    "Fargate-vCPU-Hours:perCPU": "vcpu_hour",
    "Fargate-GB-Hours": "gb_hour",
    "Fargate-ARM-vCPU-Hours:perCPU": "arm_vcpu_hour",
    "Fargate-ARM-GB-Hours": "arm_gb_hour",
    "SpotUsage-Fargate-vCPU-Hours:perCPU": "spot_vcpu_hour",
    "SpotUsage-Fargate-GB-Hours": "spot_gb_hour",
    "Fargate-EphemeralStorage-GB-Hours": "ephemeral_storage_gb_hour",
}
_USAGE_PREFIX = re.compile(r"^[A-Z]{2,4}[0-9]?-")

# Errors about one request's parameters; any other error (credentials, access, network,
# throttling after retries) means the same API will fail again, so it is not asked again.
_PER_REQUEST_ERRORS = frozenset(
    {
        "InvalidParameterValue",
        "InvalidParameterCombination",
        "InvalidParameterException",
        "InvalidInstanceType",
        "ValidationException",
        "NotFoundException",
    }
)

ClientFactory = Callable[[str, str], Any]  # (service name, Region) -> a botocore client
Clock = Callable[[], datetime]


class ReadOnlyViolation(RuntimeError):
    """A client made for live pricing was asked to call something other than Describe/Get/List."""


class _BadShape(Exception):
    """A response that does not look like the documented one."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def refuse_writes(model: Any, **_: Any) -> None:
    """botocore ``provide-client-params`` hook: live mode may only read. It runs before any
    other handler (including a test's Stubber), so a write call never leaves the process."""
    if not str(model.name).startswith(_READ_ONLY_PREFIXES):
        service = model.service_model.service_name
        raise ReadOnlyViolation(f"batchlint live mode is read-only; refused {service}:{model.name}")


class LivePrices:
    """A :class:`~batchlint.prices.PriceSource` that asks AWS and falls back to ``snapshot``.

    ``session`` is a boto3 Session (default: a new one, i.e. the usual credential chain);
    ``client_factory`` replaces it entirely (tests). ``clock`` gives the fetch date.
    """

    def __init__(
        self,
        snapshot: PriceSource | None = None,
        *,
        session: Any = None,
        client_factory: ClientFactory | None = None,
        clock: Clock = _utcnow,
        pricing_region: str = "us-east-1",
    ) -> None:
        if pricing_region not in PRICING_REGIONS:
            raise ValueError(
                f"the Price List API is served from {', '.join(sorted(PRICING_REGIONS))}, "
                f"not {pricing_region!r}"
            )
        if snapshot is None:
            from batchlint import prices

            snapshot = prices.load()
        self._snapshot = snapshot
        self._session = session
        self._factory = client_factory
        self._clock = clock
        self._pricing_region = pricing_region
        self.notes: list[str] = []
        self._clients: dict[tuple[str, str], Any] = {}
        self._broken: set[tuple[str, str]] = set()  # (service, Region) that failed for good
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._answered: dict[tuple[str, str], set[str]] = {}  # (part, Region) -> {live, snapshot}
        self._fetched: str | None = None

    # -- dates and labels -------------------------------------------------------------------

    def as_of(self, region: str) -> str | None:
        """The fetch date when every EC2 on-demand figure for ``region`` so far was live."""
        if self._only_live("ec2", region):
            return self._fetched
        return self._snapshot.as_of(region)

    @property
    def spot_as_of(self) -> str:
        if self._only_live("spot", None) and self._fetched:
            return self._fetched
        return self._snapshot.spot_as_of

    @property
    def fargate_as_of(self) -> str:
        if self._only_live("fargate", None) and self._fetched:
            return self._fetched
        return self._snapshot.fargate_as_of

    def snapshot_label(self, region: str | None = None, parts: Iterable[str] = ("ec2",)) -> str:
        """Cite the figures: ``AWS Price List API (live, fetched 2026-10-01): EC2 on-demand
        (us-east-1)`` for live parts, the snapshot's label for the rest. Spot savings from live
        prices still cite the snapshot's Spot advisor, where the interruption bucket came from."""
        wanted = list(parts)
        for part in wanted:
            if part not in _PART_NAMES:
                raise ValueError(f"unknown price part {part!r}")
        live = [p for p in wanted if "live" in self._sources(p, region)]
        if not live:
            return self._snapshot.snapshot_label(region, wanted)
        pieces: list[str] = []
        listed = [_PART_NAMES[p] for p in live if p != "spot"]
        if listed:
            source = f"AWS Price List API (live, fetched {self._fetched})"
            pieces.append(f"{source}: {', '.join(listed)}")
        if "spot" in live:
            pieces.append(f"EC2 Spot price history (live, fetched {self._fetched})")
        rest = [
            p
            for p in wanted
            if p not in live or p == "spot" or "snapshot" in self._sources(p, region)
        ]
        if rest:
            cited = self._snapshot.snapshot_label(region, rest)
            pieces.append(cited.removesuffix(f" ({region})") if region else cited)
        text = "; ".join(pieces)
        return f"{text} ({region})" if region else text

    # -- look-ups ---------------------------------------------------------------------------

    def ec2_hourly(self, region: str, instance_type: str) -> float | None:
        """On-demand USD per hour (Linux, shared tenancy), live or from the snapshot."""
        price = self._cached("pricing", region, f"ec2:{instance_type}", self._fetch_ec2)
        if price is not None:
            return self._live("ec2", region, float(price))
        fallback = self._snapshot.ec2_hourly(region, instance_type)
        return self._from_snapshot("ec2", region, fallback)

    def fargate(self, region: str) -> FargateRates | None:
        """Fargate rates for ``region``: x86 on-demand live; ARM, Spot and ephemeral storage
        live when the price list has them, otherwise the snapshot's (with a note)."""
        snap = self._snapshot.fargate(region)
        found: dict[str, float] | None = self._cached("pricing", region, "fargate", self._fetch_ecs)
        if not found or "vcpu_hour" not in found or "gb_hour" not in found:
            if found is not None:
                self._note(
                    f"the Price List API has no Fargate x86 rates for {region}; "
                    "used the bundled snapshot"
                )
            return self._from_snapshot("fargate", region, snap)
        kept = self._fargate_gaps(region, found, snap)
        rates = FargateRates(
            region=region,
            vcpu_hour=found["vcpu_hour"],
            gb_hour=found["gb_hour"],
            spot_vcpu_hour=_pick(found, snap, "spot_vcpu_hour"),
            spot_gb_hour=_pick(found, snap, "spot_gb_hour"),
            arm_vcpu_hour=_pick(found, snap, "arm_vcpu_hour"),
            arm_gb_hour=_pick(found, snap, "arm_gb_hour"),
            arm_derived=bool(snap and snap.arm_derived) and "ARM" in kept,
            ephemeral_storage_gb_hour=_pick(found, snap, "ephemeral_storage_gb_hour"),
            as_of=self._fetched or "",
        )
        return self._live("fargate", region, rates)

    def spot(self, region: str, instance_type: str) -> tuple[int, str] | None:
        """(savings % of the current average Spot price across Availability Zones against
        on-demand, interruption bucket). The bucket is the snapshot's (``unknown`` when the
        snapshot does not list the type): no AWS API publishes it."""
        snap = self._snapshot.spot(region, instance_type)
        spot_price = self._cached("ec2", region, f"spot:{instance_type}", self._fetch_spot)
        on_demand = self.ec2_hourly(region, instance_type) if spot_price is not None else None
        if spot_price is None or not on_demand:
            return self._from_snapshot("spot", region, snap)
        savings = max(0, round((1 - float(spot_price) / on_demand) * 100))
        bucket = snap[1] if snap is not None else "unknown"
        return self._live("spot", region, (savings, bucket))

    def ebs_gp3(self, region: str) -> EbsGp3Rates | None:
        """Always the snapshot: EBS is not looked up live."""
        return self._snapshot.ebs_gp3(region)

    def cheapest_per_vcpu_hour(self, region: str, types: list[str]) -> tuple[str, float] | None:
        """As :meth:`batchlint.prices.Prices.cheapest_per_vcpu_hour`, on these prices."""
        best: tuple[float, str] | None = None
        for name in types:
            info = instances.facts(name)
            if info is None or info.vcpus <= 0:
                continue
            price = self.ec2_hourly(region, name)
            if price is None:
                continue
            candidate = (price / info.vcpus, name)
            if best is None or candidate < best:
                best = candidate
        return None if best is None else (best[1], best[0])

    # -- fetching ---------------------------------------------------------------------------

    def _fetch_ec2(self, region: str, key: str) -> float | None:
        instance_type = key.removeprefix("ec2:")
        filters = _term_filters(
            instanceType=instance_type,
            regionCode=region,
            operatingSystem="Linux",
            tenancy="Shared",
            preInstalledSw="NA",
            capacitystatus="Used",
            licenseModel="No License required",
            marketoption="OnDemand",  # as Karpenter does: leave Spot/Capacity Block products out
        )
        items = self._products("AmazonEC2", filters)
        if items is None:
            return None
        found: set[float] = set()
        for item in items:
            if item["product"]["attributes"].get("instanceType") == instance_type:
                found |= _on_demand_usd(item)
        if len(found) == 1:
            return found.pop()
        if self._snapshot.ec2_hourly(region, instance_type) is not None:
            why = "no" if not found else f"{len(found)} different"
            self._note(
                f"the Price List API returned {why} on-demand prices for {instance_type} in "
                f"{region}; used the bundled snapshot"
            )
        return None

    def _fetch_ecs(self, region: str, _key: str) -> dict[str, float] | None:
        found: dict[str, set[float]] = {}
        items = self._products(
            "AmazonECS",
            _term_filters(regionCode=region),
            done=lambda got: len(got) == len(_FARGATE_USAGE),
            sink=found,
        )
        if items is None:
            return None
        # A usage type priced twice is ambiguous: leave it out rather than guess.
        return {field: next(iter(v)) for field, v in found.items() if len(v) == 1}

    def _fetch_spot(self, region: str, key: str) -> float | None:
        instance_type = key.removeprefix("spot:")
        now = self._clock()
        latest: dict[str, tuple[datetime, float]] = {}  # Availability Zone -> (time, price)
        params: dict[str, Any] = {
            "InstanceTypes": [instance_type],
            "ProductDescriptions": ["Linux/UNIX"],
            # A start time returns the price in effect then, per Availability Zone.
            "StartTime": now,
            "EndTime": now,
        }
        for _ in range(_MAX_PAGES):
            page = self._call("ec2", region, "describe_spot_price_history", params)
            if page is None:
                return None
            try:
                for row in page["SpotPriceHistory"]:
                    zone, when = str(row["AvailabilityZone"]), row["Timestamp"]
                    price = float(row["SpotPrice"])
                    if zone not in latest or when > latest[zone][0]:
                        latest[zone] = (when, price)
            except (KeyError, TypeError, ValueError):
                self._shape_note("ec2:DescribeSpotPriceHistory")
                return None
            token = page.get("NextToken")
            if not token:
                break
            params = {**params, "NextToken": token}
        if not latest:
            if self._snapshot.spot(region, instance_type) is not None:
                self._note(
                    f"EC2 returned no current Spot price for {instance_type} in {region}; "
                    "used the bundled snapshot"
                )
            return None
        return fmean(price for _, price in latest.values())

    def _products(
        self,
        service_code: str,
        filters: list[dict[str, str]],
        *,
        done: Callable[[dict[str, set[float]]], bool] | None = None,
        sink: dict[str, set[float]] | None = None,
    ) -> list[dict[str, Any]] | None:
        """The decoded PriceList entries for ``filters`` (None, with a note, on failure). With a
        ``sink``, Fargate prices are collected there by usage type and paging stops at ``done``."""
        params: dict[str, Any] = {
            "ServiceCode": service_code,
            "Filters": filters,
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }
        items: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            page = self._call("pricing", self._pricing_region, "get_products", params)
            if page is None:
                return None
            try:
                decoded = [_decode(raw) for raw in page["PriceList"]]
                if sink is not None:
                    for item in decoded:
                        _collect_fargate(item, sink)
            except (KeyError, TypeError, ValueError, AttributeError, _BadShape):
                self._shape_note("pricing:GetProducts")
                return None
            items.extend(decoded)
            token = page.get("NextToken")
            if not token or (done is not None and sink is not None and done(sink)):
                break
            params = {**params, "NextToken": token}
        return items

    def _call(
        self, service: str, region: str, operation: str, params: dict[str, Any]
    ) -> dict[str, Any] | None:
        """One read-only call; None, with a note, if it fails for any reason."""
        api = f"{service}:{_camel(operation)}"
        if (service, region) in self._broken:
            return None
        try:
            client = self._client(service, region)
            response = getattr(client, operation)(**params)
        except ModuleNotFoundError as exc:
            self._broken.add((service, region))
            self._note(
                f"live pricing needs {exc.name or 'boto3'} (pip install 'batchlint[aws]'); "
                "used the bundled snapshot"
            )
            return None
        except Exception as exc:  # live prices are optional: every failure means the snapshot
            code = _error_code(exc)
            if code not in _PER_REQUEST_ERRORS and type(exc).__name__ != "ParamValidationError":
                self._broken.add((service, region))
            where = f" in {region}" if service != "pricing" else ""
            self._note(
                f"live pricing unavailable ({code} from {api}{where}); used the bundled snapshot"
            )
            return None
        if not isinstance(response, dict):
            self._shape_note(api)
            return None
        if self._fetched is None:
            self._fetched = self._clock().date().isoformat()
        return response

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            factory = self._factory or self._boto3_client
            client = factory(service, region)
            client.meta.events.register_first("provide-client-params.*.*", refuse_writes)
            self._clients[key] = client
        return client

    def _boto3_client(self, service: str, region: str) -> Any:
        # importlib keeps boto3 (untyped, slow to import) out of module import and of mypy.
        if self._session is None:
            self._session = importlib.import_module("boto3").session.Session()
        config = importlib.import_module("botocore.config").Config(
            connect_timeout=_CONNECT_TIMEOUT,
            read_timeout=_READ_TIMEOUT,
            retries={"mode": "standard", "total_max_attempts": _MAX_ATTEMPTS},
            user_agent_extra="batchlint-live-pricing",
        )
        return self._session.client(service, region_name=region, config=config)

    # -- bookkeeping ------------------------------------------------------------------------

    def _cached(self, service: str, region: str, key: str, fetch: Callable[[str, str], Any]) -> Any:
        if region.startswith("cn-"):  # China prices are in CNY, from another partition
            self._note(f"live pricing does not cover {region} (CNY); used the bundled snapshot")
            return None
        slot = (service, region, key)
        if slot not in self._cache:
            try:
                self._cache[slot] = fetch(region, key)
            except (KeyError, TypeError, ValueError, AttributeError, _BadShape):
                self._shape_note(f"{service} for {key} in {region}")
                self._cache[slot] = None
        return self._cache[slot]

    def _fargate_gaps(
        self, region: str, found: dict[str, float], snap: FargateRates | None
    ) -> set[str]:
        """Which optional Fargate rates came from the snapshot (noted), as ``{"ARM", ...}``."""
        groups = {
            "Spot": ("spot_vcpu_hour", "spot_gb_hour"),
            "ARM": ("arm_vcpu_hour", "arm_gb_hour"),
            "ephemeral storage": ("ephemeral_storage_gb_hour",),
        }
        kept = {name for name, fields in groups.items() if any(f not in found for f in fields)}
        if kept:
            then = "used the bundled snapshot" if snap is not None else "left them out"
            self._note(
                f"the Price List API has no Fargate {', '.join(sorted(kept))} rates for {region} "
                f"(Fargate Spot rates float and may not be listed); {then}"
            )
        return kept

    def _live(self, part: str, region: str, value: Any) -> Any:
        self._answered.setdefault((part, region), set()).add("live")
        return value

    def _from_snapshot(self, part: str, region: str, value: Any) -> Any:
        if value is not None:
            self._answered.setdefault((part, region), set()).add("snapshot")
        return value

    def _sources(self, part: str, region: str | None) -> set[str]:
        if region is not None:
            return self._answered.get((part, region), set())
        return set().union(*(v for (p, _), v in self._answered.items() if p == part))

    def _only_live(self, part: str, region: str | None) -> bool:
        return self._sources(part, region) == {"live"}

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _shape_note(self, api: str) -> None:
        self._note(
            f"live pricing unavailable (unexpected response from {api}); used the bundled snapshot"
        )


def price_source(live: bool, *, session: Any = None) -> PriceSource:
    """The prices a run uses: the bundled snapshot, or live prices backed by it."""
    from batchlint import prices

    snapshot = prices.load()
    return LivePrices(snapshot, session=session) if live else snapshot


# -- response parsing -------------------------------------------------------------------------


def _term_filters(**fields: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in fields.items()]


def _decode(raw: Any) -> dict[str, Any]:
    """A PriceList entry: a JSON document in a string (the documented shape)."""
    item = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(item, dict) or not isinstance(item.get("product"), dict):
        raise _BadShape
    return item


def _on_demand_usd(item: dict[str, Any]) -> set[float]:
    """The non-zero USD rates in ``terms.OnDemand.*.priceDimensions.*.pricePerUnit``."""
    rates: set[float] = set()
    for term in item.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term["priceDimensions"].values():
            usd = dimension["pricePerUnit"].get("USD")
            if usd is not None and float(usd) > 0:
                rates.add(float(usd))
    return rates


def _collect_fargate(item: dict[str, Any], sink: dict[str, set[float]]) -> None:
    usage = str(item["product"].get("attributes", {}).get("usagetype", ""))
    field = _FARGATE_USAGE.get(usage) or _FARGATE_USAGE.get(_USAGE_PREFIX.sub("", usage, 1))
    if field is not None:
        sink.setdefault(field, set()).update(_on_demand_usd(item))


def _pick(found: dict[str, float], snap: FargateRates | None, field: str) -> float | None:
    if field in found:
        return found[field]
    value: float | None = getattr(snap, field) if snap is not None else None
    return value


def _error_code(exc: Exception) -> str:
    """``AccessDeniedException`` for a ClientError, else the exception's class name."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


def _camel(operation: str) -> str:
    return "".join(word.capitalize() for word in operation.split("_"))


__all__ = ["PRICING_REGIONS", "LivePrices", "ReadOnlyViolation", "price_source", "refuse_writes"]
