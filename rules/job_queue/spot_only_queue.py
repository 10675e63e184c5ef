"""A job queue is backed only by Spot capacity, with no On-Demand compute environment.

## What it does
Flags a job queue whose every compute environment (in `computeEnvironmentOrder`) is `SPOT` or
`FARGATE_SPOT`, so no On-Demand (`EC2` or `FARGATE`) capacity backs it.

## Why is this bad?
Spot capacity can be reclaimed with two minutes' notice and can be unavailable for hours in a
Region or for a family of instance types. A queue with only Spot environments then holds its
jobs in `RUNNABLE` until Spot comes back, and long jobs may be interrupted again and again.
Adding an On-Demand compute environment after the Spot one (a higher `order`) lets the queue
fall back when Spot is short, while still preferring Spot.

This is advice: a Spot-only queue is a sound choice for work that can wait and restarts
cheaply. Suppress the finding for such queues.

## Example
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref SpotEnvironment
```

## Use instead
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  OnDemandEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref SpotEnvironment
        - Order: 2
          ComputeEnvironment: !Ref OnDemandEnvironment
```

## Known limitations
A queue that names a compute environment outside the scanned file (a literal ARN, an import)
is not checked, nor one whose environments' types are unknown.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/job_queues.html
- https://docs.aws.amazon.com/batch/latest/userguide/bestpractices.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint import queues
from batchlint.model import SPOT_TYPES, JobQueue
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JQ-001",
    name="spot-only-queue",
    severity=Severity.NOTE,
    tags=("reliability",),
    fix="Add an On-Demand compute environment after the Spot one",
)
def check(queue: JobQueue, ctx: Context) -> Iterator[Hit]:
    listed = queues.entries(queue, ctx.scope)
    if not listed:
        return
    names: list[str] = []
    for entry in listed:
        target = entry.environment
        if target is None:
            return  # external or unknown: it may be On-Demand
        compute_type = target.field("computeResources", "type")
        value = compute_type.text() if compute_type is not None else None
        if value not in SPOT_TYPES:
            return
        if target.address not in names:
            names.append(target.address)
    yield Hit(
        queue,
        f"Job queue is backed only by Spot capacity ({', '.join(names)}), so its jobs wait "
        "whenever Spot is short: add an On-Demand compute environment after the Spot one.",
        queue.props.get("computeEnvironmentOrder"),
    )
