"""The result of a scan: findings with their locations, costs, and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from batchlint.rule import Severity


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count: where it was silenced, and the reason given."""

    kind: str  # "inSource" (template Metadata, a .tf comment) or "external" (config)
    justification: str
    location: str  # what silenced it: "Metadata of Job", "batchlint.yaml suppress[2]", …

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "justification": self.justification, "location": self.location}


# a finding's state against a baseline (``scan --baseline``)
NEW = "new"  # not in the baseline: counts
UNCHANGED = "unchanged"  # in the baseline: reported, not counted


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    resource: str  # logical id, Terraform address or ARN ("" for file-level meta findings)
    resource_type: str
    file: str  # as given on the command line, relative when possible, "/" separators
    line: int  # 1-based
    column: int  # 1-based
    pointer: str  # RFC 6901 pointer into the source document
    fingerprint: str
    tags: tuple[str, ...] = ()
    fix: str = ""
    estimated_monthly_cost_usd: float | None = None
    suppressions: tuple[Suppression, ...] = ()
    baseline_state: str | None = None  # NEW or UNCHANGED with --baseline, else None
    # where the resource lives, when the source says: an account snapshot gives all three,
    # a Terraform plan or state the ARN and its provider's Region
    account: str | None = None
    region: str | None = None
    arn: str | None = None

    @property
    def counts(self) -> bool:
        """Whether the finding counts towards the exit code: neither suppressed nor already
        in the baseline."""
        return not self.suppressions and self.baseline_state != UNCHANGED

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.file, self.line, self.column, self.code, self.resource, self.fingerprint)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "fingerprint": self.fingerprint,
            "tags": list(self.tags),
            "fix": self.fix,
            "estimated_monthly_cost_usd": _cents(self.estimated_monthly_cost_usd),
            "suppressions": [s.as_dict() for s in self.suppressions],
            "baseline_state": self.baseline_state,
            "account": self.account,
            "region": self.region,
            "arn": self.arn,
        }


def _cents(amount: float | None) -> float | None:
    return round(amount, 2) if amount is not None else None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    costs: list[dict[str, Any]] = field(default_factory=list)
    files_scanned: list[str] = field(default_factory=list)
    files_skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    resources: dict[str, int] = field(default_factory=dict)  # source type -> count
    rules: list[Any] = field(default_factory=list)  # RuleMeta of the rules that ran
    # baseline entries (as stored) with no finding today: fixed since, the baseline can shrink
    fixed: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for finding in self.findings:
            out[finding.severity.value] += 1
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "files": len(self.files_scanned),
            "skipped": len(self.files_skipped),
            "findings": len(self.findings),
            "suppressed": sum(1 for f in self.findings if f.suppressions),
            "by_severity": self.counts(),
            "resources": dict(sorted(self.resources.items())),
        }
