"""Terraform's JSON syntax (``.tf.json``) → ``hcl_ast``.

A small JSON reader that keeps where each value starts, then Terraform's reading of the
document: blocks by type and labels, ``//`` comments, attribute strings as templates (or as
expressions where Terraform reads them so).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import cast

from batchlint.sources.hcl_ast import (
    Attribute,
    Block,
    Body,
    Comment,
    Expr,
    HclError,
    Literal,
    ObjectExpr,
    ObjectItem,
    Pos,
    Template,
    TupleExpr,
)
from batchlint.sources.hcl_common import MAX_DEPTH, Lines, ParseExpr, number, snippet
from batchlint.sources.hcl_template import TemplateReader

_JSON_WS = re.compile(r"[ \t\r\n]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_JSON_WORDS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
# labels of each block type in Terraform's JSON syntax (others: none)
_JSON_LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "module": 1,
    "provider": 1,
    "variable": 1,
    "output": 1,
    "check": 1,
}


@dataclass(slots=True)
class _J:
    """A JSON value with where it starts (and, for containers, the line it ends on)."""

    value: object  # scalar, list[_J], or list[tuple[str, Pos, _J]] for an object
    kind: str  # str number bool null array object
    pos: Pos
    end_line: int = 0


class JsonReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = Lines(text)

    def error(self, message: str, offset: int) -> HclError:
        pos = self.lines.at(min(offset, len(self.text)))
        return HclError(message, pos.line, pos.column)

    def document(self) -> _J:
        start = 1 if self.text.startswith("\ufeff") else 0
        value, i = self.value(self._ws(start), 0)
        i = self._ws(i)
        if i < len(self.text):
            raise self.error("unexpected text after the JSON document", i)
        if value.kind != "object":
            raise self.error("a .tf.json file must hold a JSON object", start)
        return value

    def _ws(self, i: int) -> int:
        return cast(re.Match[str], _JSON_WS.match(self.text, i)).end()

    def value(self, i: int, depth: int) -> tuple[_J, int]:
        text = self.text
        if i >= len(text):
            raise self.error("unexpected end of file: expected a JSON value", i)
        pos, char = self.lines.at(i), text[i]
        if char == "{" or char == "[":
            if depth >= MAX_DEPTH:
                raise self.error(f"nesting deeper than {MAX_DEPTH} levels", i)
            return self._object(i, depth) if char == "{" else self._array(i, depth)
        if char == '"':
            string, end = self.string(i)
            return _J(string, "str", pos), end
        m = _JSON_NUMBER.match(text, i)
        if m:
            return _J(number(m.group()), "number", pos), m.end()
        for word, literal in _JSON_WORDS.items():
            if text.startswith(word, i):
                return _J(literal, "bool" if word != "null" else "null", pos), i + len(word)
        raise self.error(f"expected a JSON value, found {text[i]!r}", i)

    def string(self, i: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, i + 1)  # type: ignore[attr-defined]
        except json.JSONDecodeError as err:
            message = "unterminated string" if "Unterminated" in err.msg else err.msg.lower()
            raise self.error(message, err.pos) from None

    def _object(self, i: int, depth: int) -> tuple[_J, int]:
        pos, members = self.lines.at(i), cast(list[tuple[str, Pos, _J]], [])
        i = self._ws(i + 1)
        if self.text.startswith("}", i):
            return _J(members, "object", pos, self.lines.at(i).line), i + 1
        while True:
            if not self.text.startswith('"', i):
                raise self.error("expected a string key in a JSON object", i)
            key_pos = self.lines.at(i)
            key, i = self.string(i)
            i = self._ws(i)
            if not self.text.startswith(":", i):
                raise self.error(f"expected ':' after the key \"{snippet(key)}\"", i)
            item, i = self.value(self._ws(i + 1), depth + 1)
            members.append((key, key_pos, item))
            i = self._ws(i)
            if self.text.startswith("}", i):
                return _J(members, "object", pos, self.lines.at(i).line), i + 1
            if not self.text.startswith(",", i):
                raise self.error("expected ',' or '}' after an object member", i)
            i = self._ws(i + 1)

    def _array(self, i: int, depth: int) -> tuple[_J, int]:
        pos, items = self.lines.at(i), cast(list[_J], [])
        i = self._ws(i + 1)
        if self.text.startswith("]", i):
            return _J(items, "array", pos, self.lines.at(i).line), i + 1
        while True:
            item, i = self.value(i, depth + 1)
            items.append(item)
            i = self._ws(i)
            if self.text.startswith("]", i):
                return _J(items, "array", pos, self.lines.at(i).line), i + 1
            if not self.text.startswith(",", i):
                raise self.error("expected ',' or ']' after an array element", i)
            i = self._ws(i + 1)


def _members(node: _J) -> list[tuple[str, Pos, _J]]:
    return cast(list[tuple[str, Pos, _J]], node.value)


def _jerror(message: str, pos: Pos) -> HclError:
    return HclError(message, pos.line, pos.column)


class JsonConfig:
    """Terraform's JSON syntax over a read JSON document: blocks by type and labels,
    attributes whose strings are templates."""

    def __init__(self, comments: list[Comment], expression: ParseExpr) -> None:
        self.comments = comments
        self.expression = expression

    def file_body(self, root: _J) -> Body:
        blocks: list[Block] = []
        for key, key_pos, node in _members(root):
            if key == "//":
                self._comment(node, key_pos)
                continue
            labels = _JSON_LABELS.get(key, 0)
            blocks += self._blocks(key, node, labels, (), key_pos)
        return Body((), tuple(blocks))

    def _comment(self, node: _J, pos: Pos) -> None:
        if node.kind == "str":
            self.comments.append(Comment(cast(str, node.value).strip(), pos))

    def _blocks(
        self, type_: str, node: _J, remaining: int, labels: tuple[str, ...], pos: Pos
    ) -> list[Block]:
        if node.kind == "array":  # repeated blocks
            found: list[Block] = []
            for item in cast(list[_J], node.value):
                found += self._blocks(type_, item, remaining, labels, pos)
            return found
        if node.kind != "object":
            what = snippet(" ".join((type_, *labels)))
            raise _jerror(f"expected a JSON object for the block '{what}'", node.pos)
        if remaining == 0:
            body = self.body(node, type_)
            return [Block(type_, labels, body, pos, node.end_line)]
        found = []
        for key, key_pos, item in _members(node):
            if key == "//":
                self._comment(item, key_pos)
                continue
            found += self._blocks(type_, item, remaining - 1, (*labels, key), key_pos)
        return found

    def body(self, node: _J, block_type: str) -> Body:
        attributes: list[Attribute] = []
        seen: dict[str, Pos] = {}
        for key, key_pos, item in _members(node):
            if key == "//":
                self._comment(item, key_pos)
                continue
            if key in seen:
                first = seen[key].line
                message = f"duplicate attribute '{snippet(key)}' (first set at line {first})"
                raise _jerror(message, key_pos)
            seen[key] = key_pos
            attributes.append(Attribute(key, self.attribute_expr(block_type, key, item), key_pos))
        return Body(tuple(attributes), ())

    def attribute_expr(self, block_type: str, name: str, node: _J) -> Expr:
        # Terraform reads these strings as expressions, not templates (`"type": "list(string)"`,
        # `"depends_on": ["aws_iam_role.x"]`, `"provider": "aws.west"`), as the native syntax
        # writes them.
        static = (block_type == "variable" and name == "type") or (
            block_type in ("resource", "data") and name == "provider"
        )
        if static and node.kind == "str":
            return self.expression(cast(str, node.value), _inside_quote(node.pos))
        if name == "depends_on" and node.kind == "array":
            items = cast(list[_J], node.value)
            if all(item.kind == "str" for item in items):
                exprs = (self.expression(cast(str, i.value), _inside_quote(i.pos)) for i in items)
                return TupleExpr(tuple(exprs), node.pos)
        return self.expr(node)

    def expr(self, node: _J) -> Expr:
        if node.kind == "str":
            return _json_template(cast(str, node.value), node.pos, self.expression)
        if node.kind == "array":
            return TupleExpr(tuple(self.expr(i) for i in cast(list[_J], node.value)), node.pos)
        if node.kind == "object":
            items: list[ObjectItem] = []
            for key, key_pos, item in _members(node):
                if key == "//":  # may be a nested block's comment
                    self._comment(item, key_pos)
                    continue
                items.append(
                    ObjectItem(
                        _json_template(key, key_pos, self.expression), self.expr(item), key_pos
                    )
                )
            return ObjectExpr(tuple(items), node.pos)
        return Literal(cast("int | float | bool | None", node.value), node.pos)


def _inside_quote(pos: Pos) -> Pos:
    return Pos(pos.line, pos.column + 1)


def _json_template(text: str, quote: Pos, expression: ParseExpr) -> Template | Literal:
    """A JSON string as a template; positions inside count decoded characters from the quote
    (exact unless the string holds escapes)."""
    start = _inside_quote(quote)
    if "${" not in text and "%{" not in text:
        return Literal(text, quote)  # the common case, without the template machinery
    reader = TemplateReader(
        text,
        lambda offset: Pos(start.line, start.column + offset),
        escapes=False,
        expression=expression,
    )
    return reader.read(0, len(text), quote)
