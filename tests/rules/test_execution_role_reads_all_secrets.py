"""execution-role-reads-all-secrets: messages name the role, the grant and what the job
reads; only execution roles count; no secret value in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning
from .no_echo import assert_never_echoed, secrets_in

FIXTURES = (
    Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "execution-role-reads-all-secrets"
)
CODE = "BL-JD-025"
SECRETS = ("Api-S3cret-EXAMPLE-42", "Tf-S3cret-Version-EXAMPLE")


@pytest.mark.parametrize(
    "fixture", ["cloudformation.yaml", "cloudformation.json", "terraform.plan.json"]
)
def test_no_output_format_echoes_a_secret(fixture: str) -> None:
    path = FIXTURES / fixture
    assert_never_echoed(path, CODE, secrets_in(path, SECRETS))


def _messages(tmp_path: Path, template: str) -> list[str]:
    return scanning.messages(tmp_path, template, CODE)


TEMPLATE = """
Resources:
  Exec:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: MANAGED
      Policies:
        - PolicyName: Secrets
          PolicyDocument:
            Statement:
              - {Sid: All, Effect: Allow, Action: "*", Resource: "*"}
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        ROLE_FIELD: !GetAtt Exec.Arn
        Secrets:
          - {Name: A, ValueFrom: /a}
          - {Name: B, ValueFrom: /b}
"""


def test_message_names_role_grant_and_secrets_read(tmp_path: Path) -> None:
    template = TEMPLATE.replace("MANAGED", "[]").replace("ROLE_FIELD", "ExecutionRoleArn")
    assert _messages(tmp_path, template) == [
        "Execution role Exec (containerProperties.executionRoleArn) can read every Secrets "
        "Manager secret in the account: statement 'All' of policy 'Secrets' allows * on '*' "
        "(and 1 more grant); the job reads 2 secrets: allow reading only their ARNs."
    ]


def test_an_aws_managed_policy_is_named(tmp_path: Path) -> None:
    template = (
        TEMPLATE.replace("MANAGED", "[arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess]")
        .replace("ROLE_FIELD", "ExecutionRoleArn")
        .replace('Action: "*"', "Action: s3:GetObject")
    )
    assert _messages(tmp_path, template) == [
        "Execution role Exec (containerProperties.executionRoleArn) can read every SSM "
        "parameter in the account: the AWS managed policy AmazonSSMReadOnlyAccess allows "
        "ssm:Get* on '*'; the job reads 2 secrets: allow reading only their ARNs."
    ]


def test_a_job_role_is_not_an_execution_role(tmp_path: Path) -> None:
    template = TEMPLATE.replace("MANAGED", "[]").replace("ROLE_FIELD", "JobRoleArn")
    assert _messages(tmp_path, template) == []
