"""GitHub Actions workflow commands: one annotation per finding that counts.

``::error file=F,line=L,col=C,title=CODE name::RESOURCE: message``, with ``notice`` for notes.
Values are escaped as the runner unescapes them (actions/toolkit ``command.ts``): ``%``, CR and
LF in the message; also ``:`` and ``,`` in properties, which would otherwise end a property.
Suppressed findings and those already in the baseline are not annotated: an annotation asks
for a change, and those do not.
"""

from __future__ import annotations

from batchlint.report import Finding, Report
from batchlint.reporters import repo_path
from batchlint.reporters.text import clean
from batchlint.rule import Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def render(report: Report, *, base_dir: str) -> str:
    paths = repo_paths(report, base_dir)
    lines = [annotation(f, paths[f.file]) for f in report.findings if f.counts]
    return "".join(line + "\n" for line in lines)


def annotation(finding: Finding, path: str) -> str:
    properties = {
        "file": path,
        "line": str(max(finding.line, 1)),
        "col": str(max(finding.column, 1)),
        "title": f"{finding.code} {finding.name}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMAND[finding.severity]} {props}::{escape_data(subject(finding))}"


def subject(finding: Finding) -> str:
    """The message with the resource it is about, on one line with control characters shown as
    escapes (an ANSI escape in a template must not reach the log as one)."""
    text = f"{finding.resource}: {finding.message}" if finding.resource else finding.message
    return clean(text)


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(clean(value)).replace(":", "%3A").replace(",", "%2C")


def repo_paths(report: Report, base_dir: str) -> dict[str, str]:
    """:func:`repo_path` of each file with findings, worked out once per file."""
    return {file: repo_path(file, base_dir) for file in {f.file for f in report.findings}}
