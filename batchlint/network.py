"""Read-only VPC resolution for rules: subnets, their route tables and routes, security groups.

Every helper answers from the scope's edges and literal ids only. When the answer depends on
something outside the scan (an external route table, an unknown gateway), it says "unknown"
(``None``) rather than guessing, so rules built on it stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from batchlint.model import Kind, Node, Resource, Scope

# destinations that send all remaining traffic somewhere: a default route
DEFAULT_ROUTES = {"0.0.0.0/0", "::/0"}
OPEN_CIDRS = DEFAULT_ROUTES


@dataclass(frozen=True)
class Entry:
    """A list entry of a compute environment and the resource it resolves to."""

    node: Node  # the entry as written (points into the compute environment)
    target: Resource


def _entries(scope: Scope, node: Node | None, kind: Kind) -> list[Entry]:
    if node is None:
        return []
    # a whole list that is unknown but names one resource (a Terraform set of one reference)
    items = [node] if node.unknown else node.items()
    out = []
    for item in items:
        target = scope.deref(item, kind)
        if target is not None:
            out.append(Entry(item, target))
    return out


def subnets_of(scope: Scope, ce: Resource) -> list[Entry]:
    """The compute environment's subnets that resolve to a SUBNET in scope."""
    return _entries(scope, ce.props.get("computeResources", "subnets"), Kind.SUBNET)


def security_groups_of(scope: Scope, ce: Resource) -> list[Entry]:
    """The compute environment's security groups that resolve to a SECURITY_GROUP in scope."""
    node = ce.props.get("computeResources", "securityGroupIds")
    return _entries(scope, node, Kind.SECURITY_GROUP)


# -- route tables --------------------------------------------------------------------------


def same_resource(scope: Scope, a: Node | None, b: Node | None) -> bool:
    """Whether two values name the same thing: the same resource in scope, or (both
    external) the same literal id."""
    if a is None or b is None:
        return False
    ra, rb = scope.deref(a), scope.deref(b)
    if ra is not None or rb is not None:
        return ra is rb
    ta, tb = a.text(), b.text()
    return ta is not None and ta == tb


def _main_tables(scope: Scope, vpc: Node | None) -> list[Resource] | None:
    """The VPC's main route table(s) as declared in scope, or ``None`` when not declared or
    not resolvable."""
    if vpc is None:
        return None
    found: list[Resource] = []
    for assoc in _marked_main(scope, Kind.ROUTE_TABLE_ASSOCIATION):
        if not same_resource(scope, assoc.props.get("vpcId"), vpc):
            continue
        table = scope.deref(assoc.props.get("routeTableId"), Kind.ROUTE_TABLE)
        if table is None:
            return None  # the main table is set, but to something we cannot see
        found.append(table)
    for table in _marked_main(scope, Kind.ROUTE_TABLE):
        if table not in found and same_resource(scope, table.props.get("vpcId"), vpc):
            found.append(table)
    return found or None


def _marked_main(scope: Scope, kind: Kind) -> list[Resource]:
    """The route tables or associations of ``scope`` whose ``main`` is true (once per scope:
    every subnet without an association of its own asks)."""

    def marked() -> list[Resource]:
        out = []
        for resource in scope.of_kind(kind):
            main = resource.props.get("main")
            if main is not None and main.flag() is True:
                out.append(resource)
        return out

    return scope.cached(("marked_main", kind), marked)


def route_tables_for_subnet(scope: Scope, subnet: Resource) -> list[Resource] | None:
    """The route table(s) that serve ``subnet``: its explicit associations, else its VPC's
    main table. ``None`` when that cannot be told from the scan."""
    explicit = scope.referrers(subnet, Kind.ROUTE_TABLE_ASSOCIATION, "subnetId")
    if explicit:
        tables = []
        for assoc in explicit:
            table = scope.deref(assoc.props.get("routeTableId"), Kind.ROUTE_TABLE)
            if table is None:
                return None
            tables.append(table)
        return tables
    return _main_tables(scope, subnet.props.get("vpcId"))


def routes_of(scope: Scope, table: Resource) -> Iterator[Node]:
    """Every route of ``table``: inline ``routes`` entries, then ROUTE resources."""
    inline = table.props.get("routes")
    if inline is not None:
        yield from inline.items()
    for route in scope.referrers(table, Kind.ROUTE, "routeTableId"):
        yield route.props


@dataclass(frozen=True)
class InternetRoute:
    destination: str  # 0.0.0.0/0 or ::/0
    gateway: str  # the gateway's address in scope, or its literal id
    route: Node


def internet_route(scope: Scope, route: Node) -> InternetRoute | None:
    """The route, when it sends a default destination to an internet gateway."""
    destination = None
    for key in ("destinationCidrBlock", "destinationIpv6CidrBlock"):
        node = route.get(key)
        value = node.text() if node is not None else None
        if value is not None and value.strip() in DEFAULT_ROUTES:
            destination = value.strip()
            break
    if destination is None:
        return None
    gateway = route.get("gatewayId")
    if gateway is None:
        return None
    target = scope.deref(gateway)
    if target is not None:
        if target.kind is Kind.INTERNET_GATEWAY:
            return InternetRoute(destination, target.address, route)
        return None
    literal = gateway.text()
    if literal is not None and literal.strip().startswith("igw-"):
        return InternetRoute(destination, literal.strip(), route)
    return None  # local, vgw-, an unknown value, or something outside the scan


@dataclass(frozen=True)
class PublicReason:
    """Why a subnet is public, for a message."""

    text: str
    node: Node  # the value that makes it public


def is_public_subnet(scope: Scope, subnet: Resource) -> PublicReason | None:
    """Why ``subnet`` is public (a default route to an internet gateway, or public IPs on
    launch), or ``None`` when it is not or that cannot be told."""
    for table in route_tables_for_subnet(scope, subnet) or []:
        for route in routes_of(scope, table):
            found = internet_route(scope, route)
            if found is not None:
                return PublicReason(
                    f"its route table {table.address} sends {found.destination} to internet "
                    f"gateway {found.gateway}",
                    found.route,
                )
    mapped = subnet.props.get("mapPublicIpOnLaunch")
    if mapped is not None and mapped.flag() is True:
        return PublicReason("it sets mapPublicIpOnLaunch to true", mapped)
    return None


# -- security groups -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenIngress:
    cidr: str  # 0.0.0.0/0 or ::/0
    ports: str  # "tcp port 22", "all traffic", …
    entry: Node  # the ingress entry, for pointing at
    via: Resource  # the resource that declares it (the group or a separate ingress rule)


def _ports(entry: Node) -> str:
    proto_node = entry.get("ipProtocol")
    proto = (proto_node.text() if proto_node is not None else None) or "?"
    proto = proto.strip().lower()
    if proto in ("-1", "all"):
        return "all traffic"
    low_node, high_node = entry.get("fromPort"), entry.get("toPort")
    low = low_node.number() if low_node is not None else None
    high = high_node.number() if high_node is not None else None
    if low is None and high is None:
        return f"{proto} (all ports)" if proto != "?" else "any port"
    if low is None or high is None or low == high:
        port = low if low is not None else high
        return f"{proto} port {port:g}"
    if (low, high) in ((0, 65535), (-1, -1)):
        return f"{proto} (all ports)"
    return f"{proto} ports {low:g}-{high:g}"


def _open_cidr(entry: Node) -> str | None:
    for key in ("cidrIp", "cidrIpv6"):
        node = entry.get(key)
        # a list of CIDRs is tolerated as well as the single value of the CloudFormation shape
        for item in node.items() if node is not None else []:
            value = item.text()
            if value is not None and value.strip() in OPEN_CIDRS:
                return value.strip()
    return None


def _ingress_entries(source: Resource) -> list[Node]:
    rules = source.props.get("securityGroupIngress")
    if rules is not None:
        return rules.items()
    if source.kind is Kind.SECURITY_GROUP_INGRESS:
        # tolerate a stand-alone ingress written flat, as AWS::EC2::SecurityGroupIngress is
        return [source.props]
    return []


def open_ingress(scope: Scope, group: Resource) -> list[OpenIngress]:
    """Ingress to ``group`` from anywhere: its inline rules and separate ingress resources."""
    out = []
    sources = [group, *scope.referrers(group, Kind.SECURITY_GROUP_INGRESS, "groupId")]
    for source in sources:
        for entry in _ingress_entries(source):
            cidr = _open_cidr(entry)
            if cidr is not None:
                out.append(OpenIngress(cidr, _ports(entry), entry, source))
    return out
