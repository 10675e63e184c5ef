"""A job definition sets no timeout, so a hung attempt runs — and bills — until cancelled.

## What it does
Flags a job definition without `timeout.attemptDurationSeconds`.

## Why is this bad?
AWS Batch has no default timeout. An attempt that deadlocks, waits on a network call that
never returns, or loops keeps its instance (or Fargate task) running for days, keeps the
compute environment from scaling in, and holds back the jobs queued behind it. A timeout
ends the attempt, and with a retry strategy the job gets another try.

## Example
```yaml
Resources:
  Transcode:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "8192"}
      RetryStrategy:
        Attempts: 2
```

## Use instead
```yaml
Resources:
  Transcode:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "8192"}
      RetryStrategy:
        Attempts: 2
      Timeout:
        AttemptDurationSeconds: 7200
```

## Cost impact
A hung attempt costs its full instance or Fargate task price for as long as it runs: a
`c6i.xlarge`-sized job forgotten over a weekend is about 64 instance-hours.

## Known limitations
`SubmitJob` can pass its own `timeout`, which overrides the job definition's; a definition
that is only ever submitted with one (Step Functions, Nextflow's `time` directive) is reported
all the same. Suppress the finding for that definition.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/job_timeouts.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-003",
    name="missing-job-timeout",
    severity=Severity.WARNING,
    tags=("cost", "reliability"),
    fix="Set timeout.attemptDurationSeconds",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    seconds = jd.props.get("timeout", "attemptDurationSeconds")
    if seconds is not None and (seconds.unknown or seconds.raw is not None):
        return  # set, or unknown (a parameter, an Fn::If): not this rule's concern
    yield Hit(
        jd,
        "Job definition sets no timeout, so a hung attempt keeps running (and billing) until "
        "someone cancels it: set timeout.attemptDurationSeconds a little above the longest "
        "expected run.",
        jd.props.get("timeout"),
    )
