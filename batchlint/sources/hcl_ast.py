"""The syntax of Terraform configuration (``.tf`` and ``.tf.json``) as plain data.

``hcl_parse`` builds it, ``hcl_eval`` evaluates its expressions and ``tf_module`` reads the
blocks. Every node keeps the 1-based line and column it starts at, so a finding can land on
the attribute, list element or object key that holds the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Pos:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, a bool, ``null``, or a string with no interpolation."""

    value: str | int | float | bool | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Interp:
    """``${expr}`` inside a template."""

    expr: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class TemplateIf:
    """``%{ if cond }…%{ else }…%{ endif }`` inside a template."""

    cond: Expr
    then: tuple[TemplatePart, ...]
    other: tuple[TemplatePart, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class TemplateFor:
    """``%{ for k, v in coll }…%{ endfor }`` inside a template."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[TemplatePart, ...]
    pos: Pos


TemplatePart = str | Interp | TemplateIf | TemplateFor


@dataclass(frozen=True, slots=True)
class Template:
    """A quoted string or heredoc with interpolations or directives. A template that is a
    single ``${expr}`` and nothing else has the value of ``expr`` itself (not a string)."""

    parts: tuple[TemplatePart, ...]
    pos: Pos
    heredoc: bool = False


@dataclass(frozen=True, slots=True)
class Name:
    """A bare identifier: the root of a traversal (``var``, ``local``, ``aws_subnet``,
    ``count``, ``each``, ``module``, ``data``, ``path``, an iterator) or a keyword value."""

    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class GetAttr:
    target: Expr
    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Index:
    target: Expr
    key: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Splat:
    """``target[*].a.b`` (and the legacy ``target.*.a``): ``steps`` apply to each element.
    A step is an attribute name (str) or an index expression."""

    target: Expr
    steps: tuple[str | Expr, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class ObjectItem:
    """``key = value`` in an object constructor. A bare identifier key is a ``Literal``
    string; a parenthesised or interpolated key is an expression."""

    key: Expr
    value: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[ObjectItem, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Call:
    """``name(args…)``; ``expand`` when the last argument ends in ``...``. Provider functions
    (``provider::aws::arn_parse``) keep their full name."""

    name: str
    args: tuple[Expr, ...]
    pos: Pos
    expand: bool = False


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "!"
    operand: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Binary:
    """Operators nest by HCL precedence: ``a + b * c`` is ``+(a, *(b, c))``."""

    op: str  # * / % + - > >= < <= == != && ||
    left: Expr
    right: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Conditional:
    cond: Expr
    then: Expr
    other: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class ForExpr:
    """``[for k, v in coll : value if cond]`` (``key`` None) or
    ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    cond: Expr | None
    group: bool  # the ``...`` of an object for
    pos: Pos


Expr = (
    Literal
    | Template
    | Name
    | GetAttr
    | Index
    | Splat
    | TupleExpr
    | ObjectExpr
    | Call
    | Unary
    | Binary
    | Conditional
    | ForExpr
)


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    pos: Pos  # of the name


@dataclass(frozen=True, slots=True)
class Body:
    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[Block, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        for item in self.attributes:
            if item.name == name:
                return item
        return None

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    pos: Pos  # of the block type
    end_line: int  # the line of the closing brace


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#``, ``//`` or ``/* */`` comment: ``text`` without its markers, stripped."""

    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class HclFile:
    path: str  # as shown in findings
    body: Body
    comments: tuple[Comment, ...] = field(default=())


class HclError(Exception):
    """A file that is not valid HCL (or not valid Terraform JSON): where and why."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
