"""End to end through the command line, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from batchlint.cli import main

from .conftest import REPO

EXAMPLE = str(REPO / "examples" / "batch-stack.yaml")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "batchlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_scan_example_reports_findings_and_exits_1() -> None:
    result = run("scan", "examples/batch-stack.yaml")
    assert result.returncode == 1, result.stderr
    assert "examples/batch-stack.yaml:" in result.stdout
    assert "spot-best-fit-allocation" in result.stdout
    assert "s3cr3t" not in result.stdout
    assert result.stderr == ""


def test_fail_on_never_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", EXAMPLE, "--fail-on", "never"]) == 0


def test_fail_on_error_counts_only_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", EXAMPLE, "--fail-on", "error", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    has_error = any(f["severity"] == "error" for f in data["findings"])
    assert code == (1 if has_error else 0)


def test_json_output_counts_resources(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", EXAMPLE, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == 1
    assert data["summary"]["resources"]["AWS::Batch::JobDefinition"] == 2
    assert data["summary"]["resources"]["AWS::Batch::ComputeEnvironment"] == 2
    first = data["findings"][0]
    for key in ("code", "name", "severity", "message", "resource", "resource_type", "file"):
        assert first[key]
    for key in ("line", "column", "pointer", "fingerprint"):
        assert key in first


def test_output_file_is_written_and_identical_across_runs(tmp_path: Path) -> None:
    out1, out2 = tmp_path / "a.sarif", tmp_path / "b.sarif"
    assert main(["scan", EXAMPLE, "--format", "sarif", "--output", str(out1)]) == 1
    assert main(["scan", EXAMPLE, "--format", "sarif", "--output", str(out2)]) == 1
    assert out1.read_bytes() == out2.read_bytes()
    assert json.loads(out1.read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.sarif", "b.sarif"]


def test_select_and_ignore_by_code_prefix_and_name(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", EXAMPLE, "--format", "json", "--select", "BL-CE"])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert codes and all(c.startswith("BL-CE") for c in codes)
    main(["scan", EXAMPLE, "--format", "json", "--ignore", "spot-best-fit-allocation,BL-JD"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings
    assert "spot-best-fit-allocation" not in {f["name"] for f in findings}
    assert not [f for f in findings if f["code"].startswith("BL-JD")]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["scan", "does-not-exist.yaml"], "does-not-exist.yaml: no such file or directory"),
        (["scan", EXAMPLE, "--select", "BL-NOPE"], "unknown rule or prefix 'BL-NOPE'"),
        (["rule", "no-such-rule"], "unknown rule 'no-such-rule'"),
        (["scan", EXAMPLE, "--option", "tags"], "expected RULE.KEY=VALUE"),
        (["scan", EXAMPLE, "--option", "no-such-rule.x=1"], "unknown rule 'no-such-rule'"),
        (
            ["scan", EXAMPLE, "--option", "missing-required-tags.keys=[]"],
            "has no option 'keys' (its options: required_tags)",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_rule_options_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "queue.yaml"
    template.write_text(
        "Resources:\n  Queue:\n    Type: AWS::Batch::JobQueue\n    Properties:\n"
        "      Priority: 1\n      Tags: {team: data}\n      ComputeEnvironmentOrder:\n"
        "        - {Order: 1, ComputeEnvironment: arn:aws:batch:::compute-environment/x}\n"
    )
    base = ["scan", str(template), "--select", "BL-CE-029", "--format", "json"]
    assert main(base) == 0  # tagged: the default checks only that there are tags
    capsys.readouterr()
    keys = '["team", "owner"]'
    assert main([*base, "--option", f"BL-CE-029.required_tags={keys}", "--fail-on", "note"]) == 1
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert "required tag key owner" in finding["message"]
    assert main([*base, "--option", "missing-required-tags.required_tags=team"]) == 0


def test_output_into_missing_folder_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"
    assert main(["scan", EXAMPLE, "--format", "json", "--output", str(target)]) == 2
    assert not target.exists()


def test_rules_and_rule_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "BL-CE-001" in listing and "spot-best-fit-allocation" in listing
    assert main(["rule", "BL-CE-001"]) == 0
    by_code = capsys.readouterr().out
    assert main(["rule", "spot-best-fit-allocation"]) == 0
    assert capsys.readouterr().out == by_code
    assert "## Use instead" in by_code


def test_unrecognised_files_are_skipped_and_listed_with_verbose(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "image.bin").write_bytes(b"\x00\x01\x02")
    result = run("scan", str(tmp_path), "--verbose")
    assert result.returncode == 0
    assert "skipped" in result.stderr and "notes.txt" in result.stderr
    assert "image.bin" in result.stderr


def test_malformed_template_is_a_meta_finding_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q: {Type: [\n")
    result = run("scan", str(bad), "--format", "json")
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert [f["code"] for f in data["findings"]] == ["BL-META-001"]
    assert result.returncode == 1


def test_scanning_files_does_not_import_boto3() -> None:
    code = (
        "import sys; from batchlint.cli import main; "
        f"main(['scan', {EXAMPLE!r}, '--format', 'json']); "
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'boto3 imported'; "
        "assert 'pydantic' not in sys.modules, 'pydantic imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert "boto3 imported" not in result.stderr and "pydantic imported" not in result.stderr
    assert "Traceback" not in result.stderr


def test_module_and_console_script_agree() -> None:
    assert run("--version").stdout.startswith("batchlint ")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"Resources:\n  A: {Type: AWS::Batch::JobQueue, Properties: {Priority: \xe9}}\n", "UTF-8"),
        (b"Resources:\n  X: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nest"),
        (b'{"Resources": ' + b"[" * 100000 + b"]" * 100000 + b"}", "nested deeper than 200"),
        (
            b"Resources:\n  a: &a [x,x,x,x,x,x,x,x,x]\n"
            + b"".join(
                f"  a{i}: &a{i} [{','.join([f'*a{i - 1}' if i > 1 else '*a'] * 9)}]\n".encode()
                for i in range(1, 10)
            ),
            "alias bomb",
        ),
    ],
    ids=["latin-1", "deep-yaml", "deep-json", "alias-bomb"],
)
def test_hostile_input_is_a_meta_finding(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "stack.yaml"
    path.write_bytes(content)
    result = run("scan", str(path), "--format", "json")
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [f["code"] for f in findings] == ["BL-META-001"]
    assert needle in findings[0]["message"]


def test_output_to_a_device_writes_through_it(tmp_path: Path) -> None:
    # renaming a temporary file over /dev/null would replace the device
    assert main(["scan", EXAMPLE, "--format", "json", "--output", os.devnull]) == 1
    assert Path(os.devnull).is_char_device()


def test_output_over_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(Path(EXAMPLE).read_text())
    before = stack.read_bytes()
    assert main(["scan", str(stack), "--output", str(stack)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert stack.read_bytes() == before
