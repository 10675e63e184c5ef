"""Read-only VPC resolution for rules: subnets, their route tables and routes, egress, VPC
endpoints, Availability Zones, security groups.

Every helper answers from the scope's edges and literal ids only. When the answer depends on
something outside the scan (an external route table, an unknown gateway), it says "unknown"
(``None``) rather than guessing, so rules built on it stay silent.
"""

from __future__ import annotations

import ipaddress
import re
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


# -- egress ----------------------------------------------------------------------------------

# where a route can send traffic without leaving private address space: RFC 1918, the shared
# address space of RFC 6598, IPv6 unique-local and link-local addresses
_PRIVATE_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
        "fe80::/10",
    )
)


def leaves_private_space(route: Node) -> bool:
    """Whether ``route`` may carry traffic beyond private address space: a default or other
    public destination, a prefix list (its entries are not in the scan) or a destination that
    is not known. Whatever its target (an internet or NAT gateway, a transit gateway, an
    appliance's network interface or instance, a peering), such a route may be a way out to
    the internet or to AWS services, so it counts as one."""
    if route.unknown:
        return True
    gateway = route.get("gatewayId")
    target = (gateway.text() or "") if gateway is not None else ""
    if target == "local":  # the VPC's own blocks, IPv6 included (an account lists them)
        return False
    if route.get("destinationPrefixListId") is not None:
        # the route AWS adds for a gateway endpoint reaches that service alone
        return not target.startswith("vpce-")
    found = False
    for key in ("destinationCidrBlock", "destinationIpv6CidrBlock"):
        node = route.get(key)
        if node is None:
            continue
        found = True
        text = node.text()
        if text is None:
            return True
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return True
        first, last = network.network_address, network.broadcast_address
        private = any(first in net and last in net for net in _PRIVATE_NETS)
        if not private:
            return True
    return not found  # no destination at all: nothing is known of it


def _untied_routes(scope: Scope) -> bool:
    """Whether a ROUTE of the scan names its route table by a value that cannot be told (an
    unknown without an edge, an ``Fn::If`` between tables): it may belong to any table."""

    def untied() -> bool:
        for route in scope.of_kind(Kind.ROUTE):
            table = route.props.get("routeTableId")
            if table is not None and table.unknown and table.ref is None:
                return True
        return False

    return scope.cached("untied_routes", untied)


def all_routes(scope: Scope, table: Resource) -> list[Node] | None:
    """Every route of ``table`` when the scan shows them all; ``None`` when some cannot be
    seen: inline routes known only after apply, routes propagated from a virtual private
    gateway, a route whose table cannot be told."""
    if _untied_routes(scope):
        return None
    separate = scope.referrers(table, Kind.ROUTE, "routeTableId")
    routes: list[Node] = []
    inline = table.props.get("routes")
    if inline is not None and inline.unknown:
        # Terraform plans a table's inline routes as unknown when the configuration writes
        # none (they are computed) or builds them from values known after apply. Inline and
        # separate routes cannot be mixed (each overwrites the other), so a table with
        # separate routes has no inline ones; without them, nothing can be told.
        if not separate:
            return None
    elif inline is not None:
        routes.extend(inline.items())
    propagating = table.props.get("propagatingVgws")
    if propagating is not None and propagating.items():
        return None
    routes.extend(route.props for route in separate)
    return routes


@dataclass(frozen=True)
class Isolated:
    """A subnet whose every route stays in private address space."""

    subnet: Resource
    vpc: Resource
    tables: tuple[Resource, ...]


def isolated_subnet(scope: Scope, subnet: Resource) -> Isolated | None:
    """``subnet`` when the scan shows every route of its route table(s) and none can leave
    private address space (no internet gateway, NAT or other default route); ``None`` when
    it has a way out or that cannot be told. Its VPC must be declared in the scan: the
    endpoints of a VPC declared elsewhere are likely declared there too."""
    vpc = scope.deref(subnet.props.get("vpcId"), Kind.VPC)
    if vpc is None:
        return None
    tables = route_tables_for_subnet(scope, subnet)
    if not tables:
        return None
    for table in tables:
        routes = all_routes(scope, table)
        if routes is None or any(leaves_private_space(route) for route in routes):
            return None
    return Isolated(subnet, vpc, tuple(tables))


# -- VPC endpoints -----------------------------------------------------------------------------

# com.amazonaws.<region>.<service>, cn.com.amazonaws.<region>.<service> (China)
_SERVICE_NAME = re.compile(r"^(?:[a-z]+\.)?com\.amazonaws\.[a-z0-9-]+\.(?P<service>[a-z0-9.-]+)$")


def endpoint_service(name: str) -> str | None:
    """The service an endpoint service name is for, after its region: ``ecs`` for
    ``com.amazonaws.us-east-1.ecs``, ``ecr.dkr`` for ``cn.com.amazonaws.cn-north-1.ecr.dkr``;
    ``None`` for a name of another form (a partner's or your own endpoint service)."""
    match = _SERVICE_NAME.match(name.strip().lower())
    return match.group("service") if match else None


@dataclass(frozen=True)
class Endpoint:
    resource: Resource
    service: str | None  # see endpoint_service
    gateway: bool | None  # a Gateway endpoint (it serves route tables); None: type unknown
    route_tables: frozenset[str] | None  # addresses of the tables it serves; None: unknown


def _is_association(resource: Resource) -> bool:
    """A Terraform endpoint association: a VPC_ENDPOINT that adds to the one it names."""
    return "vpcEndpointId" in resource.props.entries()


def _tables(scope: Scope, node: Node | None) -> set[str] | None:
    """The route tables of the scan a list names; ``None`` when an element cannot be told
    (a literal ID names a table outside the scan: not one of its tables)."""
    if node is None:
        return set()
    items = [node] if node.unknown else node.items()
    out = set()
    for item in items:
        table = scope.deref(item, Kind.ROUTE_TABLE)
        if table is not None:
            out.add(table.address)
        elif item.unknown and item.ref is None:
            return None
    return out


def _endpoint_tables(scope: Scope, endpoint: Resource) -> frozenset[str] | None:
    tables = _tables(scope, endpoint.props.get("routeTableIds"))
    for association in scope.referrers(endpoint, Kind.VPC_ENDPOINT, "vpcEndpointId"):
        more = _tables(scope, association.props.get("routeTableIds"))
        if tables is None or more is None:
            return None
        tables |= more
    return frozenset(tables) if tables is not None else None


def vpc_endpoints(scope: Scope, vpc: Resource) -> list[Endpoint] | None:
    """The VPC endpoints of the scan in ``vpc``; ``None`` when one may be in it but its VPC,
    its service or the association that adds to it cannot be told."""

    def find() -> list[Endpoint] | None:
        found = []
        for resource in scope.of_kind(Kind.VPC_ENDPOINT):
            props = resource.props
            if _is_association(resource):
                named = props.get("vpcEndpointId")
                if named is not None and named.unknown and named.ref is None:
                    return None  # it may add route tables to any endpoint
                continue
            vpc_node = props.get("vpcId")
            if vpc_node is None:
                continue  # not deployable
            target = scope.deref(vpc_node, Kind.VPC)
            if target is None and vpc_node.unknown and vpc_node.ref is None:
                return None
            if target is not vpc:
                continue  # another VPC: in the scan, or named by an ID from outside it
            service = props.get("serviceName")
            name = service.text() if service is not None else None
            if name is None:
                return None
            kind = resource.field("vpcEndpointType")
            kind_text = kind.text() if kind is not None else None
            gateway = kind_text.strip().lower() == "gateway" if kind_text is not None else None
            tables = _endpoint_tables(scope, resource) if gateway is not False else frozenset()
            found.append(Endpoint(resource, endpoint_service(name), gateway, tables))
        return found

    return scope.cached(("vpc_endpoints", vpc.address), find)


def missing_endpoints(
    scope: Scope, isolated: Isolated, services: tuple[str, ...]
) -> list[str] | None:
    """Which of ``services`` the isolated subnet has no VPC endpoint for: an interface
    endpoint serves its whole VPC, a gateway endpoint only the route tables it is associated
    with. ``None`` when the endpoints cannot be told."""
    endpoints = vpc_endpoints(scope, isolated.vpc)
    if endpoints is None:
        return None
    tables = {table.address for table in isolated.tables}
    have = set()
    for endpoint in endpoints:
        served = endpoint.route_tables
        if endpoint.gateway is not True or served is None or served & tables:
            have.add(endpoint.service)
    return [service for service in services if service not in have]


# -- Availability Zones ----------------------------------------------------------------------


@dataclass(frozen=True)
class Zone:
    """A subnet's Availability Zone, by name and by ID, as far as each is known."""

    name: str | None
    id: str | None


def zone_of(subnet: Resource) -> Zone:
    found = []
    for key in ("availabilityZone", "availabilityZoneId"):
        node = subnet.props.get(key)
        text = node.text() if node is not None else None
        found.append(text.strip() if text is not None and text.strip() else None)
    return Zone(found[0], found[1])


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
            if value is not None and _everywhere(value.strip()):
                return value.strip()
    return None


def _everywhere(cidr: str) -> bool:
    """``0.0.0.0/0``, ``::/0`` or another way to write them: ``10.0.0.0/0`` has host bits
    set, but a prefix of length 0 covers every address all the same."""
    if cidr in OPEN_CIDRS:
        return True
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def _ingress_entries(source: Resource) -> list[Node]:
    rules = source.props.get("securityGroupIngress")
    if rules is not None:
        return rules.items()
    if source.kind is Kind.SECURITY_GROUP_INGRESS:
        # tolerate a stand-alone ingress written flat, as AWS::EC2::SecurityGroupIngress is
        return [source.props]
    return []


@dataclass(frozen=True)
class Ingress:
    entry: Node  # the ingress entry, for pointing at
    via: Resource  # the resource that declares it (the group or a separate ingress rule)


def ingress_of(scope: Scope, group: Resource) -> list[Ingress]:
    """Every ingress entry of ``group``: its inline rules, then separate ingress resources."""
    out = []
    sources = [group, *scope.referrers(group, Kind.SECURITY_GROUP_INGRESS, "groupId")]
    for source in sources:
        for entry in _ingress_entries(source):
            out.append(Ingress(entry, source))
    return out


def open_ingress(scope: Scope, group: Resource) -> list[OpenIngress]:
    """Ingress to ``group`` from anywhere: its inline rules and separate ingress resources."""
    out = []
    for found in ingress_of(scope, group):
        cidr = _open_cidr(found.entry)
        if cidr is not None:
            out.append(OpenIngress(cidr, _ports(found.entry), found.entry, found.via))
    return out


def is_open(entry: Node) -> bool:
    """Whether an ingress entry is from anywhere (what :func:`open_ingress` reports)."""
    return _open_cidr(entry) is not None


def ports_of(entry: Node) -> str:
    """The traffic an ingress entry allows, for a message: ``tcp port 22``, ``all traffic``."""
    return _ports(entry)


def source_group(scope: Scope, entry: Node) -> Resource | None:
    """The security group of the scan an ingress entry allows traffic from."""
    for key in ("sourceSecurityGroupId", "sourceSecurityGroupName"):
        target = scope.deref(entry.get(key), Kind.SECURITY_GROUP)
        if target is not None:
            return target
    return None


def source_of(scope: Scope, entry: Node) -> str | None:
    """Where an ingress entry allows traffic from, for a message; ``None`` when unknown."""
    group = source_group(scope, entry)
    if group is not None:
        return f"security group {group.address}"
    for key, what in (
        ("cidrIp", ""),
        ("cidrIpv6", ""),
        ("sourcePrefixListId", "prefix list "),
        ("sourceSecurityGroupId", "security group "),
        ("sourceSecurityGroupName", "security group "),
    ):
        node = entry.get(key)
        text = node.text() if node is not None else None
        if text is not None and text.strip():
            return what + text.strip()
    return None
