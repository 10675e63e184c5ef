"""Terraform configuration text (``.tf`` native syntax and ``.tf.json``) → ``hcl_ast``.

The public entry points, and the conversion of python-hcl2's lark tree to ``hcl_ast`` (with
lark's syntax errors reworded). The native syntax goes through the grammar after our own
pre-scan (``hcl_scan``: comments, bracket/string/heredoc checks, strip markers). Template
strings and heredocs are read by ``hcl_template``; their interpolations come back here as
single expressions. ``.tf.json`` is read by ``hcl_json``. Every public function raises only
``HclError``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

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
    Literal,
    Name,
    ObjectExpr,
    ObjectItem,
    Pos,
    Splat,
    Template,
    TupleExpr,
    Unary,
)
from batchlint.sources.hcl_common import Lines, Origin, number, snippet
from batchlint.sources.hcl_json import JsonConfig, JsonReader
from batchlint.sources.hcl_scan import HEREDOC, Lexer, heredoc_end
from batchlint.sources.hcl_template import TemplateReader

__all__ = ["parse_expression", "parse_file", "parse_json_file", "parse_template"]

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
    lexer = Lexer(text, Lines(text).at)
    lexer.scan(0, [])
    conv = _Converter(text, Origin(1, 1, 0))
    tree = _lark_parse(lexer.sanitized(), conv, len(text))
    body = conv.body(_child_tree(tree, "body"))
    return HclFile(path=path, body=body, comments=tuple(lexer.comments))


@_guarded
def parse_json_file(text: str, path: str) -> HclFile:
    """A ``.tf.json`` file in Terraform's JSON syntax."""
    root = JsonReader(text).document()
    comments: list[Comment] = []
    body = JsonConfig(comments, _expression).file_body(root)
    return HclFile(path=path, body=body, comments=tuple(comments))


@_guarded
def parse_expression(text: str) -> Expr:
    """One HCL expression (a ``-var`` value, an interpolation), positioned from 1:1."""
    return _expression(text, _START)


@_guarded
def parse_template(text: str, pos: Pos = _START) -> Template | Literal:
    """A bare template (a ``templatefile()`` body): literal text with ``${}`` and ``%{}``,
    no backslash escapes; ``pos`` is where ``text`` starts."""
    at = Lines(text).shifted(pos)
    return TemplateReader(text, at, escapes=False, expression=_expression).read(0, len(text), pos)


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


def _expression(text: str, start: Pos) -> Expr:
    """One expression written at ``start``: wrapped in parentheses as an attribute value
    so the file grammar reads it; positions are shifted back."""
    lexer = Lexer(text, Lines(text).shifted(start))
    lexer.scan(0, [])
    origin = Origin(start.line, start.column, len(_EXPR_PREFIX))
    conv = _Converter(_EXPR_PREFIX + text + _EXPR_SUFFIX, origin)
    source = _EXPR_PREFIX + lexer.sanitized() + _EXPR_SUFFIX
    tree = _lark_parse(source, conv, len(_EXPR_PREFIX) + len(text))
    attribute = _child_tree(_child_tree(tree, "body"), "attribute")
    return conv.expr(_trees(attribute)[-1])


class _Converter:
    """Converts python-hcl2's lark tree over ``src`` (the original text, with any prefix)
    to ``hcl_ast`` nodes positioned in the file."""

    def __init__(self, src: str, origin: Origin) -> None:
        self.src = src
        self.origin = origin
        self._lines: Lines | None = None

    # positions

    def at(self, offset: int) -> Pos:
        if self._lines is None:
            self._lines = Lines(self.src)
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
        return Literal(number(str(tree.children[0])), self.pos(tree))

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
        reader = TemplateReader(self.src, self.at, escapes=True, expression=_expression)
        return reader.read(start + 1, end - 1, self.pos(tree))

    def x_template_string(self, tree: Tree[Token]) -> Expr:
        raise self.error("unexpected '\\\"': write a nested string with plain quotes", tree)

    def _heredoc(self, tree: Tree[Token]) -> Expr:
        start = tree.meta.start_pos
        m = HEREDOC.match(self.src, start)
        end = heredoc_end(self.src, m.group(2), m.end()) if m else None
        if m is None or end is None:  # pragma: no cover (the pre-scan checked it)
            raise self.error("unterminated heredoc", tree)
        reader = TemplateReader(self.src, self.at, escapes=False, expression=_expression)
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
        return snippet(self.conv.src[start:end], 40), start, end

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
        return snippet(self.conv.src[first[1] : last[2]], 60), last[2]


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
