"""A fair-share scheduling policy weights nothing, is used by no queue, or has values AWS rejects.

## What it does
Flags a scheduling policy:

- with no share weights: no `fairsharePolicy`, or one without `shareDistribution` entries;
- that no job queue in the file uses as its `schedulingPolicyArn` (checked only when the file
  has job queues and none of them names a scheduling policy batchlint cannot see);
- whose `computeReservation` is outside 0–99 or `shareDecaySeconds` outside 0–604800 (one
  week);
- with a `shareDistribution` entry whose `weightFactor` is outside 0.0001–999.9999, whose
  `shareIdentifier` is empty, longer than 255 characters or has a `*` before its end, or
  whose identifier overlaps another (`teamA*` and `teamA1`).

Each problem is a finding of its own.

## Why is this bad?
A fair-share policy exists to split a queue's capacity between share identifiers by weight.
Without a share distribution every identifier weighs the same 1.0, which is rarely what the
policy was written for; a policy no queue uses schedules nothing at all, and the queue meant to
use it runs first-in, first-out. Values out of AWS Batch's bounds make `CreateSchedulingPolicy`
fail, so the deployment stops.

## Example
```yaml
Resources:
  FairShare:
    Type: AWS::Batch::SchedulingPolicy
    Properties:
      Name: research
      FairsharePolicy:
        ShareDecaySeconds: 3600
        ComputeReservation: 10
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      SchedulingPolicyArn: !Ref FairShare
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: arn:aws:batch:us-east-1:123456789012:compute-environment/ondemand
```

## Use instead
```yaml
Resources:
  FairShare:
    Type: AWS::Batch::SchedulingPolicy
    Properties:
      Name: research
      FairsharePolicy:
        ShareDecaySeconds: 3600
        ComputeReservation: 10
        ShareDistribution:
          - ShareIdentifier: genomics
            WeightFactor: 0.5
          - ShareIdentifier: imaging*
            WeightFactor: 1
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      SchedulingPolicyArn: !Ref FairShare
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: arn:aws:batch:us-east-1:123456789012:compute-environment/ondemand
```

## Known limitations
Equal weights are sometimes what is wanted: suppress the finding for such a policy. A policy
with a `quotaSharePolicy` (quota management for service environments) is not checked for share
weights. The use check cannot see queues in other stacks or files: a policy shared with them is
reported if the file has queues of its own that do not use it.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_FairsharePolicy.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ShareAttributes.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_scheduling.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from batchlint.model import Kind, Node, SchedulingPolicy, Scope
from batchlint.rule import Context, Hit, Severity, rule

_RESERVATION = (0.0, 99.0)
_DECAY = (0.0, 604800.0)
_WEIGHT = (0.0001, 999.9999)
# "limited to 255 alphanumeric characters, and can be followed by an asterisk (*)": only the
# length and the asterisk are checked, as identifiers with "-" or "_" are common and accepted
_IDENTIFIER = re.compile(r"[^*]{0,255}\*|[^*]{1,255}")


@rule(
    code="BL-SP-001",
    name="fair-share-policy-ineffective",
    severity=Severity.WARNING,
    tags=("reliability",),
    fix="Weight the share identifiers, attach the policy to a queue, keep values in bounds",
)
def check(policy: SchedulingPolicy, ctx: Context) -> Iterator[Hit]:
    fairshare = policy.props.get("fairsharePolicy")
    yield from _no_weights(policy, fairshare)
    yield from _unused(policy, ctx.scope)
    if fairshare is None or fairshare.unknown:
        return
    yield from _bounds(
        policy, fairshare.get("computeReservation"), "computeReservation", _RESERVATION
    )
    yield from _bounds(policy, fairshare.get("shareDecaySeconds"), "shareDecaySeconds", _DECAY)
    yield from _shares(policy, fairshare.each("shareDistribution"))


def _no_weights(policy: SchedulingPolicy, fairshare: Node | None) -> Iterator[Hit]:
    if fairshare is None or (fairshare.known and fairshare.raw is None):
        quota = policy.props.get("quotaSharePolicy")
        if quota is not None and (quota.unknown or quota.raw is not None):
            return  # a quota-share policy: no fair-share weights to expect
        yield Hit(
            policy,
            "Scheduling policy has no fairsharePolicy, so every share identifier gets the same "
            "weight (1.0): add a fairsharePolicy whose shareDistribution weights the share "
            "identifiers your jobs use.",
        )
        return
    shares = fairshare.get("shareDistribution")
    if fairshare.unknown or (
        shares is not None and (shares.unknown or shares.raw not in (None, []))
    ):
        return
    yield Hit(
        policy,
        "Scheduling policy's fairsharePolicy has no shareDistribution, so every share "
        "identifier gets the same weight (1.0): list the share identifiers your jobs use with "
        "their weightFactor.",
        shares if shares is not None else fairshare,
    )


def _unused(policy: SchedulingPolicy, scope: Scope) -> Iterator[Hit]:
    queues = scope.of_kind(Kind.JOB_QUEUE)
    if not queues or scope.referrers(policy, Kind.JOB_QUEUE, "schedulingPolicyArn"):
        return
    for queue in queues:
        arn = queue.props.get("schedulingPolicyArn")
        if arn is None or (arn.known and arn.raw is None):
            continue
        if scope.deref(arn, Kind.SCHEDULING_POLICY) is None:
            return  # names a policy batchlint cannot resolve: it may be this one
    which = (
        f"is used by none of the {len(queues)} job queues"
        if len(queues) > 1
        else "is not used by the job queue"
    )
    yield Hit(
        policy,
        f"Scheduling policy {which} in this {scope.noun} (as schedulingPolicyArn), so it "
        "schedules "
        "nothing: attach it to the queue it was written for, or remove it.",
    )


def _bounds(
    policy: SchedulingPolicy, node: Node | None, name: str, bounds: tuple[float, float]
) -> Iterator[Hit]:
    value = node.number() if node is not None else None
    low, high = bounds
    if value is None or low <= value <= high:
        return
    yield Hit(
        policy,
        f"Scheduling policy sets {name} to {_num(value)}, outside the {_num(low)} to "
        f"{_num(high)} AWS Batch accepts, so the policy cannot be created: use a value in that "
        "range.",
        node,
    )


def _shares(policy: SchedulingPolicy, shares: list[Node]) -> Iterator[Hit]:
    seen: list[str] = []
    low, high = _WEIGHT
    for share in shares:
        ident_node = share.get("shareIdentifier")
        ident = ident_node.text() if ident_node is not None else None
        weight_node = share.get("weightFactor")
        weight = weight_node.number() if weight_node is not None else None
        if weight is not None and not low <= weight <= high:
            yield Hit(
                policy,
                f"Scheduling policy gives share identifier {_shown(ident)} a weightFactor of "
                f"{_num(weight)}, outside the {_num(low)} to {_num(high)} AWS Batch accepts, so "
                "the policy cannot be created: use a weight in that range.",
                weight_node,
            )
        if ident is None:
            continue
        if not ident or not _IDENTIFIER.fullmatch(ident):
            yield Hit(
                policy,
                f"Scheduling policy's share identifier {_shown(ident)} is not 1 to 255 "
                "characters with an optional trailing '*', so the policy cannot be created: "
                "rename it.",
                ident_node,
            )
        else:
            other = next((s for s in seen if _overlap(s, ident)), None)
            if other is not None:
                yield Hit(
                    policy,
                    f"Scheduling policy's share identifiers {_shown(other)} and {_shown(ident)} "
                    "overlap, which AWS Batch rejects: give each share identifier or prefix "
                    "one entry.",
                    ident_node,
                )
            seen.append(ident)


def _overlap(a: str, b: str) -> bool:
    """Whether two share identifiers (a trailing ``*`` makes a prefix) can match one share."""
    if a == b:
        return True
    return _covers(a, b) or _covers(b, a)


def _covers(prefix: str, ident: str) -> bool:
    # a lone "*" is left alone: whether AWS takes it as a catch-all is not documented
    return len(prefix) > 1 and prefix.endswith("*") and ident.startswith(prefix[:-1])


def _num(value: float) -> str:
    return f"{value:.10g}"  # 999.9999 stays 999.9999


def _shown(ident: str | None) -> str:
    if ident is None:
        return "(unknown)"
    return repr(ident if len(ident) <= 40 else ident[:40] + "…")
