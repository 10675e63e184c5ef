"""batchlint.network: which route tables serve a subnet, what makes it public, open ingress."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Resource, Scope
from batchlint.network import (
    Zone,
    all_routes,
    endpoint_service,
    ingress_of,
    internet_route,
    is_open,
    is_public_subnet,
    isolated_subnet,
    leaves_private_space,
    missing_endpoints,
    open_ingress,
    ports_of,
    route_tables_for_subnet,
    routes_of,
    same_resource,
    security_groups_of,
    source_group,
    source_of,
    subnets_of,
    vpc_endpoints,
    zone_of,
)

from .model_builders import Ref, Unknown, add, build


def vpc_scope() -> Scope:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.VPC, "Vpc", {"cidrBlock": "10.0.0.0/16"})
    add(scope, Kind.INTERNET_GATEWAY, "Igw", {})
    return scope


def table(scope: Scope, address: str, *routes: dict[str, Any], **props: Any) -> Resource:
    body: dict[str, Any] = {"vpcId": Ref("Vpc"), **props}
    if routes:
        body["routes"] = list(routes)
    return add(scope, Kind.ROUTE_TABLE, address, body)


def subnet(scope: Scope, address: str, table_address: str | None = None, **props: Any) -> Resource:
    resource = add(scope, Kind.SUBNET, address, {"vpcId": Ref("Vpc"), **props})
    if table_address is not None:
        add(
            scope,
            Kind.ROUTE_TABLE_ASSOCIATION,
            f"{address}Routes",
            {"subnetId": Ref(address), "routeTableId": Ref(table_address)},
        )
    return resource


def to_igw(destination: str = "0.0.0.0/0") -> dict[str, Any]:
    key = "destinationIpv6CidrBlock" if ":" in destination else "destinationCidrBlock"
    return {key: destination, "gatewayId": Ref("Igw")}


def public_text(scope: Scope, resource: Resource) -> str | None:
    reason = is_public_subnet(scope, resource)
    return reason.text if reason is not None else None


# -- route tables ----------------------------------------------------------------------------


def test_explicit_association_wins_over_the_main_table() -> None:
    scope = vpc_scope()
    table(scope, "MainTable", to_igw(), main=True)
    table(scope, "Private", {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0abc"})
    private = subnet(scope, "PrivateSubnet", "Private")
    assert [t.address for t in route_tables_for_subnet(scope, private) or []] == ["Private"]
    assert is_public_subnet(scope, private) is None


def test_unassociated_subnet_uses_the_main_table_from_a_main_association() -> None:
    scope = vpc_scope()
    table(scope, "Public", to_igw())
    add(
        scope,
        Kind.ROUTE_TABLE_ASSOCIATION,
        "MainAssociation",
        {"vpcId": Ref("Vpc"), "routeTableId": Ref("Public"), "main": True},
    )
    loose = subnet(scope, "Loose")
    assert [t.address for t in route_tables_for_subnet(scope, loose) or []] == ["Public"]
    assert public_text(scope, loose) == (
        "its route table Public sends 0.0.0.0/0 to internet gateway Igw"
    )


def test_main_table_of_another_vpc_does_not_count() -> None:
    scope = vpc_scope()
    add(scope, Kind.VPC, "OtherVpc", {"cidrBlock": "10.1.0.0/16"})
    add(scope, Kind.ROUTE_TABLE, "OtherMain", {"vpcId": Ref("OtherVpc"), "main": True})
    add(scope, Kind.ROUTE, "OtherDefault", {"routeTableId": Ref("OtherMain"), **to_igw()})
    loose = subnet(scope, "Loose")
    assert route_tables_for_subnet(scope, loose) is None
    assert is_public_subnet(scope, loose) is None


def test_main_table_by_literal_vpc_id() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(
        scope,
        Kind.ROUTE_TABLE,
        "Main",
        {"vpcId": "vpc-0abc", "main": "true", "routes": [{**to_igw(), "gatewayId": "igw-1"}]},
    )
    loose = add(scope, Kind.SUBNET, "Loose", {"vpcId": "vpc-0abc"})
    other = add(scope, Kind.SUBNET, "Elsewhere", {"vpcId": "vpc-0def"})
    assert (
        public_text(scope, loose)
        == "its route table Main sends 0.0.0.0/0 to internet gateway igw-1"
    )
    assert is_public_subnet(scope, other) is None


def test_unknown_route_tables_stay_unknown() -> None:
    scope = vpc_scope()
    external = subnet(scope, "External")
    add(
        scope,
        Kind.ROUTE_TABLE_ASSOCIATION,
        "ExternalRoutes",
        {"subnetId": Ref("External"), "routeTableId": "rtb-0123456789abcdef0"},
    )
    # an explicit association to a table outside the scan: not the main table either
    table(scope, "MainTable", to_igw(), main=True)
    assert route_tables_for_subnet(scope, external) is None
    assert is_public_subnet(scope, external) is None
    # no association and no main table declared (CloudFormation cannot declare one)
    bare = vpc_scope()
    lone = subnet(bare, "Lone")
    assert route_tables_for_subnet(bare, lone) is None


# -- routes ----------------------------------------------------------------------------------


def test_nat_and_other_gateways_are_not_public() -> None:
    scope = vpc_scope()
    table(
        scope,
        "Private",
        {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0abc"},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "nat-0abc"},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "vgw-0abc"},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "tgw-0abc"},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "vpce-0abc"},
        {"destinationCidrBlock": "10.0.0.0/16", "gatewayId": "local"},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": ""},
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": Unknown()},
        # a reference to something in scope that is not an internet gateway
        {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": Ref("Vpc")},
        # an internet gateway, but not for a default route
        {"destinationCidrBlock": "203.0.113.0/24", "gatewayId": Ref("Igw")},
    )
    private = subnet(scope, "PrivateSubnet", "Private")
    assert is_public_subnet(scope, private) is None


def test_ipv6_default_route_to_igw_is_public() -> None:
    scope = vpc_scope()
    table(
        scope,
        "Dual",
        {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"},
        to_igw("::/0"),
    )
    dual = subnet(scope, "DualSubnet", "Dual")
    reason = is_public_subnet(scope, dual)
    assert reason is not None
    assert reason.text == "its route table Dual sends ::/0 to internet gateway Igw"
    assert reason.node.pointer == "/Resources/Dual/Properties/routes/1"


def test_route_resource_and_inline_routes_both_count() -> None:
    scope = vpc_scope()
    inline = table(scope, "Inline", to_igw())
    separate = table(scope, "Separate")
    add(scope, Kind.ROUTE, "SeparateDefault", {"routeTableId": Ref("Separate"), **to_igw()})
    add(scope, Kind.ROUTE, "Unrelated", {"routeTableId": Ref("Inline"), **to_igw("::/0")})

    assert len(list(routes_of(scope, inline))) == 2
    ((only,),) = [list(routes_of(scope, separate))]
    found = internet_route(scope, only)
    assert found is not None and (found.destination, found.gateway) == ("0.0.0.0/0", "Igw")
    assert found.route.pointer == "/Resources/SeparateDefault/Properties"

    a = subnet(scope, "A", "Inline")
    b = subnet(scope, "B", "Separate")
    assert public_text(scope, a) == "its route table Inline sends 0.0.0.0/0 to internet gateway Igw"
    assert public_text(scope, b) == (
        "its route table Separate sends 0.0.0.0/0 to internet gateway Igw"
    )


def test_literal_igw_id_is_public() -> None:
    scope = Scope("t.json", "terraform-plan")
    route = build({"destinationCidrBlock": " 0.0.0.0/0 ", "gatewayId": "igw-0123456789abcdef0"})
    found = internet_route(scope, route)
    assert found is not None and found.gateway == "igw-0123456789abcdef0"


# -- mapPublicIpOnLaunch ---------------------------------------------------------------------


def test_map_public_ip_string_true_boolean_and_unknown() -> None:
    scope = vpc_scope()
    table(scope, "Private", {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"})
    as_string = subnet(scope, "AsString", "Private", mapPublicIpOnLaunch="true")
    as_bool = subnet(scope, "AsBool", mapPublicIpOnLaunch=True)
    upper = subnet(scope, "Upper", mapPublicIpOnLaunch="True")
    off = subnet(scope, "Off", "Private", mapPublicIpOnLaunch="false")
    unknown = subnet(scope, "Unknown", mapPublicIpOnLaunch=Unknown())
    for resource in (as_string, as_bool, upper):
        reason = is_public_subnet(scope, resource)
        assert reason is not None
        assert reason.text == "it sets mapPublicIpOnLaunch to true"
        assert reason.node.pointer.endswith("/mapPublicIpOnLaunch")
    assert is_public_subnet(scope, off) is None
    assert is_public_subnet(scope, unknown) is None


def test_route_reason_comes_before_map_public_ip() -> None:
    scope = vpc_scope()
    table(scope, "Public", to_igw())
    both = subnet(scope, "Both", "Public", mapPublicIpOnLaunch=True)
    assert public_text(scope, both) == (
        "its route table Public sends 0.0.0.0/0 to internet gateway Igw"
    )


# -- compute environment edges ---------------------------------------------------------------


def test_subnets_and_security_groups_of_skip_what_is_not_in_scope() -> None:
    scope = vpc_scope()
    subnet(scope, "Mine")
    add(scope, Kind.SECURITY_GROUP, "Group", {"groupName": "batch"}, name="batch")
    ce = add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ce",
        {
            "computeResources": {
                "subnets": [Ref("Mine"), "subnet-0123456789abcdef0", Unknown(), Ref("Vpc")],
                "securityGroupIds": [Ref("Group"), "sg-0123456789abcdef0", "batch"],
            }
        },
    )
    subnets = subnets_of(scope, ce)
    assert [(e.target.address, e.node.pointer) for e in subnets] == [
        ("Mine", "/Resources/Ce/Properties/computeResources/subnets/0")
    ]
    # by reference and by the group's name alike
    assert [e.target.address for e in security_groups_of(scope, ce)] == ["Group", "Group"]


def test_a_lone_unknown_reference_still_resolves() -> None:
    scope = vpc_scope()
    subnet(scope, "Mine")
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": {"subnets": Ref("Mine")}})
    assert [e.target.address for e in subnets_of(scope, ce)] == ["Mine"]


def test_same_resource() -> None:
    scope = vpc_scope()
    assert same_resource(scope, build(Ref("Vpc")), build("Vpc"))
    assert same_resource(scope, build("vpc-1"), build("vpc-1"))
    assert not same_resource(scope, build("vpc-1"), build("vpc-2"))
    assert not same_resource(scope, build(Ref("Vpc")), build("vpc-1"))
    assert not same_resource(scope, build(Unknown()), build(Unknown()))
    assert not same_resource(scope, None, build("vpc-1"))


# -- security groups -------------------------------------------------------------------------


def test_open_ingress_inline_and_separate() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group = add(
        scope,
        Kind.SECURITY_GROUP,
        "Group",
        {
            "securityGroupIngress": [
                {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "0.0.0.0/0"},
                {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIp": "10.0.0.0/8"},
                {"ipProtocol": "-1", "cidrIpv6": "::/0"},
                {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIp": Unknown()},
            ]
        },
    )
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "Listed",
        {
            "groupId": Ref("Group"),
            "securityGroupIngress": [
                {"ipProtocol": "tcp", "fromPort": "8000", "toPort": "8080", "cidrIp": "0.0.0.0/0"}
            ],
        },
    )
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "Flat",
        {
            "groupId": Ref("Group"),
            "ipProtocol": "udp",
            "fromPort": 53,
            "toPort": 53,
            "cidrIp": "0.0.0.0/0",
        },
    )
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "OtherGroup",
        {"groupId": "sg-0other", "ipProtocol": "tcp", "cidrIp": "0.0.0.0/0"},
    )
    found = [(o.cidr, o.ports, o.via.address, o.entry.pointer) for o in open_ingress(scope, group)]
    assert found == [
        ("0.0.0.0/0", "tcp port 22", "Group", "/Resources/Group/Properties/securityGroupIngress/0"),
        ("::/0", "all traffic", "Group", "/Resources/Group/Properties/securityGroupIngress/2"),
        (
            "0.0.0.0/0",
            "tcp ports 8000-8080",
            "Listed",
            "/Resources/Listed/Properties/securityGroupIngress/0",
        ),
        ("0.0.0.0/0", "udp port 53", "Flat", "/Resources/Flat/Properties"),
    ]


def test_open_ingress_tolerates_a_list_of_cidrs() -> None:
    scope = Scope("t.json", "terraform-plan")
    group = add(
        scope,
        Kind.SECURITY_GROUP,
        "aws_security_group.g",
        {"securityGroupIngress": [{"ipProtocol": "tcp", "cidrIp": ["10.0.0.0/8", "0.0.0.0/0"]}]},
    )
    ((found,),) = [open_ingress(scope, group)]
    assert (found.cidr, found.ports) == ("0.0.0.0/0", "tcp (all ports)")


def test_open_ingress_reads_any_prefix_of_length_zero() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group = add(
        scope,
        Kind.SECURITY_GROUP,
        "Group",
        {
            "securityGroupIngress": [
                {"ipProtocol": "tcp", "cidrIp": "10.0.0.0/0"},
                {"ipProtocol": "tcp", "cidrIpv6": "2001:db8::/0"},
                {"ipProtocol": "tcp", "cidrIp": "10.0.0.0/1"},
                {"ipProtocol": "tcp", "cidrIp": "not a cidr"},
            ]
        },
    )
    assert [o.cidr for o in open_ingress(scope, group)] == ["10.0.0.0/0", "2001:db8::/0"]


# -- egress ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "leaves"),
    [
        ({"destinationCidrBlock": "10.1.0.0/16"}, False),
        ({"destinationCidrBlock": " 172.31.0.0/16 "}, False),
        ({"destinationCidrBlock": "192.168.0.0/16", "transitGatewayId": "tgw-1"}, False),
        ({"destinationCidrBlock": "100.64.0.0/10"}, False),
        ({"destinationIpv6CidrBlock": "fd00::/8"}, False),
        ({"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}, True),
        ({"destinationCidrBlock": "0.0.0.0/0", "transitGatewayId": "tgw-1"}, True),
        ({"destinationIpv6CidrBlock": "::/0", "egressOnlyInternetGatewayId": "eigw-1"}, True),
        ({"destinationCidrBlock": "10.0.0.0/7"}, True),  # wider than 10.0.0.0/8
        ({"destinationCidrBlock": "52.216.0.0/15", "vpcPeeringConnectionId": "pcx-1"}, True),
        ({"destinationPrefixListId": "pl-1", "instanceId": "i-1"}, True),
        ({"destinationCidrBlock": Unknown()}, True),
        ({"destinationCidrBlock": "bogus"}, True),
        ({"natGatewayId": "nat-1"}, True),  # no destination
    ],
)
def test_leaves_private_space(route: dict[str, Any], leaves: bool) -> None:
    assert leaves_private_space(build(route)) is leaves
    assert leaves_private_space(build(Unknown())) is True


def test_all_routes_inline_separate_and_unknown() -> None:
    scope = vpc_scope()
    inline = table(scope, "Inline", {"destinationCidrBlock": "10.1.0.0/16"})
    assert [r.plain() for r in all_routes(scope, inline) or []] == [
        {"destinationCidrBlock": "10.1.0.0/16"}
    ]
    # Terraform: inline routes not written (unknown) and no separate route: nothing to tell
    computed = table(scope, "Computed", routes=Unknown())
    assert all_routes(scope, computed) is None
    # with a separate route, the inline ones are none (the two cannot be mixed)
    separate = table(scope, "Separate", routes=Unknown())
    add(
        scope,
        Kind.ROUTE,
        "Peering",
        {"routeTableId": Ref("Separate"), "destinationCidrBlock": "10.2.0.0/16"},
    )
    found = all_routes(scope, separate)
    assert found is not None and [r.pointer for r in found] == ["/Resources/Peering/Properties"]
    # propagated routes from a virtual private gateway cannot be seen
    propagated = table(scope, "Propagated", propagatingVgws=["vgw-1"])
    assert all_routes(scope, propagated) is None
    assert all_routes(scope, table(scope, "NoPropagation", propagatingVgws=[])) == []


def test_a_route_whose_table_cannot_be_told_hides_every_table() -> None:
    scope = vpc_scope()
    empty = table(scope, "Empty")
    assert all_routes(scope, empty) == []
    add(
        scope,
        Kind.ROUTE,
        "Somewhere",
        {"routeTableId": Unknown(), "destinationCidrBlock": "0.0.0.0/0"},
    )
    assert all_routes(scope, empty) is None
    # a literal ID or an edge to another resource names a table outside the scan: not ours
    other = vpc_scope()
    empty = table(other, "Empty")
    add(
        other,
        Kind.ROUTE,
        "External",
        {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0"},
    )
    add(
        other,
        Kind.ROUTE,
        "Edge",
        {"routeTableId": Ref("Elsewhere"), "destinationCidrBlock": "0.0.0.0/0"},
    )
    assert all_routes(other, empty) == []


def isolated_scope() -> Scope:
    scope = vpc_scope()
    table(
        scope,
        "Isolated",
        {"destinationCidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"},
    )
    subnet(scope, "Private", "Isolated")
    return scope


def test_isolated_subnet() -> None:
    scope = isolated_scope()
    found = isolated_subnet(scope, scope.by_address["Private"])
    assert found is not None
    assert (found.vpc.address, [t.address for t in found.tables]) == ("Vpc", ["Isolated"])
    # a way out, a table that cannot be told, a VPC declared elsewhere: None
    table(scope, "Nat", {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"})
    assert isolated_subnet(scope, subnet(scope, "WithNat", "Nat")) is None
    assert isolated_subnet(scope, subnet(scope, "Unassociated")) is None
    foreign = add(scope, Kind.SUBNET, "Foreign", {"vpcId": "vpc-0123456789abcdef0"})
    add(
        scope,
        Kind.ROUTE_TABLE_ASSOCIATION,
        "ForeignRoutes",
        {"subnetId": Ref("Foreign"), "routeTableId": Ref("Isolated")},
    )
    assert isolated_subnet(scope, foreign) is None


# -- VPC endpoints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("com.amazonaws.us-east-1.ecs", "ecs"),
        ("com.amazonaws.eu-west-1.ecr.dkr", "ecr.dkr"),
        (" COM.AMAZONAWS.US-EAST-1.ECS-AGENT ", "ecs-agent"),
        ("cn.com.amazonaws.cn-north-1.ecr.api", "ecr.api"),
        ("com.amazonaws.us-gov-west-1.s3", "s3"),
        (
            "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            "us-east-1.vpce-svc-0123456789abcdef0",
        ),
        ("aws.sagemaker.us-east-1.notebook", None),
        ("ecs", None),
    ],
)
def test_endpoint_service(name: str, service: str | None) -> None:
    assert endpoint_service(name) == service


def endpoint(scope: Scope, address: str, service: str, **props: Any) -> Resource:
    body = {"vpcId": Ref("Vpc"), "serviceName": f"com.amazonaws.us-east-1.{service}", **props}
    return add(scope, Kind.VPC_ENDPOINT, address, body)


EC2_NEEDS = ("ecs", "ecs-agent", "ecs-telemetry", "ecr.api", "ecr.dkr", "s3", "logs")


def test_missing_endpoints_interface_and_gateway() -> None:
    scope = isolated_scope()
    for service in ("ecs", "ecs-agent", "ecr.api"):
        endpoint(scope, service, service, vpcEndpointType="Interface")
    endpoint(scope, "S3", "s3", routeTableIds=[Ref("Isolated")])  # Gateway by default
    add(scope, Kind.VPC, "OtherVpc", {})
    endpoint(scope, "OtherLogs", "logs", vpcEndpointType="Interface", vpcId=Ref("OtherVpc"))
    endpoint(scope, "ExternalLogs", "logs", vpcEndpointType="Interface", vpcId="vpc-0abc")
    isolated = isolated_subnet(scope, scope.by_address["Private"])
    assert isolated is not None
    assert missing_endpoints(scope, isolated, EC2_NEEDS) == ["ecs-telemetry", "ecr.dkr", "logs"]


def test_gateway_endpoint_serves_only_its_route_tables() -> None:
    scope = isolated_scope()
    table(scope, "Other")
    endpoint(scope, "S3", "s3", vpcEndpointType="gateway", routeTableIds=[Ref("Other"), "rtb-1"])
    isolated = isolated_subnet(scope, scope.by_address["Private"])
    assert isolated is not None
    assert missing_endpoints(scope, isolated, ("s3",)) == ["s3"]
    # a Terraform association adds the table
    add(
        scope,
        Kind.VPC_ENDPOINT,
        "S3Association",
        {"vpcEndpointId": Ref("S3"), "routeTableIds": [Ref("Isolated")]},
    )
    assert missing_endpoints(scope, isolated, ("s3",)) == []


@pytest.mark.parametrize(
    "props",
    [
        {"routeTableIds": Unknown()},  # computed by Terraform
        {"routeTableIds": [Unknown()]},
        {"vpcEndpointType": Unknown()},
        {"vpcEndpointType": "Interface"},  # an S3 interface endpoint serves the VPC
    ],
)
def test_gateway_endpoint_that_may_serve_the_table(props: dict[str, Any]) -> None:
    scope = isolated_scope()
    endpoint(scope, "S3", "s3", **props)
    isolated = isolated_subnet(scope, scope.by_address["Private"])
    assert isolated is not None
    assert missing_endpoints(scope, isolated, ("s3",)) == []


@pytest.mark.parametrize(
    ("address", "props"),
    [
        ("Unknown", {"vpcId": Ref("Vpc"), "serviceName": Unknown()}),
        ("SomeVpc", {"vpcId": Unknown(), "serviceName": "com.amazonaws.us-east-1.ecs"}),
        ("Association", {"vpcEndpointId": Unknown(), "routeTableIds": [Ref("Isolated")]}),
    ],
)
def test_endpoints_that_cannot_be_told(address: str, props: dict[str, Any]) -> None:
    scope = isolated_scope()
    add(scope, Kind.VPC_ENDPOINT, address, props)
    assert vpc_endpoints(scope, scope.by_address["Vpc"]) is None
    isolated = isolated_subnet(scope, scope.by_address["Private"])
    assert isolated is not None and missing_endpoints(scope, isolated, EC2_NEEDS) is None


def test_endpoints_of_a_partner_service_and_without_vpc() -> None:
    scope = isolated_scope()
    add(scope, Kind.VPC_ENDPOINT, "Partner", {"vpcId": Ref("Vpc"), "serviceName": "aws.x.y"})
    add(scope, Kind.VPC_ENDPOINT, "NoVpc", {"serviceName": "com.amazonaws.us-east-1.ecs"})
    found = vpc_endpoints(scope, scope.by_address["Vpc"])
    assert [(e.resource.address, e.service) for e in found or []] == [("Partner", None)]


# -- Availability Zones ------------------------------------------------------------------------


def test_zone_of() -> None:
    scope = vpc_scope()
    both = subnet(scope, "Both", availabilityZone=" us-east-1a ", availabilityZoneId="use1-az1")
    assert zone_of(both) == Zone("us-east-1a", "use1-az1")
    assert zone_of(subnet(scope, "Unknown", availabilityZone=Unknown())) == Zone(None, None)
    assert zone_of(subnet(scope, "Blank", availabilityZone="")) == Zone(None, None)


# -- ingress entries ---------------------------------------------------------------------------


def test_ingress_of_and_its_sources() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group = add(
        scope,
        Kind.SECURITY_GROUP,
        "Group",
        {
            "securityGroupIngress": [
                {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "10.0.0.0/8"},
                {"ipProtocol": "-1", "sourcePrefixListId": "pl-1"},
                {"ipProtocol": "tcp", "sourceSecurityGroupName": "bastion"},
                {"ipProtocol": "tcp", "sourceSecurityGroupId": "sg-0abc"},
                {"ipProtocol": "tcp", "cidrIp": Unknown()},
            ]
        },
    )
    add(scope, Kind.SECURITY_GROUP, "Bastion", {"groupName": "bastion"}, name="bastion")
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "Self",
        {"groupId": Ref("Group"), "ipProtocol": "-1", "sourceSecurityGroupId": Ref("Group")},
    )
    found = ingress_of(scope, group)
    assert [f.via.address for f in found] == ["Group"] * 5 + ["Self"]
    assert [source_of(scope, f.entry) for f in found] == [
        "10.0.0.0/8",
        "prefix list pl-1",
        "security group Bastion",
        "security group sg-0abc",
        None,
        "security group Group",
    ]
    assert source_group(scope, found[5].entry) is group
    assert [ports_of(f.entry) for f in found[:2]] == ["tcp port 22", "all traffic"]
    assert not any(is_open(f.entry) for f in found)
