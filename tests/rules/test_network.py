"""batchlint.network: which route tables serve a subnet, what makes it public, open ingress."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Resource, Scope
from batchlint.network import (
    internet_route,
    is_public_subnet,
    open_ingress,
    route_tables_for_subnet,
    routes_of,
    same_resource,
    security_groups_of,
    subnets_of,
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
