"""sensitive-host-mount: which host paths are sensitive, mounted or not, its option and its
messages; and the volume helpers behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from batchlint.volumes import normalize

from . import scanning

CODE = "BL-JD-029"


def _findings(
    tmp_path: Path, properties: str, options: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    template = (
        "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\nParameters:\n  Stage: {Type: String}\n"
        "Resources:\n  Job:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
        "      Type: container\n" + properties
    )
    return scanning.located(tmp_path, template, CODE, also=["BL-META"], options=options)


def _mounting(source: str, mounts: str = "[{SourceVolume: host, ContainerPath: /host}]") -> str:
    return f"""      ContainerProperties:
        Image: busybox:1.36
        Volumes: [{{Name: host, Host: {{SourcePath: "{source}"}}}}]
        MountPoints: {mounts}
"""


@pytest.mark.parametrize(
    "source",
    [
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/run/containerd/containerd.sock",
        "/var/run/containerd/containerd.sock",
        "/",
        "//",
        "/etc",
        "/etc/",
        "/etc/shadow",
        "/etc/kubernetes/pki",
        "/proc",
        "/proc/sys",
        "/sys/fs/cgroup",
        "/root/.ssh",
        "/boot",
        "/dev",
        "/dev/shm",
        "/var/lib/docker",
        "/var/lib/ecs/data",
        "/var/lib/kubelet",
        "/var/lib",
        "/var",
        "/run",
        "/var/run",
        "/var/run/",
        "/tmp/../etc",
        "/./proc//sys/",
    ],
)
def test_sensitive_paths(tmp_path: Path, source: str) -> None:
    [(message, pointer)] = _findings(tmp_path, _mounting(source))
    assert f'mounts host path {source} (volume "host"), which exposes ' in message
    assert pointer.endswith("/MountPoints/0/SourceVolume")


@pytest.mark.parametrize(
    "source",
    [
        "/data",
        "/fsx/pdb",
        "/etcetera",
        "/var/runner",
        "/var/lib/data",
        "/var/log/app",
        "/run/user/1000",
        "/opt/aws-cli",
        "/tmp",
        "/home/ec2-user",
        "/etc/localtime",
        "/etc/ssl/certs/",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "relative/etc",
        "${HostDir}",
        "",
    ],
)
def test_other_paths_stay_silent(tmp_path: Path, source: str) -> None:
    assert _findings(tmp_path, _mounting(source)) == []


def test_ancestors_name_what_they_hold(tmp_path: Path) -> None:
    [(message, _)] = _findings(tmp_path, _mounting("/var/lib"))
    assert message == (
        'The container (containerProperties) mounts host path /var/lib (volume "host"), which '
        "exposes the sensitive paths below it (/var/lib/docker, /var/lib/ecs, /var/lib/kubelet): "
        "mount a Docker volume, EFS or FSx instead of the host path."
    )


def test_unmounted_volume_stays_silent(tmp_path: Path) -> None:
    assert _findings(tmp_path, _mounting("/var/run/docker.sock", "[]")) == []
    other = "[{SourceVolume: elsewhere, ContainerPath: /x}, {ContainerPath: /y}]"
    assert _findings(tmp_path, _mounting("/var/run/docker.sock", other)) == []


def test_unknown_mounts_count_as_mounting(tmp_path: Path) -> None:
    mounts = "!If [IsProd, [{SourceVolume: host, ContainerPath: /h}], []]"
    [(message, pointer)] = _findings(tmp_path, _mounting("/etc", mounts))
    assert message.startswith(
        'The container (containerProperties) can mount host path /etc (volume "host")'
    )
    assert pointer.endswith("/Volumes/0/Host/SourcePath")


def test_allowed_paths_option_replaces_the_defaults(tmp_path: Path) -> None:
    options = {"allowed_paths": ["/var/run/docker.sock/", 7, None]}
    assert _findings(tmp_path, _mounting("/run/docker.sock"), options) == []
    assert len(_findings(tmp_path, _mounting("/etc/localtime"), options)) == 1


@pytest.mark.parametrize("value", ["/etc/localtime", None, {"a": 1}])
def test_a_malformed_option_keeps_the_defaults(tmp_path: Path, value: object) -> None:
    assert _findings(tmp_path, _mounting("/etc/localtime"), {"allowed_paths": value}) == []


def test_eks_mounts_by_volume_name_per_container(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """      EksProperties:
        PodProperties:
          HostNetwork: false
          Volumes:
            - {Name: sock, HostPath: {Path: /var/run/docker.sock}}
            - {Name: cache, HostPath: {Path: /var/cache/app}}
          InitContainers:
            - {Name: init, Image: x, VolumeMounts: [{Name: cache, MountPath: /c}]}
          Containers:
            - {Name: a, Image: x, VolumeMounts: [{Name: sock, MountPath: /s}]}
            - {Name: b, Image: x, VolumeMounts: [{Name: sock, MountPath: /s, ReadOnly: true}]}
""",
    )
    assert [m.split(" mounts ")[0] for m, _ in found] == ['EKS container "a"', 'EKS container "b"']
    assert all("mount an emptyDir volume, EFS or FSx instead" in m for m, _ in found)
    assert len({pointer for _, pointer in found}) == 2


def test_ecs_task_volumes_are_the_tasks(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """      EcsProperties:
        TaskProperties:
          - Volumes: [{Name: sock, Host: {SourcePath: /var/run/docker.sock}}]
            Containers:
              - {Name: a, Image: x, MountPoints: [{SourceVolume: sock, ContainerPath: /s}]}
          - Containers:
              - {Name: b, Image: x, MountPoints: [{SourceVolume: sock, ContainerPath: /s}]}
""",
    )
    assert [m.split(" mounts ")[0] for m, _ in found] == ['ECS task container "a"']


def test_odd_shapes_do_not_raise(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        """      ContainerProperties:
        Image: x
        Volumes: [host, {Name: v, Host: /etc}, {Name: w, Host: {SourcePath: [/etc]}}]
        MountPoints: [v, {SourceVolume: [w]}]
""",
    )
    assert found == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("/", "/"),
        ("//", "/"),
        ("///etc//", "/etc"),
        ("/etc/./ssl/../shadow", "/etc/shadow"),
        ("/../..", "/"),
        ("etc", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize(written: str | None, expected: str | None) -> None:
    assert normalize(written) == expected
