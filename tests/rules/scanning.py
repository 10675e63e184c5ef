"""Scan a template through the engine, for the rule tests.

The text helpers write ``text`` to ``tmp_path / name`` and scan it with rule ``code`` plus the
``also`` selectors (``"BL-META"``: every input issue too; ``"BL-META-003"``: rule crashes
only). ``options`` are rule ``code``'s options, ``region`` the scan's Region if not the
default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict, Unpack

from batchlint.engine import ScanOptions, scan
from batchlint.registry import builtin_rules, find
from batchlint.report import Finding, Report


class Settings(TypedDict, total=False):
    """The keyword arguments of :func:`scan_file`."""

    also: Sequence[str]
    options: Mapping[str, Any] | None
    region: str | None


class Written(Settings, total=False):
    """The keyword arguments of :func:`findings`: :class:`Settings` and the file name."""

    name: str


def scan_file(
    path: Path,
    code: str,
    *,
    also: Sequence[str] = (),
    options: Mapping[str, Any] | None = None,
    region: str | None = None,
) -> Report:
    """The report of scanning the file at ``path`` with rule ``code`` and the ``also`` rules."""
    settings = ScanOptions(select=[code, *also])
    if options is not None:
        rule = find(list(builtin_rules()), code)
        assert rule is not None, f"no built-in rule {code}"
        settings.rule_options = {rule.name: dict(options)}
    if region is not None:
        settings.region = region
    return scan([str(path)], settings)


def findings(
    tmp_path: Path,
    text: str,
    code: str,
    *,
    name: str = "template.yaml",
    **settings: Unpack[Settings],
) -> list[Finding]:
    """Every finding of scanning ``text``, written to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text(text)
    return scan_file(path, code, **settings).findings


def messages(tmp_path: Path, text: str, code: str, **settings: Unpack[Written]) -> list[str]:
    """The message of each finding of :func:`findings`."""
    return [f.message for f in findings(tmp_path, text, code, **settings)]


def located(
    tmp_path: Path, text: str, code: str, **settings: Unpack[Written]
) -> list[tuple[str, str]]:
    """The (message, pointer) of each finding of :func:`findings`."""
    return [(f.message, f.pointer) for f in findings(tmp_path, text, code, **settings)]
