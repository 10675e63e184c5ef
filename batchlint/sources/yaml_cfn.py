"""YAML with CloudFormation's short-form tags, safely.

The document is composed (not constructed) with PyYAML's C loader when available, so tags
such as ``!Ref`` survive and every node keeps its mark for locating findings. The composed
tree is then turned into plain data with intrinsics in their long form (``{"Ref": …}``),
with limits on size and depth so an alias bomb or a deeply nested file is refused, not run.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 2_000_000  # after alias expansion; a template has a few thousand
MAX_DEPTH = 200

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


def looks_like_template(text: str) -> bool:
    return (
        "AWSTemplateFormatVersion" in text
        or "\nResources:" in text
        or text.startswith("Resources:")
    )


def parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Compose ``text`` and convert it; raises :class:`YamlError` with a location."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError("YAML nesting is too deep to read") from None
    if root is None:
        return None, None
    budget = [MAX_NODES]
    return root, _convert(root, 0, budget)


def _convert(node: yaml.Node, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        mark = node.start_mark
        raise YamlError(
            f"YAML expands to more than {MAX_NODES:,} values (an alias bomb?)",
            mark.line + 1,
            mark.column + 1,
        )
    if depth > MAX_DEPTH:
        mark = node.start_mark
        raise YamlError(f"YAML is nested deeper than {MAX_DEPTH} levels", mark.line + 1, 1)
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        value: Any = _scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = [_convert(child, depth + 1, budget) for child in node.value]
    else:
        assert isinstance(node, yaml.MappingNode)
        value = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, depth + 1, budget)
            if key == "<<" and isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                continue  # merge keys are not CloudFormation; ignore rather than guess
            value[key if isinstance(key, str) else str(key)] = _convert(
                value_node, depth + 1, budget
            )
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
