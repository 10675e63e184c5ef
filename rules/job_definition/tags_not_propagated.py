"""A tagged job definition does not propagate its tags to the ECS tasks its jobs run as.

## What it does
Flags a job definition that has tags (its `tags`; in a Terraform plan also `tags_all`, which
adds the provider's `default_tags`) while `propagateTags` is absent (the default is `false`)
or `false` (Terraform: `propagate_tags`). With the `only_tagged` option set to `false`, it
flags every job definition that does not propagate tags, tagged or not.

EKS job definitions are never flagged: their jobs run as Kubernetes pods, not ECS tasks, and
AWS Batch does not accept `propagateTags` for them.

## Why is this bad?
The tags of a job and of its job definition reach the ECS task (and, on Fargate, the billed
task) only when `propagateTags` is true. Without it the tags stay on the job definition,
which costs nothing, and the tasks that cost money carry none: cost allocation reports
(Fargate tasks, and EC2 through split cost allocation data) cannot attribute the jobs to
a team or a project, and tag-based automation does not see them.

## Example
```yaml
Resources:
  Nightly:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      Tags: {team: analytics, cost-center: "4711"}
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12-slim
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  Nightly:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PropagateTags: true
      Tags: {team: analytics, cost-center: "4711"}
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12-slim
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Options
`only_tagged` (default `true`): flag only job definitions that have tags of their own. Most
public templates tag nothing, and for them the advice is empty unless jobs are tagged when
they are submitted; set it to `false` if your jobs get their tags at `SubmitJob` (a pipeline,
Step Functions). The examples above run with:
```json
{"only_tagged": true}
```

## Cost impact
None directly; untagged tasks make the Batch bill impossible to split by team or project.

## Known limitations
`SubmitJob` can set `propagateTags` itself, which overrides the job definition's. Tags given
at deploy time (CloudFormation stack tags) are not in the template and are not seen. More
than 50 tags from the job and the job definition together make the job fail when they are
propagated. Tags unknown until deploy keep the rule silent.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
- https://docs.aws.amazon.com/batch/latest/userguide/using-tags.html
- https://docs.aws.amazon.com/cur/latest/userguide/split-cost-allocation-data.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition, Origin
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.tags import certain_tag_keys

_SHOWN = 3  # tag keys named in a message


@rule(
    code="BL-JD-015",
    name="tags-not-propagated",
    severity=Severity.NOTE,
    tags=("cost", "operability"),
    fix="Set propagateTags to true",
    options={"only_tagged": True},
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    if jd.props.get("eksProperties") is not None:
        return  # pods, not ECS tasks: propagateTags does not apply
    propagate = jd.field("propagateTags")
    if propagate is None or propagate.flag() is not False:
        return  # true, or unknown
    state = "absent (false by default)" if propagate.origin is Origin.DEFAULT else "false"
    found = certain_tag_keys(jd)
    keys = sorted(found) if found else None
    if keys:
        shown = ", ".join(keys[:_SHOWN]) + (", …" if len(keys) > _SHOWN else "")
        yield Hit(
            jd,
            f"Job definition is tagged ({shown}) but propagateTags is {state}, so the ECS tasks "
            "of its jobs carry none of these tags and their cost cannot be allocated by tag: "
            "set propagateTags to true.",
            propagate,
        )
    elif ctx.options.get("only_tagged", True) is False:  # tagged or not, or unknown
        yield Hit(
            jd,
            f"propagateTags is {state}, so the ECS tasks of the job definition's jobs carry no "
            "tags from the job or the job definition and their cost cannot be allocated by "
            "tag: set propagateTags to true.",
            propagate,
        )
