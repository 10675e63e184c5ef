"""A compute environment, its compute resources, a job queue or a scheduling policy has no tags.

## What it does
One rule for the four AWS Security Hub tagging controls of AWS Batch (its code is a
compute-environment code, but it also flags job queues and scheduling policies):

| Resource | Tags read | Security Hub control |
| --- | --- | --- |
| job queue | `tags` | Batch.1 |
| scheduling policy | `tags` | Batch.2 |
| compute environment | `tags` | Batch.3 |
| compute resources of an `EC2` or `SPOT` compute environment | `computeResources.tags` | Batch.4 |

With the default options it flags a resource that has **no tags at all**, exactly as the
Security Hub controls (and their AWS Config rules) do with no `requiredKeyTags` parameter;
keys that start with `aws:` (system tags) do not count. With the `required_tags` option
(a list of tag keys, case-sensitive) it flags a resource that lacks any of those keys, and
the message lists the missing ones. Fargate compute environments have no compute-resource
tags and are not checked for Batch.4; unmanaged ones have no compute resources.

In CloudFormation, `Tags` of Batch resources is a map (`Tags: {team: genomics}`). In a
Terraform plan, `tags_all` is read when the plan has it: it includes the provider's
`default_tags`, so a resource tagged only through `default_tags` is tagged. Tags that are
unknown until deploy (a `!Ref` to a map parameter, a `merge()` of values known only at apply)
are not findings; an `Fn::If` is flagged only for the keys that every branch lacks.

## Why is this bad?
Tags are how a Batch estate is attributed and governed: cost allocation reports, budgets,
ABAC policies and clean-up automation all key on them. An untagged queue or compute
environment has no visible owner, and untagged compute resources mean the EC2 instances
Batch launches, which are most of the bill, cannot be charged back to a team or project.
Security Hub reports all four cases as failed controls.

## Example
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
        InstanceTypes: [optimal]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  JobQueue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - {Order: 1, ComputeEnvironment: !Ref ComputeEnvironment}
```

## Use instead
```yaml
Resources:
  ComputeEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      Tags: {team: genomics, cost-center: "4711"}
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MaxvCpus: 64
        InstanceTypes: [optimal]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
        Tags: {team: genomics, cost-center: "4711"}
  JobQueue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - {Order: 1, ComputeEnvironment: !Ref ComputeEnvironment}
      Tags: {team: genomics, cost-center: "4711"}
```

## Options
`required_tags` (default `[]`): tag keys every resource must have. Empty, the rule checks
only that there is at least one tag, as Security Hub does by default. The examples above run
with:

```json
{"required_tags": []}
```

## Known limitations
- Most public templates tag none of their Batch resources, so with the default options this
  rule fires on most of them: it is the Security Hub control verbatim, a note, and meant for
  teams that enforce it. Set `required_tags` to your own keys to check those instead, or
  disable the rule.
- CloudFormation stack-level tags (`aws cloudformation deploy --tags`, a StackSet's tags)
  are given at deploy time, not in the template: a stack deployed with tags can make a
  finding moot. Tags added with CDK's `Tags.of(...)` are in the synthesized template and
  are read.
- Tag values are not checked, only keys.

## References
- https://docs.aws.amazon.com/securityhub/latest/userguide/batch-controls.html
- https://docs.aws.amazon.com/config/latest/developerguide/batch-managed-compute-env-compute-resources-tagged.html
- https://docs.aws.amazon.com/batch/latest/userguide/tag-resources.html
- https://registry.terraform.io/providers/hashicorp/aws/latest/docs#default_tags-configuration-block
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import Graph, Kind, Node, Resource
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.tags import SYSTEM_PREFIX, user_tag_keys

# kind -> (what it is, for messages; the Security Hub control)
_CONTROLS = {
    Kind.JOB_QUEUE: ("Job queue", "Batch.1"),
    Kind.SCHEDULING_POLICY: ("Scheduling policy", "Batch.2"),
    Kind.COMPUTE_ENVIRONMENT: ("Compute environment", "Batch.3"),
}
_COMPUTE_RESOURCES = ("Compute resources", "Batch.4")
_INSTANCES = {"EC2", "SPOT"}  # Fargate compute resources take no tags


@rule(
    code="BL-CE-029",
    name="missing-required-tags",
    severity=Severity.NOTE,
    tags=("operability", "cost"),
    fix="Tag the resource (and computeResources) with the required keys",
    options={"required_tags": []},
)
def check(graph: Graph, ctx: Context) -> Iterator[Hit]:
    required = _required(ctx.options.get("required_tags"))
    for resource in graph.scope.resources:
        control = _CONTROLS.get(resource.kind)
        if control is None:
            continue
        merged = resource.props.get("tagsAll")  # Terraform: tags with the provider's default_tags
        own = merged if merged is not None else resource.props.get("tags")
        yield from _judge(resource, own, resource.props, "tags", control, required)
        if resource.kind is Kind.COMPUTE_ENVIRONMENT:
            compute = resource.props.get("computeResources")
            kind = compute.get("type") if compute is not None else None
            if compute is None or kind is None or (kind.text() or "").upper() not in _INSTANCES:
                continue
            field = "computeResources.tags"
            yield from _judge(
                resource, compute.get("tags"), compute, field, _COMPUTE_RESOURCES, required
            )


def _judge(
    resource: Resource,
    tags: Node | None,
    parent: Node,
    field: str,
    control: tuple[str, str],
    required: list[str],
) -> Iterator[Hit]:
    what, code = control
    found = user_tag_keys(tags)
    if found is None:
        return  # unknown until deploy
    at = tags if tags is not None else (parent if parent is not resource.props else None)
    if not required:
        if all(not keys for keys in found):
            yield Hit(
                resource,
                f"{what} {_have(what)} no tags (Security Hub {code}): {_advice(field)}.",
                at,
            )
        return
    missing = [key for key in required if all(key not in keys for keys in found)]
    if missing:
        listed = ", ".join(missing)
        noun = "key" if len(missing) == 1 else "keys"
        yield Hit(
            resource,
            f"{what} {_lack(what)} the required tag {noun} {listed} (Security Hub {code}): "
            f"add {'it' if len(missing) == 1 else 'them'} to {field}.",
            at,
        )


def _required(value: object) -> list[str]:
    """The ``required_tags`` option as a list of keys (a lone string is one key)."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out: list[str] = []
    for item in items:
        key = item.strip() if isinstance(item, str) else ""
        if key and not key.lower().startswith(SYSTEM_PREFIX) and key not in out:
            out.append(key)
    return out


def _have(what: str) -> str:
    return "have" if what == _COMPUTE_RESOURCES[0] else "has"


def _lack(what: str) -> str:
    return "lack" if what == _COMPUTE_RESOURCES[0] else "lacks"


def _advice(field: str) -> str:
    if field == "tags":
        return "add tags (owner, project, cost center) so it can be attributed and governed"
    return (
        f"set {field} (owner, project, cost center) so the EC2 instances Batch launches for "
        "this environment can be attributed"
    )
