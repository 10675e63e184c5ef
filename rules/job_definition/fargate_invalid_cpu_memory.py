"""A Fargate job definition asks for a vCPU and memory pair that is not a Fargate size.

## What it does
Flags a job definition whose `platformCapabilities` include `FARGATE` when its container's
`VCPU`/`MEMORY` (from `resourceRequirements`, or the legacy `vcpus`/`memory`) is not one of
the sizes Fargate offers:

| vCPU | memory (MiB) |
|---|---|
| 0.25 | 512, 1024, 2048 |
| 0.5 | 1024–4096 in 1024 steps |
| 1 | 2048–8192 in 1024 steps |
| 2 | 4096–16384 in 1024 steps |
| 4 | 8192–30720 in 1024 steps |
| 8 | 16384–61440 in 4096 steps |
| 16 | 32768–122880 in 8192 steps |

It also flags a Fargate container that gives no `VCPU` or no `MEMORY` at all, which Fargate
requires: only when `resourceRequirements` and the legacy fields are really absent or fully
known — an entry whose type or value is unknown until deploy keeps the rule silent.

## Why is this bad?
Fargate runs tasks only in these sizes. Batch accepts the definition, but every job
submitted with it fails (or, with a missing value, registration itself fails): the jobs never
run.

## Example
```yaml
Resources:
  Thumbnails:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/batch-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "1024"}
        NetworkConfiguration:
          AssignPublicIp: DISABLED
```

## Use instead
```yaml
Resources:
  Thumbnails:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:1.36
        ExecutionRoleArn: arn:aws:iam::123456789012:role/batch-execution
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: "2048"}
        NetworkConfiguration:
          AssignPublicIp: DISABLED
```

## Known limitations
Only `containerProperties` is checked: multi-node parallel and EKS jobs do not run on
Fargate, and the sizing of multi-container (`ecsProperties`) Fargate jobs is not modelled.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
- https://docs.aws.amazon.com/batch/latest/userguide/fargate.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container, containers
from batchlint.model import JobDefinition
from batchlint.platforms import is_fargate
from batchlint.requests import requests
from batchlint.rule import Context, Hit, Severity, rule

# vCPU -> (lowest MiB, highest MiB, step MiB); 0.25 vCPU is irregular (512, 1024, 2048)
_SIZES: dict[float, tuple[int, int, int]] = {
    0.5: (1024, 4096, 1024),
    1.0: (2048, 8192, 1024),
    2.0: (4096, 16384, 1024),
    4.0: (8192, 30720, 1024),
    8.0: (16384, 61440, 4096),
    16.0: (32768, 122880, 8192),
}
_QUARTER = (512, 1024, 2048)
_EPSILON = 1e-6


def valid_memory(vcpus: float) -> list[int] | None:
    """The memory sizes (MiB) Fargate offers with ``vcpus``; ``None`` if it is no Fargate size."""
    if abs(vcpus - 0.25) < _EPSILON:
        return list(_QUARTER)
    for size, (low, high, step) in _SIZES.items():
        if abs(vcpus - size) < _EPSILON:
            return list(range(low, high + 1, step))
    return None


def vcpus_for(memory: float) -> list[float]:
    """The vCPU sizes that Fargate offers with ``memory`` MiB."""
    sizes = [0.25, *_SIZES]
    return [v for v in sizes if any(abs(memory - m) < _EPSILON for m in valid_memory(v) or [])]


@rule(
    code="BL-JD-006",
    name="fargate-invalid-cpu-memory",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Use a vCPU and memory pair that Fargate offers",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    if not is_fargate(jd):
        return
    for container in containers(jd):
        if container.layout != "container":
            continue
        asked = requests(container)
        if asked.vcpus is None or asked.memory_mib is None:
            missing = _missing(container, vcpu=asked.vcpus is None, memory=asked.memory_mib is None)
            if missing:
                yield Hit(
                    jd,
                    f"Fargate job definition gives {container.label} no {' and no '.join(missing)}"
                    f", which Fargate requires: add {' and '.join(missing)} to "
                    "resourceRequirements as a Fargate size (for example VCPU 1 with MEMORY "
                    "2048).",
                    container.node.get("resourceRequirements") or container.node,
                )
            continue
        vcpus, memory = asked.vcpus.value, asked.memory_mib.value
        allowed = valid_memory(vcpus)
        if allowed is None:
            fits = vcpus_for(memory)
            hint = (
                f" ({memory:g} MiB goes with {_or([_cpu(v) for v in fits])} vCPU)" if fits else ""
            )
            yield Hit(
                jd,
                f"Fargate job definition asks for {_cpu(vcpus)} vCPU, which is not a Fargate "
                f"size, so its jobs cannot run: use 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU{hint}.",
                asked.vcpus.node,
            )
        elif not any(abs(memory - m) < _EPSILON for m in allowed):
            yield Hit(
                jd,
                f"Fargate job definition asks for {_cpu(vcpus)} vCPU with {memory:g} MiB, which "
                f"is not a Fargate size, so its jobs cannot run: with {_cpu(vcpus)} vCPU use "
                f"{_sizes(allowed)}.",
                asked.memory_mib.node,
            )


def _missing(container: Container, *, vcpu: bool, memory: bool) -> list[str]:
    """The resource types that are truly absent (not merely unknown) from a container."""
    node = container.node
    written: set[str] = set()
    entries = node.get("resourceRequirements")
    if entries is not None:
        if entries.unknown or not isinstance(entries.raw, list):
            return []
        for entry in entries.items():
            kind = entry.get("type")
            name = kind.text() if kind is not None else None
            if name is None:
                return []  # an entry we cannot read could be the missing one
            written.add(name.upper())
    for legacy, key in (("vcpus", "VCPU"), ("memory", "MEMORY")):
        if node.get(legacy) is not None:
            written.add(key)
    out = []
    if vcpu and "VCPU" not in written:
        out.append("VCPU")
    if memory and "MEMORY" not in written:
        out.append("MEMORY")
    return out


def _cpu(value: float) -> str:
    return f"{value:g}"


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _sizes(allowed: list[int]) -> str:
    if len(allowed) <= 8:
        return _or([str(m) for m in allowed]) + " MiB"
    step = allowed[1] - allowed[0]
    return f"{allowed[0]} to {allowed[-1]} MiB in steps of {step}"
