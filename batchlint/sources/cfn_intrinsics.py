"""CloudFormation values to model nodes: key normalization and intrinsic functions.

A :class:`Resolver` turns a property value (plain data with intrinsics in their long form)
into a :class:`~batchlint.model.Node`. What can be worked out from the template alone is
(parameter defaults, pseudo parameters, ``Fn::Sub``/``Join``/``Select``/``Split``/
``FindInMap``/``Base64``); the rest is ``unknown``, keeping a reference edge when exactly one
resource of the template is involved. ``AWS::NoValue`` comes back as ``None``: absent.
Conditions are never evaluated: an ``Fn::If`` keeps both branches as alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from batchlint.location import escape
from batchlint.model import Node, Origin

# Nesting (containers and intrinsics) beyond this reads as unknown instead of recursing on:
# about three Python frames per level must stay well inside the interpreter's limit.
MAX_DEPTH = 150

# Properties whose keys are user data (tag keys, IAM grammar, Kubernetes names, launch
# template data): written keys are kept below them instead of being lower-cameled.
RAW_KEYS = frozenset(
    {
        "Tags",
        "Parameters",
        "Labels",
        "Annotations",
        "Options",
        "Limits",
        "Requests",
        "PolicyDocument",
        "AssumeRolePolicyDocument",
        "LaunchTemplateData",
    }
)

_UNKNOWN = Origin.UNKNOWN
_SET = Origin.SET
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
# Functions CloudFormation knows that are not evaluated here (read as unknown, silently):
# the rest of the intrinsics, the condition functions and those of a template's Rules.
_OPAQUE = frozenset(
    {
        "Fn::Cidr",
        "Fn::GetAZs",
        "Fn::ImportValue",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::Transform",
        "Fn::ForEach",
        "Fn::And",
        "Fn::Equals",
        "Fn::Not",
        "Fn::Or",
        "Fn::Contains",
        "Fn::EachMemberEquals",
        "Fn::EachMemberIn",
        "Fn::RefAll",
        "Fn::ValueOf",
        "Fn::ValueOfAll",
        "Condition",
    }
)
_PSEUDO_UNKNOWN = frozenset(
    {"AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs"}
)


def lower_camel(key: str) -> str:
    """``ComputeResources`` -> ``computeResources``; a ``Fn::ForEach::`` key gives ``""``
    (a LanguageExtensions loop inside data is not expanded; it is dropped)."""
    if key.startswith("Fn::ForEach::"):
        return ""
    return key[:1].lower() + key[1:]


def child_pointer(pointer: str, token: str) -> str:
    if "~" in token or "/" in token:
        token = escape(token)
    return pointer + "/" + token


def pseudo_parameters(region: str) -> dict[str, str]:
    """The pseudo parameters known without an account, for ``region``."""
    if region.startswith("cn-"):
        partition, suffix = "aws-cn", "amazonaws.com.cn"
    elif region.startswith("us-gov-"):
        partition, suffix = "aws-us-gov", "amazonaws.com"
    else:
        partition, suffix = "aws", "amazonaws.com"
    known = {"AWS::Partition": partition, "AWS::URLSuffix": suffix}
    if region:
        known["AWS::Region"] = region
    return known


def collect_refs(node: Node | None, into: set[str]) -> None:
    """The resources ``node`` refers to: its own edge, its alternatives', its members'."""
    if node is None:
        return
    if node.ref is not None:
        into.add(node.ref)
        return
    if node.alts:
        for alt in node.alts:
            collect_refs(alt, into)
    raw = node.raw
    if isinstance(raw, list):
        for child in raw:
            collect_refs(child, into)
    elif isinstance(raw, dict):
        for child in raw.values():
            collect_refs(child, into)


def string_of(node: Node | None) -> str | None:
    """A value as CloudFormation turns it into a string (``true``, not ``True``)."""
    if node is None:
        return None
    if isinstance(node.raw, bool) and node.known:
        return "true" if node.raw else "false"
    return node.text()


def unknown_of(pointer: str, *parts: Node | None, pattern: str | None = None) -> Node:
    """An unknown at ``pointer`` that keeps the edge when ``parts`` name exactly one
    resource (``!Sub "${Role.Arn}"``, ``!Join ["", [!GetAtt Role.Arn]]``), and the
    ``pattern`` of a string only partly known."""
    refs: set[str] = set()
    for part in parts:
        collect_refs(part, refs)
    ref = refs.pop() if len(refs) == 1 else None
    return Node(None, _UNKNOWN, pointer, ref=ref, pattern=pattern)


def _pattern(pieces: list[str | None]) -> str:
    """Known pieces of a string as written, ``*`` for each unknown one (one ``*`` for a run)."""
    out: list[str] = []
    for piece in pieces:
        if piece is None:
            if not out or out[-1] != "*":
                out.append("*")
        elif piece:
            out.append(piece)
    return "".join(out)


def plain(data: Any, pointer: str, depth: int = 0) -> Node:
    """Literal data (a parameter default, a mapping value) as nodes, all at ``pointer``:
    no intrinsics are evaluated there and keys are kept as written."""
    if depth > MAX_DEPTH:
        return Node(None, _UNKNOWN, pointer)
    if isinstance(data, dict):
        return Node({str(k): plain(v, pointer, depth + 1) for k, v in data.items()}, _SET, pointer)
    if isinstance(data, list):
        return Node([plain(v, pointer, depth + 1) for v in data], _SET, pointer)
    return Node(_scalar(data), _SET, pointer)


def _scalar(data: Any) -> str | int | float | bool | None:
    if data is None or isinstance(data, (str, int, float, bool)):
        return data
    return str(data)


def _is_list_type(type_name: str) -> bool:
    return type_name == "CommaDelimitedList" or type_name.startswith("List<")


Handler = Callable[["Resolver", Any, str, bool, int], "Node | None"]


class Resolver:
    """Evaluates the values of one template. ``resources`` is every logical id (of any
    type): a ``Ref`` to one of them is an edge, whether or not it is translated."""

    def __init__(self, doc: dict[str, Any], region: str) -> None:
        params = doc.get("Parameters")
        self.parameters: dict[str, Any] = params if isinstance(params, dict) else {}
        mappings = doc.get("Mappings")
        self.mappings: dict[str, Any] = mappings if isinstance(mappings, dict) else {}
        self.pseudo = pseudo_parameters(region or "")
        self.resources: set[str] = set()
        self.too_deep: str | None = None  # first pointer where nesting was cut off
        self.unknown_functions: dict[str, str] = {}  # name -> first pointer
        # logical id -> the resources its properties refer to (CloudFormation's dependencies)
        self.depends: dict[str, set[str]] = {}
        self.current: str | None = None  # the resource being resolved
        self._camel: dict[str, str] = {}

    def set_resources(self, logical_ids: Iterable[str]) -> None:
        self.resources = set(logical_ids)

    # -- data ----------------------------------------------------------------------------
    def node(self, data: Any, pointer: str, raw: bool = False, depth: int = 0) -> Node | None:
        """``data`` at ``pointer`` as a node; ``None`` when it is ``AWS::NoValue``.
        ``raw`` keeps dict keys as written (user data below a :data:`RAW_KEYS` property)."""
        if depth > MAX_DEPTH:
            if self.too_deep is None:
                self.too_deep = pointer
            return Node(None, _UNKNOWN, pointer)
        if isinstance(data, dict):
            if len(data) == 1:
                key = next(iter(data))
                if isinstance(key, str) and (
                    key.startswith("Fn::") or key == "Ref" or key == "Condition"
                ):
                    handler = _HANDLERS.get(key)
                    if handler is None:
                        handler = _opaque
                        if key not in _OPAQUE and not key.startswith("Fn::ForEach::"):
                            self.unknown_functions.setdefault(key, pointer)
                    return handler(self, data[key], pointer, raw, depth + 1)
            return self._mapping(data, pointer, raw, depth + 1)
        if isinstance(data, list):
            items = []
            for index, value in enumerate(data):
                child = self.node(value, f"{pointer}/{index}", raw, depth + 1)
                if child is not None:
                    items.append(child)
            return Node(items, _SET, pointer)
        return Node(_scalar(data), _SET, pointer)

    def _mapping(self, data: dict[Any, Any], pointer: str, raw: bool, depth: int) -> Node:
        out: dict[str, Node] = {}
        camel = self._camel
        for key, value in data.items():
            if not isinstance(key, str):
                key = str(key)
            if raw:
                name, child_raw = key, True
            else:
                name = camel.get(key) or camel.setdefault(key, lower_camel(key))
                if not name:
                    continue
                child_raw = key in RAW_KEYS
            child = self.node(value, child_pointer(pointer, key), child_raw, depth)
            if child is not None:
                out[name] = child
        return Node(out, _SET, pointer)

    def text(self, data: Any, pointer: str, depth: int) -> str | None:
        """A string argument of an intrinsic: written, or computed by a nested intrinsic."""
        if isinstance(data, str):
            return data
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return str(data)
        if isinstance(data, dict):
            return string_of(self.node(data, pointer, False, depth))
        return None

    # -- references ----------------------------------------------------------------------
    def ref(self, name: str, pointer: str) -> Node | None:
        if name in self.resources:
            self.depend(name)
            return Node(None, _UNKNOWN, pointer, ref=name)
        if name.startswith("AWS::"):
            if name == "AWS::NoValue":
                return None
            value = self.pseudo.get(name)
            return Node(
                None if value is None else value, _UNKNOWN if value is None else _SET, pointer
            )
        return self.parameter(name, pointer)

    def depend(self, target: str) -> None:
        if self.current is not None:
            self.depends.setdefault(self.current, set()).add(target)

    def parameter(self, name: str, pointer: str) -> Node:
        """A parameter's default at the ``Ref``'s place; unknown without one. A list-typed
        parameter's default is split on commas; an SSM parameter's default is a parameter
        name, not its value."""
        spec = self.parameters.get(name)
        if not isinstance(spec, dict) or spec.get("Default") is None:
            return Node(None, _UNKNOWN, pointer)
        type_name = spec.get("Type")
        type_name = type_name if isinstance(type_name, str) else ""
        if type_name.startswith("AWS::SSM::Parameter::Value<"):
            return Node(None, _UNKNOWN, pointer)
        default = spec["Default"]
        if _is_list_type(type_name):
            if isinstance(default, str):
                parts = [p.strip() for p in default.split(",")] if default.strip() else []
                return _parts(parts, pointer)
            if not isinstance(default, list):
                default = [default]
        return plain(default, pointer)

    def sub_variable(
        self, name: str, variables: dict[str, Any], pointer: str, depth: int
    ) -> Node | None:
        """One ``${name}`` of an ``Fn::Sub``: from its variable map, else a ``Ref`` or (with
        a dot) an ``Fn::GetAtt``."""
        if name in variables:
            return self.node(
                variables[name], child_pointer(pointer + "/Fn::Sub/1", name), False, depth
            )
        if "." in name:
            target = name.split(".", 1)[0]
            if target not in self.resources:
                return Node(None, _UNKNOWN, pointer)
            self.depend(target)
            return Node(None, _UNKNOWN, pointer, ref=target)
        return self.ref(name, pointer)


# -- intrinsic functions ---------------------------------------------------------------------
# Each handler gets the function's argument and the pointer of the {"Fn::X": …} mapping,
# and returns the value's node (``None``: AWS::NoValue).


def _opaque(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    """ImportValue, GetAZs, Cidr, Transform, Condition, unknown functions: not evaluated."""
    return Node(None, _UNKNOWN, pointer)


def _ref(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    # LanguageExtensions allows the name itself to be computed (``Ref: !Sub Subnet${Az}``)
    name = r.text(arg, pointer + "/Ref", depth)
    if name is None:
        return Node(None, _UNKNOWN, pointer)
    return r.ref(name, pointer)


def _get_att(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    target: str | None = None
    if isinstance(arg, str):
        target = arg.split(".", 1)[0]
    elif isinstance(arg, list) and arg:
        target = r.text(arg[0], pointer + "/Fn::GetAtt/0", depth)
    if target is not None and target in r.resources:
        r.depend(target)
        return Node(None, _UNKNOWN, pointer, ref=target)
    return Node(None, _UNKNOWN, pointer)


def _if(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    if not isinstance(arg, list) or len(arg) != 3:
        return Node(None, _UNKNOWN, pointer)
    base = pointer + "/Fn::If"
    first = r.node(arg[1], base + "/1", raw, depth)
    second = r.node(arg[2], base + "/2", raw, depth)
    ref = None
    if first is not None and second is not None and first.ref is not None:
        ref = first.ref if first.ref == second.ref else None
    return Node(None, _UNKNOWN, pointer, ref=ref, alts=(first, second))


def _sub(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    variables: dict[str, Any] = {}
    if isinstance(arg, list) and arg and len(arg) <= 2:
        if len(arg) == 2 and isinstance(arg[1], dict):
            variables = arg[1]
        arg = arg[0]
    if not isinstance(arg, str):
        return Node(None, _UNKNOWN, pointer)
    if "${" not in arg:
        return Node(arg, _SET, pointer)
    parts: list[str | None] = []
    missing: list[Node | None] = []
    position = 0
    for match in _SUB_VAR.finditer(arg):
        parts.append(arg[position : match.start()])
        position = match.end()
        body = match.group(1)
        if body.startswith("!"):  # ${!Literal} is written out as ${Literal}
            parts.append("${" + body[1:] + "}")
            continue
        value = r.sub_variable(body.strip(), variables, pointer, depth)
        text = string_of(value)
        if text is None:
            missing.append(value)
        parts.append(text)
    parts.append(arg[position:])
    if missing:
        return unknown_of(pointer, *missing, pattern=_pattern(parts))
    return Node("".join(p for p in parts if p is not None), _SET, pointer)


def _join(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    if not isinstance(arg, list) or len(arg) != 2:
        return Node(None, _UNKNOWN, pointer)
    base = pointer + "/Fn::Join"
    delimiter = r.text(arg[0], base + "/0", depth)
    items = r.node(arg[1], base + "/1", False, depth)
    if delimiter is None or items is None or items.unknown or not isinstance(items.raw, list):
        return unknown_of(pointer, items)
    texts: list[str | None] = []
    missing = []
    for index, item in enumerate(items.raw):
        text = string_of(item)
        if text is None:
            missing.append(item)
        texts.extend([delimiter] if index else [])
        texts.append(text)
    if missing:
        return unknown_of(pointer, *missing, pattern=_pattern(texts))
    return Node("".join(t for t in texts if t is not None), _SET, pointer)


def _select(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    if not isinstance(arg, list) or len(arg) != 2:
        return Node(None, _UNKNOWN, pointer)
    base = pointer + "/Fn::Select"
    index_node = r.node(arg[0], base + "/0", False, depth)
    index = index_node.number() if index_node is not None else None
    items = r.node(arg[1], base + "/1", raw, depth)
    if index is None or items is None or items.unknown or not isinstance(items.raw, list):
        return unknown_of(pointer, items)
    if index != int(index) or not 0 <= int(index) < len(items.raw):
        return Node(None, _UNKNOWN, pointer)
    return items.raw[int(index)]


def _split(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    if not isinstance(arg, list) or len(arg) != 2:
        return Node(None, _UNKNOWN, pointer)
    base = pointer + "/Fn::Split"
    delimiter = r.text(arg[0], base + "/0", depth)
    source = r.node(arg[1], base + "/1", False, depth)
    text = string_of(source)
    if not delimiter or text is None:
        return unknown_of(pointer, source)
    return _parts(text.split(delimiter), pointer)


def _parts(parts: list[str], pointer: str) -> Node:
    """A list split out of one written string: its elements share the string's location and
    tell themselves apart by their index (``inner``), which keeps fingerprints distinct."""
    return Node([Node(part, _SET, pointer, f"/{i}") for i, part in enumerate(parts)], _SET, pointer)


def _find_in_map(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    if not isinstance(arg, list) or len(arg) not in (3, 4):
        return Node(None, _UNKNOWN, pointer)
    base = pointer + "/Fn::FindInMap"
    keys = [r.text(arg[i], f"{base}/{i}", depth) for i in range(3)]
    if None in keys:
        return Node(None, _UNKNOWN, pointer)
    found: Any = r.mappings
    for key in keys:
        found = found.get(key, _MISSING) if isinstance(found, dict) else _MISSING
    if found is not _MISSING:
        return plain(found, pointer)
    fallback = arg[3] if len(arg) == 4 else None
    if isinstance(fallback, dict) and "DefaultValue" in fallback:
        return r.node(fallback["DefaultValue"], base + "/3/DefaultValue", raw, depth)
    return Node(None, _UNKNOWN, pointer)


def _base64(r: Resolver, arg: Any, pointer: str, raw: bool, depth: int) -> Node | None:
    # kept as the decoded text: rules read user data, not its encoding
    source = r.node(arg, pointer + "/Fn::Base64", False, depth)
    text = string_of(source)
    if text is None:
        return unknown_of(pointer, source)
    return Node(text, _SET, pointer)


_MISSING = object()

_HANDLERS: dict[str, Handler] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::If": _if,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
}
