"""SARIF 2.1.0 report for GitHub code scanning, built with sarif-om's object model.

One run; every rule that ran is a ``reportingDescriptor`` (sorted by code); every finding is a
result with a repository-relative location and a line-independent partial fingerprint. The
output holds no absolute path, time or host detail, so identical input gives identical bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import quote

import attr
from sarif_om import (  # untyped: pyproject's mypy override ignores its missing stubs
    ArtifactLocation,
    Location,
    LogicalLocation,
    Message,
    MultiformatMessageString,
    PhysicalLocation,
    Region,
    ReportingConfiguration,
    ReportingDescriptor,
    Result,
    Run,
    SarifLog,
    Suppression,
    Tool,
    ToolComponent,
)

from batchlint.report import Finding, Report
from batchlint.reporters import INFORMATION_URI, TOOL_NAME, repo_path
from batchlint.rule import RuleMeta, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "batchlint/v1"
PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "recommendation",
}
# Emitted even when equal to the sarif-om default or empty: an explicit level reads better,
# and an empty ``results`` array means "ran, found nothing" (absent means "did not run").
_ALWAYS = frozenset({"level", "results"})


def render(report: Report, *, tool_version: str, base_dir: str) -> str:
    log = build_log(report, tool_version=tool_version, base_dir=base_dir)
    return json.dumps(to_json(log), indent=2, allow_nan=False) + "\n"


def build_log(report: Report, *, tool_version: str, base_dir: str) -> Any:
    rules = rules_of(report)
    index = {meta.code: i for i, meta in enumerate(rules)}
    driver = ToolComponent(
        name=TOOL_NAME,
        version=tool_version,
        semantic_version=tool_version,
        information_uri=INFORMATION_URI,
        rules=[descriptor(meta) for meta in rules],
    )
    results = [result(f, index[f.code], base_dir) for f in report.findings]
    run = Run(tool=Tool(driver=driver), results=results, column_kind="unicodeCodePoints")
    return SarifLog(version=SARIF_VERSION, schema_uri=SARIF_SCHEMA, runs=[run])


def rules_of(report: Report) -> list[RuleMeta]:
    """The rules that ran, plus a stand-in for any finding whose rule is missing, by code."""
    rules: dict[str, RuleMeta] = {meta.code: meta for meta in report.rules}
    for finding in report.findings:
        if finding.code not in rules:
            rules[finding.code] = _stand_in(finding)
    return [rules[code] for code in sorted(rules)]


def _stand_in(finding: Finding) -> RuleMeta:
    summary = finding.fix or finding.name
    return RuleMeta(
        code=finding.code,
        name=finding.name,
        severity=finding.severity,
        tags=finding.tags,
        fix=finding.fix,
        summary=summary,
        doc=summary,
    )


def descriptor(meta: RuleMeta) -> Any:
    summary = meta.summary or meta.fix or meta.name
    doc = meta.doc or summary
    return ReportingDescriptor(
        id=meta.code,
        name=meta.name,
        short_description=MultiformatMessageString(text=summary),
        full_description=MultiformatMessageString(text=summary),
        help=MultiformatMessageString(text=doc, markdown=doc),
        help_uri=meta.help_uri,
        default_configuration=ReportingConfiguration(level=meta.severity.value),
        properties=rule_properties(meta),
    )


def rule_properties(meta: RuleMeta) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tags": list(dict.fromkeys(meta.tags)),
        "precision": "high",
        "problem.severity": PROBLEM_SEVERITY[meta.severity],
    }
    if "security" in meta.tags and meta.security_severity is not None:
        props["security-severity"] = f"{meta.security_severity:.1f}"
    return props


def result(finding: Finding, rule_index: int, base_dir: str) -> Any:
    physical = PhysicalLocation(
        artifact_location=ArtifactLocation(
            uri=artifact_uri(finding.file, base_dir), uri_base_id=SRCROOT
        ),
        region=Region(start_line=max(1, finding.line), start_column=max(1, finding.column)),
    )
    logical = None
    if finding.resource:
        logical = [
            LogicalLocation(
                name=finding.resource,
                kind="resource",
                fully_qualified_name=f"{finding.resource_type}/{finding.resource}",
            )
        ]
    return Result(
        rule_id=finding.code,
        rule_index=rule_index,
        level=finding.severity.value,
        message=Message(text=finding.message),
        locations=[Location(physical_location=physical, logical_locations=logical)],
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        # "new"/"unchanged" with --baseline. Fixed entries are not written as "absent"
        # results: code scanning ignores baselineState and would open alerts for them.
        baseline_state=finding.baseline_state,
        suppressions=[suppression(s) for s in finding.suppressions] or None,
        properties=result_properties(finding),
    )


def suppression(item: Any) -> Any:
    """A SARIF suppression (no ``status``: accepted), for viewers to show with its reason."""
    return Suppression(
        kind=item.kind, justification=item.justification, properties={"location": item.location}
    )


def result_properties(finding: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "pointer": finding.pointer,
        "resource": finding.resource,
        "resource_type": finding.resource_type,
    }
    for key in ("account", "region", "arn"):
        value = getattr(finding, key)
        if value:
            props[key] = value
    cost = finding.estimated_monthly_cost_usd
    if cost is not None and math.isfinite(cost):
        props["estimatedMonthlyCostUsd"] = round(cost, 2)
    return props


def artifact_uri(file: str, base_dir: str) -> str:
    """``file`` relative to ``base_dir`` as a URI reference with '/' separators.

    A file outside ``base_dir`` keeps the path it was given, made relative (its root dropped).
    """
    path = repo_path(file, base_dir)
    try:  # a name that is not UTF-8 on disk (os.walk gives "\udcff") keeps its own bytes
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file name decodes to
        return quote(path, safe="/", errors="surrogatepass")


def to_json(value: Any) -> Any:
    """A sarif-om object as plain JSON data, keyed by SARIF property names in sorted order.

    Attributes that are None, empty, or equal to their sarif-om default are left out (except
    those in ``_ALWAYS``); dicts (property bags, fingerprints) are kept whole, keys sorted.
    """
    if attr.has(type(value)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            name = field.metadata["schema_property_name"]
            if (name in _ALWAYS and item is not None) or _wanted(field, item):
                out[name] = to_json(item)
        return dict(sorted(out.items()))
    if isinstance(value, dict):
        return {str(key): to_json(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _wanted(field: Any, item: Any) -> bool:
    if item is None or (isinstance(item, list | tuple | dict) and not item):
        return False
    default = field.default
    factory = getattr(default, "factory", None)  # an attr.Factory default
    if callable(factory):
        default = factory()
    return bool(default is attr.NOTHING or item != default)
