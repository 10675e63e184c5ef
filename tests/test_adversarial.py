"""Hostile and broken inputs, through the command line as a user runs it.

Every file of ``fixtures/adversarial/`` has its expected outcome in ``expected.json``: the
exit code, and either the reason it is skipped or the codes of its findings (the BL-META ones
exactly, in report order; the rule codes listed must be among them) with parts of their
messages. The inputs too large to keep in the repository come from
``scripts/make_adversarial.py``, written into a temporary folder. Each run is a fresh
``python -m batchlint`` process with a time limit; the large ones also have a memory cap,
measured as that one process's peak resident set (``os.wait4``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from batchlint import engine
from batchlint.cli import main
from batchlint.limits import FileTimeout, Limits, deadline

from .conftest import FIXTURES, REPO

ADVERSARIAL = FIXTURES / "adversarial"
EXPECTED: dict[str, dict[str, Any]] = json.loads((ADVERSARIAL / "expected.json").read_text())
GIB = 1024**3
META = "BL-META"
POSIX_ALARM = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="the guard needs SIGALRM")
# the checkout's batchlint, from any working directory
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_adversarial", REPO / "scripts" / "make_adversarial.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _generator()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_bytes: int  # the process's peak resident set

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data


# Runs batchlint as its child and writes that child's peak RSS to argv[1]. A process started
# straight from pytest would count pytest's own peak too: Linux keeps ru_maxrss across exec.
_MEASURE = """
import resource, subprocess, sys
code = subprocess.call([sys.executable, "-m", "batchlint", *sys.argv[2:]])
with open(sys.argv[1], "w") as handle:
    handle.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def batchlint(*args: str, limit: float = 60, cwd: Path = REPO) -> Run:
    """Run ``python -m batchlint ARGS`` and measure it; killed after ``limit`` seconds."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder, "peak")
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(peak_file), *args],
            cwd=cwd,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a group of its own, to stop batchlint with it
        )
        try:
            stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"batchlint {' '.join(args)} ran for more than {limit} s")
        seconds = time.perf_counter() - start
        peak_kib = int(peak_file.read_text())
    peak = peak_kib * (1 if sys.platform == "darwin" else 1024)
    return Run(process.returncode, stdout, stderr, seconds, peak)


def assert_clean_exit(run: Run) -> None:
    """No traceback, an exit code batchlint gives, and exit 2 says one line."""
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code in (0, 1, 2), (run.code, run.stderr)
    if run.code == 2:
        assert run.stderr.startswith("batchlint: error: ") and run.stderr.count("\n") == 1


# -- the small inputs, one process each (run side by side, then checked one by one) ---------


@pytest.fixture(scope="module")
def fixture_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    cwd = tmp_path_factory.mktemp("adversarial")  # where a YAML tag would run a command
    names = sorted(EXPECTED)

    def one(name: str) -> Run:
        path = str(ADVERSARIAL / name)
        return batchlint("scan", path, "--format", "json", "--verbose", limit=30, cwd=cwd)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        runs = dict(zip(names, pool.map(one, names), strict=True))
    assert sorted(p.name for p in cwd.iterdir()) == [], "a run left a file behind"
    return runs


def test_every_fixture_has_an_expected_outcome() -> None:
    files = {p.name for p in ADVERSARIAL.iterdir() if p.name != "expected.json"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str, fixture_runs: dict[str, Run]) -> None:
    run, expected = fixture_runs[name], EXPECTED[name]
    assert_clean_exit(run)
    assert run.code == expected["exit"], run.stdout
    report = run.report()
    if "skipped" in expected:
        assert report["summary"]["files"] == 0 and report["summary"]["skipped"] == 1
        assert f"skipped {ADVERSARIAL / name}: {expected['skipped']}" in run.stderr
        return
    assert run.stderr == ""
    assert report["summary"]["files"] == 1
    # BL-META findings exactly; of the rules, those listed must still see through the input
    # (others may join them as the catalogue grows)
    codes = [f["code"] for f in report["findings"]]
    assert [c for c in codes if c.startswith(META)] == [
        c for c in expected["codes"] if c.startswith(META)
    ]
    assert not Counter(c for c in expected["codes"] if not c.startswith(META)) - Counter(codes)
    messages = [f["message"] for f in report["findings"]]
    for needle in expected["messages"]:
        assert any(needle in m for m in messages), (needle, messages)
    for finding in report["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1
    for kind, count in expected.get("resources", {}).items():
        assert report["summary"]["resources"].get(kind) == count


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("truncated.yaml", "truncated.yaml:9: invalid YAML"),
        ("alias-bomb.yaml", "alias-bomb.yaml:2: YAML expands to more than 2,000,000 values"),
        ("latin-1.yaml", "latin-1.yaml:4: not UTF-8 text"),
        ("empty.yaml", "empty.yaml: not a CloudFormation template"),
    ],
)
def test_cost_refuses_what_it_cannot_read_in_one_line(name: str, needle: str) -> None:
    run = batchlint("cost", str(ADVERSARIAL / name), limit=30)
    assert_clean_exit(run)
    assert run.code == 2 and needle in run.stderr


# -- generated inputs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 50 MiB template, as JSON and as YAML."""
    return make.large_templates(tmp_path_factory.mktemp("large"))  # type: ignore[no-any-return]


def test_a_50_mib_json_template_is_checked_in_bounded_time_and_memory(
    large: tuple[Path, Path],
) -> None:
    path = large[0]
    assert path.stat().st_size >= 50 * 1024 * 1024
    run = batchlint("scan", str(path), "--format", "json", limit=60)
    assert_clean_exit(run)
    report = run.report()
    assert report["summary"]["resources"] == {
        "AWS::Batch::ComputeEnvironment": 50,
        "AWS::Batch::JobDefinition": 100,
        "AWS::Batch::JobQueue": 50,
    }
    assert not [f for f in report["findings"] if f["code"].startswith("BL-META")]
    assert run.seconds < 30, f"{run.seconds:.1f} s"
    assert run.peak_bytes < 1.5 * GIB, f"{run.peak_bytes / GIB:.2f} GiB"


def test_a_50_mib_yaml_template_is_refused_by_its_value_count(large: tuple[Path, Path]) -> None:
    run = batchlint("scan", str(large[1]), "--format", "json", limit=60)
    assert_clean_exit(run)
    findings = run.report()["findings"]
    assert [f["code"] for f in findings] == ["BL-META-001"]
    assert "more than 2,000,000 values (--max-values)" in findings[0]["message"]
    assert run.seconds < 30, f"{run.seconds:.1f} s"
    assert run.peak_bytes < 1.5 * GIB, f"{run.peak_bytes / GIB:.2f} GiB"


@POSIX_ALARM
def test_a_file_over_its_time_is_stopped_and_reports_only_that(large: tuple[Path, Path]) -> None:
    run = batchlint(
        "scan", str(large[1]), "--format", "json", "--timeout-per-file", "0.05", limit=30
    )
    assert_clean_exit(run)
    findings = run.report()["findings"]
    assert [(f["code"], f["message"]) for f in findings] == [
        ("BL-META-001", "stopped after 0.05 s (--timeout-per-file); nothing else is reported")
    ]
    assert run.seconds < 10


@pytest.mark.parametrize(
    ("style", "needle"),
    [
        ("yaml-flow", "YAML is nested deeper than 200 levels (--max-depth)"),
        ("yaml-block", "YAML is nested deeper than 200 levels (--max-depth)"),
        ("json", "JSON is nested deeper than 200 levels (--max-depth)"),
    ],
)
def test_100000_deep_nesting_is_refused_at_the_limit(
    tmp_path: Path, style: str, needle: str
) -> None:
    # PyYAML's own composer overflows the C stack at about 30,000 levels (the interpreter
    # dies), and libyaml scans deep flow nesting in quadratic time
    path = make.deep_nesting(tmp_path / f"deep.{style}", 100_000, style)
    run = batchlint("scan", str(path), "--format", "json", limit=30)
    assert_clean_exit(run)
    findings = run.report()["findings"]
    if style == "yaml-flow" and findings and "maximum nesting depth" in findings[0]["message"]:
        # PyYAML 6.0.4's libyaml refuses deep flow nesting itself, before batchlint's limit
        assert [f["code"] for f in findings] == ["BL-META-001"]
        assert run.seconds < 10
        return
    assert [(f["code"], f["message"]) for f in findings] == [("BL-META-001", needle)]
    # where the nesting passes the limit
    assert (findings[0]["line"], findings[0]["column"]) == {
        "yaml-flow": (5, 215),  # nesting starts at the root: Parameters is the fifth level
        "yaml-block": (202, 205),
        "json": (1, 286),
    }[style]
    assert run.seconds < 10


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_a_key_repeated_100000_times_lists_20_and_counts_the_rest(
    tmp_path: Path, syntax: str
) -> None:
    path = make.many_duplicates(tmp_path / f"repeats.{syntax}", 100_000, syntax)
    run = batchlint("scan", str(path), "--format", "json", limit=30)
    assert_clean_exit(run)
    findings = [f for f in run.report()["findings"] if f["code"].startswith(META)]
    assert [f["code"] for f in findings] == ["BL-META-004"] * 21
    assert findings[-1]["message"] == "99,979 more duplicate keys not listed"
    assert len({f["message"] for f in findings}) == 21
    assert run.seconds < 10


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = make.sparse_file(tmp_path / "huge.yaml", 64 * 1024 * 1024 + 1)
    run = batchlint("scan", str(path), "--format", "json", limit=30)
    assert_clean_exit(run)
    findings = run.report()["findings"]
    assert [f["message"] for f in findings] == [
        "file is 67,108,865 bytes; the limit is 67,108,864 (--max-file-size)"
    ]
    assert run.peak_bytes < 0.25 * GIB


# -- the limits are settings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-file-size", "0.5K"], "file is 514 bytes; the limit is 512 (--max-file-size)"),
        (["--max-depth", "3"], "YAML is nested deeper than 3 levels (--max-depth)"),
        (["--max-values", "20"], "YAML has more than 20 values (--max-values)"),
    ],
)
def test_each_limit_is_configurable(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(ADVERSARIAL / "bom-template.yaml")
    assert main(["scan", path, "--format", "json", *flags]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["message"]) for f in findings] == [("BL-META-001", message)]


def test_raised_limits_read_what_the_defaults_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = make.deep_nesting(tmp_path / "deep.yaml", 300, "yaml-flow")
    assert main(["scan", str(deep), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["code"] == "BL-META-001"
    assert main(["scan", str(deep), "--format", "json", "--max-depth", "310"]) == 1
    # read; the CloudFormation resolver still reads values deeper than 150 as unknown
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["message"]) for f in findings if f["code"].startswith("BL-META")] == [
        ("BL-META-002", "values nested too deeply are read as unknown")
    ]


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--max-file-size", "0"),
        ("--max-file-size", "lots"),
        ("--max-depth", "-1"),
        ("--max-values", "1.5"),
        ("--timeout-per-file", "-2"),
        ("--timeout-per-file", "nan"),
    ],
)
def test_a_bad_limit_is_a_usage_error(flag: str, value: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(ADVERSARIAL / "empty.yaml"), flag, value])
    assert exit_info.value.code == 2


# -- the time guard ------------------------------------------------------------------------


@POSIX_ALARM
def test_the_guard_stops_a_block_and_restores_the_alarm() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(FileTimeout), deadline(0.05):
        while True:
            pass
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@POSIX_ALARM
def test_the_guard_leaves_an_alarm_someone_else_holds_alone() -> None:
    def theirs(signum: int, frame: object) -> None:
        raise AssertionError("not ours to fire")

    previous = signal.signal(signal.SIGALRM, theirs)
    try:
        with deadline(0.01):
            time.sleep(0.05)  # unguarded: no FileTimeout
        assert signal.getsignal(signal.SIGALRM) is theirs
    finally:
        signal.signal(signal.SIGALRM, previous)


@POSIX_ALARM
def test_a_file_out_of_time_loses_its_findings_and_the_next_file_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow, fast = tmp_path / "a-slow.yaml", tmp_path / "b-fast.yaml"
    for path in (slow, fast):
        path.write_bytes((ADVERSARIAL / "bom-template.yaml").read_bytes())
    check_scope = engine.check_scope

    def slow_check(scope: Any, *args: Any) -> None:
        check_scope(scope, *args)  # its findings are in the report when time runs out
        if scope.file.endswith("a-slow.yaml"):
            time.sleep(5)

    monkeypatch.setattr(engine, "check_scope", slow_check)
    options = engine.ScanOptions(select=["BL-CE-006", META], limits=Limits(timeout_per_file=0.2))
    report = engine.scan([str(tmp_path)], options)
    by_file = [(Path(f.file).name, f.code, f.message) for f in report.findings]
    assert by_file[0] == (
        "a-slow.yaml",
        "BL-META-001",
        "stopped after 0.2 s (--timeout-per-file); nothing else is reported",
    )
    assert [f[:2] for f in by_file[1:]] == [("b-fast.yaml", "BL-CE-006")]
    assert len(report.files_scanned) == 2
    assert report.resources == {"AWS::Batch::ComputeEnvironment": 1, "AWS::Batch::JobQueue": 1}
    assert report.costs and {c["file"] for c in report.costs} == {report.files_scanned[1]}
