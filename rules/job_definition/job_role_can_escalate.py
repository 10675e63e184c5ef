"""A role a Batch resource uses can register and submit jobs that run as another role.

## What it does
Looks at every IAM role in the template or plan that a Batch resource uses — a job
definition's job and execution roles (`jobRoleArn`, `executionRoleArn`, ECS `taskRoleArn`, in
every container, node range and task), and a compute environment's instance role (through
its instance profile), service role and Spot Fleet role — and flags the role when its
policies allow all three of:

- `batch:RegisterJobDefinition`,
- `batch:SubmitJob`,
- `iam:PassRole` on a role other than itself: `*`, a role name pattern
  (`arn:aws:iam::123456789012:role/batch-*`), or another named role.

Wildcards count as IAM reads them (`*`, `batch:*`, `batch:Register*`, `iam:*`, `iam:Pass*`,
and `NotAction` lists that leave the action in), across all the role's policies: inline
`Policies`, `ManagedPolicyArns` (customer managed policies in scope; of the AWS managed ones,
`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess` and `AWSBatchFullAccess` are known
by name), `AWS::IAM::Policy`/`ManagedPolicy` naming the role, and Terraform role policies and
attachments. An `iam:PassRole` grant limited by `iam:PassedToService` to services other than
`batch.amazonaws.com` and `ecs-tasks.amazonaws.com` does not count, nor does one that only
names the role itself (a workflow's head job that submits its steps with its own role).
An unconditional `Deny` on `*` removes an action, and a permissions boundary must allow it too
(a boundary that cannot be read makes the role silent).

The rule reads the whole template (its first parameter is the graph) and reports on the Batch
resource that uses the role, at the field that names it: the job definition for job and
execution roles, the compute environment for instance, service and Spot Fleet roles. There is
one finding per resource and role.

## Why is this bad?
Whoever can register a job definition and submit it can choose the role the job runs as. Code
running with this role — any job's code for a job role, any container on the instance for an
instance role — can therefore register a job definition naming a more powerful role it may
pass, submit it, and run its own commands with that role's permissions: a privilege
escalation from "a job" to "any role it can pass". With `iam:PassRole` on `*`, that is every
role in the account that ECS tasks may assume.

## Example
```yaml
Resources:
  OrchestratorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: submit-steps
          PolicyDocument:
            Statement:
              - Sid: RunSteps
                Effect: Allow
                Action: [batch:RegisterJobDefinition, batch:SubmitJob, batch:DescribeJobs]
                Resource: "*"
              - Sid: PassAnyRole
                Effect: Allow
                Action: iam:PassRole
                Resource: "*"
  Orchestrator:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12
        JobRoleArn: !GetAtt OrchestratorRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  OrchestratorRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: batch-orchestrator
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: submit-steps
          PolicyDocument:
            Statement:
              - Sid: RunSteps
                Effect: Allow
                Action: [batch:RegisterJobDefinition, batch:SubmitJob, batch:DescribeJobs]
                Resource: "*"
              - Sid: PassOwnRoleOnly
                Effect: Allow
                Action: iam:PassRole
                Resource: arn:aws:iam::123456789012:role/batch-orchestrator
  Orchestrator:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12
        JobRoleArn: !GetAtt OrchestratorRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

Better still, register the step job definitions in the template and let the orchestrator
only submit them (`batch:SubmitJob`, no `batch:RegisterJobDefinition` and no `iam:PassRole`).

## Known limitations
- The `Resource` of the Batch actions is not read: a new revision of an allowed job
  definition name can carry any role, so limiting them does not close the path.
- Conditions other than `iam:PassedToService` on the `iam:PassRole` grant are not evaluated;
  an unknown condition, resource or action is silent. `Deny` statements only count when they
  apply to `*` without a condition.
- Only roles, policies and boundaries in the same template or plan are read; AWS managed
  policies other than the four above grant nothing here (`AWSBatchFullAccess`'s `iam:PassRole`
  on Batch's conventional role names is left out).
- Whether the roles it may pass are more powerful than itself is not judged.
- EKS jobs get AWS permissions through Kubernetes service accounts, which are not resolved.

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
- https://docs.aws.amazon.com/batch/latest/userguide/iam-example-job-def.html
- https://docs.aws.amazon.com/batch/latest/userguide/IAM_policies.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.iam_paths import (
    Grant,
    PassTarget,
    Reach,
    action_matches,
    batch_role_uses,
    grants,
    pass_role_reach,
    passed_to_services,
)
from batchlint.model import Graph, Resource, Scope
from batchlint.rule import Context, Hit, Severity, rule

_REGISTER = "batch:RegisterJobDefinition"
_SUBMIT = "batch:SubmitJob"
_PASS_ROLE = "iam:PassRole"
# the services a role passed to a Batch job is handed to
_BATCH_SERVICES = ("batch.amazonaws.com", "ecs-tasks.amazonaws.com")


@rule(
    code="BL-JD-035",
    name="job-role-can-escalate",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Drop the Batch actions from the role, or allow iam:PassRole on this role only",
    security_severity=8.0,
)
def check(graph: Graph, ctx: Context) -> Iterator[Hit]:
    scope = graph.scope
    for use in batch_role_uses(scope):
        found = escalation(scope, use.role)
        if found is None:
            continue
        grant, target = found
        via = grant.through(_PASS_ROLE)
        if target.reach is Reach.ANY:
            whom = "any role in the account"
        else:
            whom = "one of those roles" if target.what.startswith("roles") else target.what
        yield Hit(
            use.resource,
            f"{use.describe()} may call {_REGISTER}, {_SUBMIT} and {_PASS_ROLE}{via} on "
            f"{target.what} ({grant.label()}), so code running with it can register and run "
            f"a job as {whom}: drop the Batch actions from the role, or allow {_PASS_ROLE} on "
            "this role only.",
            use.at,
        )


def escalation(scope: Scope, role: Resource) -> tuple[Grant, PassTarget] | None:
    """The broadest ``iam:PassRole`` grant that, with the two Batch actions, lets ``role``
    run a job as another role; ``None`` when there is none."""
    if not grants(scope, role, _REGISTER) or not grants(scope, role, _SUBMIT):
        return None
    best: tuple[Grant, PassTarget] | None = None
    for grant in grants(scope, role, _PASS_ROLE):
        passed = passed_to_services(grant.condition)
        if not passed.known:
            continue
        if passed.services is not None and not any(
            action_matches(service.removesuffix(".cn"), batch)
            for service in passed.services
            for batch in _BATCH_SERVICES
        ):
            continue  # the role may only be passed to services other than Batch's
        for target in pass_role_reach(scope, role, grant):
            if target.reach is Reach.ANY:
                return grant, target
            if target.reach is Reach.OTHERS and best is None:
                best = grant, target
    return best
