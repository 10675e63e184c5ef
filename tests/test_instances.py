"""Instance facts and the expansion of AWS Batch ``instanceTypes`` entries."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest

from batchlint import instances
from batchlint.instances import InstanceFacts, ecs_registrable_memory_mib, expand, facts, family

DATA = Path(instances.__file__).parent / "data"


def _arch(name: str) -> str | None:
    info = facts(name)
    return info.arch if info else None


def test_facts_of_m5_large() -> None:
    info = facts("m5.large")
    assert info == InstanceFacts("m5.large", vcpus=2, memory_mib=8192, gpus=0, arch="x86_64")
    assert not info.derived


@pytest.mark.parametrize(
    ("name", "vcpus", "memory_mib", "gpus", "arch"),
    [
        ("c5.large", 2, 4096, 0, "x86_64"),
        ("m6g.large", 2, 8192, 0, "arm64"),
        ("r5.24xlarge", 96, 786432, 0, "x86_64"),
        ("p4d.24xlarge", 96, 1179648, 8, "x86_64"),  # 8 NVIDIA A100
        ("g4ad.xlarge", 4, 16384, 1, "x86_64"),  # AMD Radeon counts as a GPU
        ("g5g.xlarge", 4, 8192, 1, "arm64"),
        ("t3.nano", 2, 512, 0, "x86_64"),
        ("m8i.large", 2, 8192, 0, "x86_64"),
    ],
)
def test_facts_match_describe_instance_types(
    name: str, vcpus: int, memory_mib: int, gpus: int, arch: str
) -> None:
    info = facts(name)
    assert info is not None
    assert (info.vcpus, info.memory_mib, info.gpus, info.arch) == (vcpus, memory_mib, gpus, arch)


def test_other_accelerators_are_not_gpus() -> None:
    inf2 = facts("inf2.48xlarge")
    assert inf2 is not None
    assert (inf2.gpus, inf2.accelerators, inf2.accelerator_name) == (0, 12, "Inferentia2")
    trn1 = facts("trn1.32xlarge")
    assert trn1 is not None
    assert (trn1.gpus, trn1.accelerators, trn1.accelerator_name) == (0, 16, "Trainium")


def test_derived_types_are_flagged() -> None:
    data = json.loads((DATA / "instance_types.json").read_text())
    derived = {name for name, row in data["types"].items() if row[4:] == ["derived"]}
    assert derived == set(data["derived"])
    assert derived, "SOURCES.md documents the derived types"
    for name in derived:
        info = facts(name)
        assert info is not None and info.derived
    cr1 = facts("cr1.8xlarge")
    assert cr1 is not None and (cr1.vcpus, cr1.memory_mib) == (32, 244 * 1024)


def test_every_priced_type_has_facts() -> None:
    with gzip.open(DATA / "prices.json.gz") as handle:
        prices = json.load(handle)
    priced = {t for region in prices["ec2"]["regions"].values() for t in region}
    priced |= {t for region in prices["spot"]["regions"].values() for t in region}
    missing = sorted(t for t in priced if facts(t) is None)
    assert not missing
    assert len(instances.known_types()) >= 1380


def test_unknown_type() -> None:
    assert facts("m5.enormous") is None
    assert facts("zz9.large") is None


def test_family() -> None:
    assert family("c5d.2xlarge") == "c5d"
    assert family("c5") == "c5"
    assert family("u7i-12tb.224xlarge") == "u7i-12tb"
    assert family("m7i-flex.large") == "m7i-flex"


def test_family_expands_to_its_sizes() -> None:
    assert expand(["c5"]) == [
        "c5.large",
        "c5.xlarge",
        "c5.2xlarge",
        "c5.4xlarge",
        "c5.9xlarge",
        "c5.12xlarge",
        "c5.18xlarge",
        "c5.24xlarge",
        "c5.metal",
    ]
    graviton = expand(["m6g"])
    assert graviton is not None and "m6g.medium" in graviton and "m6g.metal" in graviton
    assert {family(t) for t in graviton} == {"m6g"}


def test_concrete_types_stay_and_duplicates_go() -> None:
    assert expand(["m5.large"]) == ["m5.large"]
    result = expand(["m5.large", "m5", "m5.large"])
    assert result is not None
    assert result[0] == "m5.large"
    assert len(result) == len(set(result)) == 9


def test_optimal_expands_to_documented_families() -> None:
    optimal = expand(["optimal"])
    assert optimal is not None
    assert {family(t) for t in optimal} == {"m6i", "c6i", "r6i", "c7i"}
    assert "c7i.large" in optimal and "r6i.32xlarge" in optimal
    assert optimal == expand(["default_x86_64"])
    assert expand(["optimal"], region="eu-west-1") == optimal
    assert {_arch(t) for t in optimal} == {"x86_64"}


def test_default_arm64() -> None:
    arm = expand(["default_arm64"])
    assert arm is not None
    assert {family(t) for t in arm} == {"m6g", "c6g", "r6g", "c7g"}
    assert {_arch(t) for t in arm} == {"arm64"}


@pytest.mark.parametrize(
    "entries",
    [["c5", "nope"], ["m5.enormous"], ["zz9"], ["Optimal"], [""], [None], [42]],
)
def test_unknown_entries_give_none(entries: list[str]) -> None:
    assert expand(entries) is None


def test_empty_list() -> None:
    assert expand([]) == []


def test_ecs_registrable_memory_matches_the_batch_docs() -> None:
    # docs: m4.large has 8 GiB; the OS reports 8373026816 bytes (7985 MiB); the Batch AMI
    # reserves 32 MiB for the ECS agent.
    m4 = facts("m4.large")
    assert m4 is not None
    assert ecs_registrable_memory_mib(m4) == 7985 - 32


def test_ecs_registrable_memory_is_below_nominal_everywhere() -> None:
    sizes = []
    for name in sorted(instances.known_types()):
        info = facts(name)
        assert info is not None
        usable = ecs_registrable_memory_mib(info)
        assert 0 < usable < info.memory_mib, name
        sizes.append((info.memory_mib, usable))
    sizes.sort()
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(sizes))
    big = facts("r5.24xlarge")
    assert big is not None
    assert 0.97 < ecs_registrable_memory_mib(big) / big.memory_mib < 0.99
