"""``scan --aws`` and ``snapshot`` on the command line: what is refused before any AWS call,
and the published snapshot schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from batchlint.cli import main
from batchlint.snapshot import Account, Region, Snapshot, dump

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["scan", "--aws", "stack.yaml"], "give no PATH"),
        (["scan", "--aws", "--format", "sarif"], "needs --output FILE or --snapshot FILE"),
        (["scan", "stack.yaml", "--profile", "audit"], "--aws"),
        (["scan"], "nothing to scan"),
        (["scan", "--aws", "--add-suppressions", "--reason", "x"], "--aws reads an account"),
    ],
)
def test_refused_before_reading(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and err.count("\n") == 0 and err.startswith("batchlint: error:")


def test_published_snapshot_schema_is_current_and_validates_a_dump() -> None:
    published = (REPO / "docs" / "snapshot.schema.json").read_text()
    fresh = subprocess.run(
        [sys.executable, "-m", "batchlint.snapshot"], capture_output=True, text=True, check=True
    ).stdout
    assert published == fresh, (
        "regenerate: python -m batchlint.snapshot > docs/snapshot.schema.json"
    )
    snapshot = Snapshot(
        accounts=[Account(accountId="123456789012", regions=[Region(region="us-east-1")])]
    )
    jsonschema.validate(json.loads(dump(snapshot)), json.loads(published))
