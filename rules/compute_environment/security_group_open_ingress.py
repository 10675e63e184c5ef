"""A compute environment's security group allows inbound traffic from anywhere.

## What it does
Flags each ingress rule from `0.0.0.0/0` or `::/0` on a security group of a compute
environment (`computeResources.securityGroupIds`): rules written inline in the group
(`SecurityGroupIngress`) and separate ingress resources that attach to it.

## Why is this bad?
Batch instances and Fargate tasks only need outbound access. An ingress rule open to the
internet exposes whatever listens on them (SSH, the Docker daemon, a debugging server in a job
container) to scanning and brute force as soon as an instance has a public address, and it
spreads to every other resource that shares the group.

## Example
```yaml
Resources:
  BatchSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Batch instances
      VpcId: vpc-0123456789abcdef0
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
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
        SecurityGroupIds: [!GetAtt BatchSecurityGroup.GroupId]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  BatchSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Batch instances, outbound only
      VpcId: vpc-0123456789abcdef0
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
        SecurityGroupIds: [!GetAtt BatchSecurityGroup.GroupId]
        InstanceRole: ecsInstanceRole
```
Use AWS Systems Manager Session Manager instead of SSH, and allow ingress from a narrower
range or another security group when something must connect.

## Known limitations
Only security groups declared in the scanned file are checked. Security groups and network
interfaces set in a launch template are not read, nor are prefix lists.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/security-groups.html
- https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment
from batchlint.network import open_ingress, security_groups_of
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-005",
    name="security-group-open-ingress",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Remove the ingress rule or narrow its source",
    security_severity=7.5,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    seen: set[str] = set()
    for entry in security_groups_of(ctx.scope, ce):
        group = entry.target
        if group.address in seen:
            continue
        seen.add(group.address)
        for found in open_ingress(ctx.scope, group):
            where = "" if found.via is group else f" (ingress rule {found.via.address})"
            yield Hit(
                ce,
                f"Security group {group.address} of compute environment {ce.address} allows "
                f"{found.ports} from {found.cidr}{where}: remove the rule or allow only the "
                "sources that need it.",
                found.entry,
            )
