"""How AWS Batch decides whether a failed attempt is retried: ``evaluateOnExit`` matching.

The documented semantics (API_EvaluateOnExit, userguide/job_retries):

- the entries are tried in order and the first whose conditions ALL match decides;
- each condition is a glob: the exact text, optionally ending with ``*`` so only the start
  has to match (``onExitCode`` patterns are digits only);
- ``action`` is ``RETRY`` or ``EXIT``, in any case;
- when no entry matches, the job is retried (while attempts remain).

A condition on a value the failure does not have cannot match, except ``onReason: "*"``:
a reclaimed host reports no ``reason`` that anyone can write down, and ``*`` is how the
documentation's own "exit on anything else" entry is written, so it is taken to match.

An empty pattern counts as an absent condition: Terraform state writes ``""`` for every
condition a block leaves out.

Every answer may be ``None``: an unknown pattern or action (a parameter, a Terraform value
known only after apply) that could change the outcome makes the outcome unknown.

What the API accepts (API_RetryStrategy, API_EvaluateOnExit; the Terraform provider validates
the same): 1 to 10 ``attempts``, up to 5 entries, an ``action`` on every entry, and patterns
of up to 512 characters: ``onStatusReason``/``onReason`` letters, numbers, periods, colons and
white space, ``onExitCode`` digits, each optionally ending with one ``*``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from batchlint.model import Node

# What a Spot reclamation (or any loss of the container instance) reports as statusReason.
HOST_RECLAIMED = "Host EC2 (instance i-0123456789abcdef0) terminated."

RETRY = "RETRY"
EXIT = "EXIT"
_ACTIONS = {RETRY, EXIT}
_EXIT_CODE_PATTERN = re.compile(r"^[0-9]*\*?$")

CONDITIONS = ("onStatusReason", "onReason", "onExitCode")
MIN_ATTEMPTS = 1
MAX_ATTEMPTS = 10
MAX_ENTRIES = 5
MAX_PATTERN = 512
# white space as the API (and the Terraform provider's RE2 \s) means it: no \v, no Unicode
_TEXT_CHARS = frozenset(string.ascii_letters + string.digits + ".: \t\n\r\f")
_DIGITS = frozenset(string.digits)
_Matcher = Callable[[str, str | None], bool | None]


@dataclass(frozen=True)
class Decision:
    """What Batch does with a failure: ``action`` is ``RETRY``, ``EXIT`` or ``None`` when it
    cannot be told; ``entry``/``index`` name the entry that decided (``None`` when no entry
    matched and the default retry applies, or when the deciding entry is not certain)."""

    action: str | None
    entry: Node | None = None
    index: int | None = None


_UNKNOWN = Decision(None)
_DEFAULT = Decision(RETRY)


def action_for(
    evaluate_on_exit: Node | None,
    status_reason: str | None,
    reason: str | None = None,
    exit_code: int | None = None,
) -> str | None:
    """``RETRY`` or ``EXIT`` for a failure with these details, ``None`` when unknown."""
    return decide(evaluate_on_exit, status_reason, reason, exit_code).action


def decide(
    evaluate_on_exit: Node | None,
    status_reason: str | None,
    reason: str | None = None,
    exit_code: int | None = None,
) -> Decision:
    """The full decision, with the entry that made it (see :class:`Decision`)."""
    if evaluate_on_exit is None:
        return _DEFAULT
    if evaluate_on_exit.unknown:
        # an Fn::If over the whole list: every outcome must agree
        outcomes = evaluate_on_exit.outcomes()
        if not outcomes:
            return _UNKNOWN
        decisions = [decide(o, status_reason, reason, exit_code) for o in outcomes]
        actions = {d.action for d in decisions}
        if len(actions) != 1 or None in actions:
            return _UNKNOWN
        same = {(id(d.entry), d.index) for d in decisions}
        return decisions[0] if len(same) == 1 else Decision(decisions[0].action)
    if not isinstance(evaluate_on_exit.raw, list):
        return _UNKNOWN  # an odd shape the API would reject: not this module's business
    failure = (status_reason, reason, exit_code)
    return _from(evaluate_on_exit.items(), 0, failure)


def _from(
    entries: list[Node], start: int, failure: tuple[str | None, str | None, int | None]
) -> Decision:
    for index in range(start, len(entries)):
        entry = entries[index]
        matched = entry_matches(entry, *failure)
        if matched is False:
            continue
        action = entry_action(entry)
        if matched is True:
            return Decision(action, entry, index) if action is not None else _UNKNOWN
        # unknown whether this entry matches: fine only if both ways end the same
        rest = _from(entries, index + 1, failure)
        if action is not None and rest.action == action:
            return Decision(action)
        return _UNKNOWN
    return _DEFAULT


def entry_action(entry: Node) -> str | None:
    node = entry.get("action")
    text = node.text() if node is not None else None
    if text is None:
        return None
    action = text.strip().upper()
    return action if action in _ACTIONS else None


def entry_matches(
    entry: Node,
    status_reason: str | None,
    reason: str | None = None,
    exit_code: int | None = None,
) -> bool | None:
    """Whether all of an entry's conditions hold; ``None`` when that cannot be told."""
    if entry.unknown or not isinstance(entry.raw, dict):
        return None
    results = [
        _condition(entry, "onStatusReason", status_reason, text_matches),
        _condition(entry, "onReason", reason, text_matches),
        _condition(entry, "onExitCode", _code(exit_code), exit_code_matches),
    ]
    if False in results:
        return False
    if None in results:
        return None
    return True


def _code(exit_code: int | None) -> str | None:
    return None if exit_code is None else str(exit_code)


def condition(entry: Node, key: str) -> Node | None:
    """The node of one of an entry's conditions; ``None`` when it is absent (left out, a
    Terraform null, or the empty string Terraform state writes for a block's unset fields)."""
    node = entry.get(key)
    if node is None or (node.known and (node.raw is None or node.raw == "")):
        return None
    return node


def _condition(entry: Node, key: str, value: str | None, match: _Matcher) -> bool | None:
    node = condition(entry, key)
    if node is None:
        return True  # an absent condition holds
    pattern = node.text()
    if pattern is None:
        return None
    return match(pattern, value)


def text_matches(pattern: str, value: str | None) -> bool | None:
    """``onStatusReason``/``onReason`` glob: exact, or a prefix when it ends with ``*``.

    An absent value is matched only by ``*``. A ``*`` anywhere but the end is not a valid
    pattern (Batch rejects it), so the answer is unknown."""
    if not pattern or "*" in pattern[:-1]:
        return None
    if value is None:
        return pattern == "*"
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def exit_code_matches(pattern: str, value: str | None) -> bool | None:
    """``onExitCode`` glob: digits, optionally ending with ``*``; no exit code never matches."""
    if not pattern or not _EXIT_CODE_PATTERN.match(pattern):
        return None
    if value is None:
        return False
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def catches_all(entry: Node) -> bool | None:
    """Whether an entry matches every failure that has an exit code: each condition it gives
    is ``*`` (an entry without conditions matches everything). ``None`` when unknown.

    ``onExitCode: "*"`` counts, although a failure without an exit code (a reclaimed host, an
    image that cannot be pulled) does not match it: those are infrastructure failures, left
    to the default retry on purpose."""
    if entry.unknown or not isinstance(entry.raw, dict):
        return None
    unsure = False
    for key in CONDITIONS:
        node = condition(entry, key)
        pattern = node.text() if node is not None else "*"
        if pattern is None:
            unsure = True  # unknown, but a known narrow condition still settles it
        elif pattern != "*":
            return False
    return None if unsure else True


def pattern_problem(key: str, pattern: str) -> str | None:
    """Why AWS Batch rejects ``pattern`` as the ``key`` condition, or ``None`` when it is
    valid: a clause for a message (``contains "(" and "-" …``)."""
    if len(pattern) > MAX_PATTERN:
        return f"is {len(pattern)} characters long, more than the {MAX_PATTERN} allowed"
    if "*" in pattern[:-1]:
        return "has a * before its end, and only a trailing * is allowed"
    body = pattern[:-1] if pattern.endswith("*") else pattern
    allowed, what = (
        (_DIGITS, "digits")
        if key == "onExitCode"
        else (_TEXT_CHARS, "letters, numbers, periods, colons and white space")
    )
    bad = sorted({char for char in body if char not in allowed})
    if not bad:
        return None
    shown = " and ".join(", ".join(f'"{char}"' for char in bad[:5]).rsplit(", ", 1))
    verb = "is" if len(bad) == 1 else "are"
    return f"contains {shown}, which {verb} not allowed (only {what}, and a * at the end)"


def describe(entry: Node) -> str:
    """An entry as the user wrote it, for messages: ``action EXIT, onReason "*"``."""
    parts = []
    for key in ("action", *CONDITIONS):
        node = entry.get(key) if key == "action" else condition(entry, key)
        text = node.text() if node is not None else None
        if text is not None:
            parts.append(f"{key} {text}" if key == "action" else f'{key} "{text}"')
    return ", ".join(parts)
