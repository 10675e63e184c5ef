"""Runs the rules over every scope and turns their hits into located findings.

Rules are dispatched by the kind their first parameter names, never tried on every node. A
rule that raises becomes a BL-META-003 finding for that resource; the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchlint import meta, suppress
from batchlint.inputs import (
    FileInput,
    ModuleInput,
    collect_inputs,
    load_input,
)
from batchlint.limits import DEFAULT as DEFAULT_LIMITS
from batchlint.limits import FileTimeout, Limits, deadline
from batchlint.location import fingerprint
from batchlint.model import Graph, Kind, MetaIssue, Resource, Scope
from batchlint.registry import all_rules, matches
from batchlint.report import Finding, Report
from batchlint.rule import Context, Hit, RuleMeta, Severity
from batchlint.sources import Skipped

if TYPE_CHECKING:
    from batchlint.cost.usage import Usage
    from batchlint.prices import PriceSource


@dataclass
class ScanOptions:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    region: str = "us-east-1"
    rules_dirs: tuple[Path, ...] = ()
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> options
    severity: dict[str, Severity] = field(default_factory=dict)  # code or name -> severity
    price_source: PriceSource | None = None  # None: the bundled snapshot
    usage: Usage | None = None  # a loaded usage file: usage-based monthly estimates
    budget_usd: float | None = None  # monthly budget, for rules with a monthly_budget_usd option
    limits: Limits = DEFAULT_LIMITS  # what one input file may cost to read and check
    # file glob -> rule selectors skipped for the files it matches (config per-file-ignores)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    # config suppressions: {"rule": code or name, "resource": address/ARN glob, "reason": …,
    # "location": where it is written (e.g. "pyproject.toml [[tool.batchlint.suppress]] 2")}
    suppress: list[dict[str, str]] = field(default_factory=list)
    # the config file's folder: per-file-ignores globs also match paths relative to it
    config_dir: Path | None = None
    # Terraform modules: -var NAME=VALUE and -var-file values for their root variables
    tf_vars: dict[str, str] = field(default_factory=dict)
    tf_var_files: tuple[Path, ...] = ()
    # a Terraform configuration folder: plan findings are placed on its .tf lines
    tf_source: Path | None = None


def select_rules(rules: list[RuleMeta], options: ScanOptions) -> list[RuleMeta]:
    chosen = [r for r in rules if not options.select or matches(r, options.select)]
    return [r for r in chosen if not matches(r, options.ignore)]


def scan(
    paths: Iterable[str],
    options: ScanOptions | None = None,
    shown: Mapping[str, str] | None = None,
) -> Report:
    """Scan ``paths``; ``shown`` names files otherwise than by their path (a temporary
    account snapshot)."""
    options = options or ScanOptions()
    rules = select_rules(all_rules(options.rules_dirs), options)
    report = Report(rules=rules)
    suppress.check_config(options)  # a bad config suppression: exit 2 before reading
    for unit in collect_inputs(paths, shown):
        _scan_input(unit, rules, options, report)
    report.findings += suppress.unused_config(report.findings, rules, options)
    report.findings = _dedupe(sorted(report.findings, key=Finding.sort_key))
    return report


def _scan_input(
    unit: FileInput | ModuleInput, rules: list[RuleMeta], options: ScanOptions, report: Report
) -> None:
    """Read and check one file or module within its time limit. One that runs out of time
    reports only that (BL-META-001): what it had found so far depends on the machine's
    speed, and the same input must give the same report."""
    marks = len(report.findings), len(report.costs), dict(report.resources)
    seconds = options.limits.timeout_per_file
    shown = unit.display
    try:
        with deadline(seconds):
            loaded = load_input(unit, options)
            if isinstance(loaded, Skipped):
                report.files_skipped.append((loaded.file, loaded.reason))
                return
            for scope in loaded:
                check_scope(scope, rules, options, report)
            if isinstance(unit, ModuleInput):
                _module_scanned(unit, loaded, marks[0], report)
                return
    except FileTimeout:
        del report.findings[marks[0] :], report.costs[marks[1] :]
        report.resources = marks[2]
        code = meta.INPUT_UNREADABLE.code
        message = f"stopped after {seconds:g} s (--timeout-per-file); nothing else is reported"
        if any(r.code == code for r in rules):
            issue = MetaIssue(code, message)
            report.findings.append(_meta_finding(Scope(shown, "unreadable"), code, message, issue))
    report.files_scanned.append(shown)


def check_scope(scope: Scope, rules: list[RuleMeta], options: ScanOptions, report: Report) -> None:
    first = len(report.findings)
    if options.per_file_ignores:  # the config switches these rules off for this file
        from batchlint.config import rules_for_file

        rules = rules_for_file(scope.file, rules, options.per_file_ignores, options.config_dir)
    for resource in scope.resources:
        if resource.kind in _COUNTED:
            report.resources[resource.type] = report.resources.get(resource.type, 0) + 1
    enabled = {r.code for r in rules}
    for issue in scope.meta:
        if issue.code in enabled:
            report.findings.append(_meta_finding(scope, issue.code, issue.message, issue))
    region = scope.region or options.region
    for item in rules:
        if item.check is None:
            continue
        settings = {**item.options, **options.rule_options.get(item.name, {})}
        if options.budget_usd is not None and _BUDGET in item.options:
            settings[_BUDGET] = options.budget_usd
        context = Context(scope, settings, region, options.price_source)
        for target in _targets(scope, item.target):
            try:
                hits = list(item.check(target, context))
            except Exception as exc:  # a rule bug must not end the scan
                if meta.RULE_CRASHED.code in enabled:
                    report.findings.append(_crash(item, target, exc))
                continue
            for hit in hits:
                report.findings.append(_finding(item, hit, options))
    report.costs.extend(_costs(scope, region, options))
    report.findings[first:] = suppress.apply_scope(scope, report.findings[first:], rules, options)
    if options.per_file_ignores:  # findings placed in another file (a module's .tf files)
        report.findings[first:] = _per_file(report.findings[first:], scope, rules, options)


def _per_file(
    findings: list[Finding], scope: Scope, rules: list[RuleMeta], options: ScanOptions
) -> list[Finding]:
    from batchlint.config import rules_for_file

    on: dict[str, set[str]] = {}
    out = []
    for finding in findings:
        if finding.file != scope.file:
            if finding.file not in on:
                enabled = rules_for_file(
                    finding.file, rules, options.per_file_ignores, options.config_dir
                )
                on[finding.file] = {r.code for r in enabled}
            if finding.code not in on[finding.file]:
                continue
        out.append(finding)
    return out


def _module_scanned(unit: ModuleInput, scopes: list[Scope], first: int, report: Report) -> None:
    """Keep the findings in the files asked for, and list the files read."""
    if unit.report is not None:
        report.findings[first:] = [f for f in report.findings[first:] if f.file in unit.report]
    for scope in scopes:
        report.files_scanned.extend(scope.files)


_COUNTED = {Kind.COMPUTE_ENVIRONMENT, Kind.JOB_QUEUE, Kind.JOB_DEFINITION, Kind.SCHEDULING_POLICY}
_BUDGET = "monthly_budget_usd"


def _costs(scope: Scope, region: str, options: ScanOptions) -> list[dict[str, Any]]:
    """The scope's cost estimates; the cost model and prices load only when there is
    something to price."""
    if not scope.of_kind(Kind.COMPUTE_ENVIRONMENT) and not scope.of_kind(Kind.JOB_DEFINITION):
        return []
    from batchlint.cost.estimate import estimate_scope
    from batchlint.prices import load

    source = options.price_source or load()
    return [cost.as_dict() for cost in estimate_scope(scope, region, source, options.usage)]


def _targets(scope: Scope, target: str) -> Iterator[Resource | Graph]:
    if target == "graph":
        yield Graph(scope)
    elif target != "meta":
        yield from scope.of_kind(Kind(target))


def _finding(item: RuleMeta, hit: Hit, options: ScanOptions) -> Finding:
    resource = hit.resource
    scope = resource.scope
    node = hit.at
    pointer = node.pointer if node is not None and node.pointer else resource.pointer
    inner = node.inner if node is not None else ""
    file, line, column = scope.place(pointer, inner)
    severity = options.severity.get(item.code) or options.severity.get(item.name) or item.severity
    return Finding(
        code=item.code,
        name=item.name,
        severity=severity,
        message=hit.message,
        resource=resource.address,
        resource_type=resource.type,
        file=file,
        line=line,
        column=column,
        pointer=pointer,
        fingerprint=fingerprint(item.code, resource.address, scope.stable(pointer), inner),
        tags=item.tags,
        fix=item.fix,
        estimated_monthly_cost_usd=hit.cost_usd,
        account=scope.account,
        region=scope.region,
        arn=resource.arn,
    )


def _meta_finding(scope: Scope, code: str, message: str, issue: Any) -> Finding:
    item = meta.BY_CODE[code]
    file = issue.file or scope.file
    return meta.file_finding(item, message, file, issue.line, issue.column, issue.pointer)


def _crash(item: RuleMeta, target: Resource | Graph, exc: Exception) -> Finding:
    """BL-META-003 on the resource the rule failed on, or on the file for a whole-graph rule."""
    scope = target.scope
    address, kind, pointer, what = "", "", "", "this file"
    if isinstance(target, Resource):
        address, kind, pointer, what = target.address, target.type, target.pointer, "this resource"
    file, line, column = scope.place(pointer) if pointer else (scope.file, 1, 1)
    crashed = meta.RULE_CRASHED
    return Finding(
        code=crashed.code,
        name=crashed.name,
        severity=crashed.severity,
        message=f"rule {item.code} {item.name} failed on {what}: {type(exc).__name__}: {exc}",
        resource=address,
        resource_type=kind,
        file=file,
        line=line,
        column=column,
        pointer=pointer,
        fingerprint=fingerprint(crashed.code, address or scope.file, pointer, item.code),
        tags=crashed.tags,
        fix=crashed.fix,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop repeated findings; keep fingerprints unique within a file (two different
    findings at one value get the later one's fingerprint salted with its rank)."""
    seen: set[tuple[str, str, str]] = set()
    ranks: dict[tuple[str, str], int] = {}
    out = []
    for finding in findings:
        key = (finding.file, finding.fingerprint, finding.message)
        if key in seen:
            continue
        seen.add(key)
        rank = ranks.get((finding.file, finding.fingerprint), 0)
        ranks[(finding.file, finding.fingerprint)] = rank + 1
        if rank:
            salted = fingerprint(finding.code, finding.resource, finding.fingerprint, f"#{rank}")
            finding = replace(finding, fingerprint=salted)
        out.append(finding)
    return out
