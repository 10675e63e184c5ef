"""GitLab Code Quality report: a JSON array of issues, one per finding that counts.

Each issue has what GitLab reads (docs.gitlab.com/ci/testing/code_quality, a subset of the
Code Climate spec): ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location.path`` / ``location.lines.begin``. The fingerprint is the finding's own (code +
resource + pointer, never the line) hashed with its file, so the merge-request widget sees an
edited line as the same issue; GitLab drops repeated fingerprints, so any repeat is salted.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from batchlint.report import Finding, Report
from batchlint.reporters.github import repo_paths
from batchlint.reporters.text import clean
from batchlint.rule import Severity

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.NOTE: "info"}


def render(report: Report, *, base_dir: str) -> str:
    issues: list[dict[str, Any]] = []
    seen: set[str] = set()
    paths = repo_paths(report, base_dir)
    for finding in report.findings:
        if finding.counts:
            issues.append(issue(finding, paths[finding.file], seen))
    # ensure_ascii: the file is read by GitLab, not people; escapes keep any code point safe
    return json.dumps(issues, indent=2) + "\n"


def issue(finding: Finding, path: str, seen: set[str]) -> dict[str, Any]:
    text = f"{finding.resource}: {finding.message}" if finding.resource else finding.message
    return {
        "description": clean(text),
        "check_name": f"{finding.code} {finding.name}",
        "fingerprint": _unique(_digest(path, finding.fingerprint), seen),
        "severity": SEVERITY[finding.severity],
        "location": {"path": path, "lines": {"begin": max(finding.line, 1)}},
    }


def _digest(*parts: str) -> str:
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()[:32]


def _unique(fingerprint: str, seen: set[str]) -> str:
    out, rank = fingerprint, 0
    while out in seen:
        rank += 1
        out = _digest(fingerprint, f"#{rank}")
    seen.add(out)
    return out
