"""JUnit XML: one ``<testsuite>`` per file, one ``<testcase>`` per finding.

The test case is named after what failed and where, without line numbers, so CI test history
(GitLab's test report, Jenkins' per-test trend) follows a finding across edits:
``name="BL-CE-001 spot-best-fit-allocation: SpotEnvironment"``, ``classname`` and ``file`` the
file. A finding that counts is a ``<failure>``; a suppressed one or one already in the
baseline is ``<skipped>`` with the reason. A file with no finding has one passing test case,
``no findings``, so a clean scan shows as passed rather than empty.

Every user-controlled value is put through :func:`text.clean` first: XML 1.0 cannot carry
most control characters even as character references, so they are written as ``\\x..``
escapes; ElementTree then escapes markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from batchlint.report import UNCHANGED, Finding, Report
from batchlint.reporters import text

NO_FINDINGS = "no findings"
# what text.clean leaves that XML 1.0 still cannot hold: the noncharacters U+FFFE and U+FFFF
_NOT_XML = re.compile("[\ufffe\uffff]")


def render(report: Report) -> str:
    by_file: dict[str, list[Finding]] = {file: [] for file in report.files_scanned}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    root = ET.Element("testsuites", name="batchlint")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file, findings in by_file.items():
        suite = _suite(file, findings)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(file: str, findings: list[Finding]) -> ET.Element:
    name = clean(file)
    suite = ET.Element("testsuite", name=name)
    names: dict[str, int] = {}
    failures = skipped = 0
    for finding in findings:
        case = ET.SubElement(suite, "testcase", name=_case_name(finding, names))
        case.set("classname", name)
        case.set("file", name)
        if finding.counts:
            failures += 1
            failure = ET.SubElement(case, "failure", type=clean(finding.code))
            failure.set("message", f"[{finding.severity.value}] {clean(finding.message)}")
            failure.text = _details(finding)
        else:
            skipped += 1
            ET.SubElement(case, "skipped", message=_why_skipped(finding))
    if not findings:
        ET.SubElement(suite, "testcase", name=NO_FINDINGS, classname=name, file=name)
    counts = {"tests": len(suite), "failures": failures, "errors": 0, "skipped": skipped}
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _case_name(finding: Finding, names: dict[str, int]) -> str:
    """Unique within the suite: a repeat (the same rule twice on one resource) is numbered."""
    base = f"{finding.code} {finding.name}"
    if finding.resource:
        base += f": {finding.resource}"
    base = clean(base)
    count = names.get(base, 0) + 1
    names[base] = count
    return base if count == 1 else f"{base} ({count})"


def clean(value: str) -> str:
    """``value`` on one line, with every character XML 1.0 cannot hold shown as an escape."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text.clean(value))


def _details(finding: Finding) -> str:
    lines = [
        f"{finding.file}:{finding.line}:{finding.column}",
        f"severity: {finding.severity.value}",
        f"resource: {finding.resource} ({finding.resource_type})" if finding.resource else "",
        f"pointer: {finding.pointer}" if finding.pointer else "",
        f"fix: {finding.fix}" if finding.fix else "",
        finding.message,
    ]
    return "\n".join(clean(line) for line in lines if line)


def _why_skipped(finding: Finding) -> str:
    if finding.suppressions:
        reasons = "; ".join(
            f"{s.justification} ({s.location})" if s.location else s.justification
            for s in finding.suppressions
        )
        return clean(f"suppressed: {reasons}")
    if finding.baseline_state == UNCHANGED:
        return "in the baseline"
    return ""
