"""A compute environment is not attached to any job queue of its file.

## What it does
Flags a compute environment that no job queue in the same file lists in its
`computeEnvironmentOrder`. It stays silent when the file declares no job queue (a stack of
compute environments whose queues live elsewhere is common), and when any queue lists an
environment batchlint cannot resolve (a parameter, an import, a name or ARN declared
elsewhere) that could be this one.

## Why is this bad?
Jobs reach a compute environment only through a job queue. One that no queue uses never runs a
job; it is usually left over from a refactoring, or a queue points at its predecessor by
mistake. It still counts toward the account's compute environment quota, holds its ECS
cluster, and with `minvCpus` above 0 keeps instances running for nothing.

## Example
```yaml
Resources:
  OldEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c5]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  NewEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref NewEnvironment
```

## Use instead
```yaml
Resources:
  NewEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref NewEnvironment
```

## Cost impact
Nothing while `minvCpus` is 0. Otherwise the environment keeps `minvCpus` vCPUs running around
the clock for no job (see `min-vcpus-always-on` for the figure).

## Known limitations
Each file is a scope of its own: a queue in another template or Terraform configuration that
uses the environment is not seen, so split stacks that declare some of their queues next to
the environments and the rest elsewhere can see a false finding. A queue entry present only
under a condition (`Fn::If`) may be any environment, so it keeps the rule silent.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/job_queues.html
- https://docs.aws.amazon.com/batch/latest/userguide/service_limits.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from batchlint.model import ComputeEnvironment, Kind, Resource, Scope
from batchlint.queues import entries
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-023",
    name="compute-environment-unused",
    severity=Severity.NOTE,
    tags=("cost", "operability"),
    fix="Attach the compute environment to a job queue, or delete it",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    scope = ctx.scope
    queues = scope.of_kind(Kind.JOB_QUEUE)
    if not queues:
        return
    usage = scope.cached("compute environments the queues use", lambda: _usage(scope, queues))
    if usage.any_environment or ce in usage.named or (usage.by_name and _name_unknown(ce)):
        return
    minimum = ce.field("computeResources", "minvCpus")
    vcpus = minimum.number() if minimum is not None else None
    idle = f" while keeping {vcpus:,g} vCPUs running" if vcpus else ""
    names = ", ".join(q.address for q in queues[:3]) + (", …" if len(queues) > 3 else "")
    count = "the job queue" if len(queues) == 1 else f"any of the {len(queues)} job queues"
    yield Hit(
        ce,
        f"Compute environment is not used by {count} in this {scope.noun} ({names}), so it "
        f"runs no "
        f"job{idle}: add it to a queue's computeEnvironmentOrder or delete it.",
    )


@dataclass
class _Usage:
    """What the scope's queues list, worked out once for all its compute environments."""

    named: set[Resource] = field(default_factory=set)  # environments a queue lists (any branch)
    any_environment: bool = False  # an unknown list or entry: it could be any environment
    by_name: bool = False  # a literal name or ARN of no environment in scope


def _usage(scope: Scope, queues: list[Resource]) -> _Usage:
    usage = _Usage()
    for queue in queues:
        listed = entries(queue, scope)
        if listed is None:
            usage.any_environment = True  # the list itself is unknown
            return usage
        for entry in listed:
            if entry.environment is not None:
                usage.named.add(entry.environment)
                continue
            if entry.node.unknown:
                usage.any_environment = True  # an entry of an Fn::If, say
                return usage
            target = entry.node.get("computeEnvironment")
            for alt in target.branches() if target is not None else []:
                if alt is None:
                    continue  # AWS::NoValue
                found = scope.deref(alt, Kind.COMPUTE_ENVIRONMENT)
                if found is not None:
                    usage.named.add(found)
                elif alt.unknown:
                    usage.any_environment = True
                    return usage
                elif alt.text() is not None:  # null, a list: names nothing
                    usage.by_name = True
    return usage


def _name_unknown(ce: Resource) -> bool:
    """Whether the environment's physical name may be one a literal entry names: unknown, but
    written (a generated name cannot be known in advance)."""
    name = ce.props.get("computeEnvironmentName")
    return name is not None and name.text() is None
