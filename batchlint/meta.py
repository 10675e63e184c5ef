"""The BL-META rules: findings about the input itself, raised by the loader and engine."""

from __future__ import annotations

from batchlint.rule import RuleMeta, Severity

INPUT_UNREADABLE = RuleMeta(
    code="BL-META-001",
    name="input-unreadable",
    severity=Severity.ERROR,
    tags=("operability",),
    fix="Fix the file so it parses",
    summary="An input file that looks like a template or plan cannot be parsed.",
    doc="""An input file that looks like a template or plan cannot be parsed.

## What it does
Reports a file that batchlint recognised as CloudFormation or Terraform JSON but could not
read: invalid YAML or JSON, nesting too deep, a YAML alias bomb, or a file over the size limit.

## Why is this bad?
Nothing in the file was checked, so a clean result would be a false assurance.

## Example
```yaml
Resources:
  Queue: {Type: AWS::Batch::JobQueue
```

## Use instead
```yaml
Resources:
  Queue: {Type: AWS::Batch::JobQueue}
```
""",
    target="meta",
)

INPUT_SHAPE = RuleMeta(
    code="BL-META-002",
    name="input-shape-unsupported",
    severity=Severity.WARNING,
    tags=("operability",),
    fix="Correct the resource's shape",
    summary="Part of an input file does not have the shape its format requires.",
    doc="""Part of an input file does not have the shape its format requires.

## What it does
Reports a part of a template or plan that batchlint could not translate: a resource without
a type, properties that are not a mapping, an embedded JSON document that does not parse.

## Why is this bad?
That part was not checked; the deploy will most likely reject it too.

## Example
```yaml
Resources:
  Queue:
    Properties: {Priority: 1}
```

## Use instead
```yaml
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties: {Priority: 1}
```
""",
    target="meta",
)

RULE_CRASHED = RuleMeta(
    code="BL-META-003",
    name="rule-crashed",
    severity=Severity.WARNING,
    tags=("operability",),
    fix="Report the crash with the input that caused it",
    summary="A rule failed on a resource; the resource was not fully checked.",
    doc="""A rule failed on a resource; the resource was not fully checked.

## What it does
Reports a rule that raised an exception while checking a resource, instead of stopping the
scan. The message names the rule and the error.

## Why is this bad?
The resource was not checked by that rule.

## Example
```yaml
# Any input that makes a rule fail.
```

## Use instead
```yaml
# Report the input and the message as a bug.
```
""",
    target="meta",
)

META_RULES = (INPUT_UNREADABLE, INPUT_SHAPE, RULE_CRASHED)
BY_CODE = {m.code: m for m in META_RULES}
