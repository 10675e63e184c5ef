"""A job definition gives each job a single attempt: no retry strategy, or `attempts` of 1.

## What it does
Flags a job definition whose `retryStrategy` is absent, has no `attempts` (the default is 1),
or sets `attempts` to 1 or less.

## Why is this bad?
With one attempt, any failure is final: a Spot reclamation, a host that fails its health
check, an image pull that times out or an internal service error all end the job as
`FAILED`, and whatever submitted it (a pipeline, a Step Functions state machine, a person)
has to notice and resubmit. Batch retries for free when `attempts` is 2 or more; use
`evaluateOnExit` to still fail fast on application errors.

## Example
```yaml
Resources:
  NightlyReport:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12-slim
        Command: [python, report.py]
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  NightlyReport:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12-slim
        Command: [python, report.py]
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
      RetryStrategy:
        Attempts: 3
        EvaluateOnExit:
          - {Action: RETRY, OnStatusReason: "Host EC2*"}
          - {Action: EXIT, OnExitCode: "1"}
```

## Known limitations
`SubmitJob` can pass its own `retryStrategy`, which overrides the job definition's; a
definition that is only ever submitted with one is reported all the same. Suppress the
finding for that definition.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_RetryStrategy.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition, Origin
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-001",
    name="missing-retry-strategy",
    severity=Severity.WARNING,
    tags=("reliability",),
    fix="Set retryStrategy.attempts to 2 or more",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    attempts = jd.field("retryStrategy", "attempts")
    if attempts is None:
        return
    value = attempts.number()
    if value is None or value > 1:
        return
    if attempts.origin is Origin.DEFAULT:
        if jd.props.get("retryStrategy") is None:
            what = "has no retry strategy"
        else:
            what = "sets no retryStrategy.attempts (the default is 1)"
    else:
        what = f"sets retryStrategy.attempts to {value:g}"
    yield Hit(
        jd,
        f"Job definition {what}, so one Spot reclamation, host failure or transient error "
        "fails the job: set retryStrategy.attempts to 2 or more, with evaluateOnExit to exit "
        "early on application errors.",
        attempts,
    )
