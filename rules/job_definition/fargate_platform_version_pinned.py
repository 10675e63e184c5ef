"""A Fargate job definition pins a Fargate platform version instead of LATEST.

## What it does
Flags `containerProperties.fargatePlatformConfiguration.platformVersion`, or an ECS task's
`platformVersion` (`ecsProperties.taskProperties[]`), of a job definition whose
`platformCapabilities` include `FARGATE` when it is set to anything but `LATEST`. Leaving it
out means `LATEST` and is not flagged; an unknown value stays silent.

## Why is this bad?
A platform version fixes the Fargate runtime (kernel, container runtime, agent) the jobs run
on. AWS patches a version with new revisions, but a pinned job definition never moves to a
newer version: it misses the security and runtime changes that only a new version brings,
and its jobs stop launching when AWS retires the version, as it has retired `1.0.0` to
`1.2.0` and is retiring `1.3.0` (which also lacks EFS volumes and ephemeral storage sizing).
`LATEST` follows the current version (`1.4.0` today) without a template change.

## Example
```yaml
Resources:
  Nightly:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/batch-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        FargatePlatformConfiguration:
          PlatformVersion: 1.3.0
```

## Use instead
```yaml
Resources:
  Nightly:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/batch-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        FargatePlatformConfiguration:
          PlatformVersion: LATEST
```

## Known limitations
A version pinned on purpose (to hold a known-good runtime while testing a new one) needs a
suppression. Whether the pinned version is the newest one today is not checked: a pin stays
behind at the next release all the same.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_FargatePlatformConfiguration.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-versions-retired.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition
from batchlint.platforms import fargate_tasks
from batchlint.rule import Context, Hit, Severity, rule

# the current Fargate Linux platform version, which LATEST stands for
CURRENT = (1, 4, 0)


@rule(
    code="BL-JD-022",
    name="fargate-platform-version-pinned",
    severity=Severity.NOTE,
    tags=("security", "operability"),
    fix="Set the Fargate platformVersion to LATEST",
    security_severity=2.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for task in fargate_tasks(jd):
        node = task.node.member(*task.version_path)
        value = node.text() if node is not None else None
        if node is None or not value or value.strip().upper() == "LATEST":
            continue
        field = ".".join(task.version_path)
        yield Hit(
            jd,
            f"Fargate job definition pins {task.label} to Fargate platform version {value} "
            f"({field}), {_why(value.strip())}: set it to LATEST or remove it.",
            node,
        )


def _why(version: str) -> str:
    """What the pin costs: an old version is being retired, any other one falls behind."""
    parts = version.split(".")
    if all(p.isdigit() for p in parts) and len(parts) <= 3:
        number = tuple(int(p) for p in parts) + (0,) * (3 - len(parts))
        if number < CURRENT:
            return (
                "an old version that AWS has deprecated or retired (it lacks what "
                f"{'.'.join(map(str, CURRENT))} added, such as EFS volumes), so its jobs cannot "
                "launch once it is retired"
            )
    return (
        "so its jobs miss the changes of every newer version and stop launching when AWS "
        "retires this one"
    )
