"""Spans, pointers and fingerprints: how a model value is turned into a place in a file.

Sources record an RFC 6901 pointer on every value; line and column are worked out only for
values a finding points at, by walking the pointer through the source text (JSON) or the
composed YAML tree. A pointer that runs past what exists resolves to its deepest existing
ancestor, which is where an absent (defaulted) value belongs.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from typing import Protocol

import yaml


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape(t) for t in tokens)


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def fingerprint(code: str, address: str, pointer: str, inner: str = "") -> str:
    """Stable identity of a finding: never from line numbers, so edits above it keep it."""
    text = "\x1f".join((code, address, pointer, inner))
    # surrogatepass: a lone surrogate (a "\ud800" escape in a JSON input) hashes too
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


class Locator(Protocol):
    def locate(self, pointer: str) -> tuple[int, int]:
        """1-based line and column of the value at ``pointer`` (or its deepest ancestor)."""
        ...


class Placer(Locator, Protocol):
    """A locator for an input that spans files (a Terraform module): it also says which."""

    def place(self, pointer: str, inner: str = "") -> tuple[str, int, int]:
        """File, line and column of the value at ``pointer``; ``inner`` points inside a JSON
        document held in that value, where the source can see into it."""
        ...


class YamlLocator:
    """Locates pointers in a composed YAML tree (marks are 0-based)."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        # the members of each mapping walked through, by key (the first of a repeated key):
        # a template's Resources mapping is searched once, not once per finding
        self._keys: dict[yaml.MappingNode, dict[str, yaml.Node]] = {}

    def locate(self, pointer: str) -> tuple[int, int]:
        node = self.root
        if node is None:
            return 1, 1
        for token in split(pointer):
            child = None
            if isinstance(node, yaml.MappingNode):
                child = self._members(node).get(token)
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                index = int(token)
                if index < len(node.value):
                    child = node.value[index]
            if child is None:
                break
            node = child
        mark = node.start_mark
        return mark.line + 1, mark.column + 1

    def _members(self, node: yaml.MappingNode) -> dict[str, yaml.Node]:
        members = self._keys.get(node)
        if members is None:
            members = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and isinstance(key.value, str):
                    members.setdefault(key.value, value)
            self._keys[node] = members
        return members


_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"[^,\]}\s]+")
_BRACKET = re.compile(r'["\[\]{}]')


class _Members:
    """How far one JSON container has been read: where each member read so far starts.

    ``resume`` is where reading goes on: the next key or element, or (``pending``) the value
    of the member read last, which is still to be skipped."""

    __slots__ = ("done", "items", "keys", "pending", "resume")

    def __init__(self, resume: int) -> None:
        self.resume = resume
        self.pending = False
        self.done = False
        self.keys: dict[str, int] = {}  # object: the first value of each key
        self.items: list[int] = []  # array: each element


class JsonLocator:
    """Locates pointers in JSON text by walking only the path, skipping other values.

    A container's members are read at most once, however many pointers go through it: the
    offsets read so far are kept, and the next lookup goes on from where the last stopped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts: list[int] | None = None
        self._cache: dict[str, tuple[int, int]] = {}
        self._members: dict[int, _Members] = {}  # by the offset of the container

    def locate(self, pointer: str) -> tuple[int, int]:
        if pointer not in self._cache:
            try:
                offset = self._offset(split(pointer))
            except (AttributeError, IndexError, ValueError):
                offset = 0
            self._cache[pointer] = self._line_col(offset)
        return self._cache[pointer]

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            starts.extend(m.end() for m in re.finditer("\n", self.text))
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def _skip(self, i: int) -> int:
        text = self.text
        c = text[i]
        if c == '"':
            m = _STRING.match(text, i)
            return m.end() if m else len(text)
        if c not in "[{":
            m = _SCALAR.match(text, i)
            return m.end() if m else i + 1
        depth, j = 0, i
        while True:
            m = _BRACKET.search(text, j)
            if m is None:
                return len(text)
            ch = m.group()
            if ch == '"':
                s = _STRING.match(text, m.start())
                j = s.end() if s else len(text)
                continue
            depth += 1 if ch in "[{" else -1
            j = m.end()
            if depth == 0:
                return j

    def _offset(self, tokens: list[str]) -> int:
        text = self.text
        i = self._ws(0)
        if text.startswith("\ufeff"):
            i = self._ws(1)
        for token in tokens:
            c = text[i]
            if c == "{":
                found = self._key(i, token)
            elif c == "[" and token.isdigit():
                found = self._item(i, int(token))
            else:
                found = -1
            if found < 0:
                return i  # the deepest existing ancestor
            i = found
        return i

    def _state(self, start: int) -> _Members:
        members = self._members.get(start)
        if members is None:
            members = self._members[start] = _Members(self._ws(start + 1))
        return members

    def _next(self, members: _Members) -> int:
        """Skip the value of the member read last, if any: where the next member starts."""
        i = members.resume
        if members.pending:
            i = self._ws(self._skip(i))
            if self.text[i] == ",":
                i = self._ws(i + 1)
            members.resume, members.pending = i, False
        return i

    def _key(self, start: int, token: str) -> int:
        """Where the value of member ``token`` of the object at ``start`` begins; -1 when the
        object has no such member."""
        text = self.text
        members = self._state(start)
        found = members.keys.get(token, -1)
        while found < 0 and not members.done:
            i = self._next(members)
            if text[i] == "}":
                members.done = True
                break
            m = _STRING.match(text, i)
            if m is None:
                raise ValueError("malformed JSON")
            key = json.loads(m.group())
            i = self._ws(m.end())
            i = self._ws(i + 1)  # the colon
            members.resume, members.pending = i, True
            members.keys.setdefault(key, i)
            if key == token:
                found = i
        return found

    def _item(self, start: int, want: int) -> int:
        """Where element ``want`` of the array at ``start`` begins; -1 when it is shorter."""
        members = self._state(start)
        while len(members.items) <= want and not members.done:
            i = self._next(members)
            if self.text[i] == "]":
                members.done = True
                break
            members.items.append(i)
            members.resume, members.pending = i, True
        return members.items[want] if want < len(members.items) else -1
