"""A Fargate job definition gives its jobs a public IP address.

## What it does
Flags `containerProperties`, or an ECS task (`ecsProperties.taskProperties[]`), of a job
definition whose `platformCapabilities` include `FARGATE` that sets
`networkConfiguration.assignPublicIp` to `ENABLED` (the default is `DISABLED`). An `Fn::If`
counts when both branches enable it; an unknown value stays silent.

## Why is this bad?
Each job's task gets a public IP address on its network interface: whatever its security
groups let in reaches the container straight from the internet, and its traffic leaves
through the internet gateway instead of a NAT gateway you control and log. A job usually gets
a public IP only so that it can pull its image from a public subnet; a private subnet with a
NAT gateway or VPC endpoints (ECR, S3, CloudWatch Logs) does that without exposing the task.

## Example
```yaml
Resources:
  Crawl:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/batch-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        NetworkConfiguration:
          AssignPublicIp: ENABLED
```

## Use instead
```yaml
Resources:
  Crawl:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/batch-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        NetworkConfiguration:
          AssignPublicIp: DISABLED
```

## Known limitations
The subnets come from the compute environment, which the job definition does not name: a
job whose environment uses only private subnets gets no public IP even with `ENABLED`, and is
flagged all the same. A job in a public subnet without a NAT gateway or VPC endpoints needs
the public IP to pull its image: move it to a private subnet before you disable it.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_NetworkConfiguration.html
- https://docs.aws.amazon.com/batch/latest/userguide/fargate-job-definitions.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition
from batchlint.platforms import fargate_tasks
from batchlint.rule import Context, Hit, Severity, rule


@rule(
    code="BL-JD-021",
    name="fargate-public-ip",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Set networkConfiguration.assignPublicIp to DISABLED and use a private subnet",
    security_severity=5.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for task in fargate_tasks(jd):
        node = task.node.member("networkConfiguration", "assignPublicIp")
        value = node.text() if node is not None else None
        if node is None or value is None or value.strip().upper() != "ENABLED":
            continue
        yield Hit(
            jd,
            f"Fargate job definition gives {task.label} a public IP address "
            "(networkConfiguration.assignPublicIp ENABLED), so its jobs can be reached from "
            "the internet wherever their security groups allow: set it to DISABLED and run "
            "the jobs in private subnets with a NAT gateway or VPC endpoints.",
            node,
        )
