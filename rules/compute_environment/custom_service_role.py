"""A compute environment sets its own service role instead of the AWS Batch service-linked role.

## What it does
Flags a compute environment whose `serviceRole` is set to a role other than the service-linked
role `AWSServiceRoleForBatch` (`arn:aws:iam::…:role/aws-service-role/batch.amazonaws.com/…`):
a role ARN or name, or a reference to an IAM role declared in the same file. Leaving
`serviceRole` out, or naming the service-linked role, is fine.

## Why is this bad?
AWS recommends the service-linked role. Its permissions are defined and kept current by AWS,
scoped to what Batch needs, and cannot be widened by accident or assumed by another service.
A custom service role is one more role to maintain: teams attach the broad
`AWSBatchServiceRole` managed policy, forget the `aws:SourceAccount` condition that stops the
confused deputy problem, or break Batch when they tighten it. A custom role also rules out the
in-place updates of a compute environment (new AMI, instance types, subnets, allocation
strategy): Batch supports those only with the service-linked role, so CloudFormation and
Terraform replace the environment for every such change.

This is advice: remove `serviceRole` (Batch creates and uses the service-linked role) unless
your organization requires a custom role.

## Example
```yaml
Resources:
  BatchServiceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: batch.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ServiceRole: !GetAtt BatchServiceRole.Arn
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [c6i, m6i]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Known limitations
A role batchlint cannot resolve (a parameter without default, an import, an ARN whose role
name is built from one) is not flagged, as it may be the service-linked role. An ARN around
unknown account or partition (`!Sub arn:aws:iam::${AWS::AccountId}:role/BatchServiceRole`) is
judged by its role name.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/using-service-linked-roles.html
- https://docs.aws.amazon.com/batch/latest/userguide/service_IAM_role.html
- https://docs.aws.amazon.com/batch/latest/userguide/updating-compute-environments.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.images import written
from batchlint.model import ComputeEnvironment, Kind, Node, Scope
from batchlint.rule import Context, Hit, Severity, rule

# the path of the service-linked role, in an ARN or as the "path/name" Batch accepts
_SERVICE_LINKED = "aws-service-role/batch.amazonaws.com/"


@rule(
    code="BL-CE-022",
    name="custom-service-role",
    severity=Severity.NOTE,
    tags=("operability", "security"),
    fix="Remove serviceRole to use the AWSServiceRoleForBatch service-linked role",
    security_severity=3.0,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    node = written(ce, "serviceRole")
    if node is None:
        return
    roles = [_custom(ctx.scope, alt) if alt is not None else None for alt in node.branches()]
    if any(r is None for r in roles):
        return
    shown = " or ".join(dict.fromkeys(r for r in roles if r is not None))
    yield Hit(
        ce,
        f"Compute environment uses the custom service role {shown} instead of the "
        "AWSServiceRoleForBatch service-linked role, which AWS keeps scoped and current and "
        "which in-place updates require: remove serviceRole unless a custom role is required.",
        node,
    )


def _custom(scope: Scope, node: Node) -> str | None:
    """How to name the custom role ``node`` is; ``None`` when it is (or may be) the
    service-linked role."""
    text = node.text()
    if text is not None:
        return None if _SERVICE_LINKED in text else text
    pattern = node.pattern or ""  # !Sub "arn:aws:iam::${AWS::AccountId}:role/BatchService"
    if pattern.startswith("arn:") and "*" not in pattern.partition(":role/")[2]:
        return None if _SERVICE_LINKED in pattern else pattern.replace("*", "…")
    target = scope.deref(node, Kind.IAM_ROLE) if node.ref is not None else None
    return target.address if target is not None else None
