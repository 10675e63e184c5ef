"""Every rule against its fixtures: each source format flags exactly the expected resources.

``fixtures/rules/<rule-name>/expected.json`` maps each fixture file to the addresses the
rule must flag in it (one entry per finding); every other resource in the file must stay clean.
An ``options.json`` beside it holds rule options to scan with (e.g. a budget). A rule about a
change (``cost --compare``) has a ``base/`` folder beside them: each fixture is compared with
the file of the same name there. ``terraform.tf`` is a root module: it is read with the local
modules it calls (``modules/<name>/``), and their findings count too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from batchlint.cost.command import compare_paths
from batchlint.engine import ScanOptions, scan
from batchlint.registry import builtin_rules
from batchlint.report import Report

from .conftest import FIXTURES

RULES = {r.name: r for r in builtin_rules()}
CASES = sorted(
    (folder.name, file)
    for folder in (FIXTURES / "rules").iterdir()
    if folder.is_dir()
    for file in json.loads((folder / "expected.json").read_text())
)
SOURCES = ("cloudformation.yaml", "cloudformation.json", "terraform.plan.json", "terraform.tf")
TF_ROOT = "terraform.tf"


def scan_fixture(name: str, file: str, workdir: Path) -> Report:
    """Scan one fixture of a rule with that rule alone, as the fixtures test does."""
    folder = FIXTURES / "rules" / name
    options = folder / "options.json"
    settings = {name: json.loads(options.read_text())} if options.is_file() else {}
    scan_options = ScanOptions(select=[RULES[name].code], rule_options=settings)
    base = folder / "base" / file
    if base.is_file():  # a rule about a change: the fixture is the head, base/ has the base
        return compare_paths(str(base), str(folder / file), scan_options).report
    if file == TF_ROOT:  # the module alone, without the other fixtures of its folder
        return scan([str(module_copy(folder, workdir))], scan_options)
    return scan([str(folder / file)], scan_options)


def module_copy(folder: Path, workdir: Path) -> Path:
    """``terraform.tf`` and the local modules it calls, in a folder of their own."""
    target = workdir / folder.name
    target.mkdir()
    shutil.copy(folder / TF_ROOT, target / TF_ROOT)
    if (folder / "modules").is_dir():
        shutil.copytree(folder / "modules", target / "modules")
    return target


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_has_fixtures_for_every_source(name: str) -> None:
    folder = FIXTURES / "rules" / name
    expected = json.loads((folder / "expected.json").read_text())
    for source in SOURCES:
        assert source in expected, f"{name}: no {source} fixture"
        assert (folder / source).is_file()
        assert any(expected.values()), f"{name}: no positive case"


@pytest.mark.parametrize(("name", "file"), CASES)
def test_rule_flags_exactly_the_expected_resources(name: str, file: str, tmp_path: Path) -> None:
    expected = json.loads((FIXTURES / "rules" / name / "expected.json").read_text())[file]
    report = scan_fixture(name, file, tmp_path)
    meta = [f for f in report.findings if f.code.startswith("BL-META")]
    assert not meta, meta
    assert report.files_scanned, f"{file} was skipped: {report.files_skipped}"
    flagged = sorted(f.resource for f in report.findings)
    assert flagged == sorted(expected)
    for finding in report.findings:
        assert finding.line >= 1 and finding.message.endswith(".")
