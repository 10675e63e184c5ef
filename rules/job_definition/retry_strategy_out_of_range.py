"""A job definition's retry strategy has a value AWS Batch rejects.

## What it does
Flags, one finding each, in `retryStrategy`:
- `attempts` outside 1–10 (or not a whole number);
- `evaluateOnExit` with more than 5 entries;
- an `evaluateOnExit` entry without an `action`, or with one other than `RETRY` or `EXIT`
  (any case is accepted);
- an `onStatusReason` or `onReason` pattern with anything but letters, numbers, periods,
  colons and white space, an `onExitCode` pattern with anything but digits — each may end
  with one `*` and nowhere else has one — or a pattern longer than 512 characters.

An empty pattern is taken as absent (Terraform state writes `""` for unset fields).

## Why is this bad?
AWS Batch validates the retry strategy when the job definition is registered: the stack or
apply that creates it fails, and no job can use it. Patterns copied from a real status
reason are the usual trap: `Host EC2 (instance i-0abc) terminated.` has parentheses and a
hyphen, which are not allowed; `Host EC2*` matches the same failures.

## Example
```yaml
Resources:
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
          - {Action: RETRY, OnStatusReason: "Host EC2 (instance*"}
          - {Action: EXIT, OnExitCode: "*"}
```

## Use instead
```yaml
Resources:
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
          - {Action: EXIT, OnExitCode: "*"}
```

## Known limitations
The character rules are those the API reference documents and the Terraform provider
enforces (which is why a Terraform plan rarely holds such a value). A retry strategy given
only at `SubmitJob` is not seen. Values unknown until deploy are not checked.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_RetryStrategy.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EvaluateOnExit.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition, Node
from batchlint.retry import (
    CONDITIONS,
    MAX_ATTEMPTS,
    MAX_ENTRIES,
    MIN_ATTEMPTS,
    condition,
    describe,
    pattern_problem,
)
from batchlint.rule import Context, Hit, Severity, rule

_FAILS = "so registering the job definition fails"
_SHOWN = 60  # characters of a pattern quoted in a message


@rule(
    code="BL-JD-012",
    name="retry-strategy-out-of-range",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Keep retryStrategy within what AWS Batch accepts",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    yield from _attempts(jd)
    entries = jd.props.get("retryStrategy", "evaluateOnExit")
    if entries is None or entries.unknown or not isinstance(entries.raw, list):
        return
    items = entries.items()
    if len(items) > MAX_ENTRIES:
        yield Hit(
            jd,
            f"retryStrategy.evaluateOnExit has {len(items)} entries, more than the "
            f"{MAX_ENTRIES} AWS Batch accepts, {_FAILS}: merge entries with patterns that end "
            "in * and drop the rest.",
            entries,
        )
    for index, entry in enumerate(items):
        if entry.known and isinstance(entry.raw, dict):
            yield from _entry(jd, index + 1, entry)


def _attempts(jd: JobDefinition) -> Iterator[Hit]:
    attempts = jd.props.get("retryStrategy", "attempts")
    value = attempts.number() if attempts is not None else None
    if attempts is None or value is None:
        return
    if MIN_ATTEMPTS <= value <= MAX_ATTEMPTS and value.is_integer():
        return
    yield Hit(
        jd,
        f"retryStrategy.attempts is {value:g}, not a whole number from {MIN_ATTEMPTS} to "
        f"{MAX_ATTEMPTS} as AWS Batch requires, {_FAILS}: set it between {MIN_ATTEMPTS} and "
        f"{MAX_ATTEMPTS}.",
        attempts,
    )


def _entry(jd: JobDefinition, number: int, entry: Node) -> Iterator[Hit]:
    where = f"retryStrategy.evaluateOnExit entry {number}"
    action = entry.get("action")
    if action is None or (action.known and action.raw in (None, "")):
        written = describe(entry)
        yield Hit(
            jd,
            f"{where}{f' ({written})' if written else ''} has no action, which AWS Batch "
            f"requires, {_FAILS}: add action RETRY or EXIT.",
            entry,
        )
    else:
        text = action.text()
        if text is not None and text.strip().upper() not in ("RETRY", "EXIT"):
            yield Hit(
                jd,
                f'{where} has action "{_short(text)}", which AWS Batch does not accept, '
                f"{_FAILS}: use RETRY or EXIT.",
                action,
            )
    for key in CONDITIONS:
        node = condition(entry, key)
        pattern = node.text() if node is not None else None
        if node is None or pattern is None:
            continue
        problem = pattern_problem(key, pattern)
        if problem is not None:
            yield Hit(
                jd,
                f'{where} {key} "{_short(pattern)}" {problem}, {_FAILS}: match a shorter '
                "prefix that ends with * instead.",
                node,
            )


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
