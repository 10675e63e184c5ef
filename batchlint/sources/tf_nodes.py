"""Terraform attribute values to model nodes: renaming, unknowns, references, embedded JSON.

Terraform JSON writes every nested block as a list of objects and every attribute of map
type as an object, so by default a list of objects is a list of blocks (keys renamed to
lower camel case) and an object is a map (keys kept). A :class:`Field` says where a
resource type differs: a block that can occur only once, a JSON document in a string, a
name that does not follow from the Terraform one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import cast

from batchlint.location import escape
from batchlint.model import MetaIssue, Node, Origin, Scalar, Scope, unknown
from batchlint.sources.tf_refs import Index, Resolver, type_of


class Shape(Enum):
    AUTO = "auto"  # as the value comes: list of blocks, map, list or scalar
    SINGLE = "single"  # a block that occurs at most once: [ {...} ] -> {...}
    JSON = "json"  # a string holding a JSON document (keys kept as written)
    LIST = "list"  # a list that may name resources; an unknown one becomes one unknown per name
    WRAP = "wrap"  # a single value the model holds as a list of one (``role`` -> roles)


@dataclass(frozen=True, eq=False)
class Field:
    name: str | None = None  # the model's name; None: lower camel case of the Terraform name
    shape: Shape = Shape.AUTO
    sub: Mapping[str, Field] | None = None  # the fields of a block
    target: str | None = None  # resource type a value names by its physical name
    ordered: bool = True  # False for set-typed blocks: configuration order is not value order


Spec = Mapping[str, "Field"]


class Embedded:
    """A JSON document held in a string attribute, given as its value rather than its text:
    what ``jsonencode()`` of a value with unknown parts makes (an :class:`UnknownPart` at
    each)."""

    __slots__ = ("data",)

    def __init__(self, data: object) -> None:
        self.data = data


class UnknownPart:
    """A part of an Embedded document known only after apply, with the references of the
    expression that writes it (``jobRoleArn = aws_iam_role.job.arn`` is an edge)."""

    __slots__ = ("references",)

    def __init__(self, references: list[str]) -> None:
        self.references = references


AUTO = Field()
_EMPTY: dict[str, object] = {}
_NO_FIELDS: Spec = {}
# the shape of an AWS resource ID (subnet-0123abcd, sg-0123456789abcdef0, rtb-…): unique enough
# to link a value to the resource that has it
_AWS_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[0-9a-f]{8,17}$")
MAX_DEPTH = 64


def join(pointer: str, token: str | int) -> str:
    """``location.join`` for one token, without escaping the usual attribute names and indices
    (this runs for every value of a large plan)."""
    if isinstance(token, int):
        return f"{pointer}/{token}"
    if "/" in token or "~" in token:
        return f"{pointer}/{escape(token)}"
    return f"{pointer}/{token}"


@lru_cache(maxsize=4096)
def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Links:
    """Exact values that identify a resource in scope: IDs, ARNs and (type, name) pairs."""

    def __init__(self) -> None:
        self.by_value: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        self.vpc_tables: dict[str, str] = {}  # a VPC's default route table ID -> the VPC

    def add(self, address: str, type_: str, values: Mapping[str, object], name: str | None) -> None:
        for key in ("id", "arn"):
            value = values.get(key)
            if isinstance(value, str) and (value.startswith("arn:") or _AWS_ID.match(value)):
                self.by_value.setdefault(value, address)
        if name:
            self.by_name.setdefault((type_, name), address)
        table = values.get("default_route_table_id")
        if type_ == "aws_vpc" and isinstance(table, str) and table:
            self.vpc_tables.setdefault(table, address)


@dataclass
class Context:
    """The resource being translated."""

    address: str
    type: str
    prefix: str  # module instance prefix of the address
    index: Index
    expressions: Mapping[str, object]
    too_deep: bool = False  # reported once per resource


class Builder:
    """Builds the nodes of one resource at a time (``start`` sets which one)."""

    def __init__(self, scope: Scope, resolver: Resolver, links: Links) -> None:
        self.scope = scope
        self.resolver = resolver
        self.links = links
        self.ctx = Context("", "", "", None, _EMPTY)

    def start(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- references ------------------------------------------------------------------
    def targets(self, expression: object, many: bool, any_attribute: bool = False) -> list[str]:
        if not isinstance(expression, dict):
            return []
        refs = expression.get("references")
        if not refs:
            return []
        found = self.resolver.resolve(refs, self.ctx.prefix, self.ctx.index, many, any_attribute)
        return [t for t in found if t != self.ctx.address]

    def link(self, value: object, target: str | None = None) -> str | None:
        """The resource a known value names exactly (by ID or ARN, or by name for ``target``)."""
        if not isinstance(value, str):
            return None
        found = self.links.by_value.get(value)
        if found is None and target is not None:
            found = self.links.by_name.get((target, value))
        return found if found != self.ctx.address else None

    # -- values ----------------------------------------------------------------------
    def block(
        self,
        values: Mapping[str, object],
        ptr: str,
        unk: object,
        expr: object,
        spec: Spec,
        depth: int = 0,
    ) -> dict[str, Node]:
        """The attributes of a resource or block, renamed; unknown ones inserted."""
        unks = unk if isinstance(unk, dict) else _EMPTY
        exprs = expr if isinstance(expr, dict) else _EMPTY
        out: dict[str, Node] = {}
        for key, value in values.items():
            self._put(out, key, value, ptr, unks.get(key), exprs.get(key), spec, depth)
        for key, flag in unks.items():
            if flag is True and key not in values:
                self._put(out, key, None, ptr, True, exprs.get(key), spec, depth)
        return out

    def _put(
        self,
        out: dict[str, Node],
        key: str,
        value: object,
        ptr: str,
        unk: object,
        expr: object,
        spec: Spec,
        depth: int,
    ) -> None:
        field = spec.get(key, AUTO)
        node = self.value(value, join(ptr, key), unk, expr, field, depth)
        if node is not None:
            out[field.name or camel(key)] = node

    def value(
        self, value: object, ptr: str, unk: object, expr: object, field: Field, depth: int
    ) -> Node | None:
        if depth > MAX_DEPTH:
            if not self.ctx.too_deep:
                self.ctx.too_deep = True
                self._problem("nests too deeply to read", ptr)
            return unknown(ptr)
        if field.shape is Shape.WRAP:
            inner = self.value(value, ptr, unk, expr, Field(target=field.target), depth)
            return Node([inner], Origin.SET, ptr) if inner is not None else None
        if unk is True:
            return self._unknown(ptr, expr, field)
        if value is None or value == "":  # the SDK writes "" for an optional string not set
            return None
        if field.shape is Shape.JSON and isinstance(value, str):
            return self.embedded(value, ptr)
        if isinstance(value, Embedded):
            json_field = field.shape is Shape.JSON
            return self._plain(value.data, ptr, "", 0) if json_field else unknown(ptr)
        if field.shape is Shape.SINGLE:
            return self._single(value, ptr, unk, expr, field, depth)
        if isinstance(value, list):
            return self._list(value, ptr, unk, expr, field, depth)
        if isinstance(value, dict):
            if field.sub is not None:
                members = self.block(value, ptr, unk, expr, field.sub, depth + 1)
                return Node(members, Origin.SET, ptr)
            return self._map(value, ptr, unk, depth)
        ref = self.link(value, field.target) or _first(self.targets(expr, many=False))
        return Node(cast(Scalar, value), Origin.SET, ptr, ref=ref)

    def _unknown(self, ptr: str, expr: object, field: Field) -> Node:
        if field.shape in (Shape.SINGLE, Shape.JSON) or not isinstance(expr, dict):
            return unknown(ptr)
        if field.shape is Shape.LIST:
            found = self.targets(expr, many=True)
            if found:
                items = [unknown(join(ptr, i), ref=t) for i, t in enumerate(found)]
                return Node(items, Origin.SET, ptr)
            return unknown(ptr)
        return unknown(ptr, ref=_first(self.targets(expr, many=False)))

    def _single(
        self, value: object, ptr: str, unk: object, expr: object, field: Field, depth: int
    ) -> Node | None:
        if isinstance(value, list):
            if not value or not isinstance(value[0], dict):
                return None
            value, ptr = value[0], join(ptr, 0)
            unk = unk[0] if isinstance(unk, list) and unk else None
            expr = expr[0] if isinstance(expr, list) and expr else expr
        if not isinstance(value, dict):
            return None
        if unk is True:
            return unknown(ptr)
        members = self.block(value, ptr, unk, expr, field.sub or _NO_FIELDS, depth + 1)
        return Node(members, Origin.SET, ptr)

    def _list(
        self, value: list[object], ptr: str, unk: object, expr: object, field: Field, depth: int
    ) -> Node:
        unks = unk if isinstance(unk, list) and len(unk) == len(value) else None
        if value and all(isinstance(v, dict) for v in value):
            return self._blocks(value, ptr, unks, expr, field, depth)
        items: list[Node] = []
        for i, element in enumerate(value):
            p = join(ptr, i)
            u = unks[i] if unks else None
            if u is True:
                items.append(unknown(p))
            elif isinstance(element, (dict, list)):
                nested = self.value(element, p, u, None, AUTO, depth + 1)
                items.append(nested or Node(None, pointer=p))
            else:
                ref = self.link(element, field.target)
                items.append(Node(cast(Scalar, element), Origin.SET, p, ref=ref))
        self._list_refs(items, expr)
        return Node(items, Origin.SET, ptr)

    def _blocks(
        self,
        value: list[object],
        ptr: str,
        unks: list[object] | None,
        expr: object,
        field: Field,
        depth: int,
    ) -> Node:
        # a set's values are in hash order, so its blocks line up with the configuration's
        # only when there is one
        aligned = isinstance(expr, list) and len(expr) == len(value)
        exprs = expr if aligned and (field.ordered or len(value) == 1) else None
        spec = field.sub or _NO_FIELDS
        items = []
        for i, element in enumerate(value):
            p = join(ptr, i)
            u = unks[i] if unks else None
            e = exprs[i] if isinstance(exprs, list) else None
            members = self.block(cast(dict[str, object], element), p, u, e, spec, depth + 1)
            if isinstance(expr, dict):
                self._shared_refs(members, expr, spec)
            items.append(Node(members, Origin.SET, p))
        return Node(items, Origin.SET, ptr)

    def _shared_refs(self, members: dict[str, Node], expr: object, spec: Spec) -> None:
        """Blocks written as one attribute (``route { … }`` of ``aws_route_table``) share one
        expression: an unknown member that names a resource type gets the one resource of
        that type the expression names, if there is exactly one."""
        found = self.targets(expr, many=True)
        if not found:
            return
        for key, field in spec.items():
            node = members.get(field.name or camel(key))
            if field.target is None or node is None or not node.unknown or node.ref:
                continue
            typed = [t for t in found if type_of(t) == field.target]
            if len(typed) == 1:
                node.ref = typed[0]

    def _list_refs(self, items: list[Node], expr: object) -> None:
        """Give the unknown elements of a list the resources its expression names.

        Known elements are linked by value (exact); the names left over go, in order, to
        the unknown elements when there are as many of them.
        """
        found = self.targets(expr, many=True)
        if not found:
            return
        linked = {n.ref for n in items if n.known and n.ref}
        left = [t for t in found if t not in linked]
        unknowns = [n for n in items if n.unknown]
        if left and len(left) == len(unknowns):
            for node, target in zip(unknowns, left, strict=True):
                node.ref = target

    def _map(self, value: dict[str, object], ptr: str, unk: object, depth: int) -> Node:
        unks = unk if isinstance(unk, dict) else _EMPTY
        out: dict[str, Node] = {}
        for key, item in value.items():
            p = join(ptr, key)
            if unks.get(key) is True:
                out[key] = unknown(p)
            elif isinstance(item, (dict, list)):
                node = self.value(item, p, unks.get(key), None, AUTO, depth + 1)
                if node is not None:
                    out[key] = node
            else:
                out[key] = Node(cast(Scalar, item), Origin.SET, p)
        for key, flag in unks.items():
            if flag is True and key not in value:
                out[key] = unknown(join(ptr, key))
        return Node(out, Origin.SET, ptr)

    # -- JSON documents in strings ------------------------------------------------------
    def embedded(self, text: str, ptr: str) -> Node | None:
        """A JSON document in a string: nodes at the string's pointer, ``inner`` inside it."""
        if not text.strip():
            return None
        try:
            doc = json.loads(text)
        except RecursionError:
            self._problem("nests too deeply to read", ptr)
            return unknown(ptr)
        except ValueError as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            self._problem(f"is not valid JSON ({reason})", ptr)
            return unknown(ptr)
        return self._plain(doc, ptr, "", 0)

    def _plain(self, value: object, ptr: str, inner: str, depth: int) -> Node:
        """Nodes for embedded JSON, keys as written (it is already in the API's shape); a
        null member is absent, as the API reads it."""
        if depth > MAX_DEPTH:
            if not self.ctx.too_deep:
                self.ctx.too_deep = True
                self._problem("nests too deeply to read", ptr)
            return unknown(ptr, inner=inner)
        if isinstance(value, UnknownPart):
            found = self.targets({"references": value.references}, many=False)
            return unknown(ptr, inner=inner, ref=_first(found))
        if isinstance(value, dict):
            members = {
                k: self._plain(v, ptr, join(inner, k), depth + 1)
                for k, v in value.items()
                if v is not None
            }
            return Node(members, Origin.SET, ptr, inner)
        if isinstance(value, list):
            items = [self._plain(v, ptr, join(inner, i), depth + 1) for i, v in enumerate(value)]
            return Node(items, Origin.SET, ptr, inner)
        return Node(cast(Scalar, value), Origin.SET, ptr, inner, ref=self.link(value))

    def _problem(self, what: str, ptr: str) -> None:
        attribute = ptr.rsplit("/", 1)[-1]
        message = f"{self.ctx.address}: {attribute} {what}"
        self.scope.meta.append(MetaIssue("BL-META-002", message, ptr))


def _first(found: list[str]) -> str | None:
    return found[0] if found else None
