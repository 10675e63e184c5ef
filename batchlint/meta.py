"""The BL-META rules: findings about the input itself, raised by the loader and engine."""

from __future__ import annotations

from batchlint.location import fingerprint
from batchlint.report import Finding
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
read: invalid YAML or JSON, text that is not UTF-8, or a file over one of the limits that
keep a hostile input from exhausting the machine: its size (`--max-file-size`), its nesting
(`--max-depth`), its number of values once YAML aliases are expanded (`--max-values`), or
the time spent reading and checking it (`--timeout-per-file`). The defaults and the reasons
for them are in [docs/limits.md](../limits.md).

## Why is this bad?
Nothing in the file was checked (after a timeout, nothing is reported from it but this), so
a clean result would be a false assurance.

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
a type, properties that are not a mapping, an embedded JSON document that does not parse, a
number written as something else (`MaxvCpus: lots`, a vCPU requirement of `"4 vCPUs"`; it is
read as unknown), or a Terraform JSON `format_version` whose major version batchlint does not
know (the file is still read, as the nearest version it knows).

## Why is this bad?
That part was not checked, or not checked as it will be read; the deploy will most likely
reject it too.

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

DUPLICATE_KEY = RuleMeta(
    code="BL-META-004",
    name="duplicate-key",
    severity=Severity.ERROR,
    tags=("operability",),
    fix="Keep one of the two keys",
    summary="A mapping of an input file has the same key twice.",
    doc="""A mapping of an input file has the same key twice.

## What it does
Reports a key written a second time in the same YAML mapping or JSON object, at the second
occurrence, naming the line of the first. The file is still checked, with the first value:
the one a finding's line points at. Up to 20 repeats are listed per file; the rest are
counted in one more finding.

## Why is this bad?
CloudFormation rejects a template with a duplicate key. Other tools keep one of the values
without a word, and not all the same one (PyYAML and Python's JSON reader keep the last), so
what was reviewed may not be what runs.

## Example
```yaml
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      Priority: 10
```

## Use instead
```yaml
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 10
```
""",
    target="meta",
)

UNUSED_SUPPRESSION = RuleMeta(
    code="BL-META-005",
    name="unused-suppression",
    severity=Severity.WARNING,
    tags=("operability",),
    fix="Remove the suppression",
    summary="A suppression matches no finding.",
    doc="""A suppression matches no finding.

## What it does
Reports a suppression, in a template's `Metadata` or in the config's `suppress` list, that
silenced nothing in this scan: the resource was fixed, renamed or removed, or the entry names
the wrong rule or resource. It is reported at the entry (a config entry: in the config file).
A suppression of a rule that did not run (not selected, `--ignore`d, or skipped for the file by
`per-file-ignores`) is not reported. See [docs/suppressions.md](../suppressions.md).

## Why is this bad?
A stale suppression silences the next, unrelated finding of that rule on that resource, and
its reason no longer explains anything.

## Example
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Metadata:
      batchlint:
        ignore:
          - {rule: privileged-container, reason: needs /dev/fuse}
    Properties:
      Type: container
      Timeout: {AttemptDurationSeconds: 3600}
      RetryStrategy: {Attempts: 2}
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```

## Use instead
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      Timeout: {AttemptDurationSeconds: 3600}
      RetryStrategy: {Attempts: 2}
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
```
""",
    target="meta",
)

SUPPRESSION_INVALID = RuleMeta(
    code="BL-META-006",
    name="suppression-invalid",
    severity=Severity.WARNING,
    tags=("operability",),
    fix="Name a rule and give a reason",
    summary="A suppression written in an input file is not applied: no reason, or no such rule.",
    doc="""A suppression written in an input file is not applied: no reason, or no such rule.

## What it does
Reports an entry of a template's `Metadata.batchlint.ignore` list that batchlint cannot apply:
it has no reason (or an empty one), names no rule or an unknown one, names a `BL-META` rule
(those cannot be suppressed), or is not a `{rule, reason}` mapping. The finding it meant to
silence is reported as usual. See [docs/suppressions.md](../suppressions.md).

## Why is this bad?
A finding is only silenced with a reason a reviewer can read; without one the entry does
nothing, and the finding still counts.

## Example
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Metadata:
      batchlint:
        ignore:
          - rule: missing-job-timeout
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox
```

## Use instead
```yaml
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Metadata:
      batchlint:
        ignore:
          - rule: missing-job-timeout
            reason: the job polls a queue until it is cancelled
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox
```
""",
    target="meta",
)

ACCOUNT_READ_INCOMPLETE = RuleMeta(
    code="BL-META-007",
    name="account-read-incomplete",
    severity=Severity.WARNING,
    tags=("operability",),
    fix="Grant the permission, or enable the Region",
    summary="Part of an account could not be read, so it was not checked.",
    doc="""Part of an account could not be read, so it was not checked.

## What it does
Reports each AWS call that failed for good while `batchlint scan --aws` or `batchlint
snapshot --aws` read an account: access denied to one API (the message names the
permission, e.g. `iam:GetRole`), a Region that is disabled or not opted in, an endpoint that
cannot be reached, throttling that outlasted the retries, an ID the account no longer has.
The audit goes on with what it could read; the failure is recorded in the snapshot's
`errors` and reported here, at that entry. `batchlint iam-policy` prints the permissions the
audit needs (see [docs/aws.md](../aws.md)).

## Why is this bad?
What was not read was not checked: an audit that silently skipped a Region or every role
would report a clean account that is not.

## Example
```json
{"format": "batchlint-snapshot", "schemaVersion": 1, "accounts": [{"accountId":
 "123456789012", "regions": [{"region": "us-east-1", "errors": [{"operation":
 "batch:DescribeJobQueues", "code": "AccessDeniedException", "message": "not authorized"}]}]}]}
```

## Use instead
Attach the policy `batchlint iam-policy` prints to the role the audit runs as, and read the
account again:
```json
{"format": "batchlint-snapshot", "schemaVersion": 1, "accounts": [{"accountId":
 "123456789012", "regions": [{"region": "us-east-1", "errors": []}]}]}
```
""",
    target="meta",
)

META_RULES = (
    INPUT_UNREADABLE,
    INPUT_SHAPE,
    RULE_CRASHED,
    DUPLICATE_KEY,
    UNUSED_SUPPRESSION,
    SUPPRESSION_INVALID,
    ACCOUNT_READ_INCOMPLETE,
)
BY_CODE = {m.code: m for m in META_RULES}


def file_finding(
    item: RuleMeta, message: str, file: str, line: int, column: int, pointer: str
) -> Finding:
    """A finding of a BL-META rule about the file itself rather than one resource."""
    return Finding(
        code=item.code,
        name=item.name,
        severity=item.severity,
        message=message,
        resource="",
        resource_type="",
        file=file,
        line=line,
        column=column,
        pointer=pointer,
        fingerprint=fingerprint(item.code, file, pointer, message),
        tags=item.tags,
        fix=item.fix,
    )
