"""evaluateOnExit matching (batchlint.retry), as AWS Batch documents it."""

from __future__ import annotations

import pytest

from batchlint.model import Node, Origin, unknown
from batchlint.retry import (
    EXIT,
    HOST_RECLAIMED,
    RETRY,
    action_for,
    catches_all,
    condition,
    decide,
    describe,
    exit_code_matches,
    pattern_problem,
    text_matches,
)


def node(value: object) -> Node:
    """Plain data as model nodes; the string "?" is an unknown value."""
    if value == "?":
        return unknown()
    if isinstance(value, dict):
        return Node({k: node(v) for k, v in value.items()})
    if isinstance(value, list):
        return Node([node(v) for v in value])
    return Node(value)  # type: ignore[arg-type]


def host(entries: object) -> str | None:
    return action_for(node(entries), HOST_RECLAIMED)


def test_no_entries_retries() -> None:
    assert action_for(None, HOST_RECLAIMED) == RETRY
    assert host([]) == RETRY


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        # the documentation's catch-all exits on a reclaimed host
        ([{"action": "EXIT", "onReason": "*"}], EXIT),
        ([{"action": "exit", "onStatusReason": "*"}], EXIT),
        (
            [
                {"action": "RETRY", "onStatusReason": "Host EC2*"},
                {"action": "EXIT", "onReason": "*"},
            ],
            RETRY,
        ),
        ([{"action": "Retry", "onStatusReason": "Host EC2 (instance*"}], RETRY),
        # exit-code entries never match: a reclaimed host has no exit code
        ([{"action": "EXIT", "onExitCode": "*"}], RETRY),
        ([{"action": "EXIT", "onExitCode": "1"}], RETRY),
        # a named reason cannot be matched: the reason is absent
        ([{"action": "EXIT", "onReason": "CannotPullContainerError*"}], RETRY),
        ([{"action": "EXIT", "onReason": "*", "onExitCode": "*"}], RETRY),
        # all conditions must match
        ([{"action": "EXIT", "onStatusReason": "Host EC2*", "onReason": "*"}], EXIT),
        ([{"action": "EXIT", "onStatusReason": "Host EC2*", "onReason": "AGENT"}], RETRY),
        # exact match without the asterisk
        ([{"action": "EXIT", "onStatusReason": "Host EC2"}], RETRY),
        ([{"action": "EXIT", "onStatusReason": HOST_RECLAIMED}], EXIT),
        # case matters in patterns (only the action is case-insensitive)
        ([{"action": "EXIT", "onStatusReason": "host ec2*"}], RETRY),
        # first match wins
        (
            [{"action": "EXIT", "onStatusReason": "Host*"}, {"action": "RETRY", "onReason": "*"}],
            EXIT,
        ),
        # an entry with no condition matches everything
        ([{"action": "EXIT"}], EXIT),
    ],
)
def test_host_reclaimed(entries: object, expected: str) -> None:
    assert host(entries) == expected


@pytest.mark.parametrize(
    "entries",
    [
        [{"action": "?", "onReason": "*"}],  # unknown action on the deciding entry
        [{"action": "EXIT", "onStatusReason": "?"}],  # unknown pattern may or may not match
        ["?"],
        "?",
        [{"action": "EXIT", "onStatusReason": "Host*EC2"}],  # invalid: * only at the end
        [{"action": "STOP", "onReason": "*"}],  # invalid action
        {"action": "EXIT"},  # a lone entry where a list belongs
    ],
)
def test_unknown_stays_unknown(entries: object) -> None:
    assert host(entries) is None


def test_unknown_entry_that_cannot_change_the_outcome() -> None:
    # whether or not the unknown entry matches, the outcome is EXIT
    assert (
        host([{"action": "EXIT", "onStatusReason": "?"}, {"action": "EXIT", "onReason": "*"}])
        == EXIT
    )
    # an unknown entry after the deciding one does not matter
    assert host([{"action": "RETRY", "onStatusReason": "Host EC2*"}, "?"]) == RETRY


def test_decision_names_the_entry() -> None:
    entries = node([{"action": "RETRY", "onReason": "AGENT"}, {"action": "EXIT", "onReason": "*"}])
    decision = decide(entries, HOST_RECLAIMED)
    assert decision.action == EXIT and decision.index == 1
    assert decision.entry is entries.items()[1]


def test_fn_if_over_the_list() -> None:
    exits = node([{"action": "EXIT", "onReason": "*"}])
    retries = node([{"action": "RETRY", "onStatusReason": "Host EC2*"}])
    both_exit = Node(None, Origin.UNKNOWN, alts=(exits, node([{"action": "EXIT"}])))
    assert action_for(both_exit, HOST_RECLAIMED) == EXIT
    mixed = Node(None, Origin.UNKNOWN, alts=(exits, retries))
    assert action_for(mixed, HOST_RECLAIMED) is None
    no_value = Node(None, Origin.UNKNOWN, alts=(retries, None))  # AWS::NoValue: no entries
    assert action_for(no_value, HOST_RECLAIMED) == RETRY


def test_application_failures() -> None:
    entries = node(
        [
            {"action": "RETRY", "onStatusReason": "Host EC2*"},
            {"action": "RETRY", "onExitCode": "137"},
            {"action": "EXIT", "onExitCode": "*"},
        ]
    )
    assert action_for(entries, "Essential container in task exited", exit_code=137) == RETRY
    assert action_for(entries, "Essential container in task exited", exit_code=1) == EXIT
    assert action_for(entries, HOST_RECLAIMED) == RETRY


def test_pattern_helpers() -> None:
    assert text_matches("*", None) is True
    assert text_matches("AGENT", None) is False
    assert text_matches("Task failed*", "Task failed to start") is True
    assert text_matches("", "x") is None
    assert exit_code_matches("1*", "137") is True
    assert exit_code_matches("13", "137") is False
    assert exit_code_matches("1a", "1") is None
    assert exit_code_matches("*", None) is False


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"action": "EXIT"}, True),
        ({"action": "EXIT", "onReason": "*"}, True),
        ({"action": "EXIT", "onStatusReason": "*"}, True),
        ({"action": "EXIT", "onExitCode": "*"}, True),  # counts, by decision (see catches_all)
        ({"action": "EXIT", "onReason": "*", "onStatusReason": "*", "onExitCode": "*"}, True),
        ({"action": "RETRY", "onReason": "*", "onExitCode": ""}, True),  # "" is absent
        ({"action": "EXIT", "onReason": "*", "onExitCode": "1"}, False),
        ({"action": "EXIT", "onStatusReason": "Host EC2*"}, False),
        ({"action": "EXIT", "onExitCode": "1*"}, False),
        ({"action": "EXIT", "onReason": "?"}, None),
        ({"action": "EXIT", "onReason": "?", "onExitCode": "1"}, False),
        ("?", None),
    ],
)
def test_catches_all(entry: object, expected: bool | None) -> None:
    assert catches_all(node(entry)) is expected


def test_empty_patterns_are_absent() -> None:
    # what Terraform state writes for the fields a block leaves out
    entry = node({"action": "retry", "onExitCode": "", "onReason": "", "onStatusReason": "Host*"})
    assert condition(entry, "onExitCode") is None
    assert action_for(Node([entry]), HOST_RECLAIMED) == RETRY
    assert describe(entry) == 'action retry, onStatusReason "Host*"'


@pytest.mark.parametrize(
    ("key", "pattern", "problem"),
    [
        ("onStatusReason", "Host EC2*", None),
        ("onStatusReason", "*", None),
        ("onReason", "CannotPullContainerError: pull*", None),
        ("onReason", "Essential container in task exited\t.", None),
        ("onExitCode", "137", None),
        ("onExitCode", "1*", None),
        ("onExitCode", "*", None),
        ("onStatusReason", "Host*EC2", "has a * before its end"),
        ("onExitCode", "**", "has a * before its end"),
        ("onStatusReason", "Host EC2 (i-0abc*", 'contains "(" and "-", which are not allowed'),
        ("onReason", "Task_failed", 'contains "_", which is not allowed'),
        ("onExitCode", "-1", 'contains "-", which is not allowed (only digits'),
        ("onExitCode", " 1", 'contains " "'),
        ("onReason", "a" * 513, "is 513 characters long, more than the 512 allowed"),
        ("onReason", "é", 'contains "é"'),
    ],
)
def test_pattern_problem(key: str, pattern: str, problem: str | None) -> None:
    found = pattern_problem(key, pattern)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)
