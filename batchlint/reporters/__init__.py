"""Render a :class:`Report` in one of the output formats.

Each format module is imported on demand, so ``--format text`` never loads attrs or sarif-om.
This module must not use the standard ``json`` module: importing ``batchlint.reporters.json``
rebinds the package attribute ``json`` to the submodule.
"""

from __future__ import annotations

import os
from pathlib import PurePath

from batchlint.report import Report

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "markdown")
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
    if fmt == "github":
        from batchlint.reporters import github

        return github.render(report, base_dir=base_dir)
    if fmt == "gitlab":
        from batchlint.reporters import gitlab

        return gitlab.render(report, base_dir=base_dir)
    if fmt == "junit":
        from batchlint.reporters import junit

        return junit.render(report)
    if fmt == "markdown":
        from batchlint.reporters import markdown

        return markdown.render(report)
    raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")


def repo_path(file: str, base_dir: str) -> str:
    """``file`` relative to ``base_dir`` (the repository root in CI), with '/' separators; a
    file outside it keeps the path it was given, its root dropped."""
    try:
        relative = os.path.relpath(os.path.abspath(file), os.path.abspath(base_dir))
    except ValueError:  # another drive on Windows
        relative = os.pardir
    parts = PurePath(relative).parts
    if not parts or parts[0] == os.pardir:
        given = PurePath(file)
        parts = given.parts[1:] if given.anchor else given.parts
    return "/".join(parts)


__all__ = ["FORMATS", "INFORMATION_URI", "TOOL_NAME", "render", "repo_path"]
