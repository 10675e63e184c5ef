"""Markdown for a pull-request comment or a job summary, and the escaping every Markdown
output of batchlint shares (the cost tables use it too).

The findings report: a summary line (the findings that count, by severity; those suppressed
or already in the baseline are counted, not listed), then one table of the findings that
count, worst first, each rule linked to its documentation. Nothing a template controls can
become Markdown, HTML, a link or a mention, and the comment is cut to stay under GitHub's
65,536-character limit with a note saying how many findings were left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

from batchlint.report import UNCHANGED, Finding, Report
from batchlint.reporters.text import clean
from batchlint.rule import DOCS_BASE, Severity

MARKDOWN_LIMIT = 65_536  # a GitHub comment's limit; kept in UTF-8 bytes, which is stricter
FINDINGS_LIMIT = 60_000  # the findings report leaves room for a bot's own header and footer
TITLE = "## batchlint"
COLUMNS = ("Severity", "Rule", "Location", "Resource", "Message")

# -- escaping ------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")
# GitHub turns these into mentions and links after the Markdown is parsed, so a backslash
# does not stop them; a zero-width space after the trigger does. It is written as an entity
# so that the source has no invisible character in it.
_AUTOLINKS = re.compile(r"@(?=[\w-])|#(?=\d)|:(?=//)|\bwww(?=\.)", re.IGNORECASE)
_ZWSP = "&#8203;"


def md_text(value: str) -> str:
    """Prose for Markdown: one line, with Markdown, HTML and GitHub math characters escaped,
    and no @mention, #reference or bare URL that GitHub would link."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean(value))
    return _AUTOLINKS.sub(lambda m: m.group() + _ZWSP, escaped)


def md_code(value: str, *, in_table: bool = True) -> str:
    """A name as a code span: nothing in it is Markdown, HTML, a mention or a link. In a table
    a ``|`` is written ``\\|``, which GitHub reads as part of the cell."""
    text = clean(value)
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else "` `"


def md_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def md_table(header: Iterable[str], rows: list[list[str]], left: int) -> list[str]:
    """A table whose first ``left`` columns are left-aligned, the others right-aligned."""
    head = list(header)
    rule = ["---" if i < left else "--:" for i in range(len(head))]
    return [md_row(head), md_row(rule), *(md_row(r) for r in rows)]


def md_join(lines: list[str]) -> str:
    """Lines as a document: one blank line between blocks, however they were put together."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def fit_markdown(build: Callable[[int], str], rows: int, limit: int = MARKDOWN_LIMIT) -> str:
    """``build(n)`` with the most rows ``n`` whose text fits in ``limit`` UTF-8 bytes."""

    def fits(text: str) -> bool:
        return len(text.encode("utf-8")) <= limit

    text = build(rows)
    if fits(text):
        return text
    low, high = 0, rows - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(build(middle)):
            low = middle
        else:
            high = middle - 1
    text = build(low)
    if fits(text):
        return text
    marker = "\n\n_Cut to fit a GitHub comment._\n"
    room = limit - len(marker.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore") + marker


# -- the findings report -------------------------------------------------------------------------


def render(report: Report, *, limit: int = FINDINGS_LIMIT) -> str:
    listed = sorted(
        (f for f in report.findings if f.counts), key=lambda f: (-f.severity.rank, f.sort_key())
    )
    help_uris = {meta.code: meta.help_uri for meta in report.rules}
    head = md_join([TITLE, "", *summary_lines(report, listed)])
    # rendered once (fitting builds the comment many times), and only as many as could fit
    rows: list[str] = []
    size = 0
    for finding in listed:
        if size > limit:
            break
        rows.append(md_row(_row(finding)))
        size += len(rows[-1].encode("utf-8")) + 1
    table = "\n".join(md_table(COLUMNS, [], len(COLUMNS)))

    def build(shown: int) -> str:
        blocks = [head.rstrip("\n")]
        if listed:
            blocks.append("\n".join([table, *rows[:shown]]))
        left_out = len(listed) - shown
        if left_out > 0:
            noun = "finding" if left_out == 1 else "findings"
            blocks.append(f"_… and {left_out} more {noun}; `--format json` lists them all._")
        # reference-style links: each rule's address once, not once per row
        rules = {f.code: f.name for f in listed[:shown]}
        links = [
            f"[{_label(code)}]: {_link(help_uris.get(code) or f'{DOCS_BASE}/{name}.md')}"
            for code, name in sorted(rules.items())
        ]
        if links:
            blocks.append("\n".join(links))
        return "\n\n".join(blocks) + "\n"

    return fit_markdown(build, len(rows), limit)


def summary_lines(report: Report, counting: list[Finding]) -> list[str]:
    files = _plural(len(report.files_scanned), "file")
    skipped = len(report.files_skipped)
    tail = f"; {_plural(skipped, 'file')} skipped" if skipped else ""
    if counting:
        counts = {s: 0 for s in Severity}
        for finding in counting:
            counts[finding.severity] += 1
        by_severity = ", ".join(_plural(counts[s], s.value) for s in Severity)
        head = f"**{_plural(len(counting), 'finding')}** ({by_severity}) in {files}{tail}."
    else:
        head = f"**No findings** in {files}{tail}."
    lines = [head]
    suppressed = sum(1 for f in report.findings if f.suppressions)
    known = sum(1 for f in report.findings if not f.suppressions and f.baseline_state == UNCHANGED)
    quiet = [
        text
        for count, text in (
            (suppressed, f"{suppressed} suppressed"),
            (known, f"{known} already in the baseline"),
        )
        if count
    ]
    if quiet:
        lines += ["", f"Not counted: {', '.join(quiet)}."]
    if report.fixed:
        fixed = _plural(len(report.fixed), "baseline finding")
        lines += ["", f"Fixed since the baseline: {fixed}; the baseline can shrink."]
    return lines


def _row(finding: Finding) -> list[str]:
    severity = finding.severity.value
    label = f"{md_code(finding.code)} {md_text(finding.name)}"
    return [
        f"**{severity}**" if finding.severity == Severity.ERROR else severity,
        f"[{label}][{_label(finding.code)}]",
        md_code(f"{finding.file}:{finding.line}"),
        md_code(finding.resource) if finding.resource else "",
        md_text(finding.message),
    ]


def _label(code: str) -> str:
    """A link label: escaped like prose, so it cannot close early; in a table, no bare '|'."""
    return md_text(code)


def _link(uri: str) -> str:
    """A link destination with nothing that could end it early or start markup."""
    return quote(clean(uri), safe=":/#?=&%.-_~+@!$',;")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
