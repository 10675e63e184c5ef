"""A job queue is created or left DISABLED, so it accepts no new jobs.

## What it does
Flags a job queue whose `state` is `DISABLED`.

## Why is this bad?
A disabled queue refuses `SubmitJob`: every submission fails until someone enables it. In a
template that is usually a leftover from a maintenance window or a copy of a retired queue.
If the queue is really out of use, deleting it is clearer than keeping it disabled; if it is in
use, its jobs are being rejected.

This is advice: disabling a queue on purpose (draining it before a change) is legitimate, and
the finding can be suppressed for that time.

## Example
```yaml
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      State: DISABLED
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: arn:aws:batch:us-east-1:123456789012:compute-environment/ondemand
```

## Use instead
```yaml
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      State: ENABLED
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: arn:aws:batch:us-east-1:123456789012:compute-environment/ondemand
```

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateJobQueue.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_queue_parameters.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobQueue
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JQ-004",
    name="queue-disabled",
    severity=Severity.NOTE,
    tags=("operability",),
    fix="Set state to ENABLED, or delete the queue",
)
def check(queue: JobQueue, ctx: Context) -> Iterator[Hit]:
    state = queue.field("state")
    value = state.text() if state is not None else None
    if value is None or value.strip().upper() != "DISABLED":
        return
    yield Hit(
        queue,
        "Job queue is DISABLED, so every job submitted to it is rejected: set state to ENABLED, "
        "or delete the queue if it is no longer used.",
        state,
    )
