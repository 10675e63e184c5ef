"""Scan time grows linearly with the input (issue 9): 4x the resources may not cost 8x the time.

The inputs come from the generators of ``scripts/scale.py`` (which prints the 500 / 5,000 /
50,000 figures): a CloudFormation template in JSON and in YAML, and a Terraform plan with its
resources in nested modules. Each is scanned in-process and rendered as JSON, as
``batchlint scan -f json`` does. Noise on a busy machine only makes a run slower, so each
size is timed up to three times and the best times are compared; the check stops as soon
as they are within the bound.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from batchlint.engine import ScanOptions, scan
from batchlint.report import Report
from batchlint.reporters import render

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import scale

SMALL, LARGE = 500, 2_000
BOUND = 8.0  # for 4x the input; linear growth gives about 4
ATTEMPTS = 3


def _scan(path: Path) -> Report:
    report = scan([str(path)], ScanOptions())
    render(report, "json", color=False, tool_version="test", base_dir=".")
    return report


def _seconds(path: Path) -> float:
    gc.collect()  # every run starts from the same state, not with another's garbage
    start = time.perf_counter()
    _scan(path)
    return time.perf_counter() - start


def _ratio(small: Path, large: Path) -> tuple[float, list[float], list[float]]:
    _scan(small)  # one-off costs (imports, rules, the price snapshot) out of the timings
    smalls: list[float] = []
    larges: list[float] = []
    for _ in range(ATTEMPTS):
        smalls.append(_seconds(small))
        larges.append(_seconds(large))
        if min(larges) / min(smalls) < BOUND:
            break
    return min(larges) / min(smalls), smalls, larges


@pytest.mark.parametrize("fmt", scale.FORMATS)
def test_scan_time_grows_linearly(fmt: str, tmp_path: Path) -> None:
    small = scale.write_input(fmt, SMALL, tmp_path)
    large = scale.write_input(fmt, LARGE, tmp_path)
    ratio, smalls, larges = _ratio(small, large)
    assert ratio < BOUND, (
        f"{fmt}: {LARGE:,} resources took {ratio:.1f}x the time of {SMALL:,} "
        f"(best of {smalls} s and {larges} s): something grows faster than the input"
    )


@pytest.mark.parametrize("fmt", scale.FORMATS)
def test_generated_inputs_are_read_in_full(fmt: str, tmp_path: Path) -> None:
    report = _scan(scale.write_input(fmt, SMALL, tmp_path))
    assert not [f for f in report.findings if f.code.startswith("BL-META")]
    batch = sum(report.resources.values())
    assert SMALL * 0.35 < batch < SMALL * 0.7  # about half of a stack is Batch resources
    names = {f.name for f in report.findings}
    # the cross-resource rules that once went quadratic all have something to say
    assert {
        "compute-environment-public-subnet",
        "security-group-open-ingress",
        "job-role-wildcard-permissions",
        "fargate-invalid-cpu-memory",
    } <= names
    assert len(report.costs) > batch / 2


def _intrinsic_targets(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        if set(data) == {"Ref"}:
            yield data["Ref"]
        elif set(data) == {"Fn::GetAtt"}:
            yield data["Fn::GetAtt"][0]
        for value in data.values():
            yield from _intrinsic_targets(value)
    elif isinstance(data, list):
        for item in data:
            yield from _intrinsic_targets(item)


@pytest.mark.parametrize("n", [1, 13, 500, 1_234])
def test_template_has_n_resources_and_no_dangling_reference(n: int) -> None:
    template = scale.cloudformation_template(n)
    resources = template["Resources"]
    assert len(resources) == n
    known = set(resources) | set(template["Parameters"]) | {"AWS::NoValue"}
    assert set(_intrinsic_targets(resources)) <= known


@pytest.mark.parametrize("n", [7, 100, 1_234])
def test_plan_has_n_resources_in_nested_modules(n: int) -> None:
    plan = scale.terraform_plan(n)
    assert len(plan["resource_changes"]) == n
    addresses = [change["address"] for change in plan["resource_changes"]]
    assert len(set(addresses)) == n
    if n > 100:
        assert any(".module.pipeline[" in address for address in addresses)
    json.dumps(plan)  # plain JSON data
