"""Plain-text report: ``file:line:col: CODE name [severity] message``, grouped per file."""

from __future__ import annotations

import re

from batchlint import baseline
from batchlint.report import Finding, Report
from batchlint.rule import Severity

BOLD = "\x1b[1m"
RESET = "\x1b[0m"
SEVERITY_COLORS = {
    Severity.ERROR: "\x1b[31m",  # red
    Severity.WARNING: "\x1b[33m",  # yellow
    Severity.NOTE: "\x1b[36m",  # cyan
}

# Line breaks and tabs become spaces; other control and bidi characters, Unicode line and
# paragraph separators and lone surrogates (which cannot be written as UTF-8) are escaped, so
# an input file cannot break the one-line format or inject terminal escape sequences.
_BLANKS = re.compile(r"[\t\n\r\v\f]+")
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def render(report: Report, *, color: bool) -> str:
    lines: list[str] = []
    listed = [f for f in report.findings if not f.suppressions]  # suppressed: only counted
    for findings in _by_file(listed).values():
        lines.extend(format_finding(finding, color=color) for finding in findings)
        lines.append("")
    if report.fixed:  # scan --baseline: entries the baseline no longer needs
        lines.extend([*map(clean, baseline.fixed_lines(report)), ""])
    lines.append(summary_line(report))
    if baseline.used(report):
        lines.append(baseline.summary_line(report))
    return "\n".join(lines) + "\n"


def format_finding(finding: Finding, *, color: bool) -> str:
    code, severity = finding.code, f"[{finding.severity.value}]"
    if color:
        code = f"{BOLD}{code}{RESET}"
        severity = f"{SEVERITY_COLORS[finding.severity]}{severity}{RESET}"
    where = f"{clean(finding.file)}:{finding.line}:{finding.column}"
    line = f"{where}: {code} {clean(finding.name)} {severity} {clean(finding.message)}"
    return line.rstrip()


def summary_line(report: Report) -> str:
    files = _plural(len(report.files_scanned), "file")
    skipped = len(report.files_skipped)
    tail = f"; {_plural(skipped, 'file')} skipped" if skipped else ""
    listed = [f for f in report.findings if not f.suppressions]
    if len(listed) < len(report.findings):
        tail += f"; {len(report.findings) - len(listed)} suppressed"
    if not listed:
        return f"No findings in {files}{tail}."
    counts = {s.value: 0 for s in Severity}
    for finding in listed:
        counts[finding.severity.value] += 1
    by_severity = ", ".join(_plural(counts[s.value], s.value) for s in Severity)
    return f"{_plural(len(listed), 'finding')} ({by_severity}) in {files}{tail}."


def clean(value: str) -> str:
    """``value`` on one line, with control characters shown as escapes."""
    return _UNSAFE.sub(_escape, _BLANKS.sub(" ", value))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _by_file(findings: list[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.file, []).append(finding)
    return groups


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
