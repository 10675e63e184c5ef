"""Reading input files: recognise the format by content, parse it, hand it to its source.

Every input file becomes one :class:`~batchlint.model.Scope`. A file that is none of the
supported formats is skipped (with a reason, listed by ``--verbose``); a file that is one of
them but cannot be read becomes a scope whose only content is a BL-META issue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from batchlint.location import JsonLocator, YamlLocator
from batchlint.model import MetaIssue, Scope
from batchlint.sources import yaml_cfn

MAX_BYTES = 64 * 1024 * 1024  # larger inputs are refused with a BL-META finding
_SNIFF = 8192


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


def load_file(path: Path, display: str, region: str) -> Scope | Skipped:
    """Read one file and translate it into a scope, or say why it was skipped."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _meta(
                display, "BL-META-001", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}"
            )
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(display, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data[:_SNIFF]:
        return Skipped(display, "binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if any(marker in data for marker in (b"Resources", b"terraform_version")):
            line = data.count(b"\n", 0, exc.start) + 1
            return _meta(display, "BL-META-001", f"not UTF-8 text (byte {exc.start:,})", line)
        return Skipped(display, "not UTF-8 text")
    return load_text(text, display, region)


def load_text(text: str, display: str, region: str) -> Scope | Skipped:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _load_json(text, display, region)
    if "Resources" not in text and "AWSTemplateFormatVersion" not in text:
        return Skipped(display, "not a CloudFormation template or Terraform plan/state")
    return _load_yaml(text, display, region)


def _load_json(text: str, display: str, region: str) -> Scope | Skipped:
    try:
        doc = json.loads(text)
    except RecursionError:
        return _meta(display, "BL-META-001", "JSON nesting is too deep to read")
    except json.JSONDecodeError as exc:
        # CloudFormation reads a template that is not valid JSON as YAML, a superset of it
        if "Resources" in text:
            try:
                root, doc = yaml_cfn.parse(text)
            except yaml_cfn.YamlError:
                pass
            else:
                return _dispatch(doc, display, region, YamlLocator(root), "yaml")
        if "Resources" in text or "format_version" in text or "terraform_version" in text:
            return _meta(display, "BL-META-001", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        return Skipped(display, f"invalid JSON ({exc.msg})")
    return _dispatch(doc, display, region, JsonLocator(text), "json")


def _load_yaml(text: str, display: str, region: str) -> Scope | Skipped:
    try:
        root, doc = yaml_cfn.parse(text)
    except yaml_cfn.YamlError as exc:
        if yaml_cfn.looks_like_template(text):
            return _meta(display, "BL-META-001", exc.message, exc.line, exc.column)
        return Skipped(display, f"not YAML ({exc.message})")
    return _dispatch(doc, display, region, YamlLocator(root), "yaml")


def _dispatch(
    doc: object, display: str, region: str, locator: JsonLocator | YamlLocator, syntax: str
) -> Scope | Skipped:
    from batchlint.sources import cloudformation, terraform_plan

    if isinstance(doc, dict) and ("Resources" in doc or "AWSTemplateFormatVersion" in doc):
        scope = Scope(display, "cloudformation", locator)
        if not isinstance(doc.get("Resources"), dict):
            scope.meta.append(
                MetaIssue("BL-META-002", "template has no Resources mapping", "/Resources")
            )
            return _located(scope)
        cloudformation.build(doc, scope, region)
        return _located(scope)
    if syntax == "json" and terraform_plan.is_terraform(doc):
        scope = Scope(display, "terraform-plan", locator)
        assert isinstance(doc, dict)
        terraform_plan.build(doc, scope, region)
        return _located(scope)
    return Skipped(display, "not a CloudFormation template or Terraform plan/state")


def _located(scope: Scope) -> Scope:
    """Give meta issues raised by a source a line and column from their pointer."""
    if scope.locator is not None:
        for issue in scope.meta:
            if issue.pointer and issue.line == 1 and issue.column == 1:
                issue.line, issue.column = scope.locator.locate(issue.pointer)
    return scope


def _meta(display: str, code: str, message: str, line: int = 1, column: int = 1) -> Scope:
    scope = Scope(display, "unreadable")
    scope.meta.append(MetaIssue(code, message, "", max(line, 1), max(column, 1)))
    return scope
