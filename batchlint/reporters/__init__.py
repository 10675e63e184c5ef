"""Render a :class:`Report` in one of the output formats.

Each format module is imported on demand, so ``--format text`` never loads attrs or sarif-om.
This module must not use the standard ``json`` module: importing ``batchlint.reporters.json``
rebinds the package attribute ``json`` to the submodule.
"""

from __future__ import annotations

from batchlint.report import Report

FORMATS = ("text", "json", "sarif")
TOOL_NAME = "batchlint"
INFORMATION_URI = "https://github.com/batchlint/batchlint"


def render(report: Report, fmt: str, *, color: bool, tool_version: str, base_dir: str) -> str:
    """The report in format ``fmt``, ending with a newline."""
    if fmt == "text":
        from batchlint.reporters import text

        return text.render(report, color=color)
    if fmt == "json":
        from batchlint.reporters import json as json_reporter

        return json_reporter.render(report, tool_version=tool_version)
    if fmt == "sarif":
        from batchlint.reporters import sarif

        return sarif.render(report, tool_version=tool_version, base_dir=base_dir)
    raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "INFORMATION_URI", "TOOL_NAME", "render"]
