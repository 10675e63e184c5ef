"""Variables: type constraints, and the values a root module's variables are assigned.

Only what changes a value the rules read: a number from a numeric string, a bool from
``"true"``/``"false"``, a string from a number or bool, element types of collections, and
object attributes declared ``optional(type, default)`` (absent or null: the default). A value
that does not convert is kept as it is: Terraform would refuse it, the rules may still read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from batchlint.sources.hcl_ast import (
    Block,
    Call,
    Expr,
    HclError,
    Literal,
    Name,
    ObjectExpr,
    Template,
    TupleExpr,
)
from batchlint.sources.hcl_eval import UNKNOWN, Env, Unknown, evaluate, to_text
from batchlint.sources.hcl_parse import parse_expression, parse_file
from batchlint.sources.tf_declarations import ModuleConfig, Reader

_MAX_DEPTH = 32


@dataclass(frozen=True)
class VarType:
    kind: str  # string number bool any list set map object tuple
    element: VarType | None = None  # of list, set, map
    attributes: Mapping[str, tuple[VarType, bool, object]] = field(default_factory=dict)
    # object attribute -> (type, optional, default when optional)
    items: tuple[VarType, ...] = ()  # of tuple


ANY = VarType("any")
STRING = VarType("string")


def parse_type(expr: Expr | None, depth: int = 0) -> VarType | None:
    """The type constraint of a ``type =`` expression (None when none is written)."""
    if expr is None:
        return None
    return _type(expr, depth)


def _type(expr: Expr, depth: int) -> VarType:
    if depth > _MAX_DEPTH:
        return ANY
    word = _word(expr)
    if word in ("string", "number", "bool", "any"):
        return VarType(word)
    if word in ("list", "set", "map"):  # Terraform 0.11's bare collection types
        return VarType(word, ANY)
    if not isinstance(expr, Call) or not expr.args:
        return ANY
    first = expr.args[0]
    if expr.name in ("list", "set", "map"):
        return VarType(expr.name, _type(first, depth + 1))
    if expr.name == "tuple" and isinstance(first, TupleExpr):
        return VarType("tuple", items=tuple(_type(i, depth + 1) for i in first.items))
    if expr.name == "object" and isinstance(first, ObjectExpr):
        attributes: dict[str, tuple[VarType, bool, object]] = {}
        for item in first.items:
            key = _word(item.key)
            if key is not None:
                attributes[key] = _attribute(item.value, depth + 1)
        return VarType("object", attributes=attributes)
    return ANY


def _attribute(expr: Expr, depth: int) -> tuple[VarType, bool, object]:
    if isinstance(expr, Call) and expr.name == "optional" and expr.args:
        of = _type(expr.args[0], depth)
        default = evaluate(expr.args[1], Env({})) if len(expr.args) > 1 else None
        return of, True, convert(default, of)
    return _type(expr, depth), False, None


def _word(expr: Expr) -> str | None:
    """A bare word (``string``), or a quoted one as Terraform 0.11 wrote types."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


def convert(value: object, type_: VarType | None, depth: int = 0) -> object:
    if type_ is None or value is None or isinstance(value, Unknown) or depth > _MAX_DEPTH:
        return value
    kind = type_.kind
    if kind == "string":
        if isinstance(value, (bool, int, float)):
            text = to_text(value)
            return text if isinstance(text, str) else value
        return value
    if kind == "number":
        return _number(value)
    if kind == "bool":
        return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value
    if kind in ("list", "set") and isinstance(value, list):
        items = [convert(v, type_.element, depth + 1) for v in value]
        return _set(items) if kind == "set" else items
    if kind == "map" and isinstance(value, Mapping):
        return {str(k): convert(v, type_.element, depth + 1) for k, v in value.items()}
    if kind == "tuple" and isinstance(value, list):
        return [
            convert(v, type_.items[i] if i < len(type_.items) else None, depth + 1)
            for i, v in enumerate(value)
        ]
    if kind == "object" and isinstance(value, Mapping):
        return _object(value, type_, depth)
    return value


def _number(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        number = float(value.strip())
    except ValueError:
        return value
    if number != number or number in (float("inf"), float("-inf")):
        return value
    return int(number) if number.is_integer() else number


def _set(items: list[object]) -> list[object]:
    """A set: no duplicates; strings in lexical order, as Terraform orders them."""
    unique: list[object] = []
    for item in items:
        if isinstance(item, Unknown) or item not in unique:
            unique.append(item)
    if all(isinstance(i, str) for i in unique):
        return sorted(unique, key=str)
    return unique


def _object(value: Mapping[str, object], type_: VarType, depth: int) -> dict[str, object]:
    """Declared attributes only (Terraform drops the others); optional ones default."""
    out: dict[str, object] = {}
    for name, (of, optional, default) in type_.attributes.items():
        given = value.get(name)
        if given is None and optional:
            out[name] = default
        else:
            out[name] = convert(given, of, depth + 1)
    return out


def raw_value(text: str, type_: VarType | None) -> object:
    """A ``-var``/``TF_VAR_`` value: the text itself for a string (or undeclared) type, else
    the HCL expression it holds (raises hcl_ast.HclError when it is not one)."""
    if type_ is None or type_.kind == "string":
        return text
    value = evaluate(parse_expression(text), Env({}))
    return convert(value, type_)


# -- the root module's variables ---------------------------------------------------------


def root_values(
    reader: Reader,
    config: ModuleConfig,
    variables: Mapping[str, str],
    var_files: Sequence[Path],
    environ: Mapping[str, str],
) -> dict[str, object]:
    """Each declared variable's value: its default, then (lowest to highest) TF_VAR_*,
    terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json), ``var_files`` and
    ``variables``; UNKNOWN with none of them. Values for undeclared names are ignored."""
    types = {name: declared_type(block) for name, (_, block) in config.variables.items()}
    assigned: dict[str, object] = {}
    for key, text in environ.items():
        name = key.removeprefix("TF_VAR_")
        if key.startswith("TF_VAR_") and name in types:
            _raw(reader, assigned, name, text, types[name], "(environment)", key)
    for path in _auto_files(reader.root):
        assigned.update(_file(reader, path, reader.shown(path), types))
    for path in var_files:
        assigned.update(_file(reader, Path(path), reader.shown(Path(path)), types))
    for name, text in variables.items():
        if name in types:
            _raw(reader, assigned, name, text, types[name], "(command line)", f"-var {name}")
    out: dict[str, object] = {}
    for name, (_, block) in config.variables.items():
        if name in assigned:
            value = assigned[name]
        else:
            default = block.body.attribute("default")
            value = evaluate(default.expr, Env({})) if default is not None else UNKNOWN
        out[name] = convert(value, types[name])
    return out


def declared_type(block: Block) -> VarType | None:
    written = block.body.attribute("type")
    return parse_type(written.expr if written is not None else None)


def _auto_files(root: Path) -> list[Path]:
    try:
        auto = sorted(
            (p for p in root.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))),
            key=lambda p: p.name,
        )
    except OSError:
        auto = []
    named = [root / "terraform.tfvars", root / "terraform.tfvars.json"]
    return [p for p in (*named, *auto) if p.is_file()]


def _raw(
    reader: Reader,
    into: dict[str, object],
    name: str,
    text: str,
    type_: VarType | None,
    file: str,
    what: str,
) -> None:
    try:
        into[name] = raw_value(text, type_)
    except HclError as exc:
        reader.problem(f"{what}: {exc.message}", file, 1, 1)


def _file(reader: Reader, path: Path, shown: str, types: Mapping[str, object]) -> dict[str, object]:
    """The assignments of a ``.tfvars`` (HCL) or ``.tfvars.json`` file."""
    text = reader.read_text(path, shown)
    if text is None:
        return {}
    if path.name.endswith(".json"):
        return _json_file(reader, text, shown, types)
    try:
        parsed = parse_file(text, shown)
    except HclError as exc:
        reader.problem(exc.message, shown, exc.line, exc.column)
        return {}
    for block in parsed.body.blocks[:1]:
        reader.report(f"{shown}: a variables file holds only name = value lines", shown, block)
    return {a.name: evaluate(a.expr, Env({})) for a in parsed.body.attributes if a.name in types}


def _json_file(
    reader: Reader, text: str, shown: str, types: Mapping[str, object]
) -> dict[str, object]:
    try:
        doc = json.loads(text)
    except RecursionError:
        reader.problem(f"{shown} nests too deeply to read", shown, 1, 1)
        return {}
    except json.JSONDecodeError as exc:
        reader.problem(f"{shown} is not valid JSON ({exc.msg})", shown, exc.lineno, exc.colno)
        return {}
    if not isinstance(doc, dict):
        reader.problem(f"{shown} is not a JSON object", shown, 1, 1)
        return {}
    return {k: v for k, v in doc.items() if k in types}
