"""A container of a job definition runs as root, or may.

## What it does
Flags every container that runs as root, or does not say which user it runs as:
- `containerProperties`, node ranges' containers and ECS task containers: `user` absent, or a
  root user (`root`, `0`, `0:0`, `root:root`: any `user[:group]` whose user is `root` or UID 0);
- EKS containers and init containers: `securityContext.runAsUser` is 0, or `runAsUser` is
  absent and `securityContext.runAsNonRoot` is not true. `runAsNonRoot: true` together with
  `runAsUser: 0` contradicts itself (the kubelet refuses to start the container) and is
  flagged as such.

A non-root `user` or `runAsUser` is enough: an EKS container with `runAsUser: 1000` and no
`runAsNonRoot` runs as UID 1000 and is not flagged. Unknown values stay silent. One finding
per container.

## Why is this bad?
Root in the container is root on the instance's kernel: any way out of the container (a
kernel bug, a writable host mount, a granted device or capability) lands as root on the
host, where the other jobs' containers and the instance role's credentials are. As root the
job can also rewrite anything in its image. A non-root user costs nothing when the image does
not need root.

## Example
```yaml
Resources:
  Report:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/report:2.3.0
        User: root
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  Report:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/report:2.3.0
        User: "1000:1000"
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Known limitations
The image is not read: an image whose Dockerfile sets a non-root `USER` runs as that user
even when the job definition sets none, so a container without `user` may be a false
positive — that is why this is a note. Set `user` (or `runAsUser`) explicitly to say so in
the job definition; it also keeps the job non-root if the image changes. A user name other
than `root` is taken as non-root, though an image could give it UID 0.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EksContainerSecurityContext.html
- https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
- https://docs.docker.com/engine/security/#linux-kernel-capabilities
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container, containers
from batchlint.model import JobDefinition, Node
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-028",
    name="container-runs-as-root",
    severity=Severity.NOTE,
    tags=("security",),
    fix="Set a non-root user (user, or EKS securityContext.runAsUser and runAsNonRoot)",
    security_severity=4.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        if not isinstance(container.node.raw, dict):
            continue  # not a container at all: nothing to say about its settings
        found = _eks(container) if container.is_eks else _ecs(container)
        if found is None:
            continue
        what, node = found
        label = container.label
        yield Hit(jd, f"{label[:1].upper()}{label[1:]} {what}.", node)


def _ecs(container: Container) -> tuple[str, Node] | None:
    user = container.node.get("user")
    # an Fn::If counts when its branches agree: "root" and "0" are both root
    kinds = {_user_kind(o) for o in user.outcomes()} if user is not None else {"absent"}
    if len(kinds) != 1:
        return None  # unknown, or the branches differ
    kind = kinds.pop()
    if kind == "absent":
        return (
            "sets no user, so it runs as the image's user, root unless the image says "
            'otherwise: set user to a non-root UID ("1000:1000")',
            user or container.node,
        )
    if kind != "root" or user is None:
        return None
    value = user.text()
    written = f'user "{value}"' if value is not None else "user is root in every branch"
    return f'runs as root ({written}): set user to a non-root UID ("1000:1000")', user


def _user_kind(user: Node | None) -> str:
    """absent, root, other (a non-root user) or unknown."""
    if user is None:
        return "absent"
    value = user.text()
    if value is None:
        return "unknown"
    if not value.strip():
        return "absent"
    name = value.strip().split(":", 1)[0].strip()
    if name.isdigit():  # a UID: "00" is 0 too
        return "root" if int(name) == 0 else "other"
    return "root" if name == "root" else "other"


def _eks(container: Container) -> tuple[str, Node] | None:
    context = container.node.get("securityContext")
    user = context.get("runAsUser") if context is not None else None
    non_root = context.get("runAsNonRoot") if context is not None else None
    uid = user.number() if user is not None else None
    if user is not None and uid is None:
        return None  # unknown
    if uid is not None and uid != 0:
        return None
    if user is not None:  # runAsUser: 0
        if non_root is not None and non_root.flag() is True:
            return (
                "sets runAsNonRoot to true and runAsUser to 0, which contradict each other "
                "and stop the kubelet from starting it: set runAsUser to a non-root UID",
                user,
            )
        return "runs as root (runAsUser is 0): set runAsUser to a non-root UID", user
    # no runAsUser: the image's user applies, unless runAsNonRoot makes the kubelet check
    if non_root is not None:
        flag = non_root.flag()
        if flag is True or flag is None:
            return None  # enforced non-root, or unknown
        how, at = "has runAsNonRoot set to false", non_root
    else:
        how, at = "sets neither runAsUser nor runAsNonRoot", (context or container.node)
    return (
        f"{how}, so it runs as the image's user, root unless the image says otherwise: set "
        "securityContext.runAsUser to a non-root UID and runAsNonRoot to true",
        at,
    )
