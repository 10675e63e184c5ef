"""Terraform plan/state JSON to the normalized model: shapes, unknowns, edges, pointers."""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from batchlint.containers import containers
from batchlint.location import JsonLocator, split
from batchlint.model import JobDefinition, Kind, Node, Origin, Resource, Scope
from batchlint.sources import tf_translate
from batchlint.sources.terraform_plan import build, is_terraform
from batchlint.sources.tf_refs import Config, Resolver, split_address

HERE = Path(__file__).resolve()
FIXTURES = HERE.parents[1] / "fixtures" / "sources" / "terraform"
SHARED = HERE.parents[2] / "shared"
CORPUS = SHARED / "corpus"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def scan(doc: object, region: str = "us-east-1") -> Scope:
    assert isinstance(doc, dict)
    scope = Scope("test.json", "terraform-plan")
    build(doc, scope, region)
    return scope


@pytest.fixture(scope="module")
def plan() -> Scope:
    return scan(load("plan.json"))


@pytest.fixture(scope="module")
def update() -> Scope:
    return scan(load("plan-update.json"))


@pytest.fixture(scope="module")
def state() -> Scope:
    return scan(load("state.json"))


@pytest.fixture(scope="module")
def raw() -> Scope:
    return scan(load("terraform.tfstate"))


def at(resource: Resource, *path: str | int) -> Node:
    node = resource.props.get(*path)
    assert node is not None, f"{resource.address}: no {path}"
    return node


def get(node: Node | None, *path: str | int) -> Node:
    assert node is not None
    found = node.get(*path)
    assert found is not None, f"no {path} in {node!r}"
    return found


def target(scope: Scope, node: Node) -> str | None:
    found = scope.deref(node)
    return found.address if found is not None else None


# -- recognising the document ------------------------------------------------------------


def test_is_terraform_accepts_plans_and_states() -> None:
    for name in ("plan.json", "plan-update.json", "state.json", "terraform.tfstate"):
        assert is_terraform(load(name)), name


@pytest.mark.parametrize(
    "doc",
    [
        {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}},
        {"format_version": "1.0"},
        {"version": 4},
        [],
        "plan",
        None,
    ],
)
def test_is_terraform_rejects_other_documents(doc: object) -> None:
    assert not is_terraform(doc)


# -- a plan of a new deployment ----------------------------------------------------------


def test_plan_scope_source_region_and_addresses(plan: Scope) -> None:
    assert plan.source == "terraform-plan"
    assert plan.region == "eu-west-1"
    assert not plan.meta, [m.message for m in plan.meta]
    addresses = set(plan.by_address)
    assert {
        "aws_batch_job_queue.legacy[0]",
        "aws_subnet.private[0]",
        "aws_subnet.private[1]",
        "module.batch.aws_batch_compute_environment.spot",
        "module.batch.aws_batch_job_queue.main",
        "module.batch.aws_launch_template.batch",
    } <= addresses
    queue = plan.by_address["module.batch.aws_batch_job_queue.main"]
    assert queue.kind is Kind.JOB_QUEUE and queue.type == "aws_batch_job_queue"
    assert queue.pointer == "/planned_values/root_module/child_modules/0/resources/2"
    assert queue.name == "main" and queue.arn is None  # the ARN is unknown until apply


def test_compute_environment_shape(plan: Scope) -> None:
    ce = plan.by_address["module.batch.aws_batch_compute_environment.spot"]
    assert ce.kind is Kind.COMPUTE_ENVIRONMENT and ce.name == "spot"
    assert at(ce, "computeEnvironmentName").text() == "spot"
    assert at(ce, "type").text() == "MANAGED"
    cr = at(ce, "computeResources")
    assert isinstance(cr.raw, dict)  # a single block is a mapping, not a list of one
    assert get(cr, "type").text() == "SPOT"
    assert at(ce, "computeResources", "maxvCpus").number() == 256
    assert at(ce, "computeResources", "minvCpus").number() == 0
    assert at(ce, "computeResources", "instanceTypes").texts() == ["c6i", "m6i"]
    assert at(ce, "computeResources", "allocationStrategy").text() == (
        "SPOT_PRICE_CAPACITY_OPTIMIZED"
    )
    assert at(ce, "computeResources", "ec2Configuration", 0, "imageType").text() == "ECS_AL2023"
    assert at(ce, "computeResources", "launchTemplate", "version").text() == "$Latest"
    assert at(ce, "computeResources", "desiredvCpus").unknown
    assert "max_vcpus" not in json.dumps(ce.props.plain())
    values = "/planned_values/root_module/child_modules/0/resources/1/values"
    assert (
        at(ce, "computeResources", "maxvCpus").pointer == f"{values}/compute_resources/0/max_vcpus"
    )


def test_absent_value_reads_as_documented_default(plan: Scope) -> None:
    fargate = plan.by_address["aws_batch_compute_environment.fargate"]
    assert fargate.props.get("computeResources", "allocationStrategy") is None  # null in plan
    default = fargate.field("computeResources", "allocationStrategy")
    assert default is not None and default.origin is Origin.DEFAULT
    assert default.text() == "BEST_FIT"


def test_unknown_values_are_inserted_with_their_reference(plan: Scope) -> None:
    ce = plan.by_address["module.batch.aws_batch_compute_environment.spot"]
    role = at(ce, "serviceRole")  # absent from planned_values, true in after_unknown
    assert role.unknown and role.text() is None
    assert role.pointer.endswith("/resources/1/values/service_role")
    assert target(plan, role) == "module.batch.aws_iam_role.service"  # module-relative
    template = at(ce, "computeResources", "launchTemplate", "launchTemplateId")
    assert template.unknown
    assert target(plan, template) == "module.batch.aws_launch_template.batch"
    assert at(ce, "arn").unknown


def test_unknown_list_gets_one_element_per_referenced_resource(plan: Scope) -> None:
    fargate = plan.by_address["aws_batch_compute_environment.fargate"]
    subnets = at(fargate, "computeResources", "subnets")  # aws_subnet.private[*].id
    assert subnets.known and [n.unknown for n in subnets.items()] == [True, True]
    assert plan.deref_all(subnets) == [
        plan.by_address["aws_subnet.private[0]"],
        plan.by_address["aws_subnet.private[1]"],
    ]
    groups = at(fargate, "computeResources", "securityGroupIds")  # [sg.id]: x.id and x deduped
    assert [target(plan, n) for n in groups.items()] == ["aws_security_group.batch"]


def test_module_variables_follow_the_module_call(plan: Scope) -> None:
    ce = plan.by_address["module.batch.aws_batch_compute_environment.ondemand"]
    subnets = at(ce, "computeResources", "subnets")  # var.subnet_ids = aws_subnet.private[*].id
    assert [target(plan, n) for n in subnets.items()] == [
        "aws_subnet.private[0]",
        "aws_subnet.private[1]",
    ]
    role = at(ce, "computeResources", "instanceRole")
    assert target(plan, role) == "aws_iam_instance_profile.instance"


def test_job_queue_order_references_unknown_arns(plan: Scope) -> None:
    queue = plan.by_address["module.batch.aws_batch_job_queue.main"]
    order = at(queue, "computeEnvironmentOrder")
    assert [get(e, "order").number() for e in order.items()] == [1, 2]
    environments = [e.get("computeEnvironment") for e in order.items()]
    assert all(n is not None and n.unknown for n in environments)
    assert [target(plan, n) for n in environments if n] == [
        "module.batch.aws_batch_compute_environment.spot",
        "module.batch.aws_batch_compute_environment.ondemand",
    ]
    policy = at(queue, "schedulingPolicyArn")
    assert target(plan, policy) == "module.batch.aws_batch_scheduling_policy.fair"
    assert at(queue, "jobQueueName").text() == "main" and at(queue, "priority").number() == 10
    ce = plan.by_address["module.batch.aws_batch_compute_environment.spot"]
    assert plan.referrers(ce, Kind.JOB_QUEUE, "computeEnvironmentOrder") == []  # list of dicts
    assert ce in [plan.deref(n) for n in environments]


def test_legacy_compute_environments_read_as_order(plan: Scope) -> None:
    queue = plan.by_address["aws_batch_job_queue.legacy[0]"]
    order = at(queue, "computeEnvironmentOrder").items()
    assert len(order) == 1
    assert get(order[0], "order").number() == 0
    ce = order[0].get("computeEnvironment")
    assert ce is not None and ce.unknown
    assert target(plan, ce) == "aws_batch_compute_environment.fargate"
    assert at(queue, "computeEnvironments").items()[0] is ce


def test_job_definition_container_properties_are_parsed(plan: Scope) -> None:
    jd = plan.by_address["aws_batch_job_definition.worker"]
    assert isinstance(jd, JobDefinition) and jd.name == "worker"
    props = at(jd, "containerProperties")
    attribute = "/planned_values/root_module/resources/3/values/container_properties"
    image = at(jd, "containerProperties", "image")
    assert image.text() == "public.ecr.aws/docker/library/busybox:1.36"
    assert image.pointer == attribute and image.inner == "/image"
    assert props.pointer == attribute and props.inner == ""
    secret = at(jd, "containerProperties", "environment", 0, "value")
    assert secret.inner == "/environment/0/value" and secret.pointer == attribute
    assert at(jd, "containerProperties", "privileged").flag() is True
    assert at(jd, "containerProperties", "resourceRequirements", 1, "value").text() == "4096"
    assert at(jd, "jobDefinitionName").text() == "worker"
    assert at(jd, "platformCapabilities").texts() == ["EC2"]
    assert at(jd, "parameters", "input_key").text() == "s3://bucket/in"  # map keys kept
    assert at(jd, "propagateTags").flag() is True
    assert at(jd, "retryStrategy", "attempts").number() == 3
    exits = at(jd, "retryStrategy", "evaluateOnExit").items()
    assert [get(e, "action").text() for e in exits] == ["retry", "exit"]
    assert at(jd, "retryStrategy", "evaluateOnExit", 0, "onStatusReason").text() == "Host EC2*"
    assert at(jd, "timeout", "attemptDurationSeconds").number() == 3600
    assert jd.props.get("eksProperties") is None and jd.props.get("nodeProperties") is None
    assert [c.label for c in containers(jd)] == ["the container (containerProperties)"]


def test_container_properties_unknown_when_built_from_unknowns(plan: Scope) -> None:
    jd = plan.by_address["aws_batch_job_definition.with_role"]
    props = at(jd, "containerProperties")  # jsonencode() of an unknown role ARN
    assert props.unknown and props.ref is None
    assert isinstance(jd, JobDefinition) and list(containers(jd)) == []


def test_eks_properties_block(plan: Scope) -> None:
    jd = plan.by_address["aws_batch_job_definition.eks"]
    assert isinstance(jd, JobDefinition)
    pod = at(jd, "eksProperties", "podProperties")
    assert get(pod, "hostNetwork").flag() is True
    assert get(pod, "serviceAccountName").text() == "batch-runner"
    main = at(jd, "eksProperties", "podProperties", "containers", 0)
    assert get(main, "securityContext", "privileged").flag() is True
    assert get(main, "securityContext", "runAsUser").number() == 0
    assert get(main, "resources", "limits", "memory").text() == "4096Mi"
    assert get(main, "resources", "requests", "cpu").text() == "1"
    assert get(main, "env", 0, "name").text() == "MODE"
    assert get(main, "command").texts() == ["sleep", "60"]
    assert get(pod, "initContainers", 0, "name").text() == "init"
    assert get(pod, "metadata", "labels", "team").text() == "data"
    assert jd.props.get("containerProperties") is None  # null: another variant
    labels = [c.label for c in containers(jd)]
    assert labels == ['EKS init container "init"', 'EKS container "main"']


def test_iam_roles_policies_and_attachments(plan: Scope) -> None:
    role = plan.by_address["aws_iam_role.job"]
    assert role.kind is Kind.IAM_ROLE and role.name == "batch-job"
    trust = at(role, "assumeRolePolicyDocument", "Statement", 0, "Principal", "Service")
    assert (
        trust.text() == "ecs-tasks.amazonaws.com"
        and trust.inner == "/Statement/0/Principal/Service"
    )
    inline = at(role, "policies", 0)
    assert get(inline, "policyName").text() == "read-input"
    action = at(role, "policies", 0, "policyDocument", "Statement", 0, "Action")
    assert action.text() == "s3:*" and action.inner == "/Statement/0/Action"
    assert action.pointer.endswith("/values/inline_policy/0/policy")
    assert at(plan.by_address["aws_iam_role.instance"], "policies").unknown

    policy = plan.by_address["aws_iam_role_policy.job_logs"]
    assert policy.kind is Kind.IAM_POLICY and at(policy, "policyName").text() == "logs"
    assert at(policy, "policyDocument", "Statement", 0, "Action").texts() == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    assert plan.deref_all(at(policy, "roles")) == [role]

    attachment = plan.by_address["aws_iam_role_policy_attachment.instance"]
    assert attachment.kind is Kind.IAM_POLICY_ATTACHMENT
    assert plan.deref_all(at(attachment, "roles")) == [plan.by_address["aws_iam_role.instance"]]
    assert at(attachment, "policyArn").text() == (
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    )
    profile = plan.by_address["aws_iam_instance_profile.instance"]
    assert profile.kind is Kind.INSTANCE_PROFILE and profile.name == "batch-instance"
    assert at(profile, "instanceProfileName").text() == "batch-instance"
    assert plan.deref_all(at(profile, "roles")) == [plan.by_address["aws_iam_role.instance"]]


def test_security_group_rules_become_one_entry_per_cidr(plan: Scope) -> None:
    group = plan.by_address["aws_security_group.batch"]
    assert group.name == "batch-workers" and at(group, "groupName").text() == "batch-workers"
    ingress = at(group, "securityGroupIngress").items()
    sources = [e.get("cidrIp") or e.get("cidrIpv6") for e in ingress]
    assert [n.text() for n in sources if n is not None] == [
        "0.0.0.0/0",
        "10.0.0.0/16",
        "::/0",
    ]
    base = "/planned_values/root_module/resources/15/values/ingress/0"
    assert [e.pointer for e in ingress] == [
        f"{base}/cidr_blocks/0",
        f"{base}/cidr_blocks/1",
        f"{base}/ipv6_cidr_blocks/0",
    ]
    first = ingress[0]
    assert get(first, "ipProtocol").text() == "tcp"
    assert get(first, "fromPort").number() == 22 and get(first, "toPort").number() == 22
    egress = at(group, "securityGroupEgress").items()
    assert [get(e, "cidrIp").text() for e in egress] == ["0.0.0.0/0"]
    assert target(plan, at(group, "vpcId")) == "aws_vpc.main"


def test_network_edges_at_plan_time(plan: Scope) -> None:
    table = plan.by_address["aws_route_table.private"]
    route = at(table, "routes", 0)
    assert get(route, "destinationCidrBlock").text() == "0.0.0.0/0"
    assert route.get("natGatewayId") is None  # "" in the plan: not set
    gateway = route.get("gatewayId")
    assert gateway is not None and gateway.unknown
    assert target(plan, gateway) == "aws_internet_gateway.gw"
    for i in (0, 1):  # subnet_id = aws_subnet.private[count.index].id
        association = plan.by_address[f"aws_route_table_association.private[{i}]"]
        assert target(plan, at(association, "subnetId")) == f"aws_subnet.private[{i}]"
        assert target(plan, at(association, "routeTableId")) == "aws_route_table.private"
    subnet = plan.by_address["aws_subnet.private[1]"]
    assert at(subnet, "mapPublicIpOnLaunch").flag() is False
    assert at(subnet, "availabilityZone").text() == "eu-west-1b"
    assert at(subnet, "cidrBlock").text() == "10.0.1.0/24"


def _state(*resources: tuple[str, dict[str, object]]) -> dict[str, object]:
    """A ``terraform show -json`` of a state holding ``(address, values)`` resources."""
    entries = []
    for address, values in resources:
        type_, name = address.split(".")
        entries.append(
            {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}
        )
    return {"format_version": "1.0", "values": {"root_module": {"resources": entries}}}


def test_nat_gateways_vpc_endpoints_and_their_associations() -> None:
    vpc, table, subnet = "vpc-0123456789abcdef0", "rtb-0123456789abcdef0", "subnet-0aaaaaaaa"
    nat, s3, ecs = "nat-0123456789abcdef0", "vpce-0123456789abcdef0", "vpce-0fedcba987654321"
    empty_targets = {
        key: "" for key in ("gateway_id", "nat_gateway_id", "transit_gateway_id", "vpc_endpoint_id")
    }
    scope = scan(
        _state(
            ("aws_vpc.main", {"id": vpc, "cidr_block": "10.0.0.0/16"}),
            ("aws_subnet.a", {"id": subnet, "vpc_id": vpc}),
            (
                "aws_nat_gateway.main",
                {"id": nat, "subnet_id": subnet, "connectivity_type": "public"},
            ),
            (
                "aws_route_table.private",
                {
                    "id": table,
                    "vpc_id": vpc,
                    "route": [
                        {**empty_targets, "cidr_block": "0.0.0.0/0", "nat_gateway_id": nat},
                        {
                            **empty_targets,
                            "cidr_block": "10.1.0.0/16",
                            "network_interface_id": "eni-1",
                        },
                    ],
                },
            ),
            (
                "aws_route.tgw",
                {
                    "id": "r-1",
                    "route_table_id": table,
                    "destination_cidr_block": "172.16.0.0/12",
                    "transit_gateway_id": "tgw-0123456789abcdef0",
                    "vpc_endpoint_id": "",
                    "nat_gateway_id": "",
                },
            ),
            (
                "aws_vpc_endpoint.s3",
                {
                    "id": s3,
                    "vpc_id": vpc,
                    "service_name": "com.amazonaws.eu-west-1.s3",
                    "vpc_endpoint_type": "Gateway",
                    "route_table_ids": [],
                    "subnet_ids": [],
                    "private_dns_enabled": False,
                    "policy": '{"Statement": [{"Effect": "Allow", "Principal": "*"}]}',
                },
            ),
            (
                "aws_vpc_endpoint.ecs",
                {
                    "id": ecs,
                    "vpc_id": vpc,
                    "service_name": "com.amazonaws.eu-west-1.ecs",
                    "vpc_endpoint_type": "Interface",
                    "subnet_ids": [subnet],
                    "private_dns_enabled": True,
                },
            ),
            (
                "aws_vpc_endpoint_route_table_association.s3",
                {"id": "a-1", "vpc_endpoint_id": s3, "route_table_id": table},
            ),
            (
                "aws_vpc_endpoint_subnet_association.ecs",
                {"id": "a-2", "vpc_endpoint_id": ecs, "subnet_id": subnet},
            ),
        )
    )
    assert not scope.meta
    main, gateway = scope.by_address["aws_vpc.main"], scope.by_address["aws_nat_gateway.main"]
    private = scope.by_address["aws_route_table.private"]
    assert gateway.kind is Kind.NAT_GATEWAY
    assert target(scope, at(gateway, "subnetId")) == "aws_subnet.a"
    default, peer = at(private, "routes").items()
    assert target(scope, get(default, "natGatewayId")) == "aws_nat_gateway.main"
    assert get(peer, "networkInterfaceId").text() == "eni-1"
    route = scope.by_address["aws_route.tgw"]
    assert get(route.props, "transitGatewayId").text() == "tgw-0123456789abcdef0"
    assert route.props.get("natGatewayId") is None  # "": not set
    endpoint = scope.by_address["aws_vpc_endpoint.s3"]
    assert endpoint.kind is Kind.VPC_ENDPOINT
    assert scope.deref(at(endpoint, "vpcId")) is main
    assert at(endpoint, "serviceName").text() == "com.amazonaws.eu-west-1.s3"
    assert at(endpoint, "vpcEndpointType").text() == "Gateway"
    assert at(endpoint, "privateDnsEnabled").flag() is False
    assert at(endpoint, "policyDocument", "Statement", 0, "Principal").text() == "*"
    interface = scope.by_address["aws_vpc_endpoint.ecs"]
    assert scope.deref_all(at(interface, "subnetIds")) == [scope.by_address["aws_subnet.a"]]
    # an association is an endpoint resource that names the endpoint it adds to
    tables = scope.by_address["aws_vpc_endpoint_route_table_association.s3"]
    assert tables.kind is Kind.VPC_ENDPOINT
    assert scope.deref(at(tables, "vpcEndpointId")) is endpoint
    assert scope.deref_all(at(tables, "routeTableIds")) == [private]
    subnets = scope.by_address["aws_vpc_endpoint_subnet_association.ecs"]
    assert scope.deref(at(subnets, "vpcEndpointId")) is interface
    assert [n.text() for n in at(subnets, "subnetIds").items()] == [subnet]
    assert scope.referrers(endpoint, Kind.VPC_ENDPOINT, "vpcEndpointId") == [tables]


def test_route_targets_created_by_the_same_plan_keep_their_edge() -> None:
    route_unknown = {"id": True, "route_table_id": True, "nat_gateway_id": True}
    doc = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_nat_gateway.main",
                        "mode": "managed",
                        "type": "aws_nat_gateway",
                        "name": "main",
                        "values": {"connectivity_type": "public"},
                    },
                    {
                        "address": "aws_route.nat",
                        "mode": "managed",
                        "type": "aws_route",
                        "name": "nat",
                        "values": {"destination_cidr_block": "0.0.0.0/0"},
                    },
                ]
            }
        },
        "resource_changes": [
            {
                "address": "aws_route.nat",
                "type": "aws_route",
                "change": {"actions": ["create"], "after_unknown": route_unknown},
            }
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_route.nat",
                        "mode": "managed",
                        "type": "aws_route",
                        "name": "nat",
                        "expressions": {
                            "destination_cidr_block": {"constant_value": "0.0.0.0/0"},
                            "nat_gateway_id": {
                                "references": ["aws_nat_gateway.main.id", "aws_nat_gateway.main"]
                            },
                        },
                    }
                ]
            }
        },
    }
    scope = scan(doc)
    nat = at(scope.by_address["aws_route.nat"], "natGatewayId")
    assert nat.unknown and target(scope, nat) == "aws_nat_gateway.main"


def test_self_ingress_names_the_group_itself() -> None:
    rule = {
        "cidr_blocks": [],
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "security_groups": [],
        "protocol": "-1",
        "from_port": 0,
        "to_port": 0,
    }
    scope = scan(
        _state(
            (
                "aws_security_group.nodes",
                {
                    "id": "sg-0123456789abcdef0",
                    "ingress": [
                        {**rule, "self": True},
                        {**rule, "self": True, "cidr_blocks": ["10.0.0.0/8"]},
                    ],
                },
            ),
            (
                "aws_security_group_rule.peers",
                {
                    "type": "ingress",
                    "security_group_id": "sg-0123456789abcdef0",
                    "self": True,
                    "source_security_group_id": "sg-0123456789abcdef0",
                    "protocol": "tcp",
                    "from_port": 0,
                    "to_port": 65535,
                },
            ),
        )
    )
    nodes = scope.by_address["aws_security_group.nodes"]
    entries = at(nodes, "securityGroupIngress").items()
    # one entry per source: itself, then the CIDR and itself of the second block
    assert [sorted(e.entries()) for e in entries] == [
        ["fromPort", "ipProtocol", "sourceSecurityGroupId", "toPort"],
        ["cidrIp", "fromPort", "ipProtocol", "toPort"],
        ["fromPort", "ipProtocol", "sourceSecurityGroupId", "toPort"],
    ]
    for entry in (entries[0], entries[2]):
        assert target(scope, get(entry, "sourceSecurityGroupId")) == "aws_security_group.nodes"
    assert entries[0].pointer.endswith("/ingress/0/self")
    separate = scope.by_address["aws_security_group_rule.peers"]
    (peers,) = at(separate, "securityGroupIngress").items()
    assert target(scope, get(peers, "sourceSecurityGroupId")) == "aws_security_group.nodes"


def test_launch_template_data_is_nested(plan: Scope) -> None:
    template = plan.by_address["module.batch.aws_launch_template.batch"]
    assert template.kind is Kind.LAUNCH_TEMPLATE and template.name == "batch-workers"
    assert at(template, "launchTemplateName").text() == "batch-workers"
    data = at(template, "launchTemplateData")  # keyed as EC2 and CloudFormation key it
    assert get(data, "MetadataOptions", "HttpTokens").text() == "required"
    assert get(data, "BlockDeviceMappings", 0, "Ebs", "VolumeSize").number() == 100
    assert get(data, "BlockDeviceMappings", 0, "DeviceName").text() == "/dev/xvda"
    assert "metadataOptions" not in data.entries()


_SPOT = "module.batch.aws_batch_compute_environment.spot"
_TEMPLATE = "module.batch.aws_launch_template.batch"


def _entries_of(doc: dict, address: str) -> tuple[dict, dict, dict]:
    """The planned values, the change and the configuration expressions of a resource."""
    values = next(
        r["values"]
        for m in doc["planned_values"]["root_module"]["child_modules"]
        for r in m["resources"]
        if r["address"] == address
    )
    change = next(c["change"] for c in doc["resource_changes"] if c["address"] == address)
    base = address.split(".", 2)[2]
    module = doc["configuration"]["root_module"]["module_calls"]["batch"]["module"]
    expressions = next(r["expressions"] for r in module["resources"] if r["address"] == base)
    return values, change, expressions


def test_launch_template_version_reading_the_template_is_an_edge_to_it() -> None:
    doc = load("plan.json")
    values, change, expressions = _entries_of(doc, _SPOT)
    del values["compute_resources"][0]["launch_template"][0]["version"]
    change["after_unknown"]["compute_resources"][0]["launch_template"][0]["version"] = True
    expressions["compute_resources"][0]["launch_template"][0]["version"] = {
        "references": ["aws_launch_template.batch.latest_version", "aws_launch_template.batch"]
    }
    version = at(scan(doc).by_address[_SPOT], "computeResources", "launchTemplate", "version")
    assert version.unknown and version.ref == _TEMPLATE


def test_launch_template_version_left_out_is_absent_not_unknown() -> None:
    doc = load("plan.json")
    values, change, expressions = _entries_of(doc, _SPOT)
    del values["compute_resources"][0]["launch_template"][0]["version"]
    change["after_unknown"]["compute_resources"][0]["launch_template"][0]["version"] = True
    del expressions["compute_resources"][0]["launch_template"][0]["version"]
    spec = at(scan(doc).by_address[_SPOT], "computeResources", "launchTemplate")
    assert spec.get("version") is None  # the provider computes it: $Default
    assert spec.get("launchTemplateId") is not None


def test_image_id_override_left_out_is_absent_not_unknown() -> None:
    doc = load("plan.json")
    ce = scan(doc).by_address[_SPOT]  # after_unknown marks the computed image_id_override
    assert at(ce, "computeResources", "ec2Configuration", 0).get("imageIdOverride") is None
    _, _, expressions = _entries_of(doc, _SPOT)
    written = {"references": ["data.aws_ssm_parameter.ami.value", "data.aws_ssm_parameter.ami"]}
    expressions["compute_resources"][0]["ec2_configuration"][0]["image_id_override"] = written
    ce = scan(doc).by_address[_SPOT]
    assert at(ce, "computeResources", "ec2Configuration", 0, "imageIdOverride").unknown


def test_launch_template_metadata_options_left_out_are_absent() -> None:
    doc = load("plan.json")
    template = scan(doc).by_address[_TEMPLATE]
    # http_put_response_hop_limit and the rest are computed and unknown on create
    options = at(template, "launchTemplateData", "MetadataOptions")
    assert sorted(options.entries()) == ["HttpEndpoint", "HttpTokens"]

    values, change, expressions = _entries_of(doc, _TEMPLATE)
    del values["metadata_options"][0]["http_tokens"]
    change["after_unknown"]["metadata_options"][0]["http_tokens"] = True
    expressions["metadata_options"][0]["http_tokens"] = {"references": ["terraform_data.x.output"]}
    options = at(scan(doc).by_address[_TEMPLATE], "launchTemplateData", "MetadataOptions")
    assert get(options, "HttpTokens").unknown  # written, only known after apply

    values["metadata_options"] = []
    change["after_unknown"]["metadata_options"] = True
    del expressions["metadata_options"]
    data = at(scan(doc).by_address[_TEMPLATE], "launchTemplateData")
    assert "MetadataOptions" not in data.entries()


def test_launch_template_string_booleans_keep_ec2_keys() -> None:
    doc = load("plan.json")
    values, change, _ = _entries_of(doc, _TEMPLATE)
    values["network_interfaces"] = [
        {"associate_public_ip_address": "true", "device_index": 0, "security_groups": ["sg-1"]}
    ]
    change["after_unknown"]["network_interfaces"] = [{}]
    values["block_device_mappings"][0]["ebs"][0]["encrypted"] = "false"
    data = at(scan(doc).by_address[_TEMPLATE], "launchTemplateData")
    public = get(data, "NetworkInterfaces", 0, "AssociatePublicIpAddress")
    assert public.text() == "true" and public.flag() is True
    assert get(data, "NetworkInterfaces", 0, "Groups").texts() == ["sg-1"]
    assert get(data, "BlockDeviceMappings", 0, "Ebs", "Encrypted").flag() is False


def test_scheduling_policy_and_secret(plan: Scope) -> None:
    policy = plan.by_address["module.batch.aws_batch_scheduling_policy.fair"]
    assert policy.kind is Kind.SCHEDULING_POLICY
    share = at(policy, "fairsharePolicy", "shareDistribution", 0)  # the API's spelling
    assert get(share, "shareIdentifier").text() == "A1*"
    assert get(share, "weightFactor").number() == 0.5
    assert at(policy, "fairsharePolicy", "shareDecaySeconds").number() == 3600
    secret = plan.by_address["aws_secretsmanager_secret.db"]
    assert secret.kind is Kind.SECRET and secret.name == "batch/db-password"


# -- every pointer is where its value is ----------------------------------------------------


def _walk(
    node: Node, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Node]]:
    yield path, node
    if node.unknown:
        return
    if isinstance(node.raw, dict):
        for key, child in node.raw.items():
            yield from _walk(child, (*path, key))
    elif isinstance(node.raw, list):
        for i, child in enumerate(node.raw):
            yield from _walk(child, (*path, i))


def _resolve(doc: object, pointer: str) -> object:
    for token in split(pointer):
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]  # type: ignore[index]
    return doc


def _derived(resource: Resource, path: tuple[str | int, ...]) -> bool:
    """Values the source makes up rather than reads (flags, the legacy queue order)."""
    return path[-1:] == ("main",) or (
        path[:1] == ("computeEnvironmentOrder",)
        and path[-1:] == ("order",)
        and resource.props.get("computeEnvironments") is not None
    )


@pytest.mark.parametrize(
    "name", ["plan.json", "plan-update.json", "state.json", "terraform.tfstate"]
)
def test_every_known_scalar_points_at_its_value(name: str) -> None:
    doc = load(name)
    scope = scan(doc)
    locator = JsonLocator((FIXTURES / name).read_text())
    checked = 0
    for resource in scope.resources:
        assert isinstance(_resolve(doc, resource.pointer), dict)
        for path, node in _walk(resource.props):
            if node.unknown or isinstance(node.raw, (dict, list)) or _derived(resource, path):
                continue
            value = _resolve(doc, node.pointer)
            if node.inner:
                assert isinstance(value, str)
                value = _resolve(json.loads(value), node.inner)
            assert value == node.raw, (resource.address, path, node)
            assert locator.locate(node.pointer) != (1, 1)  # show -json writes one line
            checked += 1
    assert checked > 100


# -- state, raw state and a plan of changes ---------------------------------------------------


def test_state_json(state: Scope) -> None:
    assert state.source == "terraform-state" and state.region is None
    assert not state.meta, [m.message for m in state.meta]
    queue = state.by_address["aws_batch_job_queue.q"]
    assert queue.name == "q"  # not the deposed object with the same address
    assert len([r for r in state.resources if r.address == "aws_batch_job_queue.q"]) == 1


def test_state_edges_come_from_exact_values(state: Scope) -> None:
    ce = state.by_address["aws_batch_compute_environment.ec2"]
    assert [target(state, n) for n in at(ce, "computeResources", "subnets").items()] == [
        "aws_subnet.public"
    ]
    groups = at(ce, "computeResources", "securityGroupIds").items()
    assert [target(state, n) for n in groups] == ["aws_security_group.batch"]
    role = at(ce, "computeResources", "instanceRole")
    assert target(state, role) == "aws_iam_instance_profile.instance"
    queue = state.by_address["aws_batch_job_queue.q"]
    assert target(state, at(queue, "computeEnvironmentOrder", 0, "computeEnvironment")) == (
        "aws_batch_compute_environment.ec2"
    )
    attachment = state.by_address["aws_iam_policy_attachment.admin"]
    assert state.deref_all(at(attachment, "roles")) == [state.by_address["aws_iam_role.instance"]]
    assert target(state, at(attachment, "policyArn")) == "aws_iam_policy.admin"
    profile = state.by_address["aws_iam_instance_profile.instance"]
    assert state.deref_all(at(profile, "roles")) == [state.by_address["aws_iam_role.instance"]]
    # "" is how the provider stores an unset string: absent, so the default applies
    assert ce.props.get("computeResources", "allocationStrategy") is None
    default = ce.field("computeResources", "allocationStrategy")
    assert default is not None and default.origin is Origin.DEFAULT
    assert ce.props.get("computeResources", "imageId") is None


def test_state_network_and_rules(state: Scope) -> None:
    table = state.by_address["aws_default_route_table.main"]
    assert table.kind is Kind.ROUTE_TABLE and at(table, "main").flag() is True
    assert target(state, at(table, "vpcId")) == "aws_vpc.main"
    route = state.by_address["aws_route.internet"]
    assert target(state, at(route, "gatewayId")) == "aws_internet_gateway.gw"
    assert target(state, at(route, "routeTableId")) == "aws_default_route_table.main"
    main = state.by_address["aws_main_route_table_association.main"]
    assert main.kind is Kind.ROUTE_TABLE_ASSOCIATION and at(main, "main").flag() is True
    assert target(state, at(main, "routeTableId")) == "aws_route_table.extra"
    ssh = state.by_address["aws_security_group_rule.ssh"]
    assert ssh.kind is Kind.SECURITY_GROUP_INGRESS
    assert target(state, at(ssh, "groupId")) == "aws_security_group.batch"
    entry = at(ssh, "securityGroupIngress", 0)
    assert get(entry, "cidrIp").text() == "0.0.0.0/0"
    assert get(entry, "fromPort").number() == 22
    assert "aws_security_group_rule.all_out" not in state.by_address  # egress
    rdp = at(state.by_address["aws_vpc_security_group_ingress_rule.rdp"], "securityGroupIngress", 0)
    assert get(rdp, "cidrIpv6").text() == "::/0" and get(rdp, "toPort").number() == 3389


def test_raw_state_matches_state_json(raw: Scope, state: Scope) -> None:
    assert raw.source == "terraform-state" and not raw.meta
    assert set(raw.by_address) == set(state.by_address)
    for address, resource in state.by_address.items():
        twin = raw.by_address[address]
        assert twin.props.plain() == resource.props.plain(), address
        assert (twin.name, twin.arn, twin.kind) == (resource.name, resource.arn, resource.kind)
    ce = raw.by_address["aws_batch_compute_environment.ec2"]
    assert at(ce, "computeResources", "maxvCpus").pointer == (
        "/resources/15/instances/0/attributes/compute_resources/0/max_vcpus"
    )
    assert ce.pointer == "/resources/15/instances/0"


def test_plan_of_changes(update: Scope) -> None:
    assert not update.meta and update.region is None  # region = var.region
    assert "aws_batch_job_definition.old" not in update.by_address  # being deleted
    assert update.by_address["aws_batch_job_queue.q"].name == "q"  # the deposed one is leaving
    ce = update.by_address["aws_batch_compute_environment.ec2"]
    assert at(ce, "computeResources", "maxvCpus").number() == 16  # the planned value
    jd = update.by_address['module.jobs["etl"].aws_batch_job_definition.this']
    assert jd.name == "etl" and at(jd, "containerProperties", "privileged").flag() is False
    assert at(jd, "arn").unknown
    table = update.by_address["aws_default_route_table.main"]
    assert target(update, at(table, "vpcId")) == "aws_vpc.main"


# -- references ------------------------------------------------------------------------------


def _resolver(configuration: object = None) -> Resolver:
    addresses = [
        "aws_subnet.a[0]",
        "aws_subnet.a[1]",
        "aws_subnet.a[2]",
        "aws_vpc.main",
        'aws_iam_role.r["x"]',
        'aws_iam_role.r["y"]',
        "module.m[0].aws_batch_compute_environment.ce",
        "module.m[1].aws_batch_compute_environment.ce",
    ]
    rows = []
    for address in addresses:
        parts = split_address(address)
        assert parts is not None
        rows.append((address, *parts))
    return Resolver(rows, Config(configuration))


@pytest.mark.parametrize(
    ("refs", "index", "many", "expected"),
    [
        (["aws_subnet.a"], None, True, ["aws_subnet.a[0]", "aws_subnet.a[1]", "aws_subnet.a[2]"]),
        (["aws_subnet.a"], 2, False, ["aws_subnet.a[2]"]),
        (["aws_subnet.a"], None, False, ["aws_subnet.a[0]"]),
        (["aws_subnet.a", "count.index"], 1, True, ["aws_subnet.a[1]"]),
        (
            ["aws_subnet.a[1].id", "aws_subnet.a[1]", "aws_subnet.a"],
            None,
            True,
            ["aws_subnet.a[1]"],
        ),
        (
            ['aws_iam_role.r["y"].arn', 'aws_iam_role.r["y"]', "aws_iam_role.r"],
            None,
            False,
            ['aws_iam_role.r["y"]'],
        ),
        (["aws_iam_role.r", "each.key"], "y", False, ['aws_iam_role.r["y"]']),
        (["aws_vpc.main.id", "aws_vpc.main"], None, False, ["aws_vpc.main"]),
        (["aws_vpc.main.default_security_group_id", "aws_vpc.main"], None, False, []),
        (["data.aws_vpc.main.id", "data.aws_vpc.main", "var.x", "local.y"], None, False, []),
        (["module.net.vpc_id", "module.net"], None, False, []),
        (["aws_subnet.missing.id", "aws_subnet.missing"], None, False, []),
        ([1, None, {"x": 1}], None, False, []),
        ("aws_vpc.main", None, False, []),
    ],
)
def test_resolver(refs: object, index: object, many: bool, expected: list[str]) -> None:
    assert _resolver().resolve(refs, "", index, many) == expected  # type: ignore[arg-type]


def test_resolver_is_module_relative_and_follows_inputs() -> None:
    configuration = {
        "root_module": {
            "module_calls": {
                "m": {
                    "expressions": {"subnets": {"references": ["aws_subnet.a"]}},
                    "module": {"resources": []},
                }
            }
        }
    }
    resolver = _resolver(configuration)
    ce = ["aws_batch_compute_environment.ce.arn", "aws_batch_compute_environment.ce"]
    assert resolver.resolve(ce, "module.m[1].", None, False) == [
        "module.m[1].aws_batch_compute_environment.ce"
    ]
    assert resolver.resolve(["var.subnets"], "module.m[0].", None, True) == [
        "aws_subnet.a[0]",
        "aws_subnet.a[1]",
        "aws_subnet.a[2]",
    ]
    assert resolver.resolve(["var.other"], "module.m[0].", None, True) == []


# -- malformed documents: BL-META-002, never an exception --------------------------------------


def _codes(scope: Scope) -> list[str]:
    return [m.code for m in scope.meta]


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ({"format_version": "1.2", "planned_values": []}, "/planned_values"),
        ({"planned_values": {"root_module": []}}, "/planned_values/root_module"),
        (
            {"planned_values": {"root_module": {"resources": {}}}},
            "/planned_values/root_module/resources",
        ),
        (
            {"planned_values": {"root_module": {"resources": [7]}}},
            "/planned_values/root_module/resources/0",
        ),
        (
            {"planned_values": {"root_module": {"resources": [{"type": "aws_batch_job_queue"}]}}},
            "/planned_values/root_module/resources/0",
        ),
        (
            {
                "planned_values": {
                    "root_module": {
                        "resources": [
                            {
                                "address": "aws_batch_job_queue.q",
                                "type": "aws_batch_job_queue",
                                "values": "x",
                            }
                        ]
                    }
                }
            },
            "/planned_values/root_module/resources/0",
        ),
        (
            {"planned_values": {"root_module": {"child_modules": [None, 3]}}},
            "/planned_values/root_module/child_modules/1",
        ),
        ({"planned_values": {}, "resource_changes": {}}, "/resource_changes"),
        ({"format_version": "1.0", "values": 3}, "/values"),
        ({"version": 3, "lineage": "x", "modules": []}, "/version"),
        ({"version": 4, "lineage": "x", "resources": {}}, "/resources"),
        (
            {
                "version": 4,
                "lineage": "x",
                "resources": [
                    {
                        "mode": "managed",
                        "type": "aws_vpc",
                        "name": "v",
                        "instances": [{"attributes_flat": {}}],
                    }
                ],
            },
            "/resources/0/instances/0",
        ),
    ],
)
def test_malformed_document_gives_meta_issue(doc: dict, pointer: str) -> None:
    scope = scan(doc)
    assert _codes(scope) == ["BL-META-002"], [m.message for m in scope.meta]
    assert scope.meta[0].pointer == pointer
    assert scope.meta[0].message and "\n" not in scope.meta[0].message


def test_invalid_embedded_json_is_unknown_with_meta_issue() -> None:
    doc = load("plan.json")
    values = doc["planned_values"]["root_module"]["resources"][3]["values"]
    values["container_properties"] = '{"image": "busybox",'
    scope = scan(doc)
    assert _codes(scope) == ["BL-META-002"]
    issue = scope.meta[0]
    assert issue.pointer == "/planned_values/root_module/resources/3/values/container_properties"
    assert "aws_batch_job_definition.worker" in issue.message and "JSON" in issue.message
    jd = scope.by_address["aws_batch_job_definition.worker"]
    assert at(jd, "containerProperties").unknown
    assert at(jd, "retryStrategy", "attempts").number() == 3  # the rest is still read


@pytest.mark.parametrize("name", ["plan.json", "state.json", "terraform.tfstate"])
def test_wrong_types_anywhere_never_raise(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace random parts of a real document with values of the wrong type. The source's
    last-resort catch is switched off, so only shapes it handles on purpose pass."""
    monkeypatch.setattr(tf_translate, "_SHAPE_ERRORS", ())
    base = load(name)
    rng = random.Random(20240601)
    junk: list[object] = [
        *(None, 0, -1, True, "", "x", 1.5, "{]", '{"a": 1}', "aws_vpc.main"),
        *([], {}, [None], [True], {"a": None}, {"x": True}, [[[]]]),
        {"references": 5},
        {"references": [None, "aws_vpc.main.id", "aws_subnet.private", "count.index"]},
    ]
    for _ in range(150):
        doc = copy.deepcopy(base)
        containers_ = _containers(doc)
        for _ in range(rng.randint(1, 5)):
            parent = rng.choice(containers_)
            key = (
                rng.choice(list(parent)) if isinstance(parent, dict) else rng.randrange(len(parent))
            )
            parent[key] = copy.deepcopy(rng.choice(junk))
        scope = scan(doc)
        assert all(m.code == "BL-META-002" for m in scope.meta)


def _containers(doc: object) -> list[dict | list]:
    """Every non-empty object and array in a document."""
    out: list[dict | list] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and node:
            out.append(node)
            stack.extend(node.values())
        elif isinstance(node, list) and node:
            out.append(node)
            stack.extend(node)
    return out


def _one_job_definition(values: dict[str, object]) -> dict[str, object]:
    entry = {
        "address": "aws_batch_job_definition.d",
        "mode": "managed",
        "type": "aws_batch_job_definition",
        "name": "d",
        "values": values,
    }
    return {"planned_values": {"root_module": {"resources": [entry]}}}


def test_deep_nesting_is_a_meta_issue_not_a_crash() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = {"a": deep}
    values: dict[str, object] = {"name": "d", "parameters": {"p": [[[["x"]]]]}, "tags": deep}
    scope = scan(_one_job_definition(values))
    jd = scope.by_address["aws_batch_job_definition.d"]
    assert at(jd, "jobDefinitionName").text() == "d"
    assert at(jd, "parameters", "p", 0, 0, 0, 0).text() == "x"
    assert _codes(scope) == ["BL-META-002"] and "deeply" in scope.meta[0].message

    blocks: object = "x"
    for _ in range(900):
        blocks = [{"a": blocks}]
    scope = scan(_one_job_definition({"name": "d", "eks_properties": blocks}))
    assert _codes(scope) == ["BL-META-002"] and "deeply" in scope.meta[0].message

    text = "[" * 100_000 + "]" * 100_000  # too deep for json.loads
    scope = scan(_one_job_definition({"name": "d", "container_properties": text}))
    assert at(scope.by_address["aws_batch_job_definition.d"], "containerProperties").unknown
    assert _codes(scope) == ["BL-META-002"] and "deeply" in scope.meta[0].message


def test_empty_inline_policy_and_empty_strings_are_absent() -> None:
    doc = load("plan.json")
    role = doc["planned_values"]["root_module"]["resources"][6]
    assert role["address"] == "aws_iam_role.instance"
    role["values"]["inline_policy"] = [{"name": "", "policy": ""}]
    role["values"]["description"] = ""
    for change in doc["resource_changes"]:
        if change["address"] == "aws_iam_role.instance":
            del change["change"]["after_unknown"]["inline_policy"]
    scope = scan(doc)
    resource = scope.by_address["aws_iam_role.instance"]
    assert at(resource, "policies").items() == []
    assert resource.props.get("description") is None


def test_resource_changes_without_planned_values() -> None:
    doc = load("plan.json")
    del doc["planned_values"]
    scope = scan(doc)
    assert not scope.meta
    ce = scope.by_address["module.batch.aws_batch_compute_environment.spot"]
    assert ce.pointer.startswith("/resource_changes/")
    assert at(ce, "serviceRole").unknown
    assert target(scope, at(ce, "serviceRole")) == "module.batch.aws_iam_role.service"


# -- scale and the corpus ----------------------------------------------------------------------


def test_large_plan_builds_quickly() -> None:
    doc = load("plan.json")
    root = doc["planned_values"]["root_module"]
    resources, changes = [], []
    for k in range(150):
        for entry in root["resources"]:
            clone = copy.deepcopy(entry)
            clone["address"] = entry["address"].replace(entry["name"], f"{entry['name']}_{k}", 1)
            resources.append(clone)
    for change in doc["resource_changes"]:
        for k in range(150):
            clone = copy.deepcopy(change)
            clone["address"] = change["address"].replace(change["name"], f"{change['name']}_{k}", 1)
            changes.append(clone)
    root["resources"], doc["resource_changes"] = resources, changes
    start = time.perf_counter()
    scope = scan(doc)
    elapsed = time.perf_counter() - start
    assert len(scope.resources) >= 150 * 19
    assert elapsed < 2.0, f"{len(json.dumps(doc)) / 1e6:.1f} MB took {elapsed:.2f}s"


def _corpus_terraform() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.stat().st_size > 64 * 1024 * 1024:
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue
        if path.parent.name == "tfplan" or is_terraform(doc):
            found.append(path)
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_tfplan_folder_is_recognised() -> None:
    plans = sorted((CORPUS / "tfplan").glob("*.json"))
    assert plans and all(is_terraform(json.loads(p.read_text())) for p in plans)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", _corpus_terraform(), ids=lambda p: p.name[-60:])
def test_corpus_terraform_builds(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    scope = scan(doc)
    assert scope.source in ("terraform-plan", "terraform-state")
    assert scope.resources, [m.message for m in scope.meta]
    for resource in scope.resources:
        assert not [k for k in resource.props.entries() if "_" in k], resource.address


# -- what configuration expressions read (Resource.expressions) --------------------------------


def _job(address: str, expression: object, marks: object = None) -> tuple[dict, dict, dict]:
    """The planned value, change and configuration block of a job definition."""
    name = address.rsplit(".", 1)[1]
    values = {"name": name, "type": "container", "container_properties": None}
    entry = {
        "address": address,
        "mode": "managed",
        "type": "aws_batch_job_definition",
        "name": name,
        "values": values,
        "sensitive_values": {},
    }
    change = {
        "address": address,
        "change": {
            "actions": ["create"],
            "after": values,
            "after_unknown": {"container_properties": True},
            "after_sensitive": marks if marks is not None else {},
        },
    }
    block = {
        "address": ".".join(address.rsplit(".", 2)[-2:]),
        "mode": "managed",
        "type": "aws_batch_job_definition",
        "name": name,
        "expressions": {"container_properties": expression, "name": {"constant_value": name}},
    }
    return entry, change, block


def _parameter(address: str, type_: str, index: int) -> dict:
    return {
        "address": address,
        "mode": "managed",
        "type": "aws_ssm_parameter",
        "name": "p",
        "index": index,
        "values": {"name": "/p", "type": type_, "value": "s3cr3t"},
        "sensitive_values": {"value": True},
    }


def _reads_plan() -> dict[str, object]:
    """A plan whose job definitions read a counted parameter, a data source and variables."""
    read_a = [
        "aws_ssm_parameter.p[1].value",
        "aws_ssm_parameter.p[1]",
        "aws_ssm_parameter.p",
        "count.index",
        "var.secret",
        "var.plain",
        "local.x",
        "data.aws_ssm_parameter.d.value",
        "data.aws_ssm_parameter.d",
    ]
    read_b = ["aws_ssm_parameter.p", "count.index", "missing.thing.value"]
    jobs = [
        _job("aws_batch_job_definition.a", {"references": read_a}, {"container_properties": True}),
        _job("aws_batch_job_definition.b", {"references": read_b}),
        _job("module.m.aws_batch_job_definition.c", {"references": ["var.password"]}),
    ]
    data = {
        "address": "data.aws_ssm_parameter.d",
        "mode": "data",
        "type": "aws_ssm_parameter",
        "name": "d",
        "values": {"name": "/d", "type": "SecureString", "value": "x"},
        "sensitive_values": {"value": True},
    }
    module = {"resources": [jobs[2][2]], "variables": {"password": {"sensitive": True}}}
    return {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    _parameter("aws_ssm_parameter.p[0]", "String", 0),
                    _parameter("aws_ssm_parameter.p[1]", "SecureString", 1),
                    jobs[0][0],
                    jobs[1][0],
                ],
                "child_modules": [{"address": "module.m", "resources": [jobs[2][0]]}],
            }
        },
        "prior_state": {"values": {"root_module": {"resources": [data]}}},
        "resource_changes": [job[1] for job in jobs],
        "configuration": {
            "root_module": {
                "resources": [jobs[0][2], jobs[1][2]],
                "variables": {"secret": {"sensitive": True}, "plain": {}},
                "module_calls": {
                    "m": {
                        "expressions": {"password": {"references": ["var.secret"]}},
                        "module": module,
                    }
                },
            }
        },
    }


def test_expressions_expose_what_each_attribute_reads() -> None:
    scope = scan(_reads_plan())
    a = scope.by_address["aws_batch_job_definition.a"]
    written = a.expressions["containerProperties"]
    assert written.sensitive is True  # after_sensitive marks it
    assert "jobDefinitionName" not in a.expressions  # a constant reads nothing
    parameter, secret, plain, local, data = written.references
    assert (parameter.text, parameter.type, parameter.attribute, parameter.data) == (
        "aws_ssm_parameter.p[1].value",
        "aws_ssm_parameter",
        "value",
        False,
    )
    assert parameter.address == "aws_ssm_parameter.p[1]"
    assert parameter.values == {"name": "/p", "type": "SecureString"}  # "value" is sensitive
    assert parameter.sensitive is True
    assert (secret.type, secret.attribute, secret.sensitive) == ("var", "secret", True)
    assert (plain.type, plain.attribute, plain.sensitive) == ("var", "plain", False)
    assert (local.type, local.attribute, local.address) == ("local", "x", None)
    assert (data.text, data.data, data.address) == (
        "data.aws_ssm_parameter.d.value",
        True,
        "data.aws_ssm_parameter.d",
    )
    assert data.values["type"] == "SecureString" and "value" not in data.values


def test_expressions_of_an_unindexed_reference_and_of_a_module() -> None:
    scope = scan(_reads_plan())
    b = scope.by_address["aws_batch_job_definition.b"].expressions["containerProperties"]
    # a reference through count.index names no attribute; something not in the plan no address
    assert [(r.text, r.attribute, r.address) for r in b.references] == [
        ("aws_ssm_parameter.p", None, "aws_ssm_parameter.p[0]"),
        ("missing.thing.value", "value", None),
    ]
    assert b.sensitive is False
    c = scope.by_address["module.m.aws_batch_job_definition.c"].expressions
    (password,) = c["containerProperties"].references
    assert (password.text, password.sensitive) == ("var.password", True)  # the module's own


def test_state_documents_have_no_expressions(state: Scope) -> None:
    assert all(not resource.expressions for resource in state.resources)
