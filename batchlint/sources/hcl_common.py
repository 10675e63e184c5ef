"""Helpers shared by the HCL readers (pre-scan, templates, lark conversion, ``.tf.json``):
positions in a text, the nesting limit, the expression-parser hook, message snippets, numbers."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from batchlint.sources.hcl_ast import Expr, Pos

# Deeper nesting than this is no real configuration; refusing it keeps the recursive
# conversion far from Python's recursion limit.
MAX_DEPTH = 64

At = Callable[[int], Pos]  # a text offset → its position in the file
# One expression written at a position (``hcl_parse``'s reader), handed to the template and
# JSON readers so they need not import the lark conversion.
ParseExpr = Callable[[str, Pos], Expr]


class Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def at(self, offset: int) -> Pos:
        return Pos(*self.line_col(offset))

    def shifted(self, start: Pos) -> At:
        origin = Origin(start.line, start.column, 0)
        return lambda offset: origin.pos(*self.line_col(offset))


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a parsed text starts in the file; ``shift`` is the length of a prefix we
    added on its first line."""

    line: int
    column: int
    shift: int

    def pos(self, line: int, column: int) -> Pos:
        if line == 1:
            return Pos(self.line, self.column + max(column - 1 - self.shift, 0))
        return Pos(self.line + line - 1, column)


def number(text: str) -> int | float:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    value = float(text)
    return int(value) if value.is_integer() else value


def snippet(text: str, limit: int = 30) -> str:
    """User text quoted in a message: one line, cut short."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
