"""The declarations of a Terraform module directory: its files read, parsed and merged.

Files are read in lexical order; override files (``override.tf``, ``*_override.tf`` and
their ``.tf.json`` forms) are merged over the blocks they name, as Terraform does. A block
declared twice is a problem at the second; the first stays. Problems are collected, never
raised: a file that does not parse leaves the rest of the module readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from batchlint.sources.hcl_ast import (
    Attribute,
    Block,
    Body,
    Expr,
    HclError,
    HclFile,
    Literal,
    Name,
    ObjectExpr,
    Template,
    TupleExpr,
)
from batchlint.sources.hcl_eval import Env, evaluate, references
from batchlint.sources.hcl_parse import parse_file, parse_json_file

MAX_FILE_BYTES = 10 * 1024 * 1024
_MAX_DEPTH = 32
_TABLES = {
    "resource": "resources",
    "data": "data",
    "variable": "variables",
    "output": "outputs",
    "module": "modules",
}
# object-valued arguments that are maps, not blocks, where .tf.json cannot tell them apart
_JSON_MAPS = frozenset(
    {
        "tags",
        "tags_all",
        "parameters",
        "labels",
        "annotations",
        "limits",
        "requests",
        "variables",
        "triggers",
        "environment_variables",
    }
)

Decl = tuple[str, Block]  # (display path of the file, block)


@dataclass
class Problem:
    message: str
    file: str  # display path
    line: int
    column: int


@dataclass
class ModuleConfig:
    """The declarations of one module directory, override files merged in."""

    directory: Path
    resources: dict[str, Decl] = field(default_factory=dict)  # by "type.name"
    data: dict[str, Decl] = field(default_factory=dict)  # by "type.name"
    variables: dict[str, Decl] = field(default_factory=dict)
    locals: dict[str, tuple[str, Attribute]] = field(default_factory=dict)
    outputs: dict[str, Decl] = field(default_factory=dict)
    modules: dict[str, Decl] = field(default_factory=dict)
    providers: list[Decl] = field(default_factory=list)
    _local_refs: dict[str, list[str]] = field(default_factory=dict)

    def local_refs(self, name: str) -> list[str]:
        """The references of a local's expression (computed once)."""
        if name not in self._local_refs:
            found = self.locals.get(name)
            self._local_refs[name] = references(found[1].expr) if found else []
        return self._local_refs[name]


class Reader:
    """Reads module directories (each once) and variable files; collects problems."""

    def __init__(self, root: Path, display: str) -> None:
        self.root = root
        self.display = display
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str, int, int]] = set()
        self.files: dict[str, HclFile] = {}
        self._configs: dict[Path, ModuleConfig] = {}

    def problem(self, message: str, file: str, line: int, column: int) -> None:
        """Record a problem once (a module called several times repeats its own)."""
        key = (message, file, line, column)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(Problem(message, file, line, column))

    def report(self, message: str, file: str, block: Block) -> None:
        self.problem(message, file, block.pos.line, block.pos.column)

    # -- files -----------------------------------------------------------------------------
    def shown(self, path: Path) -> str:
        """A root module file as ``display``/name; any other file relative to the working
        directory when below it."""
        if path.parent == self.root:
            base = self.display.rstrip("/")
            return path.name if base in ("", ".") else f"{base}/{path.name}"
        from batchlint.inputs import display_name  # which imports the sources package

        return display_name(path)

    def read_text(self, path: Path, shown: str) -> str | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.problem(f"{shown} is over 10 MB; not read", shown, 1, 1)
                return None
            data = path.read_bytes()
        except OSError as exc:
            self.problem(f"{shown} cannot be read ({exc.strerror or exc})", shown, 1, 1)
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(f"{shown} is not UTF-8 text (byte {exc.start})", shown, line, 1)
            return None
        return text.removeprefix("\ufeff")

    def parse(self, path: Path) -> HclFile | None:
        shown = self.shown(path)
        text = self.read_text(path, shown)
        if text is None:
            return None
        try:
            if path.name.endswith(".json"):
                parsed = parse_json_file(text, shown)
                parsed = HclFile(parsed.path, json_blocks(parsed.body), parsed.comments)
            else:
                parsed = parse_file(text, shown)
        except HclError as exc:
            self.problem(exc.message, shown, exc.line, exc.column)
            return None
        self.files[shown] = parsed
        return parsed

    # -- declarations ----------------------------------------------------------------------
    def module(self, directory: Path, only: Sequence[Path] | None = None) -> ModuleConfig:
        """The declarations of a module directory (``only``: just these files of it)."""
        key = directory.resolve()
        if key in self._configs:
            return self._configs[key]
        config = ModuleConfig(directory)
        self._configs[key] = config
        overrides: list[HclFile] = []
        for path in self._paths(directory, only):
            parsed = self.parse(path)
            if parsed is None:
                continue
            if _is_override(path.name):
                overrides.append(parsed)
                continue
            for block in parsed.body.blocks:
                self._declare(config, parsed.path, block)
        for parsed in overrides:
            for block in parsed.body.blocks:
                self._override(config, parsed.path, block)
        return config

    def _paths(self, directory: Path, only: Sequence[Path] | None) -> list[Path]:
        if only is not None:
            return sorted((Path(p) for p in only), key=lambda p: p.name)
        try:
            found = [p for p in directory.iterdir() if _is_config_file(p.name) and p.is_file()]
        except OSError as exc:
            shown = self.display if directory == self.root else str(directory)
            self.problem(f"{shown} cannot be read ({exc.strerror or exc})", shown, 1, 1)
            return []
        return sorted(found, key=lambda p: p.name)

    def _declare(self, config: ModuleConfig, file: str, block: Block) -> None:
        if block.type == "locals":
            for attribute in block.body.attributes:
                earlier = config.locals.get(attribute.name)
                if earlier is None:
                    config.locals[attribute.name] = (file, attribute)
                    continue
                where = _where(earlier[0], earlier[1].pos.line)
                message = f"local.{attribute.name} is already declared at {where}"
                self.problem(message, file, attribute.pos.line, attribute.pos.column)
            return
        if block.type == "provider":
            config.providers.append((file, block))
            return
        found = self._table(config, file, block)
        if found is None:
            return
        table, key, what = found
        if key in table:
            earlier_file, earlier_block = table[key]
            where = _where(earlier_file, earlier_block.pos.line)
            self.report(f"{what} is already declared at {where}", file, block)
        else:
            table[key] = (file, block)

    def _table(
        self, config: ModuleConfig, file: str, block: Block
    ) -> tuple[dict[str, Decl], str, str] | None:
        name = _TABLES.get(block.type)
        if name is None:
            return None  # terraform, moved, import, check, removed…
        labels = 2 if block.type in ("resource", "data") else 1
        if len(block.labels) != labels:
            self.report(f"a {block.type} block needs {labels} label(s)", file, block)
            return None
        key = ".".join(block.labels)
        table: dict[str, Decl] = getattr(config, name)
        return table, key, f"{block.type} {key}"

    def _override(self, config: ModuleConfig, file: str, block: Block) -> None:
        if block.type == "locals":
            for attribute in block.body.attributes:
                if attribute.name in config.locals:
                    config.locals[attribute.name] = (file, attribute)
                    continue
                message = f"local.{attribute.name}: no local of that name to override"
                self.problem(message, file, attribute.pos.line, attribute.pos.column)
            return
        if block.type == "provider":
            for i, (base_file, base) in enumerate(config.providers):
                if base.labels == block.labels and _alias(base) == _alias(block):
                    config.providers[i] = (base_file, merged(base, block))
            return
        found = self._table(config, file, block)
        if found is None:
            return
        table, key, what = found
        if key not in table:
            self.report(f"{what}: no block of that name to override", file, block)
            return
        base_file, base = table[key]
        table[key] = (base_file, merged(base, block))


def _is_config_file(name: str) -> bool:
    if name.startswith((".", "#")) or name.endswith("~"):
        return False  # editor and backup files, which Terraform skips too
    return name.endswith((".tf", ".tf.json"))


def _is_override(name: str) -> bool:
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _where(file: str, line: int) -> str:
    return f"{file.rsplit('/', 1)[-1]}:{line}"


def _alias(block: Block) -> object:
    alias = block.body.attribute("alias")
    return evaluate(alias.expr, Env({})) if alias is not None else None


def merged(base: Block, override: Block) -> Block:
    """An override block over its base: each argument replaces the base's one of that name;
    nested blocks of a type (``dynamic`` ones by the type they make) replace all of the
    base's blocks of that type. The block keeps the base's place."""
    attributes = {a.name: a for a in base.body.attributes}
    for attribute in override.body.attributes:
        attributes[attribute.name] = attribute
    replaced = {_block_key(b) for b in override.body.blocks}
    blocks = [b for b in base.body.blocks if _block_key(b) not in replaced]
    body = Body(tuple(attributes.values()), (*blocks, *override.body.blocks))
    return Block(base.type, base.labels, body, base.pos, base.end_line)


def _block_key(block: Block) -> str:
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


# -- .tf.json nested blocks ----------------------------------------------------------------


def json_blocks(body: Body) -> Body:
    """Terraform's JSON syntax writes a nested block as an object (several as an array of
    objects); only the provider's schema tells a block from a map argument. Here an object
    argument of a resource or data block is a block unless its name is a well-known map
    (``tags``…), and ``"dynamic"`` holds dynamic blocks, so both syntaxes read alike."""
    blocks = tuple(
        Block(b.type, b.labels, _nested(b.body, 0), b.pos, b.end_line)
        if b.type in ("resource", "data")
        else b
        for b in body.blocks
    )
    return Body(body.attributes, blocks)


def _nested(body: Body, depth: int) -> Body:
    attributes: list[Attribute] = []
    blocks: list[Block] = list(body.blocks)
    for attribute in body.attributes:
        objects = _objects(attribute.expr)
        if depth > _MAX_DEPTH or attribute.name in _JSON_MAPS or objects is None:
            attributes.append(attribute)
        elif attribute.name == "dynamic":
            for obj in objects:
                blocks.extend(_dynamic(obj, depth))
        else:
            blocks.extend(_block(attribute.name, (), obj, depth) for obj in objects)
    return Body(tuple(attributes), tuple(blocks))


def _objects(expr: Expr) -> list[ObjectExpr] | None:
    if isinstance(expr, ObjectExpr):
        return [expr]
    if (
        isinstance(expr, TupleExpr)
        and expr.items
        and all(isinstance(i, ObjectExpr) for i in expr.items)
    ):
        return [i for i in expr.items if isinstance(i, ObjectExpr)]
    return None


def _block(type_: str, labels: tuple[str, ...], obj: ObjectExpr, depth: int) -> Block:
    body = Body(tuple(_members(obj)))
    end = max((item.value.pos.line for item in obj.items), default=obj.pos.line)
    return Block(type_, labels, _nested(body, depth + 1), obj.pos, end)


def _members(obj: ObjectExpr) -> list[Attribute]:
    out = []
    for item in obj.items:
        key = _text(item.key)
        if key is not None:
            out.append(Attribute(key, item.value, item.pos))
    return out


def _dynamic(obj: ObjectExpr, depth: int) -> list[Block]:
    """``"dynamic": {"x": {"for_each": …, "iterator": "it", "content": {…}}}``."""
    out = []
    for item in obj.items:
        label = _text(item.key)
        if label is None or not isinstance(item.value, ObjectExpr):
            continue
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for member in _members(item.value):
            if member.name == "content" and isinstance(member.expr, ObjectExpr):
                blocks.append(_block("content", (), member.expr, depth + 1))
            elif member.name == "iterator" and _text(member.expr) is not None:
                name = Name(_text(member.expr) or "", member.expr.pos)
                attributes.append(Attribute("iterator", name, member.pos))
            else:
                attributes.append(member)
        body = Body(tuple(attributes), tuple(blocks))
        out.append(Block("dynamic", (label,), body, item.pos, item.value.pos.line))
    return out


def _text(expr: Expr) -> str | None:
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None
