"""What a container asks for: vCPUs, memory (MiB) and GPUs, whichever way it is written.

``resourceRequirements`` (``VCPU``/``MEMORY``/``GPU``, values are strings) wins over the
legacy ``vcpus``/``memory`` fields, as in AWS Batch. EKS containers use Kubernetes quantities
in ``resources.limits``/``requests`` (``500m``, ``2Gi``); limits win over requests, as Batch
uses the larger of the two for placement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batchlint.containers import Container
from batchlint.model import Node


@dataclass(frozen=True)
class Request:
    value: float
    node: Node  # where it is written, for pointing a finding at it


@dataclass(frozen=True)
class Requests:
    vcpus: Request | None = None
    memory_mib: Request | None = None
    gpus: Request | None = None


def requests(container: Container) -> Requests:
    if container.is_eks:
        return _eks(container.node)
    found: dict[str, Request] = {}
    for entry in container.node.each("resourceRequirements"):
        kind, value = entry.get("type"), entry.get("value")
        name = kind.text() if kind is not None else None
        number = value.number() if value is not None else None
        if name and number is not None and value is not None:
            found[name.upper()] = Request(number, value)
    for legacy, key in (("vcpus", "VCPU"), ("memory", "MEMORY")):
        node = container.node.get(legacy)
        if key not in found and node is not None and node.number() is not None:
            found[key] = Request(node.number() or 0.0, node)
    return Requests(found.get("VCPU"), found.get("MEMORY"), found.get("GPU"))


_QUANTITY = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*$")
_MEMORY_UNITS = {
    "": 1 / 1048576,
    "k": 1000 / 1048576,
    "Ki": 1 / 1024,
    "M": 1000**2 / 1048576,
    "Mi": 1.0,
    "G": 1000**3 / 1048576,
    "Gi": 1024.0,
    "T": 1000**4 / 1048576,
    "Ti": 1024.0**2,
}


def cpu_quantity(text: str) -> float | None:
    match = _QUANTITY.match(text)
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit == "m":
        return number / 1000
    return number if unit == "" else None


def memory_quantity_mib(text: str) -> float | None:
    match = _QUANTITY.match(text)
    if not match or match.group(2) not in _MEMORY_UNITS:
        return None
    return float(match.group(1)) * _MEMORY_UNITS[match.group(2)]


def _eks(container: Node) -> Requests:
    found: dict[str, Request] = {}
    for section in ("requests", "limits"):  # limits read last, so they win
        values = container.get("resources", section)
        for key, node in (values.entries() if values is not None else {}).items():
            text = node.text()
            if text is None:
                continue
            if key == "cpu":
                number = cpu_quantity(text)
                slot = "VCPU"
            elif key == "memory":
                number = memory_quantity_mib(text)
                slot = "MEMORY"
            elif key == "nvidia.com/gpu":
                number = cpu_quantity(text)
                slot = "GPU"
            else:
                continue
            if number is not None:
                found[slot] = Request(number, node)
    return Requests(found.get("VCPU"), found.get("MEMORY"), found.get("GPU"))
