"""What each supported Terraform resource type becomes in the model.

A :class:`TypeSpec` gives the kind, how the attributes are renamed and reshaped (``spec``)
and, where one model shape needs more than renaming, a ``post`` step over the built nodes.
Names follow the AWS Batch API for Batch resources and the lower camel case of the
CloudFormation property names for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from batchlint.location import join
from batchlint.model import Kind, Node, Origin, unknown
from batchlint.sources.tf_nodes import Builder, Field, Shape, Spec, camel
from batchlint.sources.tf_refs import type_of

S = Shape
Props = dict[str, Node]
Post = Callable[[Builder, Props, Mapping[str, object], str], "Props | None"]

_CE_TYPE = "aws_batch_compute_environment"
_ROLE = "aws_iam_role"
_PROFILE = "aws_iam_instance_profile"


@dataclass(frozen=True, eq=False)
class TypeSpec:
    kind: Kind
    spec: Spec = field(default_factory=dict)
    post: Post | None = None
    name_keys: tuple[str, ...] = ("name",)


def single(sub: Spec | None = None) -> Field:
    return Field(shape=Shape.SINGLE, sub=sub)


# -- AWS Batch -------------------------------------------------------------------------

_COMPUTE_RESOURCES: Spec = {
    "instance_type": Field("instanceTypes"),
    "max_vcpus": Field("maxvCpus"),
    "min_vcpus": Field("minvCpus"),
    "desired_vcpus": Field("desiredvCpus"),
    "subnets": Field(shape=S.LIST),
    "security_group_ids": Field(shape=S.LIST),
    "instance_role": Field(target=_PROFILE),
    "spot_iam_fleet_role": Field(target=_ROLE),
    "launch_template": single({"launch_template_name": Field(target="aws_launch_template")}),
}

_COMPUTE_ENVIRONMENT: Spec = {
    "compute_environment_name": Field("computeEnvironmentName"),
    "name": Field("computeEnvironmentName"),  # the provider's name for it from v6
    "service_role": Field(target=_ROLE),
    "compute_resources": single(_COMPUTE_RESOURCES),
    "eks_configuration": single(),
    "update_policy": single(),
}

_JOB_QUEUE: Spec = {
    "name": Field("jobQueueName"),
    "compute_environment_order": Field(sub={"compute_environment": Field(target=_CE_TYPE)}),
    "compute_environments": Field(shape=S.LIST, target=_CE_TYPE),
    "job_state_time_limit_action": Field("jobStateTimeLimitActions"),
}

_EKS_CONTAINER: Spec = {
    "resources": single(),
    "security_context": single({"read_only_root_file_system": Field("readOnlyRootFilesystem")}),
}

_EKS_POD: Spec = {
    "containers": Field(sub=_EKS_CONTAINER),
    "init_containers": Field(sub=_EKS_CONTAINER),
    "image_pull_secret": Field("imagePullSecrets"),
    "metadata": single(),
    "volumes": Field(sub={"host_path": single(), "empty_dir": single(), "secret": single()}),
}

_JOB_DEFINITION: Spec = {
    "name": Field("jobDefinitionName"),
    "retry_strategy": single(),
    "timeout": single(),
    "container_properties": Field(shape=S.JSON),
    "node_properties": Field(shape=S.JSON),
    "ecs_properties": Field(shape=S.JSON),
    "eks_properties": single({"pod_properties": single(_EKS_POD)}),
}

# the Batch API (and CloudFormation) spell it "fairshare"
_SCHEDULING_POLICY: Spec = {"fair_share_policy": Field("fairsharePolicy", S.SINGLE)}


def _job_queue(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    """The legacy ``compute_environments`` list reads as ``computeEnvironmentOrder`` too."""
    legacy = props.get("computeEnvironments")
    order = props.get("computeEnvironmentOrder")
    if legacy is None or (order is not None and (order.unknown or order.raw)):
        return props
    if legacy.unknown:
        props["computeEnvironmentOrder"] = legacy
        return props
    entries = [
        Node({"order": Node(i, pointer=ce.pointer), "computeEnvironment": ce}, pointer=ce.pointer)
        for i, ce in enumerate(legacy.items())
    ]
    props["computeEnvironmentOrder"] = Node(entries, Origin.SET, legacy.pointer)
    return props


# -- IAM -------------------------------------------------------------------------------

_INLINE_POLICY: Spec = {"name": Field("policyName"), "policy": Field("policyDocument", S.JSON)}


def _role(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    policies = props.get("policies")
    if policies is not None and policies.known and isinstance(policies.raw, list):
        # the provider reports "no inline policy" as one with empty name and document
        policies.raw = [p for p in policies.raw if p.unknown or p.entries()]
    return props


_WRAP_ROLE = Field("roles", S.WRAP, target=_ROLE)

# -- networking --------------------------------------------------------------------------

_IGW = "aws_internet_gateway"
_NAT = "aws_nat_gateway"
_ENDPOINT = "aws_vpc_endpoint"
# the targets of a route, named as in AWS::EC2::Route (transit gateways and network
# interfaces are not modelled: their values stay literal IDs or unknowns with an edge)
_ROUTE_TARGETS: Spec = {
    "gateway_id": Field(target=_IGW),
    "nat_gateway_id": Field(target=_NAT),
    "vpc_endpoint_id": Field(target=_ENDPOINT),
    "transit_gateway_id": Field("transitGatewayId"),
    "network_interface_id": Field("networkInterfaceId"),
}
_ROUTE: Spec = {
    "cidr_block": Field("destinationCidrBlock"),
    "ipv6_cidr_block": Field("destinationIpv6CidrBlock"),
    **_ROUTE_TARGETS,
}
_ROUTE_TABLE: Spec = {"route": Field("routes", sub=_ROUTE, ordered=False)}
_VPC_ENDPOINT: Spec = {
    "subnet_ids": Field(shape=S.LIST),
    "route_table_ids": Field(shape=S.LIST),
    "security_group_ids": Field(shape=S.LIST),
    "policy": Field("policyDocument", S.JSON),
}
_SG_BLOCK: Spec = {"protocol": Field("ipProtocol"), "security_groups": Field(shape=S.LIST)}
_SECURITY_GROUP: Spec = {
    "name": Field("groupName"),
    "description": Field("groupDescription"),
    "ingress": Field("securityGroupIngress", sub=_SG_BLOCK, ordered=False),
    "egress": Field("securityGroupEgress", sub=_SG_BLOCK, ordered=False),
}
# (the block's list of sources, the entry's key for one source)
_SOURCES = (
    ("cidrBlocks", "cidrIp"),
    ("ipv6CidrBlocks", "cidrIpv6"),
    ("securityGroups", "sourceSecurityGroupId"),
    ("prefixListIds", "sourcePrefixListId"),
)
_RULE_KEYS = ("ipProtocol", "fromPort", "toPort", "description")


def _entries(block: Node, own: Node | None = None) -> list[Node]:
    """One CloudFormation-style rule per source of a Terraform rule block, at that source.
    ``self = true`` is a rule from ``own``, the group the rule belongs to (as CloudFormation
    writes it: a ``SourceSecurityGroupId`` that names the group itself)."""
    members = block.entries()
    base = {k: members[k] for k in _RULE_KEYS if k in members}
    out = []
    for many, one in _SOURCES:
        sources = members.get(many)
        if sources is None:
            continue
        if sources.unknown:
            out.append(Node({**base, one: sources}, Origin.SET, sources.pointer))
            continue
        for source in sources.items():
            out.append(Node({**base, one: source}, Origin.SET, source.pointer))
    itself = members.get("self")
    if own is not None and itself is not None and itself.flag() is True:
        source = Node(own.raw, own.origin, itself.pointer, own.inner, own.ref)
        out.append(Node({**base, "sourceSecurityGroupId": source}, Origin.SET, itself.pointer))
        return out  # aws_security_group_rule's source group is then the group itself
    group = members.get("sourceSecurityGroupId")  # aws_security_group_rule names one group
    if group is not None:
        out.append(Node({**base, "sourceSecurityGroupId": group}, Origin.SET, block.pointer))
    return out


def _expand_rules(rules: Node | None, own: Node) -> Node | None:
    if rules is None or rules.unknown:
        return rules
    entries = [entry for block in rules.items() for entry in _entries(block, own)]
    return Node(entries, Origin.SET, rules.pointer)


def _security_group(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    known = values.get("id")
    if isinstance(known, str) and known:
        own = Node(known, Origin.SET, ptr, ref=b.ctx.address)
    else:
        own = unknown(ptr, ref=b.ctx.address)
    for key in ("securityGroupIngress", "securityGroupEgress"):
        expanded = _expand_rules(props.get(key), own)
        if expanded is not None:
            props[key] = expanded
    return props


def _group_rule(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props | None:
    kind = props.get("type")
    if kind is None or kind.text() != "ingress":
        return None  # egress rules are not modelled
    entries = _entries(Node(props, Origin.SET, ptr), props.get("groupId"))
    out: Props = {"securityGroupIngress": Node(entries, pointer=ptr)}
    if "groupId" in props:
        out["groupId"] = props["groupId"]
    return out


def _ingress_rule(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    keys = (
        "cidrIp",
        "cidrIpv6",
        "ipProtocol",
        "fromPort",
        "toPort",
        "sourceSecurityGroupId",
        "sourcePrefixListId",
        "description",
    )
    entry = {k: props[k] for k in keys if k in props}
    out: Props = {"securityGroupIngress": Node([Node(entry, pointer=ptr)], pointer=ptr)}
    if "groupId" in props:
        out["groupId"] = props["groupId"]
    return out


def _main(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    props["main"] = Node(True, Origin.SET, ptr)
    return props


def _default_route_table(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    """The default route table is its VPC's main table; find that VPC when it is unknown."""
    props["main"] = Node(True, Origin.SET, ptr)
    vpc = props.get("vpcId")
    if vpc is not None and vpc.ref is not None:
        return props
    expression = b.ctx.expressions.get("default_route_table_id")
    found = [t for t in b.targets(expression, False, True) if type_of(t) == "aws_vpc"]
    table = props.get("defaultRouteTableId")
    owner = b.links.vpc_tables.get(table.text() or "") if table is not None else None
    if owner is not None:
        found = [owner]
    if not found:
        return props
    if vpc is None or vpc.unknown:
        props["vpcId"] = unknown(vpc.pointer if vpc else join(ptr, "vpc_id"), ref=found[0])
    else:
        vpc.ref = found[0]
    return props


# -- launch templates -------------------------------------------------------------------

_LT_OWN = frozenset(
    {
        "launchTemplateName",
        "namePrefix",
        "description",
        "tags",
        "tagsAll",
        "defaultVersion",
        "latestVersion",
        "updateDefaultVersion",
        "arn",
        "id",
    }
)
_LT_SINGLES = (
    "metadata_options",
    "iam_instance_profile",
    "monitoring",
    "placement",
    "cpu_options",
    "credit_specification",
    "capacity_reservation_specification",
    "enclave_options",
    "hibernation_options",
    "maintenance_options",
    "private_dns_name_options",
    "instance_requirements",
)
_LAUNCH_TEMPLATE: Spec = {
    **{key: single() for key in _LT_SINGLES},
    "name": Field("launchTemplateName"),
    "vpc_security_group_ids": Field("securityGroupIds", S.LIST),
    "security_group_names": Field("securityGroups"),
    "license_specification": Field("licenseSpecifications"),
    "elastic_inference_accelerator": Field("elasticInferenceAccelerators"),
    "iam_instance_profile": single({"name": Field(target=_PROFILE)}),
    "block_device_mappings": Field(sub={"ebs": single()}),
    "network_interfaces": Field(sub={"security_groups": Field("groups", S.LIST)}),
    "instance_market_options": single({"spot_options": single()}),
    "instance_requirements": single(
        {
            "vcpu_count": Field("vCpuCount", S.SINGLE),
            "memory_mib": Field("memoryMiB", S.SINGLE),
        }
    ),
}


def _launch_template(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    """The instance settings go under ``launchTemplateData``, keyed as in the EC2 API
    (``MetadataOptions.HttpTokens``), as the CloudFormation source keeps them."""
    _unset_metadata_options(props, b.ctx.expressions)
    data = {_upper_first(k): _pascal(v) for k, v in props.items() if k not in _LT_OWN}
    out = {k: v for k, v in props.items() if k in _LT_OWN}
    out["launchTemplateData"] = Node(data, Origin.SET, ptr)
    return out


def _unset_metadata_options(props: Props, expressions: Mapping[str, object]) -> None:
    """``metadata_options`` and its attributes are computed: left out of the configuration,
    they are unknown on create and mean the EC2 defaults, as the keys CloudFormation leaves
    out of ``MetadataOptions`` do. They read as absent, not unknown."""
    options = props.get("metadataOptions")
    if options is None or not expressions:
        return  # no configuration: what was written cannot be told
    written = _first_block(expressions, "metadata_options")
    if options.unknown:
        if "metadata_options" not in expressions:
            del props["metadataOptions"]
        return
    if written is None or not isinstance(options.raw, dict):
        return
    names = {camel(key) for key in written}
    for key in [k for k, v in options.raw.items() if v.unknown and k not in names]:
        del options.raw[key]


def _pascal(node: Node) -> Node:
    """EC2 API names below ``launchTemplateData``: lower camel case with a capital first
    letter; the keys of a tag map stay as written."""
    if node.unknown:
        return node
    if isinstance(node.raw, list):
        node.raw = [_pascal(item) for item in node.raw]
    elif isinstance(node.raw, dict):
        node.raw = {_upper_first(k): v if k == "tags" else _pascal(v) for k, v in node.raw.items()}
    return node


def _upper_first(key: str) -> str:
    return key[:1].upper() + key[1:]


def _first_block(expressions: object, key: str) -> dict[str, object] | None:
    blocks = expressions.get(key) if isinstance(expressions, dict) else None
    first = blocks[0] if isinstance(blocks, list) and blocks else None
    return first if isinstance(first, dict) else None


def _compute_environment(b: Builder, props: Props, values: Mapping[str, object], ptr: str) -> Props:
    """What a launch template and AMI read from: an expression for the launch template's
    ``version`` that reads a template's ``latest_version``/``default_version`` is an edge to
    that template (the generic edges skip attributes that do not identify a resource). The
    ``version`` and ``image_id_override`` the configuration leaves out are computed, so
    unknown on create: they mean ``$Default`` and the image type's AMI, and read as absent."""
    resources = props.get("computeResources")
    written = _first_block(b.ctx.expressions, "compute_resources")
    if resources is None or resources.unknown or written is None:
        return props
    _launch_template_version(b, resources.get("launchTemplate"), written)
    configs = resources.get("ec2Configuration")
    blocks = written.get("ec2_configuration")
    if configs is not None and configs.known and isinstance(blocks, list):
        for entry, block in zip(configs.items(), blocks, strict=False):
            override = entry.get("imageIdOverride")
            unset = isinstance(block, dict) and "image_id_override" not in block
            if override is not None and override.unknown and unset:
                entry.entries().pop("imageIdOverride")
    return props


def _launch_template_version(b: Builder, spec: Node | None, resources: dict[str, object]) -> None:
    version = spec.get("version") if spec is not None else None
    written = _first_block(resources, "launch_template")
    if spec is None or version is None or not isinstance(spec.raw, dict) or written is None:
        return
    expression = written.get("version")
    if expression is None:
        named = "launch_template_id" in written or "launch_template_name" in written
        if version.unknown and named:
            del spec.raw["version"]
    elif version.ref is None:
        found = b.targets(expression, False, True)
        templates = [t for t in found if type_of(t) == "aws_launch_template"]
        if len(templates) == 1:
            version.ref = templates[0]


TYPES: dict[str, TypeSpec] = {
    "aws_batch_compute_environment": TypeSpec(
        Kind.COMPUTE_ENVIRONMENT,
        _COMPUTE_ENVIRONMENT,
        _compute_environment,
        name_keys=("compute_environment_name", "name"),
    ),
    "aws_batch_job_queue": TypeSpec(Kind.JOB_QUEUE, _JOB_QUEUE, _job_queue),
    "aws_batch_job_definition": TypeSpec(Kind.JOB_DEFINITION, _JOB_DEFINITION),
    "aws_batch_scheduling_policy": TypeSpec(Kind.SCHEDULING_POLICY, _SCHEDULING_POLICY),
    "aws_iam_role": TypeSpec(
        Kind.IAM_ROLE,
        {
            "name": Field("roleName"),
            "assume_role_policy": Field("assumeRolePolicyDocument", S.JSON),
            "inline_policy": Field("policies", sub=_INLINE_POLICY, ordered=False),
            "managed_policy_arns": Field(shape=S.LIST),
        },
        _role,
    ),
    "aws_iam_role_policy": TypeSpec(
        Kind.IAM_POLICY,
        {
            "name": Field("policyName"),
            "policy": Field("policyDocument", S.JSON),
            "role": _WRAP_ROLE,
        },
    ),
    "aws_iam_policy": TypeSpec(
        Kind.IAM_POLICY, {"name": Field("policyName"), "policy": Field("policyDocument", S.JSON)}
    ),
    "aws_iam_role_policy_attachment": TypeSpec(
        Kind.IAM_POLICY_ATTACHMENT, {"role": _WRAP_ROLE}, name_keys=()
    ),
    "aws_iam_policy_attachment": TypeSpec(
        Kind.IAM_POLICY_ATTACHMENT, {"roles": Field(shape=S.LIST, target=_ROLE)}
    ),
    "aws_iam_instance_profile": TypeSpec(
        Kind.INSTANCE_PROFILE, {"name": Field("instanceProfileName"), "role": _WRAP_ROLE}
    ),
    "aws_vpc": TypeSpec(Kind.VPC, name_keys=()),
    "aws_subnet": TypeSpec(Kind.SUBNET, name_keys=()),
    "aws_route_table": TypeSpec(Kind.ROUTE_TABLE, _ROUTE_TABLE, name_keys=()),
    "aws_default_route_table": TypeSpec(
        Kind.ROUTE_TABLE, _ROUTE_TABLE, _default_route_table, name_keys=()
    ),
    "aws_route": TypeSpec(Kind.ROUTE, _ROUTE_TARGETS, name_keys=()),
    "aws_route_table_association": TypeSpec(Kind.ROUTE_TABLE_ASSOCIATION, name_keys=()),
    "aws_main_route_table_association": TypeSpec(
        Kind.ROUTE_TABLE_ASSOCIATION, post=_main, name_keys=()
    ),
    "aws_internet_gateway": TypeSpec(Kind.INTERNET_GATEWAY, name_keys=()),
    "aws_nat_gateway": TypeSpec(Kind.NAT_GATEWAY, name_keys=()),
    "aws_vpc_endpoint": TypeSpec(Kind.VPC_ENDPOINT, _VPC_ENDPOINT, name_keys=()),
    # an association adds to the endpoint it names: a VPC_ENDPOINT with vpcEndpointId
    "aws_vpc_endpoint_route_table_association": TypeSpec(
        Kind.VPC_ENDPOINT,
        {
            "vpc_endpoint_id": Field(target=_ENDPOINT),
            "route_table_id": Field("routeTableIds", S.WRAP),
        },
        name_keys=(),
    ),
    "aws_vpc_endpoint_subnet_association": TypeSpec(
        Kind.VPC_ENDPOINT,
        {"vpc_endpoint_id": Field(target=_ENDPOINT), "subnet_id": Field("subnetIds", S.WRAP)},
        name_keys=(),
    ),
    "aws_security_group": TypeSpec(Kind.SECURITY_GROUP, _SECURITY_GROUP, _security_group),
    "aws_security_group_rule": TypeSpec(
        Kind.SECURITY_GROUP_INGRESS,
        {
            "security_group_id": Field("groupId"),
            "protocol": Field("ipProtocol"),
            "source_security_group_id": Field("sourceSecurityGroupId"),
        },
        _group_rule,
        name_keys=(),
    ),
    "aws_vpc_security_group_ingress_rule": TypeSpec(
        Kind.SECURITY_GROUP_INGRESS,
        {
            "security_group_id": Field("groupId"),
            "cidr_ipv4": Field("cidrIp"),
            "cidr_ipv6": Field("cidrIpv6"),
            "referenced_security_group_id": Field("sourceSecurityGroupId"),
            "prefix_list_id": Field("sourcePrefixListId"),
        },
        _ingress_rule,
        name_keys=(),
    ),
    "aws_launch_template": TypeSpec(Kind.LAUNCH_TEMPLATE, _LAUNCH_TEMPLATE, _launch_template),
    "aws_secretsmanager_secret": TypeSpec(Kind.SECRET),
}
