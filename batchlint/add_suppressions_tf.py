"""``scan --add-suppressions`` for ``.tf`` files: a ``# batchlint:ignore=<rule> <reason>``
comment line above each resource block, one per rule, at the block's indentation. Only
lines are added; the edited text is parsed again to prove each comment lands on its block."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from batchlint.sources.tf_locator import config_address

if TYPE_CHECKING:
    from batchlint.add_suppressions import Added, Wanted
    from batchlint.sources.hcl_ast import Block


def edit(
    text: str, wanted: list[Wanted], reason: str, note: Callable[[str], None]
) -> tuple[str, Added]:
    """The edited text and what was added (``Skip`` for a file that cannot be edited)."""
    from batchlint.add_suppressions import Skip
    from batchlint.sources.hcl_ast import HclError
    from batchlint.sources.hcl_parse import parse_file

    try:
        parsed = parse_file(text, "")
    except HclError as exc:
        raise Skip(f"not valid HCL at line {exc.line}; left untouched") from None
    blocks = {
        f"{b.labels[0]}.{b.labels[1]}": b
        for b in parsed.body.blocks
        if b.type == "resource" and len(b.labels) == 2
    }
    lines = text.splitlines(keepends=True)
    inserts: dict[int, list[str]] = {}  # 0-based line index -> comment lines before it
    added: Added = []
    one_line = " ".join(reason.split())
    for item in wanted:
        block = _block(blocks, item.logical_id)
        if block is None:
            note(f"{item.logical_id}: its resource block is not in this file; not added")
            continue
        indent = " " * (block.pos.column - 1)
        comments = [f"{indent}# batchlint:ignore={name} {one_line}\n" for name, _ in item.rules]
        inserts.setdefault(block.pos.line - 1, []).extend(comments)
        added.append((item.logical_id, [name for name, _ in item.rules]))
    out: list[str] = []
    for i, line in enumerate(lines):
        out.extend(inserts.get(i, []))
        out.append(line)
    edited = "".join(out)
    try:
        parse_file(edited, "")
    except HclError:
        raise Skip("the edit would not parse; left untouched") from None
    return edited, added


def _block(blocks: dict[str, Block], address: str) -> Block | None:
    """The block declaring a finding's resource: its type and name, whatever module instance
    (the file is the module's) and instance key."""
    parts = config_address(address).split(".")
    return blocks.get(".".join(parts[-2:])) if len(parts) >= 2 else None
