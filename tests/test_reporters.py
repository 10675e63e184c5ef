"""The text, JSON and SARIF reporters, on hand-built reports (no engine involved)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import typing
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from batchlint import schema
from batchlint.report import Finding, Report
from batchlint.reporters import FORMATS, render, sarif, text
from batchlint.rule import TAGS, RuleMeta, Severity

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = Path(__file__).parent / "vendor" / "sarif-schema-2.1.0.json"
PUBLISHED_SCHEMA = REPO / "docs" / "report.schema.json"
VERSION = "1.2.3"
SUFFIX = {"text": "txt", "json": "json", "sarif": "sarif"}
# the CI formats (tests/test_formats.py)
SUFFIX |= {"github": "github.txt", "gitlab": "gitlab.json", "junit": "junit.xml", "markdown": "md"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _rule(code: str, name: str, severity: Severity, tags: tuple[str, ...], **kw: Any) -> RuleMeta:
    summary = kw.pop("summary")
    doc = f"{summary}\n\n## What it does\nFlags {name}.\n\n## Why is this bad?\nIt costs.\n"
    return RuleMeta(code, name, severity, tags, fix=kw.pop("fix"), summary=summary, doc=doc, **kw)


RULES = [
    _rule("BL-META-001", "input-unreadable", Severity.ERROR, ("operability",),
          summary="An input file cannot be parsed.", fix="Fix the file so it parses"),
    _rule("BL-CE-001", "spot-best-fit-allocation", Severity.WARNING, ("reliability", "cost"),
          summary="A Spot compute environment uses BEST_FIT.", fix="Use a capacity strategy"),
    _rule("BL-JD-002", "privileged-container", Severity.ERROR, ("security",),
          summary="A job definition runs its container privileged.", fix="Drop privileged",
          security_severity=8.1),
    _rule("BL-JD-001", "job-timeout-missing", Severity.NOTE, ("reliability",),
          summary="A job definition has no timeout.", fix="Set a timeout"),
    _rule("BL-JQ-003", "queue-without-scheduling-policy", Severity.NOTE, ("operability",),
          summary="A job queue has no scheduling policy.", fix="Attach a policy"),
]  # fmt: skip
BY_CODE = {r.code: r for r in RULES}


def _finding(code: str, file: str, line: int, column: int, resource: str, **kw: Any) -> Finding:
    meta = BY_CODE[code]
    return Finding(
        code=code,
        name=meta.name,
        severity=kw.pop("severity", meta.severity),
        message=kw.pop("message"),
        resource=resource,
        resource_type=kw.pop("resource_type", ""),
        file=file,
        line=line,
        column=column,
        pointer=kw.pop("pointer"),
        fingerprint=kw.pop("fingerprint"),
        tags=meta.tags,
        fix=meta.fix,
        estimated_monthly_cost_usd=kw.pop("cost", None),
    )


def sample_report() -> Report:
    ce, jd = "AWS::Batch::ComputeEnvironment", "AWS::Batch::JobDefinition"
    findings = [
        _finding("BL-CE-001", "stacks/batch.yaml", 12, 7, "SpotEnvironment", resource_type=ce,
                 message="uses BEST_FIT (the default) on Spot: jobs wait when that type has no "
                 "capacity — set AllocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED.",
                 pointer="/Resources/SpotEnvironment/Properties/ComputeResources",
                 fingerprint="5f0c2a9e4b7d1c3a", cost=1150.4),
        _finding("BL-JD-001", "stacks/batch.yaml", 30, 5, "Render", resource_type=jd,
                 message="has no timeout: a stuck job runs (and bills) until cancelled.",
                 pointer="/Resources/Render", fingerprint="0b6e8d1f2a3c4e5d"),
        _finding("BL-JD-002", "stacks/batch.yaml", 41, 9, "Render", resource_type=jd,
                 message="runs its container privileged; remove Privileged: true.",
                 pointer="/Resources/Render/Properties/ContainerProperties/Privileged",
                 fingerprint="9a8b7c6d5e4f3a2b"),
        _finding("BL-META-001", "stacks/broken yaml.yaml", 1, 1, "",
                 message="cannot parse: expected ',' or '}' at line 3, column 1.",
                 pointer="", fingerprint="c1d2e3f4a5b6c7d8"),
    ]  # fmt: skip
    return Report(
        findings=findings,
        costs=[
            {
                "resource": "SpotEnvironment",
                "resource_type": ce,
                "kind": "compute_environment",
                "file": "stacks/batch.yaml",
                "region": "us-east-1",
                "floor_monthly_usd": {"low": 0.0, "high": 0.0},
                "ceiling_monthly_usd": {"low": 992.8, "high": 1150.4},
                "per_job_hour_usd": None,
                "worst_case_per_submission_usd": None,
                "unbounded": False,
                "usage_monthly_usd": None,
                "details": {"compute_type": "SPOT", "min_vcpus": 0.0, "max_vcpus": 32.0},
                "assumptions": ["Floor and ceiling are at on-demand rates."],
                "prices": "AWS public list prices, EC2 on-demand as of 2024-06-01 (us-east-1)",
            }
        ],
        files_scanned=["stacks/batch.yaml", "stacks/broken yaml.yaml"],
        files_skipped=[("README.md", "not a template or plan")],
        resources={jd: 1, ce: 1},
        rules=list(RULES),
    )


def _render(report: Report, fmt: str, *, color: bool = False, base_dir: str = ".") -> str:
    return render(report, fmt, color=color, tool_version=VERSION, base_dir=base_dir)


def _sarif(report: Report, base_dir: str = ".") -> dict[str, Any]:
    log: dict[str, Any] = json.loads(_render(report, "sarif", base_dir=base_dir))
    return log


def _validate(instance: Any, schema_doc: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(schema_doc)
    cls.check_schema(schema_doc)
    cls(schema_doc, format_checker=cls.FORMAT_CHECKER).validate(instance)


def _sarif_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return loaded


# --- all formats -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str) -> None:
    out = _render(sample_report(), fmt)
    path = GOLDEN / f"report.{SUFFIX[fmt]}"
    if os.environ.get("BATCHLINT_UPDATE_GOLDEN") == "1":
        path.write_bytes(out.encode("utf-8"))
    assert path.exists(), f"{path.name} is missing; rerun with BATCHLINT_UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    assert out == expected, f"{path.name} differs; rerun with BATCHLINT_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_deterministic(fmt: str) -> None:
    first = _render(sample_report(), fmt)
    assert _render(copy.deepcopy(sample_report()), fmt) == first
    assert _render(sample_report(), fmt) == first


@pytest.mark.parametrize("fmt", FORMATS)
def test_ends_with_one_newline_and_no_trailing_whitespace(fmt: str) -> None:
    out = _render(sample_report(), fmt)
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert all(line == line.rstrip() for line in out.splitlines())


@pytest.mark.parametrize("fmt", FORMATS)
def test_colour_only_in_text_and_only_when_asked(fmt: str) -> None:
    assert "\x1b" not in _render(sample_report(), fmt, color=False)
    coloured = _render(sample_report(), fmt, color=True)
    assert ("\x1b[" in coloured) == (fmt == "text")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        _render(sample_report(), "xml")


def test_text_and_json_do_not_load_pydantic_or_sarif_om() -> None:
    code = (
        "import sys\n"
        "from batchlint.report import Report\n"
        "from batchlint.reporters import render\n"
        "before = set(sys.modules)\n"
        "for fmt in ('text', 'json'):\n"
        "    render(Report(), fmt, color=False, tool_version='0', base_dir='.')\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded = done.stdout.split()
    assert not [m for m in loaded if m.split(".")[0] in {"pydantic", "sarif_om", "attr"}]


# --- text --------------------------------------------------------------------------------


def test_text_lines_groups_and_summary() -> None:
    lines = _render(sample_report(), "text").splitlines()
    assert lines[0] == (
        "stacks/batch.yaml:12:7: BL-CE-001 spot-best-fit-allocation [warning] uses BEST_FIT "
        "(the default) on Spot: jobs wait when that type has no capacity — set "
        "AllocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED."
    )
    assert lines[3] == "" and lines[4].startswith("stacks/broken yaml.yaml:1:1: BL-META-001 ")
    assert lines[5] == ""
    assert lines[6] == "4 findings (2 errors, 1 warning, 1 note) in 2 files; 1 file skipped."
    pattern = re.compile(r"^[^:]+:\d+:\d+: BL-[A-Z]+-\d{3} [a-z-]+ \[(error|warning|note)\] .+$")
    assert all(pattern.match(line) for line in lines[:3] + lines[4:5])


def test_text_summary_wording() -> None:
    assert _render(Report(), "text") == "No findings in 0 files.\n"
    report = Report(files_scanned=["a.yaml"] * 4, files_skipped=[("b", "x"), ("c", "y")])
    assert _render(report, "text") == "No findings in 4 files; 2 files skipped.\n"
    one = sample_report()
    one.findings = one.findings[:1]
    one.files_skipped = []
    one.files_scanned = ["stacks/batch.yaml"]
    assert _render(one, "text").splitlines()[-1] == (
        "1 finding (0 errors, 1 warning, 0 notes) in 1 file."
    )


def test_text_colour_codes() -> None:
    line = _render(sample_report(), "text", color=True).splitlines()[0]
    assert line.startswith(f"stacks/batch.yaml:12:7: {text.BOLD}BL-CE-001{text.RESET} ")
    assert f"{text.SEVERITY_COLORS[Severity.WARNING]}[warning]{text.RESET}" in line
    plain = _render(sample_report(), "text", color=False)
    assert ANSI.sub("", _render(sample_report(), "text", color=True)) == plain


def test_text_keeps_hostile_input_on_one_inert_line() -> None:
    report = sample_report()
    hostile = "bad\nvalue\x1b[31m\r\tend\u202e  "
    report.findings = [replace(report.findings[0], message=hostile, file="a\nb.yaml")]
    out = _render(report, "text")
    assert "\x1b" not in out and "\u202e" not in out
    assert out.splitlines()[0].endswith("] bad value\\x1b[31m end\\u202e")
    assert out.splitlines()[0].startswith("a b.yaml:12:7: ")


# --- json --------------------------------------------------------------------------------


def test_json_document_shape() -> None:
    doc = json.loads(_render(sample_report(), "json"))
    assert list(doc) == ["schema_version", "tool", "findings", "costs", "fixed", "summary"]
    assert doc["schema_version"] == 1
    assert doc["tool"] == {
        "name": "batchlint",
        "version": VERSION,
        "information_uri": "https://github.com/batchlint/batchlint",
    }
    assert doc["findings"] == [f.as_dict() for f in sample_report().findings]
    assert doc["summary"]["by_severity"] == {"error": 2, "warning": 1, "note": 1}
    assert doc["costs"][0]["ceiling_monthly_usd"] == {"low": 992.8, "high": 1150.4}


@pytest.mark.parametrize("report", [sample_report(), Report()], ids=["sample", "empty"])
def test_json_matches_published_schema(report: Report) -> None:
    _validate(json.loads(_render(report, "json")), schema.json_schema())


def test_json_empty_report() -> None:
    doc = json.loads(_render(Report(), "json"))
    assert doc["findings"] == [] and doc["costs"] == []
    assert doc["summary"] == {
        "files": 0,
        "skipped": 0,
        "findings": 0,
        "suppressed": 0,
        "by_severity": {"error": 0, "warning": 0, "note": 0},
        "resources": {},
    }


def test_json_schema_is_closed() -> None:
    doc = json.loads(_render(sample_report(), "json"))
    doc["findings"][0]["unexpected"] = 1
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, schema.json_schema())


def test_json_writes_non_finite_figures_as_null() -> None:
    # NaN and Infinity are not JSON: an overflowing figure is unknown, not a crash
    report = Report(costs=[{"monthly_usd": float("nan"), "range": {"low": 1.0, "high": 1e999}}])
    doc = json.loads(_render(report, "json"))
    assert doc["costs"] == [{"monthly_usd": None, "range": None}]


def test_schema_tags_match_rule_tags() -> None:
    assert set(typing.get_args(schema.TagName)) == TAGS


def test_published_schema_is_up_to_date() -> None:
    current = PUBLISHED_SCHEMA.read_text(encoding="utf-8") if PUBLISHED_SCHEMA.exists() else ""
    assert current == schema.render(), (
        "docs/report.schema.json is out of date; regenerate it with "
        "`python -m batchlint.schema > docs/report.schema.json`"
    )


def test_schema_module_prints_the_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "batchlint.schema"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == schema.json_schema()


# --- sarif -------------------------------------------------------------------------------


@pytest.mark.parametrize("report", [sample_report(), Report()], ids=["sample", "empty"])
def test_sarif_valid_against_oasis_schema(report: Report) -> None:
    _validate(_sarif(report), _sarif_schema())


def _assert_github_requirements(log: dict[str, Any]) -> None:
    """What GitHub code scanning needs to accept and display an upload."""
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    for rule in rules:
        assert rule["helpUri"].startswith("https://")
        assert rule["help"]["markdown"] and rule["help"]["text"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        tags = rule["properties"]["tags"]
        assert tags and len(tags) == len(set(tags))
        if "security" in tags:
            assert float(rule["properties"]["security-severity"]) > 0
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]
        assert len(res["locations"]) >= 1
        physical = res["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and "://" not in uri and not uri.startswith("/") and "\\" not in uri
        assert physical["region"]["startLine"] >= 1
        assert physical["region"]["startColumn"] >= 1


@pytest.mark.parametrize("report", [sample_report(), Report()], ids=["sample", "empty"])
def test_sarif_meets_github_requirements(report: Report) -> None:
    _assert_github_requirements(_sarif(report))


def test_sarif_rules_are_every_rule_that_ran_sorted_by_code() -> None:
    driver = _sarif(sample_report())["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == sorted(BY_CODE)
    assert driver["name"] == "batchlint"
    assert driver["version"] == driver["semanticVersion"] == VERSION
    assert driver["informationUri"] == "https://github.com/batchlint/batchlint"


def test_sarif_rule_descriptor() -> None:
    rules = {r["id"]: r for r in _sarif(sample_report())["runs"][0]["tool"]["driver"]["rules"]}
    security = rules["BL-JD-002"]
    assert security["name"] == "privileged-container"
    assert security["help"]["markdown"] == BY_CODE["BL-JD-002"].doc
    assert security["helpUri"] == BY_CODE["BL-JD-002"].help_uri
    assert security["defaultConfiguration"] == {"level": "error"}
    assert security["properties"] == {
        "precision": "high",
        "problem.severity": "error",
        "security-severity": "8.1",
        "tags": ["security"],
    }
    note = rules["BL-JQ-003"]["properties"]
    assert note["problem.severity"] == "recommendation" and "security-severity" not in note


def test_sarif_results() -> None:
    run = _sarif(sample_report())["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert "originalUriBaseIds" not in run and "artifacts" not in run
    first, *_, meta = run["results"]
    assert first == {
        "level": "warning",
        "locations": [
            {
                "logicalLocations": [
                    {
                        "fullyQualifiedName": "AWS::Batch::ComputeEnvironment/SpotEnvironment",
                        "kind": "resource",
                        "name": "SpotEnvironment",
                    }
                ],
                "physicalLocation": {
                    "artifactLocation": {"uri": "stacks/batch.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startColumn": 7, "startLine": 12},
                },
            }
        ],
        "message": {"text": sample_report().findings[0].message},
        "partialFingerprints": {"batchlint/v1": "5f0c2a9e4b7d1c3a"},
        "properties": {
            "estimatedMonthlyCostUsd": 1150.4,
            "pointer": "/Resources/SpotEnvironment/Properties/ComputeResources",
            "resource": "SpotEnvironment",
            "resource_type": "AWS::Batch::ComputeEnvironment",
        },
        "ruleId": "BL-CE-001",
        "ruleIndex": 0,
    }
    assert "logicalLocations" not in meta["locations"][0]  # file-level finding: no resource
    assert meta["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "stacks/broken%20yaml.yaml"
    )


def test_sarif_result_level_follows_overridden_severity() -> None:
    report = sample_report()
    report.findings = [replace(report.findings[0], severity=Severity.ERROR)]
    run = _sarif(report)["runs"][0]
    assert run["results"][0]["level"] == "error"
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"] == {"level": "warning"}


def test_sarif_fingerprint_ignores_line_numbers() -> None:
    report = sample_report()
    moved = copy.deepcopy(report)
    moved.findings = [replace(f, line=f.line + 10, column=3) for f in report.findings]
    prints = [r["partialFingerprints"] for r in _sarif(report)["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"] for r in _sarif(moved)["runs"][0]["results"]]


def test_sarif_clamps_positions_to_one() -> None:
    report = sample_report()
    report.findings = [replace(report.findings[0], line=0, column=0)]
    region = _sarif(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startColumn": 1, "startLine": 1}


def test_sarif_finding_without_its_rule_gets_a_valid_stand_in() -> None:
    report = sample_report()
    report.rules = [r for r in RULES if r.code != "BL-JD-001"]
    log = _sarif(report)
    _validate(log, _sarif_schema())
    _assert_github_requirements(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert "BL-JD-001" in [r["id"] for r in rules]


def test_sarif_omits_sarif_om_defaults() -> None:
    run = _sarif(sample_report())["runs"][0]
    driver = run["tool"]["driver"]
    result = run["results"][0]
    location = result["locations"][0]
    assert not {"language", "newlineSequences"} & set(run)
    assert not {"contents", "language"} & set(driver)
    assert not {"kind", "rank"} & set(result)
    assert not {"id"} & set(location)
    assert not {"index"} & set(location["physicalLocation"]["artifactLocation"])
    assert not {"index", "parentIndex"} & set(location["logicalLocations"][0])
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "warning"}  # kept


def test_sarif_key_order_is_sorted_everywhere() -> None:
    def check(node: Any) -> None:
        if isinstance(node, dict):
            assert list(node) == sorted(node)
            for value in node.values():
                check(value)
        elif isinstance(node, list):
            for value in node:
                check(value)

    check(_sarif(sample_report()))


@pytest.mark.parametrize(
    ("file", "base", "uri"),
    [
        ("stacks/a.yaml", ".", "stacks/a.yaml"),
        ("./stacks/a.yaml", ".", "stacks/a.yaml"),
        ("stacks/a.yaml", "stacks", "a.yaml"),
        ("{cwd}/stacks/a.yaml", ".", "stacks/a.yaml"),
        ("stacks/a.yaml", "{cwd}", "stacks/a.yaml"),
        ("/elsewhere/x/b.json", ".", "elsewhere/x/b.json"),
        ("../other/c.yaml", ".", "../other/c.yaml"),
        ("dir with space/ü#1.yaml", ".", "dir%20with%20space/%C3%BC%231.yaml"),
    ],
)
def test_artifact_uri(file: str, base: str, uri: str) -> None:
    cwd = os.getcwd()
    assert sarif.artifact_uri(file.format(cwd=cwd), base.format(cwd=cwd)) == uri


def test_sarif_independent_of_absolute_base_dir(tmp_path: Path) -> None:
    report = sample_report()
    relative = _render(report, "sarif", base_dir=".")
    absolute = _render(report, "sarif", base_dir=os.getcwd())
    assert relative == absolute
    assert os.getcwd() not in relative and str(tmp_path) not in relative


def test_a_real_scan_of_every_fixture_gives_valid_json_and_sarif() -> None:
    from batchlint.engine import scan

    from .conftest import FIXTURES, REPO

    report = scan([str(FIXTURES / "rules"), str(REPO / "examples")])
    assert len(report.findings) > 50
    log = json.loads(render(report, "sarif", color=False, tool_version=VERSION, base_dir="."))
    _validate(log, _sarif_schema())
    _assert_github_requirements(log)
    # code scanning tells alerts apart by file and fingerprint
    keys = [
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], fp)
        for r in log["runs"][0]["results"]
        for fp in r["partialFingerprints"].values()
    ]
    assert len(keys) == len(set(keys))
    _validate(json.loads(_render(report, "json")), schema.json_schema())
