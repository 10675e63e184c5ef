"""A Fargate job definition has no execution role, yet needs one to start its jobs.

## What it does
Flags `containerProperties`, or an ECS task (`ecsProperties.taskProperties[]`), of a job
definition whose `platformCapabilities` include `FARGATE` that gives no `executionRoleArn`
while it needs one for any of:

- a private Amazon ECR image (`<account>.dkr.ecr.<region>.amazonaws.com/...`);
- the `awslogs` log driver, written or left to Batch's default (no `logConfiguration`);
- `secrets`, or `logConfiguration.secretOptions`;
- `repositoryCredentials` (a private registry's credentials in Secrets Manager).

A definition that needs none of them (a public image, the `splunk` driver, no secrets) is not
flagged, nor is one whose `executionRoleArn` is unknown until deploy or whose image or
log configuration is unknown.

## Why is this bad?
On Fargate the execution role is what lets the Fargate agent pull the image from ECR, send
the container's output to CloudWatch Logs and read secrets. The Batch API does not mark
`executionRoleArn` as required, but the Batch documentation requires one for Fargate jobs:
without it Amazon ECS refuses the task ("Fargate requires task definition to have execution
role ARN to support ECR images", "... to support log driver awslogs"), so every job fails
before its container starts.

## Example
```yaml
Resources:
  Report:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/report:2.3.1
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
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  Report:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/report:2.3.1
        ExecutionRoleArn: !GetAtt ExecutionRole.Arn
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Known limitations
Whether the role has the permissions (`AmazonECSTaskExecutionRolePolicy`, and
`secretsmanager:GetSecretValue` / `ssm:GetParameters` for secrets) is not checked. An image
reached through an ECR pull-through cache or a private registry mirror under another name is
not recognised as ECR.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
- https://docs.aws.amazon.com/batch/latest/userguide/fargate-job-definitions.html
- https://docs.aws.amazon.com/batch/latest/userguide/using_awslogs.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EcsTaskProperties.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from batchlint.containers import Container
from batchlint.model import JobDefinition
from batchlint.platforms import FargateTask, absent, fargate_tasks, written
from batchlint.rule import Context, Hit, Severity, rule

# a private ECR repository: <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>
_ECR = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/", re.I)
_AWSLOGS = "send its logs with awslogs"
_AWSLOGS_DEFAULT = "send its logs with awslogs (Batch's default)"


@rule(
    code="BL-JD-020",
    name="fargate-missing-execution-role",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Set executionRoleArn to a role with AmazonECSTaskExecutionRolePolicy",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for task in fargate_tasks(jd):
        role = task.node.get("executionRoleArn")
        if not absent(role):
            continue
        needs = _needs(task)
        if not needs:
            continue
        yield Hit(
            jd,
            f"Fargate job definition gives {task.label} no executionRoleArn, which Fargate "
            f"needs to {_and(needs)}, so every job fails before its container starts: set "
            "executionRoleArn to a role with the AmazonECSTaskExecutionRolePolicy managed "
            "policy.",
            role or task.node,
        )


def _needs(task: FargateTask) -> list[str]:
    """What the task's containers need the execution role for, known values only."""
    found: list[str] = []
    for container in task.containers:
        for need in _container_needs(container):
            if need not in found:
                found.append(need)
    if _AWSLOGS in found and _AWSLOGS_DEFAULT in found:  # one container writes what is default
        found.remove(_AWSLOGS_DEFAULT)
    return found


def _container_needs(container: Container) -> Iterator[str]:
    node = container.node
    image = node.get("image")
    text = image.text() if image is not None else None
    if text and _ECR.match(text.strip()):
        yield "pull its private ECR image"
    logs = node.get("logConfiguration")
    if logs is None or absent(logs):
        yield _AWSLOGS_DEFAULT
    driver = logs.member("logDriver") if logs is not None else None
    name = driver.text() if driver is not None else None
    if name is not None and name.strip().lower() == "awslogs":
        yield _AWSLOGS
    if written(node.get("secrets")) or (logs is not None and written(logs.member("secretOptions"))):
        yield "read its secrets"
    if written(node.get("repositoryCredentials")):
        yield "read its registry credentials"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
