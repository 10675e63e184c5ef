"""A multi-node parallel job is set to run on Fargate, or can only run on Spot Instances.

## What it does
Flags a multi-node parallel job definition (`type: multinode`, or `nodeProperties`) that:

- names `FARGATE` in `platformCapabilities`; or
- runs on EC2, and every compute environment in the same template or plan that could run it
  (the EC2, Spot and unmanaged ones; only the EKS ones for an EKS job, only the ECS ones
  otherwise) is a `SPOT` one.

## Why is this bad?
AWS Fargate does not support multi-node parallel jobs: a job definition that combines
`nodeProperties` with the `FARGATE` platform capability is rejected, so the deploy fails. AWS
Batch does not run multi-node parallel jobs on Spot Instances either ("Multi-node parallel
jobs aren't supported on Spot Instances"): with only Spot compute environments to go to, the
job never starts and blocks its queue.

## Example
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Simulation:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      NodeProperties:
        NumNodes: 4
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:"
            Container:
              Image: public.ecr.aws/docker/library/busybox:latest
              ResourceRequirements:
                - {Type: VCPU, Value: "8"}
                - {Type: MEMORY, Value: "15000"}
```

## Use instead
```yaml
Resources:
  OnDemandEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Simulation:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      NodeProperties:
        NumNodes: 4
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:"
            Container:
              Image: public.ecr.aws/docker/library/busybox:latest
              ResourceRequirements:
                - {Type: VCPU, Value: "8"}
                - {Type: MEMORY, Value: "15000"}
```

## Known limitations
Job definitions are not tied to queues: every matching compute environment in the file
counts, whether or not a queue connects it to the job, and a file with no EC2 compute
environment says nothing about where the job goes. The rule is silent when the platform of
the job, or the type of one of the environments, is unknown.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/create-multi-node-job-def.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateComputeEnvironment.html
- https://docs.aws.amazon.com/batch/latest/userguide/multi-node-parallel-jobs.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.capacity import candidate_environments, job_platform
from batchlint.images import compute_types
from batchlint.model import JobDefinition, Node
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.spot import SPOT, written


@rule(
    code="BL-JD-018",
    name="multinode-on-spot-or-fargate",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Run the multi-node job on On-Demand EC2 capacity",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    at = _multinode(jd)
    platform = job_platform(jd)
    if at is None or platform is None:
        return
    if platform.fargate:
        yield Hit(
            jd,
            "Multi-node parallel job definition names the FARGATE platform capability, which "
            "AWS Batch rejects because Fargate does not run multi-node parallel jobs: set "
            "platformCapabilities to EC2 or make it a single-node job.",
            jd.props.get("platformCapabilities") or at,
        )
        return
    ces = candidate_environments(jd)
    if not ces or any(compute_types(ce) != {SPOT} for ce in ces):
        return
    where = ctx.scope.noun
    names = ", ".join(ce.address for ce in ces)
    which = "Spot compute environment" if len(ces) == 1 else "Spot compute environments"
    yield Hit(
        jd,
        f"Multi-node parallel job definition can only run on the {which} in this {where} "
        f"({names}), but AWS Batch does not run multi-node parallel jobs on Spot Instances: "
        "add an On-Demand (EC2) compute environment to its queue.",
        at,
    )


def _multinode(jd: JobDefinition) -> Node | None:
    """The value that makes the job definition a multi-node parallel one: its
    ``nodeProperties``, or its ``type`` of ``multinode``; ``None`` when it is not certainly
    one."""
    nodes = jd.props.get("nodeProperties")
    if nodes is not None and written(nodes):
        return nodes
    kind = jd.props.get("type")
    text = kind.text() if kind is not None else None
    return kind if text is not None and text.strip().lower() == "multinode" else None
