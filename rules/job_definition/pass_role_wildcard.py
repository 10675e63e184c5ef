"""A role a Batch resource uses may pass every role to any service.

## What it does
Looks at every IAM role in the template or plan that a Batch resource uses — a job
definition's job and execution roles (`jobRoleArn`, `executionRoleArn`, ECS `taskRoleArn`, in
every container, node range and task), and a compute environment's instance role (through
its instance profile), service role and Spot Fleet role — and flags the role when one of its
`Allow` statements grants `iam:PassRole` on every role with no `iam:PassedToService`
condition.

"Every role" is `Resource: "*"`, an ARN whose role part is all wildcards
(`arn:aws:iam::*:role/*`, `arn:aws:iam::123456789012:role/*`), or `NotResource`. The action
counts through wildcards as IAM reads them (`*`, `iam:*`, `iam:Pass*`, a `NotAction` list that
leaves it in), and through the AWS managed policies known by name (`AdministratorAccess`,
`IAMFullAccess`). A statement whose condition names the services the role may be passed to
(`StringEquals`/`StringLike` on `iam:PassedToService`, also with `ForAnyValue:` or
`IfExists`) is not flagged; neither is one whose condition is unknown. An unconditional
`Deny` of `iam:PassRole` on `*` removes the grant, and a permissions boundary must allow it
too (a boundary that cannot be read makes the role silent).

The rule reads the whole template (its first parameter is the graph) and reports on the Batch
resource that uses the role, at the field that names it: the job definition for job and
execution roles, the compute environment for instance, service and Spot Fleet roles. There
is one finding per resource and role, naming the first such statement.

## Why is this bad?
`iam:PassRole` is how a principal hands a role to a service: to an EC2 instance profile, a
Lambda function, an ECS task, a Batch job, a CloudFormation stack. On `*` with no
`iam:PassedToService` condition, any code running with this role — a job's code, any
container on an instance — can give any role of the account (administrator roles included)
to any service it may also drive, and act through it: a privilege escalation path. The roles
Batch itself needs to pass are few and known (the job and execution roles, the instance
profile's role), and the services they go to are known too.

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
        - PolicyName: launch-workers
          PolicyDocument:
            Statement:
              - Sid: PassAnyRole
                Effect: Allow
                Action: iam:PassRole
                Resource: "*"
              - Effect: Allow
                Action: ec2:RunInstances
                Resource: "*"
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12
        JobRoleArn: !GetAtt JobRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
  JobRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: launch-workers
          PolicyDocument:
            Statement:
              - Sid: PassWorkerRole
                Effect: Allow
                Action: iam:PassRole
                Resource: !GetAtt WorkerRole.Arn
                Condition:
                  StringEquals: {iam:PassedToService: ec2.amazonaws.com}
              - Effect: Allow
                Action: ec2:RunInstances
                Resource: "*"
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12
        JobRoleArn: !GetAtt JobRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Known limitations
- A statement on `*` with an `iam:PassedToService` condition is not flagged, whatever the
  services it names; other conditions (`aws:RequestedRegion`, …) do not count as a limit.
- Only roles, policies and boundaries in the same template or plan are read; AWS managed
  policies other than the two above grant nothing here.
- A role with `AdministratorAccess` is also reported by `job-role-wildcard-permissions` (for
  job and execution roles) and `instance-role-over-privileged` (for instance roles).

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
- https://docs.aws.amazon.com/batch/latest/userguide/IAM_policies.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.iam_paths import (
    Grant,
    PassTarget,
    Reach,
    batch_role_uses,
    grants,
    pass_role_reach,
    passed_to_services,
)
from batchlint.model import Graph, Resource, Scope
from batchlint.rule import Context, Hit, Severity, rule

_PASS_ROLE = "iam:PassRole"


@rule(
    code="BL-JD-036",
    name="pass-role-wildcard",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Name the roles in iam:PassRole's Resource and add an iam:PassedToService condition",
    security_severity=7.0,
)
def check(graph: Graph, ctx: Context) -> Iterator[Hit]:
    scope = graph.scope
    for use in batch_role_uses(scope):
        found = unguarded_wildcards(scope, use.role)
        if not found:
            continue
        grant, target = found[0]
        via = grant.through(_PASS_ROLE)
        more = len(found) - 1
        extra = f", and {more} more statement{'s' if more > 1 else ''}" if more else ""
        yield Hit(
            use.resource,
            f"{use.describe()} may call {_PASS_ROLE}{via} on {target.what} without an "
            f"iam:PassedToService condition naming the services ({grant.label()}{extra}), so it "
            "can hand any role of the account to any service: name the roles it passes in "
            "Resource and add an iam:PassedToService condition.",
            use.at,
        )


def unguarded_wildcards(scope: Scope, role: Resource) -> list[tuple[Grant, PassTarget]]:
    """The ``iam:PassRole`` grants of ``role`` on every role with no (known)
    ``iam:PassedToService`` condition, one per statement."""
    out = []
    for grant in grants(scope, role, _PASS_ROLE):
        passed = passed_to_services(grant.condition)
        if not passed.known or passed.services is not None:
            continue
        for target in pass_role_reach(scope, role, grant):
            if target.reach is Reach.ANY:
                out.append((grant, target))
                break
    return out
