"""batchlint.launch_templates: which launch template data a compute environment uses."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.launch_templates import custom_image, launch_templates_of, template_data
from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.sources import load_text

from .rules.model_builders import Ref, Unknown, add

DATA = {"MetadataOptions": {"HttpTokens": "optional"}}


def environment(scope: Scope, spec: Any, address: str = "Ce", **resources: Any) -> Resource:
    body = {"type": "EC2", "maxvCpus": 4, "launchTemplate": spec, **resources}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, address, {"computeResources": body})


def cfn_scope() -> Scope:
    """A CloudFormation-like scope: templates record no version numbers."""
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.LAUNCH_TEMPLATE, "Lt", {"launchTemplateData": DATA}, name="batch-lt")
    add(scope, Kind.LAUNCH_TEMPLATE, "Other", {"launchTemplateData": {}})
    return scope


def used(scope: Scope, spec: Any, **resources: Any) -> list[str]:
    ce = environment(scope, spec, **resources)
    return [u.template.address for u in launch_templates_of(scope, ce)]


def if_node(*alts: Node | None) -> Node:
    return Node(None, Origin.UNKNOWN, "/If", alts=alts)


# -- versions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version",
    [
        None,
        "$Default",
        "$Latest",
        " $latest ",
        Ref("Lt"),  # !GetAtt Lt.LatestVersionNumber / DefaultVersionNumber
        1,  # the version the stack creates, which CloudFormation keeps the default
        "1",
    ],
)
def test_versions_that_name_the_declared_data(version: Any) -> None:
    spec = {"launchTemplateId": Ref("Lt")}
    if version is not None:
        spec["version"] = version
    assert used(cfn_scope(), spec) == ["Lt"]


@pytest.mark.parametrize("version", [2, "3", Ref("Other"), Unknown(), "latest", True])
def test_versions_the_scan_cannot_see(version: Any) -> None:
    assert used(cfn_scope(), {"launchTemplateId": Ref("Lt"), "version": version}) == []


def with_version(scope: Scope, version: Node, address: str) -> list[str]:
    ce = environment(scope, {"launchTemplateId": Ref("Lt")}, address=address)
    ce.props.get("computeResources", "launchTemplate").entries()["version"] = version  # type: ignore[union-attr]
    return [u.template.address for u in launch_templates_of(scope, ce)]


def test_conditional_version_needs_every_branch() -> None:
    scope = cfn_scope()
    latest = Node("$Latest", pointer="/a")
    ref = Node(None, Origin.UNKNOWN, "/b", ref="Lt")  # !GetAtt Lt.LatestVersionNumber
    old = Node("2", pointer="/c")
    other = Node(None, Origin.UNKNOWN, "/d", ref="Other")
    assert with_version(scope, if_node(latest, ref), "A") == ["Lt"]
    assert with_version(scope, if_node(latest, None), "B") == ["Lt"]  # AWS::NoValue: $Default
    assert with_version(scope, if_node(latest, if_node(ref, latest)), "C") == ["Lt"]
    assert with_version(scope, if_node(latest, old), "D") == []
    assert with_version(scope, if_node(ref, other), "E") == []


def terraform_scope(**template: Any) -> Scope:
    scope = Scope("plan.json", "terraform-plan")
    body = {"launchTemplateName": "batch-lt", "launchTemplateData": DATA, **template}
    add(scope, Kind.LAUNCH_TEMPLATE, "aws_launch_template.lt", body, name="batch-lt")
    return scope


def test_numbers_compare_with_the_known_latest_version() -> None:
    scope = terraform_scope(id="lt-0123456789abcdef0", latestVersion=4, defaultVersion=1)
    spec = {"launchTemplateId": Ref("aws_launch_template.lt")}
    assert used(scope, {**spec, "version": "4"}) == ["aws_launch_template.lt"]
    assert used(scope, {**spec, "version": 4}) == ["aws_launch_template.lt"]
    assert used(scope, {**spec, "version": "1"}) == []  # the default, an older version
    assert used(scope, {**spec, "version": "$Latest"}) == ["aws_launch_template.lt"]


@pytest.mark.parametrize(
    ("latest", "default", "expected"),
    [
        (4, 4, True),  # update_default_version keeps them together
        (4, 1, False),  # the default stayed at version 1
        (Unknown(), 1, False),  # an update makes a new version; the default stays
        (Unknown(), Unknown(), True),  # created, or moved along by update_default_version
        (None, None, True),  # no version numbers: CloudFormation
    ],
)
def test_default_version_is_the_declared_data_unless_it_lags(
    latest: Any, default: Any, expected: bool
) -> None:
    numbers = {k: v for k, v in (("latestVersion", latest), ("defaultVersion", default)) if v}
    scope = terraform_scope(id="lt-0123456789abcdef0", **numbers)
    spec = {"launchTemplateId": Ref("aws_launch_template.lt")}
    want = ["aws_launch_template.lt"] if expected else []
    assert used(scope, spec) == want
    assert used(scope, {**spec, "version": "$Default"}) == want


def test_version_one_of_a_template_the_plan_creates() -> None:
    created = terraform_scope(id=Unknown(), latestVersion=Unknown())
    spec = {"launchTemplateId": Ref("aws_launch_template.lt"), "version": "1"}
    assert used(created, spec) == ["aws_launch_template.lt"]
    updated = terraform_scope(id="lt-0123456789abcdef0", latestVersion=Unknown())
    assert used(updated, spec) == []  # the update makes a new version, number unknown
    assert used(updated, {**spec, "version": "$Latest"}) == ["aws_launch_template.lt"]


# -- which templates -------------------------------------------------------------------------


def test_templates_by_literal_name_and_id() -> None:
    scope = terraform_scope(id="lt-0123456789abcdef0")
    scope.resources[0].arn = None
    assert used(scope, {"launchTemplateName": "batch-lt"}) == ["aws_launch_template.lt"]
    assert used(scope, {"launchTemplateName": "elsewhere"}) == []
    assert used(scope, {"launchTemplateId": "lt-0fedcba9876543210"}) == []
    assert used(scope, {"launchTemplateName": Unknown()}) == []


def test_overrides_follow_the_main_template_once_each() -> None:
    scope = cfn_scope()
    spec = {
        "launchTemplateId": Ref("Lt"),
        "overrides": [
            {"launchTemplateId": Ref("Other"), "targetInstanceTypes": ["p4d"]},
            {"launchTemplateName": "batch-lt", "targetInstanceTypes": ["g5"]},
            {"launchTemplateId": Ref("Other"), "version": "7"},
        ],
    }
    ce = environment(scope, spec)
    found = launch_templates_of(scope, ce)
    assert [u.template.address for u in found] == ["Lt", "Other"]
    assert found[1].spec is ce.props.get("computeResources", "launchTemplate", "overrides", 0)
    assert launch_templates_of(scope, ce) is found  # worked out once per scope


def test_only_overrides_can_name_a_template() -> None:
    scope = cfn_scope()
    spec = {"launchTemplateId": "lt-external", "overrides": [{"launchTemplateId": Ref("Other")}]}
    assert used(scope, spec) == ["Other"]


@pytest.mark.parametrize("kind", ["FARGATE", "fargate_spot"])
def test_fargate_takes_no_launch_template(kind: str) -> None:
    assert used(cfn_scope(), {"launchTemplateId": Ref("Lt")}, type=kind) == []


@pytest.mark.parametrize(
    "spec", [Unknown(), Ref("Lt"), "lt-0123", [{"launchTemplateId": Ref("Lt")}], None]
)
def test_odd_shapes_give_nothing(spec: Any) -> None:
    assert used(cfn_scope(), spec) == []


def test_no_compute_resources() -> None:
    scope = cfn_scope()
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    assert launch_templates_of(scope, ce) == []
    ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Odd", {"computeResources": Unknown()})
    assert launch_templates_of(scope, ce) == []


def test_template_without_data_reads_as_empty() -> None:
    scope = cfn_scope()
    bare = add(scope, Kind.LAUNCH_TEMPLATE, "Bare", {"launchTemplateName": "bare"})
    data = template_data(bare)
    assert data.known and data.entries() == {} and data.pointer == bare.props.pointer
    found = launch_templates_of(scope, environment(scope, {"launchTemplateId": Ref("Bare")}, "B"))
    assert found[0].data.entries() == {}


# -- custom AMIs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "resources", "expected"),
    [
        ({}, {}, False),
        ({}, {"ec2Configuration": [{"imageType": "ECS_AL2"}]}, False),
        ({"ImageId": "ami-0123"}, {}, True),
        ({"ImageId": Unknown()}, {}, True),
        ({}, {"imageId": "ami-0123"}, True),
        ({}, {"ec2Configuration": [{"imageType": "ECS_AL2", "imageIdOverride": "ami-1"}]}, True),
        ({}, {"ec2Configuration": Unknown()}, True),
        ({}, {"ec2Configuration": [Unknown()]}, True),
    ],
)
def test_custom_image(data: dict[str, Any], resources: dict[str, Any], expected: bool) -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.LAUNCH_TEMPLATE, "Lt", {"launchTemplateData": data})
    ce = environment(scope, {"launchTemplateId": Ref("Lt")}, **resources)
    (found,) = launch_templates_of(scope, ce)
    assert custom_image(ce, found) is expected


# -- from the sources ------------------------------------------------------------------------


def test_cloudformation_get_att_of_either_version_number() -> None:
    text = """
Resources:
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: optional}
  Latest:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        MaxvCpus: 4
        Subnets: [subnet-1]
        LaunchTemplate:
          LaunchTemplateId: !GetAtt Lt.LaunchTemplateId
          Version: !GetAtt Lt.LatestVersionNumber
  Default:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        MaxvCpus: 4
        Subnets: [subnet-1]
        LaunchTemplate:
          LaunchTemplateId: !Ref Lt
          Version: !GetAtt Lt.DefaultVersionNumber
"""
    (scope,) = load_text(text, "t.yaml", "us-east-1")
    assert isinstance(scope, Scope)
    for address in ("Latest", "Default"):
        (found,) = launch_templates_of(scope, scope.by_address[address])
        tokens = found.data.get("MetadataOptions", "HttpTokens")
        assert found.template.address == "Lt" and tokens is not None
        assert tokens.text() == "optional"
