"""Read-only by construction: the guard refuses every call outside the allowlist before any
request exists, and the IAM policy batchlint asks for is derived from that allowlist."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
import yaml
from moto import mock_aws

from batchlint import cli
from batchlint.aws import readonly
from batchlint.aws.errors import AwsError
from batchlint.aws.readonly import (
    ALLOWED,
    AUDITOR_ONLY,
    READ_PREFIXES,
    ReadOnlyViolation,
    actions,
    guard,
    iam_policy,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield


def _sent_counter(session: boto3.Session) -> list[str]:
    """Every request that would leave the process (moto answers at before-send)."""
    sent: list[str] = []
    session._session.register("before-send", lambda request, **_: sent.append(request.url))
    return sent


WRITES = [
    (
        "batch",
        "create_job_queue",
        {"jobQueueName": "q", "state": "ENABLED", "priority": 1, "computeEnvironmentOrder": []},
    ),
    ("batch", "submit_job", {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"}),
    (
        "iam",
        "put_role_policy",
        {"RoleName": "victim", "PolicyName": "p", "PolicyDocument": '{"Version":"2012-10-17"}'},
    ),
    ("ec2", "create_tags", {"Resources": ["vpc-1"], "Tags": [{"Key": "k", "Value": "v"}]}),
    ("ec2", "run_instances", {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1}),
    (
        "sts",
        "assume_role_with_web_identity",
        {"RoleArn": "a", "RoleSessionName": "s", "WebIdentityToken": "t"},
    ),
]


@pytest.mark.parametrize(("service", "method", "params"), WRITES, ids=[w[1] for w in WRITES])
def test_a_write_is_refused_and_never_sent(
    aws: None, service: str, method: str, params: dict[str, Any]
) -> None:
    iam = boto3.client("iam", region_name="us-east-1")  # unguarded: to set up and to look
    iam.create_role(RoleName="victim", AssumeRolePolicyDocument="{}")
    session = boto3.Session(region_name="us-east-1")
    sent = _sent_counter(session)
    guard(session)
    client = session.client(service)
    with pytest.raises(ReadOnlyViolation) as refused:
        getattr(client, method)(**params)
    assert (refused.value.service, refused.value.operation) == (
        service,
        client.meta.method_to_api_mapping[method],
    )
    assert str(refused.value).startswith(f"batchlint is read-only: refused {service}:")
    assert sent == []  # no request was made, so moto (or AWS) saw nothing
    assert boto3.client("batch", region_name="us-east-1").describe_job_queues()["jobQueues"] == []
    assert iam.list_role_policies(RoleName="victim")["PolicyNames"] == []
    assert boto3.client("ec2", region_name="us-east-1").describe_tags()["Tags"] == []


def test_refused_before_parameters_are_even_checked(aws: None) -> None:
    client = guard(boto3.Session(region_name="us-east-1")).client("batch")
    with pytest.raises(ReadOnlyViolation):
        client.create_compute_environment()  # missing required parameters: still refused first


def test_reads_outside_the_allowlist_are_refused_too(aws: None) -> None:
    session = guard(boto3.Session(region_name="us-east-1"))
    with pytest.raises(ReadOnlyViolation, match="refused batch:ListJobs"):
        session.client("batch").list_jobs(jobQueue="q")
    with pytest.raises(ReadOnlyViolation, match="refused s3:ListBuckets"):
        session.client("s3").list_buckets()


def test_allowed_reads_go_through_paginators_included(aws: None) -> None:
    session = boto3.Session(region_name="us-east-1")
    sent = _sent_counter(session)
    client = guard(session).client("batch")
    assert client.describe_job_queues()["jobQueues"] == []
    pages = client.get_paginator("describe_compute_environments").paginate()
    assert [p["computeEnvironments"] for p in pages] == [[]]
    assert len(sent) == 2


def test_a_client_made_before_can_be_guarded(aws: None) -> None:
    client = boto3.Session(region_name="us-east-1").client("ec2")
    guard(client)
    guard(client)  # twice is harmless
    with pytest.raises(ReadOnlyViolation, match="refused ec2:DeleteVpc"):
        client.delete_vpc(VpcId="vpc-1")
    assert client.describe_vpcs()["Vpcs"]  # moto's default VPC


def test_a_botocore_session_can_be_guarded(aws: None) -> None:
    core = botocore.session.get_session()
    guard(core)
    client = core.create_client("iam", region_name="us-east-1")
    with pytest.raises(ReadOnlyViolation):
        client.create_user(UserName="u")


def test_the_violation_is_a_one_line_usage_error() -> None:
    violation = ReadOnlyViolation("ec2", "CreateTags")
    assert isinstance(violation, AwsError) and "\n" not in str(violation)


def test_only_botocore_objects_can_be_guarded() -> None:
    with pytest.raises(TypeError, match="cannot guard object"):
        guard(object())


# -- the allowlist ------------------------------------------------------------------------------


def test_the_allowlist_names_real_read_operations() -> None:
    core = botocore.session.get_session()
    for service, operations in ALLOWED.items():
        model = core.get_service_model(service)
        assert model.signing_name == service  # the IAM prefix the guard compares with
        assert operations <= set(model.operation_names), service
        for operation in operations:
            if f"{service}:{operation}" not in AUDITOR_ONLY:
                assert operation.startswith(READ_PREFIXES), operation
    assert {"sts:AssumeRole"} == AUDITOR_ONLY


# -- the IAM policy -----------------------------------------------------------------------------


def test_the_policy_is_the_allowlist_without_assume_role() -> None:
    policy = iam_policy()
    assert policy["Version"] == "2012-10-17"
    (statement,) = policy["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Allow", "*")
    assert statement["Action"] == sorted(statement["Action"])
    assert set(statement["Action"]) == set(actions()) - {"sts:AssumeRole"}
    assert all(a.split(":")[1].startswith(READ_PREFIXES) for a in statement["Action"])


def test_the_renderings_hold_the_same_policy() -> None:
    assert json.loads(readonly.iam_policy_json()) == iam_policy()
    template = yaml.safe_load(readonly.iam_policy_cloudformation())
    resource = template["Resources"]["BatchlintAuditPolicy"]
    assert resource["Type"] == "AWS::IAM::ManagedPolicy"
    assert resource["Properties"]["PolicyDocument"] == iam_policy()
    terraform = readonly.iam_policy_terraform()
    assert terraform.startswith('resource "aws_iam_policy" "batchlint_audit" {\n')
    found = re.search(r"jsonencode\((.*)\)\n}\n$", terraform, re.S)
    assert found is not None and json.loads(found.group(1)) == iam_policy()


@pytest.mark.parametrize("form", ["json", "terraform", "cloudformation"])
def test_the_iam_policy_command(capsys: pytest.CaptureFixture[str], form: str) -> None:
    parser = argparse.ArgumentParser()
    readonly.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["iam-policy", "--format", form])
    assert args.run(args) == 0
    assert capsys.readouterr().out == readonly.RENDERERS[form]()


def test_batchlint_iam_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["iam-policy"]) == 0
    assert json.loads(capsys.readouterr().out) == iam_policy()


def test_the_docs_show_the_policy_batchlint_prints() -> None:
    docs = (REPO / "docs" / "aws.md").read_text(encoding="utf-8")
    assert readonly.iam_policy_json().strip() in docs
