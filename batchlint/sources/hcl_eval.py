"""Evaluate Terraform expressions (``hcl_ast``) to plain values, as far as they can be known
without a provider, and list the references they make.

Values are ``str``, ``int``, ``float`` (``int`` when integral: ``10 / 2`` is 5), ``bool``,
``None``, ``list`` (tuples, lists and sets), ``dict`` (objects and maps) and :data:`UNKNOWN`.
A collection holds unknown elements without being unknown itself (``[1, var.u]`` is
``[1, UNKNOWN]``). Whatever Terraform would reject (a type mismatch, an index out of range,
a bad function argument) and whatever is too deep or too big to be worth it is unknown too:
:func:`evaluate` never raises. Errors travel inside as :class:`EvalError`, which ``try()``
and ``can()`` catch as Terraform's do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from batchlint.sources.hcl_ast import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Interp,
    Literal,
    Name,
    ObjectExpr,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    TupleExpr,
    Unary,
)
from batchlint.sources.tf_refs import index_token

if TYPE_CHECKING:
    from batchlint.sources.hcl_functions import Function

__all__ = [
    "UNKNOWN",
    "Env",
    "EvalError",
    "Object",
    "PartialJson",
    "Unknown",
    "evaluate",
    "has_unknown",
    "references",
    "to_text",
]

MAX_DEPTH = 128  # nesting of expressions (about three Python frames each)
MAX_ELEMENTS = 100_000  # of one list or object
MAX_TEXT = 10_000_000  # characters of one string
MAX_WORK = 250_000  # iterations and elements built by one evaluation
MAX_NUMBER_BITS = 4096  # an integer beyond this is no configuration's


class Unknown:
    """A value known only after apply, or not knowable without a provider."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


class PartialJson(Unknown):
    """jsonencode() of a value with unknown parts: unknown as a string, but ``data`` (the
    value, UNKNOWN at its unknown leaves) lets the source read the known parts."""

    __slots__ = ("data",)

    def __init__(self, data: object) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"PartialJson({self.data!r})"


class Object(dict[str, object]):
    """An object or map built by evaluation: it has all the keys it will ever have, so reading
    one it lacks is an error (which ``try()`` catches), as in Terraform. Any other mapping (a
    root the module reader gives) may lack what it cannot know: a missing key reads as
    unknown there."""

    __slots__ = ()


class EvalError(Exception):
    """What Terraform would reject, or what is beyond the evaluator's limits."""


class _Scope(Mapping[str, object]):
    """Names bound by a ``for`` or a template, over the enclosing roots."""

    __slots__ = ("inner", "outer")

    def __init__(self, inner: Mapping[str, object], outer: Mapping[str, object]) -> None:
        self.inner = inner
        self.outer = outer

    def __getitem__(self, key: str) -> object:
        if key in self.inner:
            return self.inner[key]
        return self.outer[key]

    def get(self, key: str, default: object = None) -> object:
        if key in self.inner:
            return self.inner[key]
        return self.outer.get(key, default)

    def __iter__(self) -> Iterator[str]:
        yield from self.inner
        yield from (k for k in self.outer if k not in self.inner)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Env:
    """What names mean: ``var``, ``local``, ``aws_subnet``, ``module``, ``data``, ``count``,
    ``each``, ``path``, ``terraform``, iterators… A root may be any mapping."""

    roots: Mapping[str, object]
    module_dir: Path | None = None  # where file()/templatefile() read relative paths

    def child(self, bindings: Mapping[str, object]) -> Env:
        return Env(_Scope(bindings, self.roots), self.module_dir)


_MISSING = object()
_KEYWORDS: dict[str, object] = {"true": True, "false": False, "null": None}


# -- public helpers ---------------------------------------------------------------------------


def evaluate(expr: Expr, env: Env) -> object:
    """The value of ``expr`` in ``env``; UNKNOWN for whatever cannot be known. Never raises."""
    try:
        return materialize(_Evaluator().eval(expr, env))
    except Exception:  # an error of the expression, or of a root mapping: unknown either way
        return UNKNOWN


def has_unknown(value: object) -> bool:
    """Whether ``value`` is unknown or holds an unknown anywhere."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
    return False


def to_text(value: object) -> str | Unknown:
    """How a template writes a value: strings as they are, numbers canonically, bools as
    ``true``/``false``; null, collections and unknowns are UNKNOWN."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        try:
            return number_text(value)
        except (ValueError, EvalError):
            return UNKNOWN
    return UNKNOWN


# -- values: kinds, conversions, equality ------------------------------------------------------


def kind(value: object) -> str:
    """Terraform's name for the type of a value (in error messages and type checks)."""
    if value is None:
        return "null"
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def normalize_number(value: int | float) -> int | float:
    """Integral numbers as ``int``; infinities, NaN and absurd magnitudes are errors."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvalError("number is not finite")
        if value.is_integer():
            value = int(value)
        else:
            return value
    if value.bit_length() > MAX_NUMBER_BITS:
        raise EvalError("number too large")
    return value


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_number(text: str) -> int | float:
    """A number written as text, as Terraform's conversion from string reads it."""
    if len(text) > 1000 or not _NUMBER.fullmatch(text):
        raise EvalError(f"cannot convert {text[:40]!r} to number")
    exact = Decimal(text)
    if exact == exact.to_integral_value() and exact.adjusted() < 1000:
        return normalize_number(int(exact))
    return normalize_number(float(exact))


def number_text(value: int | float) -> str:
    """A number as Terraform writes it: no exponent, no trailing ``.0``."""
    value = normalize_number(value)
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def to_number(value: object) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return normalize_number(value)
    if isinstance(value, str):
        return parse_number(value)
    raise EvalError(f"a number is required, not {kind(value)}")


def to_integer(value: object) -> int:
    number = to_number(value)
    if not isinstance(number, int):
        raise EvalError(f"a whole number is required, not {number}")
    return number


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"a bool is required, not {kind(value)}")


def to_string(value: object) -> str:
    text = to_text(value)
    if isinstance(text, Unknown):
        raise EvalError(f"a string is required, not {kind(value)}")
    return text


def strict_equal(left: object, right: object) -> bool | Unknown:
    """Terraform's ``==``: types must match (``"5" == 5`` is false); unknown when an unknown
    part could decide it."""
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return UNKNOWN
    left_kind, right_kind = kind(left), kind(right)
    if left_kind != right_kind:
        return False
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return _all_equal(zip(left, right, strict=True))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        if set(left) != set(right):
            return False
        return _all_equal((left[k], right[k]) for k in left)
    return left == right


def _all_equal(pairs: Iterable[tuple[object, object]]) -> bool | Unknown:
    pending = False
    for a, b in pairs:
        same = strict_equal(a, b)
        if same is False:
            return False
        pending = pending or isinstance(same, Unknown)
    return UNKNOWN if pending else True


def materialize(value: object) -> object:
    """``value`` with every mapping a root gave (possibly lazy) turned into a ``dict``."""
    if isinstance(value, list):
        items = [materialize(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, tuple):
        return [materialize(v) for v in value]
    if isinstance(value, PartialJson):
        return PartialJson(materialize(value.data))
    if isinstance(value, dict):
        entries = {k: materialize(v) for k, v in value.items()}
        if all(entries[k] is v for k, v in value.items()):
            return value
        return Object(entries) if isinstance(value, Object) else entries
    if isinstance(value, Mapping):
        return {str(k): materialize(value.get(k, UNKNOWN)) for k in value}
    return value


def check_size(value: object) -> None:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise EvalError("string too long")
    if isinstance(value, (list, dict)) and len(value) > MAX_ELEMENTS:
        raise EvalError("collection too large")


def member(value: Mapping[str, object], key: str) -> object:
    """``value[key]``: an error for an evaluated object lacking it, else UNKNOWN."""
    if isinstance(value, Object):
        if key not in value:
            raise EvalError(f"object has no attribute {key!r}")
        return value[key]
    found = value.get(key, _MISSING)
    return UNKNOWN if found is _MISSING else found


def get_attr(value: object, name: str) -> object:
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return member(value, name)
    if isinstance(value, list) and name.isascii() and name.isdigit():
        return get_index(value, int(name))  # the legacy `list.0` form
    raise EvalError(f"{kind(value)} has no attribute {name!r}")


def get_index(value: object, key: object) -> object:
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return UNKNOWN
    if isinstance(value, list):
        position = to_integer(key)
        if not 0 <= position < len(value):
            raise EvalError(f"index {position} out of range for a list of {len(value)}")
        return value[position]
    if isinstance(value, Mapping):
        if key is None:
            raise EvalError("a map key cannot be null")
        return member(value, to_string(key))
    raise EvalError(f"cannot index a {kind(value)}")


def iterate(value: object) -> list[tuple[object, object]]:
    """(key, value) pairs a ``for`` visits: list indexes, or map keys in lexical order."""
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Mapping):
        return [(k, value.get(k, UNKNOWN)) for k in sorted(value)]
    raise EvalError(f"cannot iterate over {kind(value)}")


# -- operators ---------------------------------------------------------------------------------


def _arithmetic(op: str, left: object, right: object) -> object:
    a, b = to_number(left), to_number(right)
    if op == "+":
        result: int | float = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            raise EvalError("division by zero")
        result = a // b if isinstance(a, int) and isinstance(b, int) and a % b == 0 else a / b
    elif op == "%":
        if b == 0:
            raise EvalError("modulo by zero")
        if isinstance(a, int) and isinstance(b, int):
            result = abs(a) % abs(b) * (-1 if a < 0 else 1)  # the sign of the dividend
        else:
            result = math.fmod(a, b)
    else:
        return _compare(op, a, b)
    return normalize_number(result)


def _compare(op: str, a: int | float, b: int | float) -> bool:
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    raise EvalError(f"unknown operator {op!r}")


def binary(op: str, left: object, right: object) -> object:
    """A binary operator other than ``&&``/``||`` on two evaluated operands."""
    if op in ("==", "!="):
        same = strict_equal(left, right)
        return same if isinstance(same, Unknown) or op == "==" else not same
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return UNKNOWN
    try:
        return _arithmetic(op, left, right)
    except (ArithmeticError, ValueError) as error:
        raise EvalError(str(error)) from error


# -- the evaluator -----------------------------------------------------------------------------


def _functions() -> Mapping[str, Function]:
    from batchlint.sources.hcl_functions import FUNCTIONS  # imports this module

    return FUNCTIONS


class _Evaluator:
    """One evaluation: its nesting depth and its work budget."""

    __slots__ = ("depth", "in_template", "work")

    def __init__(self) -> None:
        self.depth = 0
        self.work = 0
        self.in_template = False  # templatefile() may not call itself

    def spend(self, amount: int) -> None:
        self.work += amount
        if self.work > MAX_WORK:
            raise EvalError("expression too expensive to evaluate")

    def eval(self, expr: Expr, env: Env) -> object:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise EvalError("expression nested too deeply")
            handler = _HANDLERS.get(type(expr))
            if handler is None:
                raise EvalError(f"not an expression: {type(expr).__name__}")
            return handler(self, expr, env)
        finally:
            self.depth -= 1

    def literal(self, node: Literal, env: Env) -> object:
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return normalize_number(value)
        return value

    def name(self, node: Name, env: Env) -> object:
        if node.name in _KEYWORDS:
            return _KEYWORDS[node.name]
        found = env.roots.get(node.name, _MISSING)
        return UNKNOWN if found is _MISSING else found

    def get_attr(self, node: GetAttr, env: Env) -> object:
        return get_attr(self.eval(node.target, env), node.name)

    def index(self, node: Index, env: Env) -> object:
        target = self.eval(node.target, env)
        return get_index(target, self.eval(node.key, env))

    def splat(self, node: Splat, env: Env) -> object:
        target = self.eval(node.target, env)
        if isinstance(target, Unknown):
            return UNKNOWN
        if target is None:
            return []
        # an attribute name, or an index key evaluated once for all the elements
        steps = [(s, None) if isinstance(s, str) else (None, self.eval(s, env)) for s in node.steps]
        items = target if isinstance(target, list) else [target]
        self.spend(len(items))
        out = []
        for item in items:
            for name, key in steps:
                item = get_attr(item, name) if name is not None else get_index(item, key)
            out.append(item)
        return out

    def tuple_expr(self, node: TupleExpr, env: Env) -> object:
        self.spend(len(node.items))
        return [self.eval(item, env) for item in node.items]

    def object_expr(self, node: ObjectExpr, env: Env) -> object:
        self.spend(len(node.items))
        out = Object()
        for item in node.items:
            key = self.eval(item.key, env)
            if isinstance(key, Unknown):
                return UNKNOWN
            if key is None:
                raise EvalError("an object key cannot be null")
            out[to_string(key)] = self.eval(item.value, env)
        return out

    def template(self, node: Template, env: Env) -> object:
        parts = node.parts
        if len(parts) == 1 and isinstance(parts[0], Interp):
            return self.eval(parts[0].expr, env)  # a lone `${x}` keeps x's type
        out: list[str] = []
        if not self._render(parts, env, out, [0]):
            return UNKNOWN
        return "".join(out)

    def _render(
        self, parts: tuple[TemplatePart, ...], env: Env, out: list[str], size: list[int]
    ) -> bool:
        """Append the text of ``parts``; False as soon as a part is unknown."""
        for part in parts:
            if isinstance(part, str):
                text: object = part
            elif isinstance(part, Interp):
                value = self.eval(part.expr, env)
                if isinstance(value, Unknown):
                    return False
                if value is None or isinstance(value, (list, Mapping)):
                    raise EvalError(f"cannot write a {kind(value)} in a string template")
                text = to_text(value)
            elif isinstance(part, TemplateIf):
                cond = self.eval(part.cond, env)
                if isinstance(cond, Unknown):
                    return False
                chosen = part.then if to_bool(cond) else part.other
                if not self._render(chosen, env, out, size):
                    return False
                continue
            else:
                if not self._render_for(part, env, out, size):
                    return False
                continue
            assert isinstance(text, str)
            size[0] += len(text)
            if size[0] > MAX_TEXT:
                raise EvalError("string too long")
            out.append(text)
        return True

    def _render_for(self, part: TemplateFor, env: Env, out: list[str], size: list[int]) -> bool:
        collection = self.eval(part.collection, env)
        if isinstance(collection, Unknown):
            return False
        for key, value in iterate(collection):
            self.spend(1)
            bindings = {part.value_var: value}
            if part.key_var is not None:
                bindings[part.key_var] = key
            if not self._render(part.body, env.child(bindings), out, size):
                return False
        return True

    def call(self, node: Call, env: Env) -> object:
        if node.name in ("try", "can"):
            return self._try(node, env) if node.name == "try" else self._can(node, env)
        function = _functions().get(node.name)
        if function is None:
            return UNKNOWN  # a function batchlint does not know, or a provider's
        args = [self.eval(arg, env) for arg in node.args]
        if node.expand:
            last = args.pop() if args else None
            if isinstance(last, Unknown):
                return UNKNOWN
            if not isinstance(last, list):
                raise EvalError("only a list can be expanded into arguments")
            args.extend(last)
        return function.call(_CallSite(self, env), args)

    def _try(self, node: Call, env: Env) -> object:
        if node.expand:
            raise EvalError("try() does not take an expanded list")
        for arg in node.args:
            try:
                value = self.eval(arg, env)
            except EvalError:
                continue
            # Terraform cannot tell yet whether an unknown would have failed
            return UNKNOWN if has_unknown(value) else value
        raise EvalError("no argument of try() could be evaluated")

    def _can(self, node: Call, env: Env) -> object:
        if len(node.args) != 1 or node.expand:
            raise EvalError("can() takes one argument")
        try:
            value = self.eval(node.args[0], env)
        except EvalError:
            return False
        return UNKNOWN if has_unknown(value) else True

    def unary(self, node: Unary, env: Env) -> object:
        value = self.eval(node.operand, env)
        if isinstance(value, Unknown):
            return UNKNOWN
        if node.op == "!":
            return not to_bool(value)
        if node.op == "-":
            return normalize_number(-to_number(value))
        raise EvalError(f"unknown operator {node.op!r}")

    def binary(self, node: Binary, env: Env) -> object:
        if node.op in ("&&", "||"):
            return self._logic(node, env)
        return binary(node.op, self.eval(node.left, env), self.eval(node.right, env))

    def _logic(self, node: Binary, env: Env) -> object:
        """Short-circuits when the left operand decides it, as HCL does."""
        decisive = node.op == "||"  # the left value that decides the result on its own
        left = self.eval(node.left, env)
        if not isinstance(left, Unknown) and to_bool(left) == decisive:
            return decisive
        right = self.eval(node.right, env)
        if isinstance(right, Unknown):
            return UNKNOWN
        if to_bool(right) == decisive:
            return decisive
        return UNKNOWN if isinstance(left, Unknown) else not decisive

    def conditional(self, node: Conditional, env: Env) -> object:
        cond = self.eval(node.cond, env)
        if isinstance(cond, Unknown):
            then, other = self._guarded(node.then, env), self._guarded(node.other, env)
            if has_unknown(then) or strict_equal(then, other) is not True:
                return UNKNOWN
            return then
        chosen, rest = (node.then, node.other) if to_bool(cond) else (node.other, node.then)
        value = self.eval(chosen, env)
        # the result types unify: `c ? 1 : "x"` is a string either way
        if isinstance(value, (bool, int, float)) and isinstance(self._guarded(rest, env), str):
            return to_string(value)
        return value

    def _guarded(self, expr: Expr, env: Env) -> object:
        try:
            return self.eval(expr, env)
        except EvalError:
            return UNKNOWN

    def for_expr(self, node: ForExpr, env: Env) -> object:
        collection = self.eval(node.collection, env)
        if isinstance(collection, Unknown):
            return UNKNOWN
        items: list[object] = []
        grouped: dict[str, object] = Object()
        for key, value in iterate(collection):
            self.spend(1)
            bindings = {node.value_var: value}
            if node.key_var is not None:
                bindings[node.key_var] = key
            scope = env.child(bindings)
            if node.cond is not None:
                keep = self.eval(node.cond, scope)
                if isinstance(keep, Unknown):
                    return UNKNOWN
                if not to_bool(keep):
                    continue
            if node.key is None:
                items.append(self.eval(node.value, scope))
            elif not self._collect(node, scope, grouped):
                return UNKNOWN
        if node.key is None:
            check_size(items)
            return items
        check_size(grouped)
        return grouped

    def _collect(self, node: ForExpr, scope: Env, out: dict[str, object]) -> bool:
        assert node.key is not None
        key = self.eval(node.key, scope)
        if isinstance(key, Unknown):
            return False
        if key is None:
            raise EvalError("a for expression's key cannot be null")
        text = to_string(key)
        value = self.eval(node.value, scope)
        if node.group:
            group = out.setdefault(text, [])
            assert isinstance(group, list)
            group.append(value)
        elif text in out:
            raise EvalError(f"duplicate key {text!r} in a for expression (add `...` to group)")
        else:
            out[text] = value
        return True


_HANDLERS: dict[type, Callable[[_Evaluator, object, Env], object]] = {
    Literal: _Evaluator.literal,  # type: ignore[dict-item]
    Name: _Evaluator.name,  # type: ignore[dict-item]
    GetAttr: _Evaluator.get_attr,  # type: ignore[dict-item]
    Index: _Evaluator.index,  # type: ignore[dict-item]
    Splat: _Evaluator.splat,  # type: ignore[dict-item]
    TupleExpr: _Evaluator.tuple_expr,  # type: ignore[dict-item]
    ObjectExpr: _Evaluator.object_expr,  # type: ignore[dict-item]
    Template: _Evaluator.template,  # type: ignore[dict-item]
    Call: _Evaluator.call,  # type: ignore[dict-item]
    Unary: _Evaluator.unary,  # type: ignore[dict-item]
    Binary: _Evaluator.binary,  # type: ignore[dict-item]
    Conditional: _Evaluator.conditional,  # type: ignore[dict-item]
    ForExpr: _Evaluator.for_expr,  # type: ignore[dict-item]
}


@dataclass(frozen=True, slots=True)
class _CallSite:
    """What a function that reads files sees of its call (``hcl_functions.CallContext``)."""

    evaluator: _Evaluator
    env: Env

    @property
    def module_dir(self) -> Path | None:
        return self.env.module_dir

    def render(self, template: Expr, variables: Mapping[str, object]) -> object:
        """The value of a template file's ``template`` with only ``variables`` as names."""
        if self.evaluator.in_template:
            raise EvalError("templatefile() cannot be called from a template file")
        self.evaluator.in_template = True
        try:
            return self.evaluator.eval(template, Env(Object(variables), self.env.module_dir))
        finally:
            self.evaluator.in_template = False

    def spend(self, amount: int) -> None:
        self.evaluator.spend(amount)


# -- references --------------------------------------------------------------------------------

_REF_DEPTH = 256
# roots whose first attribute names the object: `var.x`, `local.x`, `count.index`, …
_SINGLE = frozenset({"var", "local", "count", "each", "path", "terraform"})
_RESERVED = frozenset({"template", "lazy", "arg"})
_Step = tuple[str, object]  # ("attr", name) or ("index", int | str)


def references(expr: Expr, bound: frozenset[str] = frozenset()) -> list[str]:
    """What a Terraform plan's ``configuration`` lists for ``expr``: every traversal whose root
    is not an iterator of ``bound``, from its longest static form down to the object it names
    (``aws_subnet.a[0].id``, ``aws_subnet.a[0]``, ``aws_subnet.a``), in order, once each."""
    out: dict[str, None] = {}
    _walk(expr, bound, out, 0)
    return list(out)


def _walk(node: object, bound: frozenset[str], out: dict[str, None], depth: int) -> None:
    if depth > _REF_DEPTH:
        return
    deeper = depth + 1
    if isinstance(node, (Name, GetAttr, Index)):
        root, steps, rest = _traversal(node)
        if isinstance(root, Name):
            if root.name not in bound and root.name not in _KEYWORDS:
                out.update(dict.fromkeys(_forms(root.name, steps)))
        else:
            _walk(root, bound, out, deeper)
        for key in rest:
            _walk(key, bound, out, deeper)
    elif isinstance(node, Splat):
        _walk(node.target, bound, out, deeper)
        for step in node.steps:
            if not isinstance(step, str):
                _walk(step, bound, out, deeper)
    elif isinstance(node, ForExpr):
        _walk(node.collection, bound, out, deeper)
        inner = bound | {node.value_var} | ({node.key_var} if node.key_var else set())
        for part in (node.key, node.value, node.cond):
            if part is not None:
                _walk(part, inner, out, deeper)
    elif isinstance(node, TemplateFor):
        _walk(node.collection, bound, out, deeper)
        inner = bound | {node.value_var} | ({node.key_var} if node.key_var else set())
        for piece in node.body:
            _walk(piece, inner, out, deeper)
    else:
        for child in _children(node):
            _walk(child, bound, out, deeper)


def _children(node: object) -> tuple[object, ...]:
    if isinstance(node, Template):
        return node.parts
    if isinstance(node, Interp):
        return (node.expr,)
    if isinstance(node, TemplateIf):
        return (node.cond, *node.then, *node.other)
    if isinstance(node, TupleExpr):
        return node.items
    if isinstance(node, ObjectExpr):
        return tuple(x for item in node.items for x in (item.key, item.value))
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.cond, node.then, node.other)
    return ()


def _traversal(node: Expr) -> tuple[Expr, list[_Step], list[Expr]]:
    """(the root, the static steps from it, the dynamic index keys after them): a dynamic
    index ends the traversal, as in HCL."""
    chain: list[GetAttr | Index] = []
    current: Expr = node
    while isinstance(current, (GetAttr, Index)) and len(chain) < _REF_DEPTH:
        chain.append(current)
        current = current.target
    chain.reverse()
    steps: list[_Step] = []
    dynamic: list[Expr] = []
    for position, link in enumerate(chain):
        if isinstance(link, GetAttr):
            if link.name.isascii() and link.name.isdigit():
                steps.append(("index", int(link.name)))  # legacy `list.0`
            else:
                steps.append(("attr", link.name))
            continue
        key = static_key(link.key)
        if key is None:
            dynamic.append(link.key)
            dynamic.extend(lk.key for lk in chain[position + 1 :] if isinstance(lk, Index))
            break
        steps.append(("index", key))
    return current, steps, dynamic


def static_key(key: Expr) -> int | float | str | None:
    """A key written as a constant (``["a"]``, ``[0]``, an object's ``a =``), else None."""
    value = key.value if isinstance(key, Literal) else None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    if isinstance(key, Template) and all(isinstance(p, str) for p in key.parts):
        return "".join(p for p in key.parts if isinstance(p, str))
    return None


def _forms(root: str, steps: list[_Step]) -> list[str]:
    """The forms Terraform's plan lists for one traversal (its ``addrs.ParseRef`` subject,
    the remaining steps unwrapped one by one, then the subject's containing object)."""
    parsed = _subject(root, steps)
    if parsed is None:
        return []
    subject, remaining, container = parsed
    forms = [subject + _steps_text(remaining[:n]) for n in range(len(remaining), 0, -1)]
    forms.append(subject)
    if container:
        forms.append(container)
    return forms


def _subject(root: str, steps: list[_Step]) -> tuple[str, list[_Step], str | None] | None:
    if root in _SINGLE:
        if not steps or steps[0][0] != "attr":
            return None
        return f"{root}.{steps[0][1]}", steps[1:], None
    if root == "self":
        return "self", steps, None
    if root == "module":
        return _module_subject(steps)
    if root in ("data", "resource"):
        prefix = "data." if root == "data" else ""
        if not steps or steps[0][0] != "attr":
            return None
        return _resource_subject(prefix + str(steps[0][1]), steps[1:])
    if root in _RESERVED:
        return None
    return _resource_subject(root, steps)


def _module_subject(steps: list[_Step]) -> tuple[str, list[_Step], str | None] | None:
    if not steps or steps[0][0] != "attr":
        return None
    call = f"module.{steps[0][1]}"
    if len(steps) == 1:
        return call, [], None
    instance, rest = call, steps[1:]
    if rest[0][0] == "index":
        key = _instance_key(rest[0][1])
        if key is None:
            return None
        instance, rest = call + index_token(key), rest[1:]
        if not rest:
            return instance, [], call
    if rest[0][0] != "attr":
        return None
    return f"{instance}.{rest[0][1]}", rest[1:], call


def _resource_subject(type_: str, steps: list[_Step]) -> tuple[str, list[_Step], str | None] | None:
    if not steps or steps[0][0] != "attr":
        return None
    resource = f"{type_}.{steps[0][1]}"
    rest = steps[1:]
    if rest and rest[0][0] == "index":
        key = _instance_key(rest[0][1])
        if key is None:
            return None
        return resource + index_token(key), rest[1:], resource
    return resource, rest, None


def _instance_key(key: object) -> int | str | None:
    if isinstance(key, str):
        return key
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return key if isinstance(key, int) and key >= 0 else None


def _steps_text(steps: list[_Step]) -> str:
    out = []
    for step, value in steps:
        if step == "attr":
            out.append(f".{value}")
        elif isinstance(value, str):
            out.append(index_token(value))
        else:
            out.append(f"[{format(value, '.10g')}]")
    return "".join(out)
