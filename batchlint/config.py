"""The configuration file: ``pyproject.toml`` ``[tool.batchlint]`` or ``.batchlint.yaml``.

Discovery goes upward from the working directory; the nearest folder with a
``.batchlint.yaml`` (or ``.batchlint.yml``), or a ``pyproject.toml`` that has a
``[tool.batchlint]`` table, wins; within one folder ``.batchlint.yaml`` wins over
``pyproject.toml``. ``--config FILE`` names the file, ``--no-config`` ignores any.

Every key and every rule named anywhere is checked: a mistake is a :class:`ConfigError`, one
line saying where and, when something close exists, what was probably meant. Command-line
flags win over the file (the CLI merges; see docs/config.md).

pydantic is imported only when a configuration file is read, and the glob matching the engine
uses for ``per-file-ignores`` needs nothing but ``re``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchlint.rule import Severity

if TYPE_CHECKING:
    import argparse

    from batchlint.rule import RuleMeta

YAML_NAMES = (".batchlint.yaml", ".batchlint.yml")
PYPROJECT = "pyproject.toml"
DEFAULT_FAIL_ON = "warning"
DEFAULT_REGION = "us-east-1"
FAIL_ON = ("error", "warning", "note", "never")
SEVERITIES = ("error", "warning", "note")
MAX_BYTES = 1_000_000  # a configuration file is a few dozen lines

# the keys, in the order `batchlint config` prints them
KEYS = (
    "select",
    "ignore",
    "fail-on",
    "region",
    "baseline",
    "severity",
    "per-file-ignores",
    "options",
    "suppress",
)
SUPPRESS_KEYS = ("rule", "resource", "reason")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line saying where."""


@dataclass
class Config:
    """A validated configuration. Rule references in ``severity``, ``options`` and
    ``suppress`` are the rules' canonical names; selectors are kept as written."""

    file: str | None = None  # as shown in messages (relative to the working directory)
    kind: str = "toml"  # "toml" or "yaml": the syntax of ``file``
    base_dir: Path | None = None  # the folder of the file: relative paths start there
    select: list[str] | None = None
    ignore: list[str] | None = None
    fail_on: str | None = None
    region: str | None = None
    severity: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # {"rule", "resource", "reason", "location", "file", "line"} (the line as text)
    suppress: list[dict[str, str]] = field(default_factory=list)
    baseline_text: str | None = None  # as written in the file

    @property
    def baseline(self) -> Path | None:
        """The baseline file, relative to the configuration file's folder."""
        if self.baseline_text is None:
            return None
        path = (self.base_dir or Path()) / self.baseline_text
        return Path(_relative(path))

    def rule_options(self, cli: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The config's rule options with ``--option`` settings merged over them, key by key."""
        out = {name: dict(values) for name, values in self.options.items()}
        for name, values in cli.items():
            out.setdefault(name, {}).update(values)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The effective configuration with every key, kebab-case, as a file would say it."""
        return {
            "select": list(self.select or []),
            "ignore": list(self.ignore or []),
            "fail-on": self.fail_on or DEFAULT_FAIL_ON,
            "region": self.region or DEFAULT_REGION,
            "baseline": self.baseline_text,
            "severity": {name: sev.value for name, sev in self.severity.items()},
            "per-file-ignores": {glob: list(s) for glob, s in self.per_file_ignores.items()},
            "options": {name: dict(values) for name, values in self.options.items()},
            "suppress": [{k: entry[k] for k in SUPPRESS_KEYS} for entry in self.suppress],
        }


# -- command line ------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config FILE`` / ``--no-config`` on a subcommand."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--config",
        metavar="FILE",
        help="read the configuration from FILE (pyproject.toml, .batchlint.yaml or a .toml "
        "with the keys at top level) instead of looking upward from the working directory",
    )
    group.add_argument("--no-config", action="store_true", help="ignore any configuration file")


def from_args(args: argparse.Namespace, rules: list[RuleMeta]) -> Config:
    """The configuration the command line asks for: none, the given file, or the one found."""
    if getattr(args, "no_config", False):
        return Config()
    given = getattr(args, "config", None)
    if given:
        path = Path(given)
        if not path.is_file():
            raise ConfigError(f"{given}: no such configuration file")
        return load(path, rules)
    found = discover()
    return load(found, rules) if found is not None else Config()


# -- discovery ---------------------------------------------------------------------------------


def discover(start: Path | None = None) -> Path | None:
    """The nearest configuration file in ``start`` (default: the working directory) or above."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in YAML_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(pyproject: Path) -> bool:
    text = _read_text(pyproject)
    if "batchlint" not in text:  # most pyproject.toml files: not parsed at all
        return False
    return isinstance(_toml(text, pyproject).get("tool", {}).get("batchlint"), dict)


# -- reading -----------------------------------------------------------------------------------


def load(path: Path, rules: list[RuleMeta]) -> Config:
    """Read and validate a configuration file against the known ``rules``."""
    shown = _relative(path)
    text = _read_text(path)
    if path.suffix in (".yaml", ".yml"):
        data, lines = _yaml(text, shown)
        syntax: _Syntax = _YamlSyntax(shown, lines)
    elif path.suffix == ".toml":
        document = _toml(text, path)
        table = document.get("tool", {})
        table = table.get("batchlint") if isinstance(table, dict) else None
        if path.name == PYPROJECT or table is not None:
            if table is None:
                raise ConfigError(f"{shown}: no [tool.batchlint] table")
            data, syntax = table, _TomlSyntax(shown, text, "tool.batchlint")
        else:  # a batchlint.toml: the keys at top level
            data, syntax = document, _TomlSyntax(shown, text, "")
    else:
        raise ConfigError(f"{shown}: a configuration file is .toml, .yaml or .yml")
    if data is None:  # an empty YAML file
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{syntax.where(())}expected a table of settings")
    config = _validate(data, rules, syntax)
    config.file, config.kind = shown, syntax.kind
    config.base_dir = path.parent
    return config


def _read_text(path: Path) -> str:
    shown = _relative(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{shown}: larger than {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text") from None


def _toml(text: str, path: Path) -> dict[str, Any]:
    import tomllib  # here: most scans read no configuration file

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_relative(path)}: invalid TOML: {exc}") from None


def _yaml(text: str, shown: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    from batchlint.sources.yaml_cfn import YamlError, key_lines, parse

    try:
        root, data = parse(text)
    except YamlError as exc:
        raise ConfigError(f"{shown}:{exc.line}: {exc.message}") from None
    if root is None:
        return data, {}
    lines, twice = key_lines(root)
    if twice is not None:
        raise ConfigError(f"{shown}:{twice[1]}: '{twice[0][-1]}' is written twice")
    return data, lines


# -- where a setting is, in the file's own syntax -----------------------------------------------


class _Syntax:
    kind = ""
    shown = ""

    def where(self, loc: tuple[str, ...]) -> str:
        """``file: section`` (with a trailing space) for a key at ``loc``."""
        raise NotImplementedError

    def suppress_location(self, index: int) -> tuple[str, int]:
        raise NotImplementedError


class _TomlSyntax(_Syntax):
    kind = "toml"

    def __init__(self, shown: str, text: str, prefix: str) -> None:
        self.shown, self.text, self.prefix = shown, text, prefix

    def _table(self, *keys: str) -> str:
        return ".".join(_toml_key(k) for k in (*self.prefix.split("."), *keys) if k)

    def where(self, loc: tuple[str, ...]) -> str:
        if loc and loc[0] == "suppress" and len(loc) > 1:
            return f"{self.shown}: [[{self._table('suppress')}]] #{int(loc[1]) + 1}: "
        if loc and loc[0] == "options" and len(loc) > 2:
            return f"{self.shown}: [{self._table('options', loc[1])}] "
        if loc and loc[0] in ("severity", "per-file-ignores", "options") and len(loc) > 1:
            return f"{self.shown}: [{self._table(loc[0])}] "
        table = self._table()
        return f"{self.shown}: [{table}] " if table else f"{self.shown}: "

    def suppress_location(self, index: int) -> tuple[str, int]:
        header = f"[[{self._table('suppress')}]]"
        starts = [
            m.start() for m in re.finditer(r"(?m)^[ \t]*\[\[" + _toml_header(self), self.text)
        ]
        offset = starts[index] if index < len(starts) else self.text.find("suppress")
        line = self.text.count("\n", 0, offset) + 1 if offset >= 0 else 1
        return f"{self.shown} {header} #{index + 1}", line


def _toml_header(syntax: _TomlSyntax) -> str:
    """A pattern for the suppress array-of-tables header, spaces allowed around dots."""
    parts = [*(p for p in syntax.prefix.split(".") if p), "suppress"]
    return r"[ \t]*" + r"[ \t]*\.[ \t]*".join(re.escape(p) for p in parts) + r"[ \t]*\]\]"


class _YamlSyntax(_Syntax):
    kind = "yaml"

    def __init__(self, shown: str, lines: dict[tuple[str, ...], int]) -> None:
        self.shown, self.lines = shown, lines

    def where(self, loc: tuple[str, ...]) -> str:
        line = next(
            (self.lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in self.lines), 1
        )
        section = ""
        if loc and loc[0] == "suppress" and len(loc) > 1:
            section = f"suppress #{int(loc[1]) + 1}: "
        elif loc and loc[0] == "options" and len(loc) > 2:
            section = f"options.{loc[1]}: "
        elif loc and loc[0] in ("severity", "per-file-ignores", "options") and len(loc) > 1:
            section = f"{loc[0]}: "
        return f"{self.shown}:{line}: {section}"

    def suppress_location(self, index: int) -> tuple[str, int]:
        return f"{self.shown} suppress #{index + 1}", self.lines.get(("suppress", str(index)), 1)


# -- validation --------------------------------------------------------------------------------


def _validate(data: dict[str, Any], rules: list[RuleMeta], syntax: _Syntax) -> Config:
    from pydantic import ValidationError

    try:
        model = _schema().model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_pydantic_message(exc, syntax)) from None
    check = _RuleCheck(rules, syntax)
    config = Config()
    if model.select is not None:
        config.select = [check.selector(s, ("select",)) for s in model.select]
    if model.ignore is not None:
        config.ignore = [check.selector(s, ("ignore",)) for s in model.ignore]
    config.fail_on = model.fail_on
    if model.region is not None and not _REGION.match(model.region):
        raise ConfigError(
            f"{syntax.where(('region',))}region '{model.region}' is not an AWS "
            "region name like 'eu-west-1'"
        )
    config.region = model.region
    for key, value in model.severity.items():
        item = check.rule(key, ("severity", key))
        config.severity[item.name] = Severity(value)
    for glob, selectors in model.per_file_ignores.items():
        loc = ("per-file-ignores", glob)
        config.per_file_ignores[glob] = [check.selector(s, loc) for s in selectors]
    for key, values in model.options.items():
        item = check.rule(key, ("options", key))
        config.options.setdefault(item.name, {}).update(check.options(item, key, values))
    for index, entry in enumerate(model.suppress):
        item = check.rule(entry.rule, ("suppress", str(index), "rule"))
        if item.target == "meta":
            where = syntax.where(("suppress", str(index)))
            raise ConfigError(f"{where}{item.code} {item.name} cannot be suppressed")
        location, line = syntax.suppress_location(index)
        config.suppress.append(
            {
                "rule": item.name,
                "resource": entry.resource,
                "reason": entry.reason.strip(),
                "location": location,
                "file": syntax.shown,
                "line": str(line),
            }
        )
    config.baseline_text = model.baseline
    return config


@cache
def _schema() -> Any:
    """The pydantic model of the settings, built on first use."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field

    class Suppress(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        rule: str = Field(min_length=1)
        resource: str = Field(min_length=1)
        reason: str = Field(min_length=1, pattern=r"\S")

    class Settings(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)
        select: list[str] | None = None
        ignore: list[str] | None = None
        fail_on: Literal["error", "warning", "note", "never"] | None = Field(
            default=None, alias="fail-on"
        )
        region: str | None = None
        severity: dict[str, Literal["error", "warning", "note"]] = Field(default_factory=dict)
        per_file_ignores: dict[str, list[str]] = Field(
            default_factory=dict, alias="per-file-ignores"
        )
        suppress: list[Suppress] = Field(default_factory=list)
        options: dict[str, dict[str, Any]] = Field(default_factory=dict)
        baseline: str | None = Field(default=None, min_length=1)

    return Settings


def _pydantic_message(exc: Any, syntax: _Syntax) -> str:
    """One line for the first error pydantic found, in the file's own terms."""
    error = exc.errors()[0]
    loc = tuple(str(part) for part in error["loc"])
    where = syntax.where(loc)
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        key = loc[-1]
        known = SUPPRESS_KEYS if loc[0] == "suppress" else KEYS
        return f"{where}unknown key '{key}'{_did_you_mean(key, known)}"
    if kind == "missing":
        if loc[0] == "suppress" and loc[-1] == "reason":
            return f"{where}a suppression needs a 'reason': why the finding is accepted"
        return f"{where}'{loc[-1]}' is required"
    if loc and loc[0] == "suppress" and loc[-1] == "reason" and kind.startswith("string_"):
        return f"{where}the reason must not be empty"
    if loc and loc[0] == "severity" and len(loc) == 2:
        return (
            f"{where}{loc[1]}: bad severity {json.dumps(value)} (expected error, warning or "
            f"note){_did_you_mean(str(value), SEVERITIES)}"
        )
    if loc == ("fail-on",):
        return (
            f"{where}fail-on: bad value {json.dumps(value)} (expected error, warning, note or "
            f"never){_did_you_mean(str(value), FAIL_ON)}"
        )
    name = _key_path(_inner(loc)) or "settings"
    expected = _EXPECTED.get(kind.removesuffix("_parsing"))
    if expected is None:
        return f"{where}{name}: {error['msg'][:1].lower()}{error['msg'][1:]}"
    return f"{where}{name}: expected {expected}, not {_type_name(value)}"


_EXPECTED = {
    "list_type": "a list",
    "dict_type": "a table",
    "string_type": "text",
    "string_too_short": "text that is not empty",
    "string_pattern_mismatch": "text that is not empty",
    "bool_type": "true or false",
}


def _inner(loc: tuple[str, ...]) -> tuple[str, ...]:
    """The part of ``loc`` below the section :meth:`_Syntax.where` names."""
    if loc and loc[0] in ("suppress", "options") and len(loc) > 2:
        return loc[2:]
    if loc and loc[0] in ("severity", "per-file-ignores", "options") and len(loc) > 1:
        return loc[1:]
    return loc


def _key_path(loc: tuple[str, ...]) -> str:
    """``loc`` as the dotted key a reader would look for (list positions count from 1)."""
    parts: list[str] = []
    for part in loc:
        if part.isdigit() and parts:
            parts[-1] += f"[{int(part) + 1}]"
        else:
            parts.append(part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part))
    return ".".join(parts)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text {json.dumps(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "nothing" if value is None else type(value).__name__


class _RuleCheck:
    """Checks rule references against the known rules, with suggestions."""

    def __init__(self, rules: list[RuleMeta], syntax: _Syntax) -> None:
        self.rules, self.syntax = rules, syntax
        self.names = [r.name for r in rules] + [r.code for r in rules]
        families = {r.code.rsplit("-", 1)[0] for r in rules}
        self.prefixes = sorted(families | {c.split("-", 1)[0] for c in families})

    def rule(self, key: str, loc: tuple[str, ...]) -> RuleMeta:
        from batchlint.registry import find

        item = find(self.rules, key)
        if item is None:
            hint = _did_you_mean(key, self.names)
            raise ConfigError(f"{self.syntax.where(loc)}unknown rule '{key}'{hint}")
        return item

    def selector(self, selector: str, loc: tuple[str, ...]) -> str:
        from batchlint.registry import matches

        if not any(matches(r, [selector]) for r in self.rules):
            hint = _did_you_mean(selector, [*self.names, *self.prefixes])
            key = _toml_key(loc[-1])  # select, ignore, or the per-file-ignores glob
            raise ConfigError(
                f"{self.syntax.where(loc)}{key}: unknown rule or prefix '{selector}'{hint}"
            )
        return selector

    def options(self, item: RuleMeta, written: str, values: dict[str, Any]) -> dict[str, Any]:
        for key, value in values.items():
            loc = ("options", written, key)
            if key not in item.options:
                hint = _did_you_mean(key, list(item.options))
                if not hint:
                    offered = ", ".join(item.options) or "none"
                    hint = f" (its options: {offered})"
                raise ConfigError(
                    f"{self.syntax.where(loc)}{item.name} has no option '{key}'{hint}"
                )
            expected = _expected_type(key, item.options[key])
            if expected is not None and not _is_a(value, expected):
                raise ConfigError(
                    f"{self.syntax.where(loc)}{key}: expected {expected}, not {_type_name(value)}"
                )
        return dict(values)


def _expected_type(key: str, default: Any) -> str | None:
    """What an option's value must be, judged by its default (None: anything goes)."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float) or (default is None and key.endswith(("_usd", "_percent"))):
        return "a number"
    if isinstance(default, str):
        return "text"
    if isinstance(default, list | tuple | frozenset | set):
        return "a list"
    if isinstance(default, dict):
        return "a table"
    return None


def _is_a(value: Any, expected: str) -> bool:
    if expected == "true or false":
        return isinstance(value, bool)
    if expected == "a number":
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    if expected == "text":
        return isinstance(value, str)
    if expected == "a list":
        return isinstance(value, list)
    return isinstance(value, dict)


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    import difflib

    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[close[0]]}'?)" if close else ""


def _relative(path: Path) -> str:
    """``path`` relative to the working directory, '/'-separated."""
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return str(path)


# -- per-file-ignores --------------------------------------------------------------------------


def rules_for_file(
    file: str,
    rules: list[RuleMeta],
    per_file_ignores: dict[str, list[str]],
    base_dir: Path | None = None,
) -> list[RuleMeta]:
    """``rules`` without those ``per-file-ignores`` switches off for ``file`` (as shown)."""
    from batchlint.registry import matches

    off: list[str] = []
    for glob, selectors in per_file_ignores.items():
        if glob_matches(glob, file, base_dir):
            off.extend(selectors)
    return [r for r in rules if not matches(r, off)] if off else rules


def glob_matches(glob: str, file: str, base_dir: Path | None = None) -> bool:
    """Whether ``glob`` names ``file``: the path as shown, or relative to ``base_dir`` (the
    configuration file's folder). ``*`` and ``?`` stay within one folder, ``**`` spans any
    number, a trailing ``/`` means everything below, and a glob without ``/`` matches the
    file's name in any folder."""
    pattern = _compile(glob)
    by_name = "/" not in glob
    for path in _candidates(file, base_dir):
        if pattern.fullmatch(path) or (by_name and pattern.fullmatch(path.rsplit("/", 1)[-1])):
            return True
    return False


@lru_cache(maxsize=1024)
def _candidates(file: str, base_dir: Path | None) -> tuple[str, ...]:
    shown = file.replace(os.sep, "/")
    while shown.startswith("./"):
        shown = shown[2:]
    out = [shown]
    if base_dir is not None:
        try:
            inside = Path(file).resolve().relative_to(base_dir.resolve()).as_posix()
        except (ValueError, OSError):
            inside = ""
        if inside and inside not in out:
            out.append(inside)
    return tuple(out)


@lru_cache(maxsize=256)
def _compile(glob: str) -> re.Pattern[str]:
    text = glob.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    if text.endswith("/"):
        text += "**"
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if text.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := text.find("]", i + 2)) != -1:
            inner = text[i + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
            continue
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


# -- printing: `batchlint config` --------------------------------------------------------------


def render(config: Config, fmt: str) -> str:
    """The effective configuration as TOML (for pyproject.toml), YAML or JSON."""
    data = config.as_dict()
    if fmt == "json":
        return json.dumps({"file": config.file, "config": data}, indent=2) + "\n"
    origin = f"# from {config.file}" if config.file else "# no configuration file: the defaults"
    if fmt == "yaml":
        import yaml

        plain = {k: v for k, v in data.items() if v is not None}
        return origin + "\n" + yaml.safe_dump(plain, sort_keys=False, allow_unicode=True)
    return origin + "\n" + to_toml(data, "tool.batchlint")


def to_toml(data: dict[str, Any], table: str) -> str:
    """``data`` as TOML under ``[table]``: scalars and lists first, then sub-tables; the
    ``suppress`` list as ``[[table.suppress]]`` entries. ``None`` is left out (TOML has no
    null; leaving a key out means the default)."""
    lines = [f"[{table}]"]
    subtables: list[str] = []
    for key, value in data.items():
        if value is None or value == {}:
            continue
        if key == "suppress" and isinstance(value, list):
            for entry in value:
                subtables.append(f"\n[[{table}.suppress]]")
                subtables.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in entry.items())
        elif isinstance(value, dict) and key == "options":
            for rule, values in value.items():
                subtables.append(f"\n[{table}.options.{_toml_key(rule)}]")
                subtables.extend(
                    f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items() if v is not None
                )
        elif isinstance(value, dict):
            subtables.append(f"\n[{table}.{_toml_key(key)}]")
            subtables.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join([*lines, *subtables]) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are valid TOML; TOML also wants DEL escaped
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        items = (f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(items) + "}"
    return json.dumps(str(value))
