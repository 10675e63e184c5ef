"""A job definition runs a privileged container.

## What it does
Flags every container of a job definition that sets `privileged` to true (the boolean or the
string `"true"`, any case): `containerProperties`, each node range's container, ECS task
containers (also inside node ranges), and EKS containers and init containers
(`securityContext.privileged`). An `Fn::If` whose branches are both true counts. One finding
per privileged container.

## Why is this bad?
A privileged container gets every Linux capability and access to all of the host's
devices: a process in it — the job's code, a compromised dependency, a malicious input —
can load kernel modules, read other containers' memory and files, and take over the
instance, its instance role and every job scheduled on it.

## Example
```yaml
Resources:
  Ingest:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        Privileged: true
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  Ingest:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        LinuxParameters:
          Devices:
            - {HostPath: /dev/fuse, Permissions: [READ, WRITE]}
```

## Known limitations
Only the job definition is read: a `SubmitJob` override cannot make a container privileged,
so nothing is missed there, but a definition kept privileged on purpose (Docker-in-Docker
build jobs) needs a suppression.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EksContainerSecurityContext.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-004",
    name="privileged-container",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Remove privileged; grant only the devices or capabilities the job needs",
    security_severity=7.5,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        if container.is_eks:
            node = container.node.get("securityContext", "privileged")
            field = "securityContext.privileged"
        else:
            node = container.node.get("privileged")
            field = "privileged"
        if node is None or node.flag() is not True:
            continue
        yield Hit(
            jd,
            f"{container.label[:1].upper()}{container.label[1:]} runs privileged, with every "
            "capability and all host devices, "
            "so code in it can take over the instance and the other jobs on it: remove "
            f"{field} and grant only the devices or capabilities the job needs.",
            node,
        )
