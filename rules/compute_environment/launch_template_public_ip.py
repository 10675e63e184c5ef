"""A compute environment's launch template gives its instances public IP addresses.

## What it does
Flags each network interface of a compute environment's launch template
(`computeResources.launchTemplate` or one of its `overrides`, the version the environment
uses) that sets `AssociatePublicIpAddress` to true (`true` and `"true"` alike: the Terraform
provider writes it as a string).

## Why is this bad?
Batch ignores the subnets of a launch template's network interfaces, but not their public IP
setting: every instance gets an address reachable from the internet, whatever its subnet's
`MapPublicIpOnLaunch` says, one security-group change away from exposing whatever listens on
it. Batch instances need outbound access only (to pull images, reach ECS and write logs),
which a NAT gateway or VPC endpoints give without an inbound path. Every public IPv4 address
is also billed by the hour.

## Example
```yaml
Resources:
  WorkerTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        NetworkInterfaces:
          - DeviceIndex: 0
            AssociatePublicIpAddress: true
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
        NetworkInterfaces:
          - DeviceIndex: 0
            AssociatePublicIpAddress: false
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
Only launch templates declared in the scanned file are read; one named by a literal ID or name
from elsewhere, or a specific older version, is not. A network interface that leaves
`AssociatePublicIpAddress` unset takes its subnet's `MapPublicIpOnLaunch`, which the
`compute-environment-public-subnet` rule reads. The default version (no `Version`, or
`$Default`) is read as the template's data; CloudFormation never moves it, so after a stack
update it still names version 1: name `!GetAtt Template.LatestVersionNumber` for a fix to reach
the instances.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/launch-templates.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ec2-launchtemplate-networkinterface.html
- https://aws.amazon.com/vpc/pricing/
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.launch_templates import launch_templates_of
from batchlint.model import ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-025",
    name="launch-template-public-ip",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Remove AssociatePublicIpAddress and use a NAT gateway or VPC endpoints",
    security_severity=5.3,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    for used in launch_templates_of(ctx.scope, ce):
        for index, interface in enumerate(used.data.each("NetworkInterfaces")):
            public = interface.get("AssociatePublicIpAddress")
            if public is None or public.flag() is not True:
                continue
            yield Hit(
                ce,
                f"Compute environment launches instances from launch template "
                f"{used.template.address}, which gives each instance a public IP address "
                f"(NetworkInterfaces[{index}].AssociatePublicIpAddress): remove it and reach the "
                "internet through a NAT gateway or VPC endpoints.",
                public,
            )
