"""request-fits-no-instance: messages, what must fit together, and when it stays silent."""

from __future__ import annotations

from typing import Any

from batchlint import instances
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "request-fits-no-instance")


def run(scope: Scope, jd: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope))
    ]


def ce(scope: Scope, address: str, types: Any, kind: str = "EC2", **extra: Any) -> Resource:
    resources = {"type": kind, "maxvCpus": 256, "instanceTypes": types}
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": resources, **extra}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, address, props)


def req(vcpus: Any = None, memory: Any = None, gpus: Any = None) -> list[dict[str, Any]]:
    out = []
    for kind, value in (("VCPU", vcpus), ("MEMORY", memory), ("GPU", gpus)):
        if value is not None:
            out.append({"type": kind, "value": value})
    return out


def job(scope: Scope, props: dict[str, Any], address: str = "Job") -> Resource:
    return add(scope, Kind.JOB_DEFINITION, address, props)


def container(vcpus: Any = None, memory: Any = None, gpus: Any = None) -> dict[str, Any]:
    return {"containerProperties": {"resourceRequirements": req(vcpus, memory, gpus)}}


def registrable(name: str) -> int:
    facts = instances.facts(name)
    assert facts is not None
    return instances.ecs_registrable_memory_mib(facts)


def test_too_many_vcpus_names_the_largest_type() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Small", ["c6i.2xlarge"])
    ce(scope, "Spot", ["c6i.16xlarge", "m6i.large"], kind="SPOT")
    ((message, pointer),) = run(scope, job(scope, container("96", "4096")))
    assert message == (
        "The container asks for 96 vCPUs but the largest instance type the compute "
        "environments in this template allow is c6i.16xlarge with 64 vCPUs: lower the request "
        "or allow larger instance types."
    )
    assert pointer.endswith("/containerProperties/resourceRequirements/0/value")


def test_memory_is_compared_with_what_ecs_can_register() -> None:
    scope = Scope("t.tf.json", "terraform-plan")
    ce(scope, "Env", ["c6i.4xlarge"])
    limit = registrable("c6i.4xlarge")
    assert run(scope, job(scope, container(16, limit))) == []
    ((message, pointer),) = run(scope, job(scope, container(16, 32768)))
    assert message == (
        "The container asks for 32,768 MiB of memory but the instance type with the most memory "
        f"that the compute environments in this plan allow is c6i.4xlarge with 32,768 MiB, of "
        f"which ECS can register about {limit:,} MiB: lower the request or allow larger "
        "instance types."
    )
    assert pointer.endswith("/resourceRequirements/1/value")


def test_legacy_fields_and_several_dimensions() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i"])
    jd = job(
        scope,
        {
            "containerProperties": {
                "vcpus": 256,
                "memory": 999999,
                "resourceRequirements": req(gpus="1"),
            }
        },
    )
    ((message, _),) = run(scope, jd)
    assert message == (
        "The container asks for 256 vCPUs, 999,999 MiB of memory and 1 GPU, more than any "
        "instance type the compute environments in this template allow (at most c6i.32xlarge "
        f"with 128 vCPUs, c6i.32xlarge with about {registrable('c6i.32xlarge'):,} MiB ECS can "
        "register and no GPU): lower the request or allow larger instance types."
    )


def test_gpus() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Gpu", ["g5.xlarge", "g5.12xlarge"])
    assert run(scope, job(scope, container(4, 8192, 4))) == []
    ((message, _),) = run(scope, job(scope, container(4, 8192, 8)))
    assert "8 GPUs but the instance type with the most GPUs that the compute environments" in (
        message
    )
    assert "is g5.12xlarge with 4 GPUs" in message


def test_each_figure_fits_some_type_but_none_holds_them_all() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i.16xlarge", "r6i.4xlarge"])  # 64 vCPUs/128 GiB; 16 vCPUs/128 GiB
    assert run(scope, job(scope, container(32, 100000))) == []
    assert run(scope, job(scope, container(64, 100000))) == []
    scope2 = Scope("t.yaml", "cloudformation")
    ce(scope2, "Env", ["c6i.16xlarge", "r6i.8xlarge"])  # 64/128 GiB; 32/256 GiB
    ((message, _),) = run(scope2, job(scope2, container(64, 200000)))
    assert message.startswith(
        "The container asks for 64 vCPUs and 200,000 MiB of memory on one instance, but no "
        "instance type the compute environments in this template allow has them all (the "
        "closest, "
    )
    del message


def test_ecs_task_containers_add_up_and_node_ranges_fit_alone() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["m6i.4xlarge"])  # 16 vCPUs
    task = {
        "containers": [
            {"name": "a", "resourceRequirements": req("10", "1024")},
            {"name": "b", "resourceRequirements": req("8", "1024")},
        ]
    }
    ((message, pointer),) = run(scope, job(scope, {"ecsProperties": {"taskProperties": [task]}}))
    assert message.startswith("The 2 containers of ECS task 0 together ask for 18 vCPUs")
    assert pointer.endswith("/containers/0/resourceRequirements/0/value")
    nodes = {
        "nodeProperties": {
            "nodeRangeProperties": [
                {"targetNodes": "0", "container": {"vcpus": 16, "memory": 1024}},
                {"targetNodes": "1:", "container": {"vcpus": 32, "memory": 1024}},
                {"targetNodes": "2:", "ecsProperties": {"taskProperties": [task]}},
            ]
        }
    }
    found = [m for m, _ in run(scope, job(scope, nodes))]
    assert [m.split(" ask")[0] for m in found] == [
        'The container of node range "1:"',
        'The 2 containers of ECS task 0 of node range "2:" together',
    ]


def test_eks_pods_compare_with_eks_environments_only() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Ecs", ["c6i.32xlarge"])
    ce(scope, "Eks", ["c6i.2xlarge"], eksConfiguration={"eksClusterArn": "arn:x"})
    pod = {
        "eksProperties": {
            "podProperties": {
                "containers": [
                    {"name": "a", "resources": {"limits": {"cpu": "4", "memory": "4Gi"}}},
                    {"name": "b", "resources": {"requests": {"cpu": "6"}}},
                ],
                "initContainers": [{"name": "setup", "resources": {"limits": {"cpu": "9"}}}],
            }
        }
    }
    found = [m for m, _ in run(scope, job(scope, pod))]
    assert sorted(m.split(" ask")[0] for m in found) == [
        "The EKS pod's containers together",
        'The EKS pod\'s init container "setup"',
    ]
    # an ECS job ignores the EKS environment
    assert run(scope, job(scope, container(64, 4096))) == []


def test_silent_cases() -> None:
    big = container("512", "9999999", "16")

    def silent(scope: Scope, props: dict[str, Any] = big) -> None:
        assert run(scope, job(scope, props)) == []

    silent(Scope("t.yaml", "cloudformation"))  # no compute environment at all
    for types in (Unknown(), ["c6i.large", Unknown()], ["c99x.large"], [], None):
        scope = Scope("t.yaml", "cloudformation")
        ce(scope, "Known", ["c6i.large"])
        ce(scope, "Odd", types)
        silent(scope)
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Known", ["c6i.large"])
    add(scope, Kind.COMPUTE_ENVIRONMENT, "Unmanaged", {"type": "UNMANAGED"})
    silent(scope)
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Known", ["c6i.large"])
    ce(scope, "Unknown", ["c6i.large"], kind=Unknown())
    silent(scope)
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Fargate", None, kind="FARGATE")
    silent(scope)  # only Fargate environments: nothing to compare with
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Known", ["c6i.large"])
    ce(scope, "Fargate", None, kind="FARGATE_SPOT")
    silent(scope, {**big, "platformCapabilities": ["FARGATE"]})
    silent(scope, {**big, "platformCapabilities": Unknown()})
    silent(scope, container(Unknown(), Unknown()))
    silent(scope, container("2", "2048"))
    assert run(scope, job(scope, {**big, "platformCapabilities": ["EC2"]}))


def test_keywords_expand_to_their_families() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["optimal"])
    assert run(scope, job(scope, container(192, 4096))) == []  # c7i.48xlarge
    ((message, _),) = run(scope, job(scope, container(193, 4096)))
    assert "is c7i.48xlarge with 192 vCPUs" in message


def test_odd_shapes_do_not_raise() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", "c6i.large")
    for props in (
        {"containerProperties": "text"},
        {"containerProperties": {"resourceRequirements": "x"}},
        {"nodeProperties": {"nodeRangeProperties": [1, "a"]}},
        {"ecsProperties": {"taskProperties": [{"containers": "x"}, 3]}},
        {"eksProperties": {"podProperties": {"containers": {"a": 1}}}},
    ):
        assert run(scope, job(scope, props)) == []
