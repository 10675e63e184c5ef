"""retry-strategy-out-of-range: one finding per problem, its message, and odd shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-012"


def _findings(tmp_path: Path, strategy: str) -> list[tuple[str, str]]:
    template = f"""
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements: [{{Type: VCPU, Value: "1"}}, {{Type: MEMORY, Value: "2048"}}]
      RetryStrategy: {strategy}
"""
    found = scanning.findings(tmp_path, template, CODE, also=["BL-META-003"])  # 003: a crash
    return [(f.pointer.split("/RetryStrategy", 1)[-1], f.message) for f in found]


def test_messages(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """
        Attempts: 2.5
        EvaluateOnExit:
          - {OnStatusReason: "Host EC2*"}
          - {Action: STOP, OnReason: "Task failed - retry*", OnExitCode: "1*2"}
""",
    )
    assert found == [
        (
            "/Attempts",
            "retryStrategy.attempts is 2.5, not a whole number from 1 to 10 as AWS Batch "
            "requires, so registering the job definition fails: set it between 1 and 10.",
        ),
        (
            "/EvaluateOnExit/0",
            'retryStrategy.evaluateOnExit entry 1 (onStatusReason "Host EC2*") has no action, '
            "which AWS Batch requires, so registering the job definition fails: add action "
            "RETRY or EXIT.",
        ),
        (
            "/EvaluateOnExit/1/Action",
            'retryStrategy.evaluateOnExit entry 2 has action "STOP", which AWS Batch does not '
            "accept, so registering the job definition fails: use RETRY or EXIT.",
        ),
        (
            "/EvaluateOnExit/1/OnReason",
            'retryStrategy.evaluateOnExit entry 2 onReason "Task failed - retry*" contains "-", '
            "which is not allowed (only letters, numbers, periods, colons and white space, and "
            "a * at the end), so registering the job definition fails: match a shorter prefix "
            "that ends with * instead.",
        ),
        (
            "/EvaluateOnExit/1/OnExitCode",
            'retryStrategy.evaluateOnExit entry 2 onExitCode "1*2" has a * before its end, and '
            "only a trailing * is allowed, so registering the job definition fails: match a "
            "shorter prefix that ends with * instead.",
        ),
    ]


def test_too_many_entries_points_at_the_list(tmp_path: Path) -> None:
    entries = "".join(f'\n          - {{Action: RETRY, OnExitCode: "{n}"}}' for n in range(7))
    found = _findings(tmp_path, f"\n        Attempts: 3\n        EvaluateOnExit:{entries}\n")
    assert [pointer for pointer, _ in found] == ["/EvaluateOnExit"]
    assert "has 7 entries, more than the 5 AWS Batch accepts" in found[0][1]


def test_long_pattern_is_shortened_in_the_message(tmp_path: Path) -> None:
    pattern = "A" * 600
    found = _findings(
        tmp_path, f'{{Attempts: 2, EvaluateOnExit: [{{Action: EXIT, OnReason: "{pattern}"}}]}}'
    )
    assert len(found) == 1
    assert '"' + "A" * 60 + '…"' in found[0][1]
    assert "is 600 characters long, more than the 512 allowed" in found[0][1]


@pytest.mark.parametrize(
    "strategy",
    [
        "{Attempts: 1}",
        '{Attempts: "10"}',
        "{Attempts: ten}",  # not a number: not this rule's concern
        "{EvaluateOnExit: [{Action: ' retry ', OnReason: '*'}]}",
        "{EvaluateOnExit: [{Action: Exit, OnExitCode: 0}]}",
        '{EvaluateOnExit: [{Action: EXIT, OnReason: "", OnStatusReason: null}]}',
        "{EvaluateOnExit: [just-a-string, 42]}",  # odd shapes
        "{EvaluateOnExit: {Action: EXIT}}",
        "{EvaluateOnExit: [{Action: [RETRY]}]}",
        "[]",
    ],
)
def test_silent(strategy: str, tmp_path: Path) -> None:
    assert _findings(tmp_path, strategy) == []
