"""The template reader: quoted strings, heredocs and bare templates → ``Template``/``Literal``.

Literal text, ``${expr}`` and ``%{directive}`` with strip markers, ``<<-`` indentation and
(in quoted strings) backslash escapes. The interpolations go back through the expression
parser it is given (``hcl_parse``'s lark reader).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from batchlint.sources.hcl_ast import (
    Expr,
    HclError,
    Interp,
    Literal,
    Pos,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
)
from batchlint.sources.hcl_common import At, ParseExpr, snippet
from batchlint.sources.hcl_scan import Frame, Lexer

_TEMPLATE_ESCAPES = re.compile(r"\\|\$\$\{|%%\{|\$\{|%\{")
_TEMPLATE_PLAIN = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_DECODE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.?)|\$\$\{|%%\{", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_DIRECTIVE = re.compile(r"\s*(if|else|endif|for|endfor)\b")
_FOR_VARS = re.compile(r"\s+([A-Za-z_][A-Za-z0-9_-]*)(?:\s*,\s*([A-Za-z_][A-Za-z0-9_-]*))?\s+in\b")
_WS = " \t\r\n"


@dataclass(slots=True)
class _Mark:
    """A ``${}`` or ``%{}`` in a template, before the parts are nested."""

    kind: str  # interp if else endif for endfor
    pos: Pos
    strip_left: bool
    strip_right: bool
    expr: Expr | None = None
    key_var: str | None = None
    value_var: str = ""


@dataclass(slots=True)
class _Open:
    mark: _Mark
    parent: list[TemplatePart]
    then: list[TemplatePart] = field(default_factory=list)
    other: list[TemplatePart] | None = None


class TemplateReader:
    """Reads ``src[start:end]`` as a template: literal text, ``${expr}``, ``%{directive}``."""

    def __init__(self, src: str, at: At, *, escapes: bool, expression: ParseExpr) -> None:
        self.src = src
        self.at = at
        self.escapes = escapes
        self.expression = expression

    def error(self, message: str, offset: int) -> HclError:
        pos = self.at(offset)
        return HclError(message, pos.line, pos.column)

    def read(
        self, start: int, end: int, pos: Pos, *, heredoc: bool = False, trim: bool = False
    ) -> Template | Literal:
        items = list(self._items(start, end))
        if trim:
            _trim_indent(items)
        _apply_strip_markers(items)
        parts = self._nest(items)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(cast(list[str], parts)), pos)
        return Template(parts, pos, heredoc)

    def _items(self, start: int, end: int) -> Iterator[str | _Mark]:
        pattern = _TEMPLATE_ESCAPES if self.escapes else _TEMPLATE_PLAIN
        i = literal = start
        while True:
            m = pattern.search(self.src, i, end)
            if m is None:
                yield self._literal(literal, end)
                return
            token = m.group()
            if token == "\\" or token in ("$${", "%%{"):
                i = m.end() + (1 if token == "\\" else 0)
                continue
            yield self._literal(literal, m.start())
            close = Lexer(self.src, self.at).scan(m.end(), [Frame(token, m.start())])
            if close >= end:  # pragma: no cover (the pre-scan keeps strings closed)
                raise self.error(f"unclosed '{token}'", m.start())
            yield self._mark(token, m.start(), m.end(), close)
            i = literal = close + 1

    def _literal(self, start: int, end: int) -> str:
        raw = self.src[start:end]
        if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
            return raw

        def decode(m: re.Match[str]) -> str:
            whole = m.group()
            if whole in ("$${", "%%{"):
                return whole[1:]
            if not self.escapes:
                return whole
            return self._escape(m.group(1), start + m.start())

        return _DECODE.sub(decode, raw)

    def _escape(self, code: str, offset: int) -> str:
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        if code[:1] in ("u", "U") and len(code) > 1:
            point = int(code[1:], 16)
            if point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF:
                return chr(point)
            raise self.error(f"invalid unicode escape '\\{code}'", offset)
        shown = code.encode("unicode_escape").decode("ascii")
        raise self.error(f"invalid escape sequence '\\{shown}' in a string", offset)

    def _mark(self, token: str, start: int, inner: int, close: int) -> _Mark:
        strip_left = self.src.startswith("~", inner)
        inner += strip_left
        last = close
        while last > inner and self.src[last - 1] in _WS:
            last -= 1
        strip_right = last > inner and self.src[last - 1] == "~"
        last -= strip_right
        pos = self.at(start)
        if token == "${":
            expr = self.expression(self.src[inner:last], self.at(inner))
            return _Mark("interp", pos, strip_left, strip_right, expr)
        return self._directive(self.src[inner:last], inner, _Mark("", pos, strip_left, strip_right))

    def _directive(self, text: str, offset: int, mark: _Mark) -> _Mark:
        m = _DIRECTIVE.match(text)
        if m is None:
            raise self.error(f"unknown template directive '%{{{snippet(text)}}}'", offset)
        mark.kind, rest = m.group(1), m.end()
        if mark.kind == "if":
            mark.expr = self.expression(text[rest:], self.at(offset + rest))
        elif mark.kind == "for":
            names = _FOR_VARS.match(text, rest)
            if names is None:
                raise self.error(
                    "expected '%{for NAME in EXPR}' or '%{for KEY, VALUE in EXPR}'", offset
                )
            mark.key_var, mark.value_var = (
                (names.group(1), names.group(2)) if names.group(2) else (None, names.group(1))
            )
            mark.expr = self.expression(text[names.end() :], self.at(offset + names.end()))
        elif text[rest:].strip():
            raise self.error(f"unexpected text after '%{{{mark.kind}'", offset + rest)
        return mark

    def _nest(self, items: list[str | _Mark]) -> tuple[TemplatePart, ...]:
        root: list[TemplatePart] = []
        current, stack = root, cast(list[_Open], [])
        for item in items:
            if isinstance(item, str):
                if item:
                    current.append(item)
            elif item.kind == "interp":
                current.append(Interp(cast(Expr, item.expr), item.pos))
            elif item.kind in ("if", "for"):
                stack.append(_Open(item, current))
                current = stack[-1].then
            elif item.kind == "else":
                if not stack or stack[-1].mark.kind != "if" or stack[-1].other is not None:
                    raise HclError("'%{else}' without an open '%{if}'", *_lc(item.pos))
                stack[-1].other = current = []
            else:
                current = self._close(stack, item)
        if stack:
            mark = stack[-1].mark
            raise HclError(
                f"'%{{{mark.kind}}}' has no '%{{end{mark.kind}}}'", mark.pos.line, mark.pos.column
            )
        return tuple(root)

    def _close(self, stack: list[_Open], item: _Mark) -> list[TemplatePart]:
        want = item.kind[3:]  # endif → if
        if not stack or stack[-1].mark.kind != want:
            raise HclError(f"'%{{{item.kind}}}' without an open '%{{{want}}}'", *_lc(item.pos))
        frame = stack.pop()
        mark, expr = frame.mark, cast(Expr, frame.mark.expr)
        node: TemplatePart
        if want == "if":
            node = TemplateIf(expr, tuple(frame.then), tuple(frame.other or ()), mark.pos)
        else:
            node = TemplateFor(mark.key_var, mark.value_var, expr, tuple(frame.then), mark.pos)
        frame.parent.append(node)
        return frame.parent


def _lc(pos: Pos) -> tuple[int, int]:
    return pos.line, pos.column


def _apply_strip_markers(items: list[str | _Mark]) -> None:
    for i, item in enumerate(items):
        if isinstance(item, str):
            continue
        if item.strip_left and i > 0 and isinstance(items[i - 1], str):
            items[i - 1] = cast(str, items[i - 1]).rstrip(_WS)
        if item.strip_right and i + 1 < len(items) and isinstance(items[i + 1], str):
            items[i + 1] = cast(str, items[i + 1]).lstrip(_WS)


def _trim_indent(items: list[str | _Mark]) -> None:
    """``<<-``: remove the indentation common to the lines, as Terraform does: lines of only
    spaces do not count, a line that starts with ``${`` or ``%{`` counts as unindented."""
    starts: list[tuple[int, int]] = []  # (item, offset) of each indented line start
    least, at_line_start = None, True
    for i, item in enumerate(items):
        if not isinstance(item, str):
            if at_line_start:
                least = 0
            at_line_start = False
            continue
        offsets = [0] if at_line_start else []
        offsets += [k + 1 for k, ch in enumerate(item[:-1]) if ch == "\n"]
        for offset in offsets:
            newline = item.find("\n", offset)
            line = item[offset : len(item) if newline == -1 else newline + 1]
            if newline != -1 and not line.strip():
                continue  # a blank line
            spaces = len(line) - len(line.lstrip(" \t"))
            least = spaces if least is None else min(least, spaces)
            starts.append((i, offset))
        if item:
            at_line_start = item.endswith("\n")
    if not least:
        return
    for i, offset in reversed(starts):
        text = cast(str, items[i])
        items[i] = text[:offset] + text[offset + least :]
