"""A compute environment's instance role grants wildcard or administrator-like permissions.

## What it does
Follows `computeResources.instanceRole` of an EC2 or Spot compute environment to the
instance profile in the same template or plan and to the IAM roles in it (a value that names
no profile in scope but a role, by reference, ARN or name, is read as that role), and flags
the compute environment when a role:

- has an `Allow` statement with a wildcard action: every action (`*`), every action of a
  service (`s3:*`, `ecs:*`), or `NotAction` (everything except a list);
- has an administrator-like or broad AWS managed policy attached: `AdministratorAccess`,
  `PowerUserAccess`, `IAMFullAccess` or any `*FullAccess` (`AmazonS3FullAccess`,
  `AWSBatchFullAccess`, `CloudWatchFullAccessV2`, …).

The policies ECS container instances are meant to carry are not findings:
`AmazonEC2ContainerServiceforEC2Role`, `AmazonSSMManagedInstanceCore`,
`CloudWatchAgentServerPolicy`, `AmazonEC2ContainerRegistryReadOnly` and other read-only
policies, and statements that name their actions (the ECS agent's own `ecs:…` and `logs:…`
calls on `*` included). Policies are read as for job roles: inline `Policies`,
`ManagedPolicyArns`, `AWS::IAM::Policy`/`ManagedPolicy` naming the role, and Terraform
`aws_iam_role_policy` and policy attachments. There is one finding per compute environment
and role, at the `instanceRole` value, naming the broadest grant and how many more there are.

## Why is this bad?
Every container on a Batch EC2 instance can reach the instance role's credentials through
the instance metadata service (IMDS), whatever its own job role is. Permissions on the
instance role are therefore permissions of every job, image and dependency that ever runs
in the compute environment: `AmazonS3FullAccess` there lets any job read or delete every
bucket in the account. The instance role should only let the ECS agent run (register the
instance, pull images, write logs); jobs get what they need through their job role.

## Example
```yaml
Resources:
  InstanceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
        - arn:aws:iam::aws:policy/AmazonS3FullAccess
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
        InstanceTypes: [optimal]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: !GetAtt InstanceProfile.Arn
```

## Use instead
```yaml
Resources:
  InstanceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
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
        InstanceTypes: [optimal]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: !GetAtt InstanceProfile.Arn
```

Give the jobs that need S3 a job role (`JobRoleArn`) scoped to their buckets.

## Known limitations
- Only profiles, roles and policies in the same template or plan are read; a literal name
  such as `ecsInstanceRole` for a role created elsewhere is not looked up, and AWS managed
  policies are judged by name only.
- A service wildcard is flagged whatever its `Resource` (`s3:*` on one bucket too): scope
  the actions, or move them to a job role.
- Non-read actions on `Resource: "*"` are not flagged here (the ECS agent's own policy is
  made of them); the job-role rule (`job-role-wildcard-permissions`) does flag them.
- `Condition` blocks are not evaluated, and neither is a launch template that keeps
  containers away from IMDS (`HttpTokens: required` with `HttpPutResponseHopLimit: 1`).

## References
- https://docs.aws.amazon.com/batch/latest/userguide/instance_IAM_role.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html#task-iam-role-considerations
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.iam import (
    Breadth,
    grants_summary,
    instance_profile_roles,
    over_broad_grants,
    role_name,
)
from batchlint.model import FARGATE_TYPES, ComputeEnvironment
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-CE-028",
    name="instance-role-over-privileged",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Keep the instance role to what ECS container instances need; use job roles",
    security_severity=7.0,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    compute_type = ce.field("computeResources", "type")
    if compute_type is not None and (compute_type.text() or "").upper() in FARGATE_TYPES:
        return  # Fargate has no instances (and no instance role)
    node = ce.props.get("computeResources", "instanceRole")
    if node is None:
        return
    profile, roles = instance_profile_roles(ctx.scope, node)
    via = f" (instance profile {profile.address})" if profile is not None else ""
    for role in roles:
        # only wildcard grants: the ECS agent's own policy is made of non-read actions on "*"
        problems = over_broad_grants(ctx.scope, role, up_to=Breadth.SERVICE_WILDCARD)
        if not problems:
            continue
        yield Hit(
            ce,
            f"Instance role {role_name(role)}{via} {grants_summary(problems)}; every job on "
            "these instances can use it through the instance metadata service: keep the role "
            "to AmazonEC2ContainerServiceforEC2Role and give jobs scoped job roles.",
            node,
        )
