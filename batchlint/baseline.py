"""Baselines: accept today's findings, then fail only on new ones.

``batchlint baseline PATHS --output FILE`` writes the findings of a scan to a versioned JSON
file; ``batchlint scan PATHS --baseline FILE`` marks each finding NEW or UNCHANGED against it
and lists the entries nothing matched any more (fixed since: the baseline can shrink).

A finding matches an entry by (file, fingerprint). Fingerprints come from the rule code, the
resource and the pointer, never lines, so edits above a finding keep it. Files are stored
relative to the baseline's own folder, so the baseline matches from any working directory.
Suppressed findings and BL-META findings are never baselined: a suppression already says why,
and a file that cannot be read must not pass silently.

This module imports nothing heavy: ``scan --baseline`` loads it on the scan path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchlint.report import NEW, UNCHANGED

if TYPE_CHECKING:
    from batchlint.report import Finding, Report

VERSION = 1
DEFAULT_OUTPUT = ".batchlint-baseline.json"
ENTRY_KEYS = ("fingerprint", "code", "name", "file", "resource", "pointer", "message")
_REQUIRED = ("fingerprint", "file")  # what matching needs; the rest is for people reading it
_META_PREFIX = "BL-META-"
# scan options that shape its output, not which findings there are: not copied to `baseline`
_OUTPUT_ONLY = frozenset(
    {"help", "paths", "format", "output", "fail_on", "no_color", "baseline", "no_baseline"}
    | {"add_suppressions", "reason"}  # --add-suppressions edits templates: scan's alone
    # reading an account: baseline a saved snapshot instead (docs/aws.md)
    | {"aws", "all_regions", "all_revisions", "profile", "role_arn", "external_id"}
    | {"accounts", "max_workers", "quiet", "snapshot"}
)


class BaselineError(Exception):
    """A baseline that cannot be read or written (a usage error: exit 2)."""


# -- the command ------------------------------------------------------------------------------


def add_parser(sub: Any, scan: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Register ``baseline`` on ``sub``, sharing ``scan``'s selection options (--select,
    --ignore, --rules-dir, --option, limits, …): the baseline must be what ``scan`` finds."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "baseline",
        help="accept today's findings: write a baseline for 'scan --baseline'",
        description="Scan like 'scan' and write the findings to a baseline file. "
        "'batchlint scan PATHS --baseline FILE' then counts only findings not in it, and "
        "lists those fixed since. Suppressed and BL-META findings are not baselined. "
        "See docs/baseline.md.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="the baseline file, written atomically (default: the config's baseline, else "
        f"{DEFAULT_OUTPUT})",
    )
    # The same Action objects as scan's (what argparse's parents= does), so an option added
    # to scan is accepted here too, with one definition; mutually exclusive ones stay so.
    copied = [a for a in scan._actions if a.dest not in _OUTPUT_ONLY]
    grouped: set[int] = set()
    for group in scan._mutually_exclusive_groups:
        members = [a for a in group._group_actions if a in copied]
        if members:
            exclusive = parser.add_mutually_exclusive_group(required=group.required)
            for action in members:
                exclusive._add_action(action)
                grouped.add(id(action))
    for action in copied:
        if id(action) not in grouped:
            parser._add_action(action)
    return parser


def run(args: argparse.Namespace) -> int:
    from batchlint import __version__
    from batchlint.cli import UsageError, scan_report
    from batchlint.output import OutputError, write_report

    report = scan_report(args)
    output = Path(args.output or _configured(args) or DEFAULT_OUTPUT)
    entries = entries_of(report.findings, output.parent)
    text = dump(entries, tool_version=__version__)
    # never over a file the scan read; an old baseline in a scanned folder is fine to replace
    inputs = [
        *(p for p in args.paths if not Path(p).is_dir()),
        *report.files_scanned,
        *([args.usage] if getattr(args, "usage", None) else []),
    ]
    try:
        write_report(output, text, inputs)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    noun = "finding" if len(entries) == 1 else "findings"
    print(f"batchlint: baseline of {len(entries)} {noun} written to {output}", file=sys.stderr)
    meta = sorted({f.code for f in report.findings if f.code.startswith(_META_PREFIX)})
    if meta:  # input and configuration problems are never accepted: say so now, not in CI
        print(
            f"batchlint: note: {', '.join(meta)} findings are not baselined and still count: "
            "fix the inputs or the configuration they name",
            file=sys.stderr,
        )
    return 0


def check(report: Report, args: argparse.Namespace) -> Path | None:
    """For ``scan``: check ``report`` against ``--baseline``, else the config's baseline
    (unless ``--no-baseline``); the file used, or None."""
    from batchlint.cli import UsageError

    if args.baseline and args.no_baseline:
        raise UsageError("--baseline and --no-baseline: give one or the other")
    path = None if args.no_baseline else args.baseline or _configured(args)
    if path is None:
        return None
    apply(report, load(path))
    return Path(path)


def _configured(args: argparse.Namespace) -> Path | None:
    """The config's ``baseline`` (relative to the working directory), once the scan has
    loaded the config onto ``args``."""
    settings = getattr(args, "loaded_config", None)
    return getattr(settings, "baseline", None)


# -- writing ----------------------------------------------------------------------------------


def baselined(finding: Finding) -> bool:
    """Whether a finding belongs in a baseline (and is matched against one)."""
    return not finding.suppressions and not finding.code.startswith(_META_PREFIX)


def entries_of(findings: list[Finding], folder: Path) -> list[dict[str, str]]:
    """The baseline entries of ``findings``, files relative to ``folder``, sorted."""
    rows = {
        (entry["file"], entry["fingerprint"]): entry
        for entry in (_entry(f, folder) for f in findings if baselined(f))
    }
    return [rows[key] for key in sorted(rows)]


def _entry(finding: Finding, folder: Path) -> dict[str, str]:
    return {
        "fingerprint": finding.fingerprint,
        "code": finding.code,
        "name": finding.name,
        "file": relative_to(finding.file, folder),
        "resource": finding.resource,
        "pointer": finding.pointer,
        "message": finding.message,
    }


def dump(entries: list[dict[str, str]], *, tool_version: str) -> str:
    doc = {
        "version": VERSION,
        "tool": {"name": "batchlint", "version": tool_version},
        "findings": entries,
    }
    # ensure_ascii: a lone surrogate in a message (from a JSON input) still writes as UTF-8
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def relative_to(file: str, folder: Path) -> str:
    """``file`` (as shown, relative to the working directory) relative to ``folder``."""
    try:
        rel = os.path.relpath(os.path.abspath(file), os.path.abspath(folder))
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(file)
    return rel.replace(os.sep, "/")


# -- reading and matching ---------------------------------------------------------------------


class Baseline:
    """A loaded baseline: its entries by (file relative to its folder, fingerprint)."""

    def __init__(self, path: Path, entries: list[dict[str, str]]) -> None:
        self.path = path
        self.folder = path.parent
        self.entries = {(e["file"], e["fingerprint"]): e for e in entries}


def load(path: str | os.PathLike[str]) -> Baseline:
    """Read and check a baseline file; anything wrong is a :class:`BaselineError` that says
    what and where, in one line."""
    from batchlint.cli import UsageError

    where = Path(path)
    try:
        return _load(where)
    except BaselineError as exc:
        raise UsageError(f"{where}: {exc}") from None


def _load(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError("no such baseline file (write one with 'batchlint baseline')") from None
    except IsADirectoryError:
        raise BaselineError("is a folder, not a baseline file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise BaselineError(f"cannot read the baseline: {reason}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"not a baseline: invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or "findings" not in doc or "version" not in doc:
        raise BaselineError("not a baseline: expected an object with 'version' and 'findings'")
    version = doc["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BaselineError(f"not a baseline: 'version' must be a whole number, not {version!r}")
    if version > VERSION:
        raise BaselineError(
            f"baseline version {version} is newer than this batchlint reads ({VERSION}); "
            "upgrade batchlint or write the baseline again"
        )
    findings = doc["findings"]
    if not isinstance(findings, list):
        raise BaselineError("not a baseline: 'findings' must be a list")
    return Baseline(path, [_checked(item, i) for i, item in enumerate(findings)])


def _checked(item: Any, index: int) -> dict[str, str]:
    if not isinstance(item, dict):
        raise BaselineError(f"findings[{index}]: expected an object")
    for key in _REQUIRED:
        if not isinstance(item.get(key), str) or not item[key]:
            raise BaselineError(f"findings[{index}]: '{key}' must be a non-empty string")
    for key in ENTRY_KEYS:
        if not isinstance(item.get(key, ""), str):
            raise BaselineError(f"findings[{index}]: '{key}' must be a string")
    return {key: item.get(key, "") for key in ENTRY_KEYS}


def apply(report: Report, baseline: Baseline) -> None:
    """Mark each finding NEW or UNCHANGED against ``baseline`` (suppressed findings keep no
    state: they do not count either way), and set ``report.fixed`` to the entries no finding
    matched, their files shown like the findings' (relative to the working directory)."""
    seen: set[tuple[str, str]] = set()
    marked = []
    for finding in report.findings:
        if finding.suppressions:
            marked.append(finding)
            continue
        key = (relative_to(finding.file, baseline.folder), finding.fingerprint)
        known = baselined(finding) and key in baseline.entries
        if known:
            seen.add(key)
        marked.append(replace(finding, baseline_state=UNCHANGED if known else NEW))
    report.findings = marked
    report.fixed = [
        {**entry, "file": _shown(entry["file"], baseline.folder)}
        for key, entry in sorted(baseline.entries.items())
        if key not in seen
    ]


def _shown(file: str, folder: Path) -> str:
    from batchlint.inputs import display_name

    return display_name(Path(os.path.normpath(folder / file)))


# -- the text report --------------------------------------------------------------------------


def used(report: Report) -> bool:
    """Whether the report was checked against a baseline (as far as it can tell)."""
    return bool(report.fixed) or any(f.baseline_state is not None for f in report.findings)


def summary_line(report: Report) -> str:
    """ "2 new, 5 unchanged since the baseline, 1 fixed"."""
    new = sum(1 for f in report.findings if f.baseline_state == NEW)
    unchanged = sum(1 for f in report.findings if f.baseline_state == UNCHANGED)
    return f"{new} new, {unchanged} unchanged since the baseline, {len(report.fixed)} fixed."


def fixed_lines(report: Report) -> list[str]:
    """One line per baseline entry fixed since: remove it with 'batchlint baseline'."""
    return [
        f"{e['file']}: {e['code']} {e['name']} [fixed] {e['resource'] or e['pointer']}: "
        "no longer found; write the baseline again to drop it"
        for e in report.fixed
    ]
