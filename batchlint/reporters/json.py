"""JSON report: the documented contract, published as a JSON Schema by ``batchlint.schema``."""

from __future__ import annotations

import json
import math
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
        "fixed": report.fixed,  # scan --baseline: its entries no finding matches any more
        "summary": report.summary(),
    }


def render(report: Report, *, tool_version: str) -> str:
    doc = finite(document(report, tool_version=tool_version))
    text = json.dumps(doc, indent=2, allow_nan=False)  # NaN or Infinity is not JSON
    return text + "\n"


def finite(value: Any) -> Any:
    """``value`` with every float that is not finite written as null, and a money range
    (``{"low", "high"}``) with such an end as a whole: a cost figure that overflows (maxvCpus
    1e308 times a price) is unknown, not a crash or invalid JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        if value.keys() == _RANGE and not all(map(_finite_number, value.values())):
            return None
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [finite(item) for item in value]
    return value


_RANGE = {"low", "high"}


def _finite_number(value: Any) -> bool:
    return not isinstance(value, float) or math.isfinite(value)
