"""secrets-without-execution-role: messages, one finding per execution role value, and no
secret value in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning
from .no_echo import assert_never_echoed, secrets_in

FIXTURES = (
    Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "secrets-without-execution-role"
)
CODE = "BL-JD-024"
SECRETS = ("0th3r-S3cret-EXAMPLE", "Tf-S3cret-Version-EXAMPLE")


@pytest.mark.parametrize(
    "fixture", ["cloudformation.yaml", "cloudformation.json", "terraform.plan.json"]
)
def test_no_output_format_echoes_a_secret(fixture: str) -> None:
    path = FIXTURES / fixture
    assert_never_echoed(path, CODE, secrets_in(path, SECRETS))


def _findings(tmp_path: Path, template: str) -> list[tuple[str, str, str]]:
    found = scanning.findings(tmp_path, template, CODE)
    return [(f.resource, f.message, f.severity.value) for f in found]


ROLE = """
  Exec:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]
"""


def test_no_role_is_an_error_that_lists_what_the_container_reads(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        Secrets:
          - {Name: A, ValueFrom: /a}
          - {Name: B, ValueFrom: /b}
          - {Name: C, ValueFrom: /c}
          - {Name: D, ValueFrom: /d}
        LogConfiguration:
          LogDriver: splunk
          SecretOptions: [{Name: splunk-token, ValueFrom: /t}]
""",
    )
    assert found == [
        (
            "Job",
            "The container (containerProperties) reads 5 secrets (secret A, secret B, secret C "
            "and 2 more) but has no execution role (containerProperties.executionRoleArn): the "
            "job cannot start, because the ECS agent reads secrets with the execution role; "
            "set executionRoleArn to a role allowed to read them.",
            "error",
        )
    ]


def test_role_that_cannot_read_names_the_role_action_and_secret(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        "Resources:"
        + ROLE
        + """
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        ExecutionRoleArn: !GetAtt Exec.Arn
        Secrets:
          - {Name: DB_PASSWORD, ValueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"}
          - {Name: API_KEY, ValueFrom: /prod/api-key}
""",
    )
    assert found == [
        (
            "Job",
            "Execution role Exec (containerProperties.executionRoleArn) of the container "
            "(containerProperties) is not allowed secretsmanager:GetSecretValue for secret "
            "DB_PASSWORD, and 1 more: the job cannot start; allow it on the secret's ARN in "
            "the role's policies.",
            "error",
        )
    ]


def test_a_credential_used_as_a_secret_name_is_not_echoed(tmp_path: Path) -> None:
    name = "AKIA" + "IOSFODNN7EXAMPLE"
    found = _findings(
        tmp_path,
        f"""
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        Secrets: [{{Name: {name}, ValueFrom: /a}}]
""",
    )
    assert len(found) == 1 and "(name redacted)" in found[0][1] and name not in found[0][1]


def test_one_finding_per_ecs_task(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        "Resources:"
        + ROLE
        + """
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      EcsProperties:
        TaskProperties:
          - ExecutionRoleArn: !GetAtt Exec.Arn
            Containers:
              - {Name: a, Image: busybox, Secrets: [{Name: A, ValueFrom: /a}]}
              - {Name: b, Image: busybox, Secrets: [{Name: B, ValueFrom: /b}]}
          - Containers:
              - {Name: c, Image: busybox, Secrets: [{Name: C, ValueFrom: /c}]}
""",
    )
    assert [message.split(" is not allowed")[0].split(" reads ")[0] for _, message, _ in found] == [
        "Execution role Exec (ecsProperties.taskProperties[0].executionRoleArn) of ECS task 0 "
        "(2 containers)",
        'ECS task container "c"',
    ]


def test_a_customer_managed_key_needs_decrypt(tmp_path: Path) -> None:
    template = (
        "Resources:"
        + ROLE
        + """      Policies:
        - PolicyName: Read
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref Db}
              - {Effect: Allow, Action: kms:Decrypt, Resource: KEY}
  Db:
    Type: AWS::SecretsManager::Secret
    Properties:
      KmsKeyId: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        ExecutionRoleArn: !GetAtt Exec.Arn
        Secrets: [{Name: DB, ValueFrom: !Ref Db}]
"""
    )
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert _findings(tmp_path, template.replace("KEY", key)) == []
    assert _findings(tmp_path, template.replace("KEY", "arn:aws:kms:*:*:key/*")) == []
    (found,) = _findings(tmp_path, template.replace("KEY", "arn:aws:kms:us-east-1:1:key/other"))
    assert "kms:Decrypt on its customer managed key for secret DB" in found[1]
    assert "allow it on the key in the role's policies" in found[1]
