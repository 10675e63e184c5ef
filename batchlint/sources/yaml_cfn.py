"""YAML with CloudFormation's short-form tags, safely.

The document is composed (not constructed) from the events of PyYAML's C parser when
available, so tags such as ``!Ref`` survive and every node keeps its mark for locating
findings. Composing here rather than with ``yaml.compose`` lets the limits act while the
tree is built: PyYAML's C composer recurses on the C stack and crashes the interpreter on
deeply nested input (about 30,000 levels), and libyaml's scanner slows quadratically with
flow nesting, so nesting is refused at the first level past the limit. The composed tree is
then turned into plain data with intrinsics in their long form (``{"Ref": …}``), counting
values so an alias bomb is refused, not run. A key repeated in one mapping is reported
(:class:`~batchlint.sources.reading.Duplicate`); the first value is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from batchlint.limits import DEFAULT, Limits
from batchlint.location import escape
from batchlint.sources.reading import MAX_REPORTED, Duplicate, paused_gc

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class YamlError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    root: yaml.Node | None  # the composed tree, for locating findings
    data: Any  # plain data, intrinsics in their long form
    duplicates: list[Duplicate] = field(default_factory=list)  # up to MAX_REPORTED + 1
    duplicate_count: int = 0


def looks_like_template(text: str) -> bool:
    return (
        "AWSTemplateFormatVersion" in text
        or "\nResources:" in text
        or text.startswith("Resources:")
    )


Path = tuple[str, ...]


def key_lines(root: yaml.Node) -> tuple[dict[Path, int], tuple[Path, int] | None]:
    """The line of every mapping key and sequence item of a small document (a config or usage
    file), by path of keys and indices; and the first key written twice (its path and the line
    of the repeat), for the caller to refuse."""
    lines: dict[Path, int] = {}

    def walk(node: yaml.Node, path: Path) -> tuple[Path, int] | None:
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, str(index))] = item.start_mark.line + 1
                found = walk(item, (*path, str(index)))
                if found is not None:
                    return found
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (*path, str(key_node.value))
                if key in lines:
                    return key, key_node.start_mark.line + 1
                lines[key] = key_node.start_mark.line + 1
                found = walk(value_node, key)
                if found is not None:
                    return found
        return None

    return lines, walk(root, ())


def parse(text: str, limits: Limits = DEFAULT) -> tuple[yaml.Node | None, Any]:
    """Compose ``text`` and convert it; raises :class:`YamlError` with a location."""
    document = read(text, limits)
    return document.root, document.data


def read(text: str, limits: Limits = DEFAULT) -> Document:
    """:func:`parse`, with the duplicate keys found on the way."""
    with paused_gc():
        composer = _Composer(limits)
        try:
            root = composer.compose(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line, column) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"invalid YAML: {exc}") from None
        except UnicodeEncodeError:  # a lone surrogate in a str handed to the C reader
            raise YamlError("invalid YAML: text that is not valid Unicode") from None
        document = Document(root, None, composer.duplicates, composer.duplicate_count)
        if root is not None:
            try:
                document.data = _Converter(limits).convert(root, 0)
            except RecursionError:  # --max-depth set beyond what Python can recurse
                raise YamlError("YAML nesting is too deep to read") from None
    return document


class _Composer:
    """Builds the node tree from parser events, within the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.duplicates: list[Duplicate] = []
        self.duplicate_count = 0

    def compose(self, text: str) -> yaml.Node | None:
        loader = _Loader(text)
        try:
            return self._compose(loader)
        finally:
            loader.dispose()

    def _compose(self, loader: Any) -> yaml.Node | None:
        resolve = loader.resolve
        max_depth, budget = self.limits.max_depth, self.limits.max_values
        anchors: dict[str, yaml.Node] = {}
        stack: list[list[Any]] = []  # [open collection, its pending key node or None]
        root: yaml.Node | None = None
        documents = 0
        while True:
            event = loader.get_event()
            kind = type(event)
            node: yaml.Node
            if kind is ScalarEvent:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                node = yaml.ScalarNode(tag, event.value, event.start_mark, None, event.style)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) >= max_depth:
                    raise _too_deep(max_depth, event.start_mark)
                cls = yaml.MappingNode if kind is MappingStartEvent else yaml.SequenceNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(cls, None, event.implicit)
                node = cls(tag, [], event.start_mark, None, event.flow_style)
            elif kind is MappingEndEvent:
                node = mapping = stack.pop()[0]
                if len(mapping.value) > 1:
                    self._check_keys(mapping, stack)
                self._attach(node, stack)
                if not stack:
                    root = node
                continue
            elif kind is SequenceEndEvent:
                node = stack.pop()[0]
                self._attach(node, stack)
                if not stack:
                    root = node
                continue
            elif kind is AliasEvent:
                found = anchors.get(event.anchor)
                if found is None:
                    raise _error(f"found undefined alias {event.anchor!r}", event.start_mark)
                self._attach(found, stack)
                if not stack:
                    root = found
                continue
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _error("a template is one document; found a second", event.start_mark)
                continue
            elif kind is StreamEndEvent or event is None:
                return root
            else:
                continue
            budget -= 1
            if budget < 0:
                raise _error(
                    f"YAML has more than {self.limits.max_values:,} values (--max-values)",
                    event.start_mark,
                    prefix="",
                )
            anchor = event.anchor
            if anchor is not None:
                if anchor in anchors:
                    raise _error(f"found duplicate anchor {anchor!r}", event.start_mark)
                anchors[anchor] = node
            if kind is ScalarEvent:
                self._attach(node, stack)
                if not stack:
                    root = node
            else:
                stack.append([node, None])

    @staticmethod
    def _attach(node: yaml.Node, stack: list[list[Any]]) -> None:
        if not stack:
            return
        top = stack[-1]
        parent = top[0]
        if type(parent) is yaml.SequenceNode:
            parent.value.append(node)
        elif top[1] is None:
            top[1] = node
        else:
            parent.value.append((top[1], node))
            top[1] = None

    def _check_keys(self, node: yaml.MappingNode, stack: list[list[Any]]) -> None:
        pairs = node.value
        keys = {k.value if type(k) is yaml.ScalarNode else id(k) for k, _ in pairs}
        if len(keys) == len(pairs):
            return
        first: dict[str, yaml.Node] = {}
        for key_node, _ in pairs:
            if type(key_node) is not yaml.ScalarNode:
                continue
            key = key_node.value
            if key not in first:
                first[key] = key_node
                continue
            self.duplicate_count += 1
            if len(self.duplicates) <= MAX_REPORTED:
                pointer = _pointer(stack) + "/" + escape(key)
                self.duplicates.append(
                    Duplicate(key, pointer, _place(first[key]), _place(key_node))
                )


def _pointer(stack: list[list[Any]]) -> str:
    """The pointer of the collection being closed, from its open ancestors."""
    tokens = []
    for parent, pending in stack:
        if type(parent) is yaml.SequenceNode:
            tokens.append(str(len(parent.value)))
        elif pending is not None and type(pending) is yaml.ScalarNode:
            tokens.append(escape(pending.value))
        else:
            tokens.append("")  # a collection used as a key: no pointer reaches it
    return "".join("/" + t for t in tokens)


def _place(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _too_deep(max_depth: int, mark: Any) -> YamlError:
    return _error(f"YAML is nested deeper than {max_depth} levels (--max-depth)", mark, "")


def _error(message: str, mark: Any, prefix: str = "invalid YAML: ") -> YamlError:
    return YamlError(prefix + message, mark.line + 1, mark.column + 1)


class _Converter:
    """The composed tree as plain data; aliases are expanded, within the value budget."""

    def __init__(self, limits: Limits) -> None:
        self.max_depth = limits.max_depth
        self.max_values = limits.max_values
        self.budget = limits.max_values

    def convert(self, node: yaml.Node, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _error(
                f"YAML expands to more than {self.max_values:,} values (an alias bomb?) "
                "(--max-values)",
                node.start_mark,
                "",
            )
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            value: Any = _scalar(node)
        elif depth >= self.max_depth:  # aliases nest deeper than the text (or recurse)
            raise _too_deep(self.max_depth, node.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            value = [self.convert(child, depth + 1) for child in node.value]
        else:
            assert isinstance(node, yaml.MappingNode)
            value = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, depth + 1)
                if key == "<<" and isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                    continue  # merge keys are not CloudFormation; ignore rather than guess
                key = key if isinstance(key, str) else str(key)
                if key not in value:  # a repeated key is reported; the first value is read
                    value[key] = self.convert(value_node, depth + 1)
        if tag.startswith("!"):
            return _intrinsic(tag[1:], value)
        return value


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag in _PLAIN_TAGS:
        try:
            return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except (ValueError, yaml.YAMLError):
            return node.value
    return node.value  # strings, timestamps, binary and custom tags stay as written


def _intrinsic(name: str, value: Any) -> dict[str, Any]:
    if name == "Ref" or name == "Condition":
        return {name: value}
    if name == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{name}": value}
