"""A compute environment's security group allows inbound traffic that batch hosts do not need.

## What it does
Flags each ingress rule of a compute environment's security groups
(`computeResources.securityGroupIds`), inline (`SecurityGroupIngress`) or a separate ingress
resource, whatever its source: a CIDR range, a prefix list or another security group. A
rule from a security group of the environment itself is not flagged (multi-node parallel
jobs need their nodes to reach each other), nor is a rule from anywhere (`0.0.0.0/0`, `::/0`),
which `security-group-open-ingress` (BL-CE-005) reports.

## Why is this bad?
Batch instances and Fargate tasks start their work by pulling it: they reach ECS, ECR, S3
and CloudWatch Logs outbound, and an EFS mount is an outbound connection too (the file
system's security group needs the ingress rule, not the host's). Nothing needs to connect
to them, so every ingress rule only widens what can reach a job's containers (SSH, the
Docker daemon, a debugging port) from the rest of the network, and it spreads to every
other resource that shares the group.

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
          CidrIp: 10.0.0.0/8
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
  # multi-node parallel jobs: the nodes reach each other through the group itself
  NodeToNode:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt BatchSecurityGroup.GroupId
      IpProtocol: "-1"
      SourceSecurityGroupId: !GetAtt BatchSecurityGroup.GroupId
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
Use AWS Systems Manager Session Manager instead of SSH.

## Known limitations
Only security groups declared in the scanned file are checked. Security groups and network
interfaces set in a launch template are not read. An ingress rule that an `Fn::If` may leave
out is not flagged. The default security group of a VPC (`!GetAtt Vpc.DefaultSecurityGroup`)
is not read; it allows ingress only from itself unless changed elsewhere.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/security-groups.html
- https://docs.aws.amazon.com/batch/latest/userguide/multi-node-parallel-jobs.html
- https://docs.aws.amazon.com/efs/latest/ug/network-access.html
- https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment
from batchlint.network import (
    ingress_of,
    is_open,
    ports_of,
    security_groups_of,
    source_group,
    source_of,
)
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-032",
    name="security-group-any-ingress",
    severity=Severity.NOTE,
    tags=("security",),
    fix="Remove the ingress rule (keep only one from the group itself for multi-node jobs)",
    security_severity=3.5,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    groups = {entry.target.address: entry.target for entry in security_groups_of(ctx.scope, ce)}
    for group in groups.values():
        for found in ingress_of(ctx.scope, group):
            entry = found.entry
            if entry.unknown or is_open(entry):
                continue  # may be absent, or BL-CE-005's finding
            source = source_group(ctx.scope, entry)
            if source is not None and source.address in groups:
                continue  # node-to-node traffic, which multi-node parallel jobs need
            where = "" if found.via is group else f" (ingress rule {found.via.address})"
            origin = source_of(ctx.scope, entry) or "a source set at deploy time"
            yield Hit(
                ce,
                f"Security group {group.address} of compute environment {ce.address} allows "
                f"{ports_of(entry)} from {origin}{where}, but batch hosts need no inbound "
                "traffic: remove the rule.",
                entry,
            )
