"""Loads rule files by path: the built-in ``rules/`` folder and any user ``--rules-dir``.

``rules/`` is not an importable top-level package; each file is loaded under a private
module name, and its one decorated function becomes a :class:`RuleMeta`.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import typing
from functools import cache
from pathlib import Path

from batchlint import meta
from batchlint.model import RESOURCE_CLASSES, Graph, Kind
from batchlint.rule import RuleMeta

_TARGETS: dict[type, str] = {cls: kind.value for kind, cls in RESOURCE_CLASSES.items()}
_TARGETS[Graph] = "graph"


class RuleError(Exception):
    """A rule file that cannot be loaded (a usage error: exit 2)."""


def builtin_rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "rules"  # the wheel ships the rules inside the package
    return installed if installed.is_dir() else here.parent / "rules"


@cache
def builtin_rules() -> tuple[RuleMeta, ...]:
    return tuple(load_rules([builtin_rules_dir()]))


def all_rules(extra_dirs: tuple[Path, ...] = ()) -> list[RuleMeta]:
    """Every rule, built-in, user and meta, sorted by code; codes and names are unique."""
    rules = list(builtin_rules()) + load_rules(list(extra_dirs)) + list(meta.META_RULES)
    seen: dict[str, str] = {}
    for item in rules:
        for key in (item.code, item.name):
            if key in seen:
                raise RuleError(f"{item.path or item.code}: '{key}' is already used by {seen[key]}")
            seen[key] = item.path or item.code
    return sorted(rules, key=lambda r: r.code)


def load_rules(dirs: list[Path]) -> list[RuleMeta]:
    out = []
    for folder in dirs:
        if not folder.is_dir():
            raise RuleError(f"{folder}: rules directory not found")
        for path in sorted(folder.rglob("*.py")):
            if path.name.startswith("_"):
                continue
            out.append(load_rule_file(path))
    return out


def load_rule_file(path: Path) -> RuleMeta:
    module_name = "batchlint._rules." + "_".join(path.with_suffix("").parts[-2:])
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RuleError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken user rule is a usage error, not a traceback
        raise RuleError(f"{path}: cannot load rule: {type(exc).__name__}: {exc}") from None
    found = [
        obj.__batchlint_rule__
        for obj in vars(module).values()
        if callable(obj) and hasattr(obj, "__batchlint_rule__")
    ]
    if len(found) != 1:
        raise RuleError(f"{path}: expected exactly one @rule function, found {len(found)}")
    item: RuleMeta = found[0]
    doc = inspect.cleandoc(module.__doc__ or "")
    if not doc:
        raise RuleError(f"{path}: a rule needs a Markdown module docstring")
    item.doc = doc
    item.summary = doc.splitlines()[0].strip()
    item.path = str(path)
    item.target = _target(item, module)
    return item


def _target(item: RuleMeta, module: object) -> str:
    assert item.check is not None
    hints = typing.get_type_hints(item.check, globalns=vars(module))
    params = list(inspect.signature(item.check).parameters)
    first = hints.get(params[0]) if params else None
    if first not in _TARGETS:
        raise RuleError(
            f"{item.path}: the first parameter of {item.check.__name__} must be annotated "
            "ComputeEnvironment, JobQueue, JobDefinition, SchedulingPolicy or Graph"
        )
    return _TARGETS[first]


def find(rules: list[RuleMeta], key: str) -> RuleMeta | None:
    """A rule by code or name (case-insensitive)."""
    low = key.lower()
    for item in rules:
        if item.code.lower() == low or item.name == low:
            return item
    return None


def matches(item: RuleMeta, selectors: list[str]) -> bool:
    """Whether a rule is named by any selector: a code, a code prefix or a name."""
    for selector in selectors:
        low = selector.lower()
        if item.name == low or item.code.lower().startswith(low):
            return True
    return False


__all__ = ["Kind", "RuleError", "all_rules", "builtin_rules", "find", "matches"]
