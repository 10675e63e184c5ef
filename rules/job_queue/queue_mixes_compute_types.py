"""A job queue's compute environments break AWS Batch's rules for one queue, so it is rejected.

## What it does
Flags a job queue whose `computeEnvironmentOrder`:

- mixes EC2 (`EC2`, `SPOT`) compute environments with Fargate (`FARGATE`, `FARGATE_SPOT`) ones,
  or Amazon EKS compute environments with Amazon ECS ones;
- mixes CPU architectures: `x86_64` instance types (`optimal`, `default_x86_64`, `c6i`, …) in
  one compute environment and `arm64` (Graviton: `default_arm64`, `c7g`, `m6gd`, …) in another;
- lists more than 3 compute environments;
- gives the same `order` to two compute environments.

Each problem is a finding of its own.

## Why is this bad?
AWS Batch refuses all of these when it creates or updates the queue, so the stack or the
`terraform apply` fails. A job queue has one type (`ECS`, `ECS_FARGATE` or `EKS`, derived from
its compute environments), one CPU architecture, at most 3 compute environments (a quota that
can't be raised), and a strict order in which it tries them.

## Example
```yaml
Resources:
  OnDemand:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Serverless:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: FARGATE
        MaxvCpus: 16
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref OnDemand
        - Order: 2
          ComputeEnvironment: !Ref Serverless
```

## Use instead
```yaml
Resources:
  OnDemand:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Serverless:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: FARGATE
        MaxvCpus: 16
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
  Ec2Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref OnDemand
  FargateQueue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Serverless
```

## Known limitations
The kind and architecture checks read only the compute environments defined in the scanned
file: one named by a literal ARN, or whose compute type or instance types are unknown (a
parameter, a family newer than batchlint's instance data), is left out of them. A compute
environment that itself mixes architectures is left out too. The count and the `order` values
are checked whatever the environments are; an entry inside an `Fn::If` that may drop it is not
counted. Fargate compute environments have no architecture of their own (the job definition's
`runtimePlatform` chooses it), so they are never in an architecture mix.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeEnvironmentOrder.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateJobQueue.html
- https://docs.aws.amazon.com/batch/latest/userguide/service_limits.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_JobQueueDetail.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint import queues
from batchlint.model import JobQueue
from batchlint.rule import Context, Hit, Severity, rule

# "Maximum number of compute environments for each job queue: 3" (a quota that can't be changed)
MAX_ENVIRONMENTS = 3

_KIND_LABELS = {queues.ECS: "ECS on EC2", queues.ECS_FARGATE: "Fargate", queues.EKS: "Amazon EKS"}


@rule(
    code="BL-JQ-002",
    name="queue-mixes-compute-types",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Give each kind and architecture its own queue, at most 3 environments, distinct orders",
)
def check(queue: JobQueue, ctx: Context) -> Iterator[Hit]:
    found = queues.entries(queue, ctx.scope)
    if found is None:
        return
    listed = [e for e in found if e.present]
    if len(listed) > MAX_ENVIRONMENTS:
        yield Hit(
            queue,
            f"Job queue lists {len(listed)} compute environments, more than the "
            f"{MAX_ENVIRONMENTS} AWS Batch allows: keep {MAX_ENVIRONMENTS} and move the rest "
            "to another job queue.",
            queue.props.get("computeEnvironmentOrder"),
        )
    yield from _same_order(queue, listed)
    known = [e for e in found if e.node.known and e.environment is not None]
    yield from _mixed(
        queue,
        [(e, _KIND_LABELS[k]) for e in known if (k := _kind(e)) is not None],
        "a queue's compute environments must all be ECS on EC2 or Spot, all Fargate, or all "
        "Amazon EKS, so give each kind its own job queue.",
    )
    yield from _mixed(
        queue,
        [(e, a) for e in known if _kind(e) != queues.ECS_FARGATE and (a := _arch(e))],
        "a queue's compute environments must share one CPU architecture, so give each "
        "architecture its own job queue.",
    )


def _kind(entry: queues.Entry) -> str | None:
    return queues.queue_type(entry.environment) if entry.environment is not None else None


def _arch(entry: queues.Entry) -> str | None:
    return queues.architecture(entry.environment) if entry.environment is not None else None


def _same_order(queue: JobQueue, listed: list[queues.Entry]) -> Iterator[Hit]:
    """One finding per ``order`` value that more than one entry uses."""
    seen: dict[float, int] = {}
    for entry in listed:
        order = entry.node.get("order")
        value = order.number() if order is not None else None
        if value is None:
            continue
        seen[value] = seen.get(value, 0) + 1
        if seen[value] == 2:  # report once, at the first repeat
            yield Hit(
                queue,
                f"Job queue gives order {value:g} to more than one compute environment, which "
                "AWS Batch rejects: give each compute environment a distinct order.",
                order,
            )


def _mixed(queue: JobQueue, labelled: list[tuple[queues.Entry, str]], rule: str) -> Iterator[Hit]:
    """One finding when the entries carry more than one label, at the first that differs."""
    groups: dict[str, list[str]] = {}
    first_odd = None
    for entry, label in labelled:
        if groups and label not in groups and first_odd is None:
            first_odd = entry
        names = groups.setdefault(label, [])
        address = entry.environment.address if entry.environment is not None else "?"
        if address not in names:
            names.append(address)
    if len(groups) < 2 or first_odd is None:
        return
    parts = [f"{label} ({', '.join(names)})" for label, names in groups.items()]
    yield Hit(
        queue,
        f"Job queue mixes {_join(parts)} compute environments, which AWS Batch rejects: {rule}",
        first_odd.node.get("computeEnvironment"),
    )


def _join(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
