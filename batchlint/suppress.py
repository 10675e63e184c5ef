"""Suppressions: findings silenced with a reason, in the source or in the config.

Sources fill :attr:`Scope.suppressions <batchlint.model.Scope.suppressions>` with the entries
written in the input (CloudFormation ``Metadata``; raw ``.tf`` comments later) as
:class:`SourceSuppression` records; the config's ``suppress`` list arrives as
``ScanOptions.suppress``. The engine calls :func:`apply_scope` once a file is checked and
:func:`unused_config` once every file is: matching findings get a
:class:`~batchlint.report.Suppression` each and are kept (they stop counting towards the exit
code, not existing). An entry without a reason or naming no rule is not applied and is itself
reported (``suppression-invalid``); one that matches nothing is reported as
``unused-suppression``, unless its rule did not run. BL-META findings cannot be suppressed: a
file that was not read, or a rule that crashed, is never silently accepted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchlint import meta
from batchlint.model import Kind, Resource, Scope
from batchlint.report import Finding, Suppression
from batchlint.rule import RuleMeta

if TYPE_CHECKING:
    from batchlint.engine import ScanOptions

IN_SOURCE = "inSource"
EXTERNAL = "external"

_RESOURCE_KEYS = ("rule", "reason")
_TEMPLATE_KEYS = ("rule", "reason", "resource")


@dataclass(frozen=True)
class SourceSuppression:
    """One suppression written in an input file, as its source read it."""

    rule: str  # code or name as written; "" when absent or not text
    reason: str  # "" when absent or not text
    pointer: str  # RFC 6901 pointer to the entry, so its line can be found
    location: str  # what it is, for people: "Metadata of Job", "template Metadata"
    resource: str | None = None  # address (or address glob) it applies to; None: the file
    problem: str = ""  # why it cannot be applied, found while reading it ("" if none)
    kind: str = IN_SOURCE


# --- reading CloudFormation Metadata ----------------------------------------------------------


def from_cfn_metadata(
    metadata: Any, pointer: str, resource: str | None = None
) -> list[SourceSuppression]:
    """The ``batchlint: {ignore: [...]}`` entries of a ``Metadata`` value at ``pointer``:
    a resource's (``resource`` is its logical id) or the template's (``resource`` None; an
    entry may then name a ``resource``, a logical id or glob)."""
    if not isinstance(metadata, dict) or "batchlint" not in metadata:
        return []
    where = f"Metadata of {resource}" if resource is not None else "template Metadata"
    base = pointer + "/batchlint"
    settings = metadata["batchlint"]

    def problem(text: str, at: str) -> list[SourceSuppression]:
        return [SourceSuppression("", "", at, where, resource, problem=text)]

    if not isinstance(settings, dict):
        return problem("batchlint Metadata must be a mapping with an 'ignore' list", base)
    out: list[SourceSuppression] = []
    for key in settings:
        if key != "ignore":
            out += problem(f"unknown key {_quoted(key)} in batchlint Metadata{_hint(key)}", base)
    entries = settings.get("ignore")
    if entries is None:
        return out
    if not isinstance(entries, list):
        return out + problem(
            "batchlint 'ignore' must be a list of {rule, reason}", base + "/ignore"
        )
    allowed = _RESOURCE_KEYS if resource is not None else _TEMPLATE_KEYS
    for i, entry in enumerate(entries):
        at = f"{base}/ignore/{i}"
        if not isinstance(entry, dict):
            out += problem("suppression must be a mapping with rule and reason", at)
            continue
        unknown = [k for k in entry if k not in allowed]
        target = resource if resource is not None else entry.get("resource")
        text = ""
        if unknown:
            text = f"unknown key {_quoted(unknown[0])}{_hint(unknown[0], allowed)}"
        elif target is not None and not isinstance(target, str):
            text = "resource must be a logical id or a glob"
        rule, reason = entry.get("rule"), entry.get("reason")
        out.append(
            SourceSuppression(
                rule=rule.strip() if isinstance(rule, str) else "",
                reason=reason.strip() if isinstance(reason, str) else "",
                pointer=at,
                location=where,
                resource=target if isinstance(target, str) else None,
                problem=text,
            )
        )
    return out


def _quoted(key: Any) -> str:
    text = str(key)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _hint(key: Any, choices: Iterable[str] = ("ignore",)) -> str:
    close = difflib.get_close_matches(str(key), list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_COMMENT = re.compile(r"batchlint:\s*ignore\s*=\s*([^\s]*)\s*(.*)", re.DOTALL)


def from_comment(text: str, pointer: str) -> list[SourceSuppression]:
    """The suppressions a ``batchlint:ignore=<rule>[,<rule>…] <reason>`` comment writes, one
    per rule (none when the comment is no suppression). The source fills in what it is on."""
    match = _COMMENT.match(text.strip())
    if match is None:
        return []
    rules, reason = match.group(1), " ".join(match.group(2).split())
    where = "comment"
    names = [r for r in rules.split(",") if r] or [""]
    return [SourceSuppression(name, reason, pointer, where) for name in names]


# --- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A suppression ready to match: its rule resolved to a code."""

    code: str
    rule: str  # as written, for messages
    reason: str
    resource: str | None  # address, address glob or ARN glob; None: any
    kind: str
    location: str
    pointer: str = ""

    def suppression(self) -> Suppression:
        return Suppression(self.kind, self.reason, self.location)


def apply_scope(
    scope: Scope, findings: list[Finding], rules: list[RuleMeta], options: ScanOptions
) -> list[Finding]:
    """``findings`` (those of ``scope``) with the suppressions that match them, followed by
    BL-META findings for the scope's own entries that are invalid or matched nothing."""
    if not scope.suppressions and not options.suppress:
        return findings
    known = known_rules(options.rules_dirs)
    enabled = {r.code for r in rules}
    extra: list[Finding] = []
    entries: list[tuple[_Entry, SourceSuppression]] = []
    for record in scope.suppressions:
        entry, problem = _resolve(record, known)
        if entry is not None:
            entries.append((entry, record))
        elif meta.SUPPRESSION_INVALID.code in enabled:
            extra.append(_at_entry(scope, record, meta.SUPPRESSION_INVALID, problem))
    by_address: dict[str | None, list[int]] = {}
    for i, (entry, _) in enumerate(entries):
        by_address.setdefault(entry.resource if _literal(entry.resource) else None, []).append(i)
    external = [e for e in config_entries(options.suppress, known) if e.code in enabled]
    used: set[int] = set()
    out = []
    for finding in findings:
        if finding.code.startswith("BL-META"):
            out.append(finding)
            continue
        hits = []
        for i in by_address.get(finding.resource, []) + by_address.get(None, []):
            entry = entries[i][0]
            if entry.code == finding.code and _resource_matches(entry.resource, finding, scope):
                used.add(i)
                hits.append(entry)
        hits += [
            e
            for e in external
            if e.code == finding.code and _resource_matches(e.resource, finding, scope)
        ]
        if hits:
            added = tuple(e.suppression() for e in hits)
            finding = replace(finding, suppressions=finding.suppressions + added)
        out.append(finding)
    if meta.UNUSED_SUPPRESSION.code in enabled:
        for i, (entry, record) in enumerate(entries):
            if i in used or entry.code not in enabled:  # not enabled: it did not run here
                continue
            message = (
                f"suppression of {entry.rule} in {entry.location} matches no finding; remove it"
            )
            extra.append(_at_entry(scope, record, meta.UNUSED_SUPPRESSION, message))
    return out + extra


def _literal(resource: str | None) -> bool:
    """Whether a suppression names one address (not every resource, not a glob)."""
    return resource is not None and not any(c in resource for c in "*?[")


def _resolve(record: SourceSuppression, known: Mapping[str, RuleMeta]) -> tuple[_Entry | None, str]:
    """The entry ready to match, or None and why it is not applied."""
    if record.problem:
        return None, f"suppression not applied: {record.problem}"
    if not record.rule:
        return None, "suppression not applied: it names no rule (rule: CODE or name)"
    item = known.get(record.rule.lower())
    if item is None:
        close = difflib.get_close_matches(record.rule.lower(), list(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return None, f"suppression not applied: unknown rule {_quoted(record.rule)}{hint}"
    if item.code.startswith("BL-META"):
        return None, f"suppression not applied: {item.code} {item.name} cannot be suppressed"
    if not record.reason:
        return None, f"suppression of {record.rule} not applied: it needs a reason"
    entry = _Entry(
        item.code, record.rule, record.reason, record.resource, record.kind, record.location,
        record.pointer,
    )  # fmt: skip
    return entry, ""


def check_config(options: ScanOptions) -> None:
    """Raise :class:`InputError` for an invalid config suppression, before any file is read."""
    if options.suppress:
        config_entries(options.suppress, known_rules(options.rules_dirs))


def config_entries(settings: list[dict[str, str]], known: Mapping[str, RuleMeta]) -> list[_Entry]:
    """The config's suppressions, ready to match; an invalid one is an :class:`InputError`
    (the config module validates them first; this is the backstop)."""
    out = []
    for i, setting in enumerate(settings, 1):
        where = setting.get("location") or f"config suppress #{i}"
        rule = str(setting.get("rule") or "").strip()
        reason = str(setting.get("reason") or "").strip()
        item = known.get(rule.lower())
        problem = ""
        if item is None:
            problem = f"unknown rule {_quoted(rule)}" if rule else "no rule"
        elif item.code.startswith("BL-META"):
            problem = f"{item.code} {item.name} cannot be suppressed"
        elif not reason:
            problem = "a suppression needs a reason"
        if item is None or problem:
            from batchlint.inputs import InputError

            raise InputError(f"{where}: {problem}")
        resource = str(setting.get("resource") or "").strip() or None
        out.append(_Entry(item.code, rule, reason, resource, EXTERNAL, where))
    return out


def _resource_matches(pattern: str | None, finding: Finding, scope: Scope) -> bool:
    if pattern is None:
        return True
    address = finding.resource
    if pattern == address or fnmatchcase(address, pattern):
        return True
    if not pattern.lower().startswith("arn:"):
        return False
    resource = scope.by_address.get(address)
    return resource is not None and arn_matches(pattern, resource, scope.region)


# service and resource-type part of the ARN of each kind of resource a finding can be about
_ARNS = {
    Kind.COMPUTE_ENVIRONMENT: ("batch", "compute-environment/"),
    Kind.JOB_QUEUE: ("batch", "job-queue/"),
    Kind.JOB_DEFINITION: ("batch", "job-definition/"),
    Kind.SCHEDULING_POLICY: ("batch", "scheduling-policy/"),
    Kind.IAM_ROLE: ("iam", "role/"),
}
_REVISION = re.compile(r":[^:/]*$")


def arn_matches(pattern: str, resource: Resource, region: str | None) -> bool:
    """Whether an ARN glob names ``resource``: its ARN when the source knows it; otherwise
    (a template, a plan before apply) the parts it will have: service, type, physical name,
    and the region when the source names one. The account and partition match anything, and
    so does a job definition's revision."""
    if resource.arn:
        return fnmatchcase(resource.arn, pattern)
    spec = _ARNS.get(resource.kind)
    if spec is None or not resource.name:
        return False
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return False
    service, where, rest = parts[2], parts[3], parts[5]
    if not fnmatchcase(spec[0], service):
        return False
    if region and spec[0] != "iam" and not fnmatchcase(region, where):
        return False
    if resource.kind is Kind.JOB_DEFINITION:
        rest = _REVISION.sub("", rest)
    return fnmatchcase(spec[1] + resource.name, rest)


def unused_config(
    findings: list[Finding], rules: list[RuleMeta], options: ScanOptions
) -> list[Finding]:
    """``unused-suppression`` findings for config suppressions no finding of the whole scan
    matched, at the config file."""
    if not options.suppress or not any(r.code == meta.UNUSED_SUPPRESSION.code for r in rules):
        return []
    known = known_rules(options.rules_dirs)
    enabled = {r.code for r in rules}
    used = {
        s.location for f in findings for s in f.suppressions if s.kind == EXTERNAL
    }  # locations name config entries one to one
    out = []
    for setting, entry in zip(
        options.suppress, config_entries(options.suppress, known), strict=True
    ):
        if entry.location in used or entry.code not in enabled:
            continue
        file = setting.get("file") or entry.location.split(" ", 1)[0]
        if _ignored_for_file(file, meta.UNUSED_SUPPRESSION, options):
            continue
        what = f" for {entry.resource}" if entry.resource else ""
        message = (
            f"suppression of {entry.rule}{what} ({entry.location}) matches no finding in this "
            "scan; remove it"
        )
        pointer = setting.get("pointer", "")
        out.append(
            meta.file_finding(
                meta.UNUSED_SUPPRESSION, message, file, int(setting.get("line") or 1), 1, pointer
            )
        )
    return out


def _ignored_for_file(file: str, item: RuleMeta, options: ScanOptions) -> bool:
    """Whether the config's per-file-ignores switch ``item`` off for ``file``."""
    if not options.per_file_ignores:
        return False
    from batchlint.config import rules_for_file

    return not rules_for_file(file, [item], options.per_file_ignores, options.config_dir)


def _at_entry(scope: Scope, record: SourceSuppression, item: RuleMeta, message: str) -> Finding:
    file, line, column = scope.place(record.pointer)
    resource = scope.by_address.get(record.resource) if record.resource else None
    finding = meta.file_finding(item, message, file, line, column, record.pointer)
    if resource is None:
        return finding
    return replace(finding, resource=resource.address, resource_type=resource.type)


@lru_cache(maxsize=8)
def known_rules(rules_dirs: tuple[Path, ...]) -> dict[str, RuleMeta]:
    """Every rule by lower-case code and by name: a suppression may name one that is not
    selected in this run."""
    from batchlint.registry import all_rules

    out: dict[str, RuleMeta] = {}
    for item in all_rules(rules_dirs):
        out[item.code.lower()] = item
        out[item.name] = item
    return out
