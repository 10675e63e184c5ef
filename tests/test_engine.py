"""The engine and registry: dispatch, crashes, user rules, dedupe and selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchlint.cli import main
from batchlint.engine import ScanOptions, scan
from batchlint.registry import RuleError, all_rules, load_rules
from batchlint.rule import Severity

TEMPLATE = """\
Resources:
  Env:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        MaxvCpus: 16
        InstanceTypes: [c7i, m7i, r7i]
        Subnets: [subnet-1]
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties: {Image: "busybox:1.36"}
"""

RULE = '''"""{summary}

## What it does
Test rule.

## Why is this bad?
Test.

## Example
```yaml
Resources: {{}}
```

## Use instead
```yaml
Resources: {{}}
```
"""

from batchlint.model import {target}
from batchlint.rule import Severity, rule, Hit


@rule(code="{code}", name="{name}", severity=Severity.NOTE, tags=("operability",), fix="x")
def check(item: {target}, ctx):
    {body}
'''


def _rule_dir(
    tmp_path: Path,
    body: str,
    *,
    code: str = "BL-JD-900",
    name: str = "test-rule",
    target: str = "JobDefinition",
    summary: str = "A test rule.",
) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    text = RULE.format(code=code, name=name, target=target, body=body, summary=summary)
    (folder / f"{name.replace('-', '_')}.py").write_text(text)
    return folder


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(TEMPLATE)
    return path


def test_a_crashing_rule_becomes_a_meta_finding(tmp_path: Path, template: Path) -> None:
    rules = _rule_dir(tmp_path, "raise ValueError('boom')")
    report = scan(
        [str(template)], ScanOptions(select=["BL-JD-900", "BL-META"], rules_dirs=(rules,))
    )
    assert [(f.code, f.resource) for f in report.findings] == [("BL-META-003", "Job")]
    assert "BL-JD-900 test-rule" in report.findings[0].message
    assert "ValueError: boom" in report.findings[0].message


def test_a_crashing_graph_rule_is_reported_on_the_file(tmp_path: Path, template: Path) -> None:
    rules = _rule_dir(tmp_path, "raise KeyError('x')", target="Graph")
    report = scan(
        [str(template)], ScanOptions(select=["BL-JD-900", "BL-META"], rules_dirs=(rules,))
    )
    [finding] = report.findings
    assert (finding.code, finding.resource, finding.line) == ("BL-META-003", "", 1)
    assert "failed on this file: KeyError" in finding.message


def test_user_rule_runs_per_resource_kind(tmp_path: Path, template: Path) -> None:
    rules = _rule_dir(
        tmp_path, "yield Hit(item, 'Seen.')", target="ComputeEnvironment", code="BL-CE-900"
    )
    report = scan([str(template)], ScanOptions(select=["BL-CE-900"], rules_dirs=(rules,)))
    assert [(f.resource, f.message, f.line) for f in report.findings] == [("Env", "Seen.", 3)]


def test_graph_rules_see_the_whole_scope(tmp_path: Path, template: Path) -> None:
    body = "yield Hit(item.scope.resources[-1], str(len(item.scope.resources)) + '.')"
    rules = _rule_dir(tmp_path, body, target="Graph")
    report = scan([str(template)], ScanOptions(select=["test-rule"], rules_dirs=(rules,)))
    assert [(f.resource, f.message) for f in report.findings] == [("Job", "2.")]


def test_two_findings_at_one_value_keep_distinct_fingerprints(
    tmp_path: Path, template: Path
) -> None:
    rules = _rule_dir(tmp_path, "yield Hit(item, 'One.')\n    yield Hit(item, 'Two.')")
    report = scan([str(template)], ScanOptions(select=["test-rule"], rules_dirs=(rules,)))
    assert len({f.fingerprint for f in report.findings}) == 2


def test_repeated_identical_findings_are_reported_once(tmp_path: Path, template: Path) -> None:
    rules = _rule_dir(tmp_path, "yield Hit(item, 'Same.')\n    yield Hit(item, 'Same.')")
    report = scan([str(template)], ScanOptions(select=["test-rule"], rules_dirs=(rules,)))
    assert len(report.findings) == 1


def test_severity_override_by_name(template: Path) -> None:
    options = ScanOptions(
        select=["spot-best-fit-allocation"],
        severity={"spot-best-fit-allocation": Severity.ERROR},
    )
    report = scan([str(template)], options)
    assert [f.severity for f in report.findings] == [Severity.ERROR]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"code": "BL-CE-001", "name": "other-name"}, "'BL-CE-001' is already used"),
        ({"target": "Node"}, "must be annotated"),
        ({"summary": ""}, "needs a Markdown module docstring"),
    ],
)
def test_broken_user_rules_are_usage_errors(
    tmp_path: Path, kwargs: dict[str, str], needle: str
) -> None:
    if kwargs.get("summary") == "":
        folder = tmp_path / "rules"
        folder.mkdir()
        (folder / "bad.py").write_text(
            "from batchlint.model import JobDefinition\n"
            "from batchlint.rule import Severity, rule\n"
            "@rule(code='BL-JD-901', name='bad', severity=Severity.NOTE, tags=(), fix='x')\n"
            "def check(item: JobDefinition, ctx):\n    return iter(())\n"
        )
    else:
        folder = _rule_dir(tmp_path, "return iter(())", **kwargs)
    with pytest.raises(RuleError, match=needle):
        all_rules((folder,))


def test_broken_rules_dir_exits_2_with_one_line(
    tmp_path: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "syntax.py").write_text("def (:\n")
    assert main(["scan", str(template), "--rules-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "cannot load rule: SyntaxError" in err and err.count("\n") == 1


def test_rules_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="rules directory not found"):
        load_rules([tmp_path / "missing"])
