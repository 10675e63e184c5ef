"""queue-mixes-compute-types: one finding per problem, and silence on what cannot be known."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint import queues
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "queue-mixes-compute-types")

ENVS: dict[str, dict[str, Any]] = {
    "X86": {"type": "MANAGED", "computeResources": {"type": "EC2", "instanceTypes": ["c6i"]}},
    "Spot": {"type": "MANAGED", "computeResources": {"type": "SPOT", "instanceTypes": ["optimal"]}},
    "Arm": {"type": "MANAGED", "computeResources": {"type": "SPOT", "instanceTypes": ["c7gn"]}},
    "Fargate": {"type": "MANAGED", "computeResources": {"type": "FARGATE"}},
    "Eks": {
        "type": "MANAGED",
        "eksConfiguration": {"eksClusterArn": "arn:aws:eks:us-east-1:1:cluster/c"},
        "computeResources": {"type": "EC2", "instanceTypes": ["m6i"]},
    },
    "Unknown": {"type": "MANAGED", "computeResources": {"type": Unknown()}},
}


def scope_with_envs() -> Scope:
    scope = Scope("t.yaml", "cloudformation")
    for address, props in ENVS.items():
        add(scope, Kind.COMPUTE_ENVIRONMENT, address, props)
    return scope


def run_order(order: Any) -> list[str]:
    scope = scope_with_envs()
    queue = add(scope, Kind.JOB_QUEUE, "Queue", {"computeEnvironmentOrder": order})
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(queue, Context(scope))]


def run(*envs: Any) -> list[str]:
    return run_order([{"order": i, "computeEnvironment": ce} for i, ce in enumerate(envs, 1)])


def test_kind_mix_names_each_kind_and_its_environments_once() -> None:
    assert run(Ref("X86"), Ref("Spot"), Ref("Fargate"), Ref("X86")) == [
        "Job queue lists 4 compute environments, more than the 3 AWS Batch allows: keep 3 and "
        "move the rest to another job queue.",
        "Job queue mixes ECS on EC2 (X86, Spot) and Fargate (Fargate) compute environments, "
        "which AWS Batch rejects: a queue's compute environments must all be ECS on EC2 or "
        "Spot, all Fargate, or all Amazon EKS, so give each kind its own job queue.",
    ]
    (three,) = run(Ref("Eks"), Ref("X86"), Ref("Fargate"))
    assert three.startswith(
        "Job queue mixes Amazon EKS (Eks), ECS on EC2 (X86) and Fargate (Fargate) compute "
        "environments"
    )


def test_architecture_mix() -> None:
    assert run(Ref("Spot"), Ref("Arm")) == [
        "Job queue mixes x86_64 (Spot) and arm64 (Arm) compute environments, which AWS Batch "
        "rejects: a queue's compute environments must share one CPU architecture, so give "
        "each architecture its own job queue."
    ]


def test_repeated_order_is_one_finding_per_value() -> None:
    order = [
        {"order": 1, "computeEnvironment": Ref("X86")},
        {"order": "1", "computeEnvironment": Ref("Spot")},
        {"order": 1.0, "computeEnvironment": "arn:aws:batch:us-east-1:1:compute-environment/x"},
    ]
    assert run_order(order) == [
        "Job queue gives order 1 to more than one compute environment, which AWS Batch "
        "rejects: give each compute environment a distinct order."
    ]
    unknown = [
        {"order": Unknown(), "computeEnvironment": Ref("X86")},
        {"order": Unknown(), "computeEnvironment": Ref("Spot")},
    ]
    assert run_order(unknown) == []


def test_silent_on_what_cannot_be_known() -> None:
    assert run(Ref("X86"), "arn:aws:batch:us-east-1:1:compute-environment/fargate") == []
    assert run(Ref("Fargate"), Ref("Unknown")) == []
    assert run(Ref("Fargate"), Unknown()) == []
    assert run(Ref("X86"), Ref("Spot"), Ref("X86")) == []
    assert run_order(Unknown()) == []


@pytest.mark.parametrize("order", ["not-a-list", {"order": 1}, [None, "x", 3], []])
def test_odd_shapes_do_not_raise(order: Any) -> None:
    assert run_order(order) == []


def env(**props: Any) -> Resource:
    return add(Scope("t.yaml", "cloudformation"), Kind.COMPUTE_ENVIRONMENT, "Ce", props)


@pytest.mark.parametrize(
    ("types", "arch"),
    [
        (["optimal"], "x86_64"),
        (["default_x86_64", "c5.large"], "x86_64"),
        (["default_arm64"], "arm64"),
        (["m6gd", "c7g.xlarge", "a1"], "arm64"),
        (["c6i", "c7g"], None),  # the environment mixes architectures itself
        (["c99z"], None),  # a family the instance data does not know
        (Unknown(), None),
    ],
)
def test_architecture_of_an_environment(types: Any, arch: str | None) -> None:
    ce = env(type="MANAGED", computeResources={"type": "SPOT", "instanceTypes": types})
    assert queues.architecture(ce) == arch


def test_queue_type_of_an_environment() -> None:
    assert queues.queue_type(env(type="UNMANAGED")) == queues.ECS
    assert queues.queue_type(env(type="MANAGED", computeResources={"type": "fargate_spot"})) == (
        queues.ECS_FARGATE
    )
    assert queues.queue_type(env(type="MANAGED", computeResources={"type": Unknown()})) is None
    assert queues.architecture(env(type="MANAGED", computeResources={"type": "FARGATE"})) is None
