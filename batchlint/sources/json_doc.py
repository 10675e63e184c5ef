"""JSON documents, within the limits: nesting depth, and keys repeated in one object.

``json.loads`` keeps the last of a repeated key and says nothing; CloudFormation rejects the
template. Here an ``object_pairs_hook`` notices the repeat (a length comparison per object:
about a third more parse time, paid back by pausing the garbage collector) and keeps the
first value. Where the repeats are is worked out only when there are some.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, not in the stubs
from typing import Any

from batchlint.limits import DEFAULT, Limits
from batchlint.location import escape
from batchlint.sources.reading import MAX_REPORTED, Duplicate, paused_gc

_WS = re.compile(r"[ \t\n\r]*")
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # parses one value at an offset: skips it, at C speed


class TooDeep(Exception):
    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.offset: int | None = None  # set instead of the pointer when only that is known


@dataclass
class Document:
    data: Any
    duplicates: list[Duplicate] = field(default_factory=list)  # up to MAX_REPORTED + 1
    duplicate_count: int = 0


def read(text: str, limits: Limits = DEFAULT) -> Document:
    """Parse ``text``. Raises ``json.JSONDecodeError``, ``RecursionError`` (nesting deeper
    than Python's parser goes, about 1,000 levels) or :class:`TooDeep` (deeper than
    ``limits.max_depth``)."""
    repeated: list[dict[str, Any]] = []  # the objects with a repeated key
    count = 0

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal count
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        count += len(pairs) - len(obj)
        obj = {}
        for key, value in pairs:
            obj.setdefault(key, value)
        if len(repeated) <= MAX_REPORTED:
            repeated.append(obj)
        return obj

    with paused_gc():
        data = json.loads(text, object_pairs_hook=pairs_hook)
    _check_depth(data, limits.max_depth)
    duplicates = _locate(text, data, repeated) if repeated else []
    return Document(data, duplicates, count)


def too_deep(text: str, max_depth: int) -> TooDeep:
    """The error for JSON too deep for Python's reader (``json.loads`` raised
    ``RecursionError``), placed where the nesting passes ``max_depth``; only the offset is
    known there (``pointer`` is empty, ``offset`` set)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                error = TooDeep(_deeper(max_depth), "")
                error.offset = match.start()
                return error
        elif char in "]}":
            depth -= 1
    return TooDeep(f"JSON is nested too deep to read (--max-depth is {max_depth})", "")


def place(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    return _place(text, offset)


def _deeper(max_depth: int) -> str:
    return f"JSON is nested deeper than {max_depth} levels (--max-depth)"


def _check_depth(data: Any, max_depth: int) -> None:
    if type(data) is not dict and type(data) is not list:
        return
    stack = [(data, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        children = value.values() if type(value) is dict else value
        for child in children:
            if type(child) is dict or type(child) is list:
                if depth >= max_depth:
                    pointer = _pointer_of(data, child)
                    raise TooDeep(_deeper(max_depth), pointer)
                push((child, depth + 1))


def _pointer_of(data: Any, target: Any) -> str:
    return _pointers(data, {id(target)}).get(id(target), "")


def _pointers(data: Any, targets: set[int]) -> dict[int, str]:
    """The pointers of the containers in ``targets`` (by identity): a depth-first walk that
    joins the tokens of its path only on a hit."""
    out: dict[int, str] = {}
    if id(data) in targets:
        out[id(data)] = ""
    stack: list[Iterator[tuple[Any, Any]]] = [_children(data)]
    tokens: list[str] = []
    while stack and len(out) < len(targets):
        for token, child in stack[-1]:
            if type(child) is dict or type(child) is list:
                tokens.append(escape(token))
                if id(child) in targets:
                    out[id(child)] = "".join("/" + t for t in tokens)
                stack.append(_children(child))
                break
        else:
            stack.pop()
            if tokens:
                tokens.pop()
    return out


def _children(value: Any) -> Iterator[tuple[Any, Any]]:
    return iter(value.items()) if type(value) is dict else enumerate(value)


def _locate(text: str, data: Any, repeated: list[dict[str, Any]]) -> list[Duplicate]:
    """Lines and columns of the first repeats (one more than are listed), found by walking
    the text down each object's pointer."""
    pointers = _pointers(data, {id(obj) for obj in repeated})
    out: list[Duplicate] = []
    for obj in repeated:
        pointer = pointers.get(id(obj))
        start = _offset(text, pointer) if pointer is not None else None
        if pointer is None or start is None:
            continue
        first: dict[str, int] = {}
        for key, at, _ in _members(text, start):
            if key not in first:
                first[key] = at
                continue
            where = f"{pointer}/{escape(key)}"
            out.append(Duplicate(key, where, _place(text, first[key]), _place(text, at)))
            if len(out) > MAX_REPORTED:
                return out
    return out


def _offset(text: str, pointer: str) -> int | None:
    """Where the value at ``pointer`` starts in ``text``."""
    at = _ws(text, 0)
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if text.startswith("{", at):
            found = next((v for k, _, v in _members(text, at) if k == token), None)
        elif text.startswith("[", at) and token.isdigit():
            found = next((v for i, v in enumerate(_elements(text, at)) if i == int(token)), None)
        else:
            found = None
        if found is None:
            return None
        at = found
    return at


def _members(text: str, at: int) -> Iterator[tuple[str, int, int]]:
    """(key, offset of the key, offset of its value) of the object starting at ``at``."""
    at = _ws(text, at + 1)
    while text.startswith('"', at):
        key, end = scanstring(text, at + 1)
        value = _ws(text, _ws(text, end) + 1)  # past the colon
        yield key, at, value
        at = _ws(text, _SCAN(text, value)[1])
        if not text.startswith(",", at):
            return
        at = _ws(text, at + 1)


def _elements(text: str, at: int) -> Iterator[int]:
    at = _ws(text, at + 1)
    while not text.startswith("]", at) and at < len(text):
        yield at
        at = _ws(text, _SCAN(text, at)[1])
        if not text.startswith(",", at):
            return
        at = _ws(text, at + 1)


def _ws(text: str, at: int) -> int:
    match = _WS.match(text, at)
    return match.end() if match else at


def _place(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
