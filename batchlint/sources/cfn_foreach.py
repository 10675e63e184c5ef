"""``Fn::ForEach`` loops in ``Resources`` (the ``AWS::LanguageExtensions`` transform).

A loop ``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Resource}]`` stands for one
copy of each output resource per collection value, with the identifier replaced in output
keys (``${Id}``, and ``&{Id}`` with non-alphanumerics dropped), in ``Ref: Id`` and in
``Fn::Sub`` strings. Expanded resources point into the loop's output template.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from batchlint.model import MetaIssue
from batchlint.sources.cfn_intrinsics import Resolver, child_pointer

PREFIX = "Fn::ForEach::"
MAX_EXPANDED = 10_000  # resources one template may expand to; more is refused
_MAX_NESTING = 8
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def is_loop(key: object) -> bool:
    return isinstance(key, str) and key.startswith(PREFIX)


class Expander:
    """Expands the loops of one template, reporting malformed ones on ``meta``."""

    def __init__(self, resolver: Resolver, meta: list[MetaIssue]) -> None:
        self.resolver = resolver
        self.meta = meta
        self.budget = MAX_EXPANDED

    def expand(self, value: Any, pointer: str, nesting: int = 0) -> Iterator[tuple[str, Any, str]]:
        """(logical id, resource body, pointer) of every resource a loop stands for."""
        shape_ok = (
            isinstance(value, list)
            and len(value) == 3
            and isinstance(value[0], str)
            and isinstance(value[2], dict)
        )
        if not shape_ok or nesting > _MAX_NESTING:
            self._problem("Fn::ForEach is not [identifier, collection, output]", pointer)
            return
        identifier, _, output = value
        collection = self._collection(value[1], child_pointer(pointer, "1"))
        if collection is None:
            return  # an unknown collection: the loop's resources cannot be told, stay silent
        template_pointer = pointer + "/2"
        for item in collection:
            for key, body in output.items():
                where = child_pointer(template_pointer, str(key))
                if is_loop(key):
                    inner = substitute(body, identifier, item)
                    yield from self.expand(inner, where, nesting + 1)
                    continue
                self.budget -= 1
                if self.budget < 0:
                    if self.budget == -1:
                        self._problem(
                            f"Fn::ForEach expands to more than {MAX_EXPANDED:,} "
                            "resources; the rest are not checked",
                            pointer,
                        )
                    return
                yield _key(str(key), identifier, item), substitute(body, identifier, item), where

    def _collection(self, data: Any, pointer: str) -> list[str] | None:
        node = self.resolver.node(data, pointer)
        if node is None or node.unknown:
            return None
        return node.texts()

    def _problem(self, message: str, pointer: str) -> None:
        self.meta.append(MetaIssue("BL-META-002", message, pointer))


def _key(key: str, identifier: str, value: str) -> str:
    key = key.replace("${" + identifier + "}", value)
    return key.replace("&{" + identifier + "}", _NON_ALNUM.sub("", value))


def substitute(data: Any, identifier: str, value: str, depth: int = 0) -> Any:
    """A copy of ``data`` with the loop identifier replaced by ``value``."""
    if depth > 200:
        return data
    if isinstance(data, dict):
        if len(data) == 1:
            name, arg = next(iter(data.items()))
            if name == "Ref" and arg == identifier:
                return value
            if name == "Fn::Sub":
                return {name: _sub(arg, identifier, value)}
        return {
            (_key(k, identifier, value) if isinstance(k, str) else k): substitute(
                v, identifier, value, depth + 1
            )
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [substitute(v, identifier, value, depth + 1) for v in data]
    return data


def _sub(arg: Any, identifier: str, value: str) -> Any:
    needle = "${" + identifier + "}"
    if isinstance(arg, str):
        return arg.replace(needle, value)
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        variables = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
        rest = [substitute(v, identifier, value) for v in arg[1:]]
        if identifier in variables:  # a Sub variable of the same name shadows the loop's
            return [arg[0], *rest]
        return [arg[0].replace(needle, value), *rest]
    return arg
