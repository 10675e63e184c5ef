"""A container's environment holds a credential in plain text.

## What it does
Flags an environment variable of any container of a job definition (`environment` of
container properties, node ranges and ECS task containers; `env` of EKS containers) whose
literal value is a credential:

- a value in a known credential format, whatever the variable is called: AWS access key
  IDs, GitHub, GitLab, Slack, Stripe, Google, npm and SendGrid tokens, PEM private keys,
  JSON Web Tokens, URLs and connection strings with a password in them; an AWS secret access
  key when the name says it is one;
- a variable whose name ends in a secret word (`DB_PASSWORD`, `GITHUB_TOKEN`,
  `CLIENT_SECRET`, `API_KEY`, `PRIVATE_KEY`, `BASIC_AUTH`, …) and whose value is not plainly
  configuration. Names where the secret word is not last name configuration (`TOKEN_URL`,
  `SECRET_ARN`, `PASSWORD_FILE`, `KEY_PREFIX`). Empty values, booleans, ARNs, paths, URLs
  without a password, template placeholders (`${VAR}`) and placeholders such as `changeme`
  are configuration; under a token/secret/auth name so are numbers and one-word enum values
  (`AUTH=basic`), but under a password name a plain word or number is the password.

A CloudFormation dynamic reference (`{{resolve:secretsmanager:…}}`) and a value unknown
until deploy (a parameter without default, a Terraform value known after apply) are not
literals and are never reported. The message names the variable, the container and the kind
of credential — never the value.

## Why is this bad?
Environment values are part of the job definition: anyone allowed
`batch:DescribeJobDefinitions` reads them, they are stored in every revision forever, and
they sit in the template, its repository history, CloudFormation's console and the
Terraform state. `secrets` injects the value from Secrets Manager or SSM Parameter Store at
start, where access is controlled by the execution role and every read is logged.

## Example
```yaml
Resources:
  Export:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/postgres:16
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        Environment:
          - {Name: PGHOST, Value: db.internal.example.com}
          - {Name: PGPASSWORD, Value: "c0rrect-H0rse!"}
```

## Use instead
```yaml
Resources:
  Export:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/postgres:16
        ExecutionRoleArn: arn:aws:iam::123456789012:role/export-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        Environment:
          - {Name: PGHOST, Value: db.internal.example.com}
        Secrets:
          - Name: PGPASSWORD
            ValueFrom: arn:aws:secretsmanager:us-east-1:123456789012:secret:export/pg-AbCdEf
```

## Known limitations
Detection is heuristic: a credential under an innocent name in no known format is missed,
and a long random-looking configuration value under a secret name is reported. Values set
at submit time (`containerOverrides.environment`) are not seen. A value in an `Fn::If` is
reported when any branch is a credential.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_Secret.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container, containers, environment
from batchlint.model import JobDefinition, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.secrets_detect import Credential, detect, known_format


@rule(
    code="BL-JD-005",
    name="plaintext-secret-in-environment",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Move the value to secrets (Secrets Manager or SSM Parameter Store)",
    security_severity=7.5,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        for name_node, value_node in environment(container):
            name = name_node.text()
            if name is None or value_node is None:
                continue
            found = _credential(name, value_node)
            if found is None:
                continue
            yield Hit(jd, _message(container, name, found), value_node)


def _credential(name: str, value: Node) -> Credential | None:
    """The first credential among the value's possible outcomes (all branches of an Fn::If)."""
    for outcome in value.outcomes():
        text = outcome.text() if outcome is not None else None
        if text is None:
            continue
        found = detect(name, text)
        if found is not None:
            return found
    return None


def _message(container: Container, name: str, found: Credential) -> str:
    how = "" if found.by_format else " (by its name)"
    if known_format(name) is not None:  # never echo a credential, even one used as a name
        name = "(name redacted)"
    if container.is_eks:
        where = (
            "a Kubernetes secret volume, or fetch it at start from Secrets Manager or SSM "
            "Parameter Store"
        )
    else:
        where = "secrets, with a Secrets Manager secret or an SSM Parameter Store SecureString"
    return (
        f"Environment variable {name} of {container.label} holds {found.kind}{how} in plain "
        f"text, readable by anyone who can describe the job definition: move it to {where}."
    )
