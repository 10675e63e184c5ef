"""A container of a job definition sends its logs with a driver other than awslogs.

## What it does
Flags every container whose `logConfiguration.logDriver` is not one of the allowed drivers
(`awslogs` by default): `containerProperties`, each node range's container and each ECS task
container (also inside node ranges). A container with no `logConfiguration` uses Batch's
default, `awslogs`, and is not flagged; neither is one whose driver is unknown until deploy.
EKS containers have no log driver setting (the cluster's logging applies) and are not read.
Drivers are compared without case.

## Why is this bad?
With `awslogs` the container's output goes to CloudWatch Logs, where the Batch console, `aws
batch describe-jobs` (`logStreamName`) and the job's log group (with its retention and
access policy) find it. Other drivers send it elsewhere: `json-file` and `journald` keep it on
the instance, where it is lost when Batch scales the instance in; `syslog`, `gelf`, `fluentd`,
`splunk`, `logentries` and `awsfirelens` ship it to a system outside CloudWatch, with its own
retention, access control and encryption, and a failed job's output is no longer where
operators look for it. When that is a deliberate pipeline, allow its driver.

## Example
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        LogConfiguration:
          LogDriver: json-file
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        LogConfiguration:
          LogDriver: awslogs
          Options:
            awslogs-group: /aws/batch/job
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Options
- `allowed_drivers` (default `["awslogs"]`): the log drivers that are never flagged. Add the
  driver of a deliberate pipeline (`"awsfirelens"`, `"splunk"`, …); setting the option
  replaces the list, so a list without `awslogs` (`["splunk"]`) flags `awslogs` too, for
  an organization whose logs must go elsewhere. An empty list is the default.

```json
{"allowed_drivers": ["awslogs"]}
```

## Known limitations
Only the driver is read: an `awsfirelens` configuration that routes to CloudWatch Logs is
still flagged unless `awsfirelens` is allowed. A `SubmitJob` override cannot change the log
configuration, so nothing is missed there.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_LogConfiguration.html
- https://docs.aws.amazon.com/batch/latest/userguide/using_awslogs.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_definition_parameters.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule

_AWSLOGS = "awslogs"
_DEFAULT_ALLOWED = [_AWSLOGS]
_ON_INSTANCE = {"json-file", "journald"}  # drivers that keep the output on the instance


@rule(
    code="BL-JD-033",
    name="logging-driver-not-awslogs",
    severity=Severity.NOTE,
    tags=("operability", "security"),
    fix="Use the awslogs log driver (or allow this driver in the options)",
    options={"allowed_drivers": _DEFAULT_ALLOWED},
    security_severity=2.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    allowed = _allowed(ctx)
    for container in containers(jd):
        if container.is_eks:
            continue
        driver = container.node.get("logConfiguration", "logDriver")
        name = driver.text() if driver is not None else None
        if driver is None or not name or name.strip().lower() in allowed:
            continue
        name = name.strip()
        label = container.label
        yield Hit(jd, f"{label[:1].upper()}{label[1:]} {_problem(name, allowed)}.", driver)


def _problem(name: str, allowed: list[str]) -> str:
    """What is wrong with the driver and what to do, for messages."""
    if _AWSLOGS not in allowed:  # the options require another pipeline
        return (
            f"sends its logs with the {name} log driver, not one of allowed_drivers: use "
            f"{' or '.join(allowed)}"
        )
    if name.lower() in _ON_INSTANCE:
        where = (
            "keeps them on the instance, out of CloudWatch Logs and lost when the instance is "
            "terminated"
        )
    else:
        where = "ships them outside CloudWatch Logs and out of the Batch console's view"
    return (
        f"sends its logs with the {name} log driver, which {where}: use awslogs, or add {name} "
        "to allowed_drivers if that pipeline is deliberate"
    )


def _allowed(ctx: Context) -> list[str]:
    """The allowed drivers, lower-cased; an empty or malformed option is the default."""
    value = ctx.options.get("allowed_drivers", _DEFAULT_ALLOWED)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        value = _DEFAULT_ALLOWED
    found = [item.strip().lower() for item in value if isinstance(item, str) and item.strip()]
    return list(dict.fromkeys(found)) or _DEFAULT_ALLOWED
