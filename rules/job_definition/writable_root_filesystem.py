"""A container of a job definition can write to its root file system.

## What it does
Flags every container whose root file system is writable: `readonlyRootFilesystem` absent
(the default is false) or false in `containerProperties`, each node range's container and ECS
task containers, and EKS containers and init containers whose
`securityContext.readOnlyRootFilesystem` is absent or false. The boolean and the string
`"true"` alike; an `Fn::If` counts only when its branches agree, and an unknown value stays
silent. One finding per container.

## Why is this bad?
A process that can write anywhere in the image can replace its binaries, libraries and
configuration: an attacker who gets code execution through the job's input or a dependency
can persist in the container, plant tools and tamper with what the job reports. A read-only
root also catches jobs that quietly write large scratch files into the container layer, which
fills the instance's Docker storage and fails other jobs placed on it.

This is hardening advice, and most job definitions do not follow it yet: it is a note.

## Example
```yaml
Resources:
  Transform:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/transform:1.4.2
        Command: [python, /app/transform.py, --work-dir, /scratch]
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "8192"}
```

## Use instead
Set the root read-only and give every path the job writes to a volume of its own:
- EC2: a Docker volume (a `volumes` entry with no `host`, mounted with `mountPoints`) for
  scratch space on the instance's disk, or `linuxParameters.tmpfs` for small files in memory
  (`/tmp`).
- Fargate: a `volumes` entry with no `host` mounted with `mountPoints` (it uses the task's
  ephemeral storage; `tmpfs` is not available on Fargate).
- EKS: an `emptyDir` volume mounted with `volumeMounts` (`medium: Memory` for a tmpfs).
- Large or shared data: EFS (`efsVolumeConfiguration`) or FSx mounts.

Common paths to cover: `/tmp`, `/var/tmp`, the home directory, and tool caches (`~/.cache`,
pip's and conda's).

```yaml
Resources:
  Transform:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/transform:1.4.2
        Command: [python, /app/transform.py, --work-dir, /scratch]
        ReadonlyRootFilesystem: true
        ResourceRequirements:
          - {Type: VCPU, Value: "4"}
          - {Type: MEMORY, Value: "8192"}
        Volumes:
          - Name: scratch
        MountPoints:
          - {SourceVolume: scratch, ContainerPath: /scratch}
        LinuxParameters:
          Tmpfs:
            - {ContainerPath: /tmp, Size: 1024}
```

## Known limitations
Whether the job really writes outside its mounts is not known from the template: turning
the root read-only without giving those paths a volume makes the job fail with "Read-only
file system", so test it. A `SubmitJob` override cannot change the setting.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EksContainerSecurityContext.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html
- https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-5
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-027",
    name="writable-root-filesystem",
    severity=Severity.NOTE,
    tags=("security",),
    fix="Set readonlyRootFilesystem to true and mount volumes for the paths the job writes",
    security_severity=3.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        if not isinstance(container.node.raw, dict):
            continue  # not a container at all: nothing to say about its settings
        if container.is_eks:
            path: tuple[str, ...] = ("securityContext", "readOnlyRootFilesystem")
        else:
            path = ("readonlyRootFilesystem",)
        node = container.node.get(*path)
        if node is None:
            how = f"{path[-1]} is not set"
        elif node.flag() is False:
            how = f"{path[-1]} is false"
        else:
            continue  # true, or unknown
        label = container.label
        mount = "an emptyDir volume" if container.is_eks else "a volume or tmpfs"
        yield Hit(
            jd,
            f"{label[:1].upper()}{label[1:]} has a writable root file system ({how}): set "
            f"{'.'.join(path)} to true and mount {mount} for the paths the job writes.",
            node or container.node,
        )
