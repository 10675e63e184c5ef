"""An account snapshot (:mod:`batchlint.snapshot`) as scopes: one per account and Region.

Batch records are in the model's naming already (the Batch API's); EC2 and IAM records are
lower-cameled as CloudFormation properties are (their documents, tags and launch template
data keep their keys), then reshaped where the API and CloudFormation differ: a role's
``RolePolicyList``/``AttachedManagedPolicies`` become ``policies``/``managedPolicyArns``, a
security group's ``IpPermissions`` one ingress entry per source, a route table's
``Associations`` association resources. Every node carries the pointer of its value in the
snapshot, so a finding's line is the line of the value it is about; Batch and IAM resources
are addressed by their ARN, EC2 resources by their ID. IAM records belong to the account
and are in every Region's scope.

The calls that failed while reading (``errors``) become BL-META-007 findings: what was not
read is not checked, and the report must say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from batchlint.location import JsonLocator, join
from batchlint.model import Kind, MetaIssue, Node, Origin, Resource, Scope
from batchlint.sources.cfn_intrinsics import lower_camel

SOURCE = "aws-snapshot"
FORMAT = "batchlint-snapshot"  # the document's "format"
SCHEMA_VERSION = 1  # the newest version this batchlint reads and writes
INCOMPLETE = "BL-META-007"
UNREADABLE = "BL-META-001"

# keys whose values keep their keys as written (policy documents, tags, instance settings)
_RAW = frozenset(
    {"AssumeRolePolicyDocument", "PolicyDocument", "Document", "LaunchTemplateData", "Tags"}
)


def is_snapshot(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("format") == FORMAT


def build(doc: dict[str, Any], display: str, locator: JsonLocator) -> list[Scope]:
    """The scopes of a snapshot document, or one scope with the BL-META issue that stops it
    from being read (a newer schema version, a shape that does not validate)."""
    read = _validated(doc)
    if isinstance(read, tuple):
        message, pointer = read
        scope = Scope(display, "unreadable", locator)
        scope.meta.append(MetaIssue(UNREADABLE, message, pointer))
        return [scope]
    doc = read  # with the defaults of what the document leaves out; same lists, same order
    scopes = []
    for a, account in enumerate(doc["accounts"]):
        where = join("/accounts", a)
        regions = account["regions"]
        for r, region in enumerate(regions):
            scope = _scope(display, locator, account, region["region"])
            _Reader(scope, account, where).read(region, join(where, "regions", r))
            if r == 0:  # failures of the account as a whole are reported once
                _errors(scope, account["errors"], join(where, "errors"), account_wide=True)
            scopes.append(scope)
        if not regions:
            scope = _scope(display, locator, account, None)
            _errors(scope, account["errors"], join(where, "errors"), account_wide=True)
            scopes.append(scope)
    return scopes or [Scope(display, SOURCE, locator)]


class SnapshotScope(Scope):
    """A Region of an account. Its pointers hold list positions that shift whenever the
    account gains a resource, so a fingerprint names the resource's ARN instead of the
    position (a baseline of last night's audit still matches tonight's)."""

    def stable(self, pointer: str) -> str:
        anchors = self.cached(("anchors",), lambda: {r.pointer: r.address for r in self.resources})
        head, rest = pointer, ""
        while head:
            if head in anchors:
                return anchors[head] + "#" + rest
            head, _, token = head.rpartition("/")
            rest = f"/{token}{rest}"
        return pointer


def _scope(
    display: str, locator: JsonLocator, account: dict[str, Any], region: str | None
) -> Scope:
    scope = SnapshotScope(display, SOURCE, locator)
    scope.account = account["accountId"]
    scope.region = region
    return scope


def _validated(doc: dict[str, Any]) -> dict[str, Any] | tuple[str, str]:
    """The document as validated, or why it cannot be read and where."""
    version = doc.get("schemaVersion")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        return (
            f"snapshot schema version {version} is newer than this batchlint reads "
            f"({SCHEMA_VERSION}): upgrade batchlint, or write the snapshot again with this one",
            "/schemaVersion",
        )
    from pydantic import ValidationError  # only when there is a snapshot to read

    from batchlint.snapshot import Snapshot

    try:
        return Snapshot.model_validate(doc).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = join("", *first["loc"])
        shown = ".".join(str(step) for step in first["loc"]) or "the document"
        return f"not a valid snapshot: {shown}: {first['msg']}", where


def _errors(
    scope: Scope, errors: list[dict[str, Any]], pointer: str, account_wide: bool = False
) -> None:
    for i, error in enumerate(errors):
        what = error["operation"]
        about = f" reading {error['resource']}" if error.get("resource") else ""
        place = "" if account_wide or not scope.region else f"Region {scope.region} of "
        message = (
            f"{what}{about} failed in {place}account {scope.account} ({error['code']}: "
            f"{error['message']}); what it would have read was not checked"
        )
        scope.meta.append(MetaIssue(INCOMPLETE, message, join(pointer, i)))


# -- values ------------------------------------------------------------------------------------


def node(data: object, pointer: str, camel: bool = False) -> Node:
    """``data`` at ``pointer`` as nodes; ``camel``: lower-camel the keys (EC2 and IAM
    records) except below :data:`_RAW` keys."""
    if isinstance(data, dict):
        members = {}
        for key, value in data.items():
            name = lower_camel(key) if camel else key
            members[name] = node(value, join(pointer, key), camel and key not in _RAW)
        return Node(members, Origin.SET, pointer)
    if isinstance(data, list):
        return Node([node(v, join(pointer, i), camel) for i, v in enumerate(data)], pointer=pointer)
    if data is None or isinstance(data, str | int | float | bool):
        return Node(data, Origin.SET, pointer)
    return Node(str(data), Origin.SET, pointer)


def _document(data: object, pointer: str) -> Node:
    """A policy document: IAM and EC2 return some as (URL-encoded) JSON text."""
    if isinstance(data, str):
        for text in (data, unquote(data)):
            try:
                parsed = json.loads(text)
            except ValueError:
                continue
            return _at(node(parsed, pointer), pointer)
    return node(data, pointer)


def _at(found: Node, pointer: str) -> Node:
    """Every node of ``found`` at ``pointer``: values parsed out of one string all live there."""
    for item in found.walk():
        item.pointer = pointer
    return found


# -- records -----------------------------------------------------------------------------------


class _Reader:
    """Adds one Region's records, and its account's IAM records, to a scope."""

    def __init__(self, scope: Scope, account: dict[str, Any], where: str) -> None:
        self.scope = scope
        self.account = account
        self.where = where
        self.partition = account["partition"]

    def arn(self, service: str, what: str) -> str:
        region = self.scope.region or ""
        return f"arn:{self.partition}:{service}:{region}:{self.scope.account}:{what}"

    def read(self, region: dict[str, Any], pointer: str) -> None:
        iam = self.account["iam"]
        at = join(self.where, "iam")
        for i, role in enumerate(iam["roles"]):
            self._role(role, join(at, "roles", i))
        for i, policy in enumerate(iam["policies"]):
            self._policy(policy, join(at, "policies", i))
        for i, profile in enumerate(iam["instanceProfiles"]):
            self._profile(profile, join(at, "instanceProfiles", i))
        for name, add in self._region_kinds():
            for i, record in enumerate(region[name]):
                add(record, join(pointer, name, i))
        self._pin_launch_templates()
        _errors(self.scope, region["errors"], join(pointer, "errors"))

    def _region_kinds(self) -> Iterator[tuple[str, Any]]:
        yield (
            "computeEnvironments",
            self._batch(
                Kind.COMPUTE_ENVIRONMENT, "computeEnvironmentArn", "computeEnvironmentName"
            ),
        )
        yield "jobQueues", self._batch(Kind.JOB_QUEUE, "jobQueueArn", "jobQueueName")
        yield (
            "jobDefinitions",
            self._batch(Kind.JOB_DEFINITION, "jobDefinitionArn", "jobDefinitionName"),
        )
        yield "schedulingPolicies", self._batch(Kind.SCHEDULING_POLICY, "arn", "name")
        yield "vpcs", self._ec2(Kind.VPC, "VpcId", "vpc")
        yield "subnets", self._ec2(Kind.SUBNET, "SubnetId", "subnet")
        yield "routeTables", self._route_table
        yield "internetGateways", self._internet_gateway
        yield "natGateways", self._ec2(Kind.NAT_GATEWAY, "NatGatewayId", "natgateway")
        yield "vpcEndpoints", self._endpoint
        yield "securityGroups", self._security_group
        yield "launchTemplates", self._launch_template

    # -- Batch -------------------------------------------------------------------------------
    def _batch(self, kind: Kind, arn_key: str, name_key: str) -> Any:
        def add(record: dict[str, Any], pointer: str) -> None:
            arn, name = _text(record.get(arn_key)), _text(record.get(name_key))
            props = node(record, pointer).entries()
            self._put(kind, arn or pointer, pointer, props, name, arn)

        return add

    # -- IAM ---------------------------------------------------------------------------------
    def _role(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        props.pop("rolePolicyList", None)
        props.pop("attachedManagedPolicies", None)
        trust = record.get("AssumeRolePolicyDocument")
        if trust is not None:
            props["assumeRolePolicyDocument"] = _document(
                trust, join(pointer, "AssumeRolePolicyDocument")
            )
        inline = []
        for i, policy in enumerate(_list(record.get("RolePolicyList"))):
            at = join(pointer, "RolePolicyList", i)
            inline.append(
                Node(
                    {
                        "policyName": node(policy.get("PolicyName"), join(at, "PolicyName")),
                        "policyDocument": _document(
                            policy.get("PolicyDocument"), join(at, "PolicyDocument")
                        ),
                    },
                    pointer=at,
                )
            )
        props["policies"] = Node(inline, pointer=join(pointer, "RolePolicyList"))
        attached = [
            node(policy.get("PolicyArn"), join(pointer, "AttachedManagedPolicies", i, "PolicyArn"))
            for i, policy in enumerate(_list(record.get("AttachedManagedPolicies")))
        ]
        props["managedPolicyArns"] = Node(
            attached, pointer=join(pointer, "AttachedManagedPolicies")
        )
        boundary = record.get("PermissionsBoundary")
        if isinstance(boundary, dict):
            at = join(pointer, "PermissionsBoundary", "PermissionsBoundaryArn")
            props["permissionsBoundary"] = node(boundary.get("PermissionsBoundaryArn"), at)
        self._add_iam(Kind.IAM_ROLE, record, pointer, props, "RoleName")

    def _policy(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        props["managedPolicyName"] = props.pop("policyName", node(None, pointer))
        props["policyDocument"] = _document(record.get("Document"), join(pointer, "Document"))
        props.pop("document", None)
        self._add_iam(Kind.IAM_POLICY, record, pointer, props, "PolicyName")

    def _profile(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        roles = [
            node(role.get("Arn"), join(pointer, "Roles", i, "Arn"))
            for i, role in enumerate(_list(record.get("Roles")))
        ]
        props["roles"] = Node(roles, pointer=join(pointer, "Roles"))
        self._add_iam(Kind.INSTANCE_PROFILE, record, pointer, props, "InstanceProfileName")

    # -- EC2 ---------------------------------------------------------------------------------
    def _ec2(self, kind: Kind, id_key: str, arn_type: str) -> Any:
        def add(record: dict[str, Any], pointer: str) -> None:
            props = node(record, pointer, camel=True).entries()
            self._add_ec2(kind, record, pointer, props, id_key, arn_type)

        return add

    def _add_ec2(
        self,
        kind: Kind,
        record: dict[str, Any],
        pointer: str,
        props: dict[str, Node],
        id_key: str,
        arn_type: str,
        name: str | None = None,
        version: object = None,
    ) -> None:
        ident = _text(record.get(id_key))
        arn = self.arn("ec2", f"{arn_type}/{ident}") if ident else None
        address = ident or pointer  # EC2 names its resources by ID (messages read better)
        if ident and isinstance(version, int):  # one resource per recorded template version
            address = f"{ident}:{version}"
        self._put(kind, address, pointer, props, name, arn, ident)

    def _add_iam(
        self,
        kind: Kind,
        record: dict[str, Any],
        pointer: str,
        props: dict[str, Node],
        name_key: str,
    ) -> None:
        arn = _text(record.get("Arn"))
        ident = _text(record.get(_IAM_IDS.get(kind, "")))
        self._put(kind, arn or pointer, pointer, props, _text(record.get(name_key)), arn, ident)

    def _put(
        self,
        kind: Kind,
        address: str,
        pointer: str,
        props: dict[str, Node],
        name: str | None = None,
        arn: str | None = None,
        ident: str | None = None,
    ) -> None:
        value = Node(props, Origin.SET, pointer)
        self.scope.add(kind, address, _TYPES[kind], value, pointer, name, arn, ident)

    def _route_table(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        routes = props.get("routes")
        if routes is not None:  # a blackhole route carries no traffic: no way out
            routes.raw = [r for r in routes.items() if (r.get("state") or r).text() != "blackhole"]
        props.pop("associations", None)
        table = record.get("RouteTableId")
        for i, association in enumerate(_list(record.get("Associations"))):
            at = join(pointer, "Associations", i)
            if association.get("Main") is True:
                props["main"] = node(True, join(at, "Main"))
            elif association.get("SubnetId"):
                shaped = node(association, at, camel=True).entries()
                shaped["routeTableId"] = node(table, join(pointer, "RouteTableId"))
                ident = _text(association.get("RouteTableAssociationId"))
                self._put(Kind.ROUTE_TABLE_ASSOCIATION, ident or at, at, shaped)
        self._add_ec2(Kind.ROUTE_TABLE, record, pointer, props, "RouteTableId", "route-table")

    def _internet_gateway(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        attachments = _list(record.get("Attachments"))
        if attachments and isinstance(attachments[0].get("VpcId"), str):
            props["vpcId"] = node(attachments[0]["VpcId"], join(pointer, "Attachments", 0, "VpcId"))
        self._add_ec2(
            Kind.INTERNET_GATEWAY, record, pointer, props, "InternetGatewayId", "internet-gateway"
        )

    def _endpoint(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        props.pop("vpcEndpointId", None)  # in the model, that marks an association to one
        if "PolicyDocument" in record:
            at = join(pointer, "PolicyDocument")
            props["policyDocument"] = _document(record["PolicyDocument"], at)
        self._add_ec2(Kind.VPC_ENDPOINT, record, pointer, props, "VpcEndpointId", "vpc-endpoint")

    def _security_group(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        for key, way in (("IpPermissions", "Ingress"), ("IpPermissionsEgress", "Egress")):
            props.pop(lower_camel(key), None)
            at = join(pointer, key)
            entries = list(_permission_entries(_list(record.get(key)), at))
            props["securityGroup" + way] = Node(entries, pointer=at)
        props["groupDescription"] = props.pop("description", node(None, pointer))
        name = record.get("GroupName")
        self._add_ec2(
            Kind.SECURITY_GROUP,
            record,
            pointer,
            props,
            "GroupId",
            "security-group",
            _text(name),
        )

    def _launch_template(self, record: dict[str, Any], pointer: str) -> None:
        props = node(record, pointer, camel=True).entries()
        name = record.get("LaunchTemplateName")
        self._add_ec2(
            Kind.LAUNCH_TEMPLATE,
            record,
            pointer,
            props,
            "LaunchTemplateId",
            "launch-template",
            _text(name),
            version=record.get("VersionNumber"),
        )

    def _pin_launch_templates(self) -> None:
        """Tie each compute environment's launch template (and overrides) to the recorded
        version it names: a snapshot records versions, not one template's data."""
        templates = self.scope.of_kind(Kind.LAUNCH_TEMPLATE)
        if not templates:
            return
        for ce in self.scope.of_kind(Kind.COMPUTE_ENVIRONMENT):
            main = ce.props.get("computeResources", "launchTemplate")
            if main is None:
                continue
            for spec in (main, *main.each("overrides")):
                version = spec.get("version")
                wanted = (version.text() if version is not None else None) or "$Default"
                for key in ("launchTemplateId", "launchTemplateName"):
                    named = spec.get(key)
                    text = named.text() if named is not None else None
                    if named is None or not text:
                        continue
                    found = _version(templates, text, wanted)
                    if found is not None:
                        named.ref = found.address
                    break


def _version(templates: list[Resource], named: str, wanted: str) -> Resource | None:
    """The recorded template version a compute environment's ``launchTemplate`` names
    (``$Default`` when it names none); ``$Latest`` is the highest recorded, as the
    collector reads ``$Latest`` itself."""
    versions = [t for t in templates if named in (t.ident, t.name) and _number(t) is not None]
    alias = wanted.strip().lower()
    if alias == "$default":
        return next((t for t in versions if _flag(t, "defaultVersion")), None)
    if alias == "$latest":
        return max(versions, key=lambda t: _number(t) or 0, default=None)
    return next((t for t in versions if str(_number(t)) == wanted.strip()), None)


def _number(template: Resource) -> int | None:
    found = template.props.get("versionNumber")
    value = found.number() if found is not None else None
    return int(value) if value is not None and value.is_integer() else None


def _flag(resource: Resource, key: str) -> bool:
    found = resource.props.get(key)
    return found is not None and found.flag() is True


# (the list of sources in an IpPermissions entry, its key, the CloudFormation entry's key)
_SOURCES = (
    ("IpRanges", "CidrIp", "cidrIp"),
    ("Ipv6Ranges", "CidrIpv6", "cidrIpv6"),
    ("UserIdGroupPairs", "GroupId", "sourceSecurityGroupId"),
    ("PrefixListIds", "PrefixListId", "sourcePrefixListId"),
)


def _permission_entries(permissions: list[dict[str, Any]], pointer: str) -> Iterator[Node]:
    """One CloudFormation-style rule per source of each ``IpPermissions`` entry, at that
    source (``IpProtocol: "-1"`` is every protocol, with no ports)."""
    for i, permission in enumerate(permissions):
        at = join(pointer, i)
        base = {
            lower_camel(key): node(permission[key], join(at, key))
            for key in ("IpProtocol", "FromPort", "ToPort")
            if key in permission
        }
        for many, key, shaped in _SOURCES:
            for j, source in enumerate(_list(permission.get(many))):
                where = join(at, many, j)
                entry = dict(base)
                entry[shaped] = node(source.get(key), join(where, key))
                if "Description" in source:
                    entry["description"] = node(source["Description"], join(where, "Description"))
                yield Node(entry, pointer=where)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _list(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# the ID IAM gives each kind (an instance profile's is not used to name it)
_IAM_IDS = {Kind.IAM_ROLE: "RoleId", Kind.IAM_POLICY: "PolicyId"}

_TYPES = {
    Kind.COMPUTE_ENVIRONMENT: "AWS::Batch::ComputeEnvironment",
    Kind.JOB_QUEUE: "AWS::Batch::JobQueue",
    Kind.JOB_DEFINITION: "AWS::Batch::JobDefinition",
    Kind.SCHEDULING_POLICY: "AWS::Batch::SchedulingPolicy",
    Kind.IAM_ROLE: "AWS::IAM::Role",
    Kind.IAM_POLICY: "AWS::IAM::ManagedPolicy",
    Kind.INSTANCE_PROFILE: "AWS::IAM::InstanceProfile",
    Kind.VPC: "AWS::EC2::VPC",
    Kind.SUBNET: "AWS::EC2::Subnet",
    Kind.ROUTE_TABLE: "AWS::EC2::RouteTable",
    Kind.ROUTE_TABLE_ASSOCIATION: "AWS::EC2::SubnetRouteTableAssociation",
    Kind.INTERNET_GATEWAY: "AWS::EC2::InternetGateway",
    Kind.NAT_GATEWAY: "AWS::EC2::NatGateway",
    Kind.VPC_ENDPOINT: "AWS::EC2::VPCEndpoint",
    Kind.SECURITY_GROUP: "AWS::EC2::SecurityGroup",
    Kind.LAUNCH_TEMPLATE: "AWS::EC2::LaunchTemplate",
}
