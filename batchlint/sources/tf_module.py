"""A Terraform module directory as a plan would show it, without a provider.

Reads the ``.tf``/``.tf.json`` files of a root module and the local modules it calls, binds
variables (defaults, ``TF_VAR_*``, ``.tfvars``, ``-var-file``, ``-var``), and evaluates
locals, resources, data sources and module outputs on first use with ``hcl_eval``: every
resource instance comes back with its values, an ``after_unknown`` mask and the blocks its
values came from, and ``config`` holds the expressions in a plan's ``configuration`` shape.
What only apply knows is unknown; nothing here raises: problems are collected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from batchlint.sources.hcl_ast import Block, GetAttr, HclFile, Name
from batchlint.sources.hcl_eval import UNKNOWN, Env, evaluate
from batchlint.sources.tf_declarations import Decl, ModuleConfig, Problem, Reader
from batchlint.sources.tf_instances import (
    META_ATTRIBUTES,
    BodyReader,
    Evaluated,
    Expansion,
    Expressions,
    Feed,
    InstanceObject,
    after_apply_refs,
    expand,
    plan_values,
)
from batchlint.sources.tf_policy_document import render
from batchlint.sources.tf_refs import Config, index_token, reference_texts
from batchlint.sources.tf_variables import convert, declared_type, root_values

__all__ = ["Loaded", "Problem", "TfInstance", "load_module"]

MAX_MODULE_DEPTH = 16
_VARIABLE = re.compile(r"^var\.([A-Za-z_][\w-]*)")
# references that name no resource of the module (what a module output may also read)
_NOT_ADDRESSES = ("count.", "each.", "path.", "terraform.", "self.")
_POLICY_DOCUMENT = "aws_iam_policy_document"
# module call arguments that are not input variables
_CALL_META = frozenset({"source", "version", *META_ATTRIBUTES})
_BUSY = object()  # a value asked for while it is being computed: a cycle
_LOCAL = re.compile(r"^local\.([A-Za-z_][\w-]*)$")
_RESOURCE = re.compile(r"^([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)")


@dataclass
class TfInstance:
    address: str  # module.a["x"].aws_batch_job_definition.this[0]
    type: str
    prefix: str  # module instance prefix: 'module.a["x"].' ('' in the root module)
    base: str  # "aws_batch_job_definition.this"
    index: int | str | None  # count index, for_each key, or None
    values: dict[str, object]  # planned_values: unknown -> None; partly known JSON: PartialJson
    unknown: dict[str, object]  # after_unknown
    file: str  # display path of the file with the resource block
    block: Block
    blocks: dict[str, tuple[str, Block]]  # value pointer under the instance -> (file, block)
    # value pointer under the instance -> the instance an after-apply value (an ID, an ARN)
    # comes from, whatever way it was passed
    refs: dict[str, str] = field(default_factory=dict)


@dataclass
class Loaded:
    instances: list[TfInstance]
    config: Config
    files: dict[str, HclFile]
    problems: list[Problem]
    region: str | None


def load_module(
    directory: Path,
    display: str,
    only: Sequence[Path] | None = None,
    variables: Mapping[str, str] = {},  # never written to
    var_files: Sequence[Path] = (),
    environ: Mapping[str, str] | None = None,
) -> Loaded:
    """Read the root module at ``directory`` (shown as ``display``) and its local modules."""
    loader = _Loader(Path(directory), display)
    try:
        loader.run(only, variables, var_files, os.environ if environ is None else environ)
    except Exception as exc:  # the last guard: a problem, never a traceback
        loader.reader.problem(f"{display}: cannot be read ({type(exc).__name__})", display, 1, 1)
    reader = loader.reader
    return Loaded(loader.instances, loader.config, reader.files, reader.problems, loader.region)


class _Loader:
    """One run: the reader, the configuration being filled, the instances found."""

    def __init__(self, root: Path, display: str) -> None:
        self.root = root
        self.reader = Reader(root, display)
        self.config = Config(None)
        self.instances: list[TfInstance] = []
        self.region: str | None = None
        self.constant_env = Env({}, module_dir=root)

    def run(
        self,
        only: Sequence[Path] | None,
        variables: Mapping[str, str],
        var_files: Sequence[Path],
        environ: Mapping[str, str],
    ) -> None:
        config = self.reader.module(self.root, only)
        values = root_values(self.reader, config, variables, var_files, environ)
        self.describe("", config)
        root = _Module(self, config, "", "", values, 0, (self.root.resolve(),))
        self.region = root.region()
        self.instances = root.instances()
        default_tags = root.default_tags()
        for instance in self.instances:
            tags = default_tags.get(_provider_of(instance.block), _NO_TAGS)
            if tags is not _NO_TAGS:
                _apply_default_tags(instance, tags)

    def describe(self, path: str, config: ModuleConfig) -> None:
        """A module's part of the plan's configuration (once per module path): its
        resources' expressions and its variables' sensitivity."""
        if path in self.config.variables:
            return
        self.config.variables[path] = _sensitivity(config)
        expressions = self.expressions(config)
        for key, (_, block) in config.resources.items():
            feeds = _feeds(expressions, block)
            self.config.resources[path + key] = expressions.body(block.body, feeds)

    def expressions(self, config: ModuleConfig, depth: int = 0) -> Expressions:
        """The configuration expressions of a module's bodies; a reference to a local
        module's output is followed to what the output reads (an edge through a module)."""

        def output_refs(name: str, output: str) -> list[str]:
            return self._output_refs(config, name, output, depth)

        return Expressions(config.local_refs, self.constant_env, output_refs)

    def _output_refs(self, config: ModuleConfig, name: str, output: str, depth: int) -> list[str]:
        call = config.modules.get(name)
        child = self._called(config, call[1]) if call is not None else None
        found = child.outputs.get(output) if child is not None else None
        value = found[1].body.attribute("value") if found is not None else None
        if call is None or child is None or value is None or depth >= MAX_MODULE_DEPTH:
            return []
        out: list[str] = []
        for ref in self.expressions(child, depth + 1).references(value.expr):
            variable = _VARIABLE.match(ref)
            if variable is not None:  # what the call passes in, as the caller reads it
                argument = call[1].body.attribute(variable.group(1))
                if argument is not None:
                    out.extend(self.expressions(config, depth + 1).references(argument.expr))
            elif not ref.startswith(_NOT_ADDRESSES):
                out.append(f"module.{name}.{ref}")
        return list(dict.fromkeys(out))

    def _called(self, config: ModuleConfig, call: Block) -> ModuleConfig | None:
        """The module a call runs, when its source is a local folder."""
        source = call.body.attribute("source")
        text = evaluate(source.expr, Env({})) if source is not None else None
        if not isinstance(text, str) or not text.startswith(("./", "../")):
            return None
        directory = config.directory / text
        return self.reader.module(directory) if directory.is_dir() else None

    def describe_call(self, path: str, caller: _Module, call: Block) -> None:
        """A module call's arguments, as the plan's configuration gives them."""
        if path not in self.config.inputs:
            arguments = caller.expressions.body(call.body, _feeds(caller.expressions, call))
            self.config.inputs[path] = {k: v for k, v in arguments.items() if k not in _CALL_META}


def _feeds(expressions: Expressions, block: Block) -> tuple[Feed, ...]:
    """An expression that reads ``each.value`` also reads what ``for_each`` references."""
    for_each = block.body.attribute("for_each")
    if for_each is None:
        return ()
    return (Feed("each.value", tuple(expressions.references(for_each.expr)), bound=False),)


def _sensitivity(config: ModuleConfig) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, (_, block) in config.variables.items():
        written = block.body.attribute("sensitive")
        sensitive = written is not None and evaluate(written.expr, Env({})) is True
        out[name] = {"sensitive": sensitive}
    return out


# -- a module instance ---------------------------------------------------------------------


class _Once:
    """Values computed on first use. Asked for while being computed (a cycle), a value is
    ``_BUSY``; ``cycle`` hears which keys were busy from the repeated one on.

    ``first`` names what a key's expression reads of the same kind: those are computed
    before it, deepest first, so a long chain of references does not nest Python calls."""

    def __init__(self, cycle: Callable[[list[str]], None] | None = None) -> None:
        self.done: dict[str, object] = {}
        self.busy: list[str] = []
        self.cycle = cycle

    def get(
        self,
        key: str,
        compute: Callable[[str], object],
        first: Callable[[str], Iterable[str]] | None = None,
    ) -> object:
        if key in self.done:
            return self.done[key]
        if first is not None and not self.busy:
            for earlier in _dependencies(key, first, self.done):
                self._get(earlier, compute)
        return self._get(key, compute)

    def _get(self, key: str, compute: Callable[[str], object]) -> object:
        if key in self.done:
            return self.done[key]
        if key in self.busy:
            if self.cycle is not None:
                self.cycle(self.busy[self.busy.index(key) :])
            return _BUSY
        self.busy.append(key)
        try:
            value = compute(key)
        finally:
            self.busy.pop()
        return self.done.setdefault(key, value)  # a cycle may have settled it already


def _dependencies(
    start: str, first: Callable[[str], Iterable[str]], done: Container[str]
) -> list[str]:
    """What ``start`` reads, transitively, each after what it reads itself (a depth-first
    walk with a stack of its own: chains may be long)."""
    order: list[str] = []
    seen = {start}
    stack = [(start, iter(first(start)))]
    while stack:
        node, pending = stack[-1]
        for item in pending:
            if item not in seen and item not in done:
                seen.add(item)
                stack.append((item, iter(first(item))))
                break
        else:
            stack.pop()
            order.append(node)
    return order[:-1]


class _View(Mapping[str, object]):
    """A root object (``var``, ``local``, ``aws_iam_role``, ``module``…) whose members are
    computed when an expression reads them."""

    def __init__(self, names: Sequence[str], read: Callable[[str], object]) -> None:
        self._names = dict.fromkeys(names)
        self._read = read

    def __getitem__(self, name: str) -> object:
        if name not in self._names:
            raise KeyError(name)
        return self._read(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass
class _Call:
    """The instances of a module call (``expansion`` None: a module from elsewhere)."""

    expansion: Expansion | None
    children: list[_Module]


_Blocks = tuple[Expansion, list[Evaluated]]


class _Module:
    """One instance of a module: its variables bound, everything else evaluated on use."""

    def __init__(
        self,
        loader: _Loader,
        config: ModuleConfig,
        prefix: str,
        path: str,
        variables: Mapping[str, object],
        depth: int,
        ancestors: tuple[Path, ...],
    ) -> None:
        self.loader = loader
        self.config = config
        self.prefix = prefix  # module.a["x"].
        self.path = path  # module.a.
        self.depth = depth
        self.ancestors = ancestors
        self.expressions = loader.expressions(config)
        self._locals = _Once(self._local_cycle)
        self._resources = _Once()
        self._data = _Once()
        self._calls = _Once()
        self._outputs = _Once()
        self.env = Env(self._roots(variables), module_dir=loader.root)

    def _roots(self, variables: Mapping[str, object]) -> dict[str, object]:
        try:
            relative = Path(os.path.relpath(self.config.directory, self.loader.root)).as_posix()
        except ValueError:  # another drive on Windows
            relative = self.config.directory.as_posix()
        roots: dict[str, object] = {
            "var": variables,
            "local": _View(list(self.config.locals), self._local),
            "path": {"module": relative, "root": ".", "cwd": "."},
            "terraform": {"workspace": "default"},
            "module": _View(list(self.config.modules), self._module_value),
            "data": _View(_types(self.config.data), self._data_type),
        }
        for type_ in _types(self.config.resources):
            roots[type_] = self._named(self.config.resources, type_, self._resource_value)
        return roots

    @staticmethod
    def _named(table: Mapping[str, Decl], type_: str, read: Callable[[str], object]) -> _View:
        names = [key.split(".", 1)[1] for key in table if key.split(".", 1)[0] == type_]
        return _View(names, lambda name: read(f"{type_}.{name}"))

    # -- locals --------------------------------------------------------------------------
    def _local(self, name: str) -> object:
        value = self._locals.get(name, self._compute_local, self._locals_read)
        return UNKNOWN if value is _BUSY else value

    def _locals_read(self, name: str) -> list[str]:
        refs = (_LOCAL.match(ref) for ref in self.config.local_refs(name))
        return [m.group(1) for m in refs if m is not None and m.group(1) in self.config.locals]

    def _compute_local(self, name: str) -> object:
        return evaluate(self.config.locals[name][1].expr, self.env)

    def _local_cycle(self, names: list[str]) -> None:
        for name in names:
            self._locals.done[name] = UNKNOWN
        declared = list(self.config.locals)
        start = names.index(min(names, key=declared.index))  # told from its first local
        names = names[start:] + names[:start]
        file, attribute = self.config.locals[names[0]]
        chain = " -> ".join(f"local.{n}" for n in [*names, names[0]])
        where = attribute.pos
        self.loader.reader.problem(
            f"{self.path}local.{names[0]}: cycle {chain}", file, where.line, where.column
        )

    # -- resources and data sources ------------------------------------------------------
    def _resource_value(self, key: str) -> object:
        found = self._resources.get(key, self._compute_resource, self._resources_read)
        if not isinstance(found, tuple):
            return UNKNOWN
        expansion, evaluated = found
        objects = [
            InstanceObject(e.values, f"{self.prefix}{key}{index_token(index)}")
            for (index, _), e in zip(expansion.instances, evaluated, strict=True)
        ]
        return expansion.value(objects)

    def _resources_read(self, key: str) -> list[str]:
        """The resources of this module a resource block's expressions read (through
        locals too: the configuration follows them)."""
        block = self.config.resources[key][1]
        texts = reference_texts(self.loader.config.resources.get(self.path + key))
        for name in ("count", "for_each"):
            written = block.body.attribute(name)
            if written is not None:
                texts.extend(self.expressions.references(written.expr))
        found = (_RESOURCE.match(text) for text in texts)
        keys = (f"{m.group(1)}.{m.group(2)}" for m in found if m is not None)
        return [k for k in dict.fromkeys(keys) if k in self.config.resources]

    def _compute_resource(self, key: str) -> _Blocks | None:
        return self._blocks(self.config.resources[key], self.path + key)

    def _data_type(self, type_: str) -> object:
        return self._named(self.config.data, type_, self._data_value)

    def _data_value(self, key: str) -> object:
        found = self._data.get(key, self._compute_data)
        if not isinstance(found, tuple):
            return UNKNOWN
        expansion, evaluated = found
        return expansion.value([_data_object(key, e.values) for e in evaluated])

    def _compute_data(self, key: str) -> _Blocks | None:
        return self._blocks(self.config.data[key], f"{self.path}data.{key}")

    def _blocks(self, decl: Decl, what: str) -> _Blocks | None:
        file, block = decl
        try:
            expansion = expand(block, self.env, file, self.loader.reader.report, what)
            reader = BodyReader(file, self.loader.reader.report)
            evaluated = [
                reader.read(block, self.env.child(roots) if roots else self.env)
                for _, roots in expansion.instances
            ]
        except Exception as exc:  # one resource's trouble stays its own
            self.loader.reader.report(f"{what}: cannot be read ({type(exc).__name__})", file, block)
            return None
        return expansion, evaluated

    # -- module calls --------------------------------------------------------------------
    def _module_value(self, name: str) -> object:
        call = self._calls.get(name, self._compute_call)
        if not isinstance(call, _Call) or call.expansion is None:
            return UNKNOWN
        return call.expansion.value([child.outputs() for child in call.children])

    def _compute_call(self, name: str) -> _Call | None:
        file, block = self.config.modules[name]
        what = f"{self.path}module.{name}"
        try:
            return self._call(name, file, block, what)
        except Exception as exc:  # one call's trouble stays its own
            self.loader.reader.report(f"{what}: cannot be read ({type(exc).__name__})", file, block)
            return None

    def _call(self, name: str, file: str, block: Block, what: str) -> _Call | None:
        source = block.body.attribute("source")
        text = evaluate(source.expr, Env({})) if source is not None else None
        if source is None or not isinstance(text, str):
            self.loader.reader.report(f"{what}: source must be a string", file, block)
            return None
        path = f"{self.path}module.{name}."
        self.loader.describe_call(path, self, block)
        if not text.startswith(("./", "../")):
            return _Call(None, [])  # a registry or remote module: outside the scan
        directory = self.config.directory / text
        at = source.pos
        if self.depth + 1 > MAX_MODULE_DEPTH:
            message = f"{what}: modules nest more than {MAX_MODULE_DEPTH} deep; not read"
            self.loader.reader.problem(message, file, at.line, at.column)
            return None
        if directory.resolve() in self.ancestors:
            message = f"{what}: {text} calls a module that is calling it (a cycle); not read"
            self.loader.reader.problem(message, file, at.line, at.column)
            return None
        if not directory.is_dir():
            self.loader.reader.problem(
                f"{what}: {text} is not a directory", file, at.line, at.column
            )
            return None
        config = self.loader.reader.module(directory)
        self.loader.describe(path, config)
        expansion = expand(block, self.env, file, self.loader.reader.report, what)
        children = []
        for index, roots in expansion.instances:
            env = self.env.child(roots) if roots else self.env
            variables = _CallVariables(config, block, env)
            prefix = f"{self.prefix}module.{name}{index_token(index)}."
            ancestors = (*self.ancestors, directory.resolve())
            child = _Module(self.loader, config, prefix, path, variables, self.depth + 1, ancestors)
            children.append(child)
        return _Call(expansion, children)

    def outputs(self) -> _View:
        return _View(list(self.config.outputs), self._output)

    def _output(self, name: str) -> object:
        value = self._outputs.get(name, self._compute_output)
        return UNKNOWN if value is _BUSY else value

    def _compute_output(self, name: str) -> object:
        written = self.config.outputs[name][1].body.attribute("value")
        return evaluate(written.expr, self.env) if written is not None else UNKNOWN

    # -- results -------------------------------------------------------------------------
    def region(self) -> str | None:
        """The default AWS provider's region, when known."""
        for _, block in self.config.providers:
            if block.labels[:1] != ("aws",) or block.body.attribute("alias") is not None:
                continue
            written = block.body.attribute("region")
            value = evaluate(written.expr, self.env) if written is not None else None
            return value if isinstance(value, str) and value else None
        return None

    def default_tags(self) -> dict[str, object]:
        """The AWS providers' ``default_tags { tags = … }`` by provider (``aws``,
        ``aws.<alias>``): every resource a provider creates has them in ``tags_all``."""
        out: dict[str, object] = {}
        for _, block in self.config.providers:
            if block.labels[:1] != ("aws",):
                continue
            alias = block.body.attribute("alias")
            name = evaluate(alias.expr, self.env) if alias is not None else None
            key = f"aws.{name}" if isinstance(name, str) else "aws"
            for nested in block.body.blocks_of("default_tags")[:1]:
                tags = nested.body.attribute("tags")
                out[key] = evaluate(tags.expr, self.env) if tags is not None else {}
        return out

    def instances(self) -> list[TfInstance]:
        """The managed resource instances of this module, then of the modules it calls."""
        out: list[TfInstance] = []
        for key, (file, block) in self.config.resources.items():
            found = self._resources.get(key, self._compute_resource, self._resources_read)
            if not isinstance(found, tuple):
                continue
            expansion, evaluated = found
            for (index, _), one in zip(expansion.instances, evaluated, strict=True):
                values, unknown = plan_values(one.values)
                refs = after_apply_refs(one.values)
                address = f"{self.prefix}{key}{index_token(index)}"
                type_ = key.split(".", 1)[0]
                out.append(
                    TfInstance(
                        address,
                        type_,
                        self.prefix,
                        key,
                        index,
                        values,
                        unknown,
                        file,
                        block,
                        one.blocks,
                        refs,
                    )
                )
        for name in self.config.modules:
            call = self._calls.get(name, self._compute_call)
            if isinstance(call, _Call):
                for child in call.children:
                    out.extend(child.instances())
        return out


class _CallVariables(Mapping[str, object]):
    """A called module's variables: the call's arguments, evaluated in the caller when read,
    converted to the declared types; a variable with neither argument nor default is
    unknown."""

    def __init__(self, config: ModuleConfig, call: Block, caller: Env) -> None:
        self._config = config
        self._call = call
        self._caller = caller
        self._once = _Once()

    def __getitem__(self, name: str) -> object:
        if name not in self._config.variables:
            raise KeyError(name)
        value = self._once.get(name, self._compute)
        return UNKNOWN if value is _BUSY else value

    def _compute(self, name: str) -> object:
        block = self._config.variables[name][1]
        type_ = declared_type(block)
        argument = self._call.body.attribute(name)
        if argument is not None:
            return convert(evaluate(argument.expr, self._caller), type_)
        default = block.body.attribute("default")
        if default is None:
            return UNKNOWN
        return convert(evaluate(default.expr, Env({})), type_)

    def __iter__(self) -> Iterator[str]:
        return iter(self._config.variables)

    def __len__(self) -> int:
        return len(self._config.variables)


_NO_TAGS = object()


def _provider_of(block: Block) -> str:
    """The provider configuration a resource block names (``provider = aws.tagged``)."""
    written = block.body.attribute("provider")
    if written is not None and isinstance(written.expr, GetAttr):
        target = written.expr.target
        if isinstance(target, Name):
            return f"{target.name}.{written.expr.name}"
    return "aws"


def _apply_default_tags(instance: TfInstance, default_tags: object) -> None:
    """``tags_all`` as the provider computes it: the default tags, the resource's own over
    them; unknown when either is."""
    taggable = instance.type.startswith("aws_batch_") or "tags" in instance.values
    if not instance.type.startswith("aws_") or not taggable:
        return
    own = instance.values.get("tags")
    if isinstance(default_tags, dict) and not instance.unknown.get("tags"):
        merged = {**default_tags, **(own if isinstance(own, dict) else {})}
        instance.values["tags_all"] = {k: v for k, v in merged.items() if isinstance(v, str)}
    else:
        instance.values["tags_all"] = None
        instance.unknown["tags_all"] = True


def _types(table: Mapping[str, Decl]) -> list[str]:
    return list(dict.fromkeys(key.split(".", 1)[0] for key in table))


def _data_object(key: str, values: dict[str, object]) -> dict[str, object]:
    """What a data source gives its readers: a policy document renders its JSON; any other
    reads everything from the provider (absent keys read as unknown)."""
    if key.split(".", 1)[0] != _POLICY_DOCUMENT:
        return {}
    rendered, minified = render(values)
    return {**values, "json": rendered, "minified_json": minified}
