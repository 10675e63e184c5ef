"""Terraform configuration text (``.tf`` native syntax and ``.tf.json``) → ``hcl_ast``.

The native syntax goes through python-hcl2's lark grammar, after a scan of our own that
collects the comments (and blanks them, so a comment is whitespace wherever HCL allows it),
checks brackets, strings and heredocs for a clear error, and papers over two gaps of the
grammar (``${~ x ~}`` strip markers, a heredoc closing marker followed by spaces). Template
strings and heredocs are read by our own template reader; their interpolations go back
through the grammar as single expressions. ``.tf.json`` is read by a small position-keeping
JSON reader. Every public function raises only ``HclError``.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, ParamSpec, TypeVar, cast

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from batchlint.sources.hcl_ast import (
    Attribute,
    Binary,
    Block,
    Body,
    Call,
    Comment,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    HclError,
    HclFile,
    Index,
    Interp,
    Literal,
    Name,
    ObjectExpr,
    ObjectItem,
    Pos,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    TupleExpr,
    Unary,
)

__all__ = ["parse_expression", "parse_file", "parse_json_file", "parse_template"]

# Deeper nesting than this is no real configuration; refusing it keeps the recursive
# conversion far from Python's recursion limit.
MAX_DEPTH = 64

At = Callable[[int], Pos]  # a text offset → its position in the file
_START = Pos(1, 1)
_P = ParamSpec("_P")
_R = TypeVar("_R")


# --------------------------------------------------------------------------- public API


def _guarded(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Whatever hostile input makes escape (deep nesting, a lark error we did not word, a
    number too long for ``int``) becomes an ``HclError``."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except HclError:
            raise
        except RecursionError:
            raise HclError("expression nested too deeply") from None
        except (LarkError, UnicodeError, ValueError) as err:
            raise HclError(f"cannot parse: {str(err).splitlines()[0]}") from None

    return wrapper


@_guarded
def parse_file(text: str, path: str) -> HclFile:
    """A ``.tf`` file in HCL native syntax."""
    lexer = _Lexer(text, _Lines(text).at)
    lexer.scan(0, [])
    conv = _Converter(text, _Origin(1, 1, 0))
    tree = _lark_parse(lexer.sanitized(), conv, len(text))
    body = conv.body(_child_tree(tree, "body"))
    return HclFile(path=path, body=body, comments=tuple(lexer.comments))


@_guarded
def parse_json_file(text: str, path: str) -> HclFile:
    """A ``.tf.json`` file in Terraform's JSON syntax."""
    root = _JsonReader(text).document()
    comments: list[Comment] = []
    body = _JsonConfig(comments).file_body(root)
    return HclFile(path=path, body=body, comments=tuple(comments))


@_guarded
def parse_expression(text: str) -> Expr:
    """One HCL expression (a ``-var`` value, an interpolation), positioned from 1:1."""
    return _expression(text, _START)


@_guarded
def parse_template(text: str, pos: Pos = _START) -> Template | Literal:
    """A bare template (a ``templatefile()`` body): literal text with ``${}`` and ``%{}``,
    no backslash escapes; ``pos`` is where ``text`` starts."""
    at = _Lines(text).shifted(pos)
    return _TemplateReader(text, at, escapes=False).read(0, len(text), pos)


# --------------------------------------------------------------------------- positions


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def at(self, offset: int) -> Pos:
        return Pos(*self.line_col(offset))

    def shifted(self, start: Pos) -> At:
        origin = _Origin(start.line, start.column, 0)
        return lambda offset: origin.pos(*self.line_col(offset))


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where a parsed text starts in the file; ``shift`` is the length of a prefix we
    added on its first line."""

    line: int
    column: int
    shift: int

    def pos(self, line: int, column: int) -> Pos:
        if line == 1:
            return Pos(self.line, self.column + max(column - 1 - self.shift, 0))
        return Pos(self.line + line - 1, column)


# --------------------------------------------------------------------------- the pre-scan

_EXPR_STOP = re.compile(r"#|//|/\*|\"|<<|[{}\[\]()]")
_STRING_STOP = re.compile(r"\$\$\{|%%\{|\$\{|%\{|[\"\\\n]")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_CLOSERS = {"(": ")", "[": "]", "{": "}", "${": "}", "%{": "}"}


class _Frame(NamedTuple):
    kind: str  # ( [ { ${ %{ or "
    offset: int


def _heredoc_end(text: str, marker: str, start: int) -> re.Match[str] | None:
    # Like Terraform, the closing marker may be indented and followed by spaces.
    pattern = re.compile(r"^[ \t]*" + re.escape(marker) + r"([ \t]*)\r?$", re.M)
    return pattern.search(text, start)


class _Lexer:
    """Walks HCL text the way the grammar will, to collect comments, check that brackets,
    strings, heredocs and comments are closed, and find where an interpolation ends."""

    def __init__(self, text: str, at: At) -> None:
        self.text = text
        self.at = at
        self.comments: list[Comment] = []
        self._edits: list[tuple[int, int, str]] = []
        if text.startswith("\ufeff"):
            self._edits.append((0, 1, " "))

    def error(self, message: str, offset: int) -> HclError:
        pos = self.at(offset)
        return HclError(message, pos.line, pos.column)

    def sanitized(self) -> str:
        """The text with comments and strip markers blanked (newlines kept), same length."""
        parts, last = [], 0
        for start, end, new in sorted(self._edits):
            parts += [self.text[last:start], new]
            last = end
        parts.append(self.text[last:])
        return "".join(parts)

    def scan(self, start: int, stack: list[_Frame]) -> int:
        """Scans from ``start``. With frames on ``stack``, returns the offset of the ``}``
        that closes the first one; with none, scans to the end."""
        text, base, i = self.text, len(stack), start
        while True:
            if stack and stack[-1].kind == '"':
                i = self._string_step(i, stack)
                continue
            m = _EXPR_STOP.search(text, i)
            if m is None:
                if stack:
                    top = stack[-1]
                    opened = self.at(top.offset).line
                    raise self.error(f"unclosed '{top.kind}' opened at line {opened}", top.offset)
                return len(text)
            token, s = m.group(), m.start()
            i = m.end()
            if token in ("#", "//", "/*"):
                i = self._comment(token, s)
            elif token == "<<":
                i = self._heredoc(s)
            elif token in ('"', "(", "[", "{"):
                self._push(stack, _Frame(token, s))
            elif self._close(stack, token, s) and len(stack) < base:
                return s

    def _push(self, stack: list[_Frame], frame: _Frame) -> None:
        if len(stack) >= MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels", frame.offset)
        stack.append(frame)

    def _close(self, stack: list[_Frame], token: str, offset: int) -> bool:
        if not stack:
            raise self.error(f"unexpected '{token}': nothing is open here", offset)
        top = stack[-1]
        if _CLOSERS[top.kind] != token:
            line = self.at(top.offset).line
            raise self.error(f"'{token}' does not close '{top.kind}' opened at line {line}", offset)
        if top.kind in ("${", "%{"):
            self._strip_marker_before(top, offset)
        stack.pop()
        return True

    def _string_step(self, i: int, stack: list[_Frame]) -> int:
        text = self.text
        m = _STRING_STOP.search(text, i)
        if m is None or m.group() == "\n":
            raise self.error("unterminated string", stack[-1].offset)
        token = m.group()
        if token == '"':
            stack.pop()
            return m.end()
        if token == "\\":
            if m.end() >= len(text) or text[m.end()] == "\n":
                raise self.error("unterminated string", stack[-1].offset)
            return m.end() + 1
        if token in ("$${", "%%{"):
            # the grammar's escape token runs to the next `}`, wherever that is: hide the
            # brace from it (the template reader reads the original text)
            self._edits.append((m.end() - 1, m.end(), " "))
            return m.end()
        self._push(stack, _Frame(token, m.start()))
        j = m.end()
        if text.startswith("~", j):  # the grammar has no strip marker after `${`
            self._edits.append((j, j + 1, " "))
            j += 1
        return j

    def _strip_marker_before(self, frame: _Frame, close: int) -> None:
        j = close - 1
        while j > frame.offset + 2 and self.text[j] in " \t\r\n":
            j -= 1
        if j > frame.offset + 2 and self.text[j] == "~":
            self._edits.append((j, j + 1, " "))

    def _comment(self, token: str, start: int) -> int:
        text = self.text
        if token == "/*":
            end = text.find("*/", start + 2)
            if end == -1:
                raise self.error("unterminated comment: no '*/' closes '/*'", start)
            body, end = text[start + 2 : end], end + 2
        else:
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            body = text[start + len(token) : end]
        self.comments.append(Comment(body.strip(), self.at(start)))
        self._edits.append((start, end, re.sub(r"[^\n]", " ", text[start:end])))
        return end

    def _heredoc(self, start: int) -> int:
        m = _HEREDOC.match(self.text, start)
        if m is None:
            return start + 2  # not a heredoc: the grammar reports it
        marker = m.group(2)
        end = _heredoc_end(self.text, marker, m.end())
        if end is None:
            raise self.error(f"unterminated heredoc: no line '{marker}' closes '<<{marker}'", start)
        if end.group(1):  # the grammar wants the marker last on its line: right-align it
            line = self.text[end.start() : end.end(1)]
            self._edits.append((end.start(), end.end(1), marker.rjust(len(line))))
        return end.end()


# --------------------------------------------------------------------------- lark → hcl_ast

_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_EXPR_PREFIX, _EXPR_SUFFIX = "x=(", "\n)"


def _child_tree(tree: Tree[Token], data: str) -> Tree[Token]:
    for child in tree.children:
        if isinstance(child, Tree) and child.data == data:
            return child
    raise HclError(f"malformed parse tree: no {data}")  # pragma: no cover


def _trees(tree: Tree[Token]) -> list[Tree[Token]]:
    """The sub-trees of ``tree`` that are not newlines or comments."""
    return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _tokens(tree: Tree[Token]) -> list[Token]:
    return [c for c in tree.children if isinstance(c, Token)]


def _number(text: str) -> int | float:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    value = float(text)
    return int(value) if value.is_integer() else value


def _expression(text: str, start: Pos) -> Expr:
    """One expression written at ``start``: wrapped in parentheses as an attribute value
    so the file grammar reads it; positions are shifted back."""
    lexer = _Lexer(text, _Lines(text).shifted(start))
    lexer.scan(0, [])
    origin = _Origin(start.line, start.column, len(_EXPR_PREFIX))
    conv = _Converter(_EXPR_PREFIX + text + _EXPR_SUFFIX, origin)
    source = _EXPR_PREFIX + lexer.sanitized() + _EXPR_SUFFIX
    tree = _lark_parse(source, conv, len(_EXPR_PREFIX) + len(text))
    attribute = _child_tree(_child_tree(tree, "body"), "attribute")
    return conv.expr(_trees(attribute)[-1])


class _Converter:
    """Converts python-hcl2's lark tree over ``src`` (the original text, with any prefix)
    to ``hcl_ast`` nodes positioned in the file."""

    def __init__(self, src: str, origin: _Origin) -> None:
        self.src = src
        self.origin = origin
        self._lines: _Lines | None = None

    # positions

    def at(self, offset: int) -> Pos:
        if self._lines is None:
            self._lines = _Lines(self.src)
        return self.origin.pos(*self._lines.line_col(offset))

    def pos(self, node: Tree[Token] | Token) -> Pos:
        if isinstance(node, Token):
            return self.origin.pos(node.line or 1, node.column or 1)
        return self.origin.pos(node.meta.line, node.meta.column)

    def error(self, message: str, node: Tree[Token] | Token) -> HclError:
        pos = self.pos(node)
        return HclError(message, pos.line, pos.column)

    def _ends_line(self, node: Tree[Token]) -> bool:
        # a heredoc swallows the newline after its closing marker
        end = node.meta.end_pos
        return 0 < end <= len(self.src) and self.src[end - 1] == "\n"

    # bodies

    def body(self, tree: Tree[Token]) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        seen: dict[str, Attribute] = {}
        previous: Tree[Token] | None = None
        for child in tree.children:
            if not isinstance(child, Tree) or child.data == "new_line_or_comment":
                previous = None
                continue
            if previous is not None and not self._ends_line(previous):
                raise self.error("expected a newline before another attribute or block", child)
            previous = child
            if child.data == "block":
                blocks.append(self.block(child))
                continue
            item = self.attribute(child)
            if item.name in seen:
                first = seen[item.name].pos.line
                raise self.error(
                    f"duplicate attribute '{item.name}' (first set at line {first})", child
                )
            seen[item.name] = item
            attributes.append(item)
        return Body(tuple(attributes), tuple(blocks))

    def attribute(self, tree: Tree[Token]) -> Attribute:
        name, value = _trees(tree)
        return Attribute(self.name(name), self.expr(value), self.pos(name))

    def name(self, tree: Tree[Token]) -> str:
        return str(tree.children[0]).strip()

    def block(self, tree: Tree[Token]) -> Block:
        header: list[Tree[Token]] = []
        for child in tree.children:
            if isinstance(child, Token):  # the `{`
                break
            if child.data == "new_line_or_comment":
                raise self.error(
                    "a block's '{' must be on the same line as its type and labels", child
                )
            header.append(child)
        body = _child_tree(tree, "body")
        close = _tokens(tree)[-1]
        return Block(
            type=self.name(header[0]),
            labels=tuple(self.label(item) for item in header[1:]),
            body=self.body(body),
            pos=self.pos(header[0]),
            end_line=self.pos(close).line,
        )

    def label(self, tree: Tree[Token]) -> str:
        if tree.data != "string":
            return self.name(tree)
        value = self.expr(tree)
        if not isinstance(value, Literal) or not isinstance(value.value, str):
            raise self.error("a block label must be a plain string, without interpolation", tree)
        return value.value

    # expressions

    def expr(self, tree: Tree[Token]) -> Expr:
        method = getattr(self, "x_" + tree.data, None)
        if method is None:
            raise self.error(f"unexpected {tree.data.replace('_', ' ')}", tree)
        return cast(Expr, method(tree))

    def x_expr_term(self, tree: Tree[Token]) -> Expr:
        return self.expr(_trees(tree)[0])  # also `( expr )`: the inner expression

    def x_int_lit(self, tree: Tree[Token]) -> Expr:
        return Literal(_number(str(tree.children[0])), self.pos(tree))

    x_float_lit = x_int_lit

    def x_literal_value(self, tree: Tree[Token]) -> Expr:
        return Literal(_LITERALS[str(tree.children[0])], self.pos(tree))

    def x_identifier(self, tree: Tree[Token]) -> Expr:
        return Name(self.name(tree), self.pos(tree))

    def x_conditional(self, tree: Tree[Token]) -> Expr:
        cond, then, other = (self.expr(t) for t in _trees(tree))
        return Conditional(cond, then, other, self.pos(tree))

    def x_binary_op(self, tree: Tree[Token]) -> Expr:
        # left-recursive chains (`a + b + c`) are walked down the left spine, not recursed
        terms: list[Tree[Token]] = []
        node = tree
        while isinstance(node, Tree) and node.data == "binary_op":
            left, term = _trees(node)[:2]
            terms.append(term)
            node = left
        result, pos = self.expr(node), self.pos(tree)  # every level starts where `tree` does
        for term in reversed(terms):
            operator, right = _trees(term)
            op = str(operator.children[0]).strip()  # the postlexer may prefix a newline
            result = Binary(op, result, self.expr(right), pos)
        return result

    def x_unary_op(self, tree: Tree[Token]) -> Expr:
        op = _tokens(tree)[0]
        operand = self.expr(_trees(tree)[0])
        if str(op) == "-" and isinstance(operand, Literal) and _is_number(operand.value):
            # HCL folds the sign into a number literal: `-1` is a value, not an operation
            return Literal(-cast(float, operand.value), self.pos(op))
        return Unary(str(op), operand, self.pos(op))

    def x_string(self, tree: Tree[Token]) -> Expr:
        start, end = tree.meta.start_pos, tree.meta.end_pos
        reader = _TemplateReader(self.src, self.at, escapes=True)
        return reader.read(start + 1, end - 1, self.pos(tree))

    def x_template_string(self, tree: Tree[Token]) -> Expr:
        raise self.error("unexpected '\\\"': write a nested string with plain quotes", tree)

    def _heredoc(self, tree: Tree[Token]) -> Expr:
        start = tree.meta.start_pos
        m = _HEREDOC.match(self.src, start)
        end = _heredoc_end(self.src, m.group(2), m.end()) if m else None
        if m is None or end is None:  # pragma: no cover (the pre-scan checked it)
            raise self.error("unterminated heredoc", tree)
        reader = _TemplateReader(self.src, self.at, escapes=False)
        return reader.read(
            m.end(), end.start(), self.pos(tree), heredoc=True, trim=m.group(1) == "-"
        )

    x_heredoc_template = _heredoc
    x_heredoc_template_trim = _heredoc

    def x_tuple(self, tree: Tree[Token]) -> Expr:
        return TupleExpr(tuple(self.expr(t) for t in _trees(tree)), self.pos(tree))

    def x_object(self, tree: Tree[Token]) -> Expr:
        items: list[ObjectItem] = []
        separated = True
        for child in tree.children:
            if isinstance(child, Token):
                separated = separated or child.type == "COMMA"
                continue
            if child.data == "new_line_or_comment":
                separated = True
                continue
            if not separated:
                raise self.error("expected ',' or a newline between object items", child)
            items.append(self.object_item(child))
            separated = self._ends_line(child)
        return ObjectExpr(tuple(items), self.pos(tree))

    def object_item(self, tree: Tree[Token]) -> ObjectItem:
        key_tree, value = _trees(tree)
        inner = _trees(key_tree)[0]
        key: Expr
        if inner.data == "keyword":
            key = Literal(self.name(inner), self.pos(inner))
        elif inner.data == "expr_term" and inner.children and _is_bare_name(inner):
            # a bare identifier (or keyword value) names the key; `(k)` is an expression
            key = Literal(self.name(_trees(inner)[0]), self.pos(inner))
        else:
            key = self.expr(inner)
        return ObjectItem(key, self.expr(value), key.pos)

    def x_function_call(self, tree: Tree[Token]) -> Expr:
        names = [self.name(t) for t in _trees(tree) if t.data == "identifier"]
        args: list[Expr] = []
        expand = False
        for part in _trees(tree):
            if part.data == "arguments":
                args = [self.expr(t) for t in _trees(part)]
                expand = any(t.type == "ELLIPSIS" for t in _tokens(part))
        return Call("::".join(names), tuple(args), self.pos(tree), expand)

    def x_index_expr_term(self, tree: Tree[Token]) -> Expr:
        target, index = _trees(tree)
        return Index(self.expr(target), self.index_key(index), self.pos(tree))

    def index_key(self, tree: Tree[Token]) -> Expr:
        if tree.data == "short_index":  # legacy `a.0`
            number = _tokens(tree)[-1]
            return Literal(int(str(number)), self.pos(number))
        return self.expr(_trees(tree)[0])

    def x_get_attr_expr_term(self, tree: Tree[Token]) -> Expr:
        target, attr = _trees(tree)
        return GetAttr(self.expr(target), self.name(_trees(attr)[0]), self.pos(tree))

    def x_full_splat_expr_term(self, tree: Tree[Token]) -> Expr:
        target, splat = _trees(tree)
        steps = tuple(self.step(t) for t in _trees(splat))
        return Splat(self.expr(target), steps, self.pos(tree))

    def x_attr_splat_expr_term(self, tree: Tree[Token]) -> Expr:
        # `a.*.b[0]` applies `.b` to each element and `[0]` to the result (HCL spec); the
        # grammar puts both in the splat, so the steps after the first index come out.
        target, splat = _trees(tree)
        steps = _trees(splat)
        cut = next((i for i, t in enumerate(steps) if t.data != "get_attr"), len(steps))
        pos = self.pos(tree)
        result: Expr = Splat(self.expr(target), tuple(self.step(t) for t in steps[:cut]), pos)
        for step in steps[cut:]:
            if step.data == "get_attr":
                result = GetAttr(result, self.name(_trees(step)[0]), pos)
            else:
                result = Index(result, self.index_key(step), pos)
        return result

    def step(self, tree: Tree[Token]) -> str | Expr:
        if tree.data == "get_attr":
            return self.name(_trees(tree)[0])
        return self.index_key(tree)

    def x_for_tuple_expr(self, tree: Tree[Token]) -> Expr:
        intro, value, *rest = _trees(tree)
        return self._for(tree, intro, None, value, rest, group=False)

    def x_for_object_expr(self, tree: Tree[Token]) -> Expr:
        intro, key, value, *rest = _trees(tree)
        group = any(t.type == "ELLIPSIS" for t in _tokens(tree))
        return self._for(tree, intro, key, value, rest, group=group)

    def _for(
        self,
        tree: Tree[Token],
        intro: Tree[Token],
        key: Tree[Token] | None,
        value: Tree[Token],
        rest: list[Tree[Token]],
        *,
        group: bool,
    ) -> Expr:
        parts = _trees(intro)
        names = [self.name(t) for t in parts if t.data == "identifier"]
        collection = parts[-1]
        cond = self.expr(_trees(rest[0])[0]) if rest else None
        return ForExpr(
            key_var=names[0] if len(names) == 2 else None,
            value_var=names[-1],
            collection=self.expr(collection),
            key=self.expr(key) if key is not None else None,
            value=self.expr(value),
            cond=cond,
            group=group,
            pos=self.pos(tree),
        )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_bare_name(term: Tree[Token]) -> bool:
    children = term.children
    return (
        len(children) == 1
        and isinstance(children[0], Tree)
        and children[0].data
        in (
            "identifier",
            "literal_value",
        )
    )


# --------------------------------------------------------------------------- lark errors

_SHOWN_TERMINALS = {
    "EQ": "'='",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "QMARK": "'?'",
    "DOT": "'.'",
    "IN": "'in'",
    "IF": "'if'",
    "FOR_OBJECT_ARROW": "'=>'",
    "ELLIPSIS": "'...'",
    "NAME": "a name",
    "DBLQUOTE": "a string",
}
_NAME_LIKE = frozenset(
    {"NAME", "IF", "IN", "FOR", "FOR_EACH", "ELSE", "ENDIF", "ENDFOR", "TRUE", "FALSE", "NULL"}
)
_HEADER_PARTS = frozenset({"_attribute_name", "identifier", "string", "keyword", "literal_value"})


def _lark_parse(source: str, conv: _Converter, user_end: int) -> Tree[Token]:
    try:
        return hcl2.parses_to_tree(source)
    except UnexpectedInput as err:
        raise _SyntaxError(conv, user_end).build(err) from None


class _SyntaxError:
    """A one-line account of a lark error: what was found, what was expected, after what."""

    def __init__(self, conv: _Converter, user_end: int) -> None:
        self.conv = conv
        self.user_end = user_end

    def build(self, err: UnexpectedInput) -> HclError:
        if isinstance(err, UnexpectedCharacters):
            offset = err.pos_in_stream or 0
            char = self.conv.src[offset : offset + 1]
            return self._at(f"unexpected character {char!r}", min(offset, self.user_end))
        token = err.token if isinstance(err, UnexpectedToken) else None
        stack = _value_stack(err)
        expected = set(getattr(err, "expected", None) or ())
        offset, got = self._found(token)
        header = self._header(stack)
        if header is not None and "LBRACE" in expected:
            text, end = header
            if len(text.split()) > 1 or text.startswith('"'):
                message = f"expected '{{' after block header '{text}'"
            else:
                message = f"expected '=' or a block after '{text}'"
            return self._at(message, offset if self._same_line(end, offset) else end)
        last = self._last(stack)
        wanted = _describe_expected(expected)
        if last is not None and last[0] == "'%{'":
            wanted = "a template directive"
        if wanted == "')'" and self._inside_our_parens(stack):
            wanted = "the end of the expression"
        after = f" after {last[0]}" if last else ""
        message = f"expected {wanted}{after}, found {got}" if wanted else f"unexpected {got}{after}"
        if last is not None and not self._same_line(last[1], offset):
            offset = last[1]
        return self._at(message, offset)

    def _inside_our_parens(self, stack: list[object]) -> bool:
        """Whether the innermost open '(' is the one ``_expression`` wrapped the text in."""
        for item in reversed(stack):
            if isinstance(item, Token) and item.type == "LPAR":
                return (item.start_pos or 0) < self.conv.origin.shift
        return False

    def _at(self, message: str, offset: int) -> HclError:
        pos = self.conv.at(min(offset, self.user_end))
        return HclError(message, pos.line, pos.column)

    def _same_line(self, a: int, b: int) -> bool:
        return "\n" not in self.conv.src[min(a, b) : max(a, b)]

    def _found(self, token: Token | None) -> tuple[int, str]:
        if token is None or token.type == "$END" or token.start_pos is None:
            return self.user_end, "end of input"
        value = str(token.value)
        if token.start_pos >= self.user_end:
            return self.user_end, "end of input"
        if not value.strip():
            return token.start_pos, "end of line"
        offset = token.start_pos + len(value) - len(value.lstrip())
        if token.type == "DBLQUOTE":
            return offset, "a string"
        word = re.match(r"[A-Za-z0-9_]+|\S", value.lstrip())
        return offset, f"'{word.group() if word else value.strip()}'"

    def _text(self, item: object) -> tuple[str, int, int] | None:
        """Source text, start and end offset of a parsed item, if it is the user's."""
        if isinstance(item, Token):
            if item.start_pos is None or item.end_pos is None:
                return None
            start, end = item.start_pos, item.end_pos
        elif isinstance(item, Tree) and not item.meta.empty:
            start, end = item.meta.start_pos, item.meta.end_pos
        else:
            return None
        if start < self.conv.origin.shift:
            return None
        return _snippet(self.conv.src[start:end], 40), start, end

    def _last(self, stack: list[object]) -> tuple[str, int] | None:
        for item in reversed(stack):
            if isinstance(item, Tree) and item.data == "new_line_or_comment":
                continue
            found = self._text(item)
            return (f"'{found[0]}'", found[2]) if found else None
        return None

    def _header(self, stack: list[object]) -> tuple[str, int] | None:
        """A block header or attribute name left hanging at body level: its text and end."""
        items = [i for i in stack if not (isinstance(i, Tree) and i.data == "new_line_or_comment")]
        run: list[Tree[Token]] = []
        for item in reversed(items):
            if isinstance(item, Tree) and (
                item.data in _HEADER_PARTS or item.data.startswith("__block")
            ):
                run.insert(0, item)
                continue
            if isinstance(item, Token) and item.type != "LBRACE":
                return None  # inside an expression
            break
        first, last = (self._text(run[0]), self._text(run[-1])) if run else (None, None)
        if first is None or last is None:
            return None
        return _snippet(self.conv.src[first[1] : last[2]], 60), last[2]


def _snippet(text: str, limit: int = 30) -> str:
    """User text quoted in a message: one line, cut short."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _value_stack(err: UnexpectedInput) -> list[object]:
    parser = getattr(err, "interactive_parser", None)
    state = getattr(parser, "parser_state", None)
    return list(getattr(state, "value_stack", None) or [])


def _describe_expected(expected: set[str]) -> str:
    names = expected - {"NL_OR_COMMENT", "$END"}
    if not names:
        return ""
    if {"LPAR", "LSQB", "NAME", "DBLQUOTE"} <= names:
        return "an expression"
    if "NAME" in names and names <= _NAME_LIKE | {"DBLQUOTE"}:
        return "a name"
    if "NAME" in names and names <= _NAME_LIKE | {"INT_LITERAL"}:
        return "an attribute name or index"
    shown = sorted({_SHOWN_TERMINALS.get(n, "") for n in names})
    if "" in shown or len(shown) > 3:
        return ""
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


# --------------------------------------------------------------------------- templates

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


class _TemplateReader:
    """Reads ``src[start:end]`` as a template: literal text, ``${expr}``, ``%{directive}``."""

    def __init__(self, src: str, at: At, *, escapes: bool) -> None:
        self.src = src
        self.at = at
        self.escapes = escapes

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
            close = _Lexer(self.src, self.at).scan(m.end(), [_Frame(token, m.start())])
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
            expr = _expression(self.src[inner:last], self.at(inner))
            return _Mark("interp", pos, strip_left, strip_right, expr)
        return self._directive(self.src[inner:last], inner, _Mark("", pos, strip_left, strip_right))

    def _directive(self, text: str, offset: int, mark: _Mark) -> _Mark:
        m = _DIRECTIVE.match(text)
        if m is None:
            raise self.error(f"unknown template directive '%{{{_snippet(text)}}}'", offset)
        mark.kind, rest = m.group(1), m.end()
        if mark.kind == "if":
            mark.expr = _expression(text[rest:], self.at(offset + rest))
        elif mark.kind == "for":
            names = _FOR_VARS.match(text, rest)
            if names is None:
                raise self.error(
                    "expected '%{for NAME in EXPR}' or '%{for KEY, VALUE in EXPR}'", offset
                )
            mark.key_var, mark.value_var = (
                (names.group(1), names.group(2)) if names.group(2) else (None, names.group(1))
            )
            mark.expr = _expression(text[names.end() :], self.at(offset + names.end()))
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


# --------------------------------------------------------------------------- .tf.json

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


class _JsonReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _Lines(text)

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
            return _J(_number(m.group()), "number", pos), m.end()
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
                raise self.error(f"expected ':' after the key \"{_snippet(key)}\"", i)
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


class _JsonConfig:
    """Terraform's JSON syntax over a read JSON document: blocks by type and labels,
    attributes whose strings are templates."""

    def __init__(self, comments: list[Comment]) -> None:
        self.comments = comments

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
            what = _snippet(" ".join((type_, *labels)))
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
                message = f"duplicate attribute '{_snippet(key)}' (first set at line {first})"
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
            return _expression(cast(str, node.value), _inside_quote(node.pos))
        if name == "depends_on" and node.kind == "array":
            items = cast(list[_J], node.value)
            if all(item.kind == "str" for item in items):
                exprs = (_expression(cast(str, i.value), _inside_quote(i.pos)) for i in items)
                return TupleExpr(tuple(exprs), node.pos)
        return self.expr(node)

    def expr(self, node: _J) -> Expr:
        if node.kind == "str":
            return _json_template(cast(str, node.value), node.pos)
        if node.kind == "array":
            return TupleExpr(tuple(self.expr(i) for i in cast(list[_J], node.value)), node.pos)
        if node.kind == "object":
            items: list[ObjectItem] = []
            for key, key_pos, item in _members(node):
                if key == "//":  # may be a nested block's comment
                    self._comment(item, key_pos)
                    continue
                items.append(ObjectItem(_json_template(key, key_pos), self.expr(item), key_pos))
            return ObjectExpr(tuple(items), node.pos)
        return Literal(cast("int | float | bool | None", node.value), node.pos)


def _inside_quote(pos: Pos) -> Pos:
    return Pos(pos.line, pos.column + 1)


def _json_template(text: str, quote: Pos) -> Template | Literal:
    """A JSON string as a template; positions inside count decoded characters from the quote
    (exact unless the string holds escapes)."""
    start = _inside_quote(quote)
    if "${" not in text and "%{" not in text:
        return Literal(text, quote)  # the common case, without the template machinery
    reader = _TemplateReader(
        text, lambda offset: Pos(start.line, start.column + offset), escapes=False
    )
    return reader.read(0, len(text), quote)
