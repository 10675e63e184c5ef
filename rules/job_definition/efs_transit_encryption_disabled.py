"""A job definition mounts an Amazon EFS file system without encryption in transit.

## What it does
Flags every `volumes[].efsVolumeConfiguration` of a job definition — beside
`containerProperties`, beside each node range's container, and on each ECS task of
`ecsProperties` (also inside node ranges) — whose `transitEncryption` is `DISABLED`, written
or left out (`DISABLED` is the API default). An `Fn::If` is flagged when every branch is
`DISABLED` or absent; an unknown value is not flagged.

When the volume also uses an EFS access point (`authorizationConfig.accessPointId`) or EFS IAM
authorization (`authorizationConfig.iam: ENABLED`), AWS requires transit encryption and
rejects the job definition: the message says so.

## Why is this bad?
Without transit encryption the NFS traffic between the instance and the file system — every
file the job reads or writes — crosses the VPC in clear text. EFS can require TLS for every
client with a file system policy (`aws:SecureTransport`), and such a file system refuses the
unencrypted mount, so the jobs fail at start. Access points and IAM authorization only work
over TLS, which is why AWS rejects them without it.

## Example
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        Volumes:
          - Name: shared
            EfsVolumeConfiguration:
              FileSystemId: fs-0123456789abcdef0
        MountPoints:
          - {SourceVolume: shared, ContainerPath: /mnt/shared}
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        Volumes:
          - Name: shared
            EfsVolumeConfiguration:
              FileSystemId: fs-0123456789abcdef0
              TransitEncryption: ENABLED
              AuthorizationConfig:
                AccessPointId: fsap-0123456789abcdef0
                Iam: ENABLED
        MountPoints:
          - {SourceVolume: shared, ContainerPath: /mnt/shared}
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Known limitations
Volumes are flagged whether or not a container mounts them: the agent mounts them for the
job either way, and AWS rejects an access point without encryption either way. EFS file
systems mounted by the instance itself (a launch template's user data) are not visible here.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EFSVolumeConfiguration.html
- https://docs.aws.amazon.com/batch/latest/userguide/efs-volumes.html
- https://docs.aws.amazon.com/efs/latest/ug/encryption-in-transit.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.model import JobDefinition, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.volumes import volumes_of

_DISABLED = "DISABLED"  # the API default


@rule(
    code="BL-JD-034",
    name="efs-transit-encryption-disabled",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Set transitEncryption to ENABLED on the EFS volume",
    security_severity=5.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    seen: set[int] = set()
    for container in containers(jd):
        if container.is_eks:
            continue  # EKS volumes have no efsVolumeConfiguration
        volumes = volumes_of(container)
        if volumes is None or id(volumes) in seen:
            continue  # ECS task containers share their task's volumes
        seen.add(id(volumes))
        owner = container.label if container.layout != "ecs" else container.placement
        for index, volume in enumerate(volumes.items()):
            config = volume.get("efsVolumeConfiguration")
            if config is None or not isinstance(config.raw, dict):
                continue
            setting = config.get("transitEncryption")
            if not _disabled(setting):
                continue
            yield Hit(jd, _message(owner, _name(volume, index), config, setting), setting or config)


def _disabled(setting: Node | None) -> bool:
    """Whether every value ``transitEncryption`` can take is DISABLED (absent included)."""
    if setting is None:
        return True
    outcomes = setting.outcomes()
    if not outcomes:
        return False
    for outcome in outcomes:
        text = outcome.text() if outcome is not None else _DISABLED
        if text is None or text.strip().upper() != _DISABLED:
            return False
    return True


def _message(owner: str, name: str, config: Node, setting: Node | None) -> str:
    how = "DISABLED" if setting is not None else "left out (DISABLED by default)"
    system = config.get("fileSystemId")
    fs = (system.text() or system.ref) if system is not None else None  # an ID, or !Ref FileSystem
    target = f"EFS file system {fs}" if fs else "an EFS file system"
    needs = _needs_tls(config)
    if needs:
        return (
            f"Volume {name} of {owner} mounts {target} with {needs} but with transitEncryption "
            f"{how}, which AWS rejects when the job definition is registered: set "
            "transitEncryption to ENABLED."
        )
    return (
        f"Volume {name} of {owner} mounts {target} with transitEncryption {how}, so file data "
        "crosses the network unencrypted: set transitEncryption to ENABLED."
    )


def _needs_tls(config: Node) -> str:
    """What in the volume's authorizationConfig requires transit encryption, for messages."""
    found = []
    point = config.get("authorizationConfig", "accessPointId")
    if point is not None and (point.text() or (point.unknown and None not in point.outcomes())):
        shown = point.text()
        found.append(f"access point {shown}" if shown else "an access point")
    iam = config.get("authorizationConfig", "iam")
    if iam is not None and (iam.text() or "").strip().upper() == "ENABLED":
        found.append("IAM authorization")
    return " and ".join(found)


def _name(volume: Node, index: int) -> str:
    node = volume.get("name")
    text = node.text() if node is not None else None
    return f'"{text}"' if text else str(index)
