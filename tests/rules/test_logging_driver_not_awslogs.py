"""logging-driver-not-awslogs: the allowed_drivers option, messages and odd values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import scanning

CODE = "BL-JD-033"


def _findings(
    tmp_path: Path, logging: str, options: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    template = (
        "Parameters:\n  Driver: {Type: String}\nResources:\n  Job:\n"
        "    Type: AWS::Batch::JobDefinition\n    Properties:\n      Type: container\n"
        "      ContainerProperties:\n        Image: busybox:1.36\n        Vcpus: 1\n"
        f"        Memory: 1024\n        LogConfiguration: {logging}\n"
    )
    return scanning.located(tmp_path, template, CODE, also=["BL-META"], options=options)


def test_message_and_pointer(tmp_path: Path) -> None:
    assert _findings(tmp_path, "{LogDriver: splunk}") == [
        (
            "The container (containerProperties) sends its logs with the splunk log driver, "
            "which ships them outside CloudWatch Logs and out of the Batch console's view: use "
            "awslogs, or add splunk to allowed_drivers if that pipeline is deliberate.",
            "/Resources/Job/Properties/ContainerProperties/LogConfiguration/LogDriver",
        )
    ]


def test_drivers_that_keep_logs_on_the_instance_say_so(tmp_path: Path) -> None:
    ((message, _),) = _findings(tmp_path, "{LogDriver: journald}")
    assert "keeps them on the instance, out of CloudWatch Logs and lost when" in message


@pytest.mark.parametrize(
    "logging",
    [
        "{LogDriver: awslogs}",
        "{LogDriver: AWSLOGS}",  # compared without case
        "{LogDriver: !Ref Driver}",  # unknown until deploy
        "{Options: {max-size: 10m}}",  # no driver: the API rejects it, not this rule
        "{LogDriver: ''}",
        "{LogDriver: [splunk]}",
    ],
)
def test_silent(tmp_path: Path, logging: str) -> None:
    assert _findings(tmp_path, logging) == []


@pytest.mark.parametrize(
    ("options", "flagged"),
    [
        ({"allowed_drivers": ["awslogs", "Splunk"]}, False),
        ({"allowed_drivers": "splunk"}, False),  # a lone string is a list of one
        ({"allowed_drivers": []}, True),  # empty: the default
        ({"allowed_drivers": ["awslogs"]}, True),
        ({"allowed_drivers": 3}, True),  # not a list: the default
    ],
)
def test_allowed_drivers(tmp_path: Path, options: dict[str, Any], flagged: bool) -> None:
    assert bool(_findings(tmp_path, "{LogDriver: splunk}", options)) is flagged


def test_a_list_without_awslogs_flags_awslogs(tmp_path: Path) -> None:
    options = {"allowed_drivers": ["splunk", "awsfirelens"]}
    assert _findings(tmp_path, "{LogDriver: awslogs}", options) == [
        (
            "The container (containerProperties) sends its logs with the awslogs log driver, "
            "not one of allowed_drivers: use splunk or awsfirelens.",
            "/Resources/Job/Properties/ContainerProperties/LogConfiguration/LogDriver",
        )
    ]
    assert _findings(tmp_path, "{LogDriver: AwsFireLens}", options) == []
    assert _findings(tmp_path, "{LogDriver: awslogs}", {"allowed_drivers": []}) == []
