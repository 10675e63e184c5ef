"""A job definition uses one role as both its job role and its execution role.

## What it does
Flags every place a job definition names the same IAM role as the role of the job's code and
as the role of the agent that starts it:

- `containerProperties` and each node range's `container`: `jobRoleArn` and
  `executionRoleArn`;
- each ECS task of `ecsProperties.taskProperties[]` (also inside node ranges): `taskRoleArn`
  and `executionRoleArn`.

Two values name the same role when they refer to the same role in the template or plan
(`!GetAtt JobRole.Arn` and `!Ref JobRole` alike, or a literal ARN of a role in scope), or when
they are the same literal role ARN or name (role names compared without case and path, as
IAM does). An `Fn::If` counts when its branches agree. Unknown values (a parameter without a
default, a role ARN computed at apply time) are not flagged.

## Why is this bad?
The execution role is meant for the ECS or Fargate agent: it pulls the image from ECR,
writes the logs and reads the job's `secrets` from Secrets Manager or Parameter Store before
the container starts. The job role is what the application's own AWS SDK calls run as. One
role for both gives the application everything the agent may do (reading every secret the
execution role can read, not only the ones injected into this job) and gives the agent
whatever the application needs; neither can be narrowed without the other, and every job
that shares the role shares both sets.

## Example
```yaml
Resources:
  BatchRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        JobRoleArn: !GetAtt BatchRole.Arn
        ExecutionRoleArn: !GetAtt BatchRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  ExecutionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  JobRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: output
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:PutObject
                Resource: arn:aws:s3:::example-batch-output/*
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        JobRoleArn: !GetAtt JobRole.Arn
        ExecutionRoleArn: !GetAtt ExecutionRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Known limitations
- Only the two fields of one container or task are compared: a job role of one node range
  that is the execution role of another is not flagged.
- Two different roles with the same permissions are not the same role here.
- In a Terraform plan that creates the role, `container_properties` is unknown until apply
  (it embeds the new role's ARN), so nothing can be compared: plan again once the role exists.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
- https://docs.aws.amazon.com/batch/latest/userguide/job_definition_parameters.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from batchlint.iam import RoleField, job_definition_roles, role_name
from batchlint.model import JobDefinition, Kind, Node, Scope
from batchlint.rule import Context, Hit, Severity, rule

# arn:<partition>:iam::<account>:role/<path/>name
_ROLE_ARN = re.compile(r"^arn:[^:]*:iam::(?P<account>[^:]*):role/(?:.*/)?(?P<name>[^/]+)$")


@rule(
    code="BL-JD-032",
    name="job-role-same-as-execution-role",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Give the job its own job role, separate from the execution role",
    security_severity=5.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    # the role fields of each container or task, by where they are written
    places: dict[str, dict[bool, RoleField]] = {}
    for found in job_definition_roles(jd):
        place = found.label.rsplit(".", 1)[0]
        places.setdefault(place, {}).setdefault(found.execution, found)
    for place, fields in places.items():
        job, execution = fields.get(False), fields.get(True)
        if job is None or execution is None:
            continue
        shown = _same_role(ctx.scope, job.node, execution.node)
        if shown is None:
            continue
        yield Hit(
            jd,
            f"Role {shown} is both the {job.field} and the executionRoleArn of {place}, so the "
            "job's code gets every permission of the agent that pulls its image and reads its "
            "secrets: give the job its own role with only what the code needs.",
            job.node,
        )


def _same_role(scope: Scope, a: Node, b: Node) -> str | None:
    """The role both values name, for messages; ``None`` when they differ or are unknown."""
    first, second = scope.deref(a, Kind.IAM_ROLE), scope.deref(b, Kind.IAM_ROLE)
    if first is not None or second is not None:
        return role_name(first) if first is second and first is not None else None
    text_a, text_b = a.text(), b.text()
    key_a = _identity(text_a) if text_a else None
    key_b = _identity(text_b) if text_b else None
    if text_a is None or key_a is None or key_a != key_b:
        return None
    value = text_a.strip()
    if text_b is not None and value == text_b.strip():
        return value
    return value.rsplit("/", 1)[-1]  # the name as the job role field writes it


def _identity(text: str) -> tuple[str | None, str] | None:
    """(account, lower-cased role name) of a role ARN, (None, name) of a bare role name: role
    names are unique in an account whatever their path, and compared without case."""
    value = text.strip()
    match = _ROLE_ARN.match(value)
    if match is not None:
        return match.group("account"), match.group("name").lower()
    if not value or value.startswith("arn:") or "/" in value or "${" in value:
        return None
    return None, value.lower()
