"""The collector against moto in-process: what it reads, what it reads once, how it fails.

Tests that only read share one account (``TestSmallAccount``, built once: moto is slow to
build); tests that change the account build their own.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

from batchlint.aws import session as aws_session
from batchlint.aws.accounts import AccountSpec
from batchlint.aws.collector import REGION_DOWN, Collected, CollectOptions, _job_role_arns, collect
from batchlint.aws.errors import AwsError
from batchlint.aws.readonly import actions
from batchlint.snapshot import REDACTED_PREFIX, Snapshot, dump

ACCOUNT = "123456789012"
REGIONS = ["eu-west-1", "us-east-1"]
SECRET = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key: the detector flags it
PASSWORD = "hunter2-correct-horse"
AWS_MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


@contextmanager
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials, no profile or endpoint from the machine, moto for every call."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/batchlint-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/batchlint-test-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with mock_aws():
        yield


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fake_aws(monkeypatch):
        yield


# -- a small account --------------------------------------------------------------------------

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "batch.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
S3_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


@dataclass
class Small:
    roles: dict[str, str]  # name -> ARN
    profile_arn: str
    policy_arn: str
    subnets: dict[str, list[str]]  # region -> [public, private]
    groups: dict[str, list[str]]  # region -> [CE group, launch template group]
    vpcs: dict[str, str]


def _role(iam: Any, name: str, path: str = "/") -> str:
    created = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST))
    return str(created["Role"]["Arn"])


def build_small(regions: list[str] = REGIONS, revisions: int = 3) -> Small:
    """IAM, then per Region a VPC, a compute environment (instance profile, subnets, security
    group, launch template), a queue with a scheduling policy and ``revisions`` revisions of a
    job definition with credentials in its environment."""
    iam = boto3.client("iam", region_name="us-east-1")
    roles = {
        "batch-service": _role(iam, "batch-service", "/service-role/"),
        "ecs-instance": _role(iam, "ecs-instance"),
        "job-role": _role(iam, "job-role"),
        "exec-role": _role(iam, "exec-role"),
        "unused-role": _role(iam, "unused-role"),
    }
    iam.put_role_policy(RoleName="job-role", PolicyName="s3-all", PolicyDocument=json.dumps(S3_ALL))
    policy = iam.create_policy(PolicyName="job-extra", PolicyDocument=json.dumps(S3_ALL))
    policy_arn = policy["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="job-role", PolicyArn=policy_arn)
    profile = iam.create_instance_profile(InstanceProfileName="ecs-instance-profile")
    iam.add_role_to_instance_profile(
        InstanceProfileName="ecs-instance-profile", RoleName="ecs-instance"
    )
    small = Small(roles, profile["InstanceProfile"]["Arn"], policy_arn, {}, {}, {})
    for region in regions:
        _region(small, region, revisions)
    return small


def _region(small: Small, region: str, revisions: int) -> None:
    ec2 = boto3.client("ec2", region_name=region)
    batch = boto3.client("batch", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    ce_group = ec2.create_security_group(GroupName="batch", Description="ce", VpcId=vpc)["GroupId"]
    lt_group = ec2.create_security_group(GroupName="lt", Description="lt", VpcId=vpc)["GroupId"]
    ec2.create_security_group(GroupName="unrelated", Description="not used", VpcId=vpc)
    ec2.create_launch_template(
        LaunchTemplateName="batch-lt",
        LaunchTemplateData={
            "MetadataOptions": {"HttpTokens": "optional"},
            "NetworkInterfaces": [{"DeviceIndex": 0, "Groups": [lt_group]}],
        },
    )
    small.subnets[region] = [public, private]
    small.groups[region] = [ce_group, lt_group]
    small.vpcs[region] = vpc
    ce = batch.create_compute_environment(
        computeEnvironmentName="managed",
        type="MANAGED",
        state="ENABLED",
        serviceRole=small.roles["batch-service"],
        computeResources={
            "type": "EC2",
            "minvCpus": 0,
            "maxvCpus": 16,
            "instanceTypes": ["m5.large"],
            "subnets": [public, private],
            "securityGroupIds": [ce_group],
            "instanceRole": small.profile_arn,
            "launchTemplate": {"launchTemplateName": "batch-lt"},
        },
    )["computeEnvironmentArn"]
    fair = batch.create_scheduling_policy(name="fair", fairsharePolicy={"shareDecaySeconds": 60})
    batch.create_job_queue(
        jobQueueName="queue",
        state="ENABLED",
        priority=1,
        schedulingPolicyArn=fair["arn"],
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
    )
    for revision in range(revisions):
        batch.register_job_definition(
            jobDefinitionName="train",
            type="container",
            containerProperties={
                "image": f"busybox:{revision}",
                "vcpus": 1,
                "memory": 512,
                "jobRoleArn": small.roles["job-role"],
                "executionRoleArn": small.roles["exec-role"],
                "environment": [
                    {"name": "AWS_ACCESS_KEY_ID", "value": SECRET},
                    {"name": "DB_PASSWORD", "value": PASSWORD},
                    {"name": "MODE", "value": "fast"},
                ],
            },
        )


def run(regions: list[str] = REGIONS, **options: Any) -> Collected:
    hooks = options.pop("hooks", None)
    return collect(CollectOptions(regions=regions, **options), hooks=hooks)


def only_account(collected: Collected) -> Any:
    assert len(collected.snapshot.accounts) == 1
    return collected.snapshot.accounts[0]


def by_region(collected: Collected) -> dict[str, Any]:
    return {r.region: r for r in only_account(collected).regions}


# -- hooks that make AWS answer otherwise -------------------------------------------------------

Hook = Callable[[Any], None]


def raise_on(
    operation: str, code: str, when: Callable[[dict[str, Any]], bool] | None = None
) -> Hook:
    """``operation`` fails with ``code`` (when ``when`` says so of its arguments), as AWS
    answers after botocore's retries."""

    def hook(core: Any) -> None:
        def fail(model: Any, params: dict[str, Any], **_: Any) -> None:
            if model.name == operation and (when is None or when(params)):
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": code, "Message": f"not allowed:\n  {operation}"}},
                    operation,
                )

        core.register("before-parameter-build", fail)  # params: the call's arguments

    return hook


def fail_region(region: str, exc: Exception) -> Hook:
    """Every Batch and EC2 call in ``region`` raises ``exc``."""

    def hook(core: Any) -> None:
        def fail(model: Any, request_signer: Any, **_: Any) -> None:
            service = model.service_model.signing_name
            if service in ("batch", "ec2") and request_signer._region_name == region:
                raise exc

        core.register("before-call", fail)

    return hook


def answer(operation: str, parsed: dict[str, Any]) -> Hook:
    """AWS answers ``operation`` with ``parsed`` (moto leaves out nodeProperties and
    ecsProperties of job definitions)."""

    def hook(core: Any) -> None:
        def respond(model: Any, **_: Any) -> Any:
            if model.name == operation:
                return SimpleNamespace(status_code=200, headers={}), dict(parsed)
            return None

        core.register("before-call", respond)

    return hook


def also_attached(role: str, policy_arn: str) -> Hook:
    """ListAttachedRolePolicies of ``role`` also lists ``policy_arn`` (moto loads AWS managed
    policies only on request, and slowly)."""

    def hook(core: Any) -> None:
        def add(model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            if model.name == "ListAttachedRolePolicies" and context.get("role") == role:
                parsed.setdefault("AttachedPolicies", []).append(
                    {"PolicyName": policy_arn.rsplit("/", 1)[-1], "PolicyArn": policy_arn}
                )

        def remember(model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["role"] = params.get("RoleName")

        core.register("before-parameter-build", remember)
        core.register("after-call", add)

    return hook


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# -- reading one shared account ------------------------------------------------------------------


@pytest.fixture(scope="class")
def small() -> Iterator[Small]:
    with pytest.MonkeyPatch.context() as monkeypatch, fake_aws(monkeypatch):
        yield build_small()


@pytest.mark.usefixtures("small")
class TestSmallAccount:
    def test_reads_what_batch_uses(self, small: Small) -> None:
        collected = run(hooks=also_attached("ecs-instance", AWS_MANAGED))
        snapshot = collected.snapshot
        assert snapshot.generator.startswith("batchlint ")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", snapshot.capturedAt)
        account = only_account(collected)
        assert (account.accountId, account.partition, account.errors) == (ACCOUNT, "aws", [])
        assert sorted(by_region(collected)) == REGIONS
        for name, region in by_region(collected).items():
            assert region.errors == []
            assert [ce["computeEnvironmentName"] for ce in region.computeEnvironments] == [
                "managed"
            ]
            assert [q["jobQueueName"] for q in region.jobQueues] == ["queue"]
            assert [p["name"] for p in region.schedulingPolicies] == ["fair"]
            # the latest ACTIVE revision only
            assert [(d["jobDefinitionName"], d["revision"]) for d in region.jobDefinitions] == [
                ("train", 3)
            ]
            assert {s["SubnetId"] for s in region.subnets} == set(small.subnets[name])
            assert [v["VpcId"] for v in region.vpcs] == [small.vpcs[name]]
            # every route table of the VPC, the main one (no explicit association) included
            main = [t for t in region.routeTables if any(a.get("Main") for a in t["Associations"])]
            assert len(region.routeTables) == 2 and len(main) == 1
            attached = [g["Attachments"][0]["VpcId"] for g in region.internetGateways]
            assert attached == [small.vpcs[name]]
            # the CE's group and the one the launch template's interface names, not the others
            assert {g["GroupId"] for g in region.securityGroups} == set(small.groups[name])
            versions = [
                (t["LaunchTemplateName"], t["VersionNumber"]) for t in region.launchTemplates
            ]
            assert versions == [("batch-lt", 1)]
            assert "ResponseMetadata" not in json.dumps(region.computeEnvironments, default=str)
        iam = account.iam
        assert sorted(r["RoleName"] for r in iam.roles) == [
            "batch-service",
            "ecs-instance",
            "exec-role",
            "job-role",
        ]
        job_role = next(r for r in iam.roles if r["RoleName"] == "job-role")
        assert job_role["RolePolicyList"] == [{"PolicyName": "s3-all", "PolicyDocument": S3_ALL}]
        assert job_role["AttachedManagedPolicies"] == [
            {"PolicyName": "job-extra", "PolicyArn": small.policy_arn}
        ]
        assert job_role["AssumeRolePolicyDocument"] == TRUST
        instance_role = next(r for r in iam.roles if r["RoleName"] == "ecs-instance")
        assert [p["PolicyArn"] for p in instance_role["AttachedManagedPolicies"]] == [AWS_MANAGED]
        # customer managed policies with their default version; AWS managed ones by ARN only
        assert [(p["Arn"], p["Document"]) for p in iam.policies] == [(small.policy_arn, S3_ALL)]
        assert [p["InstanceProfileName"] for p in iam.instanceProfiles] == ["ecs-instance-profile"]
        Snapshot.model_validate_json(dump(snapshot))  # what it writes, it reads

    def test_an_empty_region_costs_no_ec2_or_iam_call(self) -> None:
        collected = run(["ap-south-1"])
        region = by_region(collected)["ap-south-1"]
        assert region.computeEnvironments == region.subnets == region.errors == []
        assert {op.split(":")[0] for op in collected.operations} == {"batch", "sts"}

    def test_shared_resources_are_read_once(self) -> None:
        collected = run()
        ops = collected.operations
        # IAM is global: once per account, however many Regions use a role
        assert ops["iam:GetRole"] == 4
        assert ops["iam:GetInstanceProfile"] == 1
        assert ops["iam:GetPolicy"] == ops["iam:GetPolicyVersion"] == 1
        assert ops["sts:GetCallerIdentity"] == 1
        # EC2: one filtered call per kind and Region, not one per resource
        for operation in ("DescribeSubnets", "DescribeSecurityGroups", "DescribeRouteTables"):
            assert ops[f"ec2:{operation}"] == len(REGIONS), operation
        assert ops["ec2:DescribeLaunchTemplateVersions"] == len(REGIONS)
        assert collected.api_calls == sum(ops.values()) > 20
        assert collected.seconds > 0

    def test_every_operation_called_is_in_the_allowlist(self) -> None:
        spec = AccountSpec(role_arn=f"arn:aws:iam::{ACCOUNT}:role/audit")
        called = set(run(accounts=[spec]).operations) | set(run([], all_regions=True).operations)
        assert {"sts:AssumeRole", "ec2:DescribeRegions", "iam:GetPolicyVersion"} <= called
        assert called <= set(actions())

    def test_credentials_in_environments_never_reach_the_snapshot(self) -> None:
        for all_revisions, replaced in ((False, 2), (True, 6)):
            text = dump(run(["us-east-1"], all_revisions=all_revisions).snapshot)
            assert SECRET not in text and PASSWORD not in text
            assert text.count(REDACTED_PREFIX) == replaced
            assert '"value": "fast"' in text  # what is not a credential stays

    # -- failures --

    def test_access_denied_on_one_operation_is_recorded_and_the_rest_read(self) -> None:
        collected = run(hooks=raise_on("DescribeJobQueues", "AccessDeniedException"))
        for region in by_region(collected).values():
            assert [(e.operation, e.code, e.message) for e in region.errors] == [
                (
                    "batch:DescribeJobQueues",
                    "AccessDeniedException",
                    "not allowed: DescribeJobQueues",
                )
            ]
            assert region.jobQueues == []
            assert len(region.computeEnvironments) == len(region.jobDefinitions) == 1
            assert region.subnets and region.securityGroups
        assert len(only_account(collected).iam.roles) == 4

    def test_access_denied_on_one_role_is_an_account_error(self) -> None:
        denied = raise_on("GetRole", "AccessDenied", lambda p: p.get("RoleName") == "exec-role")
        collected = run(["us-east-1"], hooks=denied)
        account = only_account(collected)
        assert [(e.operation, e.code, e.resource) for e in account.errors] == [
            ("iam:GetRole", "AccessDenied", "exec-role")
        ]
        assert by_region(collected)["us-east-1"].errors == []
        roles = sorted(r["RoleName"] for r in account.iam.roles)
        assert roles == ["batch-service", "ecs-instance", "job-role"]

    def test_inline_policies_denied_keep_the_role_without_them(self) -> None:
        account = only_account(
            run(["us-east-1"], hooks=raise_on("ListRolePolicies", "AccessDenied"))
        )
        assert {e.operation for e in account.errors} == {"iam:ListRolePolicies"}
        job_role = next(r for r in account.iam.roles if r["RoleName"] == "job-role")
        assert "RolePolicyList" not in job_role  # unknown, not "none"
        assert job_role["AttachedManagedPolicies"]

    def test_an_unreachable_region_is_one_error_and_the_others_are_read(self) -> None:
        down = botocore.exceptions.EndpointConnectionError(endpoint_url="https://batch.eu-west-1")
        collected = run(hooks=fail_region("eu-west-1", down))
        regions = by_region(collected)
        assert [(e.operation, e.code) for e in regions["eu-west-1"].errors] == [
            ("batch:DescribeComputeEnvironments", "EndpointError")
        ]
        assert regions["eu-west-1"].computeEnvironments == []
        assert regions["us-east-1"].errors == [] and regions["us-east-1"].computeEnvironments
        assert len(only_account(collected).iam.roles) == 4  # us-east-1's references

    @pytest.mark.parametrize("code", sorted(REGION_DOWN - {"EndpointError"}))
    def test_a_region_not_enabled_is_given_up_at_once(self, code: str) -> None:
        error = botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "no"}}, "X")
        collected = run(hooks=fail_region("eu-west-1", error))
        assert [e.code for e in by_region(collected)["eu-west-1"].errors] == [code]
        assert collected.operations["batch:DescribeJobQueues"] == 1  # us-east-1 only

    def test_persistent_throttling_is_recorded(self) -> None:
        collected = run(["us-east-1"], hooks=raise_on("DescribeSubnets", "Throttling"))
        region = by_region(collected)["us-east-1"]
        assert [(e.operation, e.code) for e in region.errors] == [
            ("ec2:DescribeSubnets", "Throttling")
        ]
        assert region.subnets == [] and region.securityGroups  # no NotFound guessed from it

    # -- accounts and Regions --

    def test_accounts_are_assumed_and_a_failed_one_keeps_its_error(self) -> None:
        good = AccountSpec(role_arn=f"arn:aws:iam::{ACCOUNT}:role/audit", name="prod")
        bad = AccountSpec(role_arn="arn:aws:iam::222222222222:role/audit", external_id="xyz")
        refused = raise_on("AssumeRole", "AccessDenied", lambda p: "2222" in p.get("RoleArn", ""))
        snapshot = run(["us-east-1"], accounts=[good, bad], hooks=refused).snapshot
        accounts = {a.accountId: a for a in snapshot.accounts}
        assert sorted(accounts) == [ACCOUNT, "222222222222"]
        failed = accounts["222222222222"]
        assert failed.regions == []
        assert [(e.operation, e.code, e.resource) for e in failed.errors] == [
            ("sts:AssumeRole", "AccessDenied", bad.role_arn)
        ]
        assert accounts[ACCOUNT].errors == []
        assert accounts[ACCOUNT].regions[0].computeEnvironments

    def test_assume_role_sends_the_session_name_and_external_id(self) -> None:
        seen: list[dict[str, Any]] = []

        def hook(core: Any) -> None:
            def record(model: Any, params: dict[str, Any], **_: Any) -> None:
                if model.name == "AssumeRole":
                    seen.append(dict(params))

            core.register("before-parameter-build", record)

        arn = f"arn:aws:iam::{ACCOUNT}:role/audit"
        run(["us-east-1"], role_arn=arn, external_id="ext-123", hooks=hook)
        assert seen == [
            {"RoleArn": arn, "RoleSessionName": "batchlint-audit", "ExternalId": "ext-123"}
        ]

    def test_an_accounts_regions_override_the_options(self) -> None:
        spec = AccountSpec(role_arn=f"arn:aws:iam::{ACCOUNT}:role/audit", regions=["eu-west-1"])
        account = only_account(run(["us-east-1"], accounts=[spec]))
        assert [r.region for r in account.regions] == ["eu-west-1"]

    def test_all_regions_reads_the_enabled_ones(self) -> None:
        collected = run([], all_regions=True)
        regions = [r.region for r in only_account(collected).regions]
        assert {"us-east-1", "eu-west-1"} <= set(regions) and regions == sorted(regions)
        assert collected.operations["ec2:DescribeRegions"] == 1

    # -- progress and determinism --

    def test_progress_is_drawn_on_a_terminal_and_cleared(self) -> None:
        terminal = _Terminal()
        run(progress=terminal)
        text = terminal.getvalue()
        assert "reading 2/2 regions…" in text
        assert text.endswith("\r") and text.rsplit("\r", 2)[-2].strip() == ""

    def test_no_progress_when_quiet_or_not_a_terminal(self) -> None:
        terminal, pipe = _Terminal(), io.StringIO()
        run(["us-east-1"], progress=terminal, quiet=True)
        run(["us-east-1"], progress=pipe)
        assert terminal.getvalue() == pipe.getvalue() == ""

    def test_the_snapshot_does_not_depend_on_threads(self) -> None:
        texts = set()
        for workers in (1, 8):
            snapshot = run(max_workers=workers).snapshot
            snapshot.capturedAt = ""
            texts.add(dump(snapshot))
        assert len(texts) == 1


# -- accounts changed by the test ----------------------------------------------------------------


def test_all_revisions_reads_every_active_revision(aws_env: None) -> None:
    build_small(["us-east-1"])
    boto3.client("batch", region_name="us-east-1").deregister_job_definition(
        jobDefinition=f"arn:aws:batch:us-east-1:{ACCOUNT}:job-definition/train:2"
    )
    region = by_region(run(["us-east-1"], all_revisions=True))["us-east-1"]
    assert sorted(d["revision"] for d in region.jobDefinitions) == [1, 3]
    assert all(d["status"] == "ACTIVE" for d in region.jobDefinitions)


def test_a_deleted_subnet_is_not_found_and_the_others_are_read(aws_env: None) -> None:
    small = build_small(["us-east-1"])
    public, private = small.subnets["us-east-1"]
    boto3.client("ec2", region_name="us-east-1").delete_subnet(SubnetId=private)
    region = by_region(run(["us-east-1"]))["us-east-1"]
    assert [(e.operation, e.code, e.resource) for e in region.errors] == [
        ("ec2:DescribeSubnets", "NotFound", private)
    ]
    assert [s["SubnetId"] for s in region.subnets] == [public]


def test_a_deleted_launch_template_is_not_found(aws_env: None) -> None:
    build_small(["us-east-1"])
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.delete_launch_template(LaunchTemplateName="batch-lt")
    region = by_region(run(["us-east-1"]))["us-east-1"]
    assert [(e.operation, e.code, e.resource) for e in region.errors] == [
        ("ec2:DescribeLaunchTemplateVersions", "NotFound", "batch-lt")
    ]
    assert region.launchTemplates == []
    assert len(region.securityGroups) == 1  # the CE's; the template's is unknown now


def test_job_definition_roles_of_every_container_kind() -> None:
    definition = {
        "containerProperties": {"jobRoleArn": "a", "executionRoleArn": "b"},
        "ecsProperties": {"taskProperties": [{"taskRoleArn": "c", "executionRoleArn": "d"}]},
        "nodeProperties": {
            "nodeRangeProperties": [
                {"container": {"jobRoleArn": "e"}},
                {"ecsProperties": {"taskProperties": [{"taskRoleArn": "f"}]}},
            ]
        },
    }
    assert {r for r in _job_role_arns(definition) if r} == set("abcdef")


def test_roles_of_node_ranges_and_ecs_tasks_are_read(aws_env: None) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    arns = {name: _role(iam, name) for name in ("node-role", "task-role", "ecs-exec")}
    prefix = f"arn:aws:batch:us-east-1:{ACCOUNT}:job-definition"
    definitions = [
        {
            "jobDefinitionName": "mpi",
            "jobDefinitionArn": f"{prefix}/mpi:1",
            "revision": 1,
            "status": "ACTIVE",
            "type": "multinode",
            "nodeProperties": {
                "nodeRangeProperties": [
                    {"targetNodes": "0:", "container": {"jobRoleArn": arns["node-role"]}}
                ]
            },
        },
        {
            "jobDefinitionName": "ecs",
            "jobDefinitionArn": f"{prefix}/ecs:1",
            "revision": 1,
            "status": "ACTIVE",
            "type": "container",
            "ecsProperties": {
                "taskProperties": [
                    {"taskRoleArn": arns["task-role"], "executionRoleArn": arns["ecs-exec"]}
                ]
            },
        },
    ]
    hook = answer("DescribeJobDefinitions", {"jobDefinitions": definitions})
    account = only_account(run(["us-east-1"], hooks=hook))
    assert sorted(r["RoleName"] for r in account.iam.roles) == sorted(arns)


def test_roles_of_other_accounts_are_not_read(aws_env: None) -> None:
    boto3.client("batch", region_name="us-east-1").register_job_definition(
        jobDefinitionName="x",
        type="container",
        containerProperties={
            "image": "busybox",
            "vcpus": 1,
            "memory": 512,
            "jobRoleArn": "arn:aws:iam::999999999999:role/elsewhere",
        },
    )
    collected = run(["us-east-1"])
    account = only_account(collected)
    assert account.iam.roles == [] and account.errors == []
    assert collected.operations["iam:GetRole"] == 0


# -- what stops a read before it starts ----------------------------------------------------------


def test_the_configured_region_is_the_default(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert [r.region for r in only_account(run([])).regions] == ["eu-west-1"]


def test_no_region_at_all_is_a_one_line_error(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(AwsError, match="no Region to read: give --region or --all-regions"):
        run([])


def test_no_credentials_is_a_one_line_error(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    with pytest.raises(AwsError, match=r"^no AWS credentials found: use --profile") as caught:
        run(["us-east-1"])
    assert "\n" not in str(caught.value)


def test_an_unknown_profile_is_a_one_line_error(aws_env: None) -> None:
    with pytest.raises(AwsError, match="AWS profile 'nope' not found"):
        run(["us-east-1"], profile="nope")


def test_default_credentials_that_cannot_identify_the_account(aws_env: None) -> None:
    hook = raise_on("GetCallerIdentity", "InvalidClientTokenId")
    with pytest.raises(AwsError, match=r"^cannot read the account: InvalidClientTokenId: "):
        run(["us-east-1"], hooks=hook)


def test_missing_boto3_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = aws_session.importlib.import_module

    def without_boto3(name: str) -> Any:
        if name.split(".")[0] in ("boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name)

    monkeypatch.setattr(aws_session.importlib, "import_module", without_boto3)
    with pytest.raises(AwsError, match=re.escape("pip install 'batchlint[aws]'")):
        collect(CollectOptions(regions=["us-east-1"]))


# -- sessions ------------------------------------------------------------------------------------


def test_clients_honour_the_endpoint_url_retries_and_user_agent(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4599")
    credentials = aws_session.base_credentials()
    client = credentials.client(credentials.session(), "batch", "eu-west-1")
    assert client.meta.endpoint_url == "http://127.0.0.1:4599"  # botocore reads it itself
    # botocore counts the first attempt too: 10 retries, 11 attempts
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 11}
    assert "batchlint/" in client.meta.config.user_agent_extra


def test_a_configured_retry_setting_wins(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    credentials = aws_session.base_credentials()
    client = credentials.client(credentials.session(), "batch", "eu-west-1")
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}


def test_audit_sessions_are_guarded(aws_env: None) -> None:
    credentials = aws_session.base_credentials()
    client = credentials.client(credentials.session(), "batch", "us-east-1")
    with pytest.raises(AwsError, match="refused batch:DeleteJobQueue"):
        client.delete_job_queue(jobQueue="queue")


def test_a_role_given_as_instance_role_is_read_as_a_role(aws_env: None) -> None:
    arn = _role(boto3.client("iam", region_name="us-east-1"), "ecs-instance")
    environment = {
        "computeEnvironmentName": "wrong",
        "computeEnvironmentArn": f"arn:aws:batch:us-east-1:{ACCOUNT}:compute-environment/wrong",
        "type": "MANAGED",
        "computeResources": {"type": "EC2", "instanceRole": arn},
    }
    hook = answer("DescribeComputeEnvironments", {"computeEnvironments": [environment]})
    collected = run(["us-east-1"], hooks=hook)
    assert [r["RoleName"] for r in only_account(collected).iam.roles] == ["ecs-instance"]
    assert collected.operations["iam:GetInstanceProfile"] == 0
