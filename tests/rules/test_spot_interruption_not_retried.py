"""spot-interruption-not-retried: only where Spot capacity exists, and its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-002"

JOB = """
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties: {Image: "busybox:1.36", Vcpus: 1, Memory: 2048}
      RetryStrategy:
        Attempts: 3
        EvaluateOnExit:
          - {Action: RETRY, OnReason: "AGENT"}
          - {Action: EXIT, OnReason: "*"}
"""


def _environment(kind: str) -> str:
    return f"""
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: {kind}
        MaxvCpus: 64
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
"""


def _messages(tmp_path: Path, resources: str) -> list[str]:
    return scanning.messages(tmp_path, "Resources:" + resources, CODE)


@pytest.mark.parametrize("kind", ["SPOT", "FARGATE_SPOT"])
def test_fires_with_spot_capacity(kind: str, tmp_path: Path) -> None:
    messages = _messages(tmp_path, _environment(kind) + JOB)
    assert messages == [
        'evaluateOnExit entry 2 (action EXIT, onReason "*") exits when a Spot host is reclaimed '
        "(status reason 'Host EC2 (instance …) terminated.', Spot capacity in Environment), so "
        "the job fails on the first reclamation despite its 3 attempts: add {action: RETRY, "
        'onStatusReason: "Host EC2*"} as the first entry.'
    ]


@pytest.mark.parametrize("kind", ["EC2", "FARGATE"])
def test_silent_without_spot_capacity(kind: str, tmp_path: Path) -> None:
    assert _messages(tmp_path, _environment(kind) + JOB) == []


def test_silent_without_any_compute_environment(tmp_path: Path) -> None:
    assert _messages(tmp_path, JOB) == []
