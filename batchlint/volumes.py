"""The host volumes a container of a job definition mounts, whatever the layout.

Volumes are declared once for the containers that run together — beside the container in
``containerProperties`` and each node range's container, on the task for ECS task containers,
on the pod for EKS containers — and a container mounts them by name (``mountPoints[].
sourceVolume``, EKS ``volumeMounts[].name``). A host volume is one that names a path on the
instance: ``host.sourcePath``, EKS ``hostPath.path``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from batchlint.containers import Container, containers
from batchlint.model import JobDefinition, Node


@dataclass(frozen=True)
class HostMount:
    container: Container
    volume: str  # the volume's name ("" when it has none)
    path: Node  # the host path value, known and absolute
    mount: Node | None  # the container's mount naming the volume; None: mounts are unknown


def host_mounts(jd: JobDefinition) -> Iterator[HostMount]:
    """Every host volume each container mounts, or may mount when its mounts are unknown.
    A host volume a container does not mount does not reach it: it is not yielded for it."""
    for container in containers(jd):
        volumes = volumes_of(container)
        if volumes is None:
            continue
        mounted = mounted_names(container)
        for volume in volumes.items():
            path = host_path(volume, container.is_eks)
            if path is None or normalize(path.text()) is None:
                continue
            name_node = volume.get("name")
            name = name_node.text() if name_node is not None else None
            if mounted is None:  # the mounts cannot be read: the volume is there to be used
                yield HostMount(container, name or "", path, None)
            elif name is not None and name in mounted:
                yield HostMount(container, name, path, mounted[name])


def volumes_of(container: Container) -> Node | None:
    """The volume list the container can mount from (its own, its ECS task's or its pod's)."""
    return container.unit.get("volumes") if container.unit is not None else None


def mounted_names(container: Container) -> dict[str, Node] | None:
    """The names of the volumes a container mounts, each with the (first) value naming it;
    ``None`` when they cannot be read."""
    key, name_key = (
        ("volumeMounts", "name") if container.is_eks else ("mountPoints", "sourceVolume")
    )
    mounts = container.node.get(key)
    if mounts is None:
        return {}
    if mounts.unknown:
        return None
    names: dict[str, Node] = {}
    for mount in mounts.items():
        name = mount.get(name_key)
        if name is None:
            continue
        if name.unknown:
            return None
        value = name.text()
        if value is not None:
            names.setdefault(value, name)
    return names


def host_path(volume: Node, eks: bool) -> Node | None:
    """The host path a volume names (``host.sourcePath``, EKS ``hostPath.path``)."""
    return volume.get("hostPath", "path") if eks else volume.get("host", "sourcePath")


def normalize(path: str | None) -> str | None:
    """An absolute host path without ``//``, ``.``, ``..`` or a trailing slash; ``None`` for
    anything else (an empty or relative path, a template placeholder)."""
    if not path or not path.startswith("/"):
        return None
    return "/" + posixpath.normpath(path).lstrip("/")
