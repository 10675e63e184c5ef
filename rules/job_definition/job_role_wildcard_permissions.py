"""A job definition's job or execution role allows wildcard or administrator-like permissions.

## What it does
Follows every role a job definition names — `jobRoleArn` and `executionRoleArn` in
`containerProperties` and in every node range's container, `taskRoleArn` and
`executionRoleArn` of ECS task properties (also inside node ranges) — to an IAM role in the
same template or plan, and flags the role when one of its policies:

- allows every action (`Action: "*"`) or every action of a service (`s3:*`);
- uses `NotAction` in an `Allow` statement (everything except a list);
- allows a non-read action (anything whose verb is not `Get`, `List`, `Describe`, `Head`,
  `Query`, `Scan`, `Select`, `BatchGet` or `View`) on `Resource: "*"` (or with
  `NotResource`), e.g. `s3:PutObject`, `iam:PassRole` or `logs:CreateLogStream` on `*`;
- is an AWS managed administrator-like policy: `AdministratorAccess`, `PowerUserAccess`,
  `IAMFullAccess` or any `*FullAccess`.

The role's policies are its inline `Policies`, its `ManagedPolicyArns` (an AWS managed ARN,
or a customer managed policy in scope), `AWS::IAM::Policy`/`AWS::IAM::ManagedPolicy`
resources listing the role in `Roles`, and Terraform `aws_iam_role_policy`,
`aws_iam_policy_attachment` and `aws_iam_role_policy_attachment`. `Deny` statements are
never findings; a statement with a `Condition` is still flagged, and the message says so.
The AWS managed policies Batch roles are meant to use (`AmazonECSTaskExecutionRolePolicy`,
`AmazonEC2ContainerServiceforEC2Role`, `AWSBatchServiceRole`, …) are not findings.

There is one finding per job definition and role, pointing at the first field that names
the role. It names the broadest statement (an administrator-like managed policy first, then
`*`, `NotAction`, `service:*`, then a non-read action on `*`) and says how many more there are.

## Why is this bad?
Every container of the job can use the job role's credentials, and the execution role's
are used by the ECS agent on the job's behalf. A wildcard policy turns any compromise of the
job's image, dependencies or input into control of the account: deleting data, reading
secrets, or creating users with `iam:*`. Batch jobs rarely need more than a few actions on a
few buckets, tables or queues.

## Example
```yaml
Resources:
  JobRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: JobAccess
          PolicyDocument:
            Statement:
              - Sid: EverythingInS3
                Effect: Allow
                Action: s3:*
                Resource: "*"
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:latest
        JobRoleArn: !GetAtt JobRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  JobRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: JobAccess
          PolicyDocument:
            Statement:
              - Sid: ReadInputWriteOutput
                Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: arn:aws:s3:::example-batch-data/*
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:latest
        JobRoleArn: !GetAtt JobRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Known limitations
- Only roles and policies in the same template or plan are read. A role given as a literal
  ARN is matched to a role in scope by its ARN or name; roles and customer managed policies
  outside the scan are not looked up, and AWS managed policies are judged by name only.
- EKS jobs get their AWS permissions through the pod's `serviceAccountName` (IRSA or EKS Pod
  Identity), which is a Kubernetes name that cannot be resolved to a role here: not checked.
- Unknown documents, statements, actions or resources (a parameter without a default, a
  Terraform `aws_iam_policy_document` computed at apply time) are skipped. In a Terraform plan
  that creates the role, the job definition's `container_properties` is unknown until apply
  (it embeds the new role's ARN), so the role cannot be followed: plan again once the role
  exists, or scan the CloudFormation/state form.
- `Condition` blocks are not evaluated: a narrowing condition still counts as broad.
- An action with a wildcard in its verb counts as a read only when it can match nothing but
  read verbs (`s3:Get*`); `s3:*Object` on `*` is flagged.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/IAM_policies.html
- https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.iam import (
    RoleField,
    grants_summary,
    job_definition_roles,
    over_broad_grants,
    role_name,
)
from batchlint.model import JobDefinition, Kind, Resource
from batchlint.rule import Context, Hit, Severity, rule

_FIX = "grant only the actions and resources the job needs"


@rule(
    code="BL-JD-008",
    name="job-role-wildcard-permissions",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Scope the role's policies to the actions and resources the job needs",
    security_severity=7.5,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    scope = ctx.scope
    # one finding per role resource, at the first field that names it
    by_role: dict[str, tuple[Resource, list[RoleField]]] = {}
    for field in job_definition_roles(jd):
        role = scope.deref(field.node, Kind.IAM_ROLE)
        if role is None:
            continue
        by_role.setdefault(role.address, (role, []))[1].append(field)
    for role, fields in by_role.values():
        problems = over_broad_grants(scope, role)
        if not problems:
            continue
        yield Hit(
            jd,
            f"{_who(fields)} {role_name(role)} ({_where(fields)}) {grants_summary(problems)}: "
            f"{_FIX}.",
            fields[0].node,
        )


def _who(fields: list[RoleField]) -> str:
    execution = any(f.execution for f in fields)
    job = any(not f.execution for f in fields)
    if execution and job:
        return "Job and execution role"
    return "Execution role" if execution else "Job role"


def _where(fields: list[RoleField]) -> str:
    labels = list(dict.fromkeys(f.label for f in fields))
    if len(labels) > 2:
        return f"{labels[0]}, {labels[1]} and {len(labels) - 2} more"
    return " and ".join(labels)
