"""``--output``: the whole report or nothing, never over an input, never in place of a device."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from batchlint.cli import main
from batchlint.output import OutputError, write_report

from .conftest import REPO

EXAMPLE = REPO / "examples" / "batch-stack.yaml"


def stack(folder: Path) -> Path:
    path = folder / "stack.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def test_a_failed_write_keeps_the_old_report_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.json"
    report.write_text("old")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match=r"report\.json: cannot write: No space left on device"):
        write_report(report, "new")
    assert report.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_report(tmp_path / "report.json", "new")
    assert list(tmp_path.iterdir()) == []


def test_a_report_gets_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o640)
    write_report(report, "new")
    assert report.read_text() == "new"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.json"
    write_report(fresh, "new")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_a_folder_that_cannot_be_written_gives_exit_2_and_no_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # /proc refuses new files even to root, for whom chmod would not
    target = "/proc/self/report.json"
    assert main(["scan", str(EXAMPLE), "--output", target]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"batchlint: error: {target}: cannot write") and err.count("\n") == 1
    assert not Path(target).exists()


def test_a_folder_as_output_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(EXAMPLE), "--output", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_run_that_fails_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    assert main(["scan", str(EXAMPLE), "--select", "BL-NOPE", "--output", str(target)]) == 2
    assert main(["scan", str(tmp_path / "missing.yaml"), "--output", str(target)]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spelling", ["symlink", "relative", "inside-folder"])
def test_an_input_under_another_name_is_not_overwritten(
    tmp_path: Path, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = stack(tmp_path)
    before = source.read_bytes()
    monkeypatch.chdir(tmp_path)
    if spelling == "symlink":
        (tmp_path / "link.yaml").symlink_to(source)
        args = ["scan", "stack.yaml", "--output", "link.yaml"]
    elif spelling == "relative":
        args = ["scan", "stack.yaml", "--output", f"../{tmp_path.name}/./stack.yaml"]
    else:
        args = ["scan", ".", "--output", "stack.yaml"]
    assert main(args) == 2
    assert source.read_bytes() == before


def test_the_usage_file_and_rules_folder_are_inputs_too(tmp_path: Path) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("usage:\n  AlignReads: {jobs_per_month: 10, average_duration_minutes: 5}\n")
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = rules / "notes.txt"
    rule.write_text("not a rule\n")
    for command in ("scan", "cost"):
        assert main([command, str(EXAMPLE), "--usage", str(usage), "--output", str(usage)]) == 2
    assert main(["scan", str(EXAMPLE), "--rules-dir", str(rules), "--output", str(rule)]) == 2
    assert "jobs_per_month" in usage.read_text() and rule.read_text() == "not a rule\n"


def test_a_device_is_written_through_not_replaced() -> None:
    assert main(["cost", str(EXAMPLE), "--output", os.devnull]) == 0
    assert Path(os.devnull).is_char_device()
