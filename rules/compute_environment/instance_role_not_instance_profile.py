"""A compute environment's instanceRole names an IAM role instead of an instance profile.

## What it does
Flags `computeResources.instanceRole` when it is an IAM role ARN (`arn:aws:iam::…:role/…`) or a
reference to an IAM role declared in the same file (CloudFormation `!GetAtt Role.Arn`,
Terraform `aws_iam_role.x.arn`) rather than to an instance profile. A plain name such as
`ecsInstanceRole` is accepted: Batch reads it as the name of an instance profile.

## Why is this bad?
EC2 instances take a role through an instance profile, and `instanceRole` wants that profile's
name or ARN. Given a role, AWS Batch cannot launch instances with it: the compute environment
goes `INVALID` and its jobs stay in `RUNNABLE`. The console hides the difference because it
creates a role and a profile of the same name (`ecsInstanceRole`), so a template that passes the
role's ARN looks right.

## Example
```yaml
Resources:
  InstanceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
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
        InstanceRole: !GetAtt InstanceRole.Arn
```

## Use instead
```yaml
Resources:
  InstanceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
  InstanceProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref InstanceRole]
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
        InstanceRole: !GetAtt InstanceProfile.Arn
```

## Known limitations
A role ARN built around values batchlint cannot resolve (`!Sub
arn:aws:iam::${AWS::AccountId}:role/…`) is recognized by what is written around them; one
whose `role/` part itself comes from a parameter is not. A reference to a role is accepted
when an instance profile in the same file may carry the role's name (`!Ref Role` is the role's
name, which Batch reads as a profile name). Fargate environments are left to
`fargate-compute-environment-ec2-fields`.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/instance_IAM_role.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.images import on_fargate, written
from batchlint.model import ComputeEnvironment, Kind, Node, Resource, Scope
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-018",
    name="instance-role-not-instance-profile",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Pass an instance profile (its name or ARN) as instanceRole",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    if on_fargate(ce):
        return
    node = written(ce, "computeResources", "instanceRole")
    if node is None:
        return
    roles = [_role(ctx.scope, alt) if alt is not None else None for alt in node.branches()]
    if any(r is None for r in roles):
        return
    shown = " or ".join(dict.fromkeys(r for r in roles if r is not None))
    yield Hit(
        ce,
        f"instanceRole is the IAM role {shown}, not an instance profile, so the compute "
        "environment goes INVALID: create an instance profile for the role and pass its name "
        "or ARN.",
        node,
    )


def _role(scope: Scope, node: Node) -> str | None:
    """How to name the IAM role ``node`` is, or ``None`` when it is (or may be) something
    else."""
    text = node.text()
    if text is None and node.pattern and node.pattern.startswith("arn:"):
        text = node.pattern  # !Sub "arn:aws:iam::${AWS::AccountId}:role/x"
    if text is not None:
        parts = text.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam":
            return text if parts[5].startswith("role/") else None
        return None  # a name: an instance profile's
    if node.ref is None:
        return None
    target = scope.by_address.get(node.ref)
    if target is None or target.kind is not Kind.IAM_ROLE or _same_named_profile(scope, target):
        return None
    return target.address


def _same_named_profile(scope: Scope, role: Resource) -> bool:
    """Whether an instance profile in scope may have the role's name, which is what
    CloudFormation's ``!Ref Role`` gives. (Terraform takes only an ARN here.)"""
    if scope.source.startswith("terraform"):
        return False
    for profile in scope.of_kind(Kind.INSTANCE_PROFILE):
        name = profile.props.get("instanceProfileName")
        if name is None:
            continue  # a generated name, never the role's
        if name.ref == role.address or (name.ref is None and name.unknown):
            return True
        if role.name is not None and name.text() == role.name:
            return True
    return False
