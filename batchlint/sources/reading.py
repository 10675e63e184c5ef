"""What the YAML and JSON readers share: duplicate keys, and a paused garbage collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from batchlint.model import MetaIssue

DUPLICATE_KEY = "BL-META-004"
MAX_REPORTED = 20  # duplicate keys listed one by one per file; the rest are counted


@dataclass(frozen=True)
class Duplicate:
    """A key written twice in one mapping. The first value is the one read (the locators
    find the first too, so findings point at the value they judged)."""

    key: str
    pointer: str  # of the value read
    first: tuple[int, int]  # line and column of the first key
    again: tuple[int, int]  # of the repeat


def duplicate_issues(duplicates: list[Duplicate], total: int) -> list[MetaIssue]:
    """One BL-META-004 issue per listed duplicate, at the repeat; when there were more than
    :data:`MAX_REPORTED`, one more counting the rest, at the first of them not listed
    (``duplicates`` holds up to one more than are listed)."""
    out = []
    listed = sorted(duplicates[:MAX_REPORTED], key=lambda d: d.again)
    for dup in listed:
        line, column = dup.again
        first, again = f"line {dup.first[0]}", f"line {line}"
        if dup.first[0] == line:  # one-line JSON: the columns tell the two apart
            first, again = f"{first} column {dup.first[1]}", f"{again} column {column}"
        message = (
            f"duplicate key {shown(dup.key)}: first on {first}, again on {again}; "
            "the first value is the one checked"
        )
        out.append(MetaIssue(DUPLICATE_KEY, message, dup.pointer, line, column))
    if total > len(listed):
        line, column = duplicates[-1].again if duplicates else (1, 1)
        message = f"{total - len(listed):,} more duplicate keys not listed"
        out.append(MetaIssue(DUPLICATE_KEY, message, "", line, column))
    return out


def shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for a message: escaped, and cut short when long."""
    text = repr(value[: limit + 1])
    return text if len(value) <= limit else text[:-1] + "…" + text[-1]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Parsing allocates millions of objects and frees none of them, so the cyclic collector
    finds nothing while it runs, yet it runs often: pausing it halves the parse time of a
    large file."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
