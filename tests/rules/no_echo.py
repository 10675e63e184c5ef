"""Shared check for the secrets rules: no output format, and no field of a finding, ever
holds a secret's value (raw, JSON-escaped, or its first half)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path

from batchlint.engine import ScanOptions, scan
from batchlint.reporters import FORMATS, render


def forms(secret: str) -> set[str]:
    escaped = json.dumps(secret)[1:-1]
    return {secret, escaped, secret[: max(8, len(secret) // 2)]}


def assert_never_echoed(path: Path, code: str, secrets: Iterable[str]) -> None:
    """Scan ``path`` with rule ``code`` and render every format: none may hold a secret."""
    report = scan([str(path)], ScanOptions(select=[code]))
    assert report.findings, f"{path.name}: no {code} finding to check"
    all_forms = {form for secret in secrets for form in forms(secret)}
    for fmt in FORMATS:
        output = render(report, fmt, color=False, tool_version="0.0.0", base_dir=str(path.parent))
        for form in all_forms:
            assert form not in output, f"{fmt} output of {path.name} holds {form[:4]}…"
    for finding in report.findings:
        for value in dataclasses.asdict(finding).values():
            assert not any(form in str(value) for form in all_forms)


def secrets_in(path: Path, candidates: Iterable[str]) -> list[str]:
    """The candidates that really are in the fixture: the check must not pass vacuously."""
    text = path.read_text()
    found = [c for c in candidates if c in text]
    assert found, f"{path.name} holds none of the secrets the test looks for"
    return found
