"""job-timeout-too-short: the boundary, the figures in the message, odd values."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-011"


def _messages(tmp_path: Path, timeout: str) -> list[str]:
    template = f"""
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements: [{{Type: VCPU, Value: "1"}}, {{Type: MEMORY, Value: "2048"}}]
      Timeout: {timeout}
"""
    return scanning.messages(tmp_path, template, CODE)


def test_message(tmp_path: Path) -> None:
    assert _messages(tmp_path, "{AttemptDurationSeconds: 30}") == [
        "timeout.attemptDurationSeconds is 30, below the 60 seconds AWS Batch accepts, so "
        "registering the job definition fails: give the timeout in seconds, 60 or more (a "
        "little above the longest expected run)."
    ]


@pytest.mark.parametrize("value", ["59.5", '"59"', "-1", "0"])
def test_fires_below_sixty(value: str, tmp_path: Path) -> None:
    assert len(_messages(tmp_path, f"{{AttemptDurationSeconds: {value}}}")) == 1


@pytest.mark.parametrize(
    "timeout",
    [
        "{AttemptDurationSeconds: 60}",
        '{AttemptDurationSeconds: "86400"}',
        '{AttemptDurationSeconds: "PT30M"}',  # not a number: not this rule's concern
        "{AttemptDurationSeconds: null}",
        "{}",
        "[30]",  # an odd shape
        '"30"',
    ],
)
def test_silent(timeout: str, tmp_path: Path) -> None:
    assert _messages(tmp_path, timeout) == []
