"""spot-instance-types-not-diversified: the min_families option and the message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from . import scanning
from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "spot-instance-types-not-diversified")


def run(types: Any, options: dict[str, Any] | None = None, kind: str = "SPOT") -> list[str]:
    scope = Scope("t.yaml", "cloudformation")
    ce: Resource = add(
        scope,
        Kind.COMPUTE_ENVIRONMENT,
        "Ce",
        {"type": "MANAGED", "computeResources": {"type": kind, "instanceTypes": types}},
    )
    assert RULE.check is not None
    settings = {**RULE.options, **(options or {})}
    return [hit.message for hit in RULE.check(ce, Context(scope, options=settings))]


def test_default_minimum_is_three() -> None:
    assert RULE.options == {"min_families": 3}
    assert run(["c6i.large", "C6I.xlarge", "m6i"]) == [
        "Spot compute environment allows only 2 instance families (c6i, m6i), so a shortage in "
        "those Spot pools stalls its jobs: allow at least 3 families of similar size (or "
        "optimal)."
    ]
    assert run(["c6i", "m6i", "r6i"]) == []


def test_option_lowers_and_raises_the_minimum() -> None:
    assert run(["c6i", "m6i"], {"min_families": 2}) == []
    (message,) = run(["c6i", "m6i", "r6i"], {"min_families": 4})
    assert "only 3 instance families (c6i, m6i, r6i)" in message
    assert "allow at least 4 families" in message


@pytest.mark.parametrize("bad", ["three", None, True, [3]])
def test_invalid_option_falls_back_to_three(bad: Any) -> None:
    assert len(run(["c6i", "m6i"], {"min_families": bad})) == 1


@pytest.mark.parametrize("keyword", ["optimal", "default_x86_64", "default_arm64"])
def test_batch_keywords_count_as_diversified(keyword: str) -> None:
    assert run(["c6i", keyword]) == []


@pytest.mark.parametrize("types", [["f1.2xlarge"], ["inf2.xlarge", "inf2.8xlarge"], ["trn1"]])
def test_single_accelerator_families_are_not_checked(types: list[str]) -> None:
    assert run(types) == []
    assert len(run(["g5.xlarge"])) == 1  # GPUs can move between g4dn, g5, g6, …


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (Unknown(), "SPOT"),
        (["c6i", Unknown()], "SPOT"),
        ([], "SPOT"),
        (["c6i"], "EC2"),
        (["c6i"], "FARGATE_SPOT"),
    ],
)
def test_silent(types: Any, kind: str) -> None:
    assert run(types, kind=kind) == []


def test_option_from_scan_options(tmp_path: Path) -> None:
    template = (
        "Resources:\n"
        "  Ce:\n"
        "    Type: AWS::Batch::ComputeEnvironment\n"
        "    Properties:\n"
        "      Type: MANAGED\n"
        "      ComputeResources:\n"
        "        Type: SPOT\n"
        "        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED\n"
        "        MaxvCpus: 16\n"
        "        InstanceTypes: [c6i, m6i]\n"
        "        Subnets: [subnet-0123456789abcdef0]\n"
        "        InstanceRole: ecsInstanceRole\n"
    )

    def flagged(options: dict[str, Any]) -> int:
        found = scanning.findings(tmp_path, template, RULE.code, name="t.yaml", options=options)
        return len(found)

    assert flagged({}) == 1
    assert flagged({"min_families": 2}) == 0
