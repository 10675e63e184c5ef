"""CloudFormation source: build() straight from parsed templates (plain data, long-form
intrinsics), without the loader."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.sources import yaml_cfn
from batchlint.sources.cloudformation import build

from .conftest import FIXTURES

HERE = FIXTURES / "sources" / "cloudformation"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cfn"


def scope_of(doc: dict[str, Any], region: str = "us-east-1") -> Scope:
    scope = Scope("template.yaml", "cloudformation")
    build(doc, scope, region)
    return scope


def one(
    props: dict[str, Any], type_name: str = "AWS::Batch::JobDefinition", **sections: Any
) -> Resource:
    """The translated resource ``R`` of a template holding it (plus ``sections``)."""
    resources = dict(sections.pop("Resources", {}))
    resources["R"] = {"Type": type_name, "Properties": props}
    scope = scope_of({"Resources": resources, **sections})
    assert not scope.meta, [m.message for m in scope.meta]
    return scope.by_address["R"]


def value(props: dict[str, Any], **sections: Any) -> Node | None:
    """The node of property ``V`` (normalized ``v``)."""
    return one({"V": props["V"]} if "V" in props else props, **sections).props.get("v")


def known(node: Node | None) -> object:
    assert node is not None
    assert node.known, node
    return node.plain()


def parse_file(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    try:
        return json.loads(text)
    except ValueError:
        return yaml_cfn.parse(text)[1]  # YAML (a few "JSON" files are only valid as YAML)


# -- resources, kinds and names ----------------------------------------------------------------


def test_batch_resources_are_translated_with_lower_camel_keys() -> None:
    scope = scope_of(
        {
            "Resources": {
                "CE": {
                    "Type": "AWS::Batch::ComputeEnvironment",
                    "Properties": {
                        "Type": "MANAGED",
                        "ComputeEnvironmentName": "spot-ce",
                        "ComputeResources": {
                            "Type": "SPOT",
                            "MinvCpus": 0,
                            "MaxvCpus": 64,
                            "InstanceTypes": ["m6i"],
                        },
                    },
                },
                "Queue": {
                    "Type": "AWS::Batch::JobQueue",
                    "Properties": {
                        "Priority": 1,
                        "ComputeEnvironmentOrder": [{"Order": 1, "ComputeEnvironment": "spot-ce"}],
                    },
                },
            }
        }
    )
    ce = scope.by_address["CE"]
    assert ce.kind is Kind.COMPUTE_ENVIRONMENT
    assert ce.type == "AWS::Batch::ComputeEnvironment"
    assert ce.name == "spot-ce"
    assert ce.pointer == "/Resources/CE"
    assert ce.props.pointer == "/Resources/CE/Properties"
    assert ce.field("type") is not None and ce.field("type").text() == "MANAGED"  # type: ignore[union-attr]
    compute_type = ce.props.get("computeResources", "type")
    assert compute_type is not None and compute_type.text() == "SPOT"
    max_vcpus = ce.props.get("computeResources", "maxvCpus")
    assert max_vcpus is not None and max_vcpus.raw == 64
    assert max_vcpus.pointer == "/Resources/CE/Properties/ComputeResources/MaxvCpus"
    queue = scope.by_address["Queue"]
    entry = queue.props.get("computeEnvironmentOrder", 0, "computeEnvironment")
    assert entry is not None and entry.pointer.endswith(
        "/ComputeEnvironmentOrder/0/ComputeEnvironment"
    )
    assert scope.deref(entry) is ce  # a literal name matches the physical name
    assert scope.region is None


@pytest.mark.parametrize(
    ("type_name", "kind", "props", "name"),
    [
        ("AWS::Batch::JobDefinition", Kind.JOB_DEFINITION, {"JobDefinitionName": "jd"}, "jd"),
        ("AWS::Batch::JobQueue", Kind.JOB_QUEUE, {"JobQueueName": "q"}, "q"),
        ("AWS::Batch::SchedulingPolicy", Kind.SCHEDULING_POLICY, {"Name": "fair"}, "fair"),
        ("AWS::IAM::Role", Kind.IAM_ROLE, {"RoleName": "r"}, "r"),
        ("AWS::IAM::Policy", Kind.IAM_POLICY, {"PolicyName": "p"}, "p"),
        ("AWS::IAM::ManagedPolicy", Kind.IAM_POLICY, {"ManagedPolicyName": "mp"}, "mp"),
        ("AWS::IAM::InstanceProfile", Kind.INSTANCE_PROFILE, {"InstanceProfileName": "ip"}, "ip"),
        ("AWS::EC2::VPC", Kind.VPC, {"CidrBlock": "10.0.0.0/16"}, None),
        ("AWS::EC2::Subnet", Kind.SUBNET, {"MapPublicIpOnLaunch": True}, None),
        ("AWS::EC2::RouteTable", Kind.ROUTE_TABLE, {"VpcId": "vpc-1"}, None),
        ("AWS::EC2::Route", Kind.ROUTE, {"GatewayId": "igw-1"}, None),
        ("AWS::EC2::SubnetRouteTableAssociation", Kind.ROUTE_TABLE_ASSOCIATION, {}, None),
        ("AWS::EC2::InternetGateway", Kind.INTERNET_GATEWAY, {}, None),
        ("AWS::EC2::NatGateway", Kind.NAT_GATEWAY, {"SubnetId": "subnet-1"}, None),
        ("AWS::EC2::VPCEndpoint", Kind.VPC_ENDPOINT, {"VpcId": "vpc-1"}, None),
        ("AWS::EC2::SecurityGroup", Kind.SECURITY_GROUP, {"GroupName": "sg"}, "sg"),
        ("AWS::EC2::LaunchTemplate", Kind.LAUNCH_TEMPLATE, {"LaunchTemplateName": "lt"}, "lt"),
        ("AWS::SecretsManager::Secret", Kind.SECRET, {"Name": "s"}, "s"),
    ],
)
def test_supported_types_and_physical_names(
    type_name: str, kind: Kind, props: dict[str, Any], name: str | None
) -> None:
    resource = one(props, type_name)
    assert resource.kind is kind
    assert resource.name == name


def test_nat_gateways_vpc_endpoints_and_route_targets() -> None:
    scope = scope_of(
        {
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
                "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
                "Nat": {
                    "Type": "AWS::EC2::NatGateway",
                    "Properties": {"SubnetId": "subnet-1", "ConnectivityType": "private"},
                },
                "S3": {
                    "Type": "AWS::EC2::VPCEndpoint",
                    "Properties": {
                        "VpcId": {"Ref": "Vpc"},
                        "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
                        "RouteTableIds": [{"Ref": "Table"}],
                    },
                },
                "Ecs": {
                    "Type": "AWS::EC2::VPCEndpoint",
                    "Properties": {
                        "VpcId": {"Ref": "Vpc"},
                        "VpcEndpointType": "Interface",
                        "ServiceName": "com.amazonaws.eu-west-1.ecs",
                        "SubnetIds": ["subnet-1"],
                        "PrivateDnsEnabled": True,
                        "PolicyDocument": {"Statement": [{"Effect": "Allow"}]},
                    },
                },
                "Route": {
                    "Type": "AWS::EC2::Route",
                    "Properties": {
                        "RouteTableId": {"Ref": "Table"},
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": {"Ref": "Nat"},
                        "TransitGatewayId": "tgw-1",
                        "VpcEndpointId": {"Ref": "S3"},
                        "NetworkInterfaceId": "eni-1",
                        "InstanceId": "i-1",
                    },
                },
            }
        },
        region="eu-west-1",
    )
    assert scope.by_address["Nat"].kind is Kind.NAT_GATEWAY
    s3, ecs = scope.by_address["S3"], scope.by_address["Ecs"]
    assert s3.kind is Kind.VPC_ENDPOINT and ecs.kind is Kind.VPC_ENDPOINT
    assert s3.props.plain() == {
        "vpcId": None,
        "serviceName": "com.amazonaws.eu-west-1.s3",
        "routeTableIds": [None],
    }
    assert scope.deref_all(s3.props.get("routeTableIds")) == [scope.by_address["Table"]]
    assert ecs.props.plain() == {
        "vpcId": None,
        "vpcEndpointType": "Interface",
        "serviceName": "com.amazonaws.eu-west-1.ecs",
        "subnetIds": ["subnet-1"],
        "privateDnsEnabled": True,
        "policyDocument": {"Statement": [{"Effect": "Allow"}]},  # IAM grammar keeps its keys
    }
    route = scope.by_address["Route"]
    assert scope.deref(route.props.get("natGatewayId")) is scope.by_address["Nat"]
    assert scope.deref(route.props.get("vpcEndpointId")) is s3
    plain = route.props.plain()
    assert isinstance(plain, dict)
    assert {k: v for k, v in plain.items() if v} == {
        "destinationCidrBlock": "0.0.0.0/0",
        "transitGatewayId": "tgw-1",
        "networkInterfaceId": "eni-1",
        "instanceId": "i-1",
    }


def test_unknown_physical_name_is_none() -> None:
    assert one({"RoleName": {"Fn::Sub": "${AWS::StackName}-role"}}, "AWS::IAM::Role").name is None


def test_other_types_are_ignored_but_remain_edge_targets() -> None:
    scope = scope_of(
        {
            "Resources": {
                "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "x"}},
                "Custom": {"Type": "Custom::Thing"},
                "JD": {
                    "Type": "AWS::Batch::JobDefinition",
                    "Properties": {"Parameters": {"Target": {"Fn::GetAtt": ["Fn", "Arn"]}}},
                },
            }
        }
    )
    assert list(scope.by_address) == ["JD"]
    target = scope.by_address["JD"].props.get("parameters", "Target")
    assert target is not None and target.unknown and target.ref == "Fn"
    assert scope.deref(target) is None  # external: not in the model


def test_properties_absent_gives_empty_props() -> None:
    scope = scope_of({"Resources": {"IGW": {"Type": "AWS::EC2::InternetGateway"}}})
    props = scope.by_address["IGW"].props
    assert props.known and props.raw == {}
    assert props.pointer == "/Resources/IGW/Properties"


# -- key normalization -------------------------------------------------------------------------


def test_user_data_maps_keep_their_keys() -> None:
    jd = one(
        {
            "Parameters": {"InputKey": "a", "OutputKey": "b"},
            "Tags": {"CostCenter": "42"},
            "ContainerProperties": {
                "LogConfiguration": {"LogDriver": "awslogs", "Options": {"Awslogs-Group": "g"}}
            },
            "EksProperties": {
                "PodProperties": {
                    "Metadata": {"Labels": {"App": "x"}, "Annotations": {"Note": "y"}},
                    "Containers": [
                        {"Resources": {"Limits": {"Cpu": "1"}, "Requests": {"Memory": "1Gi"}}}
                    ],
                }
            },
        }
    )
    plain = jd.props.plain()
    assert plain == {
        "parameters": {"InputKey": "a", "OutputKey": "b"},
        "tags": {"CostCenter": "42"},
        "containerProperties": {
            "logConfiguration": {"logDriver": "awslogs", "options": {"Awslogs-Group": "g"}}
        },
        "eksProperties": {
            "podProperties": {
                "metadata": {"labels": {"App": "x"}, "annotations": {"Note": "y"}},
                "containers": [
                    {"resources": {"limits": {"Cpu": "1"}, "requests": {"Memory": "1Gi"}}}
                ],
            }
        },
    }


def test_iam_documents_and_launch_template_data_keep_their_keys() -> None:
    role = one(
        {
            "AssumeRolePolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]
            },
            "Policies": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["s3:*"],
                                "Resource": "*",
                                "Condition": {"StringEquals": {"aws:RequestTag/Team": "a"}},
                            }
                        ]
                    },
                }
            ],
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
        "AWS::IAM::Role",
    )
    statement = role.props.get("policies", 0, "policyDocument", "Statement", 0)
    assert statement is not None
    assert set(statement.entries()) == {"Effect", "Action", "Resource", "Condition"}
    condition = statement.get("Condition", "StringEquals", "aws:RequestTag/Team")
    assert condition is not None and condition.text() == "a"
    assert condition.pointer.endswith("/StringEquals/aws:RequestTag~1Team")  # RFC 6901 escape
    assert role.props.get("assumeRolePolicyDocument", "Statement", 0, "Effect") is not None
    assert known(role.props.get("managedPolicyArns")) == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    template = one(
        {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}},
        "AWS::EC2::LaunchTemplate",
    )
    assert known(template.props.get("launchTemplateData")) == {
        "MetadataOptions": {"HttpTokens": "required"}
    }


def test_security_group_ingress_is_shaped_like_a_group() -> None:
    scope = scope_of(
        {
            "Resources": {
                "SG": {
                    "Type": "AWS::EC2::SecurityGroup",
                    "Properties": {
                        "SecurityGroupIngress": [
                            {
                                "IpProtocol": "tcp",
                                "FromPort": 22,
                                "ToPort": 22,
                                "CidrIp": "0.0.0.0/0",
                            }
                        ]
                    },
                },
                "In": {
                    "Type": "AWS::EC2::SecurityGroupIngress",
                    "Properties": {
                        "GroupId": {"Fn::GetAtt": ["SG", "GroupId"]},
                        "IpProtocol": "-1",
                        "CidrIpv6": "::/0",
                    },
                },
            }
        }
    )
    group = scope.by_address["SG"]
    assert known(group.props.get("securityGroupIngress", 0)) == {
        "ipProtocol": "tcp",
        "fromPort": 22,
        "toPort": 22,
        "cidrIp": "0.0.0.0/0",
    }
    ingress = scope.by_address["In"]
    assert scope.deref(ingress.props.get("groupId")) is group
    entries = ingress.props.get("securityGroupIngress")
    assert entries is not None and len(entries.items()) == 1
    entry = entries.items()[0]
    assert entry.pointer == "/Resources/In/Properties"
    assert entry.get("cidrIpv6") is not None and entry.get("ipProtocol").text() == "-1"  # type: ignore[union-attr]
    assert scope.referrers(group, Kind.SECURITY_GROUP_INGRESS, "groupId") == [ingress]


def test_scalars_keep_their_types() -> None:
    props = one({"PropagateTags": True, "Flag": "true", "SchedulingPriority": 5, "X": 1.5}).props
    assert [props.get(k).raw for k in ("propagateTags", "flag", "schedulingPriority", "x")] == [  # type: ignore[union-attr]
        True,
        "true",
        5,
        1.5,
    ]


# -- Ref, GetAtt, parameters, pseudo parameters -----------------------------------------------


def test_ref_and_get_att_to_resources_are_edges() -> None:
    scope = scope_of(
        {
            "Resources": {
                "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
                "Profile": {
                    "Type": "AWS::IAM::InstanceProfile",
                    "Properties": {"Roles": [{"Ref": "Role"}]},
                },
                "JD": {
                    "Type": "AWS::Batch::JobDefinition",
                    "Properties": {
                        "ContainerProperties": {
                            "JobRoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                            "ExecutionRoleArn": {"Fn::GetAtt": "Role.Arn"},
                        }
                    },
                },
            }
        }
    )
    role = scope.by_address["Role"]
    roles = scope.by_address["Profile"].props.get("roles", 0)
    assert roles is not None and roles.unknown and roles.ref == "Role"
    assert roles.pointer == "/Resources/Profile/Properties/Roles/0"
    assert scope.deref(roles) is role
    for key in ("jobRoleArn", "executionRoleArn"):
        node = scope.by_address["JD"].props.get("containerProperties", key)
        assert node is not None and node.origin is Origin.UNKNOWN
        assert scope.deref(node) is role


PARAMETERS = {
    "Name": {"Type": "String", "Default": "jobs"},
    "NoDefault": {"Type": "String"},
    "Subnets": {"Type": "CommaDelimitedList", "Default": "subnet-a, subnet-b ,subnet-c"},
    "Ids": {"Type": "List<AWS::EC2::SecurityGroup::Id>", "Default": "sg-1,sg-2"},
    "Empty": {"Type": "CommaDelimitedList", "Default": ""},
    "Count": {"Type": "Number", "Default": 4},
    "CountText": {"Type": "Number", "Default": "8"},
    "Ami": {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Default": "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id",
    },
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Name", "jobs"),
        ("Subnets", ["subnet-a", "subnet-b", "subnet-c"]),
        ("Ids", ["sg-1", "sg-2"]),
        ("Empty", []),
        ("Count", 4),
        ("CountText", "8"),
    ],
)
def test_ref_to_parameter_with_default(name: str, expected: object) -> None:
    node = value({"V": {"Ref": name}}, Parameters=PARAMETERS)
    assert node is not None and node.origin is Origin.SET
    assert node.pointer == "/Resources/R/Properties/V"
    assert node.plain() == expected


@pytest.mark.parametrize("name", ["NoDefault", "Ami", "Undeclared"])
def test_ref_to_parameter_without_usable_default_is_unknown(name: str) -> None:
    node = value({"V": {"Ref": name}}, Parameters=PARAMETERS)
    assert node is not None and node.unknown and node.ref is None


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("us-east-1", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ],
)
def test_pseudo_parameters_follow_the_region(region: str, partition: str, suffix: str) -> None:
    doc = {
        "Resources": {
            "R": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "P": {"Ref": "AWS::Partition"},
                    "U": {"Ref": "AWS::URLSuffix"},
                    "G": {"Ref": "AWS::Region"},
                    "A": {"Ref": "AWS::AccountId"},
                    "S": {"Ref": "AWS::StackName"},
                    "I": {"Ref": "AWS::StackId"},
                    "N": {"Ref": "AWS::NotificationARNs"},
                },
            }
        }
    }
    props = scope_of(doc, region).by_address["R"].props
    assert props.get("p").text() == partition  # type: ignore[union-attr]
    assert props.get("u").text() == suffix  # type: ignore[union-attr]
    assert props.get("g").text() == region  # type: ignore[union-attr]
    for key in "asin":
        assert props.get(key).unknown  # type: ignore[union-attr]


# -- AWS::NoValue and Fn::If ------------------------------------------------------------------


def test_no_value_drops_a_key_and_a_list_element() -> None:
    props = one(
        {
            "Gone": {"Ref": "AWS::NoValue"},
            "List": ["a", {"Ref": "AWS::NoValue"}, "b"],
        }
    ).props
    assert props.get("gone") is None
    assert known(props.get("list")) == ["a", "b"]
    assert [n.pointer[-1] for n in props.get("list").items()] == ["0", "2"]  # type: ignore[union-attr]


def test_if_keeps_both_branches_as_alternatives() -> None:
    node = value({"V": {"Fn::If": ["IsProd", "SPOT", {"Ref": "AWS::NoValue"}]}})
    assert node is not None and node.unknown and node.alts is not None
    first, second = node.alts
    assert first is not None and first.raw == "SPOT"
    assert first.pointer == "/Resources/R/Properties/V/Fn::If/1"
    assert second is None
    assert node.text() is None  # the branches disagree


def test_if_with_agreeing_branches_reads_as_known() -> None:
    node = value({"V": {"Fn::If": ["C", "EC2", {"Fn::Sub": "EC2"}]}})
    assert node is not None and node.text() == "EC2"


def test_if_with_the_same_resource_in_both_branches_keeps_the_edge() -> None:
    resources = {"Role": {"Type": "AWS::IAM::Role"}}
    same = value(
        {"V": {"Fn::If": ["C", {"Fn::GetAtt": ["Role", "Arn"]}, {"Ref": "Role"}]}},
        Resources=resources,
    )
    assert same is not None and same.ref == "Role"
    different = value(
        {"V": {"Fn::If": ["C", {"Ref": "Role"}, "arn:aws:iam::1:role/x"]}}, Resources=resources
    )
    assert different is not None and different.ref is None


def test_if_branches_keep_user_data_keys_below_raw_properties() -> None:
    node = one({"Tags": {"Fn::If": ["C", {"Team": "a"}, {"Team": "b"}]}}).props.get("tags")
    assert node is not None and node.alts is not None
    assert [alt.plain() for alt in node.alts if alt is not None] == [{"Team": "a"}, {"Team": "b"}]


def test_default_applies_in_a_no_value_branch() -> None:
    ce = one(
        {
            "ComputeResources": {
                "Type": "SPOT",
                "AllocationStrategy": {"Fn::If": ["C", "BEST_FIT", {"Ref": "AWS::NoValue"}]},
            }
        },
        "AWS::Batch::ComputeEnvironment",
    )
    strategy = ce.field("computeResources", "allocationStrategy")
    assert strategy is not None and strategy.text() == "BEST_FIT"


# -- string and list functions ----------------------------------------------------------------


SECTIONS: dict[str, Any] = {
    "Parameters": {
        "Env": {"Type": "String", "Default": "dev"},
        "Free": {"Type": "String"},
        "Subnets": {"Type": "CommaDelimitedList", "Default": "s-1,s-2"},
    },
    "Mappings": {
        "Sizes": {"dev": {"Max": 16, "Types": ["m6i", "c6i"]}, "us-east-1": {"Max": 32}},
    },
    "Resources": {"Role": {"Type": "AWS::IAM::Role"}, "Bucket": {"Type": "AWS::S3::Bucket"}},
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"Fn::Sub": "plain"}, "plain"),
        ({"Fn::Sub": "q-${Env}-${AWS::Region}"}, "q-dev-us-east-1"),
        ({"Fn::Sub": "${!Literal}-${Env}"}, "${Literal}-dev"),
        ({"Fn::Sub": ["${A}/${Env}", {"A": {"Ref": "AWS::Partition"}}]}, "aws/dev"),
        ({"Fn::Sub": ["${A}", {"A": {"Fn::Join": ["-", ["x", "y"]]}}]}, "x-y"),
        ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]}, "arn:aws:s3:::b"),
        ({"Fn::Join": [",", {"Ref": "Subnets"}]}, "s-1,s-2"),
        ({"Fn::Join": ["-", [True, 1, 2.5]]}, "true-1-2.5"),
        ({"Fn::Sub": ["${B}", {"B": False}]}, "false"),
        ({"Fn::Select": [1, ["a", "b", "c"]]}, "b"),
        ({"Fn::Select": ["0", {"Ref": "Subnets"}]}, "s-1"),
        ({"Fn::Split": [",", "a,b"]}, ["a", "b"]),
        ({"Fn::Select": [2, {"Fn::Split": ["/", "x/y/z"]}]}, "z"),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Max"]}, 16),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "AWS::Region"}, "Max"]}, 32),
        ({"Fn::FindInMap": ["Sizes", "dev", "Types"]}, ["m6i", "c6i"]),
        ({"Fn::FindInMap": ["Sizes", "prod", "Max", {"DefaultValue": 2}]}, 2),
        ({"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${Env}"}}, "#!/bin/bash\necho dev"),
        (
            "{{resolve:secretsmanager:db:SecretString:password}}",
            "{{resolve:secretsmanager:db:SecretString:password}}",
        ),
    ],
)
def test_functions_over_known_values(data: object, expected: object) -> None:
    node = value({"V": data}, **SECTIONS)
    assert node is not None and node.origin is Origin.SET, node
    assert node.plain() == expected


@pytest.mark.parametrize(
    ("data", "ref"),
    [
        ({"Fn::Sub": "${Role.Arn}"}, "Role"),
        ({"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${Role}"}, "Role"),
        ({"Fn::Sub": "${Role.Arn}/${Bucket}"}, None),
        ({"Fn::Sub": "${Free}"}, None),
        ({"Fn::Sub": ["${X}", {"X": {"Fn::GetAtt": ["Role", "Arn"]}}]}, "Role"),
        ({"Fn::Join": ["", [{"Fn::GetAtt": ["Role", "Arn"]}]]}, "Role"),
        ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::AccountId"}]]}, None),
        ({"Fn::Join": [",", {"Fn::GetAZs": ""}]}, None),
        ({"Fn::Select": [0, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}, None),
        ({"Fn::Select": [0, [{"Ref": "Role"}, "x"]]}, "Role"),
        ({"Fn::Select": [{"Ref": "Free"}, [{"Ref": "Role"}]]}, "Role"),
        ({"Fn::Select": [9, ["a"]]}, None),
        ({"Fn::Split": [",", {"Fn::ImportValue": "x"}]}, None),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Free"}, "Max"]}, None),
        ({"Fn::FindInMap": ["Sizes", "prod", "Max"]}, None),
        ({"Fn::Base64": {"Fn::Sub": "role=${Role}"}}, "Role"),
        ({"Fn::ImportValue": "shared-vpc"}, None),
        ({"Fn::GetAZs": ""}, None),
        ({"Fn::Cidr": [{"Fn::GetAtt": ["Role", "X"]}, 6, 8]}, None),
        ({"Fn::Transform": {"Name": "AWS::Include"}}, None),
        ({"Fn::Length": [1, 2]}, None),
        ({"Condition": "IsProd"}, None),
        ({"Ref": ["not", "a", "name"]}, None),
        ({"Fn::GetAtt": ["Nope", "Arn"]}, None),
        ({"Fn::If": ["only", "two"]}, None),
        ({"Fn::Sub": 42}, None),
        ({"Fn::Join": "bad"}, None),
        ({"Fn::Split": ["", "abc"]}, None),
    ],
)
def test_unknown_results_keep_a_single_edge(data: object, ref: str | None) -> None:
    node = value({"V": data}, **SECTIONS)
    assert node is not None and node.unknown, node
    assert node.ref == ref
    assert node.pointer.startswith("/Resources/R/Properties/V")  # Select keeps the element's


def test_an_unknown_function_is_unknown_and_a_meta_issue() -> None:
    resources = {"R": {"Type": "AWS::Batch::JobDefinition", "Properties": {"V": {"Fn::Bogus": 1}}}}
    scope = scope_of({"Resources": resources})
    node = scope.by_address["R"].props.get("v")
    assert node is not None and node.unknown and node.ref is None
    issues = [(m.code, m.message, m.pointer) for m in scope.meta]
    assert issues == [
        (
            "BL-META-002",
            "unknown intrinsic function 'Fn::Bogus'; read as unknown",
            "/Resources/R/Properties/V",
        )
    ]


def test_circular_dependencies_are_a_meta_issue() -> None:
    queue = {"ComputeEnvironmentOrder": [{"Order": 1, "ComputeEnvironment": {"Ref": "Env"}}]}
    env = {"ServiceRole": {"Fn::Sub": "${Queue.JobQueueArn}"}}
    resources = {
        "Queue": {"Type": "AWS::Batch::JobQueue", "Properties": queue},
        "Env": {"Type": "AWS::Batch::ComputeEnvironment", "Properties": env},
        "Self": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Ref": "Self"}}},
        "Fine": {"Type": "AWS::IAM::Role", "Properties": {"Path": {"Ref": "Self"}}},
    }
    scope = scope_of({"Resources": resources})
    assert [(m.message, m.pointer) for m in scope.meta] == [
        (
            "circular dependency between resources Env, Queue: CloudFormation rejects the template",
            "/Resources/Env",
        ),
        (
            "resource Self refers to itself: CloudFormation rejects the template",
            "/Resources/Self",
        ),
    ]


def test_dicts_with_several_keys_are_data() -> None:
    node = value({"V": {"Ref": "Role", "Other": 1}}, **SECTIONS)
    assert known(node) == {"ref": "Role", "other": 1}


def test_computed_ref_name_is_resolved() -> None:
    node = value(
        {"V": {"Ref": {"Fn::Sub": "Ro${Suffix}"}}},
        Parameters={"Suffix": {"Type": "String", "Default": "le"}},
        Resources={"Role": {"Type": "AWS::IAM::Role"}},
    )
    assert node is not None and node.ref == "Role"


# -- Fn::ForEach (AWS::LanguageExtensions) ----------------------------------------------------


def test_for_each_expands_resources() -> None:
    scope = scope_of(
        {
            "Transform": "AWS::LanguageExtensions",
            "Parameters": {"Zones": {"Type": "CommaDelimitedList", "Default": "a,b"}},
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC"},
                "Fn::ForEach::Subnets": [
                    "Az",
                    {"Ref": "Zones"},
                    {
                        "Subnet${Az}": {
                            "Type": "AWS::EC2::Subnet",
                            "Properties": {
                                "VpcId": {"Ref": "Vpc"},
                                "AvailabilityZone": {"Fn::Sub": "${AWS::Region}${Az}"},
                                "Tags": [{"Key": "Zone", "Value": {"Ref": "Az"}}],
                            },
                        },
                        "Assoc&{Az}": {
                            "Type": "AWS::EC2::SubnetRouteTableAssociation",
                            "Properties": {"SubnetId": {"Ref": {"Fn::Sub": "Subnet${Az}"}}},
                        },
                    },
                ],
            },
        },
        region="eu-west-1",
    )
    assert not scope.meta
    assert sorted(scope.by_address) == ["Assoca", "Assocb", "Subneta", "Subnetb", "Vpc"]
    subnet = scope.by_address["Subnetb"]
    assert subnet.pointer == "/Resources/Fn::ForEach::Subnets/2/Subnet${Az}"
    assert known(subnet.props.get("availabilityZone")) == "eu-west-1b"
    assert known(subnet.props.get("tags", 0, "Value")) == "b"
    assert scope.deref(subnet.props.get("vpcId")) is scope.by_address["Vpc"]
    assoc = scope.by_address["Assocb"]
    assert scope.deref(assoc.props.get("subnetId")) is subnet


def test_for_each_with_unknown_collection_is_skipped_quietly() -> None:
    scope = scope_of(
        {
            "Parameters": {"Zones": {"Type": "CommaDelimitedList"}},
            "Resources": {
                "Fn::ForEach::Subnets": [
                    "Az",
                    {"Ref": "Zones"},
                    {"S${Az}": {"Type": "AWS::EC2::Subnet"}},
                ],
            },
        }
    )
    assert not scope.resources and not scope.meta


def test_malformed_for_each_is_a_meta_issue() -> None:
    scope = scope_of({"Resources": {"Fn::ForEach::Bad": {"Type": "AWS::EC2::Subnet"}}})
    assert [m.pointer for m in scope.meta] == ["/Resources/Fn::ForEach::Bad"]


# -- malformed templates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ({"Resources": ["a", "b"]}, "/Resources"),
        ({"AWSTemplateFormatVersion": "2010-09-09"}, "/Resources"),
        ({"Resources": {"X": "text"}}, "/Resources/X"),
        ({"Resources": {"X": {"Properties": {}}}}, "/Resources/X"),
        ({"Resources": {"X": {"Type": ["AWS::IAM::Role"]}}}, "/Resources/X"),
        (
            {"Resources": {"X": {"Type": "AWS::IAM::Role", "Properties": "text"}}},
            "/Resources/X/Properties",
        ),
        (
            {"Resources": {"X": {"Type": "AWS::IAM::Role", "Properties": [1]}}},
            "/Resources/X/Properties",
        ),
    ],
)
def test_malformed_shapes_are_meta_issues(doc: dict[str, Any], pointer: str) -> None:
    scope = scope_of(doc)
    assert [(m.code, m.pointer) for m in scope.meta] == [("BL-META-002", pointer)]
    assert not scope.resources


def test_template_that_is_not_a_mapping() -> None:
    scope = Scope("t.yaml", "cloudformation")
    build(["not", "a", "template"], scope, "us-east-1")  # type: ignore[arg-type]
    assert [m.code for m in scope.meta] == ["BL-META-002"]


def test_odd_values_never_raise() -> None:
    resource = one(
        {
            "A": {"Fn::Select": [{"Ref": "AWS::NoValue"}, None]},
            "B": {"Fn::FindInMap": [None, 1, 2.5]},
            "C": {"Fn::Sub": ["${x", {"x": 1}]},
            "D": {1: "int key", "k": object()},
            "E": {"Fn::Join": [{"Ref": "AWS::NoValue"}, [True]]},
            "F": {"Fn::If": [None, {"Fn::If": ["c", 1, 2]}, {}]},
            "G": {"Ref": "AWS::NoValue", "X": 1},
        },
        Mappings=["not", "a", "mapping"],
        Parameters="nope",
    )
    assert resource.props.get("a").unknown  # type: ignore[union-attr]
    assert resource.props.get("c").text() == "${x"  # type: ignore[union-attr]
    assert resource.props.get("d", "1").text() == "int key"  # type: ignore[union-attr]


def test_deep_nesting_reads_as_unknown_instead_of_overflowing() -> None:
    deep: Any = "leaf"
    for _ in range(5000):
        deep = {"Fn::Join": ["", [deep]]}
    wide: Any = "leaf"
    for _ in range(5000):
        wide = {"Nested": [wide]}
    scope = scope_of(
        {
            "Resources": {
                "A": {"Type": "AWS::IAM::Role", "Properties": {"V": deep}},
                "B": {"Type": "AWS::IAM::Role", "Properties": {"V": wide}},
            }
        }
    )
    assert set(scope.by_address) == {"A", "B"}
    assert [m.code for m in scope.meta] == ["BL-META-002"]
    assert scope.by_address["A"].props.get("v").unknown  # type: ignore[union-attr]


def test_self_referencing_data_does_not_loop() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["Again"] = cyclic
    scope = scope_of({"Resources": {"A": {"Type": "AWS::IAM::Role", "Properties": cyclic}}})
    assert "A" in scope.by_address and scope.meta


# -- SAM and CDK ------------------------------------------------------------------------------


def test_sam_template_fixture() -> None:
    doc = parse_file(HERE / "sam_template.yaml")
    scope = scope_of(doc, "eu-central-1")
    assert not scope.meta
    assert sorted(r.kind.value for r in scope.resources) == [
        "compute_environment",
        "iam_role",
        "job_definition",
        "job_queue",
        "security_group",
    ]
    ce = scope.by_address["ComputeEnvironment"]
    assert ce.name is None  # AWS::StackName is unknown
    assert known(ce.props.get("computeResources", "subnets")) == [
        "subnet-aaaa1111",
        "subnet-bbbb2222",
    ]
    compute_type = ce.props.get("computeResources", "type")
    assert compute_type is not None and [o.raw for o in compute_type.outcomes() if o] == [
        "FARGATE",
        "FARGATE_SPOT",
    ]
    group = scope.deref(ce.props.get("computeResources", "securityGroupIds", 0))
    assert group is scope.by_address["JobSecurityGroup"] and group.name == "batch-jobs-dev"
    queue = scope.by_address["JobQueue"]
    assert queue.name == "dev-queue"
    assert scope.deref(queue.props.get("computeEnvironmentOrder", 0, "computeEnvironment")) is ce
    jd = scope.by_address["JobDefinition"]
    assert known(jd.props.get("parameters")) == {"InputKey": "default.json"}
    container = jd.props.get("containerProperties")
    assert container is not None
    assert container.get("image").unknown  # type: ignore[union-attr]
    assert scope.deref(container.get("jobRoleArn")) is scope.by_address["JobRole"]
    assert scope.deref(container.get("executionRoleArn")) is scope.by_address["JobRole"]
    assert known(container.get("logConfiguration", "options")) == {
        "awslogs-stream-prefix": "worker"
    }
    resource = scope.by_address["JobRole"].props.get(
        "policies", 0, "policyDocument", "Statement", 0, "Resource"
    )
    assert known(resource) == "arn:aws:s3:::inputs-dev/*"


def test_cdk_json_fixture() -> None:
    doc = json.loads((HERE / "cdk_stack.template.json").read_text())
    scope = scope_of(doc)
    assert not scope.meta
    assert "CDKMetadata" not in scope.by_address
    role = scope.by_address["InstanceRole3CCE2F1D"]
    assert known(role.props.get("managedPolicyArns")) == [
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    ]
    ce = scope.by_address["SpotCE1A2B3C4D"]
    profile = scope.deref(ce.props.get("computeResources", "instanceRole"))
    assert profile is scope.by_address["InstanceProfile9F2F41CB"]
    assert scope.deref(profile.props.get("roles", 0)) is role
    queue = scope.by_address["QueueF2A9B8C7"]
    assert scope.deref_all(queue.props.get("computeEnvironmentOrder", 0, "computeEnvironment")) == [
        ce
    ]


# -- the real-world corpus --------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_templates_build_without_exceptions() -> None:
    total_batch = 0
    elapsed = 0.0
    for path in sorted(CORPUS.iterdir()):
        doc = parse_file(path)
        scope = Scope(path.name, "cloudformation")
        started = time.perf_counter()
        build(doc, scope, "us-east-1")
        elapsed += time.perf_counter() - started
        total_batch += sum(1 for r in scope.resources if r.kind is Kind.JOB_DEFINITION)
        assert not scope.meta, (path.name, [(m.message, m.pointer) for m in scope.meta])
        for resource in scope.resources:
            for node in resource.props.walk():
                assert node.pointer.startswith(resource.pointer), (path.name, node)
    assert total_batch > 50
    assert elapsed < 0.5  # build alone, for ~60 templates; parsing dominates


@pytest.mark.parametrize(
    ("written", "pattern"),
    [
        ({"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/batch"}, "arn:aws:iam::*:role/batch"),
        (
            {"Fn::Sub": "{{resolve:secretsmanager:${S}:SecretString}}"},
            "{{resolve:secretsmanager:*:SecretString}}",
        ),
        ({"Fn::Sub": "${AWS::AccountId}${AWS::StackName}-x"}, "*-x"),  # one * for a run
        ({"Fn::Join": ["/", ["a", {"Ref": "S"}, "b"]]}, "a/*/b"),
        ({"Fn::Sub": ["p-${X}", {"X": {"Ref": "S"}}]}, "p-*"),
    ],
)
def test_a_partly_known_string_keeps_its_written_parts_as_a_pattern(
    written: dict[str, Any], pattern: str
) -> None:
    node = value({"V": written}, Resources={"S": {"Type": "AWS::SecretsManager::Secret"}})
    assert node is not None and node.unknown and node.pattern == pattern
