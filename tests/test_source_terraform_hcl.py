"""Raw Terraform through the engine and the CLI: ``fixtures/sources/tf_cases/<case>/``.

Each case is a root module with ``expected.json`` ({rule code: [addresses]}, one entry per
finding; a code with ``[]`` must stay silent). A ``# finding: CODE`` comment marks the line a
finding must point at, the attribute that holds the value (``# finding(next line): CODE`` on a
line of its own marks the next line, for a heredoc); every finding needs its mark.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from batchlint.cli import main
from batchlint.engine import ScanOptions, scan
from batchlint.report import Finding

from .conftest import FIXTURES

CASES_DIR = FIXTURES / "sources" / "tf_cases"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
# what the CLI's --var-file and --var give the engine, per case
CASE_VARS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "var_flags": ({"min_vcpus": "16"}, ("prod.tfvars",)),
}
_MARK = re.compile(
    r"#\s*finding(?P<next>\(next line\))?:\s*(?P<codes>BL-[A-Z]+-\d+(?:,\s*BL-[A-Z]+-\d+)*)"
)


def expected(case: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads((CASES_DIR / case / "expected.json").read_text())
    return data


def options(case: str) -> ScanOptions:
    variables, files = CASE_VARS.get(case, ({}, ()))
    return ScanOptions(
        select=sorted(expected(case)),
        tf_vars=dict(variables),
        tf_var_files=tuple(CASES_DIR / case / f for f in files),
    )


def marks(case: str) -> set[tuple[str, int, str]]:
    """(file relative to the case, line, code) of every ``# finding:`` comment."""
    folder = CASES_DIR / case
    out = set()
    for path in sorted(folder.rglob("*.tf")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _MARK.search(line)
            if match:
                where = number + 1 if match["next"] else number
                for code in re.split(r",\s*", match["codes"]):
                    out.add((path.relative_to(folder).as_posix(), where, code))
    return out


def located(case: str, findings: list[Finding]) -> set[tuple[str, int, str]]:
    folder = (CASES_DIR / case).resolve()
    return {
        (Path(f.file).resolve().relative_to(folder).as_posix(), f.line, f.code) for f in findings
    }


def by_code(findings: list[Finding], codes: list[str]) -> dict[str, list[str]]:
    return {code: sorted(f.resource for f in findings if f.code == code) for code in codes}


@pytest.mark.parametrize("case", CASES)
def test_engine_finds_what_the_case_expects_where_it_is_written(case: str) -> None:
    want = expected(case)
    report = scan([str(CASES_DIR / case)], options(case))
    assert report.files_scanned, report.files_skipped
    assert by_code(report.findings, list(want)) == {c: sorted(a) for c, a in want.items()}
    assert not [f for f in report.findings if f.code.startswith("BL-META")]
    assert located(case, report.findings) == marks(case)


@pytest.mark.parametrize("case", CASES)
def test_every_case_marks_its_findings(case: str) -> None:
    want = expected(case)
    marked = Counter(code for _, _, code in marks(case))
    assert set(marked) == {code for code, addresses in want.items() if addresses}


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code = main(["scan", *args, "--format", "json", "--fail-on", "never"])
    out = capsys.readouterr().out
    assert code == 0, out
    report: dict[str, object] = json.loads(out)
    return report


def test_cli_reads_var_file_and_var_flags(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CASES_DIR / "var_flags"
    base = ["--select", "BL-CE-001,BL-CE-006"]
    plain = run_cli([str(folder), *base], capsys)
    assert plain["findings"] == []  # the defaults are safe
    report = run_cli(
        [str(folder), *base, "--var-file", str(folder / "prod.tfvars"), "--var", "min_vcpus=16"],
        capsys,
    )
    findings = report["findings"]
    assert isinstance(findings, list)
    assert sorted(f["code"] for f in findings) == ["BL-CE-001", "BL-CE-006"]
    warm = next(f for f in findings if f["code"] == "BL-CE-006")
    assert "16 vCPUs" in warm["message"]  # --var wins over the file's 0
    assert {(f["file"].rsplit("/", 1)[-1], f["line"]) for f in findings} == {
        ("main.tf", 18),
        ("main.tf", 19),
    }


def test_cli_names_the_module_file_of_a_module_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = run_cli([str(CASES_DIR / "module_count"), "--select", "BL-JQ-001"], capsys)
    findings = report["findings"]
    assert isinstance(findings, list)
    assert sorted(f["resource"] for f in findings) == [
        "module.batch[0].aws_batch_job_queue.this",
        "module.batch[1].aws_batch_job_queue.this",
    ]
    assert {f["file"].split("tf_cases/", 1)[-1] for f in findings} == {
        "module_count/modules/queue/main.tf"
    }


def test_cli_tfvars_files_beside_the_module_apply_without_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = run_cli([str(CASES_DIR / "tfvars"), "--select", "BL-CE-006"], capsys)
    findings = report["findings"]
    assert isinstance(findings, list) and len(findings) == 1
    assert "8 vCPUs" in findings[0]["message"]  # capacity.auto.tfvars after terraform.tfvars
