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

Every answer may be ``None``: an unknown pattern or action (a parameter, a Terraform value
known only after apply) that could change the outcome makes the outcome unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from batchlint.model import Node

# What a Spot reclamation (or any loss of the container instance) reports as statusReason.
HOST_RECLAIMED = "Host EC2 (instance i-0123456789abcdef0) terminated."

RETRY = "RETRY"
EXIT = "EXIT"
_ACTIONS = {RETRY, EXIT}
_EXIT_CODE_PATTERN = re.compile(r"^[0-9]*\*?$")
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


def _condition(entry: Node, key: str, value: str | None, match: _Matcher) -> bool | None:
    node = entry.get(key)
    if node is None or (node.known and node.raw is None):
        return True  # an absent condition (or a Terraform null) holds
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


def describe(entry: Node) -> str:
    """An entry as the user wrote it, for messages: ``action EXIT, onReason "*"``."""
    parts = []
    for key in ("action", "onStatusReason", "onReason", "onExitCode"):
        node = entry.get(key)
        text = node.text() if node is not None else None
        if text is not None:
            parts.append(f"{key} {text}" if key == "action" else f'{key} "{text}"')
    return ", ".join(parts)
