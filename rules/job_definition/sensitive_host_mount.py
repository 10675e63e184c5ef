"""A container of a job definition mounts a sensitive path of the host.

## What it does
Flags every container that mounts a host volume (`volumes[].host.sourcePath`, EKS
`volumes[].hostPath.path`) naming a sensitive path of the instance: the Docker or containerd
socket (`/var/run/docker.sock`, `/run/docker.sock`, `/run/containerd/containerd.sock`),
`/etc`, `/proc`, `/sys`, `/root`, `/boot`, `/dev`, `/var/lib/docker`, `/var/lib/ecs`,
`/var/lib/kubelet`, anything below those (`/etc/shadow`, `/proc/sys`, `/var/lib/ecs/data`),
and any directory that holds one of them (`/`, `/var`, `/var/lib`, `/run`, `/var/run`).
Paths are compared after removing `//`, `.`, `..` and trailing slashes, and `/var/run` reads
as `/run` (the host links one to the other). All layouts count: `containerProperties`, node
ranges, ECS task containers (volumes on the task) and EKS containers and init containers
(volumes on the pod). A volume is flagged for each container that mounts it
(`mountPoints[].sourceVolume`, EKS `volumeMounts[].name`); a host volume that no container
mounts reaches no container and stays silent, and a container whose mounts cannot be read
(an unknown value) counts as mounting every host volume beside it. Read-only mounts count
too: a read-only Docker socket still accepts every API call, and a read-only `/etc` still
gives away the host's secrets.

## Why is this bad?
A host mount takes the container out of its sandbox. With the Docker socket the job can start
a privileged container with the host's root file system and own the instance; `/proc`, `/sys`
and `/dev` expose the kernel, cgroups and disks; `/etc`, `/root` and `/var/lib/ecs` hold the
host's credentials and the ECS agent's state; `/var/lib/docker` and `/var/lib/kubelet` hold
every other container's files and secrets. On a shared compute environment that is every
other job placed on the instance, and the instance role.

## Example
```yaml
Resources:
  ImageBuild:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/docker:27-cli
        Command: [docker, build, -t, app, /src]
        ResourceRequirements:
          - {Type: VCPU, Value: "2"}
          - {Type: MEMORY, Value: "4096"}
        Volumes:
          - Name: docker-socket
            Host:
              SourcePath: /var/run/docker.sock
        MountPoints:
          - {SourceVolume: docker-socket, ContainerPath: /var/run/docker.sock}
```

## Use instead
```yaml
Resources:
  ImageBuild:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: gcr.io/kaniko-project/executor:v1.23.2
        Command: [--context=dir:///workspace, --no-push]
        ResourceRequirements:
          - {Type: VCPU, Value: "2"}
          - {Type: MEMORY, Value: "4096"}
        Volumes:
          - Name: workspace
        MountPoints:
          - {SourceVolume: workspace, ContainerPath: /workspace}
```

## Options
- `allowed_paths` (default below): host paths, and everything below them, that are never
  flagged — harmless files under `/etc` that jobs commonly mount read-only (the time zone, the
  CA bundle). Setting the option replaces the list.

```json
{"allowed_paths": ["/etc/localtime", "/etc/timezone", "/etc/ssl/certs",
                   "/etc/pki/ca-trust/extracted", "/etc/pki/tls/certs"]}
```

## Known limitations
Only the job definition is read; a `SubmitJob` override cannot add volumes, so nothing is
missed there. A path reached through a symbolic link on the host (other than `/var/run`) is
not resolved. Host `/dev/shm` is flagged (it shares memory with every other process on the
instance): set `linuxParameters.sharedMemorySize` instead (on EKS, an `emptyDir` volume with
`medium: Memory`).

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_Volume.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EksHostPath.html
- https://docs.docker.com/engine/security/#docker-daemon-attack-surface
- https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.volumes import host_mounts, normalize

_RUNTIME = "the container runtime, and so every container and the instance itself"
# sensitive host paths (as read after /var/run -> /run), with what they give a container;
# everything below them is sensitive too
_SENSITIVE = {
    "/run/docker.sock": "the Docker daemon, and so every container and the instance itself",
    "/run/containerd": _RUNTIME,
    "/run/crio": _RUNTIME,
    "/etc": "the host's configuration and credentials",
    "/root": "the root user's home and keys",
    "/boot": "the host's kernel and boot loader",
    "/proc": "the host's processes and kernel settings",
    "/sys": "the host's kernel, cgroup and device settings",
    "/dev": "the host's devices and disks",
    "/var/lib/docker": "the files of every container on the instance",
    "/var/lib/ecs": "the ECS agent's state and credentials",
    "/var/lib/kubelet": "the kubelet's state and every pod's secrets",
}
_DEFAULT_ALLOWED = [
    "/etc/localtime",
    "/etc/timezone",
    "/etc/ssl/certs",
    "/etc/pki/ca-trust/extracted",
    "/etc/pki/tls/certs",
]


@rule(
    code="BL-JD-029",
    name="sensitive-host-mount",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Mount a Docker or emptyDir volume, EFS or FSx instead of the host path",
    options={"allowed_paths": _DEFAULT_ALLOWED},
    security_severity=7.5,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    allowed = _allowed(ctx)
    for mount in host_mounts(jd):
        written = mount.path.text()
        path = normalize(written)
        if path is None or any(_within(_canonical(path), a) for a in allowed):
            continue
        exposes = _exposure(path)
        if exposes is None:
            continue
        label = mount.container.label
        volume = f' (volume "{mount.volume}")' if mount.volume else ""
        verb = "mounts" if mount.mount is not None else "can mount"
        instead = "an emptyDir volume" if mount.container.is_eks else "a Docker volume"
        yield Hit(
            jd,
            f"{label[:1].upper()}{label[1:]} {verb} host path {written}{volume}, which exposes "
            f"{exposes}: mount {instead}, EFS or FSx instead of the host path.",
            mount.mount or mount.path,
        )


def _exposure(path: str) -> str | None:
    """What a normalized host path exposes to a container, or ``None`` when it is not
    sensitive."""
    canonical = _canonical(path)
    for sensitive, what in _SENSITIVE.items():
        if _within(canonical, sensitive):
            return what
    if canonical == "/":
        return "the host's whole file system"
    below = sorted(s for s in _SENSITIVE if _within(s, canonical))
    if below:
        return f"the sensitive paths below it ({', '.join(below)})"
    return None


def _canonical(path: str) -> str:
    """``/var/run`` is a link to ``/run`` on every current Linux distribution."""
    if _within(path, "/var/run"):
        return "/run" + path[len("/var/run") :]
    return path


def _within(path: str, parent: str) -> bool:
    return path == parent or parent == "/" or path.startswith(parent + "/")


def _allowed(ctx: Context) -> list[str]:
    value = ctx.options.get("allowed_paths", _DEFAULT_ALLOWED)
    if not isinstance(value, list):
        return _DEFAULT_ALLOWED
    out = []
    for item in value:
        path = normalize(item) if isinstance(item, str) else None
        if path is not None:
            out.append(_canonical(path))
    return out
