"""A container's log driver options hold a credential in plain text.

## What it does
Flags a `logConfiguration.options` entry of any container of a job definition (container
properties, node range containers, ECS task containers) whose literal value is a
credential, judged as environment variables are (see `plaintext-secret-in-environment`):

- an option whose name ends in a secret word and whose value is not plainly
  configuration: `splunk-token`, a Datadog or New Relic `apikey`/`licenseKey`, fluent bit's
  `http_Passwd`, `Cloud_Auth`;
- a value in a known credential format whatever the option is called: a URL with a
  password in it (`https://user:pass@logs.example.com`), a connection string with a
  password, a token in a known format;
- an HTTP header with a credential written into a value: `Authorization Bearer …`,
  `X-API-Key: …`.

Dynamic references (`{{resolve:…}}`), placeholders (`${TOKEN}`), paths and ARNs are not
credentials. The message names the option, the container and the kind of credential —
never the value.

## Why is this bad?
Log options are part of the job definition: anyone allowed `batch:DescribeJobDefinitions`
reads them, every revision keeps them, and they sit in the template, its repository and the
Terraform state. A log token lets anyone write into (and often read from) the logging
service. `logConfiguration.secretOptions` passes the option from Secrets Manager or SSM
Parameter Store instead, read at start with the execution role.

## Example
```yaml
Resources:
  Ingest:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        LogConfiguration:
          LogDriver: splunk
          Options:
            splunk-url: https://splunk.example.com:8088
            splunk-token: 7f3c9a2e-51d4-4b8e-9c0a-6d2f1e8b4a73
```

## Use instead
```yaml
Resources:
  Ingest:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/ingest-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        LogConfiguration:
          LogDriver: splunk
          Options:
            splunk-url: https://splunk.example.com:8088
          SecretOptions:
            - Name: splunk-token
              ValueFrom: arn:aws:secretsmanager:us-east-1:123456789012:secret:splunk-AbCdEf
```

## Known limitations
Detection is heuristic, as for environment variables: a credential under an innocent
option name in no known format is missed, and a random-looking configuration value under
a secret-sounding name is reported. A value in an `Fn::If` is reported when any branch is a
credential. Log options of the ECS agent's FireLens configuration file are not read.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_LogConfiguration.html
- https://docs.aws.amazon.com/batch/latest/userguide/specifying-sensitive-data.html
- https://docs.docker.com/engine/logging/drivers/splunk/
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.job_secrets import literal_texts
from batchlint.model import JobDefinition, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.secrets_detect import Credential, detect_option, known_format


@rule(
    code="BL-JD-026",
    name="secret-in-log-options",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Move the option to logConfiguration.secretOptions",
    security_severity=7.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        options = container.node.get("logConfiguration", "options")
        for name, value in options.entries().items() if options is not None else ():
            found = _credential(name, value)
            if found is None:
                continue
            how = "" if found.by_format else " (by its name)"
            shown = "(name redacted)" if known_format(name) is not None else name
            yield Hit(
                jd,
                f"Log option {shown} of {container.label} holds {found.kind}{how} in plain "
                f"text, readable by anyone who can describe the job definition: move it to "
                f"logConfiguration.secretOptions, with a Secrets Manager secret or an SSM "
                f"Parameter Store SecureString.",
                value,
            )


def _credential(name: str, value: Node) -> Credential | None:
    """The first credential among the value's literal branches (of an Fn::If)."""
    for text in literal_texts(value):
        found = detect_option(name, text)
        if found is not None:
            return found
    return None
