"""Resource and module instances of a ``.tf`` module: ``count``/``for_each``, the values of
a block (nested and ``dynamic`` blocks included) and their expressions, in a plan's shapes.

Values are first what ``hcl_eval`` gives (UNKNOWN where unknown; a block type is a list of
dicts); :func:`plan_values` turns them into a plan's ``planned_values`` and
``after_unknown``. :func:`body_expressions` gives a plan's ``configuration`` expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from batchlint.location import escape
from batchlint.sources.hcl_ast import Block, Body, Call, Expr, ForExpr, Name, TupleExpr
from batchlint.sources.hcl_eval import UNKNOWN, Env, PartialJson, Unknown, evaluate, references
from batchlint.sources.tf_nodes import Embedded, UnknownPart
from batchlint.sources.tf_refs import IDENTIFYING, Index

MAX_INSTANCES = 1000
_MAX_DEPTH = 256
# arguments of a resource, data or module block that configure Terraform, not the object
META_ATTRIBUTES = frozenset({"count", "for_each", "provider", "providers", "depends_on"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
_LOCAL = re.compile(r"^local\.([A-Za-z_][\w-]*)$")
_OUTPUT = re.compile(r"^module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)$")

Report = Callable[[str, str, Block], None]  # (message, file, where)


# -- count and for_each --------------------------------------------------------------------


@dataclass
class Expansion:
    """The instances a ``count``/``for_each`` block declares: ``keys`` (None: the block is
    not repeated), each with the roots its expressions see (``count``, ``each``)."""

    repeated: str | None  # "count", "for_each", or None
    instances: list[tuple[Index, dict[str, object]]] = field(default_factory=list)
    unknown: bool = False  # the count or for_each is known only after apply

    def value(self, values: list[object]) -> object:
        """What a reference to the block reads, given each instance's object."""
        if self.unknown:
            return UNKNOWN
        if self.repeated == "count":
            return values
        if self.repeated == "for_each":
            return {str(key): v for (key, _), v in zip(self.instances, values, strict=True)}
        return values[0] if values else UNKNOWN


def expand(block: Block, env: Env, file: str, report: Report, what: str) -> Expansion:
    """The instances of a resource, data or module block (``what`` names it in problems)."""
    count = block.body.attribute("count")
    for_each = block.body.attribute("for_each")
    if count is not None and for_each is not None:
        report(f"{what}: count and for_each cannot both be set", file, block)
        return Expansion(None)
    if count is not None:
        return _count(evaluate(count.expr, env), file, block, report, what)
    if for_each is not None:
        value = evaluate(for_each.expr, env)
        return _for_each(value, for_each.expr, file, block, report, what)
    return Expansion(None, [(None, {})])


def _unknown(repeated: str) -> Expansion:
    roots: dict[str, object] = {"count": {"index": UNKNOWN}}
    if repeated == "for_each":
        roots = {"each": {"key": UNKNOWN, "value": UNKNOWN}}
    return Expansion(repeated, [(None, roots)], unknown=True)


def _count(value: object, file: str, block: Block, report: Report, what: str) -> Expansion:
    if isinstance(value, Unknown):
        return _unknown("count")
    number = _whole(value)
    if number is None or number < 0:
        report(f"{what}: count must be a whole number of 0 or more", file, block)
        return Expansion("count")
    if number > MAX_INSTANCES:
        report(f"{what}: count is {number}; only the first {MAX_INSTANCES} are read", file, block)
        number = MAX_INSTANCES
    return Expansion("count", [(i, {"count": {"index": i}}) for i in range(number)])


def _whole(value: object) -> int | None:
    if isinstance(value, str):
        try:
            value = float(value) if "." in value else int(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if value == int(value) else None


def _for_each(
    value: object, expr: Expr, file: str, block: Block, report: Report, what: str
) -> Expansion:
    if isinstance(value, Unknown):
        return _unknown("for_each")
    pairs: list[tuple[str, object]]
    if isinstance(value, Mapping):
        pairs = sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0])
    elif isinstance(value, list):
        if any(isinstance(v, Unknown) for v in value):
            return _unknown("for_each")
        if not all(isinstance(v, str) for v in value):
            report(f"{what}: for_each needs a map or a set of strings", file, block)
            return Expansion("for_each")
        if _is_list(expr):
            report(
                f"{what}: for_each needs a map or a set of strings, not a list "
                "(convert it with toset())",
                file,
                block,
            )
        pairs = [(v, v) for v in sorted({str(v) for v in value})]
    else:
        shown = "null" if value is None else type(value).__name__
        report(f"{what}: for_each needs a map or a set of strings, not {shown}", file, block)
        return Expansion("for_each")
    if len(pairs) > MAX_INSTANCES:
        report(
            f"{what}: for_each has {len(pairs)} elements; only the first {MAX_INSTANCES} are read",
            file,
            block,
        )
        pairs = pairs[:MAX_INSTANCES]
    return Expansion("for_each", [(k, {"each": {"key": k, "value": v}}) for k, v in pairs])


def _is_list(expr: Expr) -> bool:
    """Whether an expression is written as a list (Terraform refuses one for for_each;
    ``toset()`` of it, a variable or a function result may well be a set)."""
    return isinstance(expr, TupleExpr) or (isinstance(expr, ForExpr) and expr.key is None)


# -- the values of a block -----------------------------------------------------------------


@dataclass
class Evaluated:
    """One instance's values (hcl_eval's domain) and the block each nested value came from,
    by the RFC 6901 pointer of the value under the instance."""

    values: dict[str, object]
    blocks: dict[str, tuple[str, Block]]


class BodyReader:
    """Evaluates the attributes and nested blocks of a resource or data block."""

    def __init__(self, file: str, report: Report) -> None:
        self.file = file
        self.report = report

    def read(self, block: Block, env: Env) -> Evaluated:
        blocks: dict[str, tuple[str, Block]] = {"": (self.file, block)}
        values = self._body(block.body, env, "", blocks, top=True)
        return Evaluated(values, blocks)

    def _body(
        self,
        body: Body,
        env: Env,
        pointer: str,
        blocks: dict[str, tuple[str, Block]],
        top: bool = False,
    ) -> dict[str, object]:
        out: dict[str, object] = {}
        for attribute in body.attributes:
            if not (top and attribute.name in META_ATTRIBUTES):
                out[attribute.name] = evaluate(attribute.expr, env)
        groups: dict[str, list[object]] = {}
        written: dict[str, None] = {}  # block types in the order they are written
        for nested in body.blocks:
            if top and nested.type in META_BLOCKS:
                continue
            dynamic = nested.type == "dynamic"
            written[nested.labels[0] if dynamic and nested.labels else nested.type] = None
            if nested.type != "dynamic":
                self._add(groups, nested.type, nested, nested.body, env, pointer, blocks)
        unknown: set[str] = set()
        for nested in body.blocks:
            if nested.type != "dynamic" or not nested.labels:
                continue
            generated = self._dynamic(nested, env)
            if generated is None:
                unknown.add(nested.labels[0])
                continue
            for content, child in generated:
                self._add(groups, nested.labels[0], content, content.body, child, pointer, blocks)
        for name in written:
            if name in groups:
                out[name] = groups[name]
            elif name in unknown:
                out[name] = UNKNOWN
        return out

    def _add(
        self,
        groups: dict[str, list[object]],
        type_: str,
        source: Block,
        body: Body,
        env: Env,
        pointer: str,
        blocks: dict[str, tuple[str, Block]],
    ) -> None:
        items = groups.setdefault(type_, [])
        at = f"{pointer}/{escape(type_)}/{len(items)}"
        blocks[at] = (self.file, source)
        items.append(self._body(body, env, at, blocks))

    def _dynamic(self, block: Block, env: Env) -> list[tuple[Block, Env]] | None:
        """The content block and the environment of each generated block; None when the
        collection is unknown."""
        name = block.labels[0]
        for_each = block.body.attribute("for_each")
        contents = block.body.blocks_of("content")
        if for_each is None or not contents:
            self.report(f'dynamic "{name}": needs for_each and a content block', self.file, block)
            return []
        value = evaluate(for_each.expr, env)
        if isinstance(value, Unknown):
            return None
        if isinstance(value, Mapping):
            pairs: list[tuple[object, object]] = sorted(
                ((str(k), v) for k, v in value.items()), key=lambda kv: str(kv[0])
            )
        elif isinstance(value, list):
            pairs = list(enumerate(value))
        else:
            shown = "null" if value is None else type(value).__name__
            self.report(f'dynamic "{name}": for_each cannot be {shown}', self.file, block)
            return []
        if len(pairs) > MAX_INSTANCES:
            message = f'dynamic "{name}": only the first {MAX_INSTANCES} blocks are read'
            self.report(message, self.file, block)
            pairs = pairs[:MAX_INSTANCES]
        iterator = iterator_name(block)
        content = contents[0]
        return [(content, env.child({iterator: {"key": k, "value": v}})) for k, v in pairs]


def iterator_name(block: Block) -> str:
    """The name a dynamic block's content reads its element by: ``iterator = x`` or the
    block type."""
    written = block.body.attribute("iterator")
    if written is not None and isinstance(written.expr, Name):
        return written.expr.name
    return block.labels[0] if block.labels else "dynamic"


# -- the plan's shapes ---------------------------------------------------------------------


class AfterApply(Unknown):
    """An attribute of a resource instance that only apply knows (its ID, its ARN): unknown
    like any other, but it says which instance, so a value passed on unchanged (through
    variables, outputs, ``for_each`` keys) is still an edge to exactly that instance."""

    __slots__ = ("address",)

    def __init__(self, address: str) -> None:
        self.address = address


class InstanceObject(Mapping[str, object]):
    """What a reference to one resource instance reads: its configured values, and for an
    identifying attribute it does not configure, :class:`AfterApply`."""

    def __init__(self, values: dict[str, object], address: str) -> None:
        self._values = values
        self._address = address

    def __getitem__(self, key: str) -> object:
        return self._values[key]

    def get(self, key: str, default: object = None) -> object:
        if key in self._values:
            return self._values[key]
        return AfterApply(self._address) if key in IDENTIFYING else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def after_apply_refs(values: object, pointer: str = "") -> dict[str, str]:
    """The instance each :class:`AfterApply` value names, by the pointer of the value under
    the instance (inside a partly known ``jsonencode()`` too: by pointer + inner path)."""
    out: dict[str, str] = {}
    if isinstance(values, AfterApply):
        out[pointer] = values.address
    elif isinstance(values, PartialJson):
        out.update(after_apply_refs(values.data, pointer))
    elif isinstance(values, Mapping):
        for key, item in values.items():
            out.update(after_apply_refs(item, f"{pointer}/{escape(str(key))}"))
    elif isinstance(values, list):
        for i, item in enumerate(values):
            out.update(after_apply_refs(item, f"{pointer}/{i}"))
    return out


def plan_values(values: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """``planned_values`` (unknown: None; a partly known ``jsonencode()`` as an Embedded
    document) and ``after_unknown`` (True where unknown, False for a known element of a
    list, keys with nothing unknown left out) of an instance's evaluated values."""
    plain = _plain(values)
    mask = _mask(values)
    return (
        plain if isinstance(plain, dict) else {},
        mask if isinstance(mask, dict) else {},
    )


def _plain(value: object) -> object:
    if isinstance(value, PartialJson):
        return Embedded(_document(value.data))
    if isinstance(value, Unknown):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _document(data: object) -> object:
    """A partly known ``jsonencode()`` document, an :class:`UnknownPart` at each unknown."""
    if isinstance(data, Unknown):
        return UnknownPart([])
    if isinstance(data, Mapping):
        return {str(k): _document(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_document(v) for v in data]
    return data


def _mask(value: object) -> object:
    if isinstance(value, PartialJson):
        return False  # its known parts are values; PartialJson.data marks the rest
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            flag = _mask(item)
            if flag is not False:
                out[str(key)] = flag
        return out
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return False


# -- configuration expressions -------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """A name whose value comes from a collection: expressions that read it also read what
    the collection's expression references (``each.value`` of ``for_each``, a dynamic
    block's iterator). ``bound`` names are not references of their own."""

    name: str
    refs: tuple[str, ...]
    bound: bool


class Expressions:
    """A plan's ``configuration`` expressions of a body: ``{"references": [...]}`` or
    ``{"constant_value": v}`` by attribute, a list of such bodies by nested block type.
    ``local.x`` is followed by the references of the local's own expression."""

    def __init__(
        self,
        local_refs: Callable[[str], list[str]],
        constant_env: Env,
        output_refs: Callable[[str, str], list[str]] | None = None,
    ) -> None:
        self.local_refs = local_refs
        self.constant_env = constant_env
        # what a local module's output reads, as seen from here (``module.m.aws_x.y.arn``)
        self.output_refs = output_refs

    def body(self, body: Body, feeds: tuple[Feed, ...] = (), top: bool = True) -> dict:
        out: dict[str, object] = {}
        for attribute in body.attributes:
            if not (top and attribute.name in META_ATTRIBUTES):
                out[attribute.name] = self.expression(attribute.expr, feeds)
        for nested in body.blocks:
            if nested.type == "dynamic" or (top and nested.type in META_BLOCKS):
                continue
            _append(out, nested.type, self.body(nested.body, feeds, top=False))
        for nested in body.blocks:
            if nested.type != "dynamic" or not nested.labels:
                continue
            for_each = nested.body.attribute("for_each")
            refs = self.references(for_each.expr, feeds) if for_each is not None else []
            inner = (*feeds, Feed(iterator_name(nested), tuple(refs), bound=True))
            for content in nested.body.blocks_of("content")[:1]:
                _append(out, nested.labels[0], self.body(content.body, inner, top=False))
        return out

    def expression(self, expr: Expr, feeds: tuple[Feed, ...] = ()) -> dict[str, object]:
        refs = self.references(expr, feeds)
        if refs:
            return {"references": refs}
        if _calls_a_function(expr):
            return {}  # Terraform evaluates constants without functions
        value = evaluate(expr, self.constant_env)
        return {} if isinstance(value, Unknown) else {"constant_value": value}

    def references(self, expr: Expr, feeds: tuple[Feed, ...] = ()) -> list[str]:
        bound = frozenset(f.name for f in feeds if f.bound)
        refs = list(references(expr, bound))
        if feeds:
            everything = references(expr) if bound else refs
            for feed in feeds:
                if any(_reads(ref, feed.name) for ref in everything):
                    refs.extend(feed.refs)
        return self._follow(refs)

    def _follow(self, refs: list[str]) -> list[str]:
        """Each ``local.x`` followed by the local's references, transitively, once each."""
        out: list[str] = []
        seen: set[str] = set()
        pending = list(reversed(refs))
        while pending:
            ref = pending.pop()
            if ref in seen:
                continue
            seen.add(ref)
            out.append(ref)
            match = _LOCAL.match(ref)
            if match is not None:
                pending.extend(reversed(self.local_refs(match.group(1))))
            output = _OUTPUT.match(ref) if self.output_refs is not None else None
            if output is not None and self.output_refs is not None:
                pending.extend(reversed(self.output_refs(output.group(1), output.group(2))))
        return out


def _calls_a_function(expr: object, depth: int = 0) -> bool:
    if isinstance(expr, Call) or depth > _MAX_DEPTH:
        return True
    if isinstance(expr, (str, int, float, bool)) or expr is None:
        return False
    if isinstance(expr, (tuple, list)):
        return any(_calls_a_function(e, depth + 1) for e in expr)
    fields = getattr(expr, "__slots__", ())
    return any(_calls_a_function(getattr(expr, f), depth + 1) for f in fields if f != "pos")


def _reads(ref: str, name: str) -> bool:
    return ref == name or ref.startswith((name + ".", name + "["))


def _append(out: dict[str, object], key: str, item: dict) -> None:
    existing = out.get(key)
    if isinstance(existing, list):
        existing.append(item)
    else:
        out[key] = [item]
