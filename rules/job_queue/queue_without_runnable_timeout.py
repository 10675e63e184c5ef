"""A job queue has no job state time limit, so a job no compute environment can place waits forever.

## What it does
Flags a job queue without `jobStateTimeLimitActions` (Terraform: `job_state_time_limit_action`).

## Why is this bad?
A job that asks for more vCPUs, memory or GPUs than any compute environment of its queue can
offer, or that waits on capacity that never comes, stays in `RUNNABLE` with no error. It holds
the head of the queue — jobs behind it may wait too — and nobody is told. A job state time
limit action cancels such a job after a set time (10 minutes to 24 hours) with a reason
(`MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT`, `MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`,
`CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY`), so the failure shows up and the queue moves on.

This is advice: a queue whose jobs are watched by a workflow engine with its own timeouts may
not need it.

## Example
```yaml
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
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
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: arn:aws:batch:us-east-1:123456789012:compute-environment/ondemand
      JobStateTimeLimitActions:
        - State: RUNNABLE
          Action: CANCEL
          MaxTimeSeconds: 3600
          Reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT
        - State: RUNNABLE
          Action: CANCEL
          MaxTimeSeconds: 3600
          Reason: MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE
```

## Known limitations
Any time limit action counts, whatever its reason: batchlint does not judge which reasons a
queue should cover. Queues for SageMaker Training service jobs (`jobQueueType:
SAGEMAKER_TRAINING`) are not checked.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_JobStateTimeLimitAction.html
- https://docs.aws.amazon.com/batch/latest/userguide/troubleshooting.html#job_stuck_in_runnable
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobQueue
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JQ-003",
    name="queue-without-runnable-timeout",
    severity=Severity.NOTE,
    tags=("reliability",),
    fix="Add a jobStateTimeLimitActions entry that cancels jobs stuck in RUNNABLE",
)
def check(queue: JobQueue, ctx: Context) -> Iterator[Hit]:
    queue_type = queue.props.get("jobQueueType")
    if queue_type is not None and (queue_type.text() or "").upper() == "SAGEMAKER_TRAINING":
        return  # service jobs, not container jobs placed on compute environments
    if queue_type is not None and queue_type.unknown and queue_type.text() is None:
        return
    actions = queue.props.get("jobStateTimeLimitActions")
    if actions is not None and (actions.unknown or actions.raw not in (None, [])):
        return  # set (any shape), or unknown
    yield Hit(
        queue,
        "Job queue has no jobStateTimeLimitActions, so a job that no compute environment can "
        "place waits in RUNNABLE with no error: add a CANCEL action for RUNNABLE jobs after a "
        "time limit (600 to 86400 seconds).",
        actions,
    )
