"""Every ``.tf`` of the corpus, each read alone: no BL-META finding, and as many Batch
resources as ``MANIFEST.tsv`` says.

The manifest's ``batch_resource_count`` counts the Batch ``resource`` blocks written in a
file (compute environments, job queues, job definitions, scheduling policies), blocks in
``/* */`` comments included; batchlint counts the instances it reads, one per block unless
``count``/``for_each`` say otherwise (an unknown count stays one instance). Where the two
cannot agree, the file is listed below with the reason.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from batchlint.engine import ScanOptions, scan

from .conftest import SHARED

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")

# file name -> why batchlint's count differs from the manifest's
COUNT_DIFFERS = {
    "dceoy__terraform-aws-batch-for-slc__modules__batch__main.tf": (
        "for_each over literal maps: 4 blocks make 6 instances"
    ),
    "parlaynu__studio-aws-batch__01-cluster__cluster__batch_compute_cpu.tf": (
        "the manifest counts 2 blocks commented out with /* */"
    ),
    "parlaynu__studio-aws-batch__01-cluster__cluster__batch_compute_gpu.tf": (
        "the manifest counts 2 blocks commented out with /* */"
    ),
}
# file name -> why reading it alone gives a BL-META finding
META_EXPECTED = {
    "NathanDeMaria__aws-batch-optimization__infra__compute_env__main.tf": (
        "calls local modules (./instance_role, ./spot_fleet_role) the corpus does not hold"
    ),
    "NathanDeMaria__aws-batch-optimization__infra__main.tf": (
        "calls local modules (./buckets, ./job_role) the corpus does not hold"
    ),
    "provose__provose__batch.tf": (
        "calls a local module (./modules/iam_instance_profiles) the corpus does not hold"
    ),
}


def manifest() -> dict[str, int]:
    """``batch_resource_count`` of every Terraform file, by file name."""
    if not CORPUS.is_dir():
        return {}
    with (CORPUS / "MANIFEST.tsv").open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {
            Path(row["local_file"]).name: int(row["batch_resource_count"])
            for row in rows
            if row["kind"] == "tf"
        }


COUNTS = manifest()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, list[str]]]:
    """Each file scanned alone, as the only file of a module: (Batch resources, BL-META
    messages)."""
    out = {}
    for name in COUNTS:
        folder = tmp_path_factory.mktemp("module")
        shutil.copy(CORPUS / "tf" / name, folder / "main.tf")
        report = scan([str(folder)], ScanOptions(select=["BL-META"]))
        meta = [f.message for f in report.findings if f.code.startswith("BL-META")]
        out[name] = (sum(report.resources.values()), meta)
    return out


def test_the_manifest_lists_every_tf_file_of_the_corpus() -> None:
    on_disk = {p.name for p in (CORPUS / "tf").glob("*.tf")}
    assert on_disk == set(COUNTS)
    assert set(COUNT_DIFFERS) | set(META_EXPECTED) <= on_disk


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_file_reads_without_meta_finding(
    name: str, reports: dict[str, tuple[int, list[str]]]
) -> None:
    _, meta = reports[name]
    if name in META_EXPECTED:
        assert meta and all("is not a directory" in m for m in meta), meta
    else:
        assert meta == []


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_batch_resource_count_matches_the_manifest(
    name: str, reports: dict[str, tuple[int, list[str]]]
) -> None:
    found, _ = reports[name]
    if name in COUNT_DIFFERS:
        assert found != COUNTS[name], f"{name} agrees now: take it off COUNT_DIFFERS"
    else:
        assert found == COUNTS[name]
