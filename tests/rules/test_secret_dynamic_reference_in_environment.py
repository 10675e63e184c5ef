"""secret-dynamic-reference-in-environment: CloudFormation dynamic references and Terraform
references that copy a secret's value into a job definition; never a value in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchlint.engine import ScanOptions, scan
from batchlint.model import Reference
from batchlint.reporters import FORMATS, render
from batchlint.secrets_detect import dynamic_secret

from . import scanning
from .no_echo import assert_never_echoed, secrets_in

FIXTURES = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "rules"
    / "secret-dynamic-reference-in-environment"
)
CODE = "BL-JD-023"
# the secret values the Terraform plan holds (resolved at plan time, or a variable's value)
SECRETS = (
    "S3cretVersion-EXAMPLE",
    "ApiKey-EXAMPLE-123",
    "DataToken-EXAMPLE-99",
    "LegacySecret-EXAMPLE",
    "Hunter2-EXAMPLE-pw",
    "per-job-value-0",
)


def test_no_output_format_echoes_a_secret_value() -> None:
    path = FIXTURES / "terraform.plan.json"
    assert_never_echoed(path, CODE, secrets_in(path, SECRETS))


@pytest.mark.parametrize("fixture", ["cloudformation.yaml", "cloudformation.json"])
def test_no_output_format_echoes_the_dynamic_reference(fixture: str) -> None:
    report = scan([str(FIXTURES / fixture)], ScanOptions(select=[CODE]))
    assert report.findings
    for fmt in FORMATS:
        output = render(report, fmt, color=False, tool_version="0.0.0", base_dir=str(FIXTURES))
        # the rule's documentation (SARIF help) shows the syntax; no finding shows a reference
        for written in ("prod/db:SecretString", "/prod/api-key", "prod/sidecar", "prod/mpi"):
            assert written not in output


def _messages(tmp_path: Path, template: str) -> list[str]:
    return scanning.messages(tmp_path, template, CODE)


def test_messages_name_the_variable_container_and_store(tmp_path: Path) -> None:
    messages = _messages(
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
          - {Name: DB_PASSWORD, Value: "{{resolve:secretsmanager:prod/db:SecretString:pw}}"}
          - {Name: API_KEY, Value: "{{resolve:ssm-secure:/prod/api-key}}"}
          - {Name: DB_HOST, Value: "{{resolve:ssm:/prod/db-host}}"}
""",
    )
    assert messages == [
        "Environment variable DB_PASSWORD of the container (containerProperties) resolves a "
        "Secrets Manager secret at deploy time, so its value is stored in plain text in the "
        "job definition, readable by anyone who can describe it: pass the secret's ARN in "
        "secrets (valueFrom) instead.",
        "Environment variable API_KEY of the container (containerProperties) holds an "
        "ssm-secure dynamic reference, which CloudFormation does not resolve in a job "
        "definition (the deploy fails) and would store in plain text: pass the parameter's "
        "ARN in secrets (valueFrom) instead.",
    ]


def test_eks_message_and_redacted_name(tmp_path: Path) -> None:
    name = "ghp_" + "EXAMPLEexampleEXAMPLEexample22222222"
    messages = _messages(
        tmp_path,
        f"""
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      EksProperties:
        PodProperties:
          Containers:
            - Name: main
              Image: busybox:1.36
              Env:
                - {{Name: {name}, Value: "{{{{resolve:secretsmanager:prod/gh}}}}"}}
""",
    )
    assert len(messages) == 1
    assert "(name redacted)" in messages[0] and "ghp_" not in messages[0]
    assert 'EKS container "main"' in messages[0] and "Kubernetes secret" in messages[0]


def test_terraform_message_names_the_references_and_the_sensitive_mark() -> None:
    report = scan([str(FIXTURES / "terraform.plan.json")], ScanOptions(select=[CODE]))
    by_address = {f.resource: f.message for f in report.findings}
    assert by_address["aws_batch_job_definition.multinode"] == (
        "nodeProperties reads random_password.db.result (a generated password) at apply "
        "time, so the value is stored in plain text in the job definition revision and the "
        "Terraform state: keep it in Secrets Manager or Parameter Store and pass its ARN in "
        "secrets (valueFrom) instead."
    )
    assert by_address["aws_batch_job_definition.ssm_secure"].startswith(
        "containerProperties reads aws_ssm_parameter.api_key.value (an SSM SecureString "
        "parameter's value) at apply time"
    )
    assert "; the plan marks it sensitive:" in by_address["aws_batch_job_definition.ssm_secure"]
    finding = next(f for f in report.findings if f.resource.endswith(".ssm_secure"))
    assert finding.pointer.endswith("/values/container_properties")


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("{{resolve:secretsmanager:prod/db}}", "secretsmanager"),
        (
            "x{{resolve:secretsmanager:arn:aws:secretsmanager:r:1:secret:a:SecretString:k}}y",
            "secretsmanager",
        ),
        ("{{resolve:ssm-secure:/a/b:2}}", "ssm-secure"),
        ("{{resolve:ssm:/a/b}}", None),
        ("resolve:secretsmanager:prod/db", None),
        ("plain", None),
    ],
)
def test_dynamic_secret(value: str, pattern: str | None) -> None:
    assert dynamic_secret(value) == pattern


@pytest.mark.parametrize(
    ("reference", "secret"),
    [
        (
            Reference("a.b.secret_string", "aws_secretsmanager_secret_version", "secret_string"),
            True,
        ),
        (
            Reference(
                "a.b.secret_binary", "aws_secretsmanager_secret_version", "secret_binary", True
            ),
            True,
        ),
        (Reference("a.b.arn", "aws_secretsmanager_secret_version", "arn"), False),
        (
            Reference("a.b.value", "aws_ssm_parameter", "value", values={"type": "SecureString"}),
            True,
        ),
        (
            Reference("a.b.value", "aws_ssm_parameter", "value", values={"type": "StringList"}),
            False,
        ),
        (Reference("a.b.value", "aws_ssm_parameter", "value"), False),  # type unknown: silent
        (Reference("a.b.insecure_value", "aws_ssm_parameter", "insecure_value"), False),
        (Reference("a.b.result", "random_password", "result"), True),
        (Reference("a.b.result", "random_string", "result"), False),
        (Reference("var.a", "var", "a", sensitive=True), True),
        (Reference("var.a", "var", "a", sensitive=False), False),
        (Reference("var.a", "var", "a"), False),
        (Reference("local.a", "local", "a"), False),
    ],
)
def test_which_terraform_references_read_a_secret(reference: Reference, secret: bool) -> None:
    from importlib import import_module

    from batchlint.registry import builtin_rules

    rule = next(r for r in builtin_rules() if r.code == CODE)
    module = import_module(rule.check.__module__) if rule.check else None
    assert module is not None
    assert (module.secret_read(reference) is not None) is secret
