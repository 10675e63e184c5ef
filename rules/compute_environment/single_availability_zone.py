"""A compute environment's subnets are all in one Availability Zone.

## What it does
Flags a compute environment whose subnets (`computeResources.subnets`) are all in the same
Availability Zone: a single subnet (declared in the file or given as an ID: one subnet is
one zone), or subnets declared in the file whose `AvailabilityZone` (or, for all of them,
`AvailabilityZoneId`) is the same. An environment with a `placementGroup` is not flagged: a
cluster placement group, which multi-node parallel jobs want, lives in one zone by design.

## Why is this bad?
Batch launches instances and Fargate tasks only in the subnets it is given. When their one
zone is impaired, or runs out of the instance types the environment allows (Spot capacity
especially), no job can start until the zone recovers. Subnets in two or more zones let
Batch place capacity wherever it is available, at no extra cost.

## Example
```yaml
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: us-east-1a
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.2.0/24
      AvailabilityZone: us-east-1a
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [!Ref SubnetA, !Ref SubnetB]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: us-east-1a
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.2.0/24
      AvailabilityZone: us-east-1b
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i, r6i]
        Subnets: [!Ref SubnetA, !Ref SubnetB]
        InstanceRole: ecsInstanceRole
```

## Known limitations
With more than one subnet, every subnet must be declared in the file with a known zone: a
subnet given as an ID or a parameter, or a zone that is known only at deploy time, is silent.
That includes `!Select [0, !GetAZs '']`, which the CloudFormation source reads as unknown:
two subnets in `!Select [0, …]` are not flagged, and `!Select [0, …]` next to `!Select [1, …]`
is (rightly) silent. Zone names and zone IDs are compared only among themselves (the same
name is a different zone in another account). A subnet list from a parameter or an unknown
Terraform value is silent, even when it holds one subnet.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/userguide/mnp-ce.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import ComputeEnvironment, Kind, Resource
from batchlint.network import zone_of
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-031",
    name="single-availability-zone",
    severity=Severity.WARNING,
    tags=("reliability",),
    fix="Add subnets in at least one more Availability Zone",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    listed = ce.props.get("computeResources", "subnets")
    if listed is None or listed.unknown:
        return
    if ce.props.get("computeResources", "placementGroup") is not None:
        return  # a cluster placement group keeps the instances in one zone on purpose
    items = listed.items()
    subnets: dict[str, Resource | None] = {}  # address or literal ID -> the subnet in scan
    for item in items:
        if None in item.outcomes():
            return  # an Fn::If that may leave the entry out
        target = ctx.scope.deref(item, Kind.SUBNET)
        key = target.address if target is not None else item.text()
        if key is None:
            if len(items) > 1:
                return  # one of several subnets is not known: neither is its zone
            key = ""  # a lone subnet known at deploy time: still one zone
        subnets.setdefault(key, target)
    if not subnets:
        return
    at = items[0] if len(items) == 1 else listed
    if len(subnets) == 1:
        name, subnet = next(iter(subnets.items()))
        zone = zone_of(subnet).name if subnet is not None else None
        which = f"a single subnet, {name}," if name else "a single subnet (set at deploy time),"
        where = f" ({zone})" if zone else ""
        yield Hit(
            ce,
            f"Compute environment has {which} so all its capacity is in one Availability "
            f"Zone{where}: add subnets in at least one more Availability Zone.",
            at,
        )
        return
    zones = [zone_of(subnet) for subnet in subnets.values() if subnet is not None]
    if len(zones) != len(subnets):
        return  # a subnet outside the scan: its zone is not known
    names = {zone.name for zone in zones}
    ids = {zone.id for zone in zones}
    if None not in names:
        shared = names.pop() if len(names) == 1 else None
    elif None not in ids:
        shared = ids.pop() if len(ids) == 1 else None
    else:
        shared = None
    if shared is None:
        return
    yield Hit(
        ce,
        f"Compute environment's {len(subnets)} subnets ({', '.join(subnets)}) are all in "
        f"Availability Zone {shared}: add subnets in at least one more Availability Zone.",
        at,
    )
