"""A compute environment's launch template lets containers reach the instance role's credentials.

## What it does
Flags a managed compute environment whose launch template (`computeResources.launchTemplate`
or one of its `overrides`, the version the environment uses) allows IMDSv1
(`MetadataOptions.HttpTokens: optional`), or lets IMDSv2 tokens travel more than one network
hop (`HttpPutResponseHopLimit` above 1). An unset `HttpTokens` is flagged only when the
environment's AMI allows IMDSv1 by default: an Amazon Linux 2 image type (`ECS_AL2`,
`ECS_AL2_NVIDIA`, `EKS_AL2`, …) with no custom AMI.

## Why is this bad?
Batch jobs on EC2 run in containers (behind Docker's bridge network by default) on
instances whose instance role (`ecsInstanceRole`) can register container instances, pull
images and write logs. With IMDSv1, any process in any job container can read that role's
credentials with one unauthenticated HTTP request, and an SSRF bug in job code can be turned
into the same request.
With IMDSv2 required and a hop limit of 1, the token response cannot cross the container's
extra network hop, so only processes on the host can use the metadata service; jobs get
their own credentials from their job role instead.

## Example
```yaml
Resources:
  WorkerTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: optional
          HttpPutResponseHopLimit: 2
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
          Version: !GetAtt WorkerTemplate.LatestVersionNumber
```

## Use instead
```yaml
Resources:
  WorkerTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: required
          HttpPutResponseHopLimit: 1
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
          Version: !GetAtt WorkerTemplate.LatestVersionNumber
```

## Known limitations
When `HttpTokens` is unset, the effective setting comes from the AMI and the account: AMIs
registered with `ImdsSupport: v2.0` (the Amazon Linux 2023 ones Batch uses for `ECS_AL2023` and
`EKS_AL2023`) require IMDSv2, and an account-level IMDS default (set with
`ModifyInstanceMetadataDefaults`) can require it for every AMI. Neither can be seen in a
template, so an unset `HttpTokens` is flagged only for the Amazon Linux 2 image types, and not
when `ec2Configuration` is absent (Batch's default image type moved from `ECS_AL2` to
`ECS_AL2023` in January 2026, so it depends on when the environment was created) or a custom
AMI is set (`ImageId`, `imageId`, `imageIdOverride`). An unset hop limit is not flagged either,
although Amazon Linux 2023 AMIs default it to 2. A launch template named by a literal ID or
name that the scan does not declare, or a specific older version, is not read. Blocking the
metadata service another way (an `iptables` rule in the user data) is not seen. The default
version (no `Version`, or `$Default`) is read as the template's data; CloudFormation never
moves it, so after a stack update it still names version 1: name `!GetAtt
Template.LatestVersionNumber` for a fix to reach the instances.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/imds-compute-environments.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html
- https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateInstanceMetadataOptionsRequest.html
- https://docs.aws.amazon.com/batch/latest/userguide/launch-templates.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.launch_templates import UsedTemplate, custom_image, launch_templates_of
from batchlint.model import ComputeEnvironment, Node
from batchlint.rule import Context, Hit, Severity, rule

# image types whose Batch-provided AMIs allow IMDSv1 unless told otherwise (no ImdsSupport v2.0)
_IMDSV1_IMAGES = frozenset({"ECS_AL1", "ECS_AL2", "ECS_AL2_NVIDIA", "EKS_AL2", "EKS_AL2_NVIDIA"})
_FIX = "set HttpTokens to required and HttpPutResponseHopLimit to 1"


@rule(
    code="BL-CE-024",
    name="launch-template-imdsv1-allowed",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Set MetadataOptions HttpTokens to required and HttpPutResponseHopLimit to 1",
    security_severity=6.5,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    for used in launch_templates_of(ctx.scope, ce):
        hit = _finding(ce, used)
        if hit is not None:
            yield hit


def _finding(ce: ComputeEnvironment, used: UsedTemplate) -> Hit | None:
    options = used.data.get("MetadataOptions")
    if options is not None and options.unknown:
        return None
    endpoint = options.get("HttpEndpoint") if options is not None else None
    if endpoint is not None and (endpoint.text() or "disabled").strip().lower() == "disabled":
        return None  # no metadata service at all (or unknown: it may be off)
    tokens = options.get("HttpTokens") if options is not None else None
    hop = options.get("HttpPutResponseHopLimit") if options is not None else None
    hops = hop.number() if hop is not None else None
    where = f"Compute environment launches instances from launch template {used.template.address}"
    steal = "any container can read the instance role's credentials from the metadata service"
    if tokens is not None:
        value = tokens.text()
        if value is not None and value.strip().lower() == "optional":
            more = f" with a hop limit of {hops:g}" if hops is not None and hops > 1 else ""
            return Hit(
                ce,
                f"{where}, which allows IMDSv1 (HttpTokens optional{more}): {steal}; {_FIX}.",
                tokens,
            )
    elif not custom_image(ce, used):
        image = _imdsv1_image(ce)
        if image is not None:
            return Hit(
                ce,
                f"{where}, which leaves HttpTokens unset, so its {image} AMI allows IMDSv1: "
                f"{steal}; {_FIX}.",
                options if options is not None else used.data,
            )
    if hop is not None and hops is not None and hops > 1:
        return Hit(
            ce,
            f"{where}, whose HttpPutResponseHopLimit of {hops:g} lets containers get IMDSv2 "
            "tokens and the instance role's credentials: set it to 1.",
            hop,
        )
    return None


def _imdsv1_image(ce: ComputeEnvironment) -> str | None:
    """The first image type of ``ce`` whose default AMI allows IMDSv1, if any."""
    configs = ce.props.get("computeResources", "ec2Configuration")
    for entry in configs.items() if configs is not None else []:
        node: Node | None = entry.get("imageType")
        value = node.text() if node is not None else None
        if value is not None and value.strip().upper() in _IMDSV1_IMAGES:
            return value.strip().upper()
    return None
