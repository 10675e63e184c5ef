"""Live prices (``--live-pricing``) against botocore's Stubber: moto does not mock the Price
List API. Every stubbed response is shaped like the real one, and a Stubber refuses a call it
was not given a response for, so a second call for a cached key cannot go unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from batchlint import prices
from batchlint.cost.live import LivePrices, ReadOnlyViolation, price_source

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
TODAY = "2026-10-01"
SNAPSHOT = prices.load()

LOCATIONS = {"us-east-1": "US East (N. Virginia)", "eu-central-1": "EU (Frankfurt)"}


def clock() -> datetime:
    return NOW


# -- realistic Price List entries (JSON documents inside strings, as the API returns them) ---


def _terms(sku: str, usd: str, unit: str, description: str) -> dict[str, Any]:
    term = f"{sku}.JRTCKXETXF"  # the OnDemand offer term code
    rate = f"{term}.6YS6EN2CT7"
    return {
        "OnDemand": {
            term: {
                "priceDimensions": {
                    rate: {
                        "unit": unit,
                        "endRange": "Inf",
                        "description": description,
                        "appliesTo": [],
                        "rateCode": rate,
                        "beginRange": "0",
                        "pricePerUnit": {"USD": usd},
                    }
                },
                "sku": sku,
                "effectiveDate": "2026-09-01T00:00:00Z",
                "offerTermCode": "JRTCKXETXF",
                "termAttributes": {},
            }
        }
    }


def ec2_item(instance_type: str, usd: str, region: str = "us-east-1") -> str:
    sku = f"SKU{abs(hash((instance_type, region))) % 10**10:010d}"
    usage = "BoxUsage:" if region == "us-east-1" else "EUC1-BoxUsage:"
    item = {
        "product": {
            "productFamily": "Compute Instance",
            "attributes": {
                "instanceType": instance_type,
                "regionCode": region,
                "location": LOCATIONS[region],
                "locationType": "AWS Region",
                "operatingSystem": "Linux",
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
                "licenseModel": "No License required",
                "marketoption": "OnDemand",
                "operation": "RunInstances",
                "usagetype": f"{usage}{instance_type}",
                "vcpu": "2",
                "memory": "8 GiB",
                "servicecode": "AmazonEC2",
                "servicename": "Amazon Elastic Compute Cloud",
            },
            "sku": sku,
        },
        "serviceCode": "AmazonEC2",
        "terms": _terms(sku, usd, "Hrs", f"${float(usd)} per On Demand Linux Instance Hour"),
        "version": "20260901000000",
        "publicationDate": "2026-09-01T00:00:00Z",
    }
    return json.dumps(item)


def ecs_item(usagetype: str, usd: str, region: str) -> str:
    sku = f"SKU{abs(hash((usagetype, region))) % 10**10:010d}"
    item = {
        "product": {
            "productFamily": "Compute",
            "attributes": {
                "regionCode": region,
                "location": LOCATIONS[region],
                "locationType": "AWS Region",
                "usagetype": usagetype,
                "operation": "",
                "servicecode": "AmazonECS",
                "servicename": "Amazon Elastic Container Service",
            },
            "sku": sku,
        },
        "serviceCode": "AmazonECS",
        "terms": _terms(sku, usd, "hours", f"{usagetype} per hour"),
        "version": "20260901000000",
        "publicationDate": "2026-09-01T00:00:00Z",
    }
    return json.dumps(item)


def products_page(items: list[str], next_token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": items}
    if next_token:
        page["NextToken"] = next_token
    return page


def term(field: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def ec2_request(instance_type: str, region: str = "us-east-1") -> dict[str, Any]:
    return {
        "ServiceCode": "AmazonEC2",
        "Filters": [
            term("instanceType", instance_type),
            term("regionCode", region),
            term("operatingSystem", "Linux"),
            term("tenancy", "Shared"),
            term("preInstalledSw", "NA"),
            term("capacitystatus", "Used"),
            term("licenseModel", "No License required"),
            term("marketoption", "OnDemand"),
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }


def ecs_request(region: str, next_token: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ServiceCode": "AmazonECS",
        "Filters": [term("regionCode", region)],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    if next_token:
        request["NextToken"] = next_token
    return request


def spot_request(instance_type: str) -> dict[str, Any]:
    return {
        "InstanceTypes": [instance_type],
        "ProductDescriptions": ["Linux/UNIX"],
        "StartTime": NOW,
        "EndTime": NOW,
    }


def spot_row(zone: str, price: str, age_hours: float = 1) -> dict[str, Any]:
    return {
        "AvailabilityZone": zone,
        "InstanceType": "m5.large",
        "ProductDescription": "Linux/UNIX",
        "SpotPrice": price,
        "Timestamp": NOW - timedelta(hours=age_hours),
    }


# -- stubbed clients --------------------------------------------------------------------------


class Stubs:
    """Real botocore clients (fake credentials), each behind a Stubber, handed out by a client
    factory; every operation name that reaches a client is recorded."""

    def __init__(self) -> None:
        self._session = botocore.session.get_session()
        self.stubbers: dict[tuple[str, str], Stubber] = {}
        self.clients: dict[tuple[str, str], Any] = {}
        self.requested: list[tuple[str, str]] = []
        self.operations: list[str] = []

    def __call__(self, service: str, region: str) -> Any:
        self.requested.append((service, region))
        return self.client(service, region)

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self.clients:
            client = self._session.create_client(
                service,
                region_name=region,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            client.meta.events.register("before-parameter-build.*.*", self._record)
            stubber = Stubber(client)
            stubber.activate()
            self.clients[key], self.stubbers[key] = client, stubber
        return self.clients[key]

    def stub(self, service: str, region: str = "us-east-1") -> Stubber:
        self.client(service, region)
        return self.stubbers[(service, region)]

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def assert_done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.assert_done()
    assert all(op.startswith(("Describe", "Get", "List")) for op in made.operations)


def live(stubs: Callable[[str, str], Any]) -> LivePrices:
    return LivePrices(SNAPSHOT, client_factory=stubs, clock=clock)


PRICING_DENIED = (
    "live pricing unavailable (AccessDeniedException from pricing:GetProducts); "
    "used the bundled snapshot"
)


# -- EC2 on-demand ----------------------------------------------------------------------------


def test_ec2_on_demand_is_live_and_asked_once(stubs: Stubs) -> None:
    stubs.stub("pricing").add_response(
        "get_products",
        products_page([ec2_item("m5.large", "0.0970000000")]),
        ec2_request("m5.large"),
    )
    source = live(stubs)
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.097
    # cached: the Stubber has no second response, so a second call would fall back to 0.096
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.097
    assert source.notes == []
    assert stubs.operations == ["GetProducts"]
    assert source.as_of("us-east-1") == TODAY
    assert source.snapshot_label("us-east-1") == (
        f"AWS Price List API (live, fetched {TODAY}): EC2 on-demand (us-east-1)"
    )
    # a Region not asked about is still the snapshot's
    assert source.as_of("eu-west-1") == SNAPSHOT.as_of("eu-west-1")
    assert source.snapshot_label("eu-west-1") == SNAPSHOT.snapshot_label("eu-west-1")


def test_ec2_uses_the_pricing_endpoint_in_us_east_1(stubs: Stubs) -> None:
    stubs.stub("pricing").add_response(
        "get_products",
        products_page([ec2_item("m5.large", "0.1150000000", "eu-central-1")]),
        ec2_request("m5.large", "eu-central-1"),
    )
    assert live(stubs).ec2_hourly("eu-central-1", "m5.large") == 0.115
    assert stubs.requested == [("pricing", "us-east-1")]


def test_ec2_falls_back_on_access_denied_and_stops_asking(stubs: Stubs) -> None:
    stubs.stub("pricing").add_client_error(
        "get_products",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: pricing:GetProducts",
        expected_params=ec2_request("m5.large"),
    )
    source = live(stubs)
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.096
    # the API failed for good: the next type goes straight to the snapshot (no stubbed call)
    assert source.ec2_hourly("us-east-1", "c5.xlarge") == 0.17
    assert source.notes == [PRICING_DENIED]
    assert source.as_of("us-east-1") == SNAPSHOT.as_of("us-east-1")
    assert source.snapshot_label("us-east-1") == SNAPSHOT.snapshot_label("us-east-1")


def test_no_credentials_falls_back_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    boto3 = pytest.importorskip("boto3")
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.session.Session(region_name="us-east-1")
    source = LivePrices(SNAPSHOT, session=session, clock=clock)
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.096
    assert source.notes == [
        "live pricing unavailable (NoCredentialsError from pricing:GetProducts); "
        "used the bundled snapshot"
    ]
    # the default client is built with short timeouts and few retries
    config = source._clients[("pricing", "us-east-1")].meta.config
    assert (config.connect_timeout, config.read_timeout) == (3, 10)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}


def test_ambiguous_or_missing_products_fall_back(stubs: Stubs) -> None:
    pricing = stubs.stub("pricing")
    pricing.add_response(
        "get_products",
        products_page([ec2_item("m5.large", "0.096"), ec2_item("m5.large", "0.101")]),
        ec2_request("m5.large"),
    )
    pricing.add_response("get_products", products_page([]), ec2_request("c5.xlarge"))
    source = live(stubs)
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.096
    assert source.ec2_hourly("us-east-1", "c5.xlarge") == 0.17
    assert source.notes == [
        "the Price List API returned 2 different on-demand prices for m5.large in us-east-1; "
        "used the bundled snapshot",
        "the Price List API returned no on-demand prices for c5.xlarge in us-east-1; "
        "used the bundled snapshot",
    ]


@pytest.mark.parametrize(
    "price_list",
    [["not json"], [json.dumps({"product": {"sku": "X"}, "terms": {}})], [json.dumps([1, 2])]],
)
def test_unexpected_shapes_fall_back(stubs: Stubs, price_list: list[str]) -> None:
    stubs.stub("pricing").add_response(
        "get_products", products_page(price_list), ec2_request("m5.large")
    )
    source = live(stubs)
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.096
    assert len(source.notes) == 1
    assert source.notes[0].startswith("live pricing unavailable (unexpected response")
    assert source.notes[0].endswith("; used the bundled snapshot")


def test_cheapest_per_vcpu_hour_on_live_prices(stubs: Stubs) -> None:
    pricing = stubs.stub("pricing")
    pricing.add_response(
        "get_products", products_page([ec2_item("m5.large", "0.096")]), ec2_request("m5.large")
    )
    pricing.add_response(
        "get_products", products_page([ec2_item("c5.large", "0.080")]), ec2_request("c5.large")
    )
    source = live(stubs)
    assert source.cheapest_per_vcpu_hour("us-east-1", ["m5.large", "c5.large"]) == (
        "c5.large",
        0.04,
    )


# -- Spot -------------------------------------------------------------------------------------


def test_spot_savings_from_current_prices_bucket_from_snapshot(stubs: Stubs) -> None:
    stubs.stub("ec2").add_response(
        "describe_spot_price_history",
        {
            "SpotPriceHistory": [
                spot_row("us-east-1a", "0.035000"),
                spot_row("us-east-1b", "0.037000"),
                spot_row("us-east-1b", "0.050000", age_hours=30),  # superseded in that zone
                spot_row("us-east-1c", "0.039000"),
            ],
            "NextToken": "",
        },
        spot_request("m5.large"),
    )
    stubs.stub("pricing").add_response(
        "get_products", products_page([ec2_item("m5.large", "0.096")]), ec2_request("m5.large")
    )
    source = live(stubs)
    # mean 0.037 against 0.096 on-demand: 61% savings; the bucket is the advisor's
    assert SNAPSHOT.spot("us-east-1", "m5.large") == (66, "15-20%")
    assert source.spot("us-east-1", "m5.large") == (61, "15-20%")
    assert source.spot("us-east-1", "m5.large") == (61, "15-20%")  # cached
    assert source.notes == []
    assert source.spot_as_of == TODAY
    assert source.snapshot_label("us-east-1", ("ec2", "spot")) == (
        f"AWS Price List API (live, fetched {TODAY}): EC2 on-demand; "
        f"EC2 Spot price history (live, fetched {TODAY}); "
        f"AWS public list prices, Spot advisor as of {SNAPSHOT.spot_as_of} (us-east-1)"
    )


def test_spot_falls_back_when_ec2_is_denied(stubs: Stubs) -> None:
    stubs.stub("ec2").add_client_error(
        "describe_spot_price_history",
        service_error_code="UnauthorizedOperation",
        service_message="You are not authorized to perform this operation.",
        expected_params=spot_request("m5.large"),
    )
    source = live(stubs)
    assert source.spot("us-east-1", "m5.large") == SNAPSHOT.spot("us-east-1", "m5.large")
    assert source.notes == [
        "live pricing unavailable (UnauthorizedOperation from "
        "ec2:DescribeSpotPriceHistory in us-east-1); used the bundled snapshot"
    ]
    assert stubs.requested == [("ec2", "us-east-1")]  # no on-demand look-up was needed
    assert source.spot_as_of == SNAPSHOT.spot_as_of
    assert source.snapshot_label("us-east-1", ("spot",)) == SNAPSHOT.snapshot_label(
        "us-east-1", ("spot",)
    )


def test_spot_with_on_demand_from_snapshot_after_pricing_fails(stubs: Stubs) -> None:
    stubs.stub("ec2").add_response(
        "describe_spot_price_history",
        {"SpotPriceHistory": [spot_row("us-east-1a", "0.048")]},
        spot_request("m5.large"),
    )
    stubs.stub("pricing").add_client_error(
        "get_products", service_error_code="ThrottlingException", http_status_code=400
    )
    source = live(stubs)
    assert source.spot("us-east-1", "m5.large") == (50, "15-20%")  # 0.048 against 0.096
    label = source.snapshot_label("us-east-1", ("ec2", "spot"))
    assert label == (
        f"EC2 Spot price history (live, fetched {TODAY}); AWS public list prices, "
        f"EC2 on-demand as of {SNAPSHOT.as_of('us-east-1')}, "
        f"Spot advisor as of {SNAPSHOT.spot_as_of} (us-east-1)"
    )


# -- Fargate ----------------------------------------------------------------------------------


def test_fargate_live_across_pages_with_region_prefixed_usage_types(stubs: Stubs) -> None:
    region = "eu-central-1"
    pricing = stubs.stub("pricing")
    pricing.add_response(
        "get_products",
        products_page(
            [
                ecs_item("EUC1-Fargate-vCPU-Hours:perCPU", "0.0465600000", region),
                ecs_item("EUC1-Fargate-GB-Hours", "0.0051100000", region),
                ecs_item("EUC1-Fargate-Windows-OS-Hours:perCPU", "0.0460000000", region),
                ecs_item("EUC1-SpotUsage-Fargate-ARM-vCPU-Hours:perCPU", "0.0120000000", region),
            ],
            next_token="page-2",
        ),
        ecs_request(region),
    )
    pricing.add_response(
        "get_products",
        products_page(
            [
                ecs_item("EUC1-Fargate-ARM-vCPU-Hours:perCPU", "0.0372500000", region),
                ecs_item("EUC1-Fargate-ARM-GB-Hours", "0.0040900000", region),
                ecs_item("EUC1-SpotUsage-Fargate-vCPU-Hours:perCPU", "0.0150000000", region),
                ecs_item("EUC1-SpotUsage-Fargate-GB-Hours", "0.0016500000", region),
            ]
        ),
        ecs_request(region, "page-2"),
    )
    source = live(stubs)
    rates = source.fargate(region)
    assert rates is not None
    assert (rates.vcpu_hour, rates.gb_hour) == (0.04656, 0.00511)
    assert (rates.arm_vcpu_hour, rates.arm_gb_hour, rates.arm_derived) == (0.03725, 0.00409, False)
    assert (rates.spot_vcpu_hour, rates.spot_gb_hour) == (0.015, 0.00165)
    assert rates.ephemeral_storage_gb_hour is None  # in neither source for this Region
    assert rates.as_of == TODAY
    assert source.fargate(region) == rates  # cached
    assert source.notes == [
        "the Price List API has no Fargate ephemeral storage rates for eu-central-1 "
        "(Fargate Spot rates float and may not be listed); used the bundled snapshot"
    ]
    assert source.fargate_as_of == TODAY
    assert source.snapshot_label(region, ("fargate",)) == (
        f"AWS Price List API (live, fetched {TODAY}): Fargate (eu-central-1)"
    )


def test_fargate_keeps_snapshot_rates_the_price_list_lacks(stubs: Stubs) -> None:
    stubs.stub("pricing").add_response(
        "get_products",
        products_page(
            [
                ecs_item("USE1-Fargate-vCPU-Hours:perCPU", "0.0404800000", "us-east-1"),
                ecs_item("USE1-Fargate-GB-Hours", "0.0044450000", "us-east-1"),
            ]
        ),
        ecs_request("us-east-1"),
    )
    source = live(stubs)
    snap = SNAPSHOT.fargate("us-east-1")
    rates = source.fargate("us-east-1")
    assert snap is not None and rates is not None
    assert (rates.vcpu_hour, rates.gb_hour) == (0.04048, 0.004445)
    assert rates.spot_vcpu_hour == snap.spot_vcpu_hour
    assert rates.arm_vcpu_hour == snap.arm_vcpu_hour
    assert rates.arm_derived == snap.arm_derived
    assert rates.ephemeral_storage_gb_hour == snap.ephemeral_storage_gb_hour
    assert source.notes == [
        "the Price List API has no Fargate ARM, Spot, ephemeral storage rates for us-east-1 "
        "(Fargate Spot rates float and may not be listed); used the bundled snapshot"
    ]


def test_fargate_without_x86_rates_is_the_snapshot(stubs: Stubs) -> None:
    stubs.stub("pricing").add_response("get_products", products_page([]), ecs_request("us-east-1"))
    source = live(stubs)
    assert source.fargate("us-east-1") == SNAPSHOT.fargate("us-east-1")
    assert source.notes == [
        "the Price List API has no Fargate x86 rates for us-east-1; used the bundled snapshot"
    ]
    assert source.fargate_as_of == SNAPSHOT.fargate_as_of


# -- the rest of the protocol, the factory, safety ---------------------------------------------


def test_ebs_is_always_the_snapshot(stubs: Stubs) -> None:
    source = live(stubs)
    assert source.ebs_gp3("us-east-1") == SNAPSHOT.ebs_gp3("us-east-1")
    assert stubs.requested == []


def test_china_regions_are_not_looked_up(stubs: Stubs) -> None:
    source = live(stubs)
    assert source.ec2_hourly("cn-north-1", "m5.large") is None
    assert stubs.requested == []
    assert source.notes == [
        "live pricing does not cover cn-north-1 (CNY); used the bundled snapshot"
    ]


def test_missing_boto3_is_a_note() -> None:
    def factory(service: str, region: str) -> Any:
        raise ModuleNotFoundError("No module named 'boto3'", name="boto3")

    source = LivePrices(SNAPSHOT, client_factory=factory, clock=clock)
    assert source.ec2_hourly("us-east-1", "m5.large") == 0.096
    assert source.notes == [
        "live pricing needs boto3 (pip install 'batchlint[aws]'); used the bundled snapshot"
    ]


def test_unknown_label_part_and_pricing_region() -> None:
    with pytest.raises(ValueError, match="lambda"):
        LivePrices(SNAPSHOT).snapshot_label("us-east-1", ("lambda",))
    with pytest.raises(ValueError, match="us-west-2"):
        LivePrices(SNAPSHOT, pricing_region="us-west-2")


def test_clients_refuse_write_calls(stubs: Stubs) -> None:
    source = live(stubs)
    ec2 = source._client("ec2", "us-east-1")
    with pytest.raises(ReadOnlyViolation, match="ec2:TerminateInstances"):
        ec2.terminate_instances(InstanceIds=["i-0123456789abcdef0"])
    pricing = source._client("pricing", "us-east-1")
    stubs.stub("pricing").add_response("describe_services", {"Services": []}, {})
    assert pricing.describe_services()["Services"] == []  # reads still go through


def test_default_boto3_clients_refuse_write_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    boto3 = pytest.importorskip("boto3")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    ec2 = LivePrices(SNAPSHOT, session=session)._client("ec2", "eu-west-1")
    # refused before the request is built, so nothing is sent
    with pytest.raises(ReadOnlyViolation, match="ec2:RunInstances"):
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)


def test_price_source_factory() -> None:
    assert price_source(False) is SNAPSHOT
    assert isinstance(price_source(True), LivePrices)


def test_importing_live_pricing_does_not_import_boto3() -> None:
    code = (
        "import sys, batchlint.cost.live; "
        "loaded = [m for m in ('boto3', 'botocore') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
