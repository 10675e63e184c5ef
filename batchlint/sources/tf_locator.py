"""Where a value of a ``.tf`` module is written: file, line and column.

Pointers of the ``.tf`` source start at a resource instance (``/aws_batch_job_definition.x[0]``)
and go on as the plan's values would (``/compute_resources/0/instance_type/1``); the module
reader records which block each nested block value came from, and the locator walks from
there into the attribute and, through list and object constructors (``jsonencode({...})``
included), to the element or key that holds the value. A place that is not a resource value
(a comment, a file problem) has a pointer of its own: ``/#/<file>/<line>/<column>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from batchlint.location import escape, split
from batchlint.sources.hcl_ast import (
    Block,
    Call,
    Expr,
    Interp,
    ObjectExpr,
    Pos,
    Template,
    TupleExpr,
)
from batchlint.sources.hcl_eval import static_key

if TYPE_CHECKING:
    from batchlint.sources.tf_module import TfInstance

FILE_MARK = "#"
_KEYS = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')
# functions whose first argument is the value itself, as far as its shape goes
_TRANSPARENT = frozenset(
    {"jsonencode", "yamlencode", "tolist", "toset", "tomap", "sensitive", "nonsensitive"}
)


def file_pointer(file: str, line: int, column: int = 1) -> str:
    """The pointer of a place in a file that is no resource value."""
    return f"/{FILE_MARK}/{escape(file)}/{line}/{column}"


def config_address(address: str) -> str:
    """An instance address without its instance keys: the block that declares it."""
    return _KEYS.sub("", address)


def instance_glob(address: str) -> str:
    """An address glob for every instance of the block (and of the module calls) that
    declares ``address``: each key matches any key ("[" is written "[[]" in a glob)."""
    return _KEYS.sub("[[]*]", address)


class TfLocator:
    """Locates the ``.tf`` source's pointers (``place``); ``file`` is shown for the rest."""

    def __init__(self, file: str, instances: Iterable[TfInstance]) -> None:
        self.file = file
        self._by_address: dict[str, TfInstance] = {}
        self._by_block: dict[str, TfInstance] = {}
        for item in instances:
            self._by_address.setdefault(item.address, item)
            self._by_block.setdefault(config_address(item.address), item)

    def locate(self, pointer: str) -> tuple[int, int]:
        _, line, column = self.place(pointer)
        return line, column

    def place(self, pointer: str, inner: str = "") -> tuple[str, int, int]:
        tokens = split(pointer)
        if len(tokens) >= 3 and tokens[0] == FILE_MARK:
            return tokens[1], _int(tokens[2]), _int(tokens[3]) if len(tokens) > 3 else 1
        found = self.find(tokens[0], tokens[1:] + split(inner)) if tokens else None
        return found or (self.file, 1, 1)

    def find(self, address: str, path: list[str]) -> tuple[str, int, int] | None:
        """Where the value at ``path`` under instance ``address`` is written; an address
        this module does not have (a plan's instance of a block whose count the ``.tf`` could
        not tell) falls back to the block that declares it. None: no such resource."""
        item = self._by_address.get(address) or self._by_block.get(config_address(address))
        if item is None:
            return None
        file, block, at = item.file, item.block, ""
        i = 0
        while i + 1 < len(path):  # down through the nested blocks the value came from
            candidate = f"{at}/{escape(path[i])}/{escape(path[i + 1])}"
            if candidate not in item.blocks:
                break
            file, block = item.blocks[candidate]
            at, i = candidate, i + 2
        pos = block.pos
        if i < len(path):
            pos = _in_body(block, path[i:]) or pos
        return file, pos.line, pos.column


def _in_body(block: Block, path: list[str]) -> Pos | None:
    attribute = block.body.attribute(path[0])
    if attribute is None:
        written = block.body.blocks_of(path[0])  # a block of a type the value did not record
        return written[0].pos if written else None
    pos, expr = attribute.pos, attribute.expr
    for token in path[1:]:
        inside = child(expr, token)
        if inside is None:
            break
        expr = inside
        pos = expr.pos
    return pos


def child(expr: Expr, token: str) -> Expr | None:
    """The part of a constructor that holds element or key ``token`` of its value."""
    expr = _unwrapped(expr)
    if isinstance(expr, TupleExpr):
        if token.isdigit() and int(token) < len(expr.items):
            return expr.items[int(token)]
        return None
    if isinstance(expr, ObjectExpr):
        for item in expr.items:
            key = static_key(item.key)
            if key is not None and str(key) == token:
                return item.value
    return None


def _unwrapped(expr: Expr) -> Expr:
    """Through ``jsonencode(…)`` and the like, and a template that is one interpolation."""
    for _ in range(8):
        if isinstance(expr, Call) and expr.name in _TRANSPARENT and len(expr.args) == 1:
            expr = expr.args[0]
        elif (
            isinstance(expr, Template)
            and len(expr.parts) == 1
            and isinstance(expr.parts[0], Interp)
        ):
            expr = expr.parts[0].expr
        else:
            break
    return expr


def _int(text: str) -> int:
    return int(text) if text.isdigit() and int(text) > 0 else 1
