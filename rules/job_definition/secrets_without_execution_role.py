"""A container reads secrets without an execution role that can read them.

## What it does
Flags the containers of a job definition that name secrets — `secrets[].valueFrom` or
`logConfiguration.secretOptions[].valueFrom` — when the execution role they start with
(`executionRoleArn` of container properties, of a node range's container, or of the ECS
task the container belongs to):

- is absent; or
- is a role in the same template or plan whose policies do not allow reading them:
  `secretsmanager:GetSecretValue` on the secret's ARN for a Secrets Manager secret,
  `ssm:GetParameters` on the parameter's ARN for an SSM parameter (named by ARN or by name),
  and `kms:Decrypt` on the key when the secret is declared in the same template or plan
  with a customer managed `KmsKeyId`. Resources match as IAM matches them (`*` and `?`
  wildcards; a `!Ref` to the secret matches the secret), and a `Deny` takes a grant back.

A role is judged only when every one of its policies is known: its inline policies,
customer managed policies in scope, and the AWS managed policies whose secret grants are
known (`AmazonECSTaskExecutionRolePolicy` grants none; `SecretsManagerReadWrite`,
`AmazonSSMReadOnlyAccess`, `AmazonSSMManagedInstanceCore`, `AdministratorAccess`, …
grant them). A customer managed policy outside the scope, another AWS managed policy, an
unknown document, a statement with a `Condition` that would decide, or a secret or
resource that cannot be told apart keeps the rule silent. There is one finding per
execution role value: a container, or an ECS task with all its containers.

## Why is this bad?
The ECS agent reads every secret with the execution role before the container starts. Without
an execution role, or when the role may not read a secret (or decrypt it), the job never
starts: it fails with `ResourceInitializationError` ("unable to pull secrets or registry
auth") and is retried to no avail.

## Example
```yaml
Resources:
  Export:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/postgres:16
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
        - PolicyName: ReadExportSecret
          PolicyDocument:
            Statement:
              - Effect: Allow
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
- Only roles and policies in the same template or plan are read; an execution role given
  as the ARN of a role elsewhere is not checked. Permissions boundaries, service control
  policies, a secret's resource policy and a KMS key's key policy (which may grant the
  role directly) are not read.
- An SSM parameter named without its ARN, or a secret whose ARN is unknown until deploy,
  matches only patterns that leave the region and account open (`*`).
- A Terraform plan that creates the execution role leaves `container_properties` unknown
  until apply: plan again once the role exists.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container, containers
from batchlint.iam import allows, role_documents, role_name
from batchlint.job_secrets import (
    READ_ACTIONS,
    ExecutionRole,
    SecretUse,
    execution_roles,
    secret_key,
    secret_target,
    secret_uses,
)
from batchlint.model import JobDefinition, Kind
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-024",
    name="secrets-without-execution-role",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Give the container an execution role that can read its secrets",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    roles = execution_roles(jd)
    # the containers that start with each execution role value, with their secrets
    groups: dict[int, tuple[ExecutionRole, list[Container], list[SecretUse]]] = {}
    for container in containers(jd):
        uses = secret_uses(container)
        role = roles.get(id(container.node))
        if not uses or role is None:
            continue
        group = groups.setdefault(id(role.holder), (role, [], []))
        group[1].append(container)
        group[2].extend(uses)
    for role, members, uses in groups.values():
        hit = (
            _no_role(jd, role, members, uses)
            if role.absent
            else _unreadable(ctx, jd, role, members, uses)
        )
        if hit is not None:
            yield hit


def _no_role(
    jd: JobDefinition, role: ExecutionRole, members: list[Container], uses: list[SecretUse]
) -> Hit:
    count = f"{len(uses)} secret{'s' if len(uses) > 1 else ''}"
    return Hit(
        jd,
        f"{_capital(_who(members))} reads {count} ({_names(uses)}) but has no execution role "
        f"({role.label}): the job cannot start, because the ECS agent reads secrets with the "
        f"execution role; set executionRoleArn to a role allowed to read them.",
        uses[0].value_from,
    )


def _unreadable(
    ctx: Context,
    jd: JobDefinition,
    role: ExecutionRole,
    members: list[Container],
    uses: list[SecretUse],
) -> Hit | None:
    scope = ctx.scope
    target = scope.deref(role.node, Kind.IAM_ROLE)
    documents = role_documents(scope, target) if target is not None else None
    if target is None or documents is None:
        return None
    denied: list[tuple[SecretUse, str, str]] = []
    for use in uses:
        secret = secret_target(scope, use.value_from)
        if secret is None:
            continue
        action = READ_ACTIONS[secret.service]
        if allows(scope, documents, action, secret) is False:
            denied.append((use, action, "secret's ARN"))
            continue
        key = secret_key(scope, use.value_from) if secret.service == "secretsmanager" else None
        if key is not None and allows(scope, documents, "kms:Decrypt", key[1]) is False:
            denied.append((use, "kms:Decrypt on its customer managed key", "key"))
    if not denied:
        return None
    first, action, on = denied[0]
    more = f", and {len(denied) - 1} more" if len(denied) > 1 else ""
    return Hit(
        jd,
        f"Execution role {role_name(target)} ({role.label}) of {_who(members)} is not allowed "
        f"{action} for {first.label}{more}: the job cannot start; allow it on the {on} in "
        f"the role's policies.",
        role.node,
    )


def _who(members: list[Container]) -> str:
    if len(members) == 1:
        return members[0].label
    return f"{members[0].placement} ({len(members)} containers)"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(uses: list[SecretUse]) -> str:
    labels = list(dict.fromkeys(use.label for use in uses))
    if len(labels) > 3:
        return f"{', '.join(labels[:3])} and {len(labels) - 3} more"
    return ", ".join(labels)
