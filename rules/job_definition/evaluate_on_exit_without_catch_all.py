"""A job definition's `evaluateOnExit` has no catch-all entry, so deterministic failures retry.

## What it does
Flags a job definition with 2 or more `retryStrategy.attempts` whose `evaluateOnExit` list has
no entry that catches every application failure: an entry whose conditions are all `*`
(`onExitCode`, `onReason`, `onStatusReason`, whichever it gives) or that gives none.

AWS Batch tries the entries in order, and the first whose conditions all match decides; a
failure that no entry matches is **retried**. `onExitCode: "*"` counts as a catch-all here
even though it does not match a failure without an exit code (a reclaimed Spot host, an image
that cannot be pulled, a container that cannot start): those are infrastructure failures,
and retrying them is usually what you want.

## Why is this bad?
A list such as `[{action: RETRY, onStatusReason: "Host EC2*"}]` reads as "retry only when the
host goes away", but it retries everything else too: a bug, a bad input or a missing
permission fails the same way on every attempt, and each attempt costs a full run (and a
place in the queue) before the job finally fails.

## Example
```yaml
Resources:
  Align:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "8192"}
      RetryStrategy:
        Attempts: 5
        EvaluateOnExit:
          - {Action: RETRY, OnStatusReason: "Host EC2*"}
          - {Action: RETRY, OnExitCode: "137"}
```

## Use instead
```yaml
Resources:
  Align:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "8192"}
      RetryStrategy:
        Attempts: 5
        EvaluateOnExit:
          - {Action: RETRY, OnStatusReason: "Host EC2*"}
          - {Action: RETRY, OnExitCode: "137"}
          - {Action: EXIT, OnExitCode: "*"}
```

## Cost impact
Each useless retry costs a whole attempt: with 5 attempts, a job that fails on a bug runs
five times before it is reported.

## Known limitations
Several entries that together match every failure (say `onExitCode` `1*`, `2*`, …) are not
recognised as a catch-all. A list of entries unknown until deploy keeps the rule silent. A
job definition without `evaluateOnExit` retries every failure by design and is not flagged.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EvaluateOnExit.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition, Node
from batchlint.retry import catches_all
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-013",
    name="evaluate-on-exit-without-catch-all",
    severity=Severity.WARNING,
    tags=("reliability", "cost"),
    fix='End evaluateOnExit with {action: EXIT, onExitCode: "*"}',
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    attempts = jd.field("retryStrategy", "attempts")
    count = attempts.number() if attempts is not None else None
    if count is None or count < 2:
        return  # one attempt: nothing is retried anyway
    entries = jd.props.get("retryStrategy", "evaluateOnExit")
    if entries is None:
        return
    # an Fn::If over the whole list: every outcome must lack a catch-all
    lists = entries.outcomes()
    if not lists or not all(_lacks_catch_all(outcome) for outcome in lists):
        return
    items = entries.items()  # empty for an Fn::If over the list
    if len(items) == 1:
        which = "its entry does"
    else:
        which = f"its {len(items)} entries do" if items else "its entries do"
    yield Hit(
        jd,
        f"retryStrategy.evaluateOnExit has no catch-all entry, so any failure {which} not "
        f"match (an application error, say) is retried, up to {count:g} attempts in all: "
        'end the list with {action: EXIT, onExitCode: "*"} so that deterministic failures '
        "fail fast.",
        items[-1] if items else entries,
    )


def _lacks_catch_all(entries: Node | None) -> bool:
    """True when a known, non-empty list has no entry that catches everything."""
    if entries is None or entries.unknown or not isinstance(entries.raw, list):
        return False
    items = entries.items()
    if not items:
        return False  # no entries: every failure is retried, as without evaluateOnExit
    return all(catches_all(entry) is False for entry in items)
