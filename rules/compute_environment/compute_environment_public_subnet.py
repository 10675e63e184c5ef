"""A compute environment launches its instances in a public subnet.

## What it does
Flags each subnet of a compute environment (`computeResources.subnets`) that is public: its
route table sends `0.0.0.0/0` or `::/0` to an internet gateway, or it sets
`mapPublicIpOnLaunch`. The route table is the subnet's explicit association, else its VPC's
main route table when the scan declares it. Routes through a NAT gateway, a transit gateway,
a VPC endpoint or `local` do not make a subnet public.

## Why is this bad?
Batch instances and Fargate tasks need outbound access (to pull images, reach ECS and write
logs), not inbound access. In a public subnet they are one security-group change away from
being reachable from the internet, and with a public IP each instance is addressable at all
times (and every public IPv4 address is billed by the hour). Private subnets with a NAT
gateway or VPC endpoints give the same outbound access without an inbound path.

## Example
```yaml
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  InternetGateway:
    Type: AWS::EC2::InternetGateway
  PublicRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  DefaultRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PublicRouteTable
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref InternetGateway
  BatchSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  BatchSubnetRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref BatchSubnet
      RouteTableId: !Ref PublicRouteTable
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [!Ref BatchSubnet]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.0.0/24
  NatIp:
    Type: AWS::EC2::EIP
    Properties:
      Domain: vpc
  NatGateway:
    Type: AWS::EC2::NatGateway
    Properties:
      AllocationId: !GetAtt NatIp.AllocationId
      SubnetId: !Ref PublicSubnet
  PrivateRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  DefaultRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PrivateRouteTable
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: !Ref NatGateway
  BatchSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  BatchSubnetRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref BatchSubnet
      RouteTableId: !Ref PrivateRouteTable
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [!Ref BatchSubnet]
        InstanceRole: ecsInstanceRole
```

## Known limitations
Only subnets declared in the scanned file are checked; a literal `subnet-…` id is external.
A subnet without an explicit route table association uses its VPC's main route table, which
CloudFormation cannot declare, so such subnets are checked only for `mapPublicIpOnLaunch`
(Terraform's `aws_main_route_table_association` and `aws_default_route_table` are read). Only
default routes count: a narrower route to an internet gateway is not flagged. In a Terraform
plan, inline `route` blocks of an `aws_route_table` whose gateway is created by the same plan
are unknown until apply (`aws_route` resources are read). A launch template that assigns
public IPs (`AssociatePublicIpAddress`) is not read.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/create-public-private-vpc.html
- https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html
- https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment
from batchlint.network import is_public_subnet, subnets_of
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-004",
    name="compute-environment-public-subnet",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Use private subnets with a NAT gateway or VPC endpoints",
    security_severity=5.3,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    seen: set[str] = set()
    for entry in subnets_of(ctx.scope, ce):
        subnet = entry.target
        if subnet.address in seen:
            continue
        seen.add(subnet.address)
        reason = is_public_subnet(ctx.scope, subnet)
        if reason is None:
            continue
        yield Hit(
            ce,
            f"Compute environment runs its jobs in public subnet {subnet.address} "
            f"({reason.text}): use private subnets with a NAT gateway or VPC endpoints for "
            "outbound access.",
            entry.node,
        )
