"""desired-vcpus-hardcoded: written or computed, per source, and the messages."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context
from batchlint.spot import reapplied_on_every_deploy, written, written_desired_vcpus

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "desired-vcpus-hardcoded")
POINTER = "/Resources/Ce/Properties/computeResources/desiredvCpus"
REMOVE = "remove desiredvCpus and let minvCpus and maxvCpus bound the scaling."
ARN = "arn:aws:batch:us-east-1:123456789012:compute-environment/x"


def env(
    source: str = "cloudformation", arn: Any = None, eks: bool = False, **compute: Any
) -> Resource:
    scope = Scope("t", source)
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": {"type": "EC2", **compute}}
    if arn is not None:
        props["arn"] = arn
    if eks:
        props["eksConfiguration"] = {"eksClusterArn": "arn:aws:eks:us-east-1:1:cluster/c"}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", props)


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def test_cloudformation_flags_a_starting_size_above_the_minimum() -> None:
    assert run(env(minvCpus="2", desiredvCpus="16")) == [
        "Compute environment sets desiredvCpus to 16 (minvCpus 2), a starting size Batch "
        "overrides as it scales, so the template drifts and a later change to it fails while "
        f"Batch is above the new value: {REMOVE}"
    ]


@pytest.mark.parametrize(
    "compute",
    [
        {"desiredvCpus": 0},  # minvCpus 0 by default: where Batch starts anyway
        {"minvCpus": 4, "desiredvCpus": "4"},
        {"desiredvCpus": Unknown()},  # cannot be compared
        {"minvCpus": Unknown(), "desiredvCpus": 4},
        {"minvCpus": 0},
    ],
)
def test_cloudformation_silent(compute: dict[str, Any]) -> None:
    assert run(env(**compute)) == []


def test_terraform_flags_any_written_value() -> None:
    ce = env("terraform-plan", arn=Unknown(), minvCpus=0, desiredvCpus=0)
    assert run(ce) == [
        "Compute environment sets desiredvCpus to 0, which Batch changes as it scales, so "
        "Terraform sets it back whenever Batch has scaled and the apply fails while Batch is "
        f"above it: {REMOVE}"
    ]


@pytest.mark.parametrize(
    ("source", "arn", "desired"),
    [
        ("terraform-plan", Unknown(), Unknown()),  # computed by the provider
        ("terraform-plan", ARN, 48),  # an update: what Batch scaled to, written or not
        ("terraform-plan", None, 48),  # no arn at all: no evidence
        ("terraform-state", ARN, 48),
        ("snapshot", ARN, 48),  # an account records what AWS reports
    ],
)
def test_silent_where_the_source_cannot_tell(source: str, arn: Any, desired: Any) -> None:
    assert run(env(source, arn=arn, minvCpus=0, desiredvCpus=desired)) == []


def test_eks_flags_any_value() -> None:
    assert run(env(eks=True, minvCpus=0, desiredvCpus=0)) == [
        "EKS compute environment sets desiredvCpus to 0, which Batch cannot change on an EKS "
        f"environment once created: {REMOVE}"
    ]


def test_fargate_is_left_to_the_fargate_rule() -> None:
    assert run(env(type="FARGATE", desiredvCpus=4)) == []


def test_an_unknown_value_written_on_eks_is_flagged_without_a_figure() -> None:
    (message,) = run(env(eks=True, desiredvCpus=Unknown()))
    assert message.startswith("EKS compute environment sets desiredvCpus, which Batch")


def test_fn_if_branches() -> None:
    ce = env(minvCpus=0, desiredvCpus=1)
    compute = ce.props.get("computeResources")
    assert compute is not None and isinstance(compute.raw, dict)

    def branches(*values: int | None) -> Node:
        alts = tuple(Node(v, pointer=POINTER) if v is not None else None for v in values)
        return Node(None, Origin.UNKNOWN, POINTER, alts=alts)

    compute.raw["desiredvCpus"] = branches(8, None)  # AWS::NoValue in one branch
    assert run(ce) == []
    compute.raw["desiredvCpus"] = branches(8, 8)
    assert len(run(ce)) == 1
    compute.raw["desiredvCpus"] = branches(8, 4)  # written, but not comparable
    assert run(ce) == []


def test_written() -> None:
    assert not written(None)
    assert written(Node(0))
    assert written(Node(None, Origin.UNKNOWN))  # a parameter without default
    some = Node(None, Origin.UNKNOWN, alts=(Node(1), None))
    assert not written(some)
    nested = Node(
        None, Origin.UNKNOWN, alts=(Node(1), Node(None, Origin.UNKNOWN, alts=(Node(2), None)))
    )
    assert not written(nested)
    assert written(Node(None, Origin.UNKNOWN, alts=(Node(1), Node(None, Origin.UNKNOWN))))


def test_helpers_per_source() -> None:
    assert written_desired_vcpus(env(desiredvCpus=0)) is not None
    assert written_desired_vcpus(env()) is None
    assert reapplied_on_every_deploy(env("terraform-plan"))
    assert reapplied_on_every_deploy(env("terraform-state"))
    assert not reapplied_on_every_deploy(env("cloudformation"))
