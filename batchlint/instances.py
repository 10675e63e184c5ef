"""EC2 instance facts (vCPUs, memory, GPUs, architecture) and AWS Batch ``instanceTypes`` expansion.

The facts are a bundled snapshot (``batchlint/data/instance_types.json``, built by
``scripts/build_data.py`` from DescribeInstanceTypes records; see ``batchlint/data/SOURCES.md``).
They are read on first use, never at import.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).resolve().parent / "data" / "instance_types.json"

# AWS Batch instance-type keywords, from the ComputeResource.instanceTypes documentation (AWS Batch
# API reference, as shipped in botocore 1.44.8's ``batch`` model;
# https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html):
#
#   "default_x86_64 to choose x86 based instance types (from the m6i, c6i, r6i, and c7i instance
#    families) that matches the resource demands of the job queue."
#   "default_arm64 to choose ARM based instance types (from the m6g, c6g, r6g, and c7g instance
#    families) that matches the resource demands of the job queue."
#   "optimal Semantically equivalent to default_x86_64, see Optimal instance type configuration
#    to receive automatic instance family updates for details."
#
# Before 2025-11-01 the same page said "optimal to select instance types (from the c4, m4, r4, c5,
# m5, and r5 instance families)" (noting that some Regions have no 4th-generation families) and
# "Starting on 11/01/2025 the behavior of optimal is going to be changed to match default_x86_64."
# The current behaviour is the one expanded here, in every Region.
DEFAULT_X86_64_FAMILIES: tuple[str, ...] = ("m6i", "c6i", "r6i", "c7i")
DEFAULT_ARM64_FAMILIES: tuple[str, ...] = ("m6g", "c6g", "r6g", "c7g")
KEYWORDS: dict[str, tuple[str, ...]] = {
    "optimal": DEFAULT_X86_64_FAMILIES,
    "default_x86_64": DEFAULT_X86_64_FAMILIES,
    "default_arm64": DEFAULT_ARM64_FAMILIES,
}

# Memory that ECS cannot register for jobs; see ecs_registrable_memory_mib().
ECS_RESERVED_MEMORY_MIB = 32
KERNEL_FIXED_OVERHEAD_MIB = 79
KERNEL_OVERHEAD_FRACTION = 1 / 64


@dataclass(frozen=True, slots=True)
class InstanceFacts:
    """What DescribeInstanceTypes says about one instance type."""

    instance_type: str
    vcpus: int
    memory_mib: int
    gpus: int  # NVIDIA and AMD GPUs
    arch: str  # "x86_64" | "arm64"
    accelerators: int = 0  # Inferentia / Trainium / Gaudi / AI100 devices, where known
    accelerator_name: str | None = None
    derived: bool = False  # figures not from a DescribeInstanceTypes record (see SOURCES.md)


@cache
def _data() -> dict[str, Any]:
    with _DATA.open("rb") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@cache
def _families() -> dict[str, tuple[str, ...]]:
    """Family -> its sizes, in the order of the data (sorted by name)."""
    grouped: dict[str, list[str]] = {}
    for name in _data()["types"]:
        grouped.setdefault(family(name), []).append(name)
    return {fam: tuple(_by_size(names)) for fam, names in grouped.items()}


def _by_size(names: list[str]) -> list[str]:
    def key(name: str) -> tuple[int, int, str]:
        row = _data()["types"][name]
        return (int(row[0]), int(row[1]), name)

    return sorted(names, key=key)


def family(type_or_family: str) -> str:
    """The instance family: the part before the dot (``c5d.2xlarge`` -> ``c5d``)."""
    return type_or_family.split(".", 1)[0]


# FPGA, Inferentia, Trainium, Gaudi and video-transcoding families: jobs are built for that one
# accelerator, so there is no other family to move them to
_SINGLE_PURPOSE = ("f1", "f2", "inf", "trn", "dl1", "dl2q", "vt1")


def is_single_purpose(type_or_family: str) -> bool:
    """Whether jobs on this type need its one kind of accelerator (no substitute family)."""
    return family(type_or_family).lower().startswith(_SINGLE_PURPOSE)


@cache
def facts(instance_type: str) -> InstanceFacts | None:
    """Facts for a concrete instance type (``m5.large``), or None if the type is unknown."""
    row = _data()["types"].get(instance_type)
    if row is None:
        return None
    accel = _data()["accelerators"].get(instance_type)
    return InstanceFacts(
        instance_type=instance_type,
        vcpus=int(row[0]),
        memory_mib=int(row[1]),
        gpus=int(row[2]),
        arch=str(row[3]),
        accelerators=int(accel[0]) if accel else 0,
        accelerator_name=str(accel[1]) if accel else None,
        derived=len(row) > 4 and row[4] == "derived",
    )


def known_types() -> frozenset[str]:
    """Every concrete instance type the bundled data knows."""
    return frozenset(_data()["types"])


def family_types(name: str) -> tuple[str, ...]:
    """The sizes of a family in the bundled data, smallest first; empty if unknown."""
    return _families().get(name, ())


def expand(entries: list[str], region: str | None = None) -> list[str] | None:
    """Turn AWS Batch ``instanceTypes`` entries into concrete instance types.

    A concrete type (``c5.large``) stays; a bare family (``c5``, ``m6g``) becomes all its sizes
    in the data; ``optimal``, ``default_x86_64`` and ``default_arm64`` become the sizes of the
    families AWS Batch documents for them (see ``KEYWORDS``). The result keeps the order of
    ``entries`` and has no duplicates.

    Returns None when any entry is unknown (a typo, a newer type than the snapshot, a
    non-string value): callers should then stay silent rather than reason about a partial set.

    ``region`` is accepted for region-dependent keywords; the current documented expansions
    are the same in every Region, so it does not change the result today.
    """
    del region  # documented expansions are Region-independent (see KEYWORDS)
    out: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, str):
            return None
        entry = entry.strip()
        if entry in KEYWORDS:
            names: list[str] = []
            for fam in KEYWORDS[entry]:
                names.extend(family_types(fam))
        elif "." in entry:
            if entry not in _data()["types"]:
                return None
            names = [entry]
        else:
            names = list(family_types(entry))
        if not names:
            return None
        for name in names:
            if name not in seen:
                seen.add(name)
                out.append(name)
    return out


def ecs_registrable_memory_mib(instance: InstanceFacts) -> int:
    """Memory (MiB) the ECS agent registers for jobs on this instance type: an estimate.

    AWS Batch "Compute resource memory management"
    (https://docs.aws.amazon.com/batch/latest/userguide/memory-management.html): the ECS agent
    registers the memory the operating system reports, which is less than the nominal size
    "because of platform memory overhead and memory occupied by the system kernel" — its
    example is an ``m4.large`` (8192 MiB nominal) whose ``free -b`` total is 8373026816 bytes,
    i.e. 7985 MiB. On top of that, "the default AWS Batch compute resource AMI also reserves
    32 MiB of memory for the Amazon ECS container agent and other critical system processes"
    (``ECS_RESERVED_MEMORY``; "Reserve system memory",
    https://docs.aws.amazon.com/batch/latest/userguide/ecs-reserved-memory.html).

    The estimate is::

        nominal - ceil(nominal / 64) - 79 - 32

    * ``nominal / 64`` is the kernel's page map: one 64-byte ``struct page`` per 4 KiB page,
      the part of the overhead that grows with memory;
    * 79 MiB is a fixed part (kernel image, reserved regions), chosen so that the documented
      ``m4.large`` example comes out exactly: 8192 - 128 - 79 = 7985 MiB;
    * 32 MiB is the ECS agent reserve of the default Batch AMI.

    So ``m4.large``/``m5.large`` -> 7953 MiB, a 16 GiB type -> 16,017 MiB, 768 GiB -> about
    756 GiB. Real figures vary a little with the AMI and kernel (and a launch template can set
    a larger ``ECS_RESERVED_MEMORY``); use this to spot requests that cannot fit, not as an
    exact number.
    """
    nominal = instance.memory_mib
    kernel = math.ceil(nominal * KERNEL_OVERHEAD_FRACTION) + KERNEL_FIXED_OVERHEAD_MIB
    return max(0, nominal - kernel - ECS_RESERVED_MEMORY_MIB)
