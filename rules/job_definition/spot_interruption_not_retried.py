"""A job definition that runs on Spot exits, instead of retrying, when its host is reclaimed.

## What it does
In a template or plan with Spot capacity (a compute environment of type `SPOT` or
`FARGATE_SPOT`), flags a job definition with 2 or more attempts whose
`retryStrategy.evaluateOnExit`, evaluated the way AWS Batch does, ends with `EXIT` for a
Spot reclamation — a failure whose status reason is
`Host EC2 (instance i-0123456789abcdef0) terminated.`, with no exit code and no reason.

AWS Batch tries the entries in order; the first whose conditions all match decides
(`onStatusReason` and `onReason` are globs that may end with `*`, `onExitCode` is digits
that may end with `*`); when none matches, the job is retried. An entry with `onExitCode`
never matches a reclaimed host (there is no exit code), and `onReason` matches only as `*`.

## Why is this bad?
The common catch-all `{action: EXIT, onReason: "*"}` — the one the AWS documentation shows —
also catches Spot reclamations, so the attempts you configured are never used for the
failure Spot makes most likely: the job fails after a two-minute warning and has to be
resubmitted by hand or by the pipeline.

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
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Render:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "2"}
          - {Type: MEMORY, Value: "4096"}
      RetryStrategy:
        Attempts: 3
        EvaluateOnExit:
          - {Action: RETRY, OnReason: "CannotPullContainerError*"}
          - {Action: EXIT, OnReason: "*"}
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
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Render:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "2"}
          - {Type: MEMORY, Value: "4096"}
      RetryStrategy:
        Attempts: 3
        EvaluateOnExit:
          - {Action: RETRY, OnStatusReason: "Host EC2*"}
          - {Action: RETRY, OnReason: "CannotPullContainerError*"}
          - {Action: EXIT, OnReason: "*"}
```

## Known limitations
Any Spot compute environment in the same template or plan counts; which queues the job is
submitted to is not known from the definition. Fargate Spot reports its interruptions with
its own status reason, which this rule does not model. A definition without a retry strategy
is `missing-retry-strategy`'s finding, not this one's.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EvaluateOnExit.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import SPOT_TYPES, JobDefinition, Kind, Scope
from batchlint.retry import EXIT, HOST_RECLAIMED, decide, describe
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-002",
    name="spot-interruption-not-retried",
    severity=Severity.WARNING,
    tags=("reliability", "cost"),
    fix='Add {action: RETRY, onStatusReason: "Host EC2*"} as the first evaluateOnExit entry',
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    spot = ctx.scope.cached(("spot_environment",), lambda: _spot_environment(ctx.scope))
    if spot is None:
        return
    attempts = jd.field("retryStrategy", "attempts")
    count = attempts.number() if attempts is not None else None
    if count is None or count < 2:
        return
    entries = jd.props.get("retryStrategy", "evaluateOnExit")
    if entries is None:
        return  # no entries: every failure is retried
    decision = decide(entries, HOST_RECLAIMED)
    if decision.action != EXIT:
        return
    if decision.entry is not None and decision.index is not None:
        which = f"evaluateOnExit entry {decision.index + 1} ({describe(decision.entry)})"
    else:
        which = "evaluateOnExit"
    yield Hit(
        jd,
        f"{which} exits when a Spot host is reclaimed (status reason 'Host EC2 (instance …) "
        f"terminated.', Spot capacity in {spot}), so the job fails on the first reclamation "
        f"despite its {count:g} attempts: add "
        '{action: RETRY, onStatusReason: "Host EC2*"} as the first entry.',
        decision.entry or entries,
    )


def _spot_environment(scope: Scope) -> str | None:
    """The address of a Spot compute environment in scope, if there is one."""
    for ce in scope.of_kind(Kind.COMPUTE_ENVIRONMENT):
        kind = ce.field("computeResources", "type")
        if kind is not None and (kind.text() or "").upper() in SPOT_TYPES:
            return ce.address
    return None
