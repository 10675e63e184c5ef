"""The wheel ships every rule file inside the package, and the data batchlint reads."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from batchlint.registry import builtin_rules, builtin_rules_dir

from .conftest import REPO


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-m", "build", "--version"], capture_output=True).returncode
    != 0,
    reason="the 'build' package is not installed",
)
def test_wheel_contains_every_rule(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for item in builtin_rules():
        relative = Path(item.path).relative_to(builtin_rules_dir())
        assert f"batchlint/rules/{relative.as_posix()}" in names, relative
    assert not any(n.startswith("rules/") for n in names), "rules must not be a top-level package"
    assert any(n.startswith("batchlint/data/") for n in names)
