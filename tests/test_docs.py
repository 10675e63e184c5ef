"""README's rule table and docs/rules/*.md are generated from the catalogue and kept current."""

from __future__ import annotations

from batchlint.catalogue import readme_with_table, rule_page
from batchlint.registry import all_rules

from .conftest import REPO

REGENERATE = "regenerate with: python -m batchlint.catalogue"


def test_readme_rule_table_is_current() -> None:
    readme = (REPO / "README.md").read_text()
    assert readme_with_table(readme, all_rules()) == readme, REGENERATE


def test_rule_pages_are_current() -> None:
    pages = REPO / "docs" / "rules"
    rules = all_rules()
    for item in rules:
        page = pages / f"{item.name}.md"
        assert page.is_file() and page.read_text() == rule_page(item), REGENERATE
    assert {p.stem for p in pages.glob("*.md")} == {r.name for r in rules}, REGENERATE


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    first_block = readme.split("```", 2)[1]
    assert "pip install ." in first_block and "batchlint scan examples/" in first_block
    assert "pytest" in readme.split("```", 4)[3]
