"""A container of a job definition is given devices of the host.

## What it does
Flags every container that passes host devices into the container with
`linuxParameters.devices`: `containerProperties`, each node range's container and ECS task
containers (also inside node ranges). One finding per container, listing the devices' host
paths. GPU devices (`/dev/nvidia*`) are flagged too, with the advice to request GPUs through
`resourceRequirements` instead. Devices that are the only route to what a job legitimately
needs are allowed by default (the `allowed_devices` option): `/dev/fuse` (FUSE file systems
such as Mountpoint for Amazon S3), and the Inferentia and Trainium devices (`/dev/neuron*`)
and EFA devices (`/dev/infiniband/uverbs*`), which AWS documents passing this way. A device
whose host path is unknown is not counted. EKS containers cannot be given devices this way
and are not concerned.

## Why is this bad?
A device node is a direct line to a kernel driver: a raw disk (`/dev/xvda`, `/dev/nvme0n1`)
lets the job read and rewrite the instance's file systems, `/dev/mem` and `/dev/kmsg` the
kernel's memory and log, a GPU's control device every GPU on the instance. A bug in a driver
reached this way is a way out of the container. GPUs passed as devices also escape Batch's
scheduling: Batch does not know the job uses them and can place another GPU job on the same
GPU.

## Example
```yaml
Resources:
  Train:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/train:0.9.1
        ResourceRequirements:
          - {Type: VCPU, Value: "8"}
          - {Type: MEMORY, Value: "61440"}
        LinuxParameters:
          Devices:
            - {HostPath: /dev/nvidia0, Permissions: [READ, WRITE]}
            - {HostPath: /dev/nvidiactl, Permissions: [READ, WRITE]}
            - {HostPath: /dev/nvidia-uvm, Permissions: [READ, WRITE]}
```

## Use instead
```yaml
Resources:
  Train:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/train:0.9.1
        ResourceRequirements:
          - {Type: VCPU, Value: "8"}
          - {Type: MEMORY, Value: "61440"}
          - {Type: GPU, Value: "1"}
```

## Options
- `allowed_devices` (default below): host device paths never flagged; `*` matches any
  characters (`/dev/neuron*`). Setting the option replaces the list.

```json
{"allowed_devices": ["/dev/fuse", "/dev/neuron*", "/dev/infiniband/uverbs*"]}
```

## Known limitations
A device is judged by its host path alone: the permissions it is granted (`READ` only, say)
do not make it safe. Only the job definition is read; a `SubmitJob` override cannot add
devices.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_Device.html
- https://docs.aws.amazon.com/batch/latest/userguide/gpu-jobs.html
- https://docs.aws.amazon.com/batch/latest/userguide/efa.html
- https://docs.docker.com/reference/cli/docker/container/run/#device
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from batchlint.containers import containers
from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule
from batchlint.volumes import normalize

_DEFAULT_ALLOWED = ["/dev/fuse", "/dev/neuron*", "/dev/infiniband/uverbs*"]
_GPU = "/dev/nvidia*"


@rule(
    code="BL-JD-030",
    name="host-devices-exposed",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Remove linuxParameters.devices; request GPUs with resourceRequirements",
    options={"allowed_devices": _DEFAULT_ALLOWED},
    security_severity=6.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    allowed = _allowed(ctx)
    for container in containers(jd):
        if container.is_eks:
            continue
        devices = container.node.get("linuxParameters", "devices")
        if devices is None:
            continue
        paths = []
        for device in devices.items():
            host = device.get("hostPath")
            written = host.text() if host is not None else None
            path = normalize(written) or written
            if path and not any(fnmatchcase(path, pattern) for pattern in allowed):
                paths.append(path)
        if not paths:
            continue
        label = container.label
        unique = list(dict.fromkeys(paths))
        one = len(unique) == 1
        what = "device" if one else "devices"
        reach = (
            "a direct line to its kernel driver" if one else "direct lines to their kernel drivers"
        )
        advice = f"remove {'it' if one else 'them'} from linuxParameters.devices"
        if any(fnmatchcase(p, _GPU) for p in unique):
            advice += (
                " and request GPUs with resourceRequirements type GPU, which gives the job "
                "only the GPUs Batch assigns to it"
            )
        yield Hit(
            jd,
            f"{label[:1].upper()}{label[1:]} is given host {what} {', '.join(unique)}, "
            f"{reach}: {advice}.",
            devices,
        )


def _allowed(ctx: Context) -> list[str]:
    value = ctx.options.get("allowed_devices", _DEFAULT_ALLOWED)
    if not isinstance(value, list):
        return _DEFAULT_ALLOWED
    return [item for item in value if isinstance(item, str)]
