"""Terraform addresses and `configuration` references: which resource an expression names.

``terraform show -json`` lists, for every attribute expression, the references it makes,
from the longest form to the shortest (``aws_subnet.a[0].id``, ``aws_subnet.a[0]``,
``aws_subnet.a``). Addresses inside a module's configuration are relative to that module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'
_REF = re.compile(rf"([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)({_KEY})?")
_ATTRIBUTE = re.compile(r"\.([A-Za-z_][\w-]*)")
# the module path a reference goes through: what a module output names, as the .tf source
# spells it (``module.ce.aws_batch_compute_environment.this.arn``)
_THROUGH = re.compile(rf"(?:module\.[A-Za-z_][\w-]*(?:{_KEY})?\.)+")
_MODULE = re.compile(rf"module\.([^.\[]+)({_KEY})?\.")
_ADDRESS = re.compile(
    rf"^((?:module\.[^.\[]+(?:{_KEY})?\.)*)(?:data\.)?([^.\[]+)\.([^.\[]+)({_KEY})?$"
)
_KEYS = re.compile(_KEY)
# attributes whose value identifies the resource itself: `aws_vpc.main.id` is an edge to the
# VPC, `aws_vpc.main.default_security_group_id` is not
IDENTIFYING = frozenset({"id", "arn", "name", "arn_prefix", "compute_environment_name"})
# first words of references that never name a managed resource of this module
_NOT_RESOURCES = frozenset(
    {"var", "local", "data", "module", "count", "each", "path", "self", "terraform", "ephemeral"}
)

Index = int | str | None


def index_token(index: Index) -> str:
    """How Terraform writes an instance key in an address: ``[0]`` or ``["key"]``."""
    if index is None:
        return ""
    if isinstance(index, int) and not isinstance(index, bool):
        return f"[{index}]"
    return "[" + json.dumps(str(index), ensure_ascii=False) + "]"


def parse_key(token: str) -> Index:
    if not token:
        return None
    inner = token[1:-1]
    if inner.isdigit():
        return int(inner)
    try:
        key = json.loads(inner)
    except ValueError:
        return inner
    return key if isinstance(key, str) else inner


def split_address(address: str) -> tuple[str, str, Index] | None:
    """(module instance prefix such as ``module.a["x"].``, ``type.name``, instance key)."""
    match = _ADDRESS.match(address)
    if match is None:
        return None
    prefix, type_, name, key = match.groups()
    return prefix, f"{type_}.{name}", parse_key(key or "")


def type_of(address: str) -> str:
    """The resource type of an address (``""`` when it is not one)."""
    parts = split_address(address)
    return parts[1].split(".", 1)[0] if parts else ""


def config_path(module_prefix: str) -> str:
    """A module instance prefix without its instance keys: the configuration it runs."""
    return _KEYS.sub("", module_prefix)


class Config:
    """The expressions of every resource block and module call in ``configuration``."""

    MAX_DEPTH = 64

    def __init__(self, configuration: object) -> None:
        self.resources: dict[str, dict[str, object]] = {}  # "module.a.aws_x.y" -> expressions
        self.inputs: dict[str, dict[str, object]] = {}  # "module.a." -> module call arguments
        self.variables: dict[str, dict[str, object]] = {}  # "module.a." -> its declarations
        if isinstance(configuration, dict):
            self._module(configuration.get("root_module"), "", 0)

    def _module(self, module: object, prefix: str, depth: int) -> None:
        if not isinstance(module, dict) or depth > self.MAX_DEPTH:
            return
        variables = module.get("variables")
        if isinstance(variables, dict):
            self.variables[prefix] = variables
        resources = module.get("resources")
        for block in resources if isinstance(resources, list) else ():
            if not isinstance(block, dict) or block.get("mode", "managed") != "managed":
                continue
            address, expressions = block.get("address"), block.get("expressions")
            if isinstance(address, str) and isinstance(expressions, dict):
                self.resources[prefix + address] = expressions
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if not isinstance(call, dict):
                continue
            child = f"{prefix}module.{name}."
            arguments = call.get("expressions")
            if isinstance(arguments, dict):
                self.inputs[child] = arguments
            self._module(call.get("module"), child, depth + 1)

    def expressions(self, module_prefix: str, base: str) -> dict[str, object] | None:
        return self.resources.get(config_path(module_prefix) + base)

    def variable(self, module_prefix: str, name: str) -> dict[str, object] | None:
        """The declaration of variable ``name`` in the module running at ``module_prefix``."""
        found = self.variables.get(config_path(module_prefix), {}).get(name)
        return found if isinstance(found, dict) else None


class Resolver:
    """Resolves the references of an expression to addresses of resources in scope."""

    def __init__(self, resources: Iterable[tuple[str, str, str, Index]], config: Config) -> None:
        """``resources``: (address, module prefix, ``type.name``, instance key) of each."""
        self.config = config
        self.known: set[str] = set()
        self.instances: dict[str, list[tuple[Index, str]]] = {}
        for address, prefix, base, index in resources:
            self.known.add(address)
            if index is not None:
                self.instances.setdefault(prefix + base, []).append((index, address))
        for group in self.instances.values():
            group.sort(key=_order)

    def resolve(
        self, refs: object, prefix: str, index: Index, many: bool, any_attribute: bool = False
    ) -> list[str]:
        """Distinct target addresses, in the order the expression names them.

        ``many`` (a list attribute) expands a reference to a whole counted resource
        (``aws_subnet.a[*].id``) into all its instances; otherwise, and when the expression
        is indexed by ``count.index``/``each.key``, the instance with the referrer's own
        key is meant, else the first. Only references through an identifying attribute
        count, unless ``any_attribute``.
        """
        if not isinstance(refs, list):
            return []
        bound = any(isinstance(r, str) and r.startswith(("count.", "each.")) for r in refs)
        named: dict[str, list[str]] = {}
        attributes: dict[str, set[str]] = {}  # "type.name[key]" -> attributes read from it
        variables: list[str] = []
        for ref in refs:
            through = _THROUGH.match(ref) if isinstance(ref, str) else None
            start = through.end() if through is not None else 0
            match = _REF.match(ref, start) if isinstance(ref, str) else None
            if match is None:
                continue
            if match.group(1) == "var" and not start:
                variables.append(match.group(2))
                continue
            if match.group(1) in _NOT_RESOURCES:
                continue
            module = ref[:start]
            base, key = f"{module}{match.group(1)}.{match.group(2)}", match.group(3) or ""
            keys = named.setdefault(base, [])
            if key and key not in keys:
                keys.append(key)
            attribute = _ATTRIBUTE.match(ref, match.end())
            if attribute is not None:
                attributes.setdefault(base + key, set()).add(attribute.group(1))
        out: list[str] = []
        for base, keys in named.items():
            if not any_attribute:
                kept = [k for k in keys if _identifies(attributes.get(base + k))]
                if (keys and not kept) or not _identifies(attributes.get(base)):
                    continue
                keys = kept
            out.extend(self._targets(prefix + base, keys, index, many and not bound))
        for name in variables:
            out.extend(self._through_input(prefix, name, many))
        return list(dict.fromkeys(out))

    def instance(self, full: str, key: str, index: Index) -> str | None:
        """The instance a reference to ``full`` (``module.a.aws_x.y``, with its instance key
        token ``key`` if it has one) reads from a referrer with instance key ``index``."""
        found = self._targets(full, [key] if key else [], index, False)
        return found[0] if found else None

    def _targets(self, full: str, keys: list[str], index: Index, expand: bool) -> list[str]:
        if keys:
            return [full + key for key in keys if full + key in self.known]
        if full in self.known:
            return [full]
        group = self.instances.get(full)
        if not group:
            return []
        if expand:
            return [address for _, address in group]
        for key, address in group:
            if key == index:
                return [address]
        return [group[0][1]]

    def _through_input(self, prefix: str, variable: str, many: bool) -> list[str]:
        """A module variable names what the calling module passed in, if that is a resource."""
        if not prefix:
            return []  # a root module variable: its value is no resource of the scan
        calls = list(_MODULE.finditer(prefix))
        if not calls or calls[-1].end() != len(prefix):
            return []
        arguments = self.config.inputs.get(config_path(prefix), {})
        expression = arguments.get(variable)
        if not isinstance(expression, dict):
            return []
        parent = prefix[: calls[-1].start()]
        key = parse_key(calls[-1].group(2) or "")
        return self.resolve(expression.get("references"), parent, key, many)


# -- what an expression reads ----------------------------------------------------------------

# a reference that reads something: [data.]type.name[key][.attribute], var.x, local.x, module.x
_NAME = r"[A-Za-z_][\w-]*"
_READ = re.compile(rf"^(data\.)?({_NAME})\.({_NAME})({_KEY})?(?:\.({_NAME}))?")
# first words of references that read nothing of the configuration
_NOT_READS = frozenset({"count", "each", "path", "self", "terraform"})


@dataclass(frozen=True, slots=True)
class Read:
    """One reference of an expression, parsed (its most specific form only)."""

    text: str
    type: str  # resource or data source type, or "var", "local", "module"
    name: str  # the resource's, variable's, local's or module's name
    key: str  # the instance key token as written (``[0]``), or ""
    attribute: str | None  # the attribute read, if the reference names one
    data: bool


def reference_texts(expression: object, depth: int = 0) -> list[str]:
    """Every reference an attribute's expression makes, nested blocks included, in order:
    ``{"references": [...]}`` leaves, lists of blocks and blocks of attributes."""
    out: list[str] = []
    if depth > Config.MAX_DEPTH:
        return out
    if isinstance(expression, dict):
        refs = expression.get("references")
        if isinstance(refs, list):
            out.extend(r for r in refs if isinstance(r, str))
        for key, value in expression.items():
            if key not in ("references", "constant_value") and isinstance(value, (dict, list)):
                out.extend(reference_texts(value, depth + 1))
    elif isinstance(expression, list):
        for item in expression:
            out.extend(reference_texts(item, depth + 1))
    return list(dict.fromkeys(out))


def reads(texts: list[str]) -> list[Read]:
    """The references that read something, each in its most specific form: Terraform lists
    ``aws_x.a[0].value``, ``aws_x.a[0]`` and ``aws_x.a``; only the first says what is read."""
    out = []
    for text in texts:
        if any(o != text and o.startswith((text + ".", text + "[")) for o in texts):
            continue
        match = _READ.match(text)
        if match is None:
            continue
        data, type_, name, key, attribute = match.groups()
        if type_ in _NOT_READS or (type_ == "data" and not data):
            continue
        if type_ in ("var", "local"):
            out.append(Read(text, type_, name, "", name, False))
        elif type_ == "module":
            out.append(Read(text, type_, name, key or "", attribute, False))
        else:
            out.append(Read(text, type_, name, key or "", attribute, bool(data)))
    return out


def _identifies(attributes: set[str] | None) -> bool:
    """Whether a reference reads the resource itself: no attribute (a splat, a ``for``
    over it, the whole object) or one that identifies it."""
    return attributes is None or not attributes.isdisjoint(IDENTIFYING)


def _order(item: tuple[Index, str]) -> tuple[int, int, str]:
    key = item[0]
    if isinstance(key, int):
        return (0, key, "")
    return (1, 0, str(key))
