"""private-subnet-without-egress: messages, what counts as complete evidence, compute types."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "private-subnet-without-egress")
ALL = ("ecs", "ecs-agent", "ecs-telemetry", "ecr.api", "ecr.dkr", "logs")


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def network(*routes: dict[str, Any], subnets: tuple[str, ...] = ("A", "B")) -> Scope:
    """A VPC, one route table with ``routes`` and ``subnets`` associated with it."""
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.VPC, "Vpc", {"cidrBlock": "10.0.0.0/16"})
    add(scope, Kind.ROUTE_TABLE, "Table", {"vpcId": Ref("Vpc"), "routes": list(routes)})
    for name in subnets:
        add(scope, Kind.SUBNET, name, {"vpcId": Ref("Vpc")})
        add(
            scope,
            Kind.ROUTE_TABLE_ASSOCIATION,
            f"{name}Routes",
            {"subnetId": Ref(name), "routeTableId": Ref("Table")},
        )
    return scope


def endpoints(scope: Scope, *services: str, s3_tables: list[Any] | None = None) -> None:
    for service in services:
        add(
            scope,
            Kind.VPC_ENDPOINT,
            f"Endpoint{service}",
            {
                "vpcId": Ref("Vpc"),
                "vpcEndpointType": "Interface",
                "serviceName": f"com.amazonaws.us-east-1.{service}",
            },
        )
    if s3_tables is not None:
        add(
            scope,
            Kind.VPC_ENDPOINT,
            "S3",
            {
                "vpcId": Ref("Vpc"),
                "serviceName": "com.amazonaws.us-east-1.s3",
                "routeTableIds": s3_tables,
            },
        )


def env(scope: Scope, kind: Any = "EC2", subnets: Any = None, **props: Any) -> Resource:
    compute = {"type": kind, "subnets": subnets if subnets is not None else [Ref("A"), Ref("B")]}
    return add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ce",
        {"type": "MANAGED", "computeResources": compute, **props},
    )


def test_message_names_the_subnets_and_the_missing_endpoints() -> None:
    scope = network({"destinationCidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"})
    endpoints(scope, "ecs", "logs")
    ((message, pointer),) = run(env(scope))
    assert message == (
        "Compute environment launches into subnets A and B, which have no route out of the VPC "
        "(no NAT gateway or internet route) and no VPC endpoint for ecs-agent, ecs-telemetry, "
        "ecr.api, ecr.dkr and s3: instances never join the ECS cluster and jobs stay RUNNABLE; "
        "route 0.0.0.0/0 to a NAT gateway or add the missing endpoints."
    )
    assert pointer == "/Resources/Ce/Properties/computeResources/subnets"


def test_one_subnet_points_at_its_entry() -> None:
    scope = network(subnets=("A",))
    ((message, pointer),) = run(env(scope, subnets=[Ref("A")]))
    assert message.startswith("Compute environment launches into subnet A, which has no route")
    assert pointer == "/Resources/Ce/Properties/computeResources/subnets/0"


@pytest.mark.parametrize(
    ("missing", "effect"),
    [
        (("ecr.dkr",), "jobs cannot pull their images from ECR, so they fail"),
        (("logs",), "jobs cannot send their logs to CloudWatch Logs, so they fail"),
        (
            ("ecr.api", "logs"),
            "jobs cannot pull their images from ECR or send their logs to CloudWatch Logs, so "
            "they fail",
        ),
    ],
)
def test_fargate_needs_no_ecs_endpoints(missing: tuple[str, ...], effect: str) -> None:
    scope = network(subnets=("A",))
    present = [s for s in ("ecr.api", "ecr.dkr", "logs") if s not in missing]
    endpoints(scope, *present, s3_tables=[Ref("Table")])
    ((message, _),) = run(env(scope, "FARGATE_SPOT", [Ref("A")]))
    assert f"no VPC endpoint for {' and '.join(missing)}: {effect};" in message
    # with every endpoint Fargate needs: silent, though the ECS ones are missing
    endpoints(scope, *missing)
    assert run(env(scope, "FARGATE", [Ref("A")])) == []


def test_every_endpoint_silences_ec2() -> None:
    scope = network()
    endpoints(scope, *ALL, s3_tables=[Ref("Table")])
    assert run(env(scope)) == []
    assert run(env(scope, "SPOT")) == []


def test_subnets_missing_different_endpoints() -> None:
    scope = network()
    add(scope, Kind.ROUTE_TABLE, "Other", {"vpcId": Ref("Vpc")})
    add(scope, Kind.SUBNET, "C", {"vpcId": Ref("Vpc")})
    add(
        scope,
        Kind.ROUTE_TABLE_ASSOCIATION,
        "CRoutes",
        {"subnetId": Ref("C"), "routeTableId": Ref("Other")},
    )
    endpoints(scope, "ecr.api", "ecr.dkr", s3_tables=[Ref("Table")])
    ((message, _),) = run(env(scope, "FARGATE", [Ref("A"), Ref("C")]))
    assert "subnets A and C, which have no route out of the VPC" in message
    assert "and lack VPC endpoints (A: logs; C: s3 and logs)" in message


@pytest.mark.parametrize(
    "route",
    [
        {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
        {"destinationCidrBlock": "0.0.0.0/0", "transitGatewayId": "tgw-1"},
        {"destinationCidrBlock": "0.0.0.0/0", "networkInterfaceId": "eni-1"},
        {"destinationCidrBlock": "0.0.0.0/0", "instanceId": "i-1"},
        {"destinationIpv6CidrBlock": "::/0", "egressOnlyInternetGatewayId": "eigw-1"},
        {"destinationPrefixListId": "pl-1", "vpcEndpointId": "vpce-1"},
        {"destinationCidrBlock": Unknown(), "transitGatewayId": "tgw-1"},
    ],
)
def test_a_way_out_is_silent(route: dict[str, Any]) -> None:
    assert run(env(network(route))) == []


def test_routes_that_cannot_be_tied_are_silent() -> None:
    scope = network()
    add(
        scope,
        Kind.ROUTE,
        "Either",
        {"routeTableId": Unknown(), "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"},
    )
    assert run(env(scope)) == []


@pytest.mark.parametrize(
    ("subnets", "why"),
    [
        ([Ref("A"), "subnet-0123456789abcdef0"], "a subnet outside the scan"),
        ([Ref("A"), Unknown()], "a subnet known at deploy time"),
        (Unknown(), "a list known at deploy time"),
        ([], "no subnet"),
    ],
)
def test_subnets_that_cannot_be_seen_are_silent(subnets: Any, why: str) -> None:
    assert run(env(network(), subnets=subnets)) == [], why


def test_compute_types() -> None:
    scope = network()
    assert run(env(scope, Unknown())) == []
    assert run(env(scope, "SPOT", eksConfiguration={"eksClusterArn": "arn"})) == []
    spot_or_ec2 = add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Either",
        {"computeResources": {"type": "EC2", "subnets": [Ref("A")]}},
    )
    assert len(run(spot_or_ec2)) == 1
    unmanaged = add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    assert run(unmanaged) == []


def test_an_fn_if_between_ec2_and_fargate_is_silent() -> None:
    scope = network()
    ce = env(scope)
    compute = ce.props.get("computeResources")
    assert compute is not None and isinstance(compute.raw, dict)
    pointer = compute.raw["type"].pointer
    compute.raw["type"] = Node(
        None, Origin.UNKNOWN, pointer, alts=(Node("EC2", pointer=pointer), Node("FARGATE"))
    )
    assert run(ce) == []
    compute.raw["type"] = Node(
        None, Origin.UNKNOWN, pointer, alts=(Node("EC2", pointer=pointer), Node("SPOT"))
    )
    assert len(run(ce)) == 1
