"""request-exceeds-max-vcpus: which environments count, what one job holds, and the messages."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.capacity import JobPlatform, candidate_environments, job_platform
from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "request-exceeds-max-vcpus")


def run(scope: Scope, jd: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope))
    ]


def ce(scope: Scope, address: str, max_vcpus: Any, kind: Any = "EC2", **extra: Any) -> Resource:
    resources = {"type": kind, "maxvCpus": max_vcpus, "instanceTypes": ["c6i"]}
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": resources, **extra}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, address, props)


def job(scope: Scope, props: dict[str, Any], address: str = "Job") -> Resource:
    return add(scope, Kind.JOB_DEFINITION, address, props)


def single(vcpus: Any, **extra: Any) -> dict[str, Any]:
    reqs = [{"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": "2048"}]
    return {"containerProperties": {"resourceRequirements": reqs}, **extra}


def multinode(num: Any, *ranges: tuple[Any, Any]) -> dict[str, Any]:
    groups = [
        {"targetNodes": target, "container": {"vcpus": vcpus, "memory": 2048}}
        for target, vcpus in ranges
    ]
    return {"nodeProperties": {"numNodes": num, "mainNode": 0, "nodeRangeProperties": groups}}


def scope_of(*limits: Any) -> Scope:
    scope = Scope("t.yaml", "cloudformation")
    for number, limit in enumerate(limits):
        ce(scope, f"Env{number}", limit)
    return scope


def test_one_environment_names_it_and_both_figures() -> None:
    scope = scope_of(64)
    ((message, pointer),) = run(scope, job(scope, single("96")))
    assert message == (
        "A job of this definition needs 96 vCPUs at once, more than the maxvCpus of Env0 (64), "
        "the only compute environment in this template it could run on, so it never leaves "
        "RUNNABLE: raise maxvCpus to at least 96 or lower the request."
    )
    assert pointer.endswith("/containerProperties/resourceRequirements/0/value")


def test_several_environments_name_the_largest() -> None:
    scope = Scope("t.tf.json", "terraform-plan")
    ce(scope, "aws_batch_compute_environment.small", 16)
    ce(scope, "aws_batch_compute_environment.spot", 48, kind="SPOT")
    ((message, _),) = run(scope, job(scope, single(64)))
    assert message == (
        "A job of this definition needs 64 vCPUs at once, more than the maxvCpus of every "
        "compute environment in this plan it could run on (at most 48, in "
        "aws_batch_compute_environment.spot), so it never leaves RUNNABLE: raise maxvCpus to at "
        "least 64 or lower the request."
    )


def test_one_environment_large_enough_is_enough() -> None:
    scope = scope_of(16, 64)
    assert run(scope, job(scope, single("64"))) == []
    assert run(scope, job(scope, single("65")))


def test_multinode_counts_every_node_and_points_at_num_nodes() -> None:
    scope = scope_of(128)
    ((message, pointer),) = run(scope, job(scope, multinode(10, ("0:", 16))))
    assert "needs 160 vCPUs (10 nodes × 16 vCPUs) at once" in message
    assert pointer.endswith("/nodeProperties/numNodes")
    assert run(scope, job(scope, multinode(8, ("0:", 16)))) == []


@pytest.mark.parametrize(
    ("num", "ranges", "total"),
    [
        (8, [("0", 4), ("1:7", 24)], 172),
        (8, [(":3", 10), ("4:", 30)], 160),  # an open start is node 0
        (10, [("0:9", 8), ("4:5", 64)], 192),  # the nested range wins for its nodes
        (10, [("4:5", 64), ("0:9", 8)], 192),  # whatever the order
        (4, [("0:9", 40)], 160),  # a range past numNodes stops at the last node
        (6, [("0:2", 50)], 150),  # nodes no range covers count for nothing
    ],
)
def test_node_ranges(num: int, ranges: list[tuple[str, int]], total: int) -> None:
    scope = scope_of(100)
    ((message, _),) = run(scope, job(scope, multinode(num, *ranges)))
    assert f"needs {'at least ' if num == 6 else ''}{total} vCPUs (" in message


@pytest.mark.parametrize(
    "props",
    [
        multinode(Unknown(), ("0:", 64)),
        multinode(2.5, ("0:", 64)),
        multinode(0, ("0:", 64)),
        multinode(10**9, ("0:", 64)),
        multinode(4, ("0:x", 64)),
        multinode(4, ("3:1", 64)),
        multinode(4, (Unknown(), 64)),
        {"nodeProperties": Unknown()},
        {"nodeProperties": {"numNodes": 4, "nodeRangeProperties": []}},
    ],
    ids=[
        "unknown count",
        "fractional count",
        "no nodes",
        "absurd count",
        "unreadable range",
        "reversed range",
        "unknown range",
        "unknown node properties",
        "no ranges",
    ],
)
def test_multinode_that_cannot_be_read_is_silent(props: dict[str, Any]) -> None:
    scope = scope_of(8)
    assert run(scope, job(scope, props)) == []


def test_containers_of_an_ecs_task_add_up_and_unknown_ones_make_a_lower_bound() -> None:
    scope = scope_of(64)
    task = {
        "containers": [
            {"name": "a", "resourceRequirements": [{"type": "VCPU", "value": "48"}]},
            {"name": "b", "resourceRequirements": [{"type": "VCPU", "value": "32"}]},
            {"name": "c", "resourceRequirements": [{"type": "VCPU", "value": Unknown()}]},
        ]
    }
    ((message, pointer),) = run(scope, job(scope, {"ecsProperties": {"taskProperties": [task]}}))
    assert "needs at least 80 vCPUs at once" in message
    assert pointer.endswith("/containers/0/resourceRequirements/0/value")


def test_eks_pod_uses_its_largest_init_container_when_larger() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Eks", 8, eksConfiguration={"eksClusterArn": "arn:aws:eks:::cluster/c"})
    ce(scope, "Ecs", 1024)
    pod = {
        "initContainers": [{"name": "setup", "resources": {"limits": {"cpu": "12"}}}],
        "containers": [
            {"name": "a", "resources": {"limits": {"cpu": "4"}}},
            {"name": "b", "resources": {"requests": {"cpu": "2000m"}}},
        ],
    }
    ((message, pointer),) = run(scope, job(scope, {"eksProperties": {"podProperties": pod}}))
    assert "needs 12 vCPUs at once" in message and "maxvCpus of Eks (8)" in message
    assert pointer.endswith("/initContainers/0/resources/limits/cpu")


@pytest.mark.parametrize(
    "case",
    [
        "unknown request",
        "request equal to maxvCpus",
        "unknown maxvCpus",
        "unknown environment type",
        "unmanaged environment",
        "no environment of the platform",
        "unknown platform",
        "disagreeing platform",
    ],
)
def test_silent(case: str) -> None:
    scope = scope_of(16)
    props = single("64")
    if case == "unknown request":
        props = single(Unknown())
    elif case == "request equal to maxvCpus":
        props = single("16")
    elif case == "unknown maxvCpus":
        ce(scope, "Other", Unknown())
    elif case == "unknown environment type":
        ce(scope, "Other", 4, kind=Unknown())
    elif case == "unmanaged environment":
        add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    elif case == "no environment of the platform":
        props = single("64", platformCapabilities=["FARGATE"])
    elif case == "unknown platform":
        props = single("64", platformCapabilities=Unknown())
    else:
        props = single("64")
        jd = job(scope, props)
        _set(jd, "platformCapabilities", _if(["FARGATE"], ["EC2"]))
        assert run(scope, jd) == []
        return
    assert run(scope, job(scope, props)) == []


def test_fargate_jobs_compare_with_fargate_environments_only() -> None:
    scope = scope_of(1024)
    ce(scope, "Fargate", 4, kind="FARGATE_SPOT")
    props = single("8", platformCapabilities=["FARGATE"])
    ((message, _),) = run(scope, job(scope, props))
    assert "maxvCpus of Fargate (4)" in message


def _set(jd: Resource, key: str, value: Node) -> None:
    assert isinstance(jd.props.raw, dict)
    jd.props.raw[key] = value


def _if(first: Any, second: Any) -> Node:
    alts = tuple(build(v) if v is not None else None for v in (first, second))
    return Node(None, Origin.UNKNOWN, "/if", alts=alts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, JobPlatform(fargate=False, eks=False)),
        (["EC2"], JobPlatform(fargate=False, eks=False)),
        (["ec2"], JobPlatform(fargate=False, eks=False)),
        ([], JobPlatform(fargate=False, eks=False)),
        (["FARGATE"], JobPlatform(fargate=True, eks=False)),
        (_if(["FARGATE"], ["FARGATE"]), JobPlatform(fargate=True, eks=False)),
        (_if(["EC2"], None), JobPlatform(fargate=False, eks=False)),  # AWS::NoValue: EC2
        (_if(["EC2"], ["FARGATE"]), None),
        (["EC2", "FARGATE"], None),
        (Unknown(), None),
    ],
)
def test_job_platform(value: Any, expected: JobPlatform | None) -> None:
    scope = Scope("t.yaml", "cloudformation")
    jd = job(scope, {"containerProperties": {}})
    if value is not None:
        _set(jd, "platformCapabilities", value if isinstance(value, Node) else build(value))
    assert job_platform(jd) == expected


def test_job_platform_eks_in_a_node_range() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group = {"targetNodes": "0:", "eksProperties": {"podProperties": {"containers": []}}}
    jd = job(scope, {"nodeProperties": {"numNodes": 2, "nodeRangeProperties": [group]}})
    assert job_platform(jd) == JobPlatform(fargate=False, eks=True)


def test_candidate_environments_by_platform_and_orchestration() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ec2 = ce(scope, "Ec2", 8)
    spot = ce(scope, "Spot", 8, kind="SPOT")
    fargate = ce(scope, "Fargate", 8, kind="FARGATE")
    eks = ce(scope, "Eks", 8, eksConfiguration={"eksClusterArn": "arn:aws:eks:::cluster/c"})
    unmanaged = add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    assert candidate_environments(job(scope, single("1"), "A")) == [ec2, spot, unmanaged]
    on_fargate = single("1", platformCapabilities=["FARGATE"])
    assert candidate_environments(job(scope, on_fargate, "B")) == [fargate]
    pod: dict[str, Any] = {"eksProperties": {"podProperties": {"containers": []}}}
    assert candidate_environments(job(scope, pod, "C")) == [eks]
    ce(scope, "Unknown", 8, kind=Unknown())
    assert candidate_environments(job(scope, single("1"), "D")) is None
