"""JSON report: the documented contract, published as a JSON Schema by ``batchlint.schema``."""

from __future__ import annotations

import json
from typing import Any

from batchlint.report import Report
from batchlint.reporters import INFORMATION_URI, TOOL_NAME

SCHEMA_VERSION = 1


def document(report: Report, *, tool_version: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version, "information_uri": INFORMATION_URI},
        "findings": [finding.as_dict() for finding in report.findings],
        "costs": report.costs,
        "summary": report.summary(),
    }


def render(report: Report, *, tool_version: str) -> str:
    # allow_nan=False: NaN or Infinity is not JSON; fail rather than write an invalid report.
    text = json.dumps(document(report, tool_version=tool_version), indent=2, allow_nan=False)
    return text + "\n"
