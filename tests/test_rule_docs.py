"""Rule documentation: the sections DESIGN.md requires, and examples that really work."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from batchlint.cost.command import compare_paths
from batchlint.engine import ScanOptions, scan
from batchlint.registry import builtin_rules
from batchlint.rule import RuleMeta

RULES = list(builtin_rules())
REQUIRED = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CODE = re.compile(r"^BL-(CE|JQ|JD|SP|META)-\d{3}$")


def _section_yaml(doc: str, heading: str) -> str:
    part = doc.split(heading, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```ya?ml\n(.*?)```", part, re.S)
    assert match, f"no yaml example under {heading}"
    return match.group(1)


def _options(doc: str) -> dict[str, Any]:
    """Rule options the examples are checked with: a ```json block under ## Options."""
    if "## Options" not in doc:
        return {}
    part = doc.split("## Options", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```json\n(.*?)```", part, re.S)
    return json.loads(match.group(1)) if match else {}


def _fires(item: RuleMeta, text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "example.yaml"
    path.write_text(text)
    options = ScanOptions(
        select=[item.code, "BL-META"], rule_options={item.name: _options(item.doc)}
    )
    if re.search(r"^## Base$", item.doc, re.M):
        # a rule about a change (cost --compare): the example is the head, ## Base the base
        base = tmp_path / "base.yaml"
        base.write_text(_section_yaml(item.doc, "## Base"))
        report = compare_paths(str(base), str(path), options).report
    else:
        report = scan([str(path)], options)
    assert not report.files_skipped, report.files_skipped
    assert not [f for f in report.findings if f.code.startswith("BL-META")], report.findings
    return [f.message for f in report.findings]


@pytest.mark.parametrize("item", RULES, ids=lambda r: r.name)
def test_doc_has_required_sections(item: RuleMeta) -> None:
    for heading in REQUIRED:
        assert heading in item.doc, f"{item.name}: missing {heading}"
    assert NAME.match(item.name) and CODE.match(item.code)
    assert not item.name.startswith(("ensure-", "use-", "no-"))


@pytest.mark.parametrize("item", RULES, ids=lambda r: r.name)
def test_example_fires_and_use_instead_does_not(item: RuleMeta, tmp_path: Path) -> None:
    assert _fires(item, _section_yaml(item.doc, "## Example"), tmp_path)
    assert not _fires(item, _section_yaml(item.doc, "## Use instead"), tmp_path)
