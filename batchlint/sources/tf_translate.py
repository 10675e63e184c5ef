"""Terraform resource instances, in the shape of a plan, to the rule model.

The plan/state source and the ``.tf`` source both collect :class:`Item` s (values, the
after_unknown mask, the configuration's expressions) and hand them here: one translation,
whatever the input was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from batchlint.model import Expression, MetaIssue, Node, Origin, Reference, Scope
from batchlint.sources.tf_nodes import Builder, Context, Links, camel
from batchlint.sources.tf_refs import (
    Config,
    Index,
    Read,
    Resolver,
    reads,
    reference_texts,
    split_address,
)
from batchlint.sources.tf_types import TYPES, TypeSpec

# address -> (values, sensitivity marks) of every instance an expression may read
Entries = dict[str, tuple[Mapping[str, object], object]]
# errors an unexpected value shape can raise deep in a translation: reported, never raised
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)


@dataclass(slots=True)
class Item:
    """One resource instance of the document, before translation."""

    address: str
    type: str
    prefix: str  # module instance prefix of the address
    base: str  # type.name
    index: Index
    values: dict[str, object]
    pointer: str  # the resource (instance) entry
    values_pointer: str
    after_unknown: object
    sensitive: object = None  # the plan's sensitivity marks of the values (after_sensitive)


def translate(
    items: list[Item], config: Config, scope: Scope, targets: Targets | None = None
) -> None:
    resolver = Resolver(((i.address, i.prefix, i.base, i.index) for i in items), config)
    links = Links()
    for item in items:
        links.add(item.address, item.type, item.values, name_of(item, TYPES[item.type]))
    builder = Builder(scope, resolver, links)
    for item in items:
        try:
            _add(builder, item, config, scope, targets)
        except _SHAPE_ERRORS as exc:
            _problem(scope, f"{item.address}: cannot be read ({type(exc).__name__})", item.pointer)


def _add(
    builder: Builder, item: Item, config: Config, scope: Scope, targets: Targets | None
) -> None:
    spec = TYPES[item.type]
    expressions = config.expressions(item.prefix, item.base) or {}
    builder.start(Context(item.address, item.type, item.prefix, item.index, expressions))
    props: dict[str, Node] | None = builder.block(
        item.values, item.values_pointer, item.after_unknown, expressions, spec.spec
    )
    if spec.post is not None and props is not None:
        props = spec.post(builder, props, item.values, item.values_pointer)
    if props is None:
        return
    arn = item.values.get("arn")
    resource = scope.add(
        spec.kind,
        item.address,
        item.type,
        Node(props, Origin.SET, item.values_pointer),
        item.pointer,
        name=name_of(item, spec),
        arn=arn if isinstance(arn, str) and arn else None,
    )
    if targets is not None:
        written = targets.expressions(item, expressions, spec)
        if written:
            resource.expressions = written


class Targets:
    """What configuration expressions read: every resource and data source instance the
    source knows, by address, with its values and sensitivity marks (``entries`` builds
    them, on first use)."""

    def __init__(self, entries: Callable[[], Entries], config: Config) -> None:
        self.entries = entries
        self.config = config
        self._entries: Entries | None = None
        self._resolver: Resolver | None = None

    def expressions(
        self, item: Item, written: Mapping[str, object], spec: TypeSpec
    ) -> dict[str, Expression]:
        """By model attribute: the references each top-level expression makes and whether
        the plan marks the attribute sensitive. Attributes with neither are left out."""
        marks = item.sensitive if isinstance(item.sensitive, dict) else {}
        out: dict[str, Expression] = {}
        for key in dict.fromkeys([*written, *marks]):
            found = tuple(
                self._reference(read, item.prefix, item.index)
                for read in reads(reference_texts(written.get(key)))
            )
            sensitive = marked(marks.get(key))
            if found or sensitive:
                field = spec.spec.get(key)
                name = (field.name if field is not None else None) or camel(key)
                out.setdefault(name, Expression(found, sensitive))
        return out

    def _reference(self, read: Read, prefix: str, index: Index) -> Reference:
        if read.type == "var":
            declared = self.config.variable(prefix, read.name)
            sensitive = None if declared is None else declared.get("sensitive") is True
            return Reference(read.text, read.type, read.attribute, sensitive=sensitive)
        if read.type in ("local", "module"):
            return Reference(read.text, read.type, read.attribute)
        full = f"{prefix}{'data.' if read.data else ''}{read.type}.{read.name}"
        address = self._instances().instance(full, read.key, index)
        entry = self._index().get(address) if address is not None else None
        if address is None or entry is None:
            return Reference(read.text, read.type, read.attribute, read.data)
        values, marks = entry
        flags = marks if isinstance(marks, dict) else {}
        scalars = {
            k: v
            for k, v in values.items()
            if isinstance(v, (str, int, float, bool)) and not marked(flags.get(k))
        }
        said = read.attribute is not None and isinstance(marks, dict)
        sensitive = marked(flags.get(read.attribute)) if said else None
        return Reference(
            read.text, read.type, read.attribute, read.data, address, scalars, sensitive
        )

    def _index(self) -> Entries:
        if self._entries is None:
            self._entries = self.entries()
        return self._entries

    def _instances(self) -> Resolver:
        if self._resolver is None:
            rows = []
            for address in self._index():
                parts = split_address(address)
                if parts is None:
                    continue
                prefix, base, key = parts
                if address[len(prefix) :].startswith("data."):
                    base = "data." + base
                rows.append((address, prefix, base, key))
            self._resolver = Resolver(rows, self.config)
        return self._resolver


def marked(marks: object) -> bool:
    """Whether a sensitivity mark (``true``, or the marks of a value's parts) marks anything."""
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(marked(v) for v in marks.values())
    if isinstance(marks, list):
        return any(marked(v) for v in marks)
    return False


def name_of(item: Item, spec: TypeSpec) -> str | None:
    for key in spec.name_keys:
        value = item.values.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _problem(scope: Scope, message: str, pointer: str) -> None:
    scope.meta.append(MetaIssue("BL-META-002", message, pointer))
