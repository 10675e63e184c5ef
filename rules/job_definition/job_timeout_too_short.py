"""A job definition sets a timeout under 60 seconds, which AWS Batch does not accept.

## What it does
Flags a job definition whose `timeout.attemptDurationSeconds` (Terraform:
`timeout { attempt_duration_seconds }`) is below 60, written as a number or as a string.

## Why is this bad?
60 seconds is the smallest timeout AWS Batch accepts: registering the job definition fails,
so the stack or apply that creates it fails and no job can use it. A timeout meant in minutes
(`30` for half an hour) is the usual cause.

## Example
```yaml
Resources:
  Thumbnail:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
      Timeout:
        AttemptDurationSeconds: 30
```

## Use instead
```yaml
Resources:
  Thumbnail:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
      Timeout:
        AttemptDurationSeconds: 1800
```

## Known limitations
The Terraform provider rejects such a value itself, at plan time, so a Terraform plan rarely
holds one; raw `.tf` files and CloudFormation templates do. A timeout given only at
`SubmitJob` is not seen.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_timeouts.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule

MIN_SECONDS = 60


@rule(
    code="BL-JD-011",
    name="job-timeout-too-short",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Set timeout.attemptDurationSeconds to 60 or more",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    seconds = jd.props.get("timeout", "attemptDurationSeconds")
    value = seconds.number() if seconds is not None else None
    if seconds is None or value is None or value >= MIN_SECONDS:
        return
    yield Hit(
        jd,
        f"timeout.attemptDurationSeconds is {value:g}, below the {MIN_SECONDS} seconds AWS "
        "Batch accepts, so registering the job definition fails: give the timeout in seconds, "
        f"{MIN_SECONDS} or more (a little above the longest expected run).",
        seconds,
    )
