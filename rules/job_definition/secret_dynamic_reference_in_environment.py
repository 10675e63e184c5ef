"""A container's environment resolves a secret at deploy time and stores it in plain text.

## What it does
Flags a job definition that copies a secret's value into its containers' definition when
it is deployed, instead of having the container read it at start:

- in CloudFormation, an environment value (`Environment` of container properties, node
  ranges and ECS task containers; `Env` of EKS containers) holding a dynamic reference to a
  secret: `{{resolve:secretsmanager:…}}` or `{{resolve:ssm-secure:…}}`, written alone or
  inside an `Fn::Sub` or `Fn::Join`;
- in a Terraform plan, `container_properties`, `node_properties`, `ecs_properties` or
  `eks_properties` whose configuration expression reads a secret's value:
  `aws_secretsmanager_secret_version.*.secret_string` or `.secret_binary` (resource or data
  source), `aws_ssm_parameter.*.value` (resource or data source) when the parameter is a
  `SecureString`, `random_password.*.result`, or a variable declared `sensitive = true`.

`{{resolve:ssm:…}}` reads a plain `String` parameter and is not reported, nor is a reference
to a secret's `arn` or `name` (what `secrets` needs). The message names the variable or the
references, never a value, and says when the plan marks the attribute sensitive.

## Why is this bad?
A dynamic reference or a Terraform reference is resolved when the stack or plan is
deployed: the secret's value is written into the job definition revision, where anyone
allowed `batch:DescribeJobDefinitions` reads it in plain text, revisions are kept forever,
and Terraform keeps it in its state. Rotating the secret does not reach the job until the
next deploy. `secrets` with `valueFrom` passes the secret's ARN instead: the ECS agent
reads it at start with the execution role, every read is logged, and rotation applies to
the next job. An `ssm-secure` reference is not resolved in a job definition at all:
CloudFormation supports it only in a few resource properties, and the deploy fails.

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
          - Name: PGPASSWORD
            Value: "{{resolve:secretsmanager:export/pg:SecretString:password}}"
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
        Secrets:
          - Name: PGPASSWORD
            ValueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pg-AbCdEf:password::"
```

## Known limitations
- An `Fn::Sub` or `Fn::Join` that also takes a value unknown until deploy (a resource's
  `Ref`, `${AWS::AccountId}`, a parameter without a default) is read as what it writes around
  those values: `{{resolve:secretsmanager:${Secret}}}` is seen, but a dynamic reference whose
  `{{resolve:` prefix itself comes from a parameter is not.
- Terraform: only the references an expression makes directly are read. A secret passed
  through a `local` value or a module output is not seen (the plan may still mark the
  attribute sensitive). An `aws_ssm_parameter` whose type is unknown at plan time, or a
  parameter outside the plan, is not reported.
- Values set at submit time (`containerOverrides.environment`) are not seen.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
- https://developer.hashicorp.com/terraform/language/state/sensitive-data
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container, containers, environment
from batchlint.job_secrets import literal_texts
from batchlint.model import JobDefinition, Node, Reference
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.secrets_detect import dynamic_secret, known_format

# the job definition attributes whose Terraform expressions end up in the revision
_ATTRIBUTES = ("containerProperties", "nodeProperties", "ecsProperties", "eksProperties")
_SECRET_VERSION = "a Secrets Manager secret value"


@rule(
    code="BL-JD-023",
    name="secret-dynamic-reference-in-environment",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Pass the secret's ARN in secrets (valueFrom) instead of its value",
    security_severity=7.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        for name_node, value in environment(container):
            kind = _resolved(value)
            if kind is not None:
                yield Hit(jd, _message(container, name_node.text(), kind), value)
    for attribute in _ATTRIBUTES:
        written = jd.expressions.get(attribute)
        if written is None:
            continue
        found = [(ref, what) for ref in written.references if (what := secret_read(ref))]
        if not found:
            continue
        first, what = found[0]
        more = f", and {len(found) - 1} more" if len(found) > 1 else ""
        marked = "; the plan marks it sensitive" if written.sensitive else ""
        yield Hit(
            jd,
            f"{attribute} reads {first.text} ({what}){more} at apply time, so the value is "
            f"stored in plain text in the job definition revision and the Terraform "
            f"state{marked}: keep it in Secrets Manager or Parameter Store and pass its ARN "
            f"in secrets (valueFrom) instead.",
            jd.props.get(attribute),
        )


def _resolved(value: Node | None) -> str | None:
    """The secret a value resolves at deploy time, in any of its branches."""
    for text in literal_texts(value, patterns=True):
        found = dynamic_secret(text)
        if found is not None:
            return found
    return None


def secret_read(ref: Reference) -> str | None:
    """What secret a Terraform reference reads, or ``None`` when it reads none (or it
    cannot be told)."""
    if ref.type == "aws_secretsmanager_secret_version":
        return _SECRET_VERSION if ref.attribute in ("secret_string", "secret_binary") else None
    if ref.type == "aws_ssm_parameter" and ref.attribute == "value":
        if ref.values.get("type") == "SecureString":
            return "an SSM SecureString parameter's value"
        return None
    if ref.type == "random_password" and not ref.data and ref.attribute == "result":
        return "a generated password"
    if ref.type == "var" and ref.sensitive is True:
        return "a variable declared sensitive"
    return None


def _message(container: Container, name: str | None, pattern: str) -> str:
    if name is None or known_format(name) is not None:
        name = "(name redacted)" if name else "(unnamed)"
    variable = f"Environment variable {name} of {container.label}"
    if container.is_eks:
        fix = "mount it from a Kubernetes secret, or read it at start from the secret store"
    else:
        store = "secret's" if pattern == "secretsmanager" else "parameter's"
        fix = f"pass the {store} ARN in secrets (valueFrom) instead"
    if pattern == "ssm-secure":
        return (
            f"{variable} holds an ssm-secure dynamic reference, which CloudFormation does not "
            f"resolve in a job definition (the deploy fails) and would store in plain text: "
            f"{fix}."
        )
    return (
        f"{variable} resolves a Secrets Manager secret at deploy time, so its value is "
        f"stored in plain text in the job definition, readable by anyone who can describe "
        f"it: {fix}."
    )
