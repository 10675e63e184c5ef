"""A compute environment's service or Spot Fleet role trusts its service with no source condition.

## What it does
Follows the compute environment's `serviceRole` and `computeResources.spotIamFleetRole` to
an IAM role in the same template or plan, and flags the compute environment when the role's
trust policy (`AssumeRolePolicyDocument`) has an `Allow` statement that lets the service
(`batch.amazonaws.com` for the service role, `spotfleet.amazonaws.com` for the Spot Fleet
role) call `sts:AssumeRole` without a condition on `aws:SourceAccount` or `aws:SourceArn`.

The Spot Fleet role is checked on `SPOT` compute environments only: Batch does not use it
for On-Demand or Fargate capacity. The principal's `Service` may be a string or a list, and
`Action` a string, a list or a wildcard (`sts:*`). A condition counts when a
`StringEquals`, `StringLike`, `ArnEquals` or `ArnLike` block (also their `IfExists` and
`ForAnyValue:`/`ForAllValues:` forms) names `aws:SourceAccount`, `aws:SourceArn`,
`aws:SourceOrgID` or `aws:SourceOrgPaths`, in any letter case as IAM reads condition keys.
`Deny` statements grant nothing and are ignored.

The finding is on the compute environment, at its `serviceRole` (or `spotIamFleetRole`)
value; the message names the role and the trust statement.

## Why is this bad?
Batch and Spot Fleet assume these roles on your behalf. Without a source condition, the
trust policy accepts the service acting for any request, so a service that can be tricked
into using your role for someone else's resources (the cross-service *confused deputy*)
acts with your role's permissions: launching instances, changing networking, passing
roles. AWS recommends pinning the trust to your account (`aws:SourceAccount`) or to your own
Batch resources (`aws:SourceArn`).

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
        InstanceTypes: [optimal]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
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
            Condition:
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
              ArnLike:
                aws:SourceArn: !Sub arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:*
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
        InstanceTypes: [optimal]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

Leaving `ServiceRole` out is also fine: Batch then uses its service-linked role
`AWSServiceRoleForBatch`, whose trust policy AWS manages.

## Known limitations
- Only roles in the same template or plan are read (by reference, ARN or name); a role
  created elsewhere, or a trust policy that is unknown (a parameter, a Terraform
  `aws_iam_policy_document` computed at apply), is not checked.
- The condition's value is not checked: any source condition counts as a guard, even one
  with a wildcard account.
- A principal of `"*"` or an `AWS` (account) principal is not this rule's finding.
- The risk is bounded by `iam:PassRole`: only principals allowed to pass the role can make
  the service use it. The condition is the defence in depth AWS documents.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/cross-service-confused-deputy-prevention.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
- https://docs.aws.amazon.com/batch/latest/userguide/service_IAM_role.html
- https://docs.aws.amazon.com/batch/latest/userguide/spot_fleet_IAM_role.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.iam import role_name, unguarded_service_trust
from batchlint.model import ComputeEnvironment, Kind
from batchlint.rule import Context, Hit, Severity, rule

_FLEET = "Spot Fleet role"
# (path of the role value, its label, the service principal that assumes it)
_ROLES = (
    (("serviceRole",), "service role", "batch.amazonaws.com"),
    (("computeResources", "spotIamFleetRole"), _FLEET, "spotfleet.amazonaws.com"),
)


@rule(
    code="BL-CE-027",
    name="service-role-confused-deputy",
    severity=Severity.NOTE,
    tags=("security",),
    fix="Add an aws:SourceAccount or aws:SourceArn condition to the role's trust policy",
    security_severity=5.5,
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    compute_type = ce.props.get("computeResources", "type")
    spot = compute_type is not None and (compute_type.text() or "").upper() == "SPOT"
    for path, label, service in _ROLES:
        if label == _FLEET and not spot:
            continue  # Batch uses the Spot Fleet role only for Spot capacity
        node = ce.props.get(*path)
        role = ctx.scope.deref(node, Kind.IAM_ROLE)
        if node is None or role is None:
            continue
        found = unguarded_service_trust(role.props.get("assumeRolePolicyDocument"), service)
        if not found:
            continue
        more = len(found) - 1
        extra = f" (and {more} more statement{'s' if more > 1 else ''})" if more else ""
        yield Hit(
            ce,
            f"The {label} {role_name(role)} lets {service} assume it (trust "
            f"{found[0].label()}{extra}) with no aws:SourceAccount or aws:SourceArn condition: "
            "add one that names this account, against the cross-service confused deputy.",
            node,
        )
