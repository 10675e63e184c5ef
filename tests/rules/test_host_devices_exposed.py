"""host-devices-exposed: allowed devices, the GPU advice, odd values and its messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import scanning

CODE = "BL-JD-030"


def _findings(
    tmp_path: Path, devices: str, options: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    template = (
        "Parameters:\n  Device: {Type: String}\nResources:\n  Job:\n"
        "    Type: AWS::Batch::JobDefinition\n    Properties:\n      Type: container\n"
        "      ContainerProperties:\n        Image: busybox:1.36\n"
        f"        LinuxParameters:\n          Devices: {devices}\n"
    )
    return scanning.located(tmp_path, template, CODE, also=["BL-META"], options=options)


def test_one_finding_per_container_listing_each_device_once(tmp_path: Path) -> None:
    devices = (
        "[{HostPath: /dev/sda}, {HostPath: /dev/sda/}, {HostPath: /dev/fuse}, {HostPath: /dev/mem}]"
    )
    assert _findings(tmp_path, devices) == [
        (
            "The container (containerProperties) is given host devices /dev/sda, /dev/mem, "
            "direct lines to their kernel drivers: remove them from linuxParameters.devices.",
            "/Resources/Job/Properties/ContainerProperties/LinuxParameters/Devices",
        )
    ]


def test_gpu_devices_get_the_resource_requirements_advice(tmp_path: Path) -> None:
    [(message, _)] = _findings(tmp_path, "[{HostPath: /dev/nvidia0}]")
    assert message == (
        "The container (containerProperties) is given host device /dev/nvidia0, a direct line "
        "to its kernel driver: remove it from linuxParameters.devices and request GPUs with "
        "resourceRequirements type GPU, which gives the job only the GPUs Batch assigns to it."
    )


@pytest.mark.parametrize(
    "devices",
    [
        "[]",
        "[{HostPath: /dev/fuse}]",
        "[{HostPath: /dev/neuron0}, {HostPath: /dev/neuron15}]",
        "[{HostPath: /dev/infiniband/uverbs0}]",
        "[{HostPath: !Ref Device}]",
        "!Ref Device",
        "[{ContainerPath: /dev/x}]",
        "[/dev/sda, {HostPath: [/dev/sda]}]",
        "not-a-list",
    ],
)
def test_allowed_unknown_or_odd_devices_stay_silent(tmp_path: Path, devices: str) -> None:
    assert _findings(tmp_path, devices) == []


def test_allowed_devices_option_replaces_the_defaults(tmp_path: Path) -> None:
    options = {"allowed_devices": ["/dev/nvidia*", 3]}
    assert _findings(tmp_path, "[{HostPath: /dev/nvidia0}]", options) == []
    [(message, _)] = _findings(tmp_path, "[{HostPath: /dev/fuse}]", options)
    assert "host device /dev/fuse," in message


def test_a_malformed_option_keeps_the_defaults(tmp_path: Path) -> None:
    assert _findings(tmp_path, "[{HostPath: /dev/fuse}]", {"allowed_devices": "/dev/*"}) == []
