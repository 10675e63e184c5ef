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

from batchlint.location import join
from batchlint.model import MetaIssue, Scope
from batchlint.sources.reading import shown
from batchlint.sources.tf_refs import Config, Index, index_token, split_address
from batchlint.sources.tf_translate import Entries, Item, Targets, translate
from batchlint.sources.tf_types import TYPES

PLAN = "terraform-plan"
STATE = "terraform-state"
_MAX_MODULE_DEPTH = 64
SUPPORTED_MAJORS = ("0", "1")  # of format_version: 0.1 and 0.2 (Terraform 0.12-0.15), 1.x


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
    targets = Targets(lambda: _plan_entries(doc), config) if form == "plan" else None
    translate(items, config, scope, targets)


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


def _plan_items(doc: Mapping[str, object], scope: Scope) -> list[Item]:
    changes = _changes(doc.get("resource_changes"), scope)
    planned = doc.get("planned_values")
    out: list[Item] = []
    if planned is None:
        # some tools write only resource_changes; their "after" is the planned value
        return _change_items(doc.get("resource_changes"), scope)
    if not isinstance(planned, dict):
        _problem(scope, "planned_values is not an object", "/planned_values")
        return out
    _module_items(planned.get("root_module"), "/planned_values/root_module", scope, changes, out, 0)
    return out


def _state_items(doc: Mapping[str, object], scope: Scope) -> list[Item]:
    out: list[Item] = []
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
    out: list[Item],
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
) -> Item | None:
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
    item = Item(address, type_, prefix, base, index, values, ptr, join(ptr, "values"), unk)
    item.sensitive = marks
    return item


def _change_items(changes: object, scope: Scope) -> list[Item]:
    out: list[Item] = []
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


def _raw_items(doc: Mapping[str, object], scope: Scope) -> list[Item]:
    """The instances of a raw ``terraform.tfstate``."""
    out: list[Item] = []
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
) -> Item | None:
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
    return Item(address, type_, prefix, base, index, attributes, ptr, join(ptr, "attributes"), None)


def _list(parent: Mapping[str, object], key: str, ptr: str, scope: Scope) -> list[object]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _problem(scope, f"{key} is not a list", join(ptr, key))
        return []
    return value


def _plan_entries(doc: Mapping[str, object]) -> Entries:
    """Every resource and data source instance of the plan (planned values, and the prior
    state, where data sources read while planning are), with its sensitivity marks."""
    entries: Entries = {}
    prior = doc.get("prior_state")
    prior_values = prior.get("values") if isinstance(prior, dict) else None
    for values in (prior_values, doc.get("planned_values")):
        if isinstance(values, dict):
            _collect(values.get("root_module"), entries, 0)
    changes = doc.get("resource_changes")
    for change in changes if isinstance(changes, list) else ():
        if not isinstance(change, dict) or change.get("deposed"):
            continue
        address, body = change.get("address"), change.get("change")
        if isinstance(address, str) and isinstance(body, dict) and address in entries:
            marks = body.get("after_sensitive")
            if marks is not None:
                entries[address] = (entries[address][0], marks)
    return entries


def _collect(module: object, into: Entries, depth: int) -> None:
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


def _problem(scope: Scope, message: str, pointer: str) -> None:
    scope.meta.append(MetaIssue("BL-META-002", message, pointer))
