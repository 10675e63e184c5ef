"""A job definition's execution role can read every secret of the account.

## What it does
Follows every execution role a job definition names (`executionRoleArn` of container
properties, of node range containers and of ECS task properties) to a role in the same
template or plan, and flags it when an `Allow` statement of its policies, without a
`Condition`, grants reading secrets on every resource instead of on the secrets the job
uses:

- `secretsmanager:GetSecretValue` — written out, or through `secretsmanager:*`,
  `secretsmanager:Get*`, `*` or a `NotAction` that leaves it in — on `*` or on an
  all-secrets ARN such as `arn:aws:secretsmanager:*:*:secret:*` (also one fixed to an
  account and region);
- `ssm:GetParameters`, `ssm:GetParameter` or `ssm:GetParametersByPath` (`ssm:Get*`,
  `ssm:*`, `*`, …) on `*` or `arn:aws:ssm:*:*:parameter/*`;
- an AWS managed policy that does so: `SecretsManagerReadWrite`, `AmazonSSMReadOnlyAccess`,
  `AmazonSSMFullAccess`, `AmazonSSMManagedInstanceCore`, `PowerUserAccess`,
  `AdministratorAccess`.

A `Deny` of the same action on every secret takes the grant back. There is one finding per
job definition and role, at the first `executionRoleArn` that names it; the message names
the role, the policy and statement, and how many secrets the job reads.

## Why is this bad?
The execution role is used by the ECS agent on every instance that runs the job; its
credentials are also what any job sharing the role, or anyone who can pass it, gets. Read
access to every secret turns one leaked credential or one misconfigured job into every
database password, API key and token in the account. The agent needs only the secrets
named in the job definition's `secrets` and `secretOptions`.

## Example
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
      Policies:
        - PolicyName: Secrets
          PolicyDocument:
            Statement:
              - Sid: ReadSecrets
                Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: "*"
  Export:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/postgres:16
        ExecutionRoleArn: !GetAtt ExecutionRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        Secrets:
          - Name: PGPASSWORD
            ValueFrom: arn:aws:secretsmanager:us-east-1:123456789012:secret:export/pg-AbCdEf
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
      Policies:
        - PolicyName: Secrets
          PolicyDocument:
            Statement:
              - Sid: ReadExportSecret
                Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:export/pg-*
  Export:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/postgres:16
        ExecutionRoleArn: !GetAtt ExecutionRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        Secrets:
          - Name: PGPASSWORD
            ValueFrom: arn:aws:secretsmanager:us-east-1:123456789012:secret:export/pg-AbCdEf
```

## Known limitations
- Only roles and policies in the same template or plan are read; AWS managed policies are
  known by name. A statement with a `Condition` (a resource tag, say) is not reported, nor
  is a role with a permissions boundary, which may take the grant away.
- A prefix such as `arn:aws:secretsmanager:*:*:secret:prod/*` is narrower than every
  secret and is not reported, however many secrets it covers.
- `AdministratorAccess`, `*` and `service:*` grants are also reported by
  `job-role-wildcard-permissions`; this rule says what they mean for secrets.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.iam import WideGrant, role_name, wide_grants
from batchlint.job_secrets import ExecutionRole, execution_roles, secret_uses
from batchlint.model import JobDefinition, Kind, Resource
from batchlint.rule import Context, Hit, Severity, rule

# (service, resource kind prefix, the read actions, what they read)
_READS = (
    ("secretsmanager", "secret:", ("secretsmanager:GetSecretValue",), "Secrets Manager secret"),
    (
        "ssm",
        "parameter/",
        ("ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"),
        "SSM parameter",
    ),
)


@rule(
    code="BL-JD-025",
    name="execution-role-reads-all-secrets",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Allow reading only the secrets the job definition names",
    security_severity=6.5,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    scope = ctx.scope
    roles = execution_roles(jd)
    reads: dict[int, int] = {}  # secrets read with each execution role value, by its holder
    for container in containers(jd):
        role = roles.get(id(container.node))
        if role is not None:
            key = id(role.holder)
            reads[key] = reads.get(key, 0) + len(secret_uses(container))
    # each role in scope, with the execution role values that name it
    by_role: dict[str, tuple[Resource, list[ExecutionRole]]] = {}
    for holder in {id(r.holder): r for r in roles.values()}.values():
        target = None if holder.absent else scope.deref(holder.node, Kind.IAM_ROLE)
        if target is not None:
            by_role.setdefault(target.address, (target, []))[1].append(holder)
    for target, fields in by_role.values():
        if target.props.get("permissionsBoundary") is not None:
            continue
        found = _grants(ctx, target)
        if not found:
            continue
        grant, what = found[0]
        extra = len(found) - 1
        more = f" (and {extra} more grant{'s' if extra > 1 else ''})" if extra else ""
        used = sum(reads.get(id(f.holder), 0) for f in fields)
        if used > 1:
            need = f"the job reads {used} secrets: allow reading only their ARNs"
        elif used:
            need = "the job reads 1 secret: allow reading only its ARN"
        else:
            need = "the job reads none: remove the grant"
        yield Hit(
            jd,
            f"Execution role {role_name(target)} ({fields[0].label}) can read every {what} "
            f"in the account: {grant.label()} allows {grant.action} on '{grant.resource}'"
            f"{more}; {need}.",
            fields[0].node,
        )


def _grants(ctx: Context, role: Resource) -> list[tuple[WideGrant, str]]:
    out = []
    for service, kind, actions, what in _READS:
        for grant in wide_grants(ctx.scope, role, actions, service, kind):
            out.append((grant, what))
    return out
