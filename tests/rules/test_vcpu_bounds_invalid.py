"""vcpu-bounds-invalid: negatives, contradictions, the minvCpus default, and which sources
say desiredvCpus was written."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "vcpu-bounds-invalid")
BASE = "/Resources/Ce/Properties/computeResources"


def env(source: str = "cloudformation", arn: Any = None, **compute: Any) -> Resource:
    scope = Scope("t", source)
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": {"type": "EC2", **compute}}
    if arn is not None:
        props["arn"] = arn
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", props)


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def test_min_above_max() -> None:
    assert run(env(minvCpus=64, maxvCpus=32, desiredvCpus=48)) == [
        (
            "Compute environment sets minvCpus 64 above maxvCpus 32, which AWS Batch rejects: "
            "make minvCpus at most maxvCpus.",
            f"{BASE}/minvCpus",
        )
    ]  # desiredvCpus is outside [64, 32] too, but that is the same mistake


def test_each_negative_value_once_and_nothing_else() -> None:
    hits = run(env(minvCpus=-1, maxvCpus=-8, desiredvCpus=4))
    assert hits == [
        (
            "Compute environment sets minvCpus to -1, which AWS Batch rejects: vCPU counts must "
            "be 0 or more.",
            f"{BASE}/minvCpus",
        ),
        (
            "Compute environment sets maxvCpus to -8, which AWS Batch rejects: vCPU counts must "
            "be 0 or more.",
            f"{BASE}/maxvCpus",
        ),
    ]


@pytest.mark.parametrize(
    ("compute", "side", "keep"),
    [
        (
            {"minvCpus": 8, "desiredvCpus": 2, "maxvCpus": 64},
            "below minvCpus 8",
            "between 8 and 64",
        ),
        ({"desiredvCpus": 300, "maxvCpus": 256}, "above maxvCpus 256", "between 0 and 256"),
        (
            {"minvCpus": 8, "desiredvCpus": 2, "maxvCpus": Unknown()},
            "below minvCpus 8",
            "at least 8",
        ),
        (
            {"minvCpus": Unknown(), "desiredvCpus": 9, "maxvCpus": 8},
            "above maxvCpus 8",
            "at most 8",
        ),
    ],
)
def test_desired_outside_the_range(compute: dict[str, Any], side: str, keep: str) -> None:
    (hit,) = run(env(**compute))
    desired = compute["desiredvCpus"]
    assert hit == (
        f"Compute environment sets desiredvCpus {desired} {side}, which AWS Batch rejects: leave "
        f"desiredvCpus out (Batch manages it) or keep it {keep}.",
        f"{BASE}/desiredvCpus",
    )


@pytest.mark.parametrize(
    "compute",
    [
        {"minvCpus": 0, "desiredvCpus": 4, "maxvCpus": 64},
        {"minvCpus": 16, "desiredvCpus": 16, "maxvCpus": 16},
        {"maxvCpus": 0},
        {"minvCpus": Unknown(), "maxvCpus": 8},
        {"minvCpus": 64, "maxvCpus": Unknown()},
        {"minvCpus": "lots", "maxvCpus": 8},
        {"minvCpus": [64], "maxvCpus": {"a": 1}, "desiredvCpus": True},
        {},
    ],
)
def test_silent(compute: dict[str, Any]) -> None:
    assert run(env(**compute)) == []


def test_terraform_plan_compares_desired_only_when_creating() -> None:
    bounds = {"minvCpus": 16, "desiredvCpus": 0, "maxvCpus": 256}
    # being created: a computed desired_vcpus would be unknown, so 0 was written
    assert len(run(env("terraform-plan", arn=Unknown(), **bounds))) == 1
    # being updated: 0 may be what Batch scaled to; the provider sends it only if changed
    assert (
        run(env("terraform-plan", arn="arn:aws:batch:us-east-1:1:compute-environment/x", **bounds))
        == []
    )
    assert run(env("terraform-plan", **bounds)) == []  # no evidence either way
    assert run(env("terraform-state", arn=Unknown(), **bounds)) == []
    # minvCpus and maxvCpus are written in every source
    assert len(run(env("terraform-state", minvCpus=16, maxvCpus=8))) == 1
