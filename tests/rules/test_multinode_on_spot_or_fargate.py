"""multinode-on-spot-or-fargate: what makes a job multi-node, which environments count."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "multinode-on-spot-or-fargate")
NODES = {
    "numNodes": 2,
    "mainNode": 0,
    "nodeRangeProperties": [{"targetNodes": "0:", "container": {"vcpus": 2, "memory": 2048}}],
}


def run(scope: Scope, jd: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope))
    ]


def ce(scope: Scope, address: str, kind: Any = "SPOT", **extra: Any) -> Resource:
    compute = {"type": kind, "maxvCpus": 256, "instanceTypes": ["c6i"]}
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": compute, **extra}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, address, props)


def job(scope: Scope, address: str = "Job", **props: Any) -> Resource:
    return add(scope, Kind.JOB_DEFINITION, address, {"type": "multinode", **props})


def test_spot_only_message_and_pointer() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Spot")
    ce(scope, "Fargate", kind="FARGATE")
    ((message, pointer),) = run(scope, job(scope, nodeProperties=NODES))
    assert message == (
        "Multi-node parallel job definition can only run on the Spot compute environment in "
        "this template (Spot), but AWS Batch does not run multi-node parallel jobs on Spot "
        "Instances: add an On-Demand (EC2) compute environment to its queue."
    )
    assert pointer == "/Resources/Job/Properties/nodeProperties"


def test_fargate_message_and_pointer() -> None:
    scope = Scope("t.tf.json", "terraform-plan")
    ce(scope, "aws_batch_compute_environment.ec2", kind="EC2")
    ((message, pointer),) = run(
        scope, job(scope, nodeProperties=NODES, platformCapabilities=["FARGATE"])
    )
    assert message == (
        "Multi-node parallel job definition names the FARGATE platform capability, which AWS "
        "Batch rejects because Fargate does not run multi-node parallel jobs: set "
        "platformCapabilities to EC2 or make it a single-node job."
    )
    assert pointer == "/Resources/Job/Properties/platformCapabilities"


def test_fargate_is_flagged_with_no_environment_at_all() -> None:
    scope = Scope("t.yaml", "cloudformation")
    assert run(scope, job(scope, nodeProperties=NODES, platformCapabilities=["FARGATE"]))


def test_type_multinode_alone_is_enough() -> None:
    scope = Scope("t.tf.json", "terraform-plan")
    ce(scope, "aws_batch_compute_environment.spot")
    ((_, pointer),) = run(scope, job(scope, nodeProperties=Unknown()))
    assert pointer.endswith("/nodeProperties")  # unknown, but written
    ((_, pointer),) = run(scope, job(scope, "Other"))
    assert pointer == "/Resources/Other/Properties/type"


@pytest.mark.parametrize(
    "case",
    [
        "an On-Demand environment too",
        "an unmanaged environment",
        "no EC2 environment",
        "unknown environment type",
        "disagreeing environment type",
        "EKS job on EKS On-Demand",
        "single-node job",
        "conditional node properties",
        "unknown platform",
    ],
)
def test_silent(case: str) -> None:
    scope = Scope("t.yaml", "cloudformation")
    props: dict[str, Any] = {"nodeProperties": NODES}
    address = "Job"
    ce(scope, "Spot")
    if case == "an On-Demand environment too":
        ce(scope, "OnDemand", kind="EC2")
    elif case == "an unmanaged environment":
        add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    elif case == "no EC2 environment":
        scope = Scope("t.yaml", "cloudformation")
        ce(scope, "Fargate", kind="FARGATE_SPOT")
    elif case == "unknown environment type":
        ce(scope, "Other", kind=Unknown())
    elif case == "disagreeing environment type":
        env = ce(scope, "Other")
        compute = env.props.get("computeResources")
        assert compute is not None and isinstance(compute.raw, dict)
        compute.raw["type"] = _if("SPOT", "EC2")
    elif case == "EKS job on EKS On-Demand":
        ce(scope, "Eks", kind="EC2", eksConfiguration={"eksClusterArn": "arn:aws:eks:::cluster/c"})
        group = {"targetNodes": "0:", "eksProperties": {"podProperties": {"containers": []}}}
        props = {"nodeProperties": {"numNodes": 2, "nodeRangeProperties": [group]}}
    elif case == "single-node job":
        jd = add(scope, Kind.JOB_DEFINITION, "Single", {"type": "container"})
        assert run(scope, jd) == []
        return
    elif case == "conditional node properties":
        jd = add(scope, Kind.JOB_DEFINITION, address, {"type": "container"})
        assert isinstance(jd.props.raw, dict)
        jd.props.raw["nodeProperties"] = _if(NODES, None)
        assert run(scope, jd) == []
        return
    else:
        props["platformCapabilities"] = Unknown()
    assert run(scope, job(scope, address, **props)) == []


def test_agreeing_conditions_count() -> None:
    scope = Scope("t.yaml", "cloudformation")
    env = ce(scope, "Spot")
    compute = env.props.get("computeResources")
    assert compute is not None and isinstance(compute.raw, dict)
    compute.raw["type"] = _if("SPOT", "SPOT")
    assert run(scope, job(scope, nodeProperties=NODES))
    jd = job(scope, "Fargate", nodeProperties=NODES)
    assert isinstance(jd.props.raw, dict)
    jd.props.raw["platformCapabilities"] = _if(["FARGATE"], ["FARGATE"])
    ((message, _),) = run(scope, jd)
    assert "FARGATE platform capability" in message


def _if(first: Any, second: Any) -> Node:
    alts = tuple(build(v) if v is not None else None for v in (first, second))
    return Node(None, Origin.UNKNOWN, "/if", alts=alts)
