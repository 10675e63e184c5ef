"""``scan --add-suppressions --reason TEXT``: write today's findings into the templates as
``Metadata: {batchlint: {ignore: [{rule: NAME, reason: TEXT}]}}`` on the resources.

YAML is edited by inserting lines, never by re-dumping the whole document: a ruamel.yaml
round-trip dump re-indents every block whose indentation differs from the first one it
guesses (a no-op round-trip changed all 52 YAML templates of the shared corpus), so it cannot
promise a diff of added lines only. ruamel.yaml's round-trip composer finds where each
resource and its Metadata start and end, renders the inserted lines in the file's own
indentation, and re-reads the edited text to prove the insertion means exactly the intended
entries and leaves every other node as it was; if it does not, the file is left untouched.
JSON templates are rewritten with the file's indentation (2, 4, tab, …) and key order.
``.tf`` files get comment lines (``add_suppressions_tf``). Terraform plans and state, and
``.tf.json``, cannot carry suppressions: they come from the config.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from batchlint.output import OutputError, write_report
from batchlint.report import Finding

PATH = ("Metadata", "batchlint", "ignore")
TERRAFORM_NOTE = "cannot add suppressions to a Terraform plan; use the config's suppress list"
TF_JSON_NOTE = (
    'not edited: add a "//": "batchlint:ignore=RULE REASON" key to the resource, or use the '
    "config's suppress list"
)
_MERGE = "<<"
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


class Skip(Exception):
    """This resource (or file) is not edited; the message says why."""


@dataclass
class Wanted:
    """The rules to suppress on one resource, in the order the report lists them."""

    logical_id: str
    rules: list[tuple[str, str]] = field(default_factory=list)  # (name, code)

    def add(self, name: str, code: str) -> None:
        if (name, code) not in self.rules:
            self.rules.append((name, code))


def check_arguments(add: bool, reason: str | None) -> str | None:
    """A usage error for ``--add-suppressions`` / ``--reason``, or None."""
    if add and reason is None:
        return "--add-suppressions needs --reason TEXT: a suppression without a reason is refused"
    if add and not (reason or "").strip():
        return "--reason is empty: say why these findings are accepted"
    if not add and reason is not None:
        return "--reason is only used with --add-suppressions"
    return None


def apply(findings: Iterable[Finding], paths: Sequence[str], reason: str) -> list[str]:
    """Add a suppression with ``reason`` for every finding that counts, to the resource it is
    about; returns one line per file saying what was done or why not."""
    from batchlint.inputs import collect_files

    by_file: dict[str, dict[str, Wanted]] = {}
    for finding in findings:
        if not finding.counts or finding.code.startswith("BL-META") or not finding.resource:
            continue
        resources = by_file.setdefault(finding.file, {})
        wanted = resources.setdefault(finding.resource, Wanted(finding.resource))
        wanted.add(finding.name, finding.code)
    where = {shown: path for path, shown in collect_files(paths)}
    notes: list[str] = []
    for shown, resources in by_file.items():
        path = where.get(shown)
        if path is not None:
            notes.extend(edit_file(path, shown, list(resources.values()), reason.strip()))
    return notes


def edit_file(path: Path, shown: str, wanted: list[Wanted], reason: str) -> list[str]:
    """Write the suppressions into one file; the notes to print."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"{shown}: cannot read: {exc.strerror or exc}; left untouched"]
    if data.startswith(_OTHER_BOMS):
        return [f"{shown}: only UTF-8 files can be edited; left untouched"]
    bom = data.startswith(_UTF8_BOM)
    try:
        text = data[len(_UTF8_BOM) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        return [f"{shown}: not UTF-8 text; left untouched"]
    notes: list[str] = []
    if shown.endswith(".tf.json"):
        return [f"{shown}: {TF_JSON_NOTE}"]
    editor = _edit_text
    if shown.endswith(".tf"):
        from batchlint import add_suppressions_tf

        editor = add_suppressions_tf.edit
    try:
        edited, added = editor(text, wanted, reason, notes.append)
    except Skip as exc:
        return [f"{shown}: {exc}"]
    if not added:
        return [f"{shown}: {note}" for note in notes]
    try:
        if path.read_bytes() != data:  # someone saved it meanwhile: do not lose their edit
            return [f"{shown}: changed while being edited; left untouched"]
        write_report(path, ("\ufeff" if bom else "") + edited)
    except (OSError, OutputError) as exc:
        return [f"{shown}: cannot write: {exc}; left untouched"]
    count = sum(len(rules) for _, rules in added)
    listed = "; ".join(f"{logical_id}: {', '.join(rules)}" for logical_id, rules in added)
    notes.insert(0, f"added {count} suppression{'s' * (count != 1)} ({listed})")
    return [f"{shown}: {note}" for note in notes]


Added = list[tuple[str, list[str]]]  # (logical id, rule names added)


def _edit_text(
    text: str, wanted: list[Wanted], reason: str, note: Callable[[str], None]
) -> tuple[str, Added]:
    """The edited text and what was added; per-resource problems go to ``note``."""
    if text.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(text, object_pairs_hook=_unique_pairs)
        except _DuplicateKey as exc:
            raise Skip(f"key {exc} appears twice; left untouched") from None
        except ValueError:
            pass  # CloudFormation reads a template that is not JSON as YAML: so do we
        else:
            from batchlint.sources.terraform_plan import is_terraform

            if isinstance(document, dict) and isinstance(document.get("Resources"), dict):
                return _edit_json(text, document, wanted, reason, note)
            if is_terraform(document):
                raise Skip(TERRAFORM_NOTE)
            raise Skip("not a CloudFormation template; left untouched")
    return _edit_yaml(text, wanted, reason, note)


# --- JSON -----------------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:  # a rewrite would silently drop one of them
            raise _DuplicateKey(json.dumps(key))
        out[key] = value
    return out


def _edit_json(
    text: str,
    document: dict[str, Any],
    wanted: list[Wanted],
    reason: str,
    note: Callable[[str], None],
) -> tuple[str, Added]:
    resources = document["Resources"]
    added: Added = []
    for item in wanted:
        try:
            rules = _json_resource(resources, item, reason)
        except Skip as exc:
            note(str(exc))
            continue
        if rules:
            added.append((item.logical_id, rules))
    if not added:
        return text, added
    newline = "\r\n" if "\r\n" in text else "\n"
    out = json.dumps(document, indent=_json_indent(text), ensure_ascii=not _has_non_ascii(text))
    if text.rstrip(" \t") != text.rstrip():  # keep a final newline
        out += "\n"
    out = out.replace("\n", newline)
    if not _only_added(text, out, commas=True):
        note("JSON layout normalised beyond the added lines (json.dumps style)")
    return out, added


def _json_resource(resources: dict[str, Any], item: Wanted, reason: str) -> list[str]:
    body = resources.get(item.logical_id)
    if not isinstance(body, dict):
        raise Skip(_not_in_template(item.logical_id))
    node: dict[str, Any] = body
    for depth, key in enumerate(PATH[:-1]):
        child = node.get(key)
        if child is None:
            child = {}
            if depth == 0:  # Metadata beside Type, as templates usually have it
                _insert_after(node, "Type", key, child)
            else:
                node[key] = child
        if not isinstance(child, dict):
            raise Skip(f"{'.'.join(PATH[: depth + 1])} of {item.logical_id} is not an object")
        node = child
    entries = node.setdefault(PATH[-1], [])
    if not isinstance(entries, list):
        raise Skip(f"{'.'.join(PATH)} of {item.logical_id} is not a list")
    rules = _new_rules(item, _existing(e.get("rule") for e in entries if isinstance(e, dict)))
    entries.extend({"rule": name, "reason": reason} for name in rules)
    return rules


def _insert_after(mapping: dict[str, Any], after: str, key: str, value: Any) -> None:
    items = list(mapping.items())
    index = next((i + 1 for i, (k, _) in enumerate(items) if k == after), len(items))
    items.insert(index, (key, value))
    mapping.clear()
    mapping.update(items)


def _json_indent(text: str) -> int | str | None:
    """The indentation of the first indented line: a tab, or a number of spaces."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and stripped != line:
            lead = line[: len(line) - len(stripped)]
            return "\t" if lead.startswith("\t") else len(lead)
    return None if "\n" not in text.strip() else 0


def _has_non_ascii(text: str) -> bool:
    return any(ord(char) > 127 for char in text)


# --- YAML -----------------------------------------------------------------------------------


@dataclass
class _Insert:
    line: int  # insert before this line index
    text: list[str]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1 << 30  # never fold a long reason onto a second line
    return yaml


def _compose(text: str) -> Node:
    try:
        root = _yaml().compose(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise Skip(f"cannot be parsed by ruamel.yaml: {problem}{where}; left untouched") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise Skip(f"cannot be parsed by ruamel.yaml: {exc}; left untouched") from None
    if not isinstance(root, MappingNode):
        raise Skip("not a CloudFormation template; left untouched")
    return root


def _edit_yaml(
    text: str, wanted: list[Wanted], reason: str, note: Callable[[str], None]
) -> tuple[str, Added]:
    root = _compose(text)
    resources = _only(root, "Resources", "the Resources mapping")
    if resources is None or not isinstance(resources[1], MappingNode):
        raise Skip("not a CloudFormation template; left untouched")
    if resources[1].flow_style:
        raise Skip("Resources is written in flow style; left untouched")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    offset = _sequence_offset(root)
    inserts: list[_Insert] = []
    added: Added = []
    changes: list[tuple[str, int, list[str]]] = []
    for item in wanted:
        try:
            insert, depth, rules = _plan(resources[1], item, reason, offset, newline, lines)
        except Skip as exc:
            note(str(exc))
            continue
        if insert is not None:
            inserts.append(insert)
            added.append((item.logical_id, rules))
            changes.append((item.logical_id, depth, rules))
    if not inserts:
        return text, added
    unended = bool(lines) and not lines[-1].endswith(("\n", "\r"))
    if unended and any(insert.line >= len(lines) for insert in inserts):
        lines[-1] += newline  # the insertion becomes the last line: it goes unended instead
        last = max(inserts, key=lambda i: i.line).text
        last[-1] = last[-1].rstrip("\r\n")
    for insert in sorted(inserts, key=lambda i: i.line, reverse=True):
        lines[insert.line : insert.line] = insert.text
    edited = "".join(lines)
    _verify(root, edited, changes, reason)
    return edited, added


def _plan(
    resources: MappingNode,
    item: Wanted,
    reason: str,
    offset: int | None,
    newline: str,
    text_lines: list[str],
) -> tuple[_Insert | None, int, list[str]]:
    """Where and what to insert for one resource, and how deep the existing path goes."""
    found = _only(resources, item.logical_id, f"resource {item.logical_id}")
    if found is None:
        raise Skip(_not_in_template(item.logical_id))
    key, body = found
    what = f"resource {item.logical_id}"
    _editable(body, key, what)
    step = _columns(body)[0] - key.start_mark.column
    node, depth = body, 0
    while depth < len(PATH):
        child = _only(node, PATH[depth], f"{'.'.join(PATH[: depth + 1])} of {item.logical_id}")
        if child is None:
            break
        node_key, node = child
        what = f"{'.'.join(PATH[: depth + 1])} of {item.logical_id}"
        if depth < len(PATH) - 1 and not isinstance(node, MappingNode):
            raise Skip(f"{what} is not a mapping; not edited")
        if depth == len(PATH) - 1 and not isinstance(node, SequenceNode):
            raise Skip(f"{what} is not a list; not edited")
        _editable(node, node_key, what)
        depth += 1
    existing: set[str] = set()
    if depth == len(PATH):
        assert isinstance(node, SequenceNode)
        existing = _existing(_scalar(_only(e, "rule", "rule")) for e in node.value)
    rules = _new_rules(item, existing)
    if not rules:
        return None, depth, rules
    entries = [{"rule": name, "reason": reason} for name in rules]
    if depth == len(PATH):
        assert isinstance(node, SequenceNode)
        column = _dash_column(node, text_lines)
        snippet = _render(entries, step, 0)
        return _Insert(_end_line(node), _indent(snippet, column, newline)), depth, rules
    value: Any = entries
    for key_name in reversed(PATH[depth + 1 :]):
        value = {key_name: value}
    assert isinstance(node, MappingNode)
    snippet = _render({PATH[depth]: value}, step, step if offset is None else offset)
    if depth == 0:  # Metadata goes right after Type when there is one
        typed = _only(body, "Type", f"Type of {item.logical_id}")
        line = _end_line(typed[1]) if typed is not None else _end_line(body)
    else:
        line = _end_line(node)
    return _Insert(line, _indent(snippet, _columns(node)[0], newline)), depth, rules


def _dash_column(sequence: SequenceNode, lines: list[str]) -> int:
    """The column of the list's dashes (an item's own mark is past the dash and its spaces)."""
    first = sequence.value[0].start_mark
    dash = lines[first.line].rfind("-", 0, first.column) if first.line < len(lines) else -1
    return dash if dash >= 0 else max(int(first.column) - 2, 0)


def _editable(node: Node, key: Node, what: str) -> None:
    """Only a plain block mapping or list of its own can take inserted lines."""
    if node.start_mark.index < key.end_mark.index or getattr(node, "anchor", None):
        raise Skip(f"{what} is shared through a YAML anchor or alias; not edited")
    if not isinstance(node, MappingNode | SequenceNode):
        raise Skip(f"{what} is not a mapping; not edited")
    if node.flow_style:
        raise Skip(f"{what} is written in flow style; not edited")
    if not node.value:
        raise Skip(f"{what} is empty; not edited")
    if isinstance(node, MappingNode) and any(_scalar(k) == _MERGE for k, _ in node.value):
        raise Skip(f"{what} uses a YAML merge key; not edited")


def _only(mapping: Node, key: str, what: str) -> tuple[Node, Node] | None:
    if not isinstance(mapping, MappingNode):
        return None
    pairs = [(k, v) for k, v in mapping.value if _scalar(k) == key]
    if len(pairs) > 1:
        raise Skip(f"{what} is declared twice; not edited")
    return pairs[0] if pairs else None


def _scalar(node: Any) -> str | None:
    if isinstance(node, tuple):
        node = node[1]
    return node.value if isinstance(node, ScalarNode) else None


def _columns(mapping: Node) -> list[int]:
    return [k.start_mark.column for k, _ in mapping.value]


def _end_line(node: Node) -> int:
    """The index of the line after the last one holding the node's content (a block
    collection's own end mark lies at the next token, past trailing comments)."""
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    mark = node.end_mark
    return int(mark.line if mark.column == 0 else mark.line + 1)


def _sequence_offset(root: Node) -> int | None:
    """How far the file indents a block list's dashes from its key: 0 (``key:\\n- a``) or
    more (``key:\\n  - a``); None when it has no block list under a key."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode) and not node.flow_style:
            for key, value in node.value:
                if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                    first = value.value[0]
                    if first.start_mark.line > key.start_mark.line:
                        return max(int(first.start_mark.column) - 2 - key.start_mark.column, 0)
            stack.extend(v for _, v in reversed(node.value))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _render(value: Any, step: int, offset: int) -> str:
    """``value`` as block YAML. batchlint reads templates as YAML 1.1, where a plain ``yes``
    or ``1:30`` is no string: a reason that would read back otherwise is double-quoted."""
    text = _dump(value, step, offset)
    try:
        same = pyyaml.safe_load(text) == value
    except pyyaml.YAMLError:
        same = False
    return text if same else _dump(_quoted(value), step, offset)


def _dump(value: Any, step: int, offset: int) -> str:
    yaml = _yaml()
    yaml.indent(mapping=max(step, 2), sequence=offset + 2, offset=offset)
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue()


def _quoted(value: Any) -> Any:
    """``value`` with its reasons double-quoted (rule names are kebab-case: always plain)."""
    if isinstance(value, dict):
        return {
            key: DoubleQuotedScalarString(item) if key == "reason" else _quoted(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_quoted(item) for item in value]
    return value


def _indent(snippet: str, column: int, newline: str) -> list[str]:
    return [" " * column + line + newline for line in snippet.splitlines()]


def _verify(
    before: Node, edited: str, changes: list[tuple[str, int, list[str]]], reason: str
) -> None:
    """Re-read the edited text: it must be the original document plus the new entries."""
    try:
        after = _compose(edited)
    except Skip as exc:
        raise Skip(f"the edited text would not parse ({exc}); left untouched") from None
    expected = _plain(before, {})
    for logical_id, depth, rules in changes:
        resource = _lookup(_lookup(expected, "Resources"), logical_id)
        node, path = resource, list(PATH[:depth])
        for key in path:
            node = _lookup(node, key)
        entries: Any = ["s", "seq", [_entry(name, reason) for name in rules]]
        if depth == len(PATH):
            node[2].extend(entries[2])
            continue
        for key in reversed(PATH[depth + 1 :]):
            entries = ["m", "map", [[["v", "str", key], entries]]]
        pair = [["v", "str", PATH[depth]], entries]
        pairs = node[2]
        at = len(pairs)
        if depth == 0:
            at = next((i + 1 for i, (k, _) in enumerate(pairs) if k[2] == "Type"), at)
        pairs.insert(at, pair)
    if _plain(after, {}) != expected:
        raise Skip("the edit would change more than the suppressions; left untouched")


def _entry(name: str, reason: str) -> list[Any]:
    return [
        "m",
        "map",
        [
            [["v", "str", "rule"], ["v", "str", name]],
            [["v", "str", "reason"], ["v", "str", reason]],
        ],
    ]


def _plain(node: Node, seen: dict[int, str]) -> Any:
    """A comparable form of a composed node; a node met again (an alias) is not expanded."""
    if id(node) in seen:  # by anchor name: the numbering of nodes shifts with the insertion
        return ["*", seen[id(node)]]
    seen[id(node)] = str(getattr(node, "anchor", None))
    tag = (
        str(node.tag).rsplit(":", 1)[-1]
        if str(node.tag).startswith("tag:yaml.org")
        else str(node.tag)
    )
    if isinstance(node, MappingNode):
        return ["m", tag, [[_plain(k, seen), _plain(v, seen)] for k, v in node.value]]
    if isinstance(node, SequenceNode):
        return ["s", tag, [_plain(v, seen) for v in node.value]]
    return ["v", tag, node.value]


def _lookup(plain: Any, key: str) -> Any:
    return next(v for k, v in plain[2] if k[0] == "v" and k[2] == key)


# --- shared ---------------------------------------------------------------------------------


def _existing(rules: Iterator[Any] | Iterable[Any]) -> set[str]:
    return {rule.strip().lower() for rule in rules if isinstance(rule, str)}


def _new_rules(item: Wanted, existing: set[str]) -> list[str]:
    """Rule names not suppressed there yet (an entry may name the rule by code)."""
    return [
        name
        for name, code in item.rules
        if name.lower() not in existing and code.lower() not in existing
    ]


def _not_in_template(logical_id: str) -> str:
    return (
        f"resource {logical_id} is not written in the template's Resources "
        "(made by Fn::ForEach?); add its suppression by hand"
    )


def _only_added(before: str, after: str, commas: bool = False) -> bool:
    """Whether ``after`` is ``before`` with lines added (and, in JSON, a comma appended to
    the line before an addition)."""
    old = [line.rstrip(",") if commas else line for line in before.splitlines()]
    new = [line.rstrip(",") if commas else line for line in after.splitlines()]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())
