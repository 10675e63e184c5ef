"""Cost output for ``batchlint cost``: tables (text, Markdown) and data (JSON), for one set of
inputs and for a comparison of two.

Every table says which price snapshot and Region its figures used and what they assumed; a
figure that is unknown reads ``unknown`` (the usage-based estimate without a usage file:
``unknown — no usage file``), one that does not apply to the resource ``—``. The JSON shape is
documented in ``docs/costs.md``. Markdown is for a pull-request comment: names are code spans,
other text is escaped, and the comment is kept under GitHub's size limit by leaving out rows
(and saying how many).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from batchlint.cost.compare import (
    SUMMED,
    Change,
    Comparison,
    Delta,
    FileCosts,
    Sum,
    applies,
    figure,
    totals,
)
from batchlint.cost.estimate import Cost, Range, dollars
from batchlint.report import Finding
from batchlint.reporters import INFORMATION_URI, TOOL_NAME
from batchlint.reporters.json import finite
from batchlint.reporters.markdown import MARKDOWN_LIMIT as MARKDOWN_LIMIT  # re-exported
from batchlint.reporters.markdown import fit_markdown, md_code, md_text
from batchlint.reporters.markdown import md_join as _md_join
from batchlint.reporters.markdown import md_table as _md_table
from batchlint.reporters.text import clean, format_finding

SCHEMA_VERSION = 1
NONE = "—"
UNKNOWN = "unknown"
NO_USAGE = "unknown — no usage file"
NOT_IN_USAGE = "unknown — not in usage file"
_NAMES_SHOWN = 4  # resources named before an assumption, then "and N more"

_COLUMNS = (
    "resource",
    "kind",
    "type",
    "floor/month",
    "ceiling/month",
    "per job-hour",
    "worst case/submission",
    "usage/month",
)
_CHANGE_COLUMNS = (
    "resource",
    "kind",
    "change",
    "floor/month",
    "ceiling/month",
    "per job-hour",
    "usage/month",
)
_DELTA_FIGURES = ("floor_monthly", "ceiling_monthly", "per_job_hour", "usage_monthly")
_TOTAL_LABELS = {
    "floor_monthly": "floor/month",
    "ceiling_monthly": "ceiling/month",
    "usage_monthly": "usage/month",
}


# -- figures as words ----------------------------------------------------------------------------


def money(amount: float) -> str:
    """Monthly dollars, three significant figures (``estimate.dollars``); nothing is $0. A
    figure that overflowed (maxvCpus 1e308 times a price) is unknown."""
    if not math.isfinite(amount):
        return UNKNOWN
    return "$0" if round(amount, 2) == 0 else dollars(amount)


def money_range(value: Range) -> str:
    low, high = money(value.low), money(value.high)
    return low if low == high else f"{low}–{high}"


def hourly(amount: float) -> str:
    """Three significant figures, at least cents: $0.403, $0.0123, $1.23, $12.34."""
    if not math.isfinite(amount):
        return UNKNOWN
    if amount <= 0:
        return "$0.00"
    if amount >= 100:
        return f"${amount:,.0f}"
    places = max(2, 2 - math.floor(math.log10(amount)))
    return f"${amount:,.{places}f}"


def hourly_range(value: Range) -> str:
    low, high = hourly(value.low), hourly(value.high)
    return low if low == high else f"{low}–{high}"


def signed(amount: float, words: Callable[[float], str] = money) -> str:
    text = words(abs(amount))
    if text == UNKNOWN:
        return text
    if text in ("$0.00", "$0"):
        return "$0"
    return f"+{text}" if amount > 0 else f"-{text}"


def delta_text(delta: Delta, words: Callable[[float], str] = money) -> str:
    low, high = signed(delta.low, words), signed(delta.high, words)
    return low if low == high else f"{low} to {high}"


def _money(name: str) -> Callable[[Range], str]:
    return hourly_range if name == "per_job_hour" else money_range


def _cell(cost: Cost, name: str) -> str:
    if not applies(cost, name):
        return NONE
    value = figure(cost, name)
    return _money(name)(value) if value is not None else UNKNOWN


def _usage_cell(cost: Cost, usage_file: str | None) -> str:
    if not applies(cost, "usage_monthly"):
        return NONE
    if cost.usage_monthly is not None:
        return money_range(cost.usage_monthly)
    if usage_file is None:
        return NO_USAGE
    return UNKNOWN if "usage" in cost.details else NOT_IN_USAGE


def _worst_cell(cost: Cost) -> str:
    if cost.kind == "compute_environment":
        return NONE
    if cost.unbounded:
        return "unbounded"
    value = cost.worst_case_per_submission
    return money_range(value) if value is not None else UNKNOWN


def _capacity(cost: Cost) -> str:
    found = cost.details.get("compute_type") or cost.details.get("platform")
    return str(found) if found else UNKNOWN


def _row(cost: Cost, usage_file: str | None) -> list[str]:
    return [
        cost.resource,
        cost.kind.replace("_", " "),
        _capacity(cost),
        _cell(cost, "floor_monthly"),
        _cell(cost, "ceiling_monthly"),
        _cell(cost, "per_job_hour"),
        _worst_cell(cost),
        _usage_cell(cost, usage_file),
    ]


def sum_text(value: Sum, name: str, usage_file: str | None) -> str:
    if value.value is None:
        if not value.unknown:
            return NONE
        return NO_USAGE if name == "usage_monthly" and usage_file is None else UNKNOWN
    text = money_range(value.value)
    return f"{text} + {value.unknown} unknown" if value.unknown else text


def _total_row(costs: list[Cost], usage_file: str | None) -> list[str]:
    sums = totals(costs)
    floor, ceiling, usage = (sum_text(sums[n], n, usage_file) for n in SUMMED)
    return ["total", "", "", floor, ceiling, "", "", usage]


def _change_row(change: Change) -> list[str]:
    cells = [change.address, change.kind.replace("_", " "), change.status]
    for name in _DELTA_FIGURES:
        delta = change.deltas.get(name)
        if not applies(change.cost, name):
            cells.append(NONE)
        elif delta is None:
            cells.append(UNKNOWN)
        else:
            cells.append(delta_text(delta, hourly if name == "per_job_hour" else money))
    return cells


def _change_total(comparison: Comparison, name: str) -> str:
    delta = comparison.change_totals.get(name)
    unknown = comparison.change_unknown.get(name, 0)
    if delta is None:
        return UNKNOWN if unknown else "$0"
    text = delta_text(delta)
    percent = comparison.percent(name)
    if percent is not None and not math.isfinite(percent):
        percent = None
    if delta.high > 0:
        text += f" ({'+' + format(percent, ',.0f') + '%' if percent is not None else 'from $0'})"
    elif delta.high < 0 and percent is not None:
        text += f" ({percent:,.0f}%)"
    return f"{text} + {unknown} unknown" if unknown else text


# -- what the figures assumed -------------------------------------------------------------------


def prices_of(costs: Iterable[Cost]) -> list[str]:
    return list(dict.fromkeys(c.prices for c in costs if c.prices))


def assumptions(costs: list[Cost]) -> list[tuple[str, list[str]]]:
    """Each assumption once, with the resources it applies to (empty: all of them)."""
    seen: dict[str, list[str]] = {}
    for cost in costs:
        for text in cost.assumptions:
            names = seen.setdefault(text, [])
            if cost.resource not in names:
                names.append(cost.resource)
    everyone = len({c.resource for c in costs})
    return [(text, [] if len(names) == everyone else names) for text, names in seen.items()]


def name_list(names: list[str], show: Callable[[str], str]) -> str:
    shown = ", ".join(show(n) for n in names[:_NAMES_SHOWN])
    rest = len(names) - _NAMES_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def spot_lines(costs: Iterable[Cost]) -> list[tuple[str, str]]:
    """(resource, text) for each Spot compute environment's estimate at average savings."""
    out = []
    for cost in costs:
        spot = cost.details.get("spot_monthly")
        if not isinstance(spot, dict):
            continue
        parts = [
            f"{label} {money_range(value)}"
            for label, value in (("floor", spot.get("floor")), ("ceiling", spot.get("ceiling")))
            if isinstance(value, Range)
        ]
        if parts:
            out.append((cost.resource, ", ".join(parts)))
    return out


# -- text ---------------------------------------------------------------------------------------


def _table(header: Iterable[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    head = list(header)
    cells = [[clean(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in [head, *cells]) for i in range(len(head))]
    out = []
    for row in [head, *cells]:
        parts = [
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append((indent + "  ".join(parts)).rstrip())
    return out


def _footer(costs: list[Cost], indent: str = "  ") -> list[str]:
    out = []
    for i, label in enumerate(prices_of(costs)):
        out.append(f"{indent}{'Prices: ' if i == 0 else ' ' * 8}{clean(label)}")
    for name, text in spot_lines(costs):
        out.append(f"{indent}Spot at average savings, {clean(name)}: {text}")
    items = assumptions(costs)
    if items:
        out.append(f"{indent}Assumptions:")
    for text, names in items:
        who = f"{name_list(names, clean)}: " if names else ""
        out.append(f"{indent}  - {who}{clean(text)}")
    return out


def text_costs(files: list[FileCosts], *, usage_file: str | None) -> str:
    shown = [f for f in files if f.costs]
    if not shown:
        return f"No compute environments or job definitions to estimate in {_files(files)}.\n"
    lines: list[str] = []
    for item in shown:
        lines.append(f"{clean(item.file)} ({clean(item.region)})")
        rows = [_row(c, usage_file) for c in item.costs]
        lines.extend(_table(_COLUMNS, [*rows, _total_row(item.costs, usage_file)]))
        lines.extend(_footer(item.costs))
        lines.append("")
    if len(shown) > 1:
        sums = totals([c for f in shown for c in f.costs])
        figures = ", ".join(
            f"{_TOTAL_LABELS[n]} {sum_text(sums[n], n, usage_file)}" for n in SUMMED
        )
        lines.append(f"Total of {_files(shown)}: {figures}")
    return "\n".join(lines).rstrip("\n") + "\n"


def text_comparison(
    comparison: Comparison,
    *,
    base: str,
    head: str,
    findings: list[Finding],
    usage_file: str | None,
) -> str:
    lines = [f"Cost change: {clean(base)} -> {clean(head)}", ""]
    summary = [["", "base", "head", "change"]]
    for name in SUMMED:
        summary.append(
            [
                _TOTAL_LABELS[name],
                sum_text(comparison.base_totals[name], name, usage_file),
                sum_text(comparison.head_totals[name], name, usage_file),
                _change_total(comparison, name),
            ]
        )
    lines.extend(_table(summary[0], summary[1:], indent=""))
    lines += ["", _counts(comparison)]
    for key, changes in _by_file(comparison.changes).items():
        lines += ["", clean(key)]
        lines.extend(_table(_CHANGE_COLUMNS, [_change_row(c) for c in changes]))
    if findings:
        lines += ["", "Over the limit:"]
        lines.extend(format_finding(f, color=False) for f in findings)
    costs = [c.cost for c in comparison.changes]
    if costs:
        lines.append("")
        lines.extend(_footer(costs, indent=""))
    return "\n".join(lines) + "\n"


def _counts(comparison: Comparison) -> str:
    parts = [f"{len(comparison.of_status(s))} {s}" for s in ("added", "removed", "changed")]
    return ", ".join(parts) + f"; {comparison.unchanged} unchanged."


def _by_file(changes: list[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for change in changes:
        out.setdefault(change.key, []).append(change)
    return out


def _files(files: list[Any]) -> str:
    return f"{len(files)} file" if len(files) == 1 else f"{len(files)} files"


# -- JSON ---------------------------------------------------------------------------------------


def _tool(version: str) -> dict[str, str]:
    return {"name": TOOL_NAME, "version": version, "information_uri": INFORMATION_URI}


def totals_dict(costs: list[Cost]) -> dict[str, Any]:
    sums = totals(costs)
    out: dict[str, Any] = {
        f"{n}_usd": s.value.as_dict() if s.value is not None else None for n, s in sums.items()
    }
    out["unknown"] = {f"{n}_usd": s.unknown for n, s in sums.items()}
    return out


def json_costs(
    files: list[FileCosts], *, usage_file: str | None, notes: list[str], tool_version: str
) -> str:
    costs = [c for f in files for c in f.costs]
    by_file = [
        {"file": f.file, "region": f.region, **totals_dict(f.costs)} for f in files if f.costs
    ]
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": _tool(tool_version),
        "usage_file": usage_file,
        "costs": [c.as_dict() for c in costs],
        "totals": {"overall": totals_dict(costs), "by_file": by_file},
        "prices": sorted(prices_of(costs)),
        "notes": list(notes),
    }
    return _dump(doc)


def _change_dict(change: Change) -> dict[str, Any]:
    deltas = {
        f"{name}_usd": delta.as_dict(6 if name == "per_job_hour" else 2)
        if (delta := change.deltas.get(name)) is not None
        else None
        for name in _DELTA_FIGURES
    }
    return {
        "file": change.key,
        "resource": change.address,
        "resource_type": change.cost.resource_type,
        "kind": change.kind,
        "change": deltas,
        "base": change.base.as_dict() if change.base else None,
        "head": change.head.as_dict() if change.head else None,
    }


def json_comparison(
    comparison: Comparison,
    *,
    base: list[FileCosts],
    head: list[FileCosts],
    findings: list[Finding],
    thresholds: dict[str, float | None],
    usage_file: str | None,
    notes: list[str],
    tool_version: str,
) -> str:
    change: dict[str, Any] = {}
    for name in SUMMED:
        delta = comparison.change_totals.get(name)
        change[f"{name}_usd"] = delta.as_dict() if delta is not None else None
    change["percent"] = {f"{n}_usd": _percent(comparison.percent(n)) for n in SUMMED}
    change["unknown"] = {f"{n}_usd": comparison.change_unknown[n] for n in SUMMED}
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": _tool(tool_version),
        "usage_file": usage_file,
        "base": [f.file for f in base],
        "head": [f.file for f in head],
        "added": [_change_dict(c) for c in comparison.of_status("added")],
        "removed": [_change_dict(c) for c in comparison.of_status("removed")],
        "changed": [_change_dict(c) for c in comparison.of_status("changed")],
        "unchanged": comparison.unchanged,
        "totals": {
            "base": totals_dict([c for f in base for c in f.costs]),
            "head": totals_dict([c for f in head for c in f.costs]),
            "change": change,
        },
        "thresholds": dict(thresholds),
        "exceeded": bool(findings),
        "findings": [f.as_dict() for f in findings],
        "prices": sorted(prices_of(c for f in [*base, *head] for c in f.costs)),
        "notes": list(notes),
    }
    return _dump(doc)


def _percent(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _dump(doc: dict[str, Any]) -> str:
    text = json.dumps(finite(doc), indent=2, allow_nan=False, ensure_ascii=False)
    # a lone surrogate (from a "\ud800" escape in a JSON input) cannot be written as UTF-8;
    # it can only be inside a string here, where its escape means the same
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# -- Markdown -----------------------------------------------------------------------------------


def _md_cells(row: list[str]) -> list[str]:
    return [md_code(row[0]), *(md_text(c) for c in row[1:])]


def _md_footer(costs: list[Cost]) -> list[str]:
    out: list[str] = []
    labels = prices_of(costs)
    if labels:
        out += ["", "Prices: " + "; ".join(md_text(label) for label in labels)]
    details = [
        f"- Spot at average savings, {md_code(n, in_table=False)}: {md_text(t)}"
        for n, t in spot_lines(costs)
    ]
    for text, names in assumptions(costs):
        who = f"{name_list(names, lambda n: md_code(n, in_table=False))}: " if names else ""
        details.append(f"- {who}{md_text(text)}")
    if details:
        out += ["", "<details><summary>Assumptions</summary>", "", *details, "", "</details>"]
    return out


def _md_notes(notes: list[str]) -> list[str]:
    return [f"> **Note:** {md_text(n)}" for n in notes] + ([""] if notes else [])


def _cut_note(left_out: int) -> list[str]:
    if not left_out:
        return []
    noun = "resource" if left_out == 1 else "resources"
    return [
        "",
        f"_{left_out} more {noun} not shown, to stay within a GitHub comment; "
        "`--format json` lists them all._",
    ]


def markdown_costs(files: list[FileCosts], *, usage_file: str | None, notes: list[str]) -> str:
    shown = [f for f in files if f.costs]

    def build(limit: int) -> str:
        lines = ["## batchlint cost", "", *_md_notes(notes)]
        if not shown:
            lines.append(f"No compute environments or job definitions in {_files(files)}.")
        left = limit
        listed: list[Cost] = []
        for item in shown:
            costs = item.costs[: max(left, 0)]
            left -= len(costs)
            if not costs:
                continue
            listed += costs
            rows = [_md_cells(_row(c, usage_file)) for c in costs]
            total = _total_row(item.costs, usage_file)
            rows.append(["**total**", "", "", *(_bold(md_text(c)) for c in total[3:])])
            lines += [f"### {md_code(item.file, in_table=False)} ({md_text(item.region)})", ""]
            lines += [*_md_table(_headings(_COLUMNS), rows, 3), ""]
        everything = [c for f in shown for c in f.costs]
        lines += _cut_note(len(everything) - len(listed))
        if len(shown) > 1:
            sums = totals(everything)
            figures = ", ".join(
                f"{_TOTAL_LABELS[n]} {md_text(sum_text(sums[n], n, usage_file))}" for n in SUMMED
            )
            lines += ["", f"**Total of {_files(shown)}:** {figures}"]
        lines += _md_footer(listed)
        return _md_join(lines)

    return fit_markdown(build, sum(len(f.costs) for f in shown))


def markdown_comparison(
    comparison: Comparison,
    *,
    findings: list[Finding],
    usage_file: str | None,
    notes: list[str],
) -> str:
    changes = comparison.changes

    def build(limit: int) -> str:
        lines = ["## batchlint cost change", "", *_md_notes(notes)]
        rows = [
            [
                _headings([_TOTAL_LABELS[n]])[0],
                md_text(sum_text(comparison.base_totals[n], n, usage_file)),
                md_text(sum_text(comparison.head_totals[n], n, usage_file)),
                _bold(md_text(_change_total(comparison, n))),
            ]
            for n in SUMMED
        ]
        lines += [*_md_table(["", "Base", "Head", "Change"], rows, 1), ""]
        lines.append(md_text(_counts(comparison)))
        for finding in findings:
            where = md_code(f"{finding.file}:{finding.line}", in_table=False)
            lines += ["", "> [!WARNING]", f"> {where}: {md_text(finding.message)}"]
        shown = changes[:limit]
        for key, group in _by_file(shown).items():
            lines += ["", f"### {md_code(key, in_table=False)}", ""]
            table = [_md_cells(_change_row(c)) for c in group]
            lines += _md_table(_headings(_CHANGE_COLUMNS), table, 3)
        lines += _cut_note(len(changes) - len(shown))
        lines += _md_footer([c.cost for c in shown])
        return _md_join(lines)

    return fit_markdown(build, len(changes))


def _headings(columns: Iterable[str]) -> list[str]:
    return [c[:1].upper() + c[1:] for c in columns]


def _bold(text: str) -> str:
    return f"**{text}**" if text and text != NONE else text
