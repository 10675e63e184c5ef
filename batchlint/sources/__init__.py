"""Reading input files: recognise the format by content, parse it, hand it to its source.

Every input file becomes one :class:`~batchlint.model.Scope` (an account snapshot one per
account and Region). A file that is none of the supported formats is skipped (with a reason,
listed by ``--verbose``); a file that is one of them but cannot be read becomes a scope whose
only content is a BL-META issue.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path

from batchlint.limits import DEFAULT, Limits
from batchlint.location import JsonLocator, YamlLocator
from batchlint.model import MetaIssue, Scope
from batchlint.sources import json_doc, yaml_cfn
from batchlint.sources.reading import duplicate_issues

MAX_BYTES = DEFAULT.max_file_size  # larger inputs are refused with a BL-META finding
_SNIFF = 8192
# byte-order marks of the encodings other than UTF-8 an editor or a shell may write
# (PowerShell 5 redirects in UTF-16); longest first, as UTF-32-LE starts like UTF-16-LE
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xfe\xff", "utf-16"),
    (b"\xff\xfe", "utf-16"),
)

# text that marks a file as one of ours even when it does not parse
_JSON_MARKERS = ("Resources", "format_version", "terraform_version", "batchlint-snapshot")

_LABEL = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32"}


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


def load_file(
    path: Path, display: str, region: str, limits: Limits = DEFAULT
) -> list[Scope] | Skipped:
    """Read one file and translate it into a scope, or say why it was skipped."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe or device would block or never end
            return Skipped(display, "not a regular file")
        size = status.st_size
        if size > limits.max_file_size:
            return _meta(
                display,
                "BL-META-001",
                f"file is {size:,} bytes; the limit is {limits.max_file_size:,} (--max-file-size)",
            )
        with path.open("rb") as handle:  # a file that grew since stat() is still capped
            data = handle.read(limits.max_file_size + 1)
    except OSError as exc:
        return Skipped(display, f"cannot read: {exc.strerror or exc}")
    if len(data) > limits.max_file_size:
        return _meta(
            display,
            "BL-META-001",
            f"file is over the limit of {limits.max_file_size:,} bytes (--max-file-size)",
        )
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8-sig")
    if encoding == "utf-8-sig" and b"\x00" in data[:_SNIFF]:
        return Skipped(display, "binary file")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if any(marker.encode() in data for marker in _JSON_MARKERS):
            line = data.count(b"\n", 0, exc.start) + 1
            return _meta(
                display, "BL-META-001", f"not {_LABEL[encoding]} text (byte {exc.start:,})", line
            )
        return Skipped(display, f"not {_LABEL[encoding]} text")
    return load_text(text, display, region, limits)


def load_text(
    text: str, display: str, region: str, limits: Limits = DEFAULT
) -> list[Scope] | Skipped:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _load_json(text, display, region, limits)
    if "Resources" not in text and "AWSTemplateFormatVersion" not in text:
        return Skipped(display, "not a CloudFormation template or Terraform plan/state")
    return _load_yaml(text, display, region, limits)


def _load_json(text: str, display: str, region: str, limits: Limits) -> list[Scope] | Skipped:
    try:
        document = json_doc.read(text, limits)
    except RecursionError:  # deeper than Python's reader goes, before the limit could act
        error = json_doc.too_deep(text, limits.max_depth)
        where = json_doc.place(text, error.offset) if error.offset is not None else (1, 1)
        return _meta(display, "BL-META-001", error.message, *where)
    except json_doc.TooDeep as exc:
        locator = JsonLocator(text)
        return _meta(display, "BL-META-001", exc.message, *locator.locate(exc.pointer))
    except json.JSONDecodeError as exc:
        return _invalid_json(text, display, region, limits, exc)
    except ValueError as exc:  # an integer over Python's digit limit, and the like
        return _meta(display, "BL-META-001", f"invalid JSON: {exc}")
    return _dispatch(document.data, display, region, JsonLocator(text), "json", document)


def _invalid_json(
    text: str, display: str, region: str, limits: Limits, exc: json.JSONDecodeError
) -> list[Scope] | Skipped:
    # CloudFormation reads a template that is not valid JSON as YAML, a superset of it
    if "Resources" in text:
        try:
            parsed = yaml_cfn.read(text, limits)
        except yaml_cfn.YamlError:
            pass
        else:
            return _dispatch(parsed.data, display, region, YamlLocator(parsed.root), "yaml", parsed)
    if any(marker in text for marker in _JSON_MARKERS):
        return _meta(display, "BL-META-001", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
    return Skipped(display, f"invalid JSON ({exc.msg})")


def _load_yaml(text: str, display: str, region: str, limits: Limits) -> list[Scope] | Skipped:
    try:
        parsed = yaml_cfn.read(text, limits)
    except yaml_cfn.YamlError as exc:
        if yaml_cfn.looks_like_template(text):
            return _meta(display, "BL-META-001", exc.message, exc.line, exc.column)
        return Skipped(display, f"not YAML ({exc.message})")
    return _dispatch(parsed.data, display, region, YamlLocator(parsed.root), "yaml", parsed)


def _dispatch(
    doc: object,
    display: str,
    region: str,
    locator: JsonLocator | YamlLocator,
    syntax: str,
    parsed: yaml_cfn.Document | json_doc.Document,
) -> list[Scope] | Skipped:
    from batchlint.sources import cloudformation, shapes, snapshot, terraform_plan

    repeats = duplicate_issues(parsed.duplicates, parsed.duplicate_count)
    if isinstance(doc, dict) and ("Resources" in doc or "AWSTemplateFormatVersion" in doc):
        scope = Scope(display, "cloudformation", locator)
        scope.meta.extend(repeats)
        if not isinstance(doc.get("Resources"), dict):
            scope.meta.append(
                MetaIssue("BL-META-002", "template has no Resources mapping", "/Resources")
            )
            return _located(scope)
        cloudformation.build(doc, scope, region)
        shapes.check_numbers(scope)
        return _located(scope)
    if syntax == "json" and snapshot.is_snapshot(doc):
        assert isinstance(doc, dict) and isinstance(locator, JsonLocator)
        scopes = snapshot.build(doc, display, locator)
        scopes[0].meta[:0] = repeats
        for scope in scopes:
            shapes.check_numbers(scope)
        return _located(*scopes)
    if syntax == "json" and terraform_plan.is_terraform(doc):
        scope = Scope(display, "terraform-plan", locator)
        scope.meta.extend(repeats)
        assert isinstance(doc, dict)
        terraform_plan.build(doc, scope, region)
        shapes.check_numbers(scope)
        return _located(scope)
    return Skipped(display, "not a CloudFormation template or Terraform plan/state")


def _located(*scopes: Scope) -> list[Scope]:
    """Give meta issues raised by a source a line and column from their pointer."""
    for scope in scopes:
        if scope.locator is not None:
            for issue in scope.meta:
                if issue.pointer and issue.line == 1 and issue.column == 1:
                    issue.file, issue.line, issue.column = scope.place(issue.pointer)
    return list(scopes)


def _meta(display: str, code: str, message: str, line: int = 1, column: int = 1) -> list[Scope]:
    scope = Scope(display, "unreadable")
    scope.meta.append(MetaIssue(code, message, "", max(line, 1), max(column, 1)))
    return [scope]
