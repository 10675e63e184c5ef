"""Terraform plan and state JSON as a scope: ``terraform show -json`` of a plan or of the
state, and a raw ``terraform.tfstate`` (version 4).

Resource values come from ``planned_values`` (plan), ``values`` (state) or each instance's
``attributes`` (raw state). A plan's ``resource_changes[].change.after_unknown`` marks the
values known only after apply; its ``configuration`` gives the references between resources,
which are edges even while the values they produce are unknown. Without a configuration
(state), edges come from exact IDs, ARNs and names. Every node carries the RFC 6901 pointer
of its value in the document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from batchlint.location import join
from batchlint.model import Expression, MetaIssue, Node, Origin, Reference, Scope
from batchlint.sources.reading import shown
from batchlint.sources.tf_nodes import Builder, Context, Links, camel
from batchlint.sources.tf_refs import (
    Config,
    Index,
    Read,
    Resolver,
    index_token,
    reads,
    reference_texts,
    split_address,
)
from batchlint.sources.tf_types import TYPES, TypeSpec

PLAN = "terraform-plan"
STATE = "terraform-state"
_MAX_MODULE_DEPTH = 64
SUPPORTED_MAJORS = ("0", "1")  # of format_version: 0.1 and 0.2 (Terraform 0.12-0.15), 1.x
# errors an unexpected value shape can raise deep in a translation: reported, never raised
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)


@dataclass(slots=True)
class _Item:
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


def is_terraform(doc: object) -> bool:
    """A plan or state from ``terraform show -json``, or a raw ``terraform.tfstate``."""
    return _form(doc) is not None


def build(doc: dict, scope: Scope, region: str) -> None:
    """Translate a Terraform plan/state document into normalized resources on `scope`.

    ``region`` (the run's default) is not needed: ``scope.region`` is set only from the
    provider's constant ``region``.
    """
    form = _form(doc)
    _check_format_version(doc, scope)
    config = Config(None)
    if form == "plan":
        scope.source = PLAN
        config = Config(doc.get("configuration"))
        scope.region = _provider_region(doc)
        items = _plan_items(doc, scope)
    elif form == "state":
        scope.source = STATE
        items = _state_items(doc, scope)
    elif form == "tfstate":
        scope.source = STATE
        items = _raw_items(doc, scope)
    else:
        _problem(scope, "document is not a Terraform plan or state", "")
        return
    _translate(items, config, scope, _Targets(doc, config) if form == "plan" else None)


def _check_format_version(doc: Mapping[str, object], scope: Scope) -> None:
    """Terraform raises the major of ``format_version`` for changes that break readers, and
    asks them to reject a major they do not know. A note and a best try serve a user better
    than silence: the file is still read, and the finding says the result may be incomplete."""
    version = doc.get("format_version")
    if version is None:
        return  # a raw terraform.tfstate, or a tool that writes only resource_changes
    known = " and ".join(m + ".x" for m in SUPPORTED_MAJORS)
    if not isinstance(version, str):
        what = f"format_version is {json.dumps(version)[:40]}, not a version string"
    elif version.split(".", 1)[0] not in SUPPORTED_MAJORS:
        what = f"unsupported format_version {shown(version)}"
    else:
        return
    _problem(
        scope,
        f"{what}; batchlint reads {known}, so what it reports may be incomplete",
        "/format_version",
    )


def _form(doc: object) -> str | None:
    if not isinstance(doc, dict):
        return None
    if "planned_values" in doc or "resource_changes" in doc:
        return "plan"
    if "format_version" in doc and "values" in doc:
        return "state"
    if "format_version" in doc and "terraform_version" in doc and "configuration" in doc:
        return "plan"
    if "lineage" in doc and "version" in doc and ("resources" in doc or "modules" in doc):
        return "tfstate"
    return None


def _provider_region(doc: Mapping[str, object]) -> str | None:
    """The default AWS provider's region, when the configuration writes it as a constant."""
    value: object = doc
    for key in ("configuration", "provider_config", "aws", "expressions", "region"):
        value = value.get(key) if isinstance(value, dict) else None
    constant = value.get("constant_value") if isinstance(value, dict) else None
    return constant if isinstance(constant, str) and constant else None


# -- collecting resources ------------------------------------------------------------------


def _plan_items(doc: Mapping[str, object], scope: Scope) -> list[_Item]:
    changes = _changes(doc.get("resource_changes"), scope)
    planned = doc.get("planned_values")
    out: list[_Item] = []
    if planned is None:
        # some tools write only resource_changes; their "after" is the planned value
        return _change_items(doc.get("resource_changes"), scope)
    if not isinstance(planned, dict):
        _problem(scope, "planned_values is not an object", "/planned_values")
        return out
    _module_items(planned.get("root_module"), "/planned_values/root_module", scope, changes, out, 0)
    return out


def _state_items(doc: Mapping[str, object], scope: Scope) -> list[_Item]:
    out: list[_Item] = []
    values = doc.get("values")
    if values is None:
        return out
    if not isinstance(values, dict):
        _problem(scope, "values is not an object", "/values")
        return out
    _module_items(values.get("root_module"), "/values/root_module", scope, {}, out, 0)
    return out


def _changes(changes: object, scope: Scope) -> dict[str, Mapping[str, object]]:
    """The change of each resource that stays, by address (deposed objects are leaving)."""
    out: dict[str, Mapping[str, object]] = {}
    if changes is None:
        return out
    if not isinstance(changes, list):
        _problem(scope, "resource_changes is not a list", "/resource_changes")
        return out
    for entry in changes:
        if not isinstance(entry, dict) or entry.get("deposed"):
            continue
        address, change = entry.get("address"), entry.get("change")
        staying = isinstance(change, dict) and change.get("actions") != ["delete"]
        if isinstance(address, str) and isinstance(change, dict) and staying:
            out[address] = change
    return out


def _module_items(
    module: object,
    ptr: str,
    scope: Scope,
    changes: Mapping[str, Mapping[str, object]],
    out: list[_Item],
    depth: int,
) -> None:
    if module is None:
        return
    if not isinstance(module, dict) or depth > _MAX_MODULE_DEPTH:
        _problem(scope, "module is not an object", ptr)
        return
    for i, entry in enumerate(_list(module, "resources", ptr, scope)):
        item = _values_item(entry, join(ptr, "resources", i), scope, changes)
        if item is not None:
            out.append(item)
    for i, child in enumerate(_list(module, "child_modules", ptr, scope)):
        _module_items(child, join(ptr, "child_modules", i), scope, changes, out, depth + 1)


def _values_item(
    entry: object, ptr: str, scope: Scope, changes: Mapping[str, Mapping[str, object]]
) -> _Item | None:
    """A resource of a values representation (planned_values or state values)."""
    if not isinstance(entry, dict):
        _problem(scope, "resource is not an object", ptr)
        return None
    if entry.get("mode", "managed") != "managed" or entry.get("deposed_key"):
        return None  # a deposed object is on its way out, and shares the address of its successor
    address, type_ = entry.get("address"), entry.get("type")
    if not isinstance(address, str) or not isinstance(type_, str):
        _problem(scope, "resource has no address or type", ptr)
        return None
    if type_ not in TYPES:
        return None
    parts = split_address(address)
    values = entry.get("values")
    if parts is None or not isinstance(values, dict):
        what = "has values that are not an object" if parts else "has an unreadable address"
        _problem(scope, f"{address}: resource {what}", ptr)
        return None
    prefix, base, key = parts
    index = entry.get("index", key)
    if not isinstance(index, (int, str)) or isinstance(index, bool):
        index = key
    change = changes.get(address)
    unk = change.get("after_unknown") if change is not None else None
    marks = change.get("after_sensitive") if change is not None else None
    if marks is None:
        marks = entry.get("sensitive_values")
    item = _Item(address, type_, prefix, base, index, values, ptr, join(ptr, "values"), unk)
    item.sensitive = marks
    return item


def _change_items(changes: object, scope: Scope) -> list[_Item]:
    out: list[_Item] = []
    for i, entry in enumerate(changes if isinstance(changes, list) else []):
        if not isinstance(entry, dict) or entry.get("deposed"):
            continue
        change = entry.get("change")
        if not isinstance(change, dict) or change.get("actions") == ["delete"]:
            continue
        ptr = join("/resource_changes", i)
        values = {**entry, "values": change.get("after")}
        item = _values_item(values, ptr, scope, {})
        if item is not None:
            item.values_pointer = join(ptr, "change", "after")
            item.after_unknown = change.get("after_unknown")
            item.sensitive = change.get("after_sensitive")
            out.append(item)
    return out


def _raw_items(doc: Mapping[str, object], scope: Scope) -> list[_Item]:
    """The instances of a raw ``terraform.tfstate``."""
    out: list[_Item] = []
    version = doc.get("version")
    if version != 4:
        _problem(scope, f"Terraform state version {version} is not supported (only 4)", "/version")
        return out
    for i, entry in enumerate(_list(doc, "resources", "", scope)):
        ptr = join("/resources", i)
        if not isinstance(entry, dict):
            _problem(scope, "resource is not an object", ptr)
            continue
        type_, name, module = entry.get("type"), entry.get("name"), entry.get("module") or ""
        if entry.get("mode", "managed") != "managed":
            continue
        if not isinstance(type_, str) or not isinstance(name, str) or not isinstance(module, str):
            _problem(scope, "resource has no type or name, or an unreadable module", ptr)
            continue
        if type_ not in TYPES:
            continue
        prefix = module + "." if module else ""
        for j, instance in enumerate(_list(entry, "instances", ptr, scope)):
            item = _raw_instance(instance, join(ptr, "instances", j), prefix, type_, name, scope)
            if item is not None:
                out.append(item)
    return out


def _raw_instance(
    instance: object, ptr: str, prefix: str, type_: str, name: str, scope: Scope
) -> _Item | None:
    if not isinstance(instance, dict) or instance.get("deposed"):
        return None
    attributes = instance.get("attributes")
    if not isinstance(attributes, dict):
        what = "flat (pre-0.12) attributes" if "attributes_flat" in instance else "no attributes"
        _problem(scope, f"{prefix}{type_}.{name}: instance has {what}", ptr)
        return None
    key = instance.get("index_key")
    index: Index = key if isinstance(key, (int, str)) and not isinstance(key, bool) else None
    address = f"{prefix}{type_}.{name}{index_token(index)}"
    base = f"{type_}.{name}"
    return _Item(
        address, type_, prefix, base, index, attributes, ptr, join(ptr, "attributes"), None
    )


def _list(parent: Mapping[str, object], key: str, ptr: str, scope: Scope) -> list[object]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _problem(scope, f"{key} is not a list", join(ptr, key))
        return []
    return value


# -- translating -------------------------------------------------------------------------


def _translate(
    items: list[_Item], config: Config, scope: Scope, targets: _Targets | None = None
) -> None:
    resolver = Resolver(((i.address, i.prefix, i.base, i.index) for i in items), config)
    links = Links()
    for item in items:
        links.add(item.address, item.type, item.values, _name(item, TYPES[item.type]))
    builder = Builder(scope, resolver, links)
    for item in items:
        try:
            _add(builder, item, config, scope, targets)
        except _SHAPE_ERRORS as exc:
            _problem(scope, f"{item.address}: cannot be read ({type(exc).__name__})", item.pointer)


def _add(
    builder: Builder, item: _Item, config: Config, scope: Scope, targets: _Targets | None
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
        name=_name(item, spec),
        arn=arn if isinstance(arn, str) and arn else None,
    )
    if targets is not None:
        written = targets.expressions(item, expressions, spec)
        if written:
            resource.expressions = written


class _Targets:
    """What configuration expressions read: every resource and data source instance of the
    plan (planned values, and the prior state, where data sources read while planning are),
    by address, with its values and sensitivity marks; built on first use."""

    def __init__(self, doc: Mapping[str, object], config: Config) -> None:
        self.doc = doc
        self.config = config
        self._entries: dict[str, tuple[Mapping[str, object], object]] | None = None
        self._resolver: Resolver | None = None

    def expressions(
        self, item: _Item, written: Mapping[str, object], spec: TypeSpec
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
            sensitive = _marked(marks.get(key))
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
            if isinstance(v, (str, int, float, bool)) and not _marked(flags.get(k))
        }
        said = read.attribute is not None and isinstance(marks, dict)
        sensitive = _marked(flags.get(read.attribute)) if said else None
        return Reference(
            read.text, read.type, read.attribute, read.data, address, scalars, sensitive
        )

    def _index(self) -> dict[str, tuple[Mapping[str, object], object]]:
        if self._entries is None:
            entries: dict[str, tuple[Mapping[str, object], object]] = {}
            prior = self.doc.get("prior_state")
            prior_values = prior.get("values") if isinstance(prior, dict) else None
            for values in (prior_values, self.doc.get("planned_values")):
                if isinstance(values, dict):
                    _collect(values.get("root_module"), entries, 0)
            changes = self.doc.get("resource_changes")
            for change in changes if isinstance(changes, list) else ():
                if not isinstance(change, dict) or change.get("deposed"):
                    continue
                address, body = change.get("address"), change.get("change")
                if isinstance(address, str) and isinstance(body, dict) and address in entries:
                    marks = body.get("after_sensitive")
                    if marks is not None:
                        entries[address] = (entries[address][0], marks)
            self._entries = entries
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


def _collect(
    module: object, into: dict[str, tuple[Mapping[str, object], object]], depth: int
) -> None:
    """Every resource and data source instance of a module of a values representation."""
    if not isinstance(module, dict) or depth > _MAX_MODULE_DEPTH:
        return
    resources = module.get("resources")
    for entry in resources if isinstance(resources, list) else ():
        if not isinstance(entry, dict) or entry.get("deposed_key"):
            continue
        address, values = entry.get("address"), entry.get("values")
        if isinstance(address, str) and isinstance(values, dict):
            into[address] = (values, entry.get("sensitive_values"))
    children = module.get("child_modules")
    for child in children if isinstance(children, list) else ():
        _collect(child, into, depth + 1)


def _marked(marks: object) -> bool:
    """Whether a sensitivity mark (``true``, or the marks of a value's parts) marks anything."""
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(_marked(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_marked(v) for v in marks)
    return False


def _name(item: _Item, spec: TypeSpec) -> str | None:
    for key in spec.name_keys:
        value = item.values.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _problem(scope: Scope, message: str, pointer: str) -> None:
    scope.meta.append(MetaIssue("BL-META-002", message, pointer))
