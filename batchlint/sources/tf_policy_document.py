"""``data "aws_iam_policy_document"``: the JSON the AWS provider renders from the blocks.

The provider (``internal/service/iam/policy_document_data_source.go``) writes a set of
strings with one element as that string and a longer one sorted in reverse; principals and
conditions become objects keyed by type (test, variable) in key order; ``&{`` becomes ``${``
in resources, identifiers and condition values; Go's encoder escapes ``<``, ``>`` and ``&``.
A document with unknown parts is a :class:`~batchlint.sources.hcl_eval.PartialJson`: the
rules can still read its known actions and effects. It is unknown as a whole when its shape
is (an unknown list of statements, principal type or condition key) or when other documents
are merged into it (``source_policy_documents``, ``override_policy_documents``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from batchlint.sources.hcl_eval import UNKNOWN, PartialJson, Unknown, has_unknown

DEFAULT_VERSION = "2012-10-17"
# arguments that merge other JSON documents into the rendered one
_MERGED = ("source_policy_documents", "override_policy_documents", "source_json", "override_json")
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_GO_ESCAPES["\u2029"] = "\\u2029"


class _ShapeUnknown(Exception):
    """The document's structure depends on a value only apply knows."""


def render(arguments: Mapping[str, object]) -> tuple[object, object]:
    """``(json, minified_json)`` of the evaluated arguments of a policy document block
    (nested blocks as lists of dicts): strings, PartialJson, or UNKNOWN."""
    if any(_given(arguments.get(name)) for name in _MERGED):
        return UNKNOWN, UNKNOWN
    try:
        doc = _document(arguments)
    except _ShapeUnknown:
        return UNKNOWN, UNKNOWN
    if has_unknown(doc):
        partial = PartialJson(doc)
        return partial, partial
    return _go_json(doc, indent=True), _go_json(doc, indent=False)


def _given(value: object) -> bool:
    return isinstance(value, Unknown) or (value is not None and value != [] and value != "")


def _document(arguments: Mapping[str, object]) -> dict[str, object]:
    version = arguments.get("version")
    doc: dict[str, object] = {"Version": DEFAULT_VERSION if version is None else version}
    policy_id = arguments.get("policy_id")
    if policy_id is not None and policy_id != "":
        doc["Id"] = policy_id
    statements = [_statement(s) for s in _blocks(arguments.get("statement"))]
    if statements:
        doc["Statement"] = statements
    return doc


def _blocks(value: object) -> list[Mapping[str, object]]:
    if isinstance(value, Unknown):
        raise _ShapeUnknown
    if not isinstance(value, list):
        return []
    if any(isinstance(item, Unknown) for item in value):
        raise _ShapeUnknown
    return [item for item in value if isinstance(item, Mapping)]


def _statement(block: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    sid = block.get("sid")
    if sid is not None and sid != "":
        out["Sid"] = sid
    effect = block.get("effect")
    out["Effect"] = "Allow" if effect is None else effect
    for key, name, variables in (
        ("actions", "Action", False),
        ("not_actions", "NotAction", False),
        ("resources", "Resource", True),
        ("not_resources", "NotResource", True),
    ):
        strings = _string_set(block.get(key), variables)
        if strings is not None:
            out[name] = strings
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(_blocks(block.get(key)))
        if principals is not None:
            out[name] = principals
    conditions = _conditions(_blocks(block.get("condition")))
    if conditions is not None:
        out["Condition"] = conditions
    return out


def _string_set(value: object, variables: bool) -> object:
    """A set of strings as the provider writes it (None: empty, so left out)."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if not isinstance(value, list) or not value:
        return None
    known = sorted({_policy_variables(v, variables) for v in value if not isinstance(v, Unknown)})
    known.reverse()
    items: list[object] = [*known, *(v for v in value if isinstance(v, Unknown))]
    return items[0] if len(items) == 1 else items


def _policy_variables(value: object, replace: bool) -> str:
    """``&{aws:username}`` is how a policy variable is written without Terraform reading it."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.replace("&{", "${") if replace else text


def _principals(blocks: list[Mapping[str, object]]) -> object:
    if not blocks:
        return None
    pairs = []
    for block in blocks:
        type_ = block.get("type")
        if not isinstance(type_, str):
            raise _ShapeUnknown
        pairs.append((type_, _string_set(block.get("identifiers"), True)))
    if len(pairs) == 1 and pairs[0][0] == "*" and pairs[0][1] in ("*", ["*"]):
        return "*"
    raw: dict[str, object] = {}
    for type_, identifiers in pairs:
        if identifiers is None:
            identifiers = []
        before = raw.get(type_)
        if before is None:
            raw[type_] = identifiers
            continue
        head = before if isinstance(before, list) else [before]
        raw[type_] = head + (identifiers if isinstance(identifiers, list) else [identifiers])
    return {key: raw[key] for key in sorted(raw)}


def _conditions(blocks: list[Mapping[str, object]]) -> object:
    if not blocks:
        return None
    raw: dict[str, dict[str, list[object]]] = {}
    for block in blocks:
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            raise _ShapeUnknown
        values = block.get("values")
        if isinstance(values, Unknown):
            raise _ShapeUnknown  # how many values decides between a string and a list
        items = values if isinstance(values, list) else []
        written = [v if isinstance(v, Unknown) else _policy_variables(v, True) for v in items]
        raw.setdefault(test, {}).setdefault(variable, []).extend(written)
    out: dict[str, object] = {}
    for test in sorted(raw):
        by_variable = raw[test]
        out[test] = {
            v: by_variable[v][0] if len(by_variable[v]) == 1 else by_variable[v]
            for v in sorted(by_variable)
        }
    return out


def _go_json(doc: object, indent: bool) -> str:
    """JSON as Go's ``encoding/json`` writes it (``MarshalIndent`` with two spaces)."""
    if indent:
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    else:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text
