"""A Fargate job definition uses a setting that only EC2 supports.

## What it does
Flags a job definition whose `platformCapabilities` include `FARGATE` and that sets, in
`containerProperties` or an ECS task (`ecsProperties.taskProperties[]`) and its containers:

| Setting | Why Fargate refuses it |
|---|---|
| `privileged: true` (`false` is fine) | no privileged containers |
| `linuxParameters.devices` | no host devices |
| `linuxParameters.maxSwap` (but `0`), `linuxParameters.swappiness` | no swap |
| `linuxParameters.sharedMemorySize` | no `/dev/shm` sizing |
| `linuxParameters.tmpfs` | no tmpfs mounts |
| `ulimits` (`containerProperties` only) | not applicable to Fargate jobs |
| a `GPU` entry in `resourceRequirements` | no GPUs |
| a volume with `host.sourcePath` | no host paths |
| `nodeProperties` | no multi-node parallel jobs |
| a `logConfiguration.logDriver` but `awslogs`, `splunk`, `awsfirelens` | no other drivers |

One finding per setting and container (or task, for volumes), pointing at the setting. An
unknown value, or an `Fn::If` with a branch that does not set it, stays silent.

## Why is this bad?
Fargate runs each job as a task on infrastructure you do not manage, and does not offer these
host-level settings: AWS rejects the job definition, or every job submitted with it fails.
The deploy fails, or the jobs never run.

## Example
```yaml
Resources:
  Render:
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
        LinuxParameters:
          SharedMemorySize: 1024
```

## Use instead
```yaml
Resources:
  Render:
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
        LinuxParameters:
          InitProcessEnabled: true
```

## Known limitations
The AWS Batch documentation restricts Fargate jobs to the `awslogs` and `splunk` log drivers,
while Amazon ECS on Fargate also offers `awsfirelens` (used with an ECS task's FireLens log
router): `awsfirelens` is not flagged. `ulimits` of ECS task containers are not flagged, as
Amazon ECS on Fargate accepts them (`nofile`). EKS job definitions do not use
`platformCapabilities` and are not checked; containers inside `nodeProperties` are not
checked one by one, as `nodeProperties` itself is flagged.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/fargate-job-definitions.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_LinuxParameters.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_LogConfiguration.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EcsTaskProperties.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container
from batchlint.model import JobDefinition, Node
from batchlint.platforms import FargateTask, fargate_tasks, is_fargate, written
from batchlint.rule import Context, Hit, Severity, rule

_ON_EC2 = "or run the job on EC2 (platformCapabilities EC2)"
# linuxParameters members Fargate does not offer, with the fix for each
_LINUX: dict[str, str] = {
    "devices": f"remove the devices {_ON_EC2}",
    "maxSwap": f"remove it, as Fargate tasks have no swap, {_ON_EC2}",
    "swappiness": f"remove it, as Fargate tasks have no swap, {_ON_EC2}",
    "sharedMemorySize": f"remove it {_ON_EC2}",
    "tmpfs": f"write to the task's ephemeral storage instead, {_ON_EC2}",
}
LOG_DRIVERS = ("awslogs", "splunk", "awsfirelens")


@rule(
    code="BL-JD-019",
    name="fargate-ec2-only-job-fields",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Remove the settings Fargate does not support, or run the job on EC2",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    if not is_fargate(jd):
        return
    nodes = jd.props.get("nodeProperties")
    if nodes is not None and written(nodes):
        yield Hit(
            jd,
            "Fargate job definition sets nodeProperties, but Fargate does not run multi-node "
            "parallel jobs, so AWS rejects the definition or fails its jobs: run it on EC2 "
            "(platformCapabilities EC2) or make it a single-node job.",
            nodes,
        )
    for task in fargate_tasks(jd):
        for container in task.containers:
            for field, node, fix in _container_fields(container, task):
                yield _hit(jd, field, container.label, node, fix)
        yield from _host_volumes(jd, task)


def _container_fields(container: Container, task: FargateTask) -> Iterator[tuple[str, Node, str]]:
    """(setting, value, fix) of each setting of ``container`` that Fargate does not offer."""
    node = container.node
    privileged = node.get("privileged")
    if privileged is not None and privileged.flag() is True:
        yield "privileged", privileged, "remove privileged or set it to false"
    for key, fix in _LINUX.items():
        value = node.member("linuxParameters", key)
        if value is None or not written(value):
            continue
        if key == "maxSwap" and value.number() == 0:
            continue  # no swap at all: what Fargate gives anyway
        yield f"linuxParameters.{key}", value, fix
    ulimits = node.get("ulimits")
    if not task.is_ecs and ulimits is not None and written(ulimits):
        yield "ulimits", ulimits, f"remove them {_ON_EC2}"
    for entry in node.each("resourceRequirements"):
        kind, value = entry.get("type"), entry.get("value")
        name = kind.text() if kind is not None else None
        count = value.number() if value is not None else None
        if name is not None and name.strip().upper() == "GPU" and count != 0:
            what = (
                f"a GPU requirement ({count:g} GPU)" if count is not None else "a GPU requirement"
            )
            yield (
                what,
                value or entry,
                "remove it, or run the job on EC2 GPU instances (platformCapabilities EC2)",
            )
    driver = node.member("logConfiguration", "logDriver")
    name = driver.text() if driver is not None else None
    if driver is not None and name and name.strip().lower() not in LOG_DRIVERS:
        yield (
            f"logConfiguration.logDriver {name}",
            driver,
            "use awslogs, splunk or awsfirelens",
        )


def _host_volumes(jd: JobDefinition, task: FargateTask) -> Iterator[Hit]:
    """One finding for the volumes of ``task`` that name a host path."""
    found: list[tuple[str, Node]] = []
    for volume in task.node.each("volumes"):
        path = volume.member("host", "sourcePath")
        text = path.text() if path is not None else None
        if path is None or not text:
            continue
        name = volume.get("name")
        label = name.text() if name is not None else None
        found.append((f'"{label}" ({text})' if label else text, path))
    if not found:
        return
    noun = "volume" if len(found) == 1 else "volumes"
    names = ", ".join(what for what, _ in found)
    yield _hit(
        jd,
        f"host.sourcePath in {noun} {names}",
        task.label,
        found[0][1],
        f"use an EFS volume or a volume without host.sourcePath instead, {_ON_EC2}",
    )


def _hit(jd: JobDefinition, field: str, label: str, at: Node, fix: str) -> Hit:
    return Hit(
        jd,
        f"Fargate job definition sets {field} on {label}, which Fargate does not support, so "
        f"AWS rejects the definition or fails its jobs: {fix}.",
        at,
    )
