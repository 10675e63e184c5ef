"""A compute environment's subnets have no way out of the VPC and lack the endpoints Batch needs.

## What it does
Flags an EC2, Spot, Fargate or Fargate Spot compute environment when every one of its
subnets (`computeResources.subnets`) is isolated — the route table that serves it (its
explicit association, else its VPC's main table) has no route that can leave private address
space: no internet gateway, no NAT gateway, no default route to a transit gateway, a network
interface or an instance — and its VPC lacks VPC endpoints Batch needs:

| compute type | interface endpoints | gateway endpoint |
| --- | --- | --- |
| `EC2`, `SPOT` | `ecs`, `ecs-agent`, `ecs-telemetry`, `ecr.api`, `ecr.dkr`, `logs` | `s3` |
| `FARGATE`, `FARGATE_SPOT` | `ecr.api`, `ecr.dkr`, `logs` | `s3` |

Endpoints are matched on the service after the region in their `ServiceName`
(`com.amazonaws.us-east-1.ecs`, `!Sub com.amazonaws.${AWS::Region}.ecs`). An interface
endpoint serves its whole VPC; the `s3` gateway endpoint serves only the route tables it is
associated with.

## Why is this bad?
A Batch instance registers with ECS (`ecs`, `ecs-agent`, `ecs-telemetry`), pulls the job's
image from ECR (`ecr.api`, `ecr.dkr`, and S3 for the image layers) and sends the container's
output to CloudWatch Logs. With no NAT gateway and no endpoint for one of them, instances
launch, never join the cluster and are replaced, while jobs stay `RUNNABLE` for ever; a
Fargate job fails with `CannotPullContainerError` or a log driver error. Fargate needs no ECS
endpoints.

## Example
```yaml
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  IsolatedRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  BatchSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  BatchSubnetRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref BatchSubnet
      RouteTableId: !Ref IsolatedRouteTable
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref IsolatedRouteTable]
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
Transform: AWS::LanguageExtensions
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsSupport: true
      EnableDnsHostnames: true
  IsolatedRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  BatchSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  BatchSubnetRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref BatchSubnet
      RouteTableId: !Ref IsolatedRouteTable
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref IsolatedRouteTable]
  Fn::ForEach::Endpoints:
    - Service
    - [ecs, ecs-agent, ecs-telemetry, ecr.api, ecr.dkr, logs]
    - "${Service}Endpoint":
        Type: AWS::EC2::VPCEndpoint
        Properties:
          VpcId: !Ref Vpc
          VpcEndpointType: Interface
          ServiceName: !Sub com.amazonaws.${AWS::Region}.${Service}
          PrivateDnsEnabled: true
          SubnetIds: [!Ref BatchSubnet]
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
Or route `0.0.0.0/0` to a NAT gateway in a public subnet.

## Known limitations
Silent unless the scan shows everything: every subnet of the environment and its VPC declared
in the file, the route table of each (an explicit association, or a main route table, which
CloudFormation cannot declare), and every route of those tables. A route that may leave
private address space (a default or other public destination, a prefix list, a destination
that is not known) counts as a way out whatever its target. A route table's inline routes
that a Terraform plan knows only after apply, routes a virtual private gateway propagates
(`AWS::EC2::VPNGatewayRoutePropagation` is not read), an endpoint whose VPC or service is not
known: silent. Endpoints are not checked for private DNS (`PrivateDnsEnabled`, off by default
in CloudFormation and Terraform), their security groups or policies; jobs that need
Secrets Manager, SSM parameters or other services need their endpoints too. EKS compute
environments are not checked.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/vpc-endpoint-considerations.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
- https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment
from batchlint.network import isolated_subnet, missing_endpoints, subnets_of
from batchlint.rule import Context, Hit, Severity, rule

_ECS = ("ecs", "ecs-agent", "ecs-telemetry")
_IMAGES_AND_LOGS = ("ecr.api", "ecr.dkr", "s3", "logs")
# the endpoints each compute type needs without a NAT gateway (see the table above)
_NEEDS = {
    "EC2": _ECS + _IMAGES_AND_LOGS,
    "SPOT": _ECS + _IMAGES_AND_LOGS,
    "FARGATE": _IMAGES_AND_LOGS,
    "FARGATE_SPOT": _IMAGES_AND_LOGS,
}


@rule(
    code="BL-CE-030",
    name="private-subnet-without-egress",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Route 0.0.0.0/0 to a NAT gateway or add the VPC endpoints Batch needs",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    compute_type = ce.field("computeResources", "type")
    # an Fn::If between SPOT and EC2 needs the same endpoints either way
    outcomes = compute_type.outcomes() if compute_type is not None else []
    needed = {_NEEDS.get(o.text() or "") if o is not None else None for o in outcomes}
    if len(needed) != 1 or ce.props.get("eksConfiguration") is not None:
        return
    needs = needed.pop()
    if needs is None:
        return
    listed = ce.props.get("computeResources", "subnets")
    if listed is None:
        return
    entries = subnets_of(ctx.scope, ce)
    written = [listed] if listed.unknown else listed.items()
    if not entries or len(entries) != len(written):
        return  # a subnet outside the scan may have a way out
    missing: dict[str, list[str]] = {}
    for entry in entries:
        subnet = entry.target
        if subnet.address in missing:
            continue
        isolated = isolated_subnet(ctx.scope, subnet)
        lacking = missing_endpoints(ctx.scope, isolated, needs) if isolated else None
        if not lacking:
            return  # jobs can run from this subnet, or it cannot be told
        missing[subnet.address] = lacking
    at = entries[0].node if len(written) == 1 else listed
    yield Hit(ce, _message(missing), at)


def _message(missing: dict[str, list[str]]) -> str:
    names = list(missing)
    which = (
        f"subnet {names[0]}, which has" if len(names) == 1 else f"subnets {_and(names)}, which have"
    )
    lacking = {tuple(services) for services in missing.values()}
    if len(lacking) == 1:
        endpoints = f"and no VPC endpoint for {_and(next(iter(lacking)))}"
    else:
        each = "; ".join(f"{name}: {_and(services)}" for name, services in missing.items())
        endpoints = f"and lack VPC endpoints ({each})"
    union = {service for services in missing.values() for service in services}
    if union & set(_ECS):
        effect = "instances never join the ECS cluster and jobs stay RUNNABLE"
    else:
        cannot = []
        if union - {"logs"}:
            cannot.append("pull their images from ECR")
        if "logs" in union:
            cannot.append("send their logs to CloudWatch Logs")
        effect = f"jobs cannot {' or '.join(cannot)}, so they fail"
    return (
        f"Compute environment launches into {which} no route out of the VPC (no NAT gateway "
        f"or internet route) {endpoints}: {effect}; route 0.0.0.0/0 to a NAT gateway or add "
        "the missing endpoints."
    )


def _and(items: list[str] | tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
