"""How scan time and peak memory grow with the input: generated templates and plans.

    python scripts/scale.py [--sizes 500,5000,50000] [--formats cfn,cfn-yaml,tf-plan]
                            [--repeat N] [--keep DIR]

For each format and size N the script writes a generated input with N resources to a
temporary folder (never into the repository), then scans it with
``python -m batchlint scan FILE -f json -o REPORT`` in a fresh process, wrapped in a small
measuring process of its own so that ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is that one
scan's peak. It prints wall time and peak RSS per run, then the growth ratios from one size
to the next: about 10 for 10x the input when growth is linear. Memory ratios are taken above
the baseline of a scan of the smallest input of the same format (interpreter, imports, rules
and the price snapshot), time ratios both as measured and above that baseline.

Formats:

* ``cfn``: a CloudFormation template in JSON (indented, as CDK writes it);
* ``cfn-yaml``: the same template in YAML with short-form intrinsics (``!Ref``, ``!GetAtt``);
* ``tf-plan``: ``terraform show -json`` of a plan (compact, as Terraform writes it) whose
  resources sit in nested modules: a ``team_<n>`` module call per team, each calling a
  ``pipeline`` module with ``count``; references go through ``configuration`` (module
  variables included), values only known after apply are in ``after_unknown``, and
  ``container_properties`` is a ``jsonencode``d string.

N counts every resource of the file. About half are Batch resources (compute environments,
queues, job definitions, scheduling policies); the rest are what such stacks carry along:
VPCs, subnets, route tables, security groups and ingress rules, IAM roles with inline and
separate policies, instance profiles, log groups.

The generators (:func:`cloudformation_template`, :func:`terraform_plan`) are importable, for
tests.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FORMATS = ("cfn", "cfn-yaml", "tf-plan")
DEFAULT_SIZES = (500, 5_000, 50_000)
ACCOUNT = "123456789012"
PIPELINES_PER_TEAM = 10  # CloudFormation: pipelines sharing a VPC, route tables, an instance role
TF_PIPELINES_PER_TEAM = 8  # Terraform: count of the pipeline module in each team module

# instance type lists the compute environments cycle through (families, sizes, optimal, Graviton)
_INSTANCE_TYPES: tuple[list[str], ...] = (
    ["c6i", "m6i", "r6i"],
    ["c7i.large", "c7i.xlarge", "c7i.2xlarge", "c7i.4xlarge"],
    ["m5", "c5"],
    ["optimal"],
    ["c6g", "m6g", "r6g"],
    ["m7i", "c7i", "r7i"],
    ["c5.2xlarge", "c5.4xlarge"],
    ["r5.xlarge", "r5.2xlarge", "r5.4xlarge"],
)
# (vCPUs, MiB) job definitions cycle through
_REQUESTS = ((1, 2048), (2, 4096), (4, 15000), (8, 30000), (2, 16384), (16, 65536), (1, 1024))
# (vCPUs, MiB) of Fargate job definitions; 1 vCPU with 3000 MiB is not a Fargate size
_FARGATE_REQUESTS = ((0.25, 512), (1, 2048), (2, 4096), (4, 8192), (0.5, 1024), (1, 3000))
_JOBS = ("align", "call", "report")


# -- CloudFormation ------------------------------------------------------------------------


def _ref(name: str) -> dict[str, Any]:
    return {"Ref": name}


def _att(name: str, attribute: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [name, attribute]}


def _sub(text: str) -> dict[str, Any]:
    return {"Fn::Sub": text}


def _assume(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def _cfn_team(t: int) -> dict[str, dict[str, Any]]:
    """What a team's pipelines share: a VPC with a public and a private route table, an
    instance role and profile, a fair-share scheduling policy."""
    cidr = f"10.{t % 250}.0.0/16"
    return {
        f"Vpc{t}": {
            "Type": "AWS::EC2::VPC",
            "Properties": {
                "CidrBlock": cidr,
                "EnableDnsSupport": True,
                "EnableDnsHostnames": True,
                "Tags": [{"Key": "Name", "Value": _sub(f"${{AWS::StackName}}-team-{t}")}],
            },
        },
        f"Gateway{t}": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
        f"GatewayAttachment{t}": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": _ref(f"Vpc{t}"), "InternetGatewayId": _ref(f"Gateway{t}")},
        },
        f"PublicRoutes{t}": {
            "Type": "AWS::EC2::RouteTable",
            "Properties": {"VpcId": _ref(f"Vpc{t}")},
        },
        f"PrivateRoutes{t}": {
            "Type": "AWS::EC2::RouteTable",
            "Properties": {"VpcId": _ref(f"Vpc{t}")},
        },
        f"DefaultRoute{t}": {
            "Type": "AWS::EC2::Route",
            "DependsOn": f"GatewayAttachment{t}",
            "Properties": {
                "RouteTableId": _ref(f"PublicRoutes{t}"),
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": _ref(f"Gateway{t}"),
            },
        },
        f"InstanceRole{t}": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": _assume("ec2.amazonaws.com"),
                "ManagedPolicyArns": [
                    _sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                        "AmazonEC2ContainerServiceforEC2Role"
                    )
                ],
            },
        },
        f"InstanceProfile{t}": {
            "Type": "AWS::IAM::InstanceProfile",
            "Properties": {"Roles": [_ref(f"InstanceRole{t}")]},
        },
        f"FairShare{t}": {
            "Type": "AWS::Batch::SchedulingPolicy",
            "Properties": {
                "Name": _sub(f"${{AWS::StackName}}-team-{t}"),
                "FairsharePolicy": {
                    "ShareDecaySeconds": 3600,
                    "ComputeReservation": 10,
                    "ShareDistribution": [
                        {"ShareIdentifier": "prod", "WeightFactor": 0.5},
                        {"ShareIdentifier": "dev*", "WeightFactor": 1},
                    ],
                },
            },
        },
    }


def _fargate(k: int) -> bool:
    """Every fifth pipeline runs on Fargate."""
    return k % 5 == 4


def _cfn_environment(k: int, t: int, spot: bool) -> dict[str, Any]:
    if _fargate(k):
        return _cfn_fargate_environment(k, spot)
    resources: dict[str, Any] = {
        "Type": "SPOT" if spot else "EC2",
        "MinvCpus": 0 if spot or k % 6 else 4,
        "MaxvCpus": 256 if spot else 64,
        "InstanceTypes": _INSTANCE_TYPES[(k + (0 if spot else 3)) % len(_INSTANCE_TYPES)],
        "Subnets": [_ref(f"Subnet{k}")],
        "SecurityGroupIds": [_ref(f"WorkerSg{k}")],
        "InstanceRole": _att(f"InstanceProfile{t}", "Arn"),
        "Tags": {"team": f"team-{t}", "pipeline": f"p{k}"},
    }
    if spot:
        resources["AllocationStrategy"] = (
            "BEST_FIT" if k % 9 == 0 else "SPOT_PRICE_CAPACITY_OPTIMIZED"
        )
    else:
        resources["AllocationStrategy"] = "BEST_FIT_PROGRESSIVE"
    return {
        "Type": "AWS::Batch::ComputeEnvironment",
        "Properties": {
            "Type": "MANAGED",
            "State": "ENABLED",
            "ComputeEnvironmentName": _sub(
                f"${{AWS::StackName}}-{'spot' if spot else 'ondemand'}-{k}"
            ),
            "ServiceRole": _att("BatchServiceRole", "Arn"),
            "ComputeResources": resources,
        },
    }


def _cfn_fargate_environment(k: int, spot: bool) -> dict[str, Any]:
    return {
        "Type": "AWS::Batch::ComputeEnvironment",
        "Properties": {
            "Type": "MANAGED",
            "State": "ENABLED",
            "ServiceRole": _att("BatchServiceRole", "Arn"),
            "ComputeResources": {
                "Type": "FARGATE_SPOT" if spot else "FARGATE",
                "MaxvCpus": 64,
                "Subnets": [_ref(f"Subnet{k}")],
                "SecurityGroupIds": [_ref(f"WorkerSg{k}")],
            },
        },
    }


def _cfn_fargate_job(k: int, j: int, job: str) -> dict[str, Any]:
    vcpus, memory = _FARGATE_REQUESTS[(k + j) % len(_FARGATE_REQUESTS)]
    props: dict[str, Any] = {
        "Type": "container",
        "JobDefinitionName": f"pipeline-{k}-{job}",
        "PlatformCapabilities": ["FARGATE"],
        "RetryStrategy": {"Attempts": 2},
        "Timeout": {"AttemptDurationSeconds": 1800},
        "ContainerProperties": {
            "Image": f"public.ecr.aws/docker/library/python:3.12-slim@sha256:{'ab' * 32}",
            "JobRoleArn": _att(f"JobRole{k}", "Arn"),
            "ExecutionRoleArn": _att(f"JobRole{k}", "Arn"),
            "Command": ["python", "-m", job],
            "ResourceRequirements": [
                {"Type": "VCPU", "Value": str(vcpus)},
                {"Type": "MEMORY", "Value": str(memory)},
            ],
            "FargatePlatformConfiguration": {"PlatformVersion": "LATEST"},
            "NetworkConfiguration": {"AssignPublicIp": "DISABLED"},
        },
    }
    return {"Type": "AWS::Batch::JobDefinition", "Properties": props}


def _cfn_job(k: int, j: int, job: str) -> dict[str, Any]:
    if _fargate(k):
        return _cfn_fargate_job(k, j, job)
    vcpus, memory = _REQUESTS[(k + j) % len(_REQUESTS)]
    props: dict[str, Any] = {
        "Type": "container",
        "JobDefinitionName": f"pipeline-{k}-{job}",
        "PlatformCapabilities": ["EC2"],
        "PropagateTags": True,
        "RetryStrategy": {
            "Attempts": 3,
            "EvaluateOnExit": [
                {"OnStatusReason": "Host EC2*", "Action": "RETRY"},
                {"OnReason": "*", "Action": "EXIT"},
            ],
        },
        "ContainerProperties": {
            "Image": _sub(
                "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/"
                f"pipeline-{job}:${{ImageTag}}"
            ),
            "JobRoleArn": _att(f"JobRole{k}", "Arn"),
            "Command": [job, "--input", "Ref::input", "--output", "Ref::output"],
            "ResourceRequirements": [
                {"Type": "VCPU", "Value": str(vcpus)},
                {"Type": "MEMORY", "Value": str(memory)},
            ],
            "Environment": [
                {"Name": "STAGE", "Value": job},
                {"Name": "BUCKET", "Value": f"pipeline-{k}-data"},
            ],
            "LogConfiguration": {
                "LogDriver": "awslogs",
                "Options": {"awslogs-group": _ref(f"Logs{k}")},
            },
        },
        "Parameters": {"input": f"s3://pipeline-{k}-data/in", "output": f"s3://pipeline-{k}/out"},
        "Tags": {"team": f"team-{k // PIPELINES_PER_TEAM}"},
    }
    if (k + j) % 4:
        props["Timeout"] = {"AttemptDurationSeconds": 3600 * (1 + j)}
    if k % 11 == 0 and j == 0:
        props["RetryStrategy"] = {"Attempts": 1}
    return {"Type": "AWS::Batch::JobDefinition", "Properties": props}


def _cfn_pipeline(k: int) -> dict[str, dict[str, Any]]:
    """One pipeline: its subnet and security group, job role and policy, a Spot and an
    on-demand compute environment, a queue over both, three job definitions, a log group."""
    t = k // PIPELINES_PER_TEAM
    routes = f"PublicRoutes{t}" if k % 3 == 0 else f"PrivateRoutes{t}"
    out: dict[str, dict[str, Any]] = {
        f"Subnet{k}": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": _ref(f"Vpc{t}"),
                "CidrBlock": f"10.{t % 250}.{k % PIPELINES_PER_TEAM}.0/24",
                "AvailabilityZone": {"Fn::Select": [k % 2, {"Fn::GetAZs": ""}]},
                "MapPublicIpOnLaunch": False,
            },
        },
        f"SubnetRoutes{k}": {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"SubnetId": _ref(f"Subnet{k}"), "RouteTableId": _ref(routes)},
        },
        f"WorkerSg{k}": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"Batch workers of pipeline {k}",
                "VpcId": _ref(f"Vpc{t}"),
                "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}],
            },
        },
        f"WorkerSgIngress{k}": {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": _att(f"WorkerSg{k}", "GroupId"),
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "CidrIp": "0.0.0.0/0" if k % 5 == 0 else "10.0.0.0/8",
            },
        },
        f"JobRole{k}": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": _assume("ecs-tasks.amazonaws.com"),
                "Policies": [
                    {
                        "PolicyName": "data-access",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["s3:GetObject", "s3:PutObject"],
                                    "Resource": _sub(
                                        f"arn:${{AWS::Partition}}:s3:::pipeline-{k}-data/*"
                                    ),
                                }
                            ],
                        },
                    }
                ],
            },
        },
        f"JobPolicy{k}": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": f"pipeline-{k}-logs",
                "Roles": [_ref(f"JobRole{k}")],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": _att(f"Logs{k}", "Arn"),
                        },
                        {
                            "Effect": "Allow",
                            "Action": "s3:*" if k % 7 == 0 else "s3:ListBucket",
                            "Resource": "*",
                        },
                    ],
                },
            },
        },
        f"Logs{k}": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": f"/batch/pipeline-{k}", "RetentionInDays": 30},
        },
        f"SpotEnv{k}": _cfn_environment(k, t, spot=True),
        f"OnDemandEnv{k}": _cfn_environment(k, t, spot=False),
        f"Queue{k}": {
            "Type": "AWS::Batch::JobQueue",
            "Properties": {
                "JobQueueName": f"pipeline-{k}",
                "Priority": 1 + k % 10,
                "State": "ENABLED",
                "SchedulingPolicyArn": _ref(f"FairShare{t}"),
                "ComputeEnvironmentOrder": [
                    {"Order": 1, "ComputeEnvironment": _ref(f"SpotEnv{k}")},
                    {"Order": 2, "ComputeEnvironment": _ref(f"OnDemandEnv{k}")},
                ],
            },
        },
    }
    for j, job in enumerate(_JOBS):
        out[f"{job.capitalize()}{k}"] = _cfn_job(k, j, job)
    return out


def cloudformation_template(n: int) -> dict[str, Any]:
    """A template with exactly ``n`` resources, every reference to one declared before it."""
    resources: dict[str, dict[str, Any]] = {}

    def add(block: dict[str, dict[str, Any]]) -> bool:
        for name, body in block.items():
            if len(resources) >= n:
                return False
            resources[name] = body
        return len(resources) < n

    add(
        {
            "BatchServiceRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": _assume("batch.amazonaws.com"),
                    "ManagedPolicyArns": [
                        _sub(
                            "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBatchServiceRole"
                        )
                    ],
                },
            }
        }
    )
    k = 0
    while len(resources) < n:
        if k % PIPELINES_PER_TEAM == 0 and not add(_cfn_team(k // PIPELINES_PER_TEAM)):
            break
        if not add(_cfn_pipeline(k)):
            break
        k += 1
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Generated by scripts/scale.py: {n} resources",
        "Parameters": {"ImageTag": {"Type": "String", "Default": "1.4.2"}},
        "Resources": resources,
        "Outputs": {"FirstQueue": {"Value": _ref("Queue0")}} if "Queue0" in resources else {},
    }


class _Tagged:
    """A short-form intrinsic for the YAML writer: ``!Ref Name``, ``!GetAtt A.B``, …"""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Dumper.add_representer(_Tagged, _represent_tagged)


def _short_form(data: Any) -> Any:
    if isinstance(data, dict):
        if len(data) == 1:
            key, value = next(iter(data.items()))
            if key == "Ref" and isinstance(value, str):
                return _Tagged("!Ref", value)
            if key == "Fn::GetAtt" and isinstance(value, list):
                return _Tagged("!GetAtt", ".".join(value))
            if key.startswith("Fn::"):
                return _Tagged("!" + key[4:], _short_form(value))
        return {key: _short_form(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_short_form(item) for item in data]
    return data


def cloudformation_yaml(template: dict[str, Any]) -> str:
    """The template in YAML with short-form intrinsics, as people write it."""
    text = yaml.dump(
        _short_form(template), Dumper=_Dumper, sort_keys=False, default_flow_style=False
    )
    return str(text)


# -- Terraform plan ----------------------------------------------------------------------------


def _refs(*addresses: str) -> dict[str, Any]:
    """A configuration expression that reads resources: ``a.b.id`` gives ``a.b.id``, ``a.b``."""
    out: list[str] = []
    for address in addresses:
        out.append(address)
        parts = address.split(".")
        if len(parts) == 3 and parts[0] not in ("var", "count", "each", "local"):
            out.append(".".join(parts[:2]))
    return {"references": out}


def _const(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


@dataclass
class _Block:
    """One resource: its values, what is known only after apply, its configuration."""

    type: str
    name: str
    values: dict[str, Any]
    unknown: dict[str, Any]
    expressions: dict[str, Any]
    count: int | None = None  # the block's count; None when it has none


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))


def _tf_root() -> list[_Block]:
    """The root module: the shared VPC, its public route table, the instance and service
    roles."""
    assume_ec2 = json.dumps(_assume("ec2.amazonaws.com"), separators=(",", ":"))
    assume_batch = json.dumps(_assume("batch.amazonaws.com"), separators=(",", ":"))
    return [
        _Block(
            "aws_vpc",
            "main",
            {"cidr_block": "10.0.0.0/8", "enable_dns_support": True, "tags": None},
            {"id": True, "arn": True, "default_route_table_id": True, "main_route_table_id": True},
            {"cidr_block": _const("10.0.0.0/8")},
        ),
        _Block(
            "aws_internet_gateway",
            "main",
            {"tags": None},
            {"id": True, "arn": True, "vpc_id": True},
            {"vpc_id": _refs("aws_vpc.main.id")},
        ),
        _Block(
            "aws_route_table",
            "public",
            {
                "route": [
                    {
                        "carrier_gateway_id": "",
                        "cidr_block": "0.0.0.0/0",
                        "egress_only_gateway_id": "",
                        "ipv6_cidr_block": "",
                        "nat_gateway_id": "",
                        "transit_gateway_id": "",
                    }
                ],
                "tags": None,
            },
            {"id": True, "arn": True, "vpc_id": True, "route": [{"gateway_id": True}]},
            {
                "vpc_id": _refs("aws_vpc.main.id"),
                "route": _refs("aws_internet_gateway.main.id"),
            },
        ),
        _Block(
            "aws_iam_role",
            "instance",
            {"name": "batch-instance", "assume_role_policy": assume_ec2, "path": "/"},
            {"id": True, "arn": True, "unique_id": True, "inline_policy": True},
            {"name": _const("batch-instance")},
        ),
        _Block(
            "aws_iam_role_policy_attachment",
            "instance",
            {
                "role": "batch-instance",
                "policy_arn": "arn:aws:iam::aws:policy/service-role/"
                "AmazonEC2ContainerServiceforEC2Role",
            },
            {"id": True},
            {"role": _refs("aws_iam_role.instance.name")},
        ),
        _Block(
            "aws_iam_instance_profile",
            "instance",
            {"name": "batch-instance", "role": "batch-instance", "path": "/"},
            {"id": True, "arn": True, "unique_id": True},
            {"role": _refs("aws_iam_role.instance.name")},
        ),
        _Block(
            "aws_iam_role",
            "service",
            {"name": "batch-service", "assume_role_policy": assume_batch, "path": "/"},
            {"id": True, "arn": True, "unique_id": True, "inline_policy": True},
            {"name": _const("batch-service")},
        ),
    ]


def _tf_team(t: int) -> list[_Block]:
    """A team module: two subnets with their route table associations, a security group and
    a scheduling policy."""
    return [
        _Block(
            "aws_subnet",
            "this",
            {"cidr_block": None, "map_public_ip_on_launch": False, "tags": None},
            {"id": True, "arn": True, "vpc_id": True},
            {"vpc_id": _refs("var.vpc_id"), "cidr_block": {"references": ["count.index"]}},
            count=2,
        ),
        _Block(
            "aws_route_table_association",
            "this",
            {"gateway_id": None, "timeouts": None},
            {"id": True, "subnet_id": True, "route_table_id": True},
            {
                "subnet_id": {"references": ["aws_subnet.this", "count.index"]},
                "route_table_id": _refs("var.route_table_id"),
            },
            count=2 if t % 3 == 0 else 0,
        ),
        _Block(
            "aws_security_group",
            "batch",
            {
                "name": f"team-{t}-batch",
                "description": "Managed by Terraform",
                "ingress": [
                    {
                        "cidr_blocks": ["0.0.0.0/0"] if t % 5 == 0 else ["10.0.0.0/8"],
                        "description": "",
                        "from_port": 22,
                        "ipv6_cidr_blocks": [],
                        "prefix_list_ids": [],
                        "protocol": "tcp",
                        "security_groups": [],
                        "self": False,
                        "to_port": 22,
                    }
                ],
                "egress": [
                    {
                        "cidr_blocks": ["0.0.0.0/0"],
                        "description": "",
                        "from_port": 0,
                        "ipv6_cidr_blocks": [],
                        "prefix_list_ids": [],
                        "protocol": "-1",
                        "security_groups": [],
                        "self": False,
                        "to_port": 0,
                    }
                ],
                "revoke_rules_on_delete": False,
                "tags": None,
                "timeouts": None,
            },
            {"id": True, "arn": True, "vpc_id": True, "owner_id": True},
            {"name": _const(f"team-{t}-batch"), "vpc_id": _refs("var.vpc_id")},
        ),
        _Block(
            "aws_batch_scheduling_policy",
            "fair",
            {
                "name": f"team-{t}",
                "fair_share_policy": [
                    {
                        "compute_reservation": 10,
                        "share_decay_seconds": 3600,
                        "share_distribution": [
                            {"share_identifier": "prod", "weight_factor": 0.5},
                            {"share_identifier": "dev*", "weight_factor": 1},
                        ],
                    }
                ],
                "tags": None,
            },
            {"id": True, "arn": True},
            {"name": _const(f"team-{t}")},
        ),
    ]


def _tf_environment(t: int, i: int, spot: bool) -> _Block:
    k = t * TF_PIPELINES_PER_TEAM + i
    kind = "spot" if spot else "ondemand"
    if _fargate(k):
        return _tf_fargate_environment(t, i, kind, spot)
    types = _INSTANCE_TYPES[(k + (0 if spot else 3)) % len(_INSTANCE_TYPES)]
    strategy = (
        ("BEST_FIT" if k % 9 == 0 else "SPOT_PRICE_CAPACITY_OPTIMIZED")
        if spot
        else "BEST_FIT_PROGRESSIVE"
    )
    resources = {
        "allocation_strategy": strategy,
        "bid_percentage": None,
        "ec2_key_pair": None,
        "image_id": None,
        "instance_type": types,
        "launch_template": [],
        "max_vcpus": 256 if spot else 64,
        "min_vcpus": 0 if spot or k % 6 else 4,
        "placement_group": None,
        "spot_iam_fleet_role": None,
        "tags": {"team": f"team-{t}"},
        "type": "SPOT" if spot else "EC2",
    }
    unknown = {
        "desired_vcpus": True,
        "ec2_configuration": True,
        "instance_role": True,
        "instance_type": [False] * len(types),
        "launch_template": [],
        "security_group_ids": True,
        "subnets": True,
    }
    expressions = {
        "type": _const("SPOT" if spot else "EC2"),
        "allocation_strategy": _const(strategy),
        "instance_type": _const(types),
        "instance_role": _refs("var.instance_profile_arn"),
        "subnets": _refs("var.subnet_ids"),
        "security_group_ids": _refs("var.security_group_ids"),
        "max_vcpus": _const(resources["max_vcpus"]),
        "min_vcpus": _const(resources["min_vcpus"]),
    }
    return _tf_compute_environment(t, i, kind, resources, unknown, expressions)


def _tf_fargate_environment(t: int, i: int, kind: str, spot: bool) -> _Block:
    compute = "FARGATE_SPOT" if spot else "FARGATE"
    resources: dict[str, Any] = {
        "allocation_strategy": None,
        "bid_percentage": None,
        "ec2_key_pair": None,
        "image_id": None,
        "instance_role": None,
        "instance_type": None,
        "launch_template": [],
        "max_vcpus": 64,
        "min_vcpus": None,
        "placement_group": None,
        "spot_iam_fleet_role": None,
        "tags": None,
        "type": compute,
    }
    unknown = {"desired_vcpus": True, "security_group_ids": True, "subnets": True}
    expressions = {
        "type": _const(compute),
        "max_vcpus": _const(64),
        "subnets": _refs("var.subnet_ids"),
        "security_group_ids": _refs("var.security_group_ids"),
    }
    return _tf_compute_environment(t, i, kind, resources, unknown, expressions)


def _tf_compute_environment(
    t: int,
    i: int,
    kind: str,
    resources: dict[str, Any],
    unknown: dict[str, Any],
    expressions: dict[str, Any],
) -> _Block:
    """A managed compute environment as a plan shows it: values, what is unknown until apply
    (under compute_resources: ``unknown``), and the configuration expressions."""
    return _Block(
        "aws_batch_compute_environment",
        kind,
        {
            "compute_environment_name": f"t{t}-p{i}-{kind}",
            "compute_resources": [resources],
            "eks_configuration": [],
            "state": "ENABLED",
            "tags": None,
            "type": "MANAGED",
            "update_policy": [],
        },
        {
            "arn": True,
            "id": True,
            "ecs_cluster_arn": True,
            "service_role": True,
            "status": True,
            "compute_resources": [unknown],
        },
        {
            "compute_environment_name": {"references": ["var.name"]},
            "service_role": _refs("var.service_role_arn"),
            "type": _const("MANAGED"),
            "compute_resources": [expressions],
        },
    )


def _tf_job(t: int, i: int, j: int, job: str) -> _Block:
    """A job definition; ``align`` reads the role the module creates (so its
    ``container_properties`` is known only after apply), the others name it by ARN."""
    k = t * TF_PIPELINES_PER_TEAM + i
    fargate = _fargate(k)
    requests = _FARGATE_REQUESTS if fargate else _REQUESTS
    vcpus, memory = requests[(k + j) % len(requests)]
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/t{t}-p{i}-job"
    container: dict[str, Any] = {
        "command": [job, "--input", "Ref::input"],
        "environment": [
            {"name": "STAGE", "value": job},
            {"name": "BUCKET", "value": f"t{t}-p{i}-data"},
        ],
        "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/pipeline-{job}:1.4.2",
        "jobRoleArn": role_arn,
        "resourceRequirements": [
            {"type": "VCPU", "value": str(vcpus)},
            {"type": "MEMORY", "value": str(memory)},
        ],
        "logConfiguration": {"logDriver": "awslogs", "options": {}},
    }
    if fargate:
        container["executionRoleArn"] = role_arn
        container["fargatePlatformConfiguration"] = {"platformVersion": "LATEST"}
        container["networkConfiguration"] = {"assignPublicIp": "DISABLED"}
    computed = job == "align"
    values: dict[str, Any] = {
        "container_properties": None
        if computed
        else json.dumps(container, separators=(",", ":"), sort_keys=True),
        "deregister_on_new_revision": True,
        "ecs_properties": None,
        "eks_properties": [],
        "name": f"t{t}-p{i}-{job}",
        "node_properties": None,
        "parameters": {"input": f"s3://t{t}-p{i}-data/in"},
        "platform_capabilities": ["FARGATE" if fargate else "EC2"],
        "propagate_tags": True,
        "retry_strategy": [
            {
                "attempts": 1 if k % 11 == 0 and j == 0 else 3,
                "evaluate_on_exit": [
                    {
                        "action": "retry",
                        "on_exit_code": None,
                        "on_reason": None,
                        "on_status_reason": "Host EC2*",
                    },
                    {
                        "action": "exit",
                        "on_exit_code": None,
                        "on_reason": "*",
                        "on_status_reason": None,
                    },
                ],
            }
        ],
        "scheduling_priority": None,
        "tags": {"team": f"team-{t}"},
        "timeout": [{"attempt_duration_seconds": 3600 * (1 + j)}] if (k + j) % 4 else [],
        "type": "container",
    }
    unknown: dict[str, Any] = {"arn": True, "id": True, "revision": True, "tags_all": True}
    expressions: dict[str, Any] = {
        "name": {"references": ["var.name"]},
        "type": _const("container"),
    }
    if computed:
        unknown["container_properties"] = True
        expressions["container_properties"] = _refs("aws_iam_role.job.arn")
    return _Block("aws_batch_job_definition", job, values, unknown, expressions)


def _tf_pipeline(t: int, i: int) -> list[_Block]:
    """A pipeline module instance: job role and policy, two compute environments, a queue,
    three job definitions, a log group."""
    name = f"t{t}-p{i}"
    wide = (t * TF_PIPELINES_PER_TEAM + i) % 7 == 0
    assume = json.dumps(_assume("ecs-tasks.amazonaws.com"), separators=(",", ":"))
    data_policy = _policy(
        [
            {
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Effect": "Allow",
                "Resource": f"arn:aws:s3:::{name}-data/*",
            }
        ]
    )
    logs_policy = _policy(
        [
            {
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": "*",
            },
            {"Action": "s3:*" if wide else "s3:ListBucket", "Effect": "Allow", "Resource": "*"},
        ]
    )
    return [
        _Block(
            "aws_iam_role",
            "job",
            {
                "name": f"{name}-job",
                "assume_role_policy": assume,
                "path": "/",
                "inline_policy": [{"name": "data-access", "policy": data_policy}],
                "tags": None,
            },
            {"id": True, "arn": True, "unique_id": True, "managed_policy_arns": True},
            {"name": {"references": ["var.name"]}},
        ),
        _Block(
            "aws_iam_role_policy",
            "logs",
            {"name": "logs", "policy": logs_policy},
            {"id": True, "role": True},
            {"role": _refs("aws_iam_role.job.id"), "name": _const("logs")},
        ),
        _Block(
            "aws_cloudwatch_log_group",
            "this",
            {"name": f"/batch/{name}", "retention_in_days": 30, "tags": None},
            {"id": True, "arn": True},
            {"name": {"references": ["var.name"]}},
        ),
        _tf_environment(t, i, spot=True),
        _tf_environment(t, i, spot=False),
        _Block(
            "aws_batch_job_queue",
            "main",
            {
                "name": name,
                "priority": 1 + i,
                "state": "ENABLED",
                "compute_environment_order": [{"order": 1}, {"order": 2}],
                "compute_environments": None,
                "job_state_time_limit_action": [],
                "tags": None,
                "timeouts": None,
            },
            {
                "arn": True,
                "id": True,
                "scheduling_policy_arn": True,
                "compute_environment_order": [
                    {"compute_environment": True},
                    {"compute_environment": True},
                ],
            },
            {
                "name": {"references": ["var.name"]},
                "scheduling_policy_arn": _refs("var.scheduling_policy_arn"),
                "compute_environment_order": [
                    {
                        "order": _const(1),
                        "compute_environment": _refs("aws_batch_compute_environment.spot.arn"),
                    },
                    {
                        "order": _const(2),
                        "compute_environment": _refs("aws_batch_compute_environment.ondemand.arn"),
                    },
                ],
            },
        ),
        *(_tf_job(t, i, j, job) for j, job in enumerate(_JOBS)),
    ]


class _PlanWriter:
    """Adds resources to planned_values and resource_changes until ``limit`` is reached."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.changes: list[dict[str, Any]] = []

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    def module(
        self, blocks: list[_Block], prefix: str, module: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Add the instances of ``blocks`` to ``module`` (a planned_values module); return
        the configuration of the blocks."""
        config: list[dict[str, Any]] = []
        resources = module.setdefault("resources", [])
        for block in blocks:
            entry: dict[str, Any] = {
                "address": f"{block.type}.{block.name}",
                "mode": "managed",
                "type": block.type,
                "name": block.name,
                "provider_config_key": "aws",
                "expressions": block.expressions,
                "schema_version": 0,
            }
            if block.count is not None:
                entry["count_expression"] = _const(block.count)
            config.append(entry)
            indexes: list[int | None] = [None] if block.count is None else list(range(block.count))
            for index in indexes:
                if self.full:
                    break
                resources.append(self._instance(block, prefix, index))
        return config

    def _instance(self, block: _Block, prefix: str, index: int | None) -> dict[str, Any]:
        self.count += 1
        suffix = f"[{index}]" if index is not None else ""
        address = f"{prefix}{block.type}.{block.name}{suffix}"
        values = dict(block.values)
        if block.type == "aws_subnet" and index is not None:
            values["cidr_block"] = f"10.{self.count % 250}.{index}.0/24"
            values["availability_zone"] = f"us-east-1{'ab'[index % 2]}"
        entry: dict[str, Any] = {
            "address": address,
            "mode": "managed",
            "type": block.type,
            "name": block.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 0,
            "values": values,
            "sensitive_values": {},
        }
        change: dict[str, Any] = {
            "address": address,
            "mode": "managed",
            "type": block.type,
            "name": block.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": values,
                "after_unknown": block.unknown,
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
        if index is not None:
            entry["index"] = index
            change["index"] = index
        if prefix:
            change["module_address"] = prefix[:-1]
        self.changes.append(change)
        return entry


def terraform_plan(n: int) -> dict[str, Any]:
    """``terraform show -json`` of a plan creating exactly ``n`` resources (fewer when
    ``n`` is below the seven of the root module)."""
    writer = _PlanWriter(n)
    root: dict[str, Any] = {"resources": [], "child_modules": []}
    config_root: dict[str, Any] = {
        "resources": writer.module(_tf_root(), "", root),
        "module_calls": {},
    }
    t = 0
    while not writer.full:
        prefix = f"module.team_{t}."
        team: dict[str, Any] = {"address": prefix[:-1], "resources": [], "child_modules": []}
        team_config = writer.module(_tf_team(t), prefix, team)
        pipeline_config: list[dict[str, Any]] = []
        for i in range(TF_PIPELINES_PER_TEAM):
            child_prefix = f"{prefix}module.pipeline[{i}]."
            child: dict[str, Any] = {"address": child_prefix[:-1], "resources": []}
            pipeline_config = writer.module(_tf_pipeline(t, i), child_prefix, child)
            if child["resources"]:
                team["child_modules"].append(child)
        root["child_modules"].append(team)
        config_root["module_calls"][f"team_{t}"] = {
            "source": "./modules/team",
            "expressions": {
                "vpc_id": _refs("aws_vpc.main.id"),
                "route_table_id": _refs("aws_route_table.public.id"),
                "instance_profile_arn": _refs("aws_iam_instance_profile.instance.arn"),
                "service_role_arn": _refs("aws_iam_role.service.arn"),
                "name": _const(f"team-{t}"),
            },
            "module": {
                "resources": team_config,
                "module_calls": {
                    "pipeline": {
                        "source": "../pipeline",
                        "count_expression": _const(TF_PIPELINES_PER_TEAM),
                        "expressions": {
                            "name": {"references": ["var.name", "count.index"]},
                            "subnet_ids": {"references": ["aws_subnet.this"]},
                            "security_group_ids": _refs("aws_security_group.batch.id"),
                            "instance_profile_arn": _refs("var.instance_profile_arn"),
                            "service_role_arn": _refs("var.service_role_arn"),
                            "scheduling_policy_arn": _refs("aws_batch_scheduling_policy.fair.arn"),
                        },
                        "module": {"resources": pipeline_config},
                    }
                },
            },
        }
        t += 1
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": root},
        "resource_changes": writer.changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": "registry.terraform.io/hashicorp/aws",
                    "expressions": {"region": _const("us-east-1")},
                }
            },
            "root_module": config_root,
        },
        "timestamp": "2026-01-01T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


# -- files ------------------------------------------------------------------------------------


def write_input(fmt: str, n: int, folder: Path) -> Path:
    """Generate the input of ``fmt`` with ``n`` resources into ``folder``."""
    if fmt == "cfn":
        path = folder / f"template-{n}.json"
        path.write_text(json.dumps(cloudformation_template(n), indent=1), encoding="utf-8")
    elif fmt == "cfn-yaml":
        path = folder / f"template-{n}.yaml"
        path.write_text(cloudformation_yaml(cloudformation_template(n)), encoding="utf-8")
    elif fmt == "tf-plan":
        path = folder / f"plan-{n}.json"
        path.write_text(json.dumps(terraform_plan(n), separators=(",", ":")), encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path


# -- measuring --------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
_BASELINE_RESOURCES = 20  # the smallest input: the fixed costs, a few resources of each kind

# Runs the command in argv[1:] as its only child, so RUSAGE_CHILDREN holds that one process's
# peak RSS; prints the wall time, the peak and the exit status as JSON.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak": peak, "exit": done.returncode}))
"""

# The figures are the engine's, not its input limits': a 50,000-resource plan is larger than
# the default --max-file-size, and the scan of one may take longer than --timeout-per-file.
_LIFTED = (("--max-file-size", "16G"), ("--max-values", "1000000000"), ("--timeout-per-file", "0"))


@dataclass
class Run:
    fmt: str
    n: int
    megabytes: float  # input size
    seconds: float  # best wall time
    peak_mib: float  # peak RSS of the scan (the lowest of the repeats)
    batch: int  # Batch resources the report counted
    findings: int
    limited: bool  # the scan stopped at an input limit (BL-META-001)


def lifted_limits() -> list[str]:
    """The flags that lift batchlint's input limits, as far as this batchlint has them."""
    shown = subprocess.run(
        [sys.executable, "-m", "batchlint", "scan", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    ).stdout
    return [part for flag, value in _LIFTED if flag in shown for part in (flag, value)]


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time (s) and lowest peak RSS (MiB) of ``repeat`` runs of ``command``, each
    in a fresh process."""
    times, peaks = [], []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *command],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result = json.loads(done.stdout)
        if result["exit"] != 0:
            raise RuntimeError(f"{' '.join(command)} exited with {result['exit']}")
        times.append(float(result["seconds"]))
        # ru_maxrss is in KiB on Linux, in bytes on macOS
        divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
        peaks.append(result["peak"] / divisor)
    return min(times), min(peaks)


def run(fmt: str, n: int, folder: Path, repeat: int, limits: list[str]) -> Run:
    """Generate the input, scan it ``repeat`` times, check what the report says."""
    path = write_input(fmt, n, folder)
    report = folder / f"report-{fmt}-{n}.json"
    command = [sys.executable, "-m", "batchlint", "scan", str(path), "-f", "json"]
    command += ["-o", str(report), "--fail-on", "never", *limits]
    seconds, peak = measure(command, repeat)
    data = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    problems = [f for f in data["findings"] if f["code"].startswith("BL-META")]
    for problem in problems[:3]:
        print(f"  {path.name}: {problem['code']} {problem['message']}", file=sys.stderr)
    limited = any(f["code"] == "BL-META-001" for f in problems)
    summary = data["summary"]
    batch = sum(summary["resources"].values())
    size = path.stat().st_size / 1e6
    return Run(fmt, n, size, seconds, peak, batch, summary["findings"], limited)


def _ratio(high: float, low: float) -> str:
    return f"{high / low:5.1f}x" if low > 0 else "    -"


def _print_ratios(fmt: str, runs: list[Run], base: Run) -> None:
    for low, high in itertools.pairwise(runs):
        step = f"{high.n:,}/{low.n:,}"
        net_time = _ratio(high.seconds - base.seconds, low.seconds - base.seconds)
        net_memory = _ratio(high.peak_mib - base.peak_mib, low.peak_mib - base.peak_mib)
        print(
            f"{fmt:<9} {step:>15}  input {high.n / low.n:4.0f}x  "
            f"time {_ratio(high.seconds, low.seconds)} (above baseline {net_time})  "
            f"memory above baseline {net_memory}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="resource counts, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help=f"comma-separated, of {', '.join(FORMATS)} (default: all)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per input, the best kept")
    parser.add_argument("--keep", type=Path, help="write the inputs to this folder and keep them")
    parser.add_argument(
        "--default-limits",
        action="store_true",
        help="scan with batchlint's default input limits (size, values, time per file) rather "
        "than lifted: an input over one is marked in the table",
    )
    args = parser.parse_args()
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers, such as 500,5000,50000")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if any(f not in FORMATS for f in formats) or not formats:
        parser.error(f"--formats takes {', '.join(FORMATS)}")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("sizes and --repeat must be at least 1")
    limits = [] if args.default_limits else lifted_limits()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return _measure_all(formats, sizes, args.keep, args.repeat, limits)
    with tempfile.TemporaryDirectory(prefix="batchlint-scale-") as folder:
        return _measure_all(formats, sizes, Path(folder), args.repeat, limits)


def _measure_all(
    formats: list[str], sizes: list[int], folder: Path, repeat: int, limits: list[str]
) -> int:
    print(f"limits: {' '.join(limits) if limits else 'the defaults'}; best of {repeat}")
    print(
        f"{'format':<9} {'resources':>10} {'batch':>8} {'input MB':>9} {'time s':>8} "
        f"{'peak MiB':>9} {'findings':>9}"
    )
    results: dict[str, tuple[Run, list[Run]]] = {}
    for fmt in formats:
        base = run(fmt, _BASELINE_RESOURCES, folder, repeat, limits)
        runs = []
        for n in sizes:
            item = run(fmt, n, folder, repeat, limits)
            runs.append(item)
            mark = "  (stopped at a limit)" if item.limited else ""
            print(
                f"{fmt:<9} {n:>10,} {item.batch:>8,} {item.megabytes:>9.1f} "
                f"{item.seconds:>8.2f} {item.peak_mib:>9.0f} {item.findings:>9,}{mark}",
                flush=True,
            )
        results[fmt] = (base, runs)
    _, python = measure([sys.executable, "-c", "pass"], repeat)
    print(
        f"\nbaselines: python alone {python:.0f} MiB; a scan of {_BASELINE_RESOURCES} resources",
        end="",
    )
    print(
        "".join(
            f", {fmt} {b.seconds:.2f} s {b.peak_mib:.0f} MiB" for fmt, (b, _) in results.items()
        )
    )
    print("growth from one size to the next (linear: as much as the input's; above the baseline")
    print("of the same format: without the interpreter, imports, rules and price snapshot)")
    for fmt, (base, runs) in results.items():
        _print_ratios(fmt, runs, base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
