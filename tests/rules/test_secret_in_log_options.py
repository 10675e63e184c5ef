"""secret-in-log-options: which log options hold credentials, and never a value in output."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchlint.secrets_detect import detect_option

from . import scanning
from .no_echo import assert_never_echoed, secrets_in

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "secret-in-log-options"
CODE = "BL-JD-026"
SECRETS = (
    "7f3c9a2e-EXAMPLE-4b8e-9c0a-6d2f1e8b4a73",
    "dd0c1e2f3a4b5c6dEXAMPLE7e8f9a0b1c",
    "hdrTok-EXAMPLE-5a6b7c8d",
    "Es-Passw0rd-EXAMPLE",
    "Cl0ud-EXAMPLE",
    "glc-EXAMPLE-pw",
    "0b7c5e1a-EXAMPLE-4c1d-9f2e-1a2b3c4d5e6f",
    "dev-3f2e1d0c-EXAMPLE",
    "eu01xxNRAL-EXAMPLE0123456789abcdef",
    "9e8d7c6b-EXAMPLE-4a3b-2c1d-0e9f8a7b6c5d",
    "1a2b3c4d-EXAMPLE-4e5f-8a9b-0c1d2e3f4a5b",
    "5d4c3b2a-EXAMPLE-4f1e-8d7c-6b5a4f3e2d1c",
    "tfDd0c1e2f3a4b5cEXAMPLE6d7e8f9a0",
)


@pytest.mark.parametrize(
    "fixture", ["cloudformation.yaml", "cloudformation.json", "terraform.plan.json"]
)
def test_no_output_format_echoes_a_secret(fixture: str) -> None:
    path = FIXTURES / fixture
    assert_never_echoed(path, CODE, secrets_in(path, SECRETS))


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("splunk-token", "7f3c9a2e-51d4-4b8e-9c0a-6d2f1e8b4a73", "a token"),
        ("apikey", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "an API key"),
        ("licenseKey", "eu01xx0123456789abcdefNRAL", "a license key"),
        ("HTTP_Passwd", "hunter2", "a password"),
        ("Header", "Authorization Bearer abc123XYZ", "an authentication header"),
        ("Header", "X-API-Key: k-123-abc", "an authentication header"),
        ("headers", "authorization: Basic dXNlcjpwYXNz", "an authentication header"),
        ("url", "https://u:p4ss@loki.example.com/push", "a URL with an embedded password"),
        # configuration
        ("splunk-url", "https://splunk.example.com:8088", None),
        ("Header", "Authorization Bearer ${TOKEN}", None),
        ("Header", "Authorization Bearer", None),
        ("Header", "Content-Type application/json", None),
        ("awslogs-group", "/aws/batch/job", None),
        ("splunk-token", "{{resolve:secretsmanager:splunk:SecretString:token}}", None),
        ("tls.key_file", "/etc/ssl/private/client.key", None),
        ("splunk-insecureskipverify", "true", None),
    ],
)
def test_detect_option(name: str, value: str, kind: str | None) -> None:
    found = detect_option(name, value)
    assert (found.kind if found else None) == kind


def test_message_names_the_option_container_and_kind(tmp_path: Path) -> None:
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
        LogConfiguration:
          LogDriver: splunk
          Options: {splunk-token: "Zq9-t0ken-value", splunk-url: "https://s:8088"}
""",
        CODE,
    )
    assert messages == [
        "Log option splunk-token of the container (containerProperties) holds a token (by its "
        "name) in plain text, readable by anyone who can describe the job definition: move it "
        "to logConfiguration.secretOptions, with a Secrets Manager secret or an SSM Parameter "
        "Store SecureString."
    ]
