"""Write the ``.tf`` that would produce a Terraform plan fixture.

A helper for writing fixtures, not part of batchlint: ``python -m tests.tf_from_plan
fixtures/rules/<rule>/terraform.plan.json`` writes ``terraform.tf`` (and ``modules/<name>/
main.tf`` for the plan's modules) beside the plan. A plan keeps what the configuration said
only partly: a constant is kept whole, but an expression with references keeps only the
references. Such an expression is rebuilt from the planned value with the referenced values
put back where they are found; what cannot be rebuilt is marked ``TODO(tf_from_plan)`` for
the author to write by hand (the command says how many each written file holds).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# string attributes that hold JSON: written as jsonencode() of an HCL object
JSON_FIELDS = frozenset(
    {
        "container_properties",
        "node_properties",
        "ecs_properties",
        "eks_properties",
        "assume_role_policy",
        "policy",
    }
)
# list arguments a single reference is put in (its planned value may be unknown)
LIST_FIELDS = frozenset(
    {"subnets", "security_group_ids", "compute_environments", "vpc_security_group_ids"}
)
# values a hand-written plan spells out that nobody writes in a .tf: computed attributes and
# provider defaults no rule reads (by resource type; "*" for every type; None: any value)
_NOISE: dict[str, dict[str, object]] = {
    "*": {"tags_all": None},
    "aws_subnet": {
        "assign_ipv6_address_on_creation": False,
        "enable_dns64": False,
        "enable_resource_name_dns_a_record_on_launch": False,
        "enable_resource_name_dns_aaaa_record_on_launch": False,
        "ipv6_native": False,
    },
    "aws_iam_role": {"force_detach_policies": False, "max_session_duration": 3600, "path": "/"},
    "aws_vpc": {"enable_dns_support": True, "instance_tenancy": "default"},
}
TODO = "TODO(tf_from_plan)"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_KEYWORDS = {"true", "false", "null"}
# attributes written first in a block, in this order (the rest keep the plan's order)
_FIRST = (
    "name",
    "compute_environment_name",
    "type",
    "state",
    "priority",
    "platform_capabilities",
)
_MISSING = object()  # a value not known from the plan


# -- HCL text --------------------------------------------------------------------------------


def quote(text: str) -> str:
    """An HCL quoted string whose value is ``text``."""
    out = json.dumps(text, ensure_ascii=False)
    return out.replace("${", "$${").replace("%{", "%%{")


def key_text(key: str) -> str:
    return key if _IDENT.match(key) and key not in _KEYWORDS else quote(key)


def literal(value: Any, indent: int) -> str:
    """``value`` as an HCL expression, multi-line objects indented from ``indent``."""
    if isinstance(value, Expr):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return _list(value, indent)
    if isinstance(value, dict):
        return _object(value, indent)
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def _list(items: list[Any], indent: int) -> str:
    if not items:
        return "[]"
    flat = [_inline(item) or literal(item, indent) for item in items]
    one_line = "[" + ", ".join(flat) + "]"
    if all("\n" not in text for text in flat) and indent + len(one_line) <= 90:
        return one_line
    pad = " " * (indent + 2)
    inner = [pad + (_inline(item) or literal(item, indent + 2)) + "," for item in items]
    return "[\n" + "\n".join(inner) + "\n" + " " * indent + "]"


def _inline(item: Any) -> str | None:
    """A small object of scalars on one line (``{ type = "VCPU", value = "1" }``), as people
    write list elements."""
    if not isinstance(item, dict) or not item or len(item) > 3:
        return None
    if any(isinstance(v, list | dict) for v in item.values()):
        return None
    text = "{ " + ", ".join(f"{key_text(k)} = {literal(v, 0)}" for k, v in item.items()) + " }"
    return text if len(text) <= 72 else None


def _object(obj: dict[str, Any], indent: int) -> str:
    if not obj:
        return "{}"
    lines = [(key_text(k), literal(v, indent + 2)) for k, v in obj.items()]
    return "{\n" + "\n".join(aligned(lines, indent + 2)) + "\n" + " " * indent + "}"


def aligned(pairs: Sequence[tuple[str, str]], indent: int) -> list[str]:
    """``name = value`` lines with the ``=`` of neighbouring one-line values aligned, as
    ``terraform fmt`` does (a multi-line value stands alone)."""
    out: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(name) for name, _ in group), default=0)
        out.extend(" " * indent + name.ljust(width) + " = " + value for name, value in group)
        group.clear()

    for name, value in pairs:
        if "\n" in value:
            flush()
        group.append((name, value))
        if "\n" in value:
            flush()
    flush()
    return out


@dataclass(frozen=True)
class Expr:
    """HCL expression text put in a value (a reference, a call)."""

    text: str


# -- what the plan knows ---------------------------------------------------------------------


@dataclass
class Instance:
    key: int | str | None
    values: dict[str, Any]
    unknown: Any
    each: Any = None  # each.value, when the for_each collection is known


@dataclass
class Module:
    """One module of the plan: its configuration and the planned instances of its resources."""

    path: str  # "" or "module.workers."
    config: dict[str, Any]
    instances: dict[str, list[Instance]] = field(default_factory=dict)  # by type.name
    variables: dict[str, Any] = field(default_factory=dict)  # known values of var.*
    children: dict[str, Module] = field(default_factory=dict)


def read_plan(plan: Mapping[str, Any]) -> Module:
    config = plan.get("configuration") or {}
    root = Module("", config.get("root_module") or {})
    unknown = {
        change["address"]: change.get("change", {}).get("after_unknown")
        for change in plan.get("resource_changes") or []
    }
    _collect(root, (plan.get("planned_values") or {}).get("root_module") or {}, unknown)
    for name, entry in (plan.get("variables") or {}).items():
        root.variables[name] = entry.get("value")
    for name, entry in (root.config.get("variables") or {}).items():
        if name not in root.variables and "default" in entry:
            root.variables[name] = entry["default"]
    _link_children(root)
    return root


def _collect(root: Module, planned: Mapping[str, Any], unknown: Mapping[str, Any]) -> None:
    for entry in planned.get("resources") or []:
        module = _module_of(root, entry["address"])
        base = f"{'data.' if entry['mode'] == 'data' else ''}{entry['type']}.{entry['name']}"
        instance = Instance(
            entry.get("index"), entry.get("values") or {}, unknown.get(entry["address"])
        )
        module.instances.setdefault(base, []).append(instance)
    for child in planned.get("child_modules") or []:
        _collect(root, child, unknown)


def _module_of(root: Module, address: str) -> Module:
    module = root
    for name in re.findall(r"module\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.", address):
        calls = module.config.get("module_calls") or {}
        if name not in module.children:
            call = calls.get(name) or {}
            module.children[name] = Module(f"{module.path}module.{name}.", call.get("module") or {})
        module = module.children[name]
    return module


def _link_children(module: Module) -> None:
    for name, call in (module.config.get("module_calls") or {}).items():
        child = module.children.get(name)
        if child is None:
            child = module.children[name] = Module(
                f"{module.path}module.{name}.", call.get("module") or {}
            )
        for arg, expr in (call.get("expressions") or {}).items():
            value = _known(expr, module, None)
            if value is not _MISSING:
                child.variables[arg] = value
        for arg, entry in (child.config.get("variables") or {}).items():
            if arg not in child.variables and "default" in entry:
                child.variables[arg] = entry["default"]
        _link_children(child)


def _known(expr: Mapping[str, Any], module: Module, instance: Instance | None) -> Any:
    """The value of a configuration expression when the plan tells it."""
    if "constant_value" in expr:
        return expr["constant_value"]
    chains = longest(expr.get("references") or [])
    if len(chains) == 1:
        return value_of(chains[0], module, instance)
    return _MISSING


def longest(references: Sequence[str]) -> list[str]:
    """The references without those that are a prefix of another (the plan lists every
    traversal from its longest form down to its root)."""
    out = []
    for ref in references:
        if not any(
            other != ref and (other.startswith(ref + ".") or other.startswith(ref + "["))
            for other in references
        ):
            if ref == "count.index" and any("[count.index]" in other for other in references):
                continue
            out.append(ref)
    return out


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[\"([^\"]*)\"\]")


class Key(str):
    """A ``["key"]`` step, as opposed to an ``.attribute`` one."""


def steps(chain: str) -> list[str | int]:
    head, _, rest = chain.partition(".")
    out: list[str | int] = [head]
    for attr, number, key in _STEP.findall("." + rest):
        out.append(attr or (int(number) if number else Key(key)))
    return out


def value_of(chain: str, module: Module, instance: Instance | None) -> Any:
    """The known value of a reference, or ``_MISSING``."""
    parts = steps(chain)
    root = parts[0]
    if root == "var" and len(parts) > 1:
        value = module.variables.get(str(parts[1]), _MISSING)
        return _walk(value, parts[2:])
    if root == "count" and instance is not None and isinstance(instance.key, int):
        return instance.key if parts[1:] == ["index"] else _MISSING
    if root == "each" and instance is not None and isinstance(instance.key, str):
        if parts[1:] == ["key"]:
            return instance.key
        return _walk(instance.each, parts[2:]) if parts[1:2] == ["value"] else _MISSING
    if root in ("local", "module", "path", "terraform", "self", "each", "count"):
        return _MISSING
    if root == "data":
        base, rest = ".".join(str(p) for p in parts[:3]), parts[3:]
    else:
        base, rest = ".".join(str(p) for p in parts[:2]), parts[2:]
    found = module.instances.get(base)
    if not found:
        return _MISSING
    keyed = {i.key: i for i in found if i.key is not None}
    if rest and isinstance(rest[0], int | Key) and rest[0] in keyed:  # an instance by index
        chosen = keyed[rest[0]]
        rest = rest[1:]
    elif len(found) == 1 and found[0].key is None:
        chosen = found[0]
    else:
        return _MISSING
    if rest and isinstance(chosen.unknown, dict) and chosen.unknown.get(rest[0]) is True:
        return _MISSING
    return _walk(chosen.values, rest)


def _walk(value: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        in_dict = isinstance(value, dict) and isinstance(step, str) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        if not (in_dict or in_list):
            return _MISSING
        value = value[step]
    return value


# -- rebuilding expressions ------------------------------------------------------------------


@dataclass
class Rebuilt:
    value: Any  # plain data with Expr leaves
    todo: list[str] = field(default_factory=list)


def rebuild(data: Any, chains: Sequence[str], module: Module, instance: Instance | None) -> Rebuilt:
    """Put each reference back where its known value appears in ``data`` (a planned value)."""
    out = Rebuilt(data)
    for chain in chains:
        value = value_of(chain, module, instance)
        if value is _MISSING or value is None:
            out.todo.append(f"{chain} (value not in the plan)")
            continue
        places = list(_places(out.value, value, ()))
        exact = [p for p, whole in places if whole]
        if len(exact) == 1 or (exact and _distinctive(value)):
            for path in exact:
                out.value = _replace(out.value, path, Expr(chain))
        elif places and isinstance(value, str) and _distinctive(value):
            for path, _ in places:
                text = _walk(out.value, path)
                out.value = _replace(out.value, path, Expr(_template(text, value, chain)))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            strings = list(_places(out.value, str(value), ()))
            if len([p for p, whole in strings if whole]) == 1:
                path = next(p for p, whole in strings if whole)
                out.value = _replace(out.value, path, Expr(f'"${{{chain}}}"'))
            else:
                out.todo.append(f"{chain} = {json.dumps(value)} (not found once)")
        else:
            out.todo.append(f"{chain} = {json.dumps(value)[:40]} (not found once)")
    return out


def _distinctive(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) >= 6
    return isinstance(value, list | dict) and bool(value)


def _places(data: Any, value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], bool]]:
    if isinstance(data, Expr):
        return
    if data == value and type(data) is type(value):
        yield path, True
        return
    if isinstance(data, str) and isinstance(value, str) and value and value in data:
        yield path, False
    elif isinstance(data, dict):
        for key, item in data.items():
            yield from _places(item, value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _places(item, value, (*path, index))


def _replace(data: Any, path: Sequence[Any], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: _replace(v, rest, new) if k == head else v for k, v in data.items()}
    return [_replace(v, rest, new) if i == head else v for i, v in enumerate(data)]


def _template(text: str, value: str, chain: str) -> str:
    """``text`` as a template with ``${chain}`` where it holds ``value``."""
    inner = ("${" + chain + "}").join(quote(piece)[1:-1] for piece in text.split(value))
    return f'"{inner}"'


# -- writing a module ------------------------------------------------------------------------


class Writer:
    """The lines of one file being written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def block(self, header: str, body: list[tuple[str, str]] | None, indent: int = 0) -> None:
        self.lines.append(" " * indent + header + " {")
        self.lines.extend(aligned(body or [], indent + 2))
        self.lines.append(" " * indent + "}")

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def note(self, text: str, indent: int) -> None:
        self.lines.append(" " * indent + f"# {TODO}: {text}")


def write_root(plan: Mapping[str, Any], root: Module) -> Writer:
    out = Writer()
    providers = (plan.get("configuration") or {}).get("provider_config") or {}
    _terraform_block(out, providers)
    for key, entry in providers.items():
        if ":" in key:  # a provider configured inside a module
            continue
        exprs = _exprs(entry)
        if entry.get("alias"):
            exprs = {"alias": {"constant_value": entry["alias"]}, **exprs}
        if exprs:
            out.blank()
            out.lines.append(f"provider {quote(entry.get('name', key))} {{")
            _body(out, root, None, [], exprs, [], 2)
            out.lines.append("}")
    write_module(out, root)
    return out


def _terraform_block(out: Writer, providers: Mapping[str, Any]) -> None:
    required: list[tuple[str, str]] = []
    for key, entry in providers.items():
        if ":" in key or "." in key or not entry.get("full_name"):
            continue
        source = entry["full_name"].removeprefix("registry.terraform.io/")
        spec = {"source": source}
        if entry.get("version_constraint"):
            spec["version"] = entry["version_constraint"]
        required.append((entry.get("name", key), literal(spec, 4)))
    if required:
        out.lines.append("terraform {")
        out.lines.append("  required_providers {")
        out.lines.extend(aligned(required, 4))
        out.lines.append("  }")
        out.lines.append("}")


def _exprs(entry: Mapping[str, Any]) -> dict[str, Any]:
    return dict(entry.get("expressions") or {})


def write_module(out: Writer, module: Module) -> None:
    for missing in sorted(_undeclared(module.config)):
        out.note(f"declare {missing} (referenced, not in the plan's configuration)", 0)
    _variables(out, module)
    for entry in module.config.get("resources") or []:
        out.blank()
        _resource(out, module, entry)
    for name, call in (module.config.get("module_calls") or {}).items():
        out.blank()
        _module_call(out, module, name, call)
    for name, entry in (module.config.get("outputs") or {}).items():
        out.blank()
        text, todo = _expr_text(entry.get("expression") or {}, module, None, 2, name)
        for item in todo:
            out.note(item, 0)
        out.block(f"output {quote(name)}", [("value", text)])


def _variables(out: Writer, module: Module) -> None:
    declared = dict(module.config.get("variables") or {})
    for name in sorted(_used_variables(module.config)):
        declared.setdefault(name, {})
    for name, entry in declared.items():
        body: list[tuple[str, str]] = []
        if entry.get("description"):
            body.append(("description", quote(entry["description"])))
        if module.path == "" and name in module.variables:
            body.append(("default", literal(module.variables[name], 2)))
        elif "default" in entry:
            body.append(("default", literal(entry["default"], 2)))
        if entry.get("sensitive"):
            body.append(("sensitive", "true"))
        out.blank()
        out.block(f"variable {quote(name)}", body)


_NOT_RESOURCES = {"var", "each", "count", "path", "terraform", "self"}


def _undeclared(config: Mapping[str, Any]) -> set[str]:
    """Locals, modules, resources and data sources the module references but does not
    declare (the plan's configuration has no locals; hand-written plans leave things out)."""
    declared = {
        f"{'data.' if r.get('mode') == 'data' else ''}{r['type']}.{r['name']}"
        for r in config.get("resources") or []
    }
    declared |= {f"module.{name}" for name in config.get("module_calls") or {}}
    found: set[str] = set()
    for ref in _all_references(config):
        parts = [str(p) for p in steps(ref)]
        if parts[0] in _NOT_RESOURCES or len(parts) < 2:
            continue
        base = ".".join(parts[:3] if parts[0] == "data" else parts[:2])
        if parts[0] == "local" or base not in declared:
            found.add(base)
    return found


def _all_references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "references" and isinstance(item, list):
                yield from (ref for ref in item if isinstance(ref, str))
            elif key not in ("module_calls", "module"):
                yield from _all_references(item)
        for call in (node.get("module_calls") or {}).values():
            yield from _all_references(call.get("expressions") or {})
    elif isinstance(node, list):
        for item in node:
            yield from _all_references(item)


def _used_variables(config: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for ref in node.get("references") or []:
                if isinstance(ref, str) and ref.startswith("var."):
                    found.add(str(steps(ref)[1]))
            for key, item in node.items():
                if key != "module_calls":
                    visit(item)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit({k: v for k, v in config.items() if k != "module_calls"})
    for call in (config.get("module_calls") or {}).values():
        visit(call.get("expressions") or {})
        visit(call.get("count_expression") or {})
        visit(call.get("for_each_expression") or {})
    return found


def _resource(out: Writer, module: Module, entry: Mapping[str, Any]) -> None:
    mode = entry.get("mode", "managed")
    base = f"{'data.' if mode == 'data' else ''}{entry['type']}.{entry['name']}"
    instances = module.instances.get(base, [])
    collection = _known(entry.get("for_each_expression") or {}, module, None)
    for item in instances:
        if isinstance(collection, dict) and item.key in collection:
            item.each = collection[item.key]
        elif isinstance(collection, list):
            item.each = item.key
    instance = instances[0] if instances else None
    exprs = _exprs(entry)
    if not exprs and instance is not None:
        exprs = _from_values(instance.values)
    exprs = _schema_fixes(entry["type"], exprs, instance)
    meta: list[tuple[str, str]] = []
    for key, name in (("count_expression", "count"), ("for_each_expression", "for_each")):
        if key in entry:
            text, todo = _expr_text(entry[key], module, None, 2, name)
            meta.append((name, text))
            for problem in todo:
                out.note(f"{name}: {problem}", 0)
    provider = str(entry.get("provider_config_key", ""))
    if "." in provider.split(":")[-1]:
        meta.append(("provider", provider.split(":")[-1]))
    kind = "data" if mode == "data" else "resource"
    out.lines.append(f"{kind} {quote(entry['type'])} {quote(entry['name'])} {{")
    if meta:
        out.lines.extend(aligned(meta, 2))
        out.lines.append("")
    _body(out, module, instance, instances, exprs, [], 2)
    out.lines.append("}")


# arguments the provider requires that a hand-written plan may leave out of its configuration
_REQUIRED = {
    "aws_iam_role": ("assume_role_policy",),
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
}


def _schema_fixes(type_: str, exprs: Mapping[str, Any], instance: Instance | None) -> dict:
    """What the AWS provider (5.x) accepts and a person writes: no empty lists standing for
    absent blocks, no noise, ``compute_environment_name`` (``name`` is 6.x), required
    arguments from planned values."""
    noise = {**_NOISE["*"], **_NOISE.get(type_, {})}
    out = {k: v for k, v in exprs.items() if not _dropped(k, v, noise)}
    if type_ == "aws_batch_compute_environment" and "name" in out:
        out.setdefault("compute_environment_name", out.pop("name"))
    for name in _REQUIRED.get(type_, ()):
        planned = instance.values.get(name) if instance is not None else None
        if name not in out and isinstance(planned, str):
            out[name] = {"constant_value": planned}
    return out


def _dropped(name: str, expr: Any, noise: Mapping[str, object]) -> bool:
    if not isinstance(expr, dict):
        return False
    value = expr.get("constant_value", _MISSING)
    return value == [] or (name in noise and (noise[name] is None or value == noise[name]))


def _from_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Configuration-shaped expressions from planned values (nulls and empty lists left out);
    lists of objects are nested blocks."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            out[key] = [_from_values(v) for v in value]
        else:
            out[key] = {"constant_value": value}
    return out


def _ordered(exprs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    first = [(k, exprs[k]) for k in _FIRST if k in exprs]
    rest = [(k, v) for k, v in exprs.items() if k not in _FIRST]
    attrs = [(k, v) for k, v in first + rest if not isinstance(v, list) and k != "tags"]
    attrs += [(k, v) for k, v in rest if k == "tags" and not isinstance(v, list)]
    blocks = [(k, v) for k, v in first + rest if isinstance(v, list)]
    return attrs + blocks


def _body(
    out: Writer,
    module: Module,
    instance: Instance | None,
    instances: list[Instance],
    exprs: Mapping[str, Any],
    path: list[str | int],
    indent: int,
) -> None:
    pairs: list[tuple[str, str]] = []
    exprs = {  # references into blocks (a route table's route) become those blocks
        name: _attribute_blocks(expr, instance, [*path, name]) or expr
        if isinstance(expr, dict)
        else expr
        for name, expr in exprs.items()
    }
    for name, expr in _ordered(exprs):
        if isinstance(expr, list):  # nested blocks
            out.lines.extend(aligned(pairs, indent))
            pairs = []
            for number, item in enumerate(expr):
                if out.lines and not out.lines[-1].endswith("{"):
                    out.lines.append("")
                out.lines.append(" " * indent + f"{name} {{")
                _body(out, module, instance, instances, item, [*path, name, number], indent + 2)
                out.lines.append(" " * indent + "}")
            continue
        where = [*path, name]
        if expr.get("constant_value", _MISSING) == []:  # an absent block, as plans write it
            continue
        if "constant_value" not in expr and "references" not in expr:
            # an expression the plan does not describe: its planned value, when there is one
            planned = _walk(instance.values, where) if instance is not None else _MISSING
            if planned is _MISSING or planned is None:
                continue
            expr = {"constant_value": planned}
        text, todo = _expr_text(expr, module, instance, indent, name, where)
        if "references" in expr and len(instances) > 1:
            text, todo = _per_instance(expr, module, instances, indent, name, where, text, todo)
        if todo:
            out.lines.extend(aligned(pairs, indent))
            pairs = []
            for item in todo:
                out.note(f"{name}: {item}", indent)
        pairs.append((name, text))
    out.lines.extend(aligned(pairs, indent))


def _attribute_blocks(
    expr: Mapping[str, Any], instance: Instance | None, where: Sequence[str | int]
) -> list[dict[str, Any]] | None:
    """Blocks a plan's configuration keeps only the references of ("attributes as blocks",
    such as ``route``): rebuilt from the planned objects, without the empty strings a plan
    fills in, the one reference put where the value is unknown."""
    planned = _walk(instance.values, where) if instance is not None else _MISSING
    if "references" not in expr or not isinstance(planned, list) or not planned:
        return None
    if not all(isinstance(item, dict) for item in planned):
        return None
    masks = _walk(instance.unknown, where) if instance is not None else _MISSING
    chains = longest(expr["references"])
    holes = [
        (number, key)
        for number, mask in enumerate(masks if isinstance(masks, list) else [])
        if isinstance(mask, dict)
        for key, flag in mask.items()
        if flag is True
    ]
    blocks: list[dict[str, Any]] = [
        {k: {"constant_value": v} for k, v in item.items() if v not in ("", None, [], {})}
        for item in planned
    ]
    if len(holes) == len(chains):
        for (number, key), chain in zip(holes, chains, strict=True):
            blocks[number][key] = {"references": [chain]}
    return blocks


def _per_instance(
    expr: Mapping[str, Any],
    module: Module,
    instances: list[Instance],
    indent: int,
    name: str,
    where: Sequence[str | int],
    text: str,
    todo: list[str],
) -> tuple[str, list[str]]:
    """The expression of a value that differs between the instances of a counted resource:
    the same rebuilt text for every instance, or a template of the instance's key."""
    planned = [_walk(i.values, where) for i in instances]
    if len({repr(value) for value in planned}) == 1:
        return text, todo
    rebuilt = [_expr_text(expr, module, i, indent, name, where) for i in instances]
    if len({t for t, _ in rebuilt}) == 1:
        return rebuilt[0]
    if all(isinstance(v, str) for v in planned) and all(i.key is not None for i in instances):
        shapes = {v.replace(str(i.key), "\0") for v, i in zip(planned, instances, strict=True)}
        chain = "count.index" if isinstance(instances[0].key, int) else "each.key"
        shape = shapes.pop()
        if not shapes and "\0" in shape:
            keyed = [t for t in todo if not t.startswith(chain)]
            return _template(shape, "\0", chain), keyed
    return text, [*todo, "the instances differ here: write the per-instance expression"]


def _expr_text(
    expr: Mapping[str, Any],
    module: Module,
    instance: Instance | None,
    indent: int,
    name: str,
    where: Sequence[str | int] = (),
) -> tuple[str, list[str]]:
    """An attribute's expression as HCL, and what could not be rebuilt."""
    if "constant_value" in expr:
        value = expr["constant_value"]
        if name in JSON_FIELDS and isinstance(value, str):
            try:
                return _jsonencode(json.loads(value), indent), []
            except ValueError:
                pass
        return literal(value, indent), []
    chains = longest(expr.get("references") or [])
    if not chains:
        return "null", ["no value in the plan"]
    planned = _walk(instance.values, where) if instance is not None and where else _MISSING
    if planned is _MISSING and instance is not None and where:
        planned = _walk(instance.unknown, where)  # a list mask still says it is a list
    if name in JSON_FIELDS:
        if not isinstance(planned, str):
            return "jsonencode({})", [f"value unknown in the plan; uses {', '.join(chains)}"]
        rebuilt = rebuild(json.loads(planned), chains, module, instance)
        return _jsonencode(rebuilt.value, indent), rebuilt.todo
    if len(chains) == 1:
        listed = isinstance(planned, list) or name in LIST_FIELDS
        if listed and chains[0].endswith((".id", ".arn")):
            return f"[{chains[0]}]", []
        return chains[0], []
    listed = isinstance(planned, list) or all(c.endswith((".id", ".arn")) for c in chains)
    if listed and (not isinstance(planned, list) or len(planned) == len(chains)):
        return "[" + ", ".join(chains) + "]", []
    if planned is not _MISSING and planned is not None:
        rebuilt = rebuild(planned, chains, module, instance)
        if not rebuilt.todo:
            return literal(rebuilt.value, indent), []
    return chains[0], [f"combine {', '.join(chains)}"]


def _jsonencode(data: Any, indent: int) -> str:
    return f"jsonencode({literal(data, indent)})"


def _module_call(out: Writer, module: Module, name: str, call: Mapping[str, Any]) -> None:
    body: list[tuple[str, str]] = [("source", quote(f"./modules/{name}"))]
    for key, meta in (("count_expression", "count"), ("for_each_expression", "for_each")):
        if key in call:
            body.append((meta, _expr_text(call[key], module, None, 2, meta)[0]))
    for arg, expr in (call.get("expressions") or {}).items():
        text, todo = _expr_text(expr, module, None, 2, arg)
        for item in todo:
            out.note(f"{arg}: {item}", 0)
        body.append((arg, text))
    out.block(f"module {quote(name)}", body)


# -- files -----------------------------------------------------------------------------------


def convert(plan: Mapping[str, Any], header: str = "") -> dict[str, str]:
    """The ``.tf`` files of ``plan``, by path relative to the plan's folder; ``header`` (comment
    lines) opens the root file."""
    root = read_plan(plan)
    files = {"terraform.tf": header + write_root(plan, root).text()}
    files.update(_module_files(root, "modules"))
    return files


def _module_files(module: Module, folder: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for name, child in module.children.items():
        out = Writer()
        write_module(out, child)
        files[f"{folder}/{name}/main.tf"] = out.text()
        files.update(_module_files(child, f"{folder}/{name}/modules"))
    return files


def rule_header(folder: Path, docs: Path) -> str:
    """``# name (code): summary`` from the rule's doc page, when the plan is a rule fixture."""
    for candidate in (folder, folder.parent):
        page = docs / f"{candidate.name}.md"
        if page.is_file():
            lines = page.read_text().splitlines()
            title, summary = lines[0].lstrip("# "), next((x for x in lines[1:] if x), "")
            text = textwrap.fill(
                f"{title}: {summary}", 98, initial_indent="# ", subsequent_indent="# "
            )
            return f"{text}\n#\n# {TODO}: say what mistake each resource shows\n\n"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tf_from_plan", description=__doc__)
    parser.add_argument("plans", nargs="+", type=Path, help="terraform.plan.json files")
    parser.add_argument("--stdout", action="store_true", help="print instead of writing")
    parser.add_argument("--name", default="terraform.tf", help="the root file's name")
    parser.add_argument("--docs", type=Path, default=Path("docs/rules"), help="rule doc pages")
    args = parser.parse_args(argv)
    status = 0
    for plan_path in args.plans:
        try:
            header = rule_header(plan_path.parent, args.docs)
            files = convert(json.loads(plan_path.read_text()), header)
        except (OSError, ValueError) as exc:
            print(f"{plan_path}: {exc}", file=sys.stderr)
            status = 2
            continue
        for relative, text in files.items():
            relative = args.name if relative == "terraform.tf" else relative
            if args.stdout:
                print(f"# --- {relative}\n{text}")
                continue
            target = plan_path.parent / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            marks = text.count(TODO)
            print(f"{target}" + (f": {marks} {TODO} marks" if marks else ""))
    return status


if __name__ == "__main__":
    sys.exit(main())
