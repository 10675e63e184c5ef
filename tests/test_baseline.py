"""Baselines: ``batchlint baseline`` and ``scan --baseline``, end to end through the CLI."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from batchlint import baseline
from batchlint.cli import main
from batchlint.report import NEW, UNCHANGED, Report, Suppression
from batchlint.reporters import render

from .conftest import REPO
from .test_reporters import GOLDEN, sample_report

EXAMPLE = REPO / "examples" / "batch-stack.yaml"
BASELINE = ".batchlint-baseline.json"
SECRET_LINE = '          - {Name: DB_PASSWORD, Value: "s3cr3t-Pa55word!"}\n'
PINNED_IMAGE = "gatk4:4.5.0.0--py36hdfd78af_0"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with the example stack in infra/, as the working directory."""
    (tmp_path / "infra").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "infra" / "stack.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _states(doc: dict[str, Any]) -> list[str | None]:
    return [f["baseline_state"] for f in doc["findings"]]


def test_baseline_then_scan_is_clean(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "infra"]) == 1  # the example has mistakes on purpose
    assert main(["baseline", "infra"]) == 0
    assert "baseline of 22 findings written to .batchlint-baseline.json" in (
        capsys.readouterr().err
    )
    doc = json.loads((repo / BASELINE).read_text(encoding="utf-8"))
    assert doc["version"] == 1 and doc["tool"]["name"] == "batchlint"
    entries = doc["findings"]
    assert entries and all(list(e) == list(baseline.ENTRY_KEYS) for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["file"], e["fingerprint"]))
    assert {e["file"] for e in entries} == {"infra/stack.yaml"}

    code, report = _scan_json(capsys, "infra", "--baseline", BASELINE)
    assert code == 0
    assert set(_states(report)) == {UNCHANGED} and report["fixed"] == []

    assert main(["scan", "infra", "--baseline", BASELINE]) == 0
    assert capsys.readouterr().out.endswith("\n0 new, 22 unchanged since the baseline, 0 fixed.\n")


def test_a_new_mistake_is_the_only_one_that_counts(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["baseline", "infra"])
    _edit(repo / "infra" / "stack.yaml", PINNED_IMAGE, "gatk4:latest")
    code, report = _scan_json(capsys, "infra", "--baseline", BASELINE)
    assert code == 1
    new = [f for f in report["findings"] if f["baseline_state"] == NEW]
    assert [(f["name"], f["resource"]) for f in new] == [("image-tag-unpinned", "CallVariants")]
    assert _states(report).count(UNCHANGED) == len(report["findings"]) - 1
    # only new findings count: below the new one's severity, the gate passes
    assert main(["scan", "infra", "--baseline", BASELINE, "--fail-on", "error"]) == 0
    assert "1 new, 22 unchanged since the baseline, 0 fixed." in capsys.readouterr().out


def test_a_fixed_finding_is_listed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["baseline", "infra"])
    _edit(repo / "infra" / "stack.yaml", SECRET_LINE, "")
    code, report = _scan_json(capsys, "infra", "--baseline", BASELINE)
    assert code == 0
    assert [(e["name"], e["resource"], e["file"]) for e in report["fixed"]] == [
        ("plaintext-secret-in-environment", "AlignReads", "infra/stack.yaml")
    ]
    assert list(report["fixed"][0]) == list(baseline.ENTRY_KEYS)
    assert main(["scan", "infra", "--baseline", BASELINE]) == 0
    out = capsys.readouterr().out
    assert (
        "infra/stack.yaml: BL-JD-005 plaintext-secret-in-environment [fixed] AlignReads: "
        "no longer found; write the baseline again to drop it\n"
    ) in out
    assert out.endswith("\n0 new, 21 unchanged since the baseline, 1 fixed.\n")
    # writing the baseline again shrinks it (and replaces the old one in place)
    main(["baseline", "infra"])
    code, report = _scan_json(capsys, "infra", "--baseline", BASELINE)
    assert code == 0 and report["fixed"] == [] and len(report["findings"]) == 21


def test_moved_lines_stay_unchanged(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["baseline", "infra"])
    _, before = _scan_json(capsys, "infra")
    _edit(repo / "infra" / "stack.yaml", "\nResources:\n", "\nResources:\n" + "# moved\n" * 7)
    code, after = _scan_json(capsys, "infra", "--baseline", BASELINE)
    assert code == 0 and after["fixed"] == []
    assert set(_states(after)) == {UNCHANGED}
    assert [f["line"] for f in after["findings"]] == [f["line"] + 7 for f in before["findings"]]


def test_matches_from_another_working_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["baseline", "infra"])
    monkeypatch.chdir(repo / "infra")
    code, report = _scan_json(capsys, ".", "--baseline", f"../{BASELINE}")
    assert code == 0 and set(_states(report)) == {UNCHANGED}
    _edit(repo / "infra" / "stack.yaml", SECRET_LINE, "")
    _, report = _scan_json(capsys, ".", "--baseline", f"../{BASELINE}")
    assert [e["file"] for e in report["fixed"]] == ["stack.yaml"]  # shown as findings' files


def test_baseline_is_deterministic_and_shares_scan_selection(repo: Path) -> None:
    assert main(["baseline", "infra", "--output", "a.json"]) == 0
    assert main(["baseline", "infra", "--output", "b.json"]) == 0
    assert (repo / "a.json").read_bytes() == (repo / "b.json").read_bytes()
    selected = ["--select", "BL-CE", "--region", "eu-west-1"]
    assert main(["baseline", "infra", "-o", "c.json", *selected]) == 0
    entries = json.loads((repo / "c.json").read_text(encoding="utf-8"))["findings"]
    assert entries and {e["code"][:5] for e in entries} == {"BL-CE"}
    assert main(["scan", "infra", "--baseline", "c.json", "--select", "BL-CE"]) == 0
    assert main(["scan", "infra", "--baseline", "c.json"]) == 1  # other rules' findings are new


def test_meta_findings_are_never_baselined(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "infra" / "broken.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {a: [\n", encoding="utf-8"
    )
    main(["baseline", "infra"])
    assert "note: BL-META-001 findings are not baselined and still count" in capsys.readouterr().err
    entries = json.loads((repo / BASELINE).read_text(encoding="utf-8"))["findings"]
    assert entries and not [e for e in entries if e["code"].startswith("BL-META")]
    code, report = _scan_json(capsys, "infra", "--baseline", BASELINE)
    meta = [f for f in report["findings"] if f["code"].startswith("BL-META")]
    assert code == 1 and meta and {f["baseline_state"] for f in meta} == {NEW}


def test_suppressed_findings_are_not_baselined_nor_matched() -> None:
    report = sample_report()
    quiet = Suppression("external", "warm pool needed", "pyproject.toml")
    report.findings[0] = replace(report.findings[0], suppressions=(quiet,))
    entries = baseline.entries_of(report.findings, Path("."))
    assert [e["code"] for e in entries] == ["BL-JD-001", "BL-JD-002"]  # no BL-CE, no BL-META
    # a baseline written before the suppression: its entry is no longer needed
    older = baseline.Baseline(
        Path(BASELINE), baseline.entries_of(sample_report().findings, Path("."))
    )
    baseline.apply(report, older)
    assert [f.baseline_state for f in report.findings] == [None, UNCHANGED, UNCHANGED, NEW]
    assert [e["code"] for e in report.fixed] == ["BL-CE-001"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline file (write one with 'batchlint baseline')"),
        ("{not json", "not a baseline: invalid JSON: "),
        ("[]", "not a baseline: expected an object with 'version' and 'findings'"),
        ('{"version": 2, "findings": []}', "baseline version 2 is newer than this batchlint"),
        ('{"version": "1", "findings": []}', "'version' must be a whole number, not '1'"),
        ('{"version": 1, "findings": {}}', "'findings' must be a list"),
        ('{"version": 1, "findings": [{"file": "a"}]}', "findings[0]: 'fingerprint' must be"),
        ('{"version": 1, "findings": [1]}', "findings[0]: expected an object"),
    ],
)
def test_bad_baseline_is_exit_2_with_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    if content is not None:
        (repo / "bad.json").write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert main(["scan", "infra", "--baseline", "bad.json", "--output", "out.json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("batchlint: error: bad.json: ") and message in captured.err
    assert captured.err.count("\n") == 1
    assert not (repo / "out.json").exists()


def test_baseline_write_errors_are_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "infra", "--output", "no/such/dir.json"]) == 2
    assert "folder no/such does not exist" in capsys.readouterr().err
    stack = repo / "infra" / "stack.yaml"
    before = stack.read_bytes()
    assert main(["baseline", "infra", "--output", "infra/stack.yaml"]) == 2
    assert "is an input; refusing to overwrite it" in capsys.readouterr().err
    assert stack.read_bytes() == before
    assert not [p for p in repo.rglob("*") if p.name.startswith(".dir.json")]


def test_baseline_of_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "empty").mkdir()
    assert main(["baseline", "empty"]) == 0
    assert json.loads((repo / BASELINE).read_text(encoding="utf-8"))["findings"] == []
    assert main(["scan", "infra", "--baseline", BASELINE, "--fail-on", "never"]) == 0
    assert "0 fixed" in capsys.readouterr().out


# -- formats ----------------------------------------------------------------------------------


def baseline_report() -> Report:
    """The reporters' sample report checked against a baseline: one new, two unchanged, one
    entry fixed."""
    report = sample_report()
    states = [UNCHANGED, NEW, UNCHANGED, NEW]
    pairs = zip(report.findings, states, strict=True)
    report.findings = [replace(f, baseline_state=state) for f, state in pairs]
    report.fixed = [
        {
            "fingerprint": "77aa00bb11cc22dd",
            "code": "BL-JD-001",
            "name": "job-timeout-missing",
            "file": "stacks/batch.yaml",
            "resource": "Gone",
            "pointer": "/Resources/Gone",
            "message": "has no timeout.",
        }
    ]
    return report


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_golden_with_baseline(fmt: str) -> None:
    out = render(baseline_report(), fmt, color=False, tool_version="1.2.3", base_dir=".")
    path = GOLDEN / f"report-baseline.{ {'text': 'txt'}.get(fmt, fmt) }"
    if os.environ.get("BATCHLINT_UPDATE_GOLDEN") == "1":
        path.write_bytes(out.encode("utf-8"))
    assert out == path.read_bytes().decode("utf-8"), f"{path.name} differs"


def test_json_and_sarif_with_baseline_are_valid() -> None:
    report = baseline_report()
    doc = json.loads(render(report, "json", color=False, tool_version="1", base_dir="."))
    published = json.loads((REPO / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(published).validate(doc)
    assert doc["fixed"] == report.fixed
    log = json.loads(render(report, "sarif", color=False, tool_version="1", base_dir="."))
    sarif_schema = json.loads(
        (REPO / "tests" / "vendor" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft7Validator(sarif_schema).validate(log)
    states = [r["baselineState"] for r in log["runs"][0]["results"]]
    assert states == ["unchanged", "new", "unchanged", "new"]  # no "absent" results


def test_without_a_baseline_nothing_changes() -> None:
    report = sample_report()
    doc = json.loads(render(report, "json", color=False, tool_version="1", base_dir="."))
    assert doc["fixed"] == [] and {f["baseline_state"] for f in doc["findings"]} == {None}
    log = json.loads(render(report, "sarif", color=False, tool_version="1", base_dir="."))
    assert not [r for r in log["runs"][0]["results"] if "baselineState" in r]
    assert "since the baseline" not in render(
        report, "text", color=False, tool_version="1", base_dir="."
    )


def test_the_config_names_the_baseline(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "ci").mkdir()
    (repo / "pyproject.toml").write_text(
        '[tool.batchlint]\nbaseline = "ci/baseline.json"\n', encoding="utf-8"
    )
    assert main(["baseline", "infra"]) == 0  # written where the config says
    assert "written to ci/baseline.json" in capsys.readouterr().err
    assert not (repo / BASELINE).exists()
    entries = json.loads((repo / "ci" / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert {e["file"] for e in entries} == {"../infra/stack.yaml"}  # relative to its folder
    assert main(["scan", "infra"]) == 0
    assert main(["scan", "infra", "--no-baseline"]) == 1
    assert main(["scan", "infra", "--no-config"]) == 1
    capsys.readouterr()
    assert main(["scan", "infra", "--baseline", "x.json", "--no-baseline"]) == 2
    assert "--baseline and --no-baseline" in capsys.readouterr().err
    monkeypatch.chdir(repo / "infra")  # the config is found upward; its baseline still applies
    code, report = _scan_json(capsys, ".")
    assert code == 0 and set(_states(report)) == {UNCHANGED}


def test_baseline_keeps_scan_option_groups(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["baseline", ".", "--config", "a.toml", "--no-config"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["baseline", ".", "--format", "json"])  # output options are scan's alone
