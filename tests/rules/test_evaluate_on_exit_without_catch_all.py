"""evaluate-on-exit-without-catch-all: what counts as a catch-all, attempts, the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-013"


def _findings(tmp_path: Path, strategy: str) -> list[tuple[str, str]]:
    template = f"""
Conditions:
  IsProd: !Equals [!Ref AWS::Region, us-east-1]
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


def test_message_points_at_the_last_entry(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        '{Attempts: 4, EvaluateOnExit: [{Action: RETRY, OnStatusReason: "Host EC2*"}, '
        '{Action: EXIT, OnExitCode: "1"}]}',
    )
    assert found == [
        (
            "/EvaluateOnExit/1",
            "retryStrategy.evaluateOnExit has no catch-all entry, so any failure its 2 entries "
            "do not match (an application error, say) is retried, up to 4 attempts in all: end "
            'the list with {action: EXIT, onExitCode: "*"} so that deterministic failures fail '
            "fast.",
        )
    ]


@pytest.mark.parametrize(
    "last",
    [
        '{Action: EXIT, OnReason: "*"}',
        '{Action: EXIT, OnStatusReason: "*"}',
        '{Action: EXIT, OnExitCode: "*"}',
        '{Action: EXIT, OnExitCode: "*", OnReason: "*", OnStatusReason: "*"}',
        "{Action: EXIT}",
        '{Action: RETRY, OnReason: "*"}',  # retrying everything on purpose
        '{Action: EXIT, OnReason: "*", OnExitCode: ""}',  # "" is an absent condition
    ],
)
def test_catch_all_entries(last: str, tmp_path: Path) -> None:
    strategy = f'{{Attempts: 3, EvaluateOnExit: [{{Action: RETRY, OnExitCode: "137"}}, {last}]}}'
    assert _findings(tmp_path, strategy) == []


def test_catch_all_anywhere_in_the_list(tmp_path: Path) -> None:
    strategy = (
        '{Attempts: 3, EvaluateOnExit: [{Action: EXIT, OnReason: "*"}, '
        '{Action: RETRY, OnStatusReason: "Host EC2*"}]}'
    )
    assert _findings(tmp_path, strategy) == []


@pytest.mark.parametrize(
    "strategy",
    [
        '{Attempts: 1, EvaluateOnExit: [{Action: RETRY, OnExitCode: "137"}]}',
        '{Attempts: "1", EvaluateOnExit: [{Action: RETRY, OnExitCode: "137"}]}',
        '{EvaluateOnExit: [{Action: RETRY, OnExitCode: "137"}]}',  # attempts default to 1
        '{Attempts: !Ref AWS::NoValue, EvaluateOnExit: [{Action: RETRY, OnExitCode: "1"}]}',
        "{Attempts: 3}",
        "{Attempts: 3, EvaluateOnExit: []}",
        "{Attempts: 3, EvaluateOnExit: [not-an-entry]}",
        "{Attempts: 3, EvaluateOnExit: {Action: EXIT}}",
        "{Attempts: 3, EvaluateOnExit: [{Action: EXIT, OnReason: !Ref AWS::StackName}]}",
        '{Attempts: 3, EvaluateOnExit: !If [IsProd, [{Action: EXIT, OnExitCode: "1"}], '
        "!Ref AWS::NoValue]}",
    ],
)
def test_silent(strategy: str, tmp_path: Path) -> None:
    assert _findings(tmp_path, strategy) == []


def test_fn_if_over_the_list_points_at_the_list(tmp_path: Path) -> None:
    strategy = (
        '{Attempts: 2, EvaluateOnExit: !If [IsProd, [{Action: EXIT, OnExitCode: "1"}], '
        '[{Action: RETRY, OnStatusReason: "Host EC2*"}]]}'
    )
    found = _findings(tmp_path, strategy)
    assert [pointer for pointer, _ in found] == ["/EvaluateOnExit"]
    assert "any failure its entries do not match" in found[0][1]
