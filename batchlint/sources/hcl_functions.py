"""The Terraform functions batchlint evaluates: a table name → :class:`Function`.

Each follows Terraform's documented behaviour on known values. A function given an unknown
argument returns UNKNOWN, except where the answer does not depend on it (``length`` of a list
with unknown elements, ``concat``/``merge``/``tolist`` keeping them, ``coalesce`` past a known
value). A bad argument raises :class:`~batchlint.sources.hcl_eval.EvalError` (``try()`` and
``can()`` catch it; :func:`~batchlint.sources.hcl_eval.evaluate` turns it into UNKNOWN).
Functions whose value depends on the machine or the clock (``timestamp``, ``uuid``,
``abspath``…) and those not listed here are UNKNOWN. ``try`` and ``can`` are syntax (they
see their arguments unevaluated): ``hcl_eval`` implements them.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import posixpath
import re
import stat
import unicodedata
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, cast

import yaml

from batchlint.sources.hcl_ast import Expr, HclError
from batchlint.sources.hcl_eval import (
    MAX_ELEMENTS,
    MAX_TEXT,
    UNKNOWN,
    EvalError,
    Object,
    PartialJson,
    Unknown,
    check_size,
    has_unknown,
    is_number,
    kind,
    materialize,
    normalize_number,
    number_text,
    strict_equal,
    to_bool,
    to_integer,
    to_number,
    to_string,
)

MAX_NESTING = 128  # of a decoded JSON or YAML document


class CallContext(Protocol):
    """What a function that reads files sees of its call."""

    @property
    def module_dir(self) -> Path | None: ...

    def render(self, template: Expr, variables: Mapping[str, object]) -> object: ...

    def spend(self, amount: int) -> None: ...


# "none": any unknown anywhere in an argument makes the result unknown; "elements": only a
# wholly unknown argument does; "any": the function handles unknowns itself
Unknowns = Literal["none", "elements", "any"]


@dataclass(frozen=True, slots=True)
class Function:
    """One function of the table: its implementation, arity and way with unknowns."""

    impl: Callable[..., object]
    min_args: int
    max_args: int | None  # None: any number
    unknowns: Unknowns = "none"
    context: bool = False  # impl takes the CallContext first

    def call(self, ctx: CallContext, args: list[object]) -> object:
        if len(args) < self.min_args or (self.max_args is not None and len(args) > self.max_args):
            raise EvalError(f"wrong number of arguments ({len(args)})")
        args = [materialize(a) for a in args]
        if self.unknowns == "none" and any(has_unknown(a) for a in args):
            return UNKNOWN
        if self.unknowns == "elements" and any(isinstance(a, Unknown) for a in args):
            return UNKNOWN
        try:
            result = self.impl(ctx, *args) if self.context else self.impl(*args)
        except EvalError:
            raise
        except (
            ValueError,
            TypeError,
            ArithmeticError,
            LookupError,
            OSError,
            RecursionError,
            re.error,
            yaml.YAMLError,
            HclError,
        ) as error:
            raise EvalError(str(error) or type(error).__name__) from error
        check_size(result)
        return result


FUNCTIONS: dict[str, Function] = {}

_Impl = Callable[..., object]


def _define(
    name: str,
    min_args: int,
    max_args: int | None = -1,
    unknowns: Unknowns = "none",
    context: bool = False,
) -> Callable[[_Impl], _Impl]:
    """Register ``impl`` as ``name``; ``max_args`` defaults to ``min_args``."""

    def register(impl: _Impl) -> _Impl:
        top = min_args if max_args == -1 else max_args
        FUNCTIONS[name] = Function(impl, min_args, top, unknowns, context)
        return impl

    return register


# -- argument types ----------------------------------------------------------------------------


def _str(value: object) -> str:
    return to_string(value)


def _list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    raise EvalError(f"a list is required, not {kind(value)}")


def _map(value: object) -> Mapping[str, object]:
    if isinstance(value, Mapping):
        return value
    raise EvalError(f"a map is required, not {kind(value)}")


def _unify(values: list[object]) -> list[object]:
    """Elements converted to one type as Terraform does for a list: strings win over
    numbers and bools; anything else mixed is an error."""
    kinds = {kind(v) for v in values if v is not None and not isinstance(v, Unknown)}
    if len(kinds) <= 1:
        return values
    if kinds <= {"string", "number", "bool"} and "string" in kinds:
        return [v if v is None or isinstance(v, Unknown) else to_string(v) for v in values]
    raise EvalError(f"elements of inconsistent types: {', '.join(sorted(kinds))}")


def _as_set(values: list[object]) -> list[object]:
    """Distinct elements in Terraform's set order: strings and numbers sorted, the rest as
    they come."""
    values = _unify(values)
    distinct: dict[tuple[str, str], object] = {}
    for value in values:
        distinct.setdefault((kind(value), json_text(value)), value)
    out = list(distinct.values())
    if all(isinstance(v, str) for v in out):
        out.sort(key=str)
    elif all(is_number(v) for v in out):
        out.sort(key=lambda v: cast(float, v))
    return out


def _like(maps: list[Mapping[str, object]], entries: dict[str, object]) -> dict[str, object]:
    """An evaluated object when every input was one (a missing key is then an error)."""
    return Object(entries) if all(isinstance(m, Object) for m in maps) else entries


# -- JSON and YAML -----------------------------------------------------------------------------

_HTML_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_string(text: str) -> str:
    """A JSON string as Terraform (Go) writes it: HTML-sensitive characters escaped."""
    text = _SURROGATE.sub("\ufffd", text)
    return json.dumps(text, ensure_ascii=False).translate(_HTML_ESCAPES)


def json_text(value: object) -> str:
    """``jsonencode`` of a known value: compact, keys sorted, numbers canonical."""
    out: list[str] = []
    _json_write(value, out, 0)
    return "".join(out)


def _json_write(value: object, out: list[str], depth: int) -> None:
    if depth > 2 * MAX_NESTING:
        raise EvalError("value nested too deeply to encode")
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif is_number(value):
        out.append(number_text(cast(float, value)))
    elif isinstance(value, str):
        out.append(_json_string(value))
    elif isinstance(value, list):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _json_write(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, Mapping):
        out.append("{")
        for position, key in enumerate(sorted(value)):
            if position:
                out.append(",")
            out.append(_json_string(key))
            out.append(":")
            _json_write(value[key], out, depth + 1)
        out.append("}")
    else:
        raise EvalError(f"cannot encode {kind(value)}")


@_define("jsonencode", 1, unknowns="elements")
def _jsonencode(value: object) -> object:
    if has_unknown(value):
        return PartialJson(value)
    return json_text(value)


def _no_constant(name: str) -> object:
    raise EvalError(f"{name} is not valid JSON")


def _decoded(value: object, depth: int = 0) -> object:
    """A decoded document as evaluator values (objects closed, numbers normalized)."""
    if depth > MAX_NESTING:
        raise EvalError("document nested too deeply")
    if isinstance(value, dict):
        return Object({_key_text(k): _decoded(v, depth + 1) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return [_decoded(v, depth + 1) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return normalize_number(value)
    raise EvalError(f"unsupported value in document: {type(value).__name__}")


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json_text(key)
    raise EvalError("a document's keys must be strings")


@_define("jsondecode", 1, unknowns="any")
def _jsondecode(text: object) -> object:
    if isinstance(text, PartialJson):
        return text.data  # jsondecode(jsonencode(x)) is x, unknown parts and all
    if isinstance(text, Unknown):
        return UNKNOWN
    return _decoded(json.loads(_str(text), parse_constant=_no_constant))


def _yaml_scalar(value: object) -> str:
    if isinstance(value, str):
        return _json_string(value)
    return json_text(value)


def _yaml_lines(value: object, depth: int = 0) -> list[str]:
    """Terraform's block style: strings double-quoted, lists at their key's indentation."""
    if depth > 2 * MAX_NESTING:
        raise EvalError("value nested too deeply to encode")
    if isinstance(value, Mapping) and value:
        lines = []
        for key in sorted(value):
            child = value[key]
            head = _json_string(key) + ":"
            if isinstance(child, Mapping) and child:
                lines.append(head)
                lines.extend("  " + line for line in _yaml_lines(child, depth + 1))
            elif isinstance(child, list) and child:
                lines.append(head)
                lines.extend(_yaml_lines(child, depth + 1))
            else:
                lines.append(f"{head} {_yaml_lines(child, depth + 1)[0]}")
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            sub = _yaml_lines(item, depth + 1)
            lines.append("- " + sub[0])
            lines.extend("  " + line for line in sub[1:])
        return lines
    if isinstance(value, Mapping):
        return ["{}"]
    if isinstance(value, list):
        return ["[]"]
    return [_yaml_scalar(value)]


@_define("yamlencode", 1)
def _yamlencode(value: object) -> object:
    return "\n".join(_yaml_lines(value)) + "\n"


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, with timestamps left as strings (as Terraform reads them)."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _counted(value: object, budget: list[int], depth: int = 0) -> None:
    """Count the nodes of a loaded document: an alias bomb shares its nodes in memory but
    every walk over it pays for all of them."""
    if depth > MAX_NESTING:
        raise EvalError("document nested too deeply")
    budget[0] -= 1
    if budget[0] < 0:
        raise EvalError("document too large")
    if isinstance(value, dict):
        for item in value.values():
            _counted(item, budget, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _counted(item, budget, depth + 1)


@_define("yamldecode", 1)
def _yamldecode(text: object) -> object:
    documents = list(yaml.load_all(_str(text), Loader=_YamlLoader))
    if len(documents) > 1:
        raise EvalError("yamldecode() reads one document")
    document = documents[0] if documents else None
    _counted(document, [10 * MAX_ELEMENTS])
    return _decoded(document)


# -- files and paths ---------------------------------------------------------------------------


def _resolve(ctx: CallContext, path: object) -> Path | None:
    """A path as Terraform reads it, or None when it depends on the machine."""
    text = _str(path)
    if text.startswith("~"):
        return None
    candidate = Path(text)
    if candidate.is_absolute():
        return candidate
    return ctx.module_dir / candidate if ctx.module_dir is not None else None


@lru_cache(maxsize=32)
def _read_cached(path: Path, _mtime: int, _size: int) -> bytes:
    return path.read_bytes()


def _read(ctx: CallContext, path: Path) -> bytes:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise EvalError(f"{path.name} is not a regular file")
    if info.st_size > MAX_TEXT:
        raise EvalError(f"{path.name} is too large")
    ctx.spend(1 + info.st_size // 10_000)
    return _read_cached(path, info.st_mtime_ns, info.st_size)


@_define("file", 1, context=True)
def _file(ctx: CallContext, path: object) -> object:
    resolved = _resolve(ctx, path)
    return UNKNOWN if resolved is None else _read(ctx, resolved).decode("utf-8")


@_define("filebase64", 1, context=True)
def _filebase64(ctx: CallContext, path: object) -> object:
    resolved = _resolve(ctx, path)
    return UNKNOWN if resolved is None else base64.b64encode(_read(ctx, resolved)).decode()


@_define("fileexists", 1, context=True)
def _fileexists(ctx: CallContext, path: object) -> object:
    resolved = _resolve(ctx, path)
    if resolved is None:
        return UNKNOWN
    if not resolved.exists():
        return False
    if not resolved.is_file():
        raise EvalError(f"{resolved.name} is not a regular file")
    return True


@lru_cache(maxsize=32)
def _parsed_template(text: str) -> Expr:
    from batchlint.sources.hcl_parse import parse_template  # lark: loaded only when needed

    return parse_template(text)


@_define("templatefile", 2, context=True)
def _templatefile(ctx: CallContext, path: object, variables: object) -> object:
    resolved = _resolve(ctx, path)
    names = _map(variables)
    if resolved is None:
        return UNKNOWN
    template = _parsed_template(_read(ctx, resolved).decode("utf-8"))
    return ctx.render(template, names)


def _go_clean(path: str) -> str:
    """Go's ``path.Clean``: POSIX normalization, and one leading slash at most."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


@_define("basename", 1)
def _basename(path: object) -> object:
    text = _str(path)
    if not text:
        return "."
    stripped = text.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else "/"


@_define("dirname", 1)
def _dirname(path: object) -> object:
    text = _str(path)
    return _go_clean(text[: text.rfind("/") + 1])


# -- strings -----------------------------------------------------------------------------------


def _graphemes(text: str) -> list[str]:
    """User-perceived characters, near enough to Terraform's grapheme clusters: a base with
    its combining marks, variation selectors and ZWJ sequences, and CR LF."""
    out: list[str] = []
    joined = False
    for char in text:
        extends = (
            out
            and (
                joined
                or unicodedata.combining(char)
                or char in "\u200d\ufe0e\ufe0f"
                or (char == "\n" and out[-1] == "\r")
            )
            and out[-1] != "\r\n"
        )
        if extends:
            out[-1] += char
        else:
            out.append(char)
        joined = char == "\u200d"
    return out


def _length_of_text(text: str) -> int:
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(_graphemes(text))


@_define("length", 1, unknowns="elements")
def _length(value: object) -> object:
    if isinstance(value, str):
        return _length_of_text(value)
    if isinstance(value, (list, Mapping)):
        return len(value)
    raise EvalError(f"length() of {kind(value)}")


@_define("upper", 1)
def _upper(text: object) -> object:
    return _str(text).upper()


@_define("lower", 1)
def _lower(text: object) -> object:
    return _str(text).lower()


def _separates(char: str) -> bool:
    """Go's ``strings.Title`` word boundary."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    return char.isspace()


@_define("title", 1)
def _title(text: object) -> object:
    out, previous = [], " "
    for char in _str(text):
        out.append(char.upper() if _separates(previous) else char)
        previous = char
    return "".join(out)


_BACKREF = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _expand(template: str, match: re.Match[str]) -> str:
    """A Go regexp replacement template (``$1``, ``${name}``, ``$$``) for one match."""

    def reference(ref: re.Match[str]) -> str:
        if ref.group(0) == "$$":
            return "$"
        name = ref.group(1) or ref.group(2)
        if name.isascii() and name.isdigit():
            number = int(name)
            return (match.group(number) or "") if number <= match.re.groups else ""
        return (match.group(name) or "") if name in match.re.groupindex else ""

    return _BACKREF.sub(reference, template)


@_define("replace", 3)
def _replace(text: object, search: object, replacement: object) -> object:
    subject, pattern, new = _str(text), _str(search), _str(replacement)
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        return _replace_regex(subject, _compile(pattern[1:-1]), new)
    count = len(subject) + 1 if not pattern else subject.count(pattern)
    if len(subject) + count * (len(new) - len(pattern)) > MAX_TEXT:
        raise EvalError("string too long")
    return subject.replace(pattern, new)


def _replace_regex(subject: str, pattern: re.Pattern[str], template: str) -> str:
    out, size, last = [], 0, 0
    for match in pattern.finditer(subject):
        piece = subject[last : match.start()] + _expand(template, match)
        size += len(piece)
        if size > MAX_TEXT:
            raise EvalError("string too long")
        out.append(piece)
        last = match.end()
    out.append(subject[last:])
    return "".join(out)


_RE2_NAMED = re.compile(r"\(\?<(?![=!])")


def _backtracks(pattern: str) -> bool:
    """Whether a group holding an unbounded repetition is itself repeated without bound
    (``(a+)+``): Python's backtracking engine can take exponential time on those, where
    Terraform's RE2 cannot, so they are not run at all."""
    open_groups: list[bool] = []  # per open group: whether it holds an unbounded repeat
    position, in_class = 0, False
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            position += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[position + 1 : position + 2] == "]":
                position += 1
        elif char == "(":
            open_groups.append(False)
        elif char == ")":
            repeats = open_groups.pop() if open_groups else False
            if repeats and _unbounded(pattern, position + 1):
                return True
            if open_groups and repeats:
                open_groups[-1] = True
        elif open_groups and _unbounded(pattern, position):
            open_groups[-1] = True
        position += 1
    return False


_OPEN_REPEAT = re.compile(r"\{\d*,\}")


def _unbounded(pattern: str, position: int) -> bool:
    return pattern[position : position + 1] in ("*", "+") or bool(
        _OPEN_REPEAT.match(pattern, position)
    )


@lru_cache(maxsize=128)
def _compile(pattern: str) -> re.Pattern[str]:
    if len(pattern) > 10_000 or _backtracks(pattern):
        raise EvalError("regular expression too complex to evaluate safely")
    return re.compile(_RE2_NAMED.sub("(?P<", pattern))


def _match_value(match: re.Match[str]) -> object:
    compiled = match.re
    if compiled.groups == 0:
        return match.group(0)
    names = compiled.groupindex
    if not names:
        return list(match.groups())
    if len(names) != compiled.groups:
        raise EvalError("a pattern cannot mix named and unnamed capture groups")
    return Object({name: match.group(name) for name in names})


@_define("regex", 2)
def _regex(pattern: object, text: object) -> object:
    match = _compile(_str(pattern)).search(_str(text))
    if match is None:
        raise EvalError("pattern did not match")
    return _match_value(match)


@_define("regexall", 2)
def _regexall(pattern: object, text: object) -> object:
    out = []
    for match in _compile(_str(pattern)).finditer(_str(text)):
        out.append(_match_value(match))
        if len(out) > MAX_ELEMENTS:
            raise EvalError("too many matches")
    return out


@_define("split", 2)
def _split(separator: object, text: object) -> object:
    sep, subject = _str(separator), _str(text)
    if (len(subject) if not sep else subject.count(sep)) >= MAX_ELEMENTS:
        raise EvalError("too many parts")
    return list(subject) if not sep else subject.split(sep)


@_define("join", 2, None)
def _join(separator: object, *lists: object) -> object:
    sep = _str(separator)
    parts: list[str] = []
    for value in lists:
        for item in _list(value):
            if item is None:
                raise EvalError("join() of a null element")
            parts.append(_str(item))
    if sum(map(len, parts)) + len(sep) * len(parts) > MAX_TEXT:
        raise EvalError("string too long")
    return sep.join(parts)


@_define("trim", 2)
def _trim(text: object, cutset: object) -> object:
    return _str(text).strip(_str(cutset))


@_define("trimspace", 1)
def _trimspace(text: object) -> object:
    return _str(text).strip()


@_define("trimprefix", 2)
def _trimprefix(text: object, prefix: object) -> object:
    return _str(text).removeprefix(_str(prefix))


@_define("trimsuffix", 2)
def _trimsuffix(text: object, suffix: object) -> object:
    return _str(text).removesuffix(_str(suffix))


@_define("chomp", 1)
def _chomp(text: object) -> object:
    return _str(text).rstrip("\r\n")


@_define("indent", 2)
def _indent(spaces: object, text: object) -> object:
    subject, count = _str(text), max(to_integer(spaces), 0)
    if len(subject) + subject.count("\n") * count > MAX_TEXT:
        raise EvalError("string too long")
    return subject.replace("\n", "\n" + " " * count)


@_define("strrev", 1)
def _strrev(text: object) -> object:
    return "".join(reversed(_graphemes(_str(text))))


@_define("substr", 3)
def _substr(text: object, offset: object, length: object) -> object:
    chars = _graphemes(_str(text))
    start, count = to_integer(offset), to_integer(length)
    if start < 0:
        start = max(start + len(chars), 0)
    rest = chars[start:]
    return "".join(rest if count < 0 else rest[:count])


@_define("startswith", 2)
def _startswith(text: object, prefix: object) -> object:
    return _str(text).startswith(_str(prefix))


@_define("endswith", 2)
def _endswith(text: object, suffix: object) -> object:
    return _str(text).endswith(_str(suffix))


@_define("strcontains", 2)
def _strcontains(text: object, part: object) -> object:
    return _str(part) in _str(text)


# -- format ------------------------------------------------------------------------------------

_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<arg>\d+)\])?(?P<width>\d+)?(?:\.(?P<precision>\d*))?"
    r"(?P<verb>[a-zA-Z%])"
)
_MAX_WIDTH = 100_000


def format_text(spec: str, args: list[object]) -> str:
    """Terraform's ``format``: the verbs ``%v %#v %s %q %t %d %b %o %x %X %e %E %f %g %G
    %%``, with flags, width, precision and ``%[n]`` argument indexes."""
    out: list[str] = []
    position, next_arg, used = 0, 0, set()
    while True:
        start = spec.find("%", position)
        if start < 0:
            out.append(spec[position:])
            break
        out.append(spec[position:start])
        verb = _VERB.match(spec, start)
        if verb is None:
            raise EvalError(f"invalid format verb at offset {start}")
        position = verb.end()
        if verb["verb"] == "%":
            out.append("%")
            continue
        if verb["arg"]:
            next_arg = int(verb["arg"]) - 1
        if not 0 <= next_arg < len(args):
            raise EvalError("not enough arguments for the format string")
        used.add(next_arg)
        out.append(_format_one(verb, args[next_arg]))
        next_arg += 1
    if len(used) < len(args):
        raise EvalError(f"too many arguments; only {len(used)} used by the format string")
    return "".join(out)


def _format_one(verb: re.Match[str], value: object) -> str:
    letter, flags = verb["verb"], verb["flags"]
    width = int(verb["width"] or 0)
    precision = None if verb["precision"] is None else int(verb["precision"] or 0)
    if width > _MAX_WIDTH or (precision or 0) > _MAX_WIDTH:
        raise EvalError("format width too large")
    if letter in "dboxX":
        return format(to_integer(value), _number_spec(flags, width, letter))
    if letter in "eEfFgG":
        return _format_float(to_number(value), letter, flags, width, precision)
    text = _format_text(letter, flags, value)
    if precision is not None and letter in "sqv":
        text = text[:precision]
    return text.ljust(width) if "-" in flags else text.rjust(width)


def _number_spec(flags: str, width: int, letter: str) -> str:
    align = "<" if "-" in flags else ""
    sign = "+" if "+" in flags else (" " if " " in flags else "")
    alternate = "#" if "#" in flags and letter in "xXb" else ""
    zero = "0" if "0" in flags and not align else ""
    return f"{align}{sign}{alternate}{zero}{width or ''}{letter}"


def _format_float(
    number: int | float, letter: str, flags: str, width: int, precision: int | None
) -> str:
    value = float(number)
    if letter in "gG" and precision is None:
        return _pad_number(_shortest_g(value, letter == "G"), flags, width)
    digits = 6 if precision is None else precision
    return format(value, f"{_number_spec(flags, width, '')}.{digits}{letter}")


def _pad_number(text: str, flags: str, width: int) -> str:
    if not text.startswith("-") and ("+" in flags or " " in flags):
        text = ("+" if "+" in flags else " ") + text
    if "-" in flags:
        return text.ljust(width)
    if "0" in flags:
        sign = text[0] if text[0] in "+- " else ""
        return sign + text[len(sign) :].rjust(width - len(sign), "0")
    return text.rjust(width)


def _shortest_g(value: float, upper: bool) -> str:
    """Go's ``%g`` without precision: the shortest digits, exponent form outside 1e-4..1e6."""
    if value == 0:
        return "0"
    exact = Decimal(repr(value)).normalize()
    exponent = exact.adjusted()
    if -4 <= exponent < 6:
        return format(exact, "f")
    sign, digits, _ = exact.as_tuple()
    mantissa = "".join(map(str, digits))
    if len(mantissa) > 1:
        mantissa = mantissa[0] + "." + mantissa[1:]
    text = f"{'-' if sign else ''}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return text.upper() if upper else text


def _format_text(letter: str, flags: str, value: object) -> str:
    if letter == "v":
        if "#" in flags:
            return json_text(value)
        if value is None:
            return "null"
        if isinstance(value, (list, Mapping)):
            return json_text(value)
        return _str(value)
    if value is None:
        raise EvalError(f"cannot format null with %{letter}")
    if letter == "s":
        return _str(value)
    if letter == "q":
        return _json_string(_str(value))
    if letter == "t":
        return "true" if to_bool(value) else "false"
    raise EvalError(f"unsupported format verb %{letter}")


@_define("format", 1, None)
def _format(spec: object, *args: object) -> object:
    return format_text(_str(spec), list(args))


@_define("formatlist", 1, None)
def _formatlist(spec: object, *args: object) -> object:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist() lists must all have the same length")
    count = lengths.pop() if lengths else 1
    text = _str(spec)
    return [
        format_text(text, [a[i] if isinstance(a, list) else a for a in args]) for i in range(count)
    ]


# -- collections -------------------------------------------------------------------------------


@_define("element", 2, unknowns="elements")
def _element(values: object, index: object) -> object:
    items, position = _list(values), to_integer(index)
    if not items:
        raise EvalError("element() of an empty list")
    if position < 0:
        raise EvalError("element() index cannot be negative")
    return items[position % len(items)]


@_define("concat", 1, None, unknowns="elements")
def _concat(*lists: object) -> object:
    parts = [_list(value) for value in lists]
    if sum(map(len, parts)) > MAX_ELEMENTS:
        raise EvalError("list too large")
    return [item for part in parts for item in part]


@_define("merge", 0, None, unknowns="elements")
def _merge(*maps: object) -> object:
    given = [_map(value) for value in maps if value is not None]
    entries: dict[str, object] = {}
    for value in given:
        entries.update(value)
    return _like(given, entries)


@_define("lookup", 2, 3, unknowns="elements")
def _lookup(mapping: object, key: object, *default: object) -> object:
    values, name = _map(mapping), _str(key)
    if name in values:
        return values[name]
    if not isinstance(values, Object):
        return UNKNOWN  # a map a root gave may lack what it cannot know
    if default:
        return default[0]
    raise EvalError(f"no key {name!r} in the map and no default")


@_define("keys", 1, unknowns="elements")
def _keys(mapping: object) -> object:
    return sorted(_map(mapping))


@_define("values", 1, unknowns="elements")
def _values(mapping: object) -> object:
    values = _map(mapping)
    return [values[k] for k in sorted(values)]


def _flattened(values: list[object], out: list[object], depth: int) -> None:
    if depth > MAX_NESTING:
        raise EvalError("list nested too deeply")
    for item in values:
        if isinstance(item, list):
            _flattened(item, out, depth + 1)
        else:
            out.append(item)


@_define("flatten", 1)
def _flatten(values: object) -> object:
    out: list[object] = []
    _flattened(_list(values), out, 0)
    return out


@_define("distinct", 1)
def _distinct(values: object) -> object:
    seen: dict[tuple[str, str], object] = {}
    for item in _unify(_list(values)):
        seen.setdefault((kind(item), json_text(item)), item)
    return list(seen.values())


def _position(values: list[object], wanted: object) -> int | Unknown | None:
    """Where ``wanted`` first is; UNKNOWN when an unknown element before it could be it."""
    pending = False
    for position, item in enumerate(values):
        same = strict_equal(item, wanted)
        if same is True:
            return UNKNOWN if pending else position
        pending = pending or isinstance(same, Unknown)
    return UNKNOWN if pending else None


@_define("contains", 2, unknowns="elements")
def _contains(values: object, wanted: object) -> object:
    if has_unknown(wanted):
        return UNKNOWN
    pending = False
    for item in _list(values):
        same = strict_equal(item, wanted)
        if same is True:
            return True
        pending = pending or isinstance(same, Unknown)
    return UNKNOWN if pending else False


@_define("index", 2, unknowns="elements")
def _index(values: object, wanted: object) -> object:
    if has_unknown(wanted):
        return UNKNOWN
    found = _position(_list(values), wanted)
    if found is None:
        raise EvalError("item not found in the list")
    return found


@_define("reverse", 1, unknowns="elements")
def _reverse(values: object) -> object:
    return list(reversed(_list(values)))


@_define("sort", 1)
def _sort(values: object) -> object:
    items = _list(values)
    if any(item is None for item in items):
        raise EvalError("sort() of a null element")
    return sorted(_str(item) for item in items)


@_define("slice", 3, unknowns="elements")
def _slice(values: object, start: object, end: object) -> object:
    items, first, last = _list(values), to_integer(start), to_integer(end)
    if not 0 <= first <= last <= len(items):
        raise EvalError(f"slice() bounds [{first}, {last}) out of range for {len(items)}")
    return items[first:last]


@_define("zipmap", 2, unknowns="elements")
def _zipmap(keys: object, values: object) -> object:
    names, items = _list(keys), _list(values)
    if len(names) != len(items):
        raise EvalError("zipmap() lists must have the same length")
    if any(has_unknown(name) for name in names):
        return UNKNOWN
    return Object(zip([_str(name) for name in names], items, strict=True))


@_define("compact", 1)
def _compact(values: object) -> object:
    return [_str(item) for item in _list(values) if item is not None and item != ""]


@_define("coalesce", 1, None, unknowns="any")
def _coalesce(*args: object) -> object:
    for position, value in enumerate(args):
        if isinstance(value, Unknown):
            return UNKNOWN
        if value is None or value == "":
            continue
        rest = args[position + 1 :]
        if isinstance(value, (bool, int, float)) and any(isinstance(a, str) for a in rest):
            return to_string(value)  # the arguments unify to string
        return value
    raise EvalError("no non-null, non-empty-string argument")


@_define("coalescelist", 1, None, unknowns="any")
def _coalescelist(*args: object) -> object:
    for value in args:
        if isinstance(value, Unknown):
            return UNKNOWN
        if value is not None and _list(value):
            return value
    raise EvalError("no non-empty list argument")


@_define("one", 1, unknowns="elements")
def _one(values: object) -> object:
    items = _list(values)
    if len(items) > 1:
        raise EvalError(f"one() of a list of {len(items)} elements")
    return items[0] if items else None


def _truth(values: object, decisive: bool) -> object:
    pending = False
    for item in _list(values):
        if isinstance(item, Unknown):
            pending = True
        elif to_bool(item) == decisive:
            return decisive
    return UNKNOWN if pending else not decisive


@_define("alltrue", 1, unknowns="elements")
def _alltrue(values: object) -> object:
    return _truth(values, False)


@_define("anytrue", 1, unknowns="elements")
def _anytrue(values: object) -> object:
    return _truth(values, True)


@_define("range", 1, 3)
def _range(*args: object) -> object:
    numbers = [to_number(a) for a in args]
    start, limit = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
    step = numbers[2] if len(numbers) == 3 else (1 if limit >= start else -1)
    if step == 0 or ((step > 0) != (limit >= start) and start != limit):
        raise EvalError("range() step must move from start towards limit")
    out: list[object] = []
    value = start
    while (value < limit) if step > 0 else (value > limit):
        if len(out) >= 1024:  # Terraform's own limit
            raise EvalError("range() of more than 1024 elements")
        out.append(normalize_number(value))
        value = start + step * len(out)
    return out


@_define("setunion", 1, None)
def _setunion(*sets: object) -> object:
    return _as_set([item for value in sets for item in _list(value)])


@_define("setintersection", 1, None)
def _setintersection(first: object, *others: object) -> object:
    rest = [_as_set(_list(o)) for o in others]
    return [i for i in _as_set(_list(first)) if all(_position(r, i) is not None for r in rest)]


@_define("setsubtract", 2)
def _setsubtract(first: object, second: object) -> object:
    removed = _as_set(_list(second))
    return [i for i in _as_set(_list(first)) if _position(removed, i) is None]


# -- conversions -------------------------------------------------------------------------------


@_define("tolist", 1, unknowns="elements")
def _tolist(value: object) -> object:
    return None if value is None else _unify(_list(value))


@_define("toset", 1)
def _toset(value: object) -> object:
    return None if value is None else _as_set(_list(value))


@_define("tomap", 1, unknowns="elements")
def _tomap(value: object) -> object:
    if value is None:
        return None
    mapping = _map(value)
    names = list(mapping)
    return _like([mapping], dict(zip(names, _unify([mapping[k] for k in names]), strict=True)))


@_define("tostring", 1)
def _tostring(value: object) -> object:
    return None if value is None else _str(value)


@_define("tonumber", 1)
def _tonumber(value: object) -> object:
    return None if value is None else to_number(value)


@_define("tobool", 1)
def _tobool(value: object) -> object:
    return None if value is None else to_bool(value)


@_define("sensitive", 1, unknowns="any")
def _sensitive(value: object) -> object:
    return value


FUNCTIONS["nonsensitive"] = FUNCTIONS["sensitive"]


# -- numbers -----------------------------------------------------------------------------------


@_define("abs", 1)
def _abs(value: object) -> object:
    return abs(to_number(value))


@_define("ceil", 1)
def _ceil(value: object) -> object:
    return math.ceil(to_number(value))


@_define("floor", 1)
def _floor(value: object) -> object:
    return math.floor(to_number(value))


@_define("pow", 2)
def _pow(base: object, exponent: object) -> object:
    result = math.pow(to_number(base), to_number(exponent))
    return normalize_number(result)


@_define("log", 2)
def _log(value: object, base: object) -> object:
    return normalize_number(math.log(to_number(value), to_number(base)))


@_define("signum", 1)
def _signum(value: object) -> object:
    number = to_number(value)
    return (number > 0) - (number < 0)


@_define("parseint", 2)
def _parseint(text: object, base: object) -> object:
    digits, radix = _str(text), to_integer(base)
    if not 2 <= radix <= 62 or not re.fullmatch(r"[+-]?[0-9A-Za-z]+", digits):
        raise EvalError(f"cannot parse {digits[:40]!r} in base {radix}")
    return normalize_number(int(digits, radix))


@_define("min", 1, None)
def _min(*values: object) -> object:
    return min(to_number(v) for v in values)


@_define("max", 1, None)
def _max(*values: object) -> object:
    return max(to_number(v) for v in values)


@_define("sum", 1)
def _sum(values: object) -> object:
    items = _list(values)
    if not items:
        raise EvalError("sum() of an empty list")
    return normalize_number(sum(to_number(i) for i in items))


# -- encodings and hashes ----------------------------------------------------------------------


@_define("base64encode", 1)
def _base64encode(text: object) -> object:
    return base64.b64encode(_str(text).encode("utf-8")).decode("ascii")


@_define("base64decode", 1)
def _base64decode(text: object) -> object:
    raw = _str(text).replace("\r", "").replace("\n", "")
    return base64.b64decode(raw, validate=True).decode("utf-8")


@_define("urlencode", 1)
def _urlencode(text: object) -> object:
    return urllib.parse.quote_plus(_str(text), safe="")


def _hex_digest(name: str) -> Callable[[object], object]:
    return lambda text: hashlib.new(name, _str(text).encode("utf-8")).hexdigest()


def _base64_digest(name: str) -> Callable[[object], object]:
    return lambda text: base64.b64encode(
        hashlib.new(name, _str(text).encode("utf-8")).digest()
    ).decode("ascii")


for _name in ("md5", "sha1", "sha256", "sha512"):
    _define(_name, 1)(_hex_digest(_name))
for _name in ("sha256", "sha512"):
    _define(f"base64{_name}", 1)(_base64_digest(_name))


# -- networks ----------------------------------------------------------------------------------


def _network(prefix: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(_str(prefix), strict=False)


@_define("cidrsubnet", 3)
def _cidrsubnet(prefix: object, newbits: object, netnum: object) -> object:
    network, bits, number = _network(prefix), to_integer(newbits), to_integer(netnum)
    length = network.prefixlen + bits
    if bits < 0 or length > network.max_prefixlen:
        raise EvalError(f"cannot extend the prefix {network} by {bits} bits")
    if not 0 <= number < 1 << bits:
        raise EvalError(f"netnum {number} does not fit in {bits} bits")
    base = int(network.network_address) + (number << (network.max_prefixlen - length))
    return str(type(network)((base, length)))


@_define("cidrsubnets", 1, None)
def _cidrsubnets(prefix: object, *newbits: object) -> object:
    network = _network(prefix)
    end = int(network.broadcast_address) + 1
    position, out = int(network.network_address), []
    for value in newbits:
        bits = to_integer(value)
        length = network.prefixlen + bits
        if bits < 1 or length > network.max_prefixlen:
            raise EvalError(f"cannot extend the prefix {network} by {bits} bits")
        size = 1 << (network.max_prefixlen - length)
        position = -(-position // size) * size  # aligned to the subnet's size
        if position + size > end:
            raise EvalError(f"not enough room in {network}")
        out.append(str(type(network)((position, length))))
        position += size
    return out


@_define("cidrhost", 2)
def _cidrhost(prefix: object, hostnum: object) -> object:
    network, number = _network(prefix), to_integer(hostnum)
    if number < 0:
        number += network.num_addresses
    if not 0 <= number < network.num_addresses:
        raise EvalError(f"host number {hostnum} out of range for {network}")
    return str(network.network_address + number)


@_define("cidrnetmask", 1)
def _cidrnetmask(prefix: object) -> object:
    network = _network(prefix)
    if network.version != 4:
        raise EvalError("cidrnetmask() is for IPv4 only")
    return str(network.netmask)


# -- values known only at apply, or only on the machine that runs Terraform --------------------


def _unknowable(*_args: object) -> object:
    return UNKNOWN


for _name in ("timestamp", "plantimestamp", "uuid", "bcrypt", "abspath", "pathexpand"):
    FUNCTIONS[_name] = Function(_unknowable, 0, None, "any")
