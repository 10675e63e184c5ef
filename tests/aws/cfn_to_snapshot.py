"""What an account snapshot would hold after a CloudFormation template is deployed.

:func:`to_snapshot` evaluates a template the way CloudFormation would in one account and
Region, then writes each resource the way the AWS API reports it (Batch records as
DescribeComputeEnvironments & co. return them, IAM roles as RoleDetailList items, EC2 records
in their PascalCase, launch templates as DescribeLaunchTemplateVersions items), in the layout
of :mod:`batchlint.snapshot`. Physical names and IDs are deterministic: a resource's Name
property, else its logical id; EC2 IDs are ``<prefix>-<logical id lowercased>``.

A template that cannot be deployed literally (a parameter without default, ``Fn::If``,
``Fn::ImportValue``, a resource ``Condition``, a value of a type the API cannot hold) gives
``None``; :func:`deployable_part` cuts such a template down to the resources that can be,
so a parity test can still compare the rest.

Two switches say how close to a real account the snapshot is, so that a difference can be
told apart by its cause:

- ``realistic``: what AWS fills in on its own (a compute environment's ``desiredvCpus``,
  service-linked ``serviceRole``, default ``ec2Configuration``; a job definition's empty
  ``environment`` lists; a security group's allow-all egress; lower-case ``evaluateOnExit``
  actions; inline policies listed by name), and secrets redacted as the collector does.
- ``selection``: only what the collector reads (Batch resources, and only what they
  reference: subnets and their VPCs' route tables, gateways and endpoints, security groups,
  launch template versions, roles, instance profiles and customer managed policies).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from batchlint.snapshot import redact
from batchlint.sources.snapshot import FORMAT, SCHEMA_VERSION

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "parity"
CAPTURED = "2026-01-01T00:00:00Z"


class Unresolvable(Exception):
    """A value CloudFormation could not deploy as written, or that this converter cannot
    evaluate; the message says which and where."""


_NO_VALUE = object()  # AWS::NoValue: the property is left out


# -- identities ------------------------------------------------------------------------------

# CloudFormation type -> the property holding its physical name
_NAME_KEYS = {
    "AWS::Batch::ComputeEnvironment": "ComputeEnvironmentName",
    "AWS::Batch::JobQueue": "JobQueueName",
    "AWS::Batch::JobDefinition": "JobDefinitionName",
    "AWS::Batch::SchedulingPolicy": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": "PolicyName",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::SecretsManager::Secret": "Name",
}
# CloudFormation type -> the prefix of its physical ID
_ID_PREFIX = {
    "AWS::EC2::VPC": "vpc",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::RouteTable": "rtb",
    "AWS::EC2::Route": "route",
    "AWS::EC2::SubnetRouteTableAssociation": "rtbassoc",
    "AWS::EC2::InternetGateway": "igw",
    "AWS::EC2::EgressOnlyInternetGateway": "eigw",
    "AWS::EC2::NatGateway": "nat",
    "AWS::EC2::VPCEndpoint": "vpce",
    "AWS::EC2::SecurityGroup": "sg",
    "AWS::EC2::SecurityGroupIngress": "sgr",
    "AWS::EC2::SecurityGroupEgress": "sgr",
    "AWS::EC2::LaunchTemplate": "lt",
    "AWS::EC2::EIP": "eipalloc",
    "AWS::EC2::VPCPeeringConnection": "pcx",
    "AWS::EC2::VPCCidrBlock": "vpc-cidr-assoc",
    "AWS::EC2::TransitGateway": "tgw",
    "AWS::EC2::NetworkInterface": "eni",
    "AWS::EC2::Instance": "i",
    "AWS::EFS::FileSystem": "fs",
    "AWS::EFS::AccessPoint": "fsap",
}
_BATCH_ARN = {
    "AWS::Batch::ComputeEnvironment": "compute-environment",
    "AWS::Batch::JobQueue": "job-queue",
    "AWS::Batch::JobDefinition": "job-definition",
    "AWS::Batch::SchedulingPolicy": "scheduling-policy",
}


@dataclass
class Identity:
    """What one deployed resource is called: its physical name or ID, ARN, and what ``Ref``
    and each ``Fn::GetAtt`` give."""

    type: str
    name: str
    ident: str | None = None  # the EC2 (or IAM) ID others name it by
    arn: str | None = None
    ref: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """How a snapshot scan names it: Batch and IAM by ARN, EC2 by ID."""
        if self.type.startswith("AWS::EC2::"):
            return self.ident or self.name
        return self.arn or self.ident or self.name

    def aliases(self) -> set[str]:
        """Every name a finding's message may use for it."""
        found = {self.name, self.ident, self.arn}
        if isinstance(self.ref, str):
            found.add(self.ref)
        return {a for a in found if a}


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def zones(region: str) -> list[str]:
    """What ``Fn::GetAZs`` gives (and the zones subnets are spread over)."""
    return [f"{region}{letter}" for letter in "abc"]


def zone_id(region: str, zone: str) -> str:
    """``us-east-1b`` -> ``use1-az2``: a stand-in for the account's mapping of names to IDs."""
    parts = region.split("-")
    short = parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]
    letter = zone[len(region) :] or "a"
    return f"{short}-az{ord(letter[0]) - ord('a') + 1}"


def zone_name(region: str, ident: str) -> str:
    """The inverse of :func:`zone_id`: ``use1-az4`` -> ``us-east-1d``."""
    number = ident.rsplit("-az", 1)[-1]
    return region + chr(ord("a") + int(number) - 1) if number.isdigit() else region + "a"


# -- evaluating a template -------------------------------------------------------------------


class Evaluator:
    """Evaluates a template's values in one account and Region, as CloudFormation would."""

    def __init__(self, template: dict[str, Any], account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.partition = _partition(region)
        params = template.get("Parameters")
        self.parameters: dict[str, Any] = params if isinstance(params, dict) else {}
        mappings = template.get("Mappings")
        self.mappings: dict[str, Any] = mappings if isinstance(mappings, dict) else {}
        resources = template.get("Resources")
        self.resources: dict[str, Any] = resources if isinstance(resources, dict) else {}
        self.pseudo: dict[str, Any] = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
            "AWS::StackName": STACK,
            "AWS::StackId": f"arn:{self.partition}:cloudformation:{region}:{account}:stack/"
            f"{STACK}/00000000-0000-0000-0000-000000000000",
            "AWS::NotificationARNs": [],
        }
        self._identities: dict[str, Identity] = {}
        self._naming: set[str] = set()

    def arn(self, service: str, what: str, region: bool = True) -> str:
        where = self.region if region else ""
        return f"arn:{self.partition}:{service}:{where}:{self.account}:{what}"

    # -- values --------------------------------------------------------------------------
    def value(self, data: Any, where: str) -> Any:
        """``data`` with every intrinsic function evaluated; ``_NO_VALUE`` for AWS::NoValue."""
        if isinstance(data, dict):
            if len(data) == 1:
                key = next(iter(data))
                if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
                    handler = _FUNCTIONS.get(key)
                    if handler is None:
                        raise Unresolvable(f"{where}: {key} cannot be evaluated")
                    return handler(self, data[key], f"{where}/{key}")
                if key == "Condition":
                    raise Unresolvable(f"{where}: a condition cannot be evaluated")
            out = {}
            for key, child in data.items():
                found = self.value(child, f"{where}/{key}")
                if found is not _NO_VALUE:
                    out[str(key)] = found
            return out
        if isinstance(data, list):
            items = [self.value(child, f"{where}/{i}") for i, child in enumerate(data)]
            return [item for item in items if item is not _NO_VALUE]
        return data

    def text(self, data: Any, where: str) -> str:
        found = self.value(data, where)
        if isinstance(found, bool):
            return "true" if found else "false"
        if isinstance(found, str | int | float):
            return str(found)
        raise Unresolvable(f"{where}: not a string")

    def ref(self, name: str, where: str) -> Any:
        if name in self.resources:
            return self.identity(name).ref
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        spec = self.parameters.get(name)
        if not isinstance(spec, dict):
            raise Unresolvable(f"{where}: {name} is neither a resource nor a parameter")
        if "Default" not in spec or spec["Default"] is None:
            raise Unresolvable(f"{where}: parameter {name} has no default")
        written = spec.get("Type")
        kind = written if isinstance(written, str) else "String"
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            raise Unresolvable(f"{where}: parameter {name} is read from SSM")
        default = spec["Default"]
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            if isinstance(default, list):
                return [str(item) for item in default]
            text = str(default)
            return [part.strip() for part in text.split(",")] if text.strip() else []
        return default

    def attribute(self, logical_id: str, name: str, where: str) -> Any:
        if logical_id not in self.resources:
            raise Unresolvable(f"{where}: no resource {logical_id}")
        found = self.identity(logical_id).attributes
        if name not in found:
            raise Unresolvable(f"{where}: {logical_id}.{name} is not known here")
        value = found[name]
        return value() if callable(value) else value

    # -- resources -----------------------------------------------------------------------
    def body(self, logical_id: str) -> dict[str, Any]:
        body = self.resources.get(logical_id)
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            raise Unresolvable(f"{logical_id}: not a resource declaration")
        return body

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties, evaluated; its ``Condition`` cannot be."""
        body = self.body(logical_id)
        if "Condition" in body:
            raise Unresolvable(f"{logical_id}: deployed only under condition {body['Condition']}")
        data = body.get("Properties")
        if data is None:
            return {}
        found = self.value(data, f"{logical_id}/Properties")
        if not isinstance(found, dict):
            raise Unresolvable(f"{logical_id}: Properties is not a mapping")
        return found

    def identity(self, logical_id: str) -> Identity:
        if logical_id in self._identities:
            return self._identities[logical_id]
        if logical_id in self._naming:
            raise Unresolvable(f"{logical_id}: its name depends on itself")
        self._naming.add(logical_id)
        try:
            found = self._identity(logical_id, self.body(logical_id)["Type"])
        finally:
            self._naming.discard(logical_id)
        self._identities[logical_id] = found
        return found

    def _name(self, logical_id: str, type_name: str) -> str:
        key = _NAME_KEYS.get(type_name)
        props = self.body(logical_id).get("Properties")
        if key and isinstance(props, dict) and key in props:
            found = self.value(props[key], f"{logical_id}/Properties/{key}")
            if found is not _NO_VALUE:
                if not isinstance(found, str) or not found:
                    raise Unresolvable(f"{logical_id}: {key} is not a name")
                return found
        return logical_id

    def _path(self, logical_id: str) -> str:
        props = self.body(logical_id).get("Properties")
        path = props.get("Path", "/") if isinstance(props, dict) else "/"
        found = self.value(path, f"{logical_id}/Properties/Path")
        return found if isinstance(found, str) and found.startswith("/") else "/"

    def _identity(self, logical_id: str, type_name: str) -> Identity:
        name = self._name(logical_id, type_name)
        lowered = logical_id.lower()
        if type_name in _BATCH_ARN:
            what = f"{_BATCH_ARN[type_name]}/{name}"
            if type_name == "AWS::Batch::JobDefinition":
                what += ":1"
            arn = self.arn("batch", what)
            attrs: dict[str, Any] = {"Arn": arn}
            if type_name == "AWS::Batch::ComputeEnvironment":
                attrs["ComputeEnvironmentArn"] = arn
            elif type_name == "AWS::Batch::JobQueue":
                attrs["JobQueueArn"] = arn
            elif type_name == "AWS::Batch::JobDefinition":
                attrs["JobDefinitionArn"] = arn
            return Identity(type_name, name, None, arn, arn, attrs)
        if type_name == "AWS::IAM::Role":
            arn = self.arn("iam", f"role{self._path(logical_id)}{name}", region=False)
            role_id = "AROA" + _digest(arn, 17).upper()
            return Identity(type_name, name, role_id, arn, name, {"Arn": arn, "RoleId": role_id})
        if type_name == "AWS::IAM::InstanceProfile":
            arn = self.arn("iam", f"instance-profile{self._path(logical_id)}{name}", region=False)
            return Identity(type_name, name, None, arn, name, {"Arn": arn})
        if type_name == "AWS::IAM::ManagedPolicy":
            arn = self.arn("iam", f"policy{self._path(logical_id)}{name}", region=False)
            policy_id = "ANPA" + _digest(arn, 17).upper()
            return Identity(type_name, name, policy_id, arn, arn, {"PolicyArn": arn})
        if type_name == "AWS::IAM::Policy":
            ident = f"{STACK}-{logical_id}-{_digest(logical_id, 8)}"
            return Identity(type_name, name, ident, None, ident, {"Id": ident})
        if type_name == "AWS::SecretsManager::Secret":
            arn = self.arn("secretsmanager", f"secret:{name}-{_digest(name, 6)}")
            return Identity(type_name, name, None, arn, arn, {"Id": arn})
        if type_name in _ID_PREFIX:
            return self._ec2_identity(logical_id, type_name, name, f"{_ID_PREFIX[type_name]}-")
        # anything else: a stand-in ID, and an ARN of its service
        service = type_name.split("::")[1].lower() if type_name.count("::") == 2 else "custom"
        arn = self.arn(service, lowered)
        return Identity(type_name, name, lowered, arn, lowered, {"Arn": arn})

    def _ec2_identity(self, logical_id: str, type_name: str, name: str, prefix: str) -> Identity:
        ident = prefix + logical_id.lower()
        attrs: dict[str, Any] = {"Id": ident}
        ref: Any = ident
        if type_name == "AWS::EC2::VPC":
            attrs.update(
                VpcId=ident,
                CidrBlock=lambda: self._cidr_of(logical_id),
                DefaultSecurityGroup=f"sg-default-{logical_id.lower()}",
                DefaultNetworkAcl=f"acl-default-{logical_id.lower()}",
                Ipv6CidrBlocks=lambda: [self.ipv6_block(logical_id)],
            )
        elif type_name == "AWS::EC2::Subnet":
            attrs.update(
                SubnetId=ident,
                AvailabilityZone=lambda: self.subnet_zone(logical_id),
                VpcId=lambda: self.properties(logical_id).get("VpcId"),
            )
        elif type_name == "AWS::EC2::RouteTable":
            attrs["RouteTableId"] = ident
        elif type_name == "AWS::EC2::InternetGateway":
            attrs["InternetGatewayId"] = ident
        elif type_name == "AWS::EC2::NatGateway":
            attrs["NatGatewayId"] = ident
        elif type_name == "AWS::EC2::SecurityGroup":
            attrs.update(GroupId=ident, VpcId=lambda: self.properties(logical_id).get("VpcId"))
        elif type_name == "AWS::EC2::LaunchTemplate":
            attrs.update(LaunchTemplateId=ident, LatestVersionNumber="1", DefaultVersionNumber="1")
        elif type_name == "AWS::EC2::EIP":
            address = f"203.0.113.{int(_digest(logical_id, 2), 16) % 250 + 1}"
            attrs.update(AllocationId=ident, PublicIp=address)
            ref = address
        elif type_name == "AWS::EC2::VPCCidrBlock":
            attrs["Ipv6CidrBlock"] = lambda: self.ipv6_block(
                _logical(self.properties(logical_id).get("VpcId"), self, "AWS::EC2::VPC") or ""
            )
        elif type_name in ("AWS::EFS::FileSystem", "AWS::EFS::AccessPoint"):
            kind = "file-system" if type_name.endswith("FileSystem") else "access-point"
            arn = self.arn("elasticfilesystem", f"{kind}/{ident}")
            attrs.update(Arn=arn, FileSystemId=ident, AccessPointId=ident)
            return Identity(type_name, name, ident, arn, ident, attrs)
        ec2_arn = (
            self.arn("ec2", f"{prefix.rstrip('-')}/{ident}") if type_name in _EC2_ARN else None
        )
        return Identity(type_name, name, ident, ec2_arn, ref, attrs)

    def _cidr_of(self, vpc: str) -> Any:
        return self.properties(vpc).get("CidrBlock")

    def ipv6_block(self, vpc: str) -> str:
        """The /56 Amazon gives a VPC that asks for one (a stand-in range)."""
        number = int(_digest(vpc, 2), 16)
        return f"2600:1f18:{number:x}00::/56"

    def subnet_zone(self, logical_id: str) -> str:
        """The subnet's Availability Zone: as written (by name or ID), else the one AWS
        picks (here: the Region's zones in turn, by declaration order, as AWS spreads them)."""
        props = self.properties(logical_id)
        zone = props.get("AvailabilityZone")
        if isinstance(zone, str) and zone:
            return zone
        zone_ident = props.get("AvailabilityZoneId")
        if isinstance(zone_ident, str) and zone_ident:
            return zone_name(self.region, zone_ident)
        unset = [
            lid
            for lid, body in self.resources.items()
            if isinstance(body, dict) and body.get("Type") == "AWS::EC2::Subnet"
        ]
        index = unset.index(logical_id) if logical_id in unset else 0
        return zones(self.region)[index % 3]


_EC2_ARN = {
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::LaunchTemplate",
}


def _logical(value: Any, ev: Evaluator, type_name: str) -> str | None:
    """The logical id of the resource of ``type_name`` a deployed value names (its ID, ARN,
    name or what ``Ref`` gives), or None when it names none."""
    if not isinstance(value, str) or not value:
        return None
    for logical_id, body in ev.resources.items():
        if isinstance(body, dict) and body.get("Type") == type_name:
            try:
                found = ev.identity(logical_id)
            except Unresolvable:
                continue
            if value in found.aliases():
                return logical_id
    return None


# -- intrinsic functions ---------------------------------------------------------------------

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _fn_ref(ev: Evaluator, arg: Any, where: str) -> Any:
    return ev.ref(ev.text(arg, where), where)


def _fn_get_att(ev: Evaluator, arg: Any, where: str) -> Any:
    if isinstance(arg, str) and "." in arg:
        logical_id, name = arg.split(".", 1)
    elif isinstance(arg, list) and len(arg) == 2:
        logical_id, name = ev.text(arg[0], where), ev.text(arg[1], where)
    else:
        raise Unresolvable(f"{where}: malformed")
    return ev.attribute(logical_id, name, where)


def _fn_sub(ev: Evaluator, arg: Any, where: str) -> Any:
    variables: dict[str, Any] = {}
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        arg, variables = arg[0], arg[1]
    if not isinstance(arg, str):
        raise Unresolvable(f"{where}: malformed")

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("!"):
            return "${" + body[1:] + "}"
        name = body.strip()
        if name in variables:
            found = ev.value(variables[name], f"{where}/1/{name}")
        elif "." in name and name.split(".", 1)[0] in ev.resources:
            logical_id, attribute = name.split(".", 1)
            found = ev.attribute(logical_id, attribute, where)
        else:
            found = ev.ref(name, where)
        if isinstance(found, bool) or not isinstance(found, str | int | float):
            raise Unresolvable(f"{where}: ${{{name}}} is not a string")
        return str(found)

    return _SUB_VARIABLE.sub(one, arg)


def _fn_join(ev: Evaluator, arg: Any, where: str) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise Unresolvable(f"{where}: malformed")
    delimiter = ev.text(arg[0], where)
    items = ev.value(arg[1], where)
    if not isinstance(items, list):
        raise Unresolvable(f"{where}: not a list")
    return delimiter.join(ev.text(item, where) for item in items)


def _fn_select(ev: Evaluator, arg: Any, where: str) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise Unresolvable(f"{where}: malformed")
    index = ev.text(arg[0], where)
    items = ev.value(arg[1], where)
    if not isinstance(items, list) or not index.isdigit() or int(index) >= len(items):
        raise Unresolvable(f"{where}: no such element")
    return items[int(index)]


def _fn_split(ev: Evaluator, arg: Any, where: str) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise Unresolvable(f"{where}: malformed")
    return ev.text(arg[1], where).split(ev.text(arg[0], where))


def _fn_find_in_map(ev: Evaluator, arg: Any, where: str) -> Any:
    if not isinstance(arg, list) or len(arg) not in (3, 4):
        raise Unresolvable(f"{where}: malformed")
    found: Any = ev.mappings
    for key in arg[:3]:
        step = ev.text(key, where)
        found = found.get(step, _NO_VALUE) if isinstance(found, dict) else _NO_VALUE
    if found is _NO_VALUE:
        fallback = arg[3] if len(arg) == 4 else None
        if isinstance(fallback, dict) and "DefaultValue" in fallback:
            return ev.value(fallback["DefaultValue"], where)
        raise Unresolvable(f"{where}: no such mapping entry")
    return copy.deepcopy(found)


def _fn_base64(ev: Evaluator, arg: Any, where: str) -> Any:
    return base64.b64encode(ev.text(arg, where).encode()).decode()


def _fn_get_azs(ev: Evaluator, arg: Any, where: str) -> Any:
    region = ev.text(arg, where) or ev.region
    return zones(region)


def _fn_cidr(ev: Evaluator, arg: Any, where: str) -> Any:
    if not isinstance(arg, list) or len(arg) != 3:
        raise Unresolvable(f"{where}: malformed")
    block = ipaddress.ip_network(ev.text(arg[0], where), strict=False)
    count, bits = int(ev.text(arg[1], where)), int(ev.text(arg[2], where))
    prefix = block.max_prefixlen - bits
    found = []
    for subnet in block.subnets(new_prefix=prefix):
        found.append(str(subnet))
        if len(found) == count:
            break
    return found


_FUNCTIONS: dict[str, Callable[[Evaluator, Any, str], Any]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::Cidr": _fn_cidr,
}


# -- Batch records: shaped by botocore's model of the API's answers ---------------------------


@cache
def _batch_model() -> Any:
    import botocore.session  # type: ignore[import-untyped]

    return botocore.session.get_session().get_service_model("batch")


_BATCH_SHAPES = {
    "AWS::Batch::ComputeEnvironment": "ComputeEnvironmentDetail",
    "AWS::Batch::JobQueue": "JobQueueDetail",
    "AWS::Batch::JobDefinition": "JobDefinition",
    "AWS::Batch::SchedulingPolicy": "SchedulingPolicyDetail",
}


def _lower_camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def shaped(value: Any, shape: Any, where: str) -> Any:
    """A CloudFormation value as the API returns it: members in the API's names (properties
    the API does not return are left out), numbers and booleans as JSON numbers and
    booleans, map keys as written."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise Unresolvable(f"{where}: not a mapping")
        members = shape.members
        by_lower = {name.lower(): name for name in members}
        out = {}
        for key, child in value.items():
            name = _lower_camel(key)
            name = name if name in members else by_lower.get(key.lower(), "")
            if name:
                out[name] = shaped(child, members[name], f"{where}/{key}")
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise Unresolvable(f"{where}: not a list")
        return [shaped(item, shape.member, f"{where}/{i}") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise Unresolvable(f"{where}: not a mapping")
        return {str(k): shaped(v, shape.value, f"{where}/{k}") for k, v in value.items()}
    if kind in ("integer", "long"):
        number = _number(value, where)
        if number != int(number):
            raise Unresolvable(f"{where}: not an integer")
        return int(number)
    if kind in ("float", "double"):
        return _number(value, where)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise Unresolvable(f"{where}: not a boolean")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise Unresolvable(f"{where}: not a string")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise Unresolvable(f"{where}: not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Unresolvable(f"{where}: not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Unresolvable(f"{where}: not a number")
    return number


# -- the converter ---------------------------------------------------------------------------


@dataclass
class Converted:
    snapshot: dict[str, Any]
    identities: dict[str, Identity]  # logical id -> its deployed identity


def to_snapshot(
    template: dict[str, Any], account: str = ACCOUNT, region: str = REGION
) -> dict[str, Any] | None:
    """The snapshot an account would give after deploying ``template``; ``None`` when the
    template cannot be deployed literally."""
    try:
        return convert(template, account, region).snapshot
    except Unresolvable:
        return None


def convert(
    template: dict[str, Any],
    account: str = ACCOUNT,
    region: str = REGION,
    *,
    realistic: bool = True,
    selection: bool = True,
) -> Converted:
    """As :func:`to_snapshot`, with the identities of the resources; raises
    :class:`Unresolvable` (saying why) when the template cannot be deployed literally."""
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise Unresolvable("not a template with Resources")
    ev = Evaluator(expand_loops(template), account, region)
    return _Builder(ev, realistic, selection).build()


def deployable_part(
    template: dict[str, Any], account: str = ACCOUNT, region: str = REGION
) -> tuple[dict[str, Any], dict[str, str]]:
    """``template`` without the resources that cannot be deployed literally and those that
    refer to them, however indirectly; and why each left out one was (logical id -> reason)."""
    template = expand_loops(template)
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return template, {}
    dropped = _Builder(Evaluator(template, account, region), True, False).problems()
    uses = {
        str(lid): _references(body, set(map(str, resources))) for lid, body in resources.items()
    }
    changed = True
    while changed:
        changed = False
        for logical_id, targets in uses.items():
            gone = sorted(t for t in targets if t in dropped)
            if logical_id not in dropped and gone:
                dropped[logical_id] = f"{logical_id}: refers to {gone[0]}, left out"
                changed = True
    kept = copy.deepcopy(template)
    kept["Resources"] = {}
    for logical_id, body in resources.items():
        if str(logical_id) in dropped:
            continue
        body = copy.deepcopy(body)
        if isinstance(body, dict) and "DependsOn" in body:
            after = body["DependsOn"]
            after = [after] if isinstance(after, str) else after
            after = [a for a in after if a not in dropped] if isinstance(after, list) else []
            if after:
                body["DependsOn"] = after
            else:
                del body["DependsOn"]
        kept["Resources"][logical_id] = body
    return kept, dropped


def expand_loops(template: dict[str, Any]) -> dict[str, Any]:
    """The template with its ``Fn::ForEach`` resource loops (AWS::LanguageExtensions) written
    out, for literal collections: ``${Id}``/``&{Id}`` in keys and strings, and ``Ref: Id``,
    become each value. A loop over anything else stays, and cannot be deployed here."""
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not any(
        str(k).startswith("Fn::ForEach::") for k in resources
    ):
        return template
    out = dict(template)
    out["Resources"] = {}
    for key, body in resources.items():
        loop = body if str(key).startswith("Fn::ForEach::") else None
        if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str)):
            out["Resources"][key] = body
            continue
        name, values, outputs = loop
        if not isinstance(values, list) or not isinstance(outputs, dict):
            out["Resources"][key] = body
            continue
        for value in values:
            for logical_id, item in outputs.items():
                found = _substitute({logical_id: item}, name, str(value))
                out["Resources"].update(found)
    return out


def _substitute(data: Any, name: str, value: str) -> Any:
    if isinstance(data, dict):
        if data == {"Ref": name}:
            return value
        return {_substitute(k, name, value): _substitute(v, name, value) for k, v in data.items()}
    if isinstance(data, list):
        return [_substitute(item, name, value) for item in data]
    if isinstance(data, str):
        return data.replace("${" + name + "}", value).replace("&{" + name + "}", value)
    return data


def _references(data: Any, resources: set[str]) -> set[str]:
    """The logical ids ``data`` refers to (Ref, GetAtt, Sub, DependsOn), in every branch."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "Ref" and isinstance(child, str) and child in resources:
                    found.add(child)
                elif key == "Fn::GetAtt":
                    target = child.split(".", 1)[0] if isinstance(child, str) else None
                    if isinstance(child, list) and child and isinstance(child[0], str):
                        target = child[0]
                    if target in resources:
                        found.add(str(target))
                elif key == "Fn::Sub":
                    text = child[0] if isinstance(child, list) and child else child
                    if isinstance(text, str):
                        for name in _SUB_VARIABLE.findall(text):
                            head = name.strip().split(".", 1)[0]
                            if head in resources:
                                found.add(head)
                elif key == "DependsOn":
                    names = [child] if isinstance(child, str) else child
                    if isinstance(names, list):
                        found.update(n for n in names if isinstance(n, str) and n in resources)
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(data)
    return found


class _Builder:
    """Builds one snapshot from an evaluated template."""

    def __init__(self, ev: Evaluator, realistic: bool, selection: bool) -> None:
        self.ev = ev
        self.realistic = realistic
        self.selection = selection
        self.props: dict[str, dict[str, Any]] = {}
        self.by_type: dict[str, list[str]] = {}
        for logical_id, body in ev.resources.items():
            if isinstance(body, dict) and isinstance(body.get("Type"), str):
                self.by_type.setdefault(body["Type"], []).append(str(logical_id))

    def of(self, type_name: str) -> list[str]:
        return self.by_type.get(type_name, [])

    def p(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self.props:
            self.props[logical_id] = self.ev.properties(logical_id)
        return self.props[logical_id]

    def lid(self, value: Any, type_name: str) -> str | None:
        return _logical(value, self.ev, type_name)

    def resolved(self, type_name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The resources of ``type_name`` whose properties can be evaluated, with them: a
        route that cannot be is its own problem, not its table's."""
        for logical_id in self.of(type_name):
            try:
                yield logical_id, self.p(logical_id)
            except Unresolvable:
                continue

    def problems(self) -> dict[str, str]:
        """Why each resource that cannot be deployed as written cannot be (logical id ->
        reason): its own values, or a physical name another resource of its type has."""
        found: dict[str, str] = {}
        for logical_id in self.ev.resources:
            try:
                self.check(str(logical_id))
            except Unresolvable as exc:
                found[str(logical_id)] = str(exc)
        for type_name, logical_ids in self.by_type.items():
            if type_name not in _NAME_KEYS or type_name == "AWS::IAM::Policy":
                continue
            seen: dict[str, str] = {}
            for logical_id in logical_ids:
                if logical_id in found:
                    continue
                name = self.ev.identity(logical_id).name
                if name in seen:
                    found[logical_id] = f"{logical_id}: {type_name} {name} is {seen[name]}'s"
                seen.setdefault(name, logical_id)
        return found

    def check(self, logical_id: str) -> None:
        """Raise :class:`Unresolvable` unless the resource can be deployed as written."""
        type_name = self.ev.body(logical_id)["Type"]
        self.ev.identity(logical_id)
        self.p(logical_id)
        make = self._makers().get(type_name)
        if make is not None:
            make(logical_id)

    def _makers(self) -> dict[str, Callable[[str], Any]]:
        return {
            "AWS::Batch::ComputeEnvironment": self.compute_environment,
            "AWS::Batch::JobQueue": self.job_queue,
            "AWS::Batch::JobDefinition": self.job_definition,
            "AWS::Batch::SchedulingPolicy": self.scheduling_policy,
            "AWS::IAM::Role": self.role,
            "AWS::IAM::InstanceProfile": self.instance_profile,
            "AWS::IAM::ManagedPolicy": self.managed_policy,
            "AWS::EC2::VPC": self.vpc,
            "AWS::EC2::Subnet": self.subnet,
            "AWS::EC2::RouteTable": self.route_table,
            "AWS::EC2::InternetGateway": self.internet_gateway,
            "AWS::EC2::NatGateway": self.nat_gateway,
            "AWS::EC2::VPCEndpoint": self.vpc_endpoint,
            "AWS::EC2::SecurityGroup": self.security_group,
            "AWS::EC2::LaunchTemplate": self.launch_template,
        }

    # -- the document --------------------------------------------------------------------
    def build(self) -> Converted:
        ev = self.ev
        problems = self.problems()  # every resource must deploy, not just those recorded
        if problems:
            raise Unresolvable(next(iter(problems.values())))
        identities = {str(lid): ev.identity(str(lid)) for lid in ev.resources}
        region: dict[str, Any] = {"region": ev.region, "errors": []}
        lists = {
            "computeEnvironments": "AWS::Batch::ComputeEnvironment",
            "jobQueues": "AWS::Batch::JobQueue",
            "jobDefinitions": "AWS::Batch::JobDefinition",
            "schedulingPolicies": "AWS::Batch::SchedulingPolicy",
        }
        for key, type_name in lists.items():
            make = self._makers()[type_name]
            region[key] = [make(lid) for lid in self.of(type_name)]
        wanted = self._wanted(region) if self.selection else None

        def records(type_name: str) -> list[dict[str, Any]]:
            make = self._makers()[type_name]
            return [make(lid) for lid in self.of(type_name) if wanted is None or lid in wanted]

        region["vpcs"] = records("AWS::EC2::VPC")
        region["subnets"] = records("AWS::EC2::Subnet")
        region["routeTables"] = records("AWS::EC2::RouteTable") + [
            self.main_route_table(lid)
            for lid in self.of("AWS::EC2::VPC")
            if wanted is None or lid in wanted
        ]
        region["internetGateways"] = records("AWS::EC2::InternetGateway")
        region["natGateways"] = records("AWS::EC2::NatGateway")
        region["vpcEndpoints"] = records("AWS::EC2::VPCEndpoint")
        region["securityGroups"] = records("AWS::EC2::SecurityGroup") + [
            self.default_security_group(vpc)
            for vpc in self.of("AWS::EC2::VPC")
            if wanted is None or f"default-sg:{vpc}" in wanted
        ]
        region["launchTemplates"] = records("AWS::EC2::LaunchTemplate")
        iam = {
            "roles": records("AWS::IAM::Role"),
            "policies": records("AWS::IAM::ManagedPolicy"),
            "instanceProfiles": records("AWS::IAM::InstanceProfile"),
        }
        snapshot = {
            "format": FORMAT,
            "schemaVersion": SCHEMA_VERSION,
            "generator": "tests/aws/cfn_to_snapshot.py",
            "capturedAt": CAPTURED,
            "accounts": [
                {
                    "accountId": ev.account,
                    "partition": ev.partition,
                    "iam": iam,
                    "regions": [region],
                    "errors": [],
                }
            ],
        }
        return Converted(snapshot, identities)

    def _wanted(self, region: dict[str, Any]) -> set[str]:
        """The logical ids of what the collector would read, given the Batch records:
        the subnets, security groups and launch templates the compute environments name;
        the subnets' VPCs and everything of those VPCs; the roles, instance profiles and
        customer managed policies the Batch resources use."""
        wanted: set[str] = set()
        roles: set[str] = set()
        profiles: set[str] = set()
        for ce in region["computeEnvironments"]:
            resources = ce.get("computeResources") or {}
            for subnet in resources.get("subnets") or []:
                wanted.add(self.lid(subnet, "AWS::EC2::Subnet") or "")
            for group in resources.get("securityGroupIds") or []:
                wanted.add(self.lid(group, "AWS::EC2::SecurityGroup") or "")
                wanted.add(self._default_group(group))
            spec = resources.get("launchTemplate") or {}
            for item in (spec, *(spec.get("overrides") or [])):
                for key in ("launchTemplateId", "launchTemplateName"):
                    found = self.lid(item.get(key), "AWS::EC2::LaunchTemplate")
                    if found:
                        wanted.add(found)
                        data = self.p(found).get("LaunchTemplateData") or {}
                        for group in _template_groups(data):
                            wanted.add(self.lid(group, "AWS::EC2::SecurityGroup") or "")
                            wanted.add(self._default_group(group))
            roles.add(str(ce.get("serviceRole") or ""))
            roles.add(str(resources.get("spotIamFleetRole") or ""))
            profiles.add(str(resources.get("instanceRole") or ""))
        for definition in region["jobDefinitions"]:
            roles.update(str(arn) for arn in _job_role_arns(definition) if arn)
        vpcs = set()
        for subnet in [w for w in wanted if w in self.of("AWS::EC2::Subnet")]:
            vpcs.add(self.lid(self.p(subnet).get("VpcId"), "AWS::EC2::VPC"))
        vpcs.discard(None)
        wanted |= {v for v in vpcs if v}
        for type_name in (
            "AWS::EC2::RouteTable",
            "AWS::EC2::NatGateway",
            "AWS::EC2::VPCEndpoint",
        ):
            for lid in self.of(type_name):
                if self.lid(self.p(lid).get("VpcId"), "AWS::EC2::VPC") in vpcs:
                    wanted.add(lid)
                if type_name == "AWS::EC2::NatGateway":
                    subnet = self.lid(self.p(lid).get("SubnetId"), "AWS::EC2::Subnet")
                    if subnet and self.lid(self.p(subnet).get("VpcId"), "AWS::EC2::VPC") in vpcs:
                        wanted.add(lid)
        for lid in self.of("AWS::EC2::InternetGateway"):
            if self._gateway_vpc(lid) in vpcs:
                wanted.add(lid)
        for value in profiles:
            found = self.lid(_iam_name(value), "AWS::IAM::InstanceProfile")
            if found:
                wanted.add(found)
                for role in self.p(found).get("Roles") or []:
                    roles.add(str(role))
        for value in roles:
            found = self.lid(_iam_name(value), "AWS::IAM::Role")
            if found:
                wanted.add(found)
        for lid in self.of("AWS::IAM::ManagedPolicy"):
            attached = {self.lid(r, "AWS::IAM::Role") for r in self.p(lid).get("Roles") or []}
            arn = self.ev.identity(lid).arn
            for role in self.of("AWS::IAM::Role"):
                if role in wanted and (role in attached or arn in self._managed_arns(role)):
                    wanted.add(lid)
        wanted.discard("")
        return wanted

    def _default_group(self, group: Any) -> str:
        for vpc in self.of("AWS::EC2::VPC"):
            if group == f"sg-default-{vpc.lower()}":
                return f"default-sg:{vpc}"
        return ""

    # -- Batch ---------------------------------------------------------------------------
    def _batch(self, logical_id: str, type_name: str) -> dict[str, Any]:
        shape = _batch_model().shape_for(_BATCH_SHAPES[type_name])
        return shaped(self.p(logical_id), shape, logical_id)

    def compute_environment(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        record = self._batch(logical_id, "AWS::Batch::ComputeEnvironment")
        record["computeEnvironmentName"] = me.name
        record["computeEnvironmentArn"] = me.arn
        record["status"] = "VALID"
        # Batch keeps instanceRole and spotIamFleetRole as written (a name stays a name: see
        # the recorded DescribeComputeEnvironments answers in ../shared/corpus/live), and
        # turns a service role's name into its ARN (API_CreateComputeEnvironment.html)
        if "serviceRole" in record:
            record["serviceRole"] = self._iam_arn(record["serviceRole"], "role")
        if self.realistic:
            self._ce_defaults(record, me)
        return record

    def _ce_defaults(self, record: dict[str, Any], me: Identity) -> None:
        """What DescribeComputeEnvironments shows that the template does not write (as
        recorded answers show: empty tags and lists, desiredvCpus, the image type)."""
        eks = "eksConfiguration" in record
        uuid = f"{_digest(me.arn or me.name, 8)}-0000-4000-8000-{_digest(me.name, 12)}"
        record.setdefault("state", "ENABLED")
        record.setdefault("statusReason", "ComputeEnvironment Healthy")
        record.setdefault(
            "serviceRole",
            self.ev.arn(
                "iam",
                "role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
                region=False,
            ),
        )
        record["containerOrchestrationType"] = "EKS" if eks else "ECS"
        record["uuid"] = uuid
        if not eks:
            record["ecsClusterArn"] = self.ev.arn("ecs", f"cluster/AWSBatch-{me.name}-{uuid}")
        record.setdefault("tags", {})
        resources = record.get("computeResources")
        if not isinstance(resources, dict):
            return
        resources.setdefault("tags", {})
        if resources.get("type") in ("FARGATE", "FARGATE_SPOT"):
            resources.setdefault("instanceTypes", [])
            resources.setdefault("ec2Configuration", [])
            return
        resources.setdefault("minvCpus", 0)
        resources.setdefault("desiredvCpus", resources["minvCpus"])
        image = "EKS_AL2023" if eks else "ECS_AL2023"  # the default since 2026-01-12
        resources.setdefault("ec2Configuration", [{"imageType": image}])

    def _iam_arn(self, value: Any, kind: str) -> Any:
        """A role or instance profile as Batch reports it: an ARN, whatever was written."""
        if not isinstance(value, str) or not value or value.startswith("arn:"):
            return value
        type_name = "AWS::IAM::Role" if kind == "role" else "AWS::IAM::InstanceProfile"
        found = self.lid(value, type_name)
        if found is not None:
            return self.ev.identity(found).arn
        return self.ev.arn("iam", f"{kind}/{value}", region=False)

    def job_queue(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        record = self._batch(logical_id, "AWS::Batch::JobQueue")
        record["jobQueueName"] = me.name
        record["jobQueueArn"] = me.arn
        record["status"] = "VALID"
        for entry in record.get("computeEnvironmentOrder") or []:
            value = entry.get("computeEnvironment")
            if isinstance(value, str) and value and not value.startswith("arn:"):
                found = self.lid(value, "AWS::Batch::ComputeEnvironment")
                entry["computeEnvironment"] = (
                    self.ev.identity(found).arn
                    if found
                    else self.ev.arn("batch", f"compute-environment/{value}")
                )
        if self.realistic:
            record.setdefault("state", "ENABLED")
            record.setdefault("statusReason", "JobQueue Healthy")
        return record

    def job_definition(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        record = self._batch(logical_id, "AWS::Batch::JobDefinition")
        record["jobDefinitionName"] = me.name
        record["jobDefinitionArn"] = me.arn
        record["revision"] = 1
        record["status"] = "ACTIVE"
        if self.realistic:
            record.setdefault("parameters", {})
            eks = "eksProperties" in record
            record["containerOrchestrationType"] = "EKS" if eks else "ECS"
            if not eks:
                record.setdefault("platformCapabilities", ["EC2"])
            containers = [record.get("containerProperties")]
            nodes = record.get("nodeProperties") or {}
            containers += [r.get("container") for r in nodes.get("nodeRangeProperties") or []]
            for container in containers:
                if isinstance(container, dict):
                    for key in ("volumes", "environment", "mountPoints", "ulimits", "secrets"):
                        container.setdefault(key, [])
            for entry in (record.get("retryStrategy") or {}).get("evaluateOnExit") or []:
                if isinstance(entry.get("action"), str):
                    entry["action"] = entry["action"].lower()
            redact(record)  # as the collector does before anything is written
        return record

    def scheduling_policy(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        record = self._batch(logical_id, "AWS::Batch::SchedulingPolicy")
        record["name"] = me.name
        record["arn"] = me.arn
        return record

    # -- IAM -----------------------------------------------------------------------------
    def _managed_arns(self, role: str) -> list[str]:
        arns = self.p(role).get("ManagedPolicyArns") or []
        if not isinstance(arns, list):
            raise Unresolvable(f"{role}: ManagedPolicyArns is not a list")
        return [str(arn) for arn in arns]

    def role(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        record: dict[str, Any] = {
            "Path": self.ev._path(logical_id),
            "RoleName": me.name,
            "RoleId": me.ident,
            "Arn": me.arn,
            "CreateDate": CAPTURED,
            "AssumeRolePolicyDocument": _document(props.get("AssumeRolePolicyDocument")),
            "MaxSessionDuration": int(props.get("MaxSessionDuration", 3600)),
            "RoleLastUsed": {},
        }
        if "Description" in props:
            record["Description"] = str(props["Description"])
        if "PermissionsBoundary" in props:
            record["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": str(props["PermissionsBoundary"]),
            }
        if props.get("Tags"):
            record["Tags"] = props["Tags"]
        inline: dict[str, Any] = {}
        for policy in props.get("Policies") or []:
            if not isinstance(policy, dict):
                raise Unresolvable(f"{logical_id}: a policy that is not a mapping")
            inline[str(policy.get("PolicyName"))] = _document(policy.get("PolicyDocument"))
        for lid, policy in self.resolved("AWS::IAM::Policy"):
            if self._names_role(policy, logical_id):
                inline[self.ev.identity(lid).name] = _document(policy.get("PolicyDocument"))
        names = sorted(inline) if self.realistic else list(inline)  # ListRolePolicies sorts
        record["RolePolicyList"] = [{"PolicyName": n, "PolicyDocument": inline[n]} for n in names]
        attached = list(self._managed_arns(logical_id))
        for lid, policy in self.resolved("AWS::IAM::ManagedPolicy"):
            arn = self.ev.identity(lid).arn
            if self._names_role(policy, logical_id) and arn not in attached:
                attached.append(str(arn))
        record["AttachedManagedPolicies"] = [
            {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in attached
        ]
        return record

    def _names_role(self, policy: dict[str, Any], role: str) -> bool:
        return any(self.lid(name, "AWS::IAM::Role") == role for name in policy.get("Roles") or [])

    def managed_policy(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        attached = [r for r in self.of("AWS::IAM::Role") if self._attaches(r, logical_id)]
        return {
            "PolicyName": me.name,
            "PolicyId": me.ident,
            "Arn": me.arn,
            "Path": self.ev._path(logical_id),
            "DefaultVersionId": "v1",
            "AttachmentCount": len(attached),
            "IsAttachable": True,
            "CreateDate": CAPTURED,
            "UpdateDate": CAPTURED,
            "Document": _document(props.get("PolicyDocument")),
        }

    def _attaches(self, role: str, policy: str) -> bool:
        return self._names_role(self.p(policy), role) or (
            self.ev.identity(policy).arn in self._managed_arns(role)
        )

    def _role_summary(self, value: Any) -> dict[str, Any]:
        found = self.lid(value, "AWS::IAM::Role")
        if found is None:  # a role outside the template: only its name and ARN are known
            name = _iam_name(value)
            return {"RoleName": name, "Arn": self.ev.arn("iam", f"role/{name}", region=False)}
        role = self.role(found)
        keys = ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument")
        return {key: role[key] for key in keys}

    def instance_profile(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        roles = self.p(logical_id).get("Roles") or []
        return {
            "InstanceProfileName": me.name,
            "InstanceProfileId": "AIPA" + _digest(me.arn or me.name, 17).upper(),
            "Arn": me.arn,
            "Path": self.ev._path(logical_id),
            "CreateDate": CAPTURED,
            "Roles": [self._role_summary(role) for role in roles],
        }

    # -- EC2 -----------------------------------------------------------------------------
    def _tags(self, props: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        if props.get("Tags"):
            record["Tags"] = props["Tags"]
        return record

    def vpc(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        cidr = props.get("CidrBlock") or "10.0.0.0/16"
        record: dict[str, Any] = {
            "VpcId": me.ident,
            "OwnerId": self.ev.account,
            "State": "available",
            "CidrBlock": cidr,
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": f"vpc-cidr-assoc-{logical_id.lower()}",
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "DhcpOptionsId": "dopt-default",
            "InstanceTenancy": props.get("InstanceTenancy", "default"),
            "IsDefault": False,
        }
        if self._ipv6(logical_id):
            record["Ipv6CidrBlockAssociationSet"] = [
                {
                    "AssociationId": f"vpc-cidr-assoc-ipv6-{logical_id.lower()}",
                    "Ipv6CidrBlock": self.ev.ipv6_block(logical_id),
                    "Ipv6CidrBlockState": {"State": "associated"},
                    "NetworkBorderGroup": self.ev.region,
                    "Ipv6Pool": "Amazon",
                }
            ]
        return self._tags(props, record)

    def _ipv6(self, vpc: str) -> bool:
        return any(
            block.get("AmazonProvidedIpv6CidrBlock") in (True, "true")
            and self.lid(block.get("VpcId"), "AWS::EC2::VPC") == vpc
            for _, block in self.resolved("AWS::EC2::VPCCidrBlock")
        )

    def subnet(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        zone = self.ev.subnet_zone(logical_id)
        written = props.get("AvailabilityZone") or props.get("AvailabilityZoneId")
        record: dict[str, Any] = {
            "SubnetId": me.ident,
            "SubnetArn": me.arn,
            "VpcId": props.get("VpcId"),
            "OwnerId": self.ev.account,
            "State": "available",
            "CidrBlock": props.get("CidrBlock"),
            "AvailabilityZone": zone,
            "AvailabilityZoneId": props.get("AvailabilityZoneId") or zone_id(self.ev.region, zone),
            "AvailableIpAddressCount": 251,
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": _flag(props.get("MapPublicIpOnLaunch", False), logical_id),
            "AssignIpv6AddressOnCreation": _flag(
                props.get("AssignIpv6AddressOnCreation", False), logical_id
            ),
            "Ipv6CidrBlockAssociationSet": [],
        }
        if not written and not self.realistic:  # the zone AWS picks
            del record["AvailabilityZone"], record["AvailabilityZoneId"]
        if props.get("Ipv6CidrBlock"):
            record["Ipv6CidrBlockAssociationSet"] = [
                {
                    "AssociationId": f"subnet-cidr-assoc-{logical_id.lower()}",
                    "Ipv6CidrBlock": props["Ipv6CidrBlock"],
                    "Ipv6CidrBlockState": {"State": "associated"},
                }
            ]
        return self._tags(props, record)

    def _local_routes(self, vpc: str | None) -> list[dict[str, Any]]:
        routes: list[dict[str, Any]] = []
        cidr = self.p(vpc).get("CidrBlock") if vpc else None
        if cidr:
            routes.append(_route("DestinationCidrBlock", cidr, "GatewayId", "local", "table"))
        if vpc and self._ipv6(vpc):
            block = self.ev.ipv6_block(vpc)
            routes.append(_route("DestinationIpv6CidrBlock", block, "GatewayId", "local", "table"))
        return routes

    def route_table(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        vpc = self.lid(props.get("VpcId"), "AWS::EC2::VPC")
        routes = self._local_routes(vpc)
        for _, route in self.resolved("AWS::EC2::Route"):
            if self.lid(route.get("RouteTableId"), "AWS::EC2::RouteTable") == logical_id:
                routes.append(_api_route(route))
        if self.realistic:
            routes += self._endpoint_routes(me.ident)
        associations = []
        for lid, link in self.resolved("AWS::EC2::SubnetRouteTableAssociation"):
            if self.lid(link.get("RouteTableId"), "AWS::EC2::RouteTable") == logical_id:
                associations.append(
                    {
                        "Main": False,
                        "RouteTableAssociationId": self.ev.identity(lid).ident,
                        "RouteTableId": me.ident,
                        "SubnetId": link.get("SubnetId"),
                        "AssociationState": {"State": "associated"},
                    }
                )
        record = {
            "RouteTableId": me.ident,
            "VpcId": props.get("VpcId"),
            "OwnerId": self.ev.account,
            "Routes": routes,
            "Associations": associations,
            "PropagatingVgws": [],
        }
        return self._tags(props, record)

    def _endpoint_routes(self, table: Any) -> list[dict[str, Any]]:
        """The routes AWS adds to a table a gateway endpoint serves: the service's prefix
        list to the endpoint (a template never declares them)."""
        routes = []
        for lid, endpoint in self.resolved("AWS::EC2::VPCEndpoint"):
            if endpoint.get("VpcEndpointType", "Gateway") != "Gateway":
                continue
            if table in (endpoint.get("RouteTableIds") or []):
                prefix_list = "pl-" + _digest(str(endpoint.get("ServiceName")), 8)
                route = {
                    "DestinationPrefixListId": prefix_list,
                    "GatewayId": self.ev.identity(lid).ident,
                    "Origin": "CreateRoute",
                    "State": "active",
                }
                routes.append(route)
        return routes

    def main_route_table(self, vpc: str) -> dict[str, Any]:
        """The table AWS creates with every VPC: the local route only, and every subnet
        without an association of its own uses it."""
        ident = f"rtb-main-{vpc.lower()}"
        return {
            "RouteTableId": ident,
            "VpcId": self.ev.identity(vpc).ident,
            "OwnerId": self.ev.account,
            "Routes": self._local_routes(vpc)
            + (self._endpoint_routes(ident) if self.realistic else []),
            "Associations": [
                {
                    "Main": True,
                    "RouteTableAssociationId": f"rtbassoc-main-{vpc.lower()}",
                    "RouteTableId": ident,
                    "AssociationState": {"State": "associated"},
                }
            ],
            "PropagatingVgws": [],
        }

    def _gateway_vpc(self, gateway: str) -> str | None:
        for _, link in self.resolved("AWS::EC2::VPCGatewayAttachment"):
            if self.lid(link.get("InternetGatewayId"), "AWS::EC2::InternetGateway") == gateway:
                return self.lid(link.get("VpcId"), "AWS::EC2::VPC")
        return None

    def internet_gateway(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        attachments = [
            {"State": "available", "VpcId": link.get("VpcId")}
            for _, link in self.resolved("AWS::EC2::VPCGatewayAttachment")
            if self.lid(link.get("InternetGatewayId"), "AWS::EC2::InternetGateway") == logical_id
        ]
        record = {
            "InternetGatewayId": me.ident,
            "OwnerId": self.ev.account,
            "Attachments": attachments,
        }
        return self._tags(self.p(logical_id), record)

    def nat_gateway(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        subnet = self.lid(props.get("SubnetId"), "AWS::EC2::Subnet")
        vpc = self.p(subnet).get("VpcId") if subnet else None
        connectivity = props.get("ConnectivityType", "public")
        address: dict[str, Any] = {
            "PrivateIp": "10.0.0.10",
            "NetworkInterfaceId": f"eni-{me.ident}",
        }
        if props.get("AllocationId"):
            address.update(AllocationId=props["AllocationId"], PublicIp="203.0.113.10")
        record = {
            "NatGatewayId": me.ident,
            "SubnetId": props.get("SubnetId"),
            "VpcId": vpc,
            "State": "available",
            "ConnectivityType": connectivity,
            "CreateTime": CAPTURED,
            "NatGatewayAddresses": [address],
        }
        return self._tags(props, record)

    def vpc_endpoint(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        kind = props.get("VpcEndpointType", "Gateway")
        policy = props.get("PolicyDocument")
        if policy is None and self.realistic and kind in ("Gateway", "Interface"):
            policy = {
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]
            }
        record: dict[str, Any] = {
            "VpcEndpointId": me.ident,
            "VpcEndpointType": kind,
            "VpcId": props.get("VpcId"),
            "ServiceName": props.get("ServiceName"),
            "State": "available",
            "RouteTableIds": list(props.get("RouteTableIds") or []),
            "SubnetIds": list(props.get("SubnetIds") or []),
            "Groups": [{"GroupId": g, "GroupName": g} for g in props.get("SecurityGroupIds") or []],
            "PrivateDnsEnabled": bool(props.get("PrivateDnsEnabled", kind == "Interface")),
            "RequesterManaged": False,
            "NetworkInterfaceIds": [],
            "DnsEntries": [],
            "CreationTimestamp": CAPTURED,
            "OwnerId": self.ev.account,
        }
        if policy is not None:  # EC2 returns the policy as JSON text
            record["PolicyDocument"] = policy if isinstance(policy, str) else json.dumps(policy)
        return self._tags(props, record)

    def security_group(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        ingress = list(props.get("SecurityGroupIngress") or [])
        egress = list(props.get("SecurityGroupEgress") or [])
        for type_name, into in (
            ("AWS::EC2::SecurityGroupIngress", ingress),
            ("AWS::EC2::SecurityGroupEgress", egress),
        ):
            for _, rule in self.resolved(type_name):
                group = rule.get("GroupId") or rule.get("GroupName")
                if self.lid(group, "AWS::EC2::SecurityGroup") == logical_id:
                    into.append(rule)
        if "SecurityGroupEgress" not in props and self.realistic:
            egress.insert(0, {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"})
        record = {
            "GroupId": me.ident,
            "GroupName": me.name,
            "Description": props.get("GroupDescription", ""),
            "VpcId": props.get("VpcId"),
            "OwnerId": self.ev.account,
            "IpPermissions": self._permissions(ingress, logical_id, "Source"),
            "IpPermissionsEgress": self._permissions(egress, logical_id, "Destination"),
        }
        return self._tags(props, record)

    def default_security_group(self, vpc: str) -> dict[str, Any]:
        """The group AWS creates with every VPC: traffic from itself in, everything out."""
        ident = f"sg-default-{vpc.lower()}"
        pair = {"GroupId": ident, "UserId": self.ev.account}
        return {
            "GroupId": ident,
            "GroupName": "default",
            "Description": "default VPC security group",
            "VpcId": self.ev.identity(vpc).ident,
            "OwnerId": self.ev.account,
            "IpPermissions": [_permission("-1", None, None) | {"UserIdGroupPairs": [pair]}],
            "IpPermissionsEgress": [
                _permission("-1", None, None) | {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        }

    def _permissions(self, rules: list[Any], group: str, side: str) -> list[dict[str, Any]]:
        """CloudFormation rules as IpPermissions: one entry per protocol and port range,
        holding every source of the rules that share them."""
        merged: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
        for rule in rules:
            if not isinstance(rule, dict):
                raise Unresolvable(f"{group}: a rule that is not a mapping")
            protocol = _protocol(rule.get("IpProtocol"), group)
            ports: tuple[int | None, int | None] = (None, None)
            if protocol != "-1":
                low, high = rule.get("FromPort"), rule.get("ToPort")
                ports = (
                    int(_number(low, group)) if low is not None else None,
                    int(_number(high, group)) if high is not None else None,
                )
                if protocol in ("tcp", "udp") and ports == (None, None):
                    ports = (0, 65535)
            entry = merged.setdefault((protocol, *ports), _permission(protocol, *ports))
            description = {"Description": rule["Description"]} if "Description" in rule else {}
            if rule.get("CidrIp"):
                entry["IpRanges"].append({"CidrIp": rule["CidrIp"], **description})
            if rule.get("CidrIpv6"):
                entry["Ipv6Ranges"].append({"CidrIpv6": rule["CidrIpv6"], **description})
            prefix = rule.get(f"{side}PrefixListId")
            if prefix:
                entry["PrefixListIds"].append({"PrefixListId": prefix, **description})
            source = rule.get(f"{side}SecurityGroupId")
            source_name = rule.get("SourceSecurityGroupName") if side == "Source" else None
            if source or source_name:
                pair: dict[str, Any] = {
                    "UserId": rule.get("SourceSecurityGroupOwnerId", self.ev.account)
                }
                if source_name and not source:
                    found = self.lid(source_name, "AWS::EC2::SecurityGroup")
                    source = self.ev.identity(found).ident if found else None
                    pair["GroupName"] = source_name
                if source:
                    pair["GroupId"] = source
                entry["UserIdGroupPairs"].append({**pair, **description})
        return list(merged.values())

    def launch_template(self, logical_id: str) -> dict[str, Any]:
        me = self.ev.identity(logical_id)
        props = self.p(logical_id)
        data = props.get("LaunchTemplateData")
        if not isinstance(data, dict):
            raise Unresolvable(f"{logical_id}: LaunchTemplateData is not a mapping")
        record = {
            "LaunchTemplateId": me.ident,
            "LaunchTemplateName": me.name,
            "VersionNumber": 1,
            "DefaultVersion": True,
            "CreateTime": CAPTURED,
            "CreatedBy": self.ev.arn("iam", "root", region=False),
            "LaunchTemplateData": data,
        }
        if "VersionDescription" in props:
            record["VersionDescription"] = props["VersionDescription"]
        return record


# -- small shapes ----------------------------------------------------------------------------


def _document(value: Any) -> Any:
    """A policy document as boto3 returns it: parsed JSON."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise Unresolvable(f"{where}: not a boolean")


def _iam_name(value: Any) -> str:
    """The name an IAM ARN ends in, or the name itself."""
    return str(value).rsplit("/", 1)[-1] if value else ""


_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}


def _protocol(value: Any, where: str) -> str:
    """An IpProtocol as EC2 reports it: tcp, udp, icmp by name, -1 for all."""
    if value is None or isinstance(value, bool):
        raise Unresolvable(f"{where}: IpProtocol missing")
    text = str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


def _permission(protocol: str, low: int | None, high: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"IpProtocol": protocol}
    if low is not None:
        entry["FromPort"] = low
    if high is not None:
        entry["ToPort"] = high
    entry.update(IpRanges=[], Ipv6Ranges=[], PrefixListIds=[], UserIdGroupPairs=[])
    return entry


_ROUTE_TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "EgressOnlyInternetGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
)


def _route(destination: str, value: Any, target: str, to: Any, origin: str) -> dict[str, Any]:
    return {
        destination: value,
        target: to,
        "Origin": "CreateRouteTable" if origin == "table" else "CreateRoute",
        "State": "active",
    }


def _api_route(route: dict[str, Any]) -> dict[str, Any]:
    """An AWS::EC2::Route as DescribeRouteTables lists it in its table."""
    out: dict[str, Any] = {}
    for key in ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"):
        if key in route:
            out[key] = route[key]
    for key in _ROUTE_TARGETS:
        if key in route:
            out[key] = route[key]
    if "VpcEndpointId" in route:  # a Gateway Load Balancer endpoint is listed as a gateway
        out["GatewayId"] = route["VpcEndpointId"]
    out["Origin"] = "CreateRoute"
    out["State"] = "active"
    return out


def _template_groups(data: dict[str, Any]) -> Iterator[Any]:
    yield from data.get("SecurityGroupIds") or []
    for interface in data.get("NetworkInterfaces") or []:
        if isinstance(interface, dict):
            yield from interface.get("Groups") or []


def _job_role_arns(definition: dict[str, Any]) -> Iterator[Any]:
    """Every role a job definition record names (containers, node ranges, ECS tasks)."""

    def container(props: Any) -> Iterator[Any]:
        if isinstance(props, dict):
            yield props.get("jobRoleArn")
            yield props.get("executionRoleArn")

    def ecs(props: Any) -> Iterator[Any]:
        if isinstance(props, dict):
            for task in props.get("taskProperties") or []:
                yield task.get("taskRoleArn")
                yield task.get("executionRoleArn")

    yield from container(definition.get("containerProperties"))
    yield from ecs(definition.get("ecsProperties"))
    for node_range in (definition.get("nodeProperties") or {}).get("nodeRangeProperties") or []:
        yield from container(node_range.get("container"))
        yield from ecs(node_range.get("ecsProperties"))
