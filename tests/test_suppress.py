"""Suppressions: template Metadata and config entries, reasons, unused ones, and outputs."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from batchlint import meta
from batchlint.cli import main
from batchlint.engine import ScanOptions, scan
from batchlint.inputs import InputError
from batchlint.model import Kind, Node, Origin, Scope
from batchlint.report import Finding, Report
from batchlint.reporters import render
from batchlint.suppress import arn_matches, from_cfn_metadata
from tests.test_reporters import PUBLISHED_SCHEMA, _sarif_schema, _validate

# a job definition that trips exactly these rules (nothing else), by name
JOB_RULES = {
    "BL-JD-001": "missing-retry-strategy",
    "BL-JD-003": "missing-job-timeout",
    "BL-JD-004": "privileged-container",
}
JOB = """\
  Job:
    Type: AWS::Batch::JobDefinition
{metadata}    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36.1
        Privileged: true
        ReadonlyRootFilesystem: true
        User: "1000:1000"
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
"""


def _template(resource_metadata: str = "", template_metadata: str = "") -> str:
    metadata = textwrap.indent(resource_metadata, "    ") if resource_metadata else ""
    head = f"Metadata:\n{textwrap.indent(template_metadata, '  ')}" if template_metadata else ""
    return f"{head}Resources:\n{JOB.replace('{metadata}', metadata)}"


def _write(tmp_path: Path, text: str, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _scan(path: Path, **options: Any) -> Report:
    return scan([str(path)], ScanOptions(**options))


def _codes(report: Report) -> dict[str, tuple[str, ...]]:
    """code -> the justifications of its suppressions (one finding per code here)."""
    return {f.code: tuple(s.justification for s in f.suppressions) for f in report.findings}


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_job_trips_exactly_the_rules_the_tests_suppress(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, _template()))
    assert sorted(_codes(report)) == sorted(JOB_RULES)
    assert all(f.counts for f in report.findings)


# --- resource Metadata ------------------------------------------------------------------------

RESOURCE_LEVEL = """\
Metadata:
  batchlint:
    ignore:
      - rule: privileged-container     # by name
        reason: needs /dev/fuse for the FUSE mount
      - {rule: bl-jd-003, reason: polls its queue until cancelled}   # by code, any case
"""


def test_resource_metadata_by_name_and_by_code_yaml(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, _template(RESOURCE_LEVEL)))
    assert _codes(report) == {
        "BL-JD-001": (),
        "BL-JD-003": ("polls its queue until cancelled",),
        "BL-JD-004": ("needs /dev/fuse for the FUSE mount",),
    }
    suppressed = [f for f in report.findings if f.suppressions]
    assert {s.kind for f in suppressed for s in f.suppressions} == {"inSource"}
    assert {s.location for f in suppressed for s in f.suppressions} == {"Metadata of Job"}
    assert report.summary()["suppressed"] == 2


def _as_json(yaml_text: str) -> str:
    import yaml

    return json.dumps(yaml.safe_load(yaml_text), indent=4)


def test_resource_metadata_in_a_json_template(tmp_path: Path) -> None:
    path = _write(tmp_path, _as_json(_template(RESOURCE_LEVEL)), "stack.json")
    report = _scan(path)
    assert _codes(report)["BL-JD-004"] == ("needs /dev/fuse for the FUSE mount",)
    assert _codes(report)["BL-JD-003"] == ("polls its queue until cancelled",)
    assert _codes(report)["BL-JD-001"] == ()


def test_suppression_keeps_the_fingerprint(tmp_path: Path) -> None:
    plain = _scan(_write(tmp_path, _template(), "a.yaml"))
    silenced = _scan(_write(tmp_path, _template(RESOURCE_LEVEL), "a.yaml"))
    assert {f.fingerprint for f in plain.findings} == {f.fingerprint for f in silenced.findings}


def test_metadata_of_another_resource_does_not_apply(tmp_path: Path) -> None:
    other = textwrap.dedent("""\
          Other:
            Type: AWS::SNS::Topic
            Metadata:
              batchlint:
                ignore: [{rule: privileged-container, reason: not this one}]
        """)
    path = _write(tmp_path, _template() + textwrap.indent(other, "  "))
    report = _scan(path)
    assert _codes(report)["BL-JD-004"] == ()
    unused = [f for f in report.findings if f.code == "BL-META-005"]
    assert len(unused) == 1 and unused[0].line == _line_of(path, "{rule: privileged-container")


# --- template Metadata ------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_template_metadata_for_the_whole_file_and_by_resource_glob(
    tmp_path: Path, syntax: str
) -> None:
    template = _template(
        template_metadata="""\
batchlint:
  ignore:
    - {rule: missing-retry-strategy, reason: the workflow engine retries}
    - {rule: BL-JD-004, reason: FUSE jobs, resource: "J*"}
    - {rule: missing-job-timeout, reason: other stacks only, resource: "Worker*"}
"""
    )
    text = template if syntax == "yaml" else _as_json(template)
    report = _scan(_write(tmp_path, text, f"stack.{syntax}"))
    codes = _codes(report)
    assert codes["BL-JD-001"] == ("the workflow engine retries",)
    assert codes["BL-JD-004"] == ("FUSE jobs",)
    assert codes["BL-JD-003"] == ()
    unused = [f for f in report.findings if f.code == "BL-META-005"]
    assert [f.message for f in unused] == [
        "suppression of missing-job-timeout in template Metadata matches no finding; remove it"
    ]
    assert {s.location for f in report.findings for s in f.suppressions} == {"template Metadata"}


def test_two_suppressions_of_one_finding_are_both_kept(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _template(
            RESOURCE_LEVEL,
            "batchlint: {ignore: [{rule: privileged-container, reason: whole stack}]}\n",
        ),
    )
    codes = _codes(_scan(path))
    assert codes["BL-JD-004"] == ("needs /dev/fuse for the FUSE mount", "whole stack")


# --- entries that are not applied -------------------------------------------------------------


def _invalid(tmp_path: Path, entries: str) -> tuple[Report, Path]:
    path = _write(tmp_path, _template(f"Metadata:\n  batchlint:\n{entries}"))
    return _scan(path), path


def test_missing_reason_is_not_applied_and_reported_at_the_entry(tmp_path: Path) -> None:
    report, path = _invalid(
        tmp_path,
        "    ignore:\n"
        "      - rule: privileged-container\n"
        "      - {rule: BL-JD-003, reason: '  '}\n",
    )
    assert _codes(report)["BL-JD-004"] == () and _codes(report)["BL-JD-003"] == ()
    invalid = [f for f in report.findings if f.code == "BL-META-006"]
    assert [(f.line, f.message) for f in invalid] == [
        (
            _line_of(path, "- rule: privileged-container"),
            "suppression of privileged-container not applied: it needs a reason",
        ),
        (
            _line_of(path, "{rule: BL-JD-003"),
            "suppression of BL-JD-003 not applied: it needs a reason",
        ),
    ]
    assert all(f.resource == "Job" and f.name == "suppression-invalid" for f in invalid)
    assert invalid[0].pointer == "/Resources/Job/Metadata/batchlint/ignore/0"


def test_unknown_rule_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    report, _ = _invalid(tmp_path, "    ignore: [{rule: privileged-containers, reason: x}]\n")
    [invalid] = [f for f in report.findings if f.code == "BL-META-006"]
    assert invalid.message == (
        "suppression not applied: unknown rule 'privileged-containers' "
        "(did you mean 'privileged-container'?)"
    )
    assert not [f for f in report.findings if f.code == "BL-META-005"]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            "    ignore: [privileged-container]\n",
            "suppression must be a mapping with rule and reason",
        ),
        ("    ignore: {rule: x}\n", "batchlint 'ignore' must be a list of {rule, reason}"),
        (
            "    ignore: [{rule: privileged-container, reasons: x}]\n",
            "unknown key 'reasons' (did you mean 'reason'?)",
        ),
        ("    ignore: [{reason: x}]\n", "it names no rule (rule: CODE or name)"),
        ("    ignore: [{rule: duplicate-key, reason: x}]\n", "BL-META-004 duplicate-key cannot be"),
        (
            "    ignores: []\n",
            "unknown key 'ignores' in batchlint Metadata (did you mean 'ignore'?)",
        ),
    ],
)
def test_malformed_entries(tmp_path: Path, entries: str, message: str) -> None:
    report, _ = _invalid(tmp_path, entries)
    [invalid] = [f for f in report.findings if f.code == "BL-META-006"]
    assert message in invalid.message
    assert _codes(report)["BL-JD-004"] == ()


def test_batchlint_metadata_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, _template("Metadata: {batchlint: [privileged-container]}\n"))
    [invalid] = [f for f in _scan(path).findings if f.code == "BL-META-006"]
    assert "must be a mapping with an 'ignore' list" in invalid.message
    assert invalid.pointer == "/Resources/Job/Metadata/batchlint"


def test_other_metadata_is_left_alone() -> None:
    assert from_cfn_metadata({"cfn-lint": {"config": {}}}, "/Metadata") == []
    assert from_cfn_metadata("text", "/Metadata") == []
    assert from_cfn_metadata(None, "/Metadata") == []


def test_meta_findings_cannot_be_suppressed(tmp_path: Path) -> None:
    text = _template(
        template_metadata=(
            "batchlint:\n  ignore:\n    - {rule: input-shape-unsupported, reason: known}\n"
        )
    )
    text += "  Broken:\n    Type: AWS::Batch::JobQueue\n    Properties: [1]\n"
    report = _scan(_write(tmp_path, text))
    shape = [f for f in report.findings if f.code == "BL-META-002"]
    assert shape and not shape[0].suppressions
    assert any(f.code == "BL-META-006" for f in report.findings)


# --- unused suppressions and rule selection ---------------------------------------------------

UNUSED = """\
Metadata:
  batchlint:
    ignore:
      - {rule: image-tag-unpinned, reason: pinned by the pipeline}
"""


def test_unused_suppression_is_reported_at_the_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, _template(UNUSED))
    report = _scan(path)
    [unused] = [f for f in report.findings if f.code == "BL-META-005"]
    assert unused.name == "unused-suppression" and unused.severity.value == "warning"
    assert unused.line == _line_of(path, "{rule: image-tag-unpinned")
    assert unused.resource == "Job"
    assert unused.message == (
        "suppression of image-tag-unpinned in Metadata of Job matches no finding; remove it"
    )


@pytest.mark.parametrize(
    "options",
    [
        {"select": ["BL-JD-004", "BL-META"]},
        {"ignore": ["image-tag-unpinned"]},
        {"ignore": ["BL-JD"]},
        {"per_file_ignores": {"*.yaml": ["BL-JD-007"]}},
    ],
)
def test_suppressions_of_rules_that_did_not_run_are_not_unused(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    report = _scan(_write(tmp_path, _template(UNUSED)), **options)
    assert not [f for f in report.findings if f.code == "BL-META-005"]


def test_unused_suppression_can_itself_be_ignored(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, _template(UNUSED)), ignore=["unused-suppression"])
    assert not [f for f in report.findings if f.code.startswith("BL-META")]


# --- config suppressions ----------------------------------------------------------------------


def _config(rule: str, resource: str, n: int = 1, **extra: str) -> dict[str, str]:
    return {
        "rule": rule,
        "resource": resource,
        "reason": "warm pool for the trading desk",
        "location": f"pyproject.toml [[tool.batchlint.suppress]] #{n}",
        **extra,
    }


def test_config_suppression_by_address(tmp_path: Path) -> None:
    path = _write(tmp_path, _template())
    report = _scan(path, suppress=[_config("privileged-container", "J?b")])
    [finding] = [f for f in report.findings if f.code == "BL-JD-004"]
    [suppression] = finding.suppressions
    assert suppression.kind == "external"
    assert suppression.location == "pyproject.toml [[tool.batchlint.suppress]] #1"
    assert not [f for f in report.findings if f.code.startswith("BL-META")]


CE = """\
Resources:
  LatencyCritical:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeEnvironmentName: latency-critical-eu
      ComputeResources:
        Type: EC2
        MinvCpus: 16
        MaxvCpus: 64
        InstanceTypes: [c6i.xlarge]
        Subnets: [subnet-1]
        InstanceRole: ecsInstanceRole
"""
ISSUE_ARN = "arn:aws:batch:*:*:compute-environment/latency-critical-*"


def test_config_suppression_by_arn_glob_in_a_template(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, CE), suppress=[_config("min-vcpus-always-on", ISSUE_ARN)])
    [finding] = [f for f in report.findings if f.code == "BL-CE-006"]
    assert [s.justification for s in finding.suppressions] == ["warm pool for the trading desk"]


def test_config_suppression_by_arn_glob_in_terraform_state(tmp_path: Path) -> None:
    arn = "arn:aws:batch:eu-west-1:123456789012:compute-environment/latency-critical-1"
    resource = {
        "address": "aws_batch_compute_environment.lc",
        "mode": "managed",
        "type": "aws_batch_compute_environment",
        "name": "lc",
        "values": {
            "arn": arn,
            "compute_environment_name": "latency-critical-1",
            "type": "MANAGED",
            "compute_resources": [
                {"type": "EC2", "min_vcpus": 16, "max_vcpus": 64, "instance_type": ["c6i"]}
            ],
        },
    }
    state = {
        "format_version": "1.0",
        "terraform_version": "1.6.0",
        "values": {"root_module": {"resources": [resource]}},
    }
    path = _write(tmp_path, json.dumps(state), "state.json")
    hit = _scan(path, suppress=[_config("BL-CE-006", ISSUE_ARN)])
    assert [f.suppressions != () for f in hit.findings if f.code == "BL-CE-006"] == [True]
    other_account = "arn:aws:batch:*:999999999999:compute-environment/latency-critical-*"
    miss = _scan(path, suppress=[_config("BL-CE-006", other_account)])
    assert [f.suppressions for f in miss.findings if f.code == "BL-CE-006"] == [()]


def _resource(kind: Kind, name: str | None, arn: str | None = None) -> Any:
    scope = Scope("t.yaml", "cloudformation")
    return scope.add(kind, "R", "T", Node({}, Origin.SET, ""), "/Resources/R", name=name, arn=arn)


@pytest.mark.parametrize(
    ("pattern", "kind", "name", "region", "expected"),
    [
        (ISSUE_ARN, Kind.COMPUTE_ENVIRONMENT, "latency-critical-a", None, True),
        (ISSUE_ARN, Kind.COMPUTE_ENVIRONMENT, "batch-a", None, False),
        (ISSUE_ARN, Kind.JOB_QUEUE, "latency-critical-a", None, False),
        (ISSUE_ARN, Kind.COMPUTE_ENVIRONMENT, None, None, False),  # name unknown until deploy
        ("arn:aws:batch:eu-west-1:1:compute-environment/x", Kind.COMPUTE_ENVIRONMENT, "x",
         "us-east-1", False),
        ("arn:aws:batch:eu-west-1:1:compute-environment/x", Kind.COMPUTE_ENVIRONMENT, "x",
         None, True),
        ("arn:aws:batch:*:*:job-definition/render:3", Kind.JOB_DEFINITION, "render", None, True),
        ("arn:aws:batch:*:*:job-definition/render*", Kind.JOB_DEFINITION, "render", None, True),
        ("arn:aws:iam::*:role/batch-*", Kind.IAM_ROLE, "batch-jobs", "eu-west-1", True),
        ("arn:aws:batch", Kind.COMPUTE_ENVIRONMENT, "x", None, False),
    ],
)  # fmt: skip
def test_arn_matches(
    pattern: str, kind: Kind, name: str | None, region: str | None, expected: bool
) -> None:
    assert arn_matches(pattern, _resource(kind, name), region) is expected


def test_arn_matches_a_known_arn_exactly() -> None:
    arn = "arn:aws:batch:eu-west-1:1:job-queue/q"
    assert arn_matches("arn:aws:batch:*:1:job-queue/*", _resource(Kind.JOB_QUEUE, "q", arn), None)
    assert not arn_matches(
        "arn:aws:batch:*:2:job-queue/*", _resource(Kind.JOB_QUEUE, "q", arn), None
    )


def test_unused_config_suppression_is_reported_at_the_config_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _template())
    settings = [
        _config("privileged-container", "Job", 1),
        _config("min-vcpus-always-on", ISSUE_ARN, 2),
        _config("image-tag-unpinned", "Job", 3, file="ci/.batchlint.yaml", line="7"),
    ]
    report = _scan(path, suppress=settings)
    unused = [f for f in report.findings if f.code == "BL-META-005"]
    assert [(f.file, f.line) for f in unused] == [("ci/.batchlint.yaml", 7), ("pyproject.toml", 1)]
    assert unused[1].message == (
        f"suppression of min-vcpus-always-on for {ISSUE_ARN} "
        "(pyproject.toml [[tool.batchlint.suppress]] #2) matches no finding in this scan; remove it"
    )
    quiet = _scan(
        path, suppress=settings, per_file_ignores={"pyproject.toml": ["unused-suppression"]}
    )
    assert [f.file for f in quiet.findings if f.code == "BL-META-005"] == ["ci/.batchlint.yaml"]
    assert not [
        f
        for f in _scan(path, suppress=settings, select=["BL-JD"]).findings
        if f.code == "BL-META-005"
    ]


def test_a_config_suppression_used_in_one_file_is_used(tmp_path: Path) -> None:
    _write(tmp_path, _template(), "a.yaml")
    _write(tmp_path, CE, "b.yaml")
    report = scan([str(tmp_path)], ScanOptions(suppress=[_config("privileged-container", "*")]))
    assert not [f for f in report.findings if f.code == "BL-META-005"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"rule": "privileged-container", "resource": "Job", "reason": " "},
         "cfg #1: a suppression needs a reason"),
        ({"rule": "privileged", "resource": "Job", "reason": "x"}, "cfg #1: unknown rule"),
        ({"rule": "rule-crashed", "reason": "x"}, "cfg #1: BL-META-003 rule-crashed cannot be"),
    ],
)  # fmt: skip
def test_invalid_config_suppression_is_an_input_error(
    tmp_path: Path, setting: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        _scan(_write(tmp_path, _template()), suppress=[{**setting, "location": "cfg #1"}])


# --- outputs and the exit code ----------------------------------------------------------------

ALL = """\
batchlint:
  ignore:
    - {rule: missing-retry-strategy, reason: retried by Step Functions}
    - {rule: missing-job-timeout, reason: "a service, not a batch job"}
    - {rule: privileged-container, reason: needs /dev/fuse}
"""


def test_exit_code_zero_when_every_finding_is_suppressed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _template(template_metadata=ALL))
    assert main(["scan", str(path), "--fail-on", "note"]) == 0
    out = capsys.readouterr().out
    assert out == "No findings in 1 file; 3 suppressed.\n"
    assert main(["scan", str(_write(tmp_path, _template(), "plain.yaml"))]) == 1


def test_text_lists_only_unsuppressed_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _template(RESOURCE_LEVEL))
    assert main(["scan", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[:-2]] == ["BL-JD-001"]
    assert out[-1] == "1 finding (0 errors, 1 warning, 0 notes) in 1 file; 2 suppressed."


def test_json_carries_suppressions_and_matches_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _template(RESOURCE_LEVEL))
    assert main(["scan", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    _validate(doc, json.loads(PUBLISHED_SCHEMA.read_text(encoding="utf-8")))
    by_code = {f["code"]: f["suppressions"] for f in doc["findings"]}
    assert by_code["BL-JD-004"] == [
        {
            "kind": "inSource",
            "justification": "needs /dev/fuse for the FUSE mount",
            "location": "Metadata of Job",
        }
    ]
    assert doc["summary"]["suppressed"] == 2


def test_sarif_suppressions_are_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _template(RESOURCE_LEVEL))
    settings = [_config("missing-retry-strategy", "Job")]
    report = _scan(path, suppress=settings)
    text = render(report, "sarif", color=False, tool_version="1.0.0", base_dir=str(tmp_path))
    log = json.loads(text)
    _validate(log, _sarif_schema())
    results = {r["ruleId"]: r.get("suppressions") for r in log["runs"][0]["results"]}
    assert results == {
        "BL-JD-001": [
            {
                "justification": "warm pool for the trading desk",
                "kind": "external",
                "properties": {"location": "pyproject.toml [[tool.batchlint.suppress]] #1"},
            }
        ],
        "BL-JD-003": [
            {
                "justification": "polls its queue until cancelled",
                "kind": "inSource",
                "properties": {"location": "Metadata of Job"},
            }
        ],
        "BL-JD-004": [
            {
                "justification": "needs /dev/fuse for the FUSE mount",
                "kind": "inSource",
                "properties": {"location": "Metadata of Job"},
            }
        ],
    }


def test_unsuppressed_sarif_results_have_no_suppressions_key(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, _template()))
    log = json.loads(render(report, "sarif", color=False, tool_version="1", base_dir="."))
    assert all("suppressions" not in r for r in log["runs"][0]["results"])


# --- the meta rules' own documentation --------------------------------------------------------


def _section(doc: str, heading: str) -> str:
    part = doc.split(heading, 1)[1]
    match = re.search(r"```yaml\n(.*?)```", part, re.S)
    assert match
    return match.group(1)


@pytest.mark.parametrize("item", [meta.UNUSED_SUPPRESSION, meta.SUPPRESSION_INVALID])
def test_meta_rule_examples(item: Any, tmp_path: Path) -> None:
    def fired(text: str) -> list[Finding]:
        report = _scan(_write(tmp_path, text))
        return [f for f in report.findings if f.code == item.code]

    assert fired(_section(item.doc, "## Example"))
    assert not fired(_section(item.doc, "## Use instead"))
    assert item.code in meta.BY_CODE
