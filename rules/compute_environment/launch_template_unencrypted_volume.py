"""A compute environment's launch template maps EBS volumes without encryption.

## What it does
Flags each block device mapping of a compute environment's launch template
(`computeResources.launchTemplate` or one of its `overrides`, the version the environment
uses) whose `Ebs` volume sets `Encrypted` to false (`false` and `"false"` alike), or leaves it
unset when the volume starts empty or from Batch's default AMI: no `SnapshotId`, no
`KmsKeyId`, and no custom AMI (`ImageId`, `imageId`, `imageIdOverride`).

## Why is this bad?
Batch instances keep job inputs, intermediate files and container images on these volumes
(the root volume holds Docker's storage). Unencrypted, that data sits in plain text on the
volume and in every snapshot of it, outside the control of a KMS key policy. Encryption costs
nothing extra and has no noticeable performance impact.

An unset `Encrypted` gives an unencrypted volume unless EBS encryption by default is turned
on for the account and region. A volume made from a snapshot instead takes that snapshot's
encryption (and a custom AMI's mappings their snapshots'), which cannot be seen here, so those
are flagged only when `Encrypted` is written false.

## Example
```yaml
Resources:
  WorkerTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs:
              VolumeSize: 200
              VolumeType: gp3
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        LaunchTemplate:
          LaunchTemplateId: !Ref WorkerTemplate
          Version: $Latest
```

## Use instead
```yaml
Resources:
  WorkerTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs:
              VolumeSize: 200
              VolumeType: gp3
              Encrypted: true
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        LaunchTemplate:
          LaunchTemplateId: !Ref WorkerTemplate
          Version: $Latest
```

## Known limitations
EBS encryption by default is an account and region setting that a template cannot show: with it
on, a volume that leaves `Encrypted` unset is encrypted anyway, and this rule's finding for it
is moot (set `Encrypted: true` to make the template say so). Only launch templates declared in
the scanned file are read; one named by a literal ID or name from elsewhere, or a specific
older version, is not. Volumes Batch creates without a launch template (the default AMI's root
volume) are not checked. The default version (no `Version`, or `$Default`) is read as the
template's data; CloudFormation never moves it, so after a stack update it still names version
1: name `!GetAtt Template.LatestVersionNumber` for a fix to reach the instances.

## References
- https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html
- https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html
- https://docs.aws.amazon.com/batch/latest/userguide/launch-templates.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.launch_templates import custom_image, launch_templates_of
from batchlint.model import ComputeEnvironment, Node
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-026",
    name="launch-template-unencrypted-volume",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Set Encrypted to true on the launch template's EBS volumes",
    security_severity=4.0,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    for used in launch_templates_of(ctx.scope, ce):
        custom = None  # worked out once per template, when an unset Encrypted needs it
        for mapping in used.data.each("BlockDeviceMappings"):
            ebs = mapping.get("Ebs")
            if ebs is None or ebs.unknown or not isinstance(ebs.raw, dict):
                continue
            device = _device(mapping)
            where = (
                f"Compute environment launches instances from launch template "
                f"{used.template.address}, which maps {device} to"
            )
            encrypted = ebs.get("Encrypted")
            if encrypted is not None:
                if encrypted.flag() is False:
                    yield Hit(
                        ce,
                        f"{where} an unencrypted EBS volume (Encrypted false): set Encrypted "
                        "to true.",
                        encrypted,
                    )
                continue
            if ebs.get("SnapshotId") is not None or ebs.get("KmsKeyId") is not None:
                continue  # a snapshot's encryption is inherited; a KMS key asks for it
            if custom is None:
                custom = custom_image(ce, used)
            if custom:
                continue
            yield Hit(
                ce,
                f"{where} an EBS volume that leaves Encrypted unset, unencrypted unless EBS "
                "encryption by default is on for the account: set Encrypted to true.",
                ebs,
            )


def _device(mapping: Node) -> str:
    name = mapping.get("DeviceName")
    value = name.text() if name is not None else None
    return value.strip() if value else "a device"
