"""plaintext-secret-in-environment: the credential never reaches any output."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from batchlint.engine import ScanOptions, scan
from batchlint.reporters import FORMATS, render

from . import scanning

FIXTURES = (
    Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "plaintext-secret-in-environment"
)
CODE = "BL-JD-005"

# every literal credential the fixtures hold
SECRETS = (
    "Tr0ub4dor&3",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "tok-8f7e6d5c4b3a",
    "dev-Passw0rd",
    "ghp_EXAMPLEexampleEXAMPLEexample00000000",
    "S3cr3t-Pass",
    "xoxb-000000000000-0000000000000-EXAMPLEexampleEXAMPLEexam",
    "EXAMPLEONLYnotAREALkey",
    "k3y-EXAMPLE-9f8e7d",
    "abc123-EXAMPLE",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "M4il-EXAMPLE",
)


def _forms(secret: str) -> set[str]:
    """The secret as it could appear in output: raw, JSON-escaped, and in parts."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, escaped, secret[: max(8, len(secret) // 2)]}


@pytest.mark.parametrize(
    "fixture", ["cloudformation.yaml", "cloudformation.json", "terraform.plan.json"]
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_echoes_a_secret(fixture: str, fmt: str) -> None:
    report = scan([str(FIXTURES / fixture)], ScanOptions(select=[CODE]))
    assert report.findings
    output = render(report, fmt, color=False, tool_version="0.0.0", base_dir=str(FIXTURES))
    for secret in SECRETS:
        for form in _forms(secret):
            assert form not in output, f"{fmt} output of {fixture} holds {form[:4]}…"


@pytest.mark.parametrize(
    "fixture", ["cloudformation.yaml", "cloudformation.json", "terraform.plan.json"]
)
def test_no_finding_field_echoes_a_secret(fixture: str) -> None:
    report = scan([str(FIXTURES / fixture)], ScanOptions(select=[CODE]))
    for finding in report.findings:
        for value in dataclasses.asdict(finding).values():
            text = str(value)
            assert not any(form in text for s in SECRETS for form in _forms(s))


def test_message_names_variable_container_and_kind(tmp_path: Path) -> None:
    messages = scanning.messages(
        tmp_path,
        """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        Environment:
          - {Name: DB_PASSWORD, Value: "Zq9-p4ss!"}
""",
        CODE,
    )
    assert messages == [
        "Environment variable DB_PASSWORD of the container (containerProperties) holds "
        "a password (by its name) "
        "in plain text, readable by anyone who can describe the job definition: move it to "
        "secrets, with a Secrets Manager secret or an SSM Parameter Store SecureString."
    ]


def test_a_credential_used_as_a_name_is_not_echoed_either(tmp_path: Path) -> None:
    messages = scanning.messages(
        tmp_path,
        """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        Environment:
          - {Name: ghp_EXAMPLEexampleEXAMPLEexample11111111, Value: AKIAIOSFODNN7EXAMPLE}
""",
        CODE,
    )
    assert len(messages) == 1
    assert "(name redacted)" in messages[0]
    assert "ghp_" not in messages[0] and "AKIA" not in messages[0]


def test_only_literals_are_reported(tmp_path: Path) -> None:
    messages = scanning.messages(
        tmp_path,
        """
Parameters:
  Password: {Type: String, NoEcho: true}
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        Environment:
          - {Name: DB_PASSWORD, Value: !Ref Password}
          - {Name: API_KEY, Value: "{{resolve:secretsmanager:prod/api:SecretString:key}}"}
          - {Name: TOKEN_URL, Value: "https://auth.example.com/token"}
""",
        CODE,
    )
    assert messages == []
