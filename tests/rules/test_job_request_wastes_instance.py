"""job-request-wastes-instance: the dollar figures, the advice, the option and its silences."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint import instances, prices
from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "job-request-wastes-instance")
LABEL = f"AWS public list prices, EC2 on-demand as of {prices.as_of('us-east-1')}, us-east-1"


def run(scope: Scope, jd: Resource, **context: Any) -> list[tuple[str, str]]:
    assert RULE.check is not None
    options = {**RULE.options, **context.pop("options", {})}
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope, options, **context))
    ]


def ce(scope: Scope, address: str, types: Any, kind: str = "EC2", **extra: Any) -> Resource:
    resources = {"type": kind, "maxvCpus": 256, "instanceTypes": types}
    props: dict[str, Any] = {"type": "MANAGED", "computeResources": resources, **extra}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, address, props)


def job(scope: Scope, vcpus: Any, memory: Any, address: str = "Job", **extra: Any) -> Resource:
    requirements = [{"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]
    props = {"containerProperties": {"resourceRequirements": requirements}, **extra}
    return add(scope, Kind.JOB_DEFINITION, address, props)


def hourly(name: str, region: str = "us-east-1") -> float:
    price = prices.ec2_hourly(region, name)
    assert price is not None
    return price


def test_idle_vcpus_named_in_dollars_per_job_hour() -> None:
    # By hand, us-east-1 snapshot: r6i.2xlarge is 8 vCPUs and 65,536 MiB at $0.504/h. ECS can
    # register 65,536 - 65,536/64 - 79 - 32 = 64,401 MiB, so one 60,000 MiB copy fits (two
    # would need 120,000): $0.504 per job-hour, 7 of 8 vCPUs idle (87.5%), and the waste is
    # 0.504 x 0.875 = $0.441 -> "$0.44 of its $0.50".
    assert hourly("r6i.2xlarge") == pytest.approx(0.504)
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["r6i.2xlarge"])
    ((message, pointer),) = run(scope, job(scope, "1", "60000"))
    assert message == (
        "The job asks for 1 vCPU and 60,000 MiB of memory (58.6 GiB per vCPU): the best fit "
        "the compute environments in this template allow, r6i.2xlarge, runs 1 copy of it and "
        f"leaves 7 of 8 vCPUs idle, about $0.44 of its $0.50 per job-hour (estimate from "
        f"{LABEL}): allow a family with more memory per vCPU such as x2iedn (32 GiB per "
        "vCPU), or let the job use up to 8 vCPUs."
    )
    # the memory request sizes the instance: that is the value out of balance
    assert pointer.endswith("/containerProperties/resourceRequirements/1/value")


def test_copies_share_the_instance() -> None:
    # c6i.8xlarge (32 vCPUs, $1.36/h, 64,401 MiB registrable) holds 9 copies of 7,000 MiB:
    # $1.36 / 9 = $0.1511 per job-hour; 1 - 9/32 = 71.875% of the vCPUs idle -> $0.1086.
    # (c6i.16xlarge holds 18 for twice the price: a tie, and the smaller wins.)
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i"])
    ((message, _),) = run(scope, job(scope, 1, 7000))
    assert (
        "the best fit the compute environments in this template allow, c6i.8xlarge, runs 9 "
        "copies of it and leaves 23 of 32 vCPUs idle, about $0.11 of its $0.15 per job-hour"
    ) in message
    assert message.endswith(
        "such as m* (4 GiB per vCPU) or r* (8 GiB per vCPU), or let the job use up to 3 vCPUs."
    )


def test_idle_memory_points_at_the_vcpu_request() -> None:
    # r6i.2xlarge: 8 vCPUs fill it; 64,401 - 4,096 = 60,305 MiB idle (93.6%):
    # 0.504 x 60,305 / 64,401 = $0.472.
    scope = Scope("plan.json", "terraform-plan")
    ce(scope, "Env", ["r6i"])
    ((message, pointer),) = run(scope, job(scope, "8", "4096"))
    assert message == (
        "The job asks for 8 vCPUs and 4,096 MiB of memory (0.5 GiB per vCPU): the best fit "
        "the compute environments in this plan allow, r6i.2xlarge, runs 1 copy of it and "
        "leaves about 60,305 of the 64,401 MiB ECS can register idle, about $0.47 of its "
        f"$0.50 per job-hour (estimate from {LABEL}): allow a family with less memory per "
        "vCPU such as c* (2 GiB per vCPU)."
    )
    assert pointer.endswith("/resourceRequirements/0/value")


def test_between_two_families_names_both() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["r6i"])
    ((message, _),) = run(scope, job(scope, "12", "36000"))  # 2.9 GiB per vCPU on r6i
    assert "such as c* (2 GiB per vCPU) or m* (4 GiB per vCPU)." in message


def test_balanced_and_matching_families_are_silent() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i", "r6i"])
    assert run(scope, job(scope, "2", "3500")) == []  # c6i.large
    assert run(scope, job(scope, "4", "30000")) == []  # r6i.xlarge
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i"])
    assert run(scope, job(scope, "1", "3000")) == []  # 32 copies, a third of the vCPUs idle


def test_no_family_has_a_better_ratio() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i"])
    # c6i.2xlarge leaves 74% of its memory idle, but c* is already the leanest family
    assert run(scope, job(scope, "8", "4096")) == []
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["x2iedn.xlarge"])  # 4 vCPUs, 128 GiB: 32 GiB per vCPU
    assert run(scope, job(scope, "1", "120000")) == []


def test_max_idle_fraction_option() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["r6i.2xlarge"])
    jd = job(scope, "1", "60000")  # 87.5% of the vCPUs idle
    assert run(scope, jd, options={"max_idle_fraction": 0.9}) == []
    assert len(run(scope, jd, options={"max_idle_fraction": 0.8})) == 1
    for nonsense in ("high", True, 1.5, -1):
        assert len(run(scope, jd, options={"max_idle_fraction": nonsense})) == 1


def test_prices_come_from_the_context() -> None:
    class Doubled:
        """The bundled snapshot with every EC2 price doubled, as a live source might be."""

        def __getattr__(self, name: str) -> Any:
            return getattr(prices.load(), name)

        def ec2_hourly(self, region: str, instance_type: str) -> float | None:
            price = prices.load().ec2_hourly(region, instance_type)
            return None if price is None else price * 2

    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["r6i.2xlarge"])
    ((message, _),) = run(scope, job(scope, "1", "60000"), price_source=Doubled())
    assert "about $0.88 of its $1.01 per job-hour" in message  # 1.008 x 0.875 = 0.882


def test_region_changes_the_figures() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["r6i.2xlarge"])
    price = hourly("r6i.2xlarge", "eu-west-1")
    ((message, _),) = run(scope, job(scope, "1", "60000"), region="eu-west-1")
    assert f"of its ${price:.2f} per job-hour" in message
    assert message.count("eu-west-1") == 1
    # a Region without prices: no figure, no finding
    assert run(scope, job(scope, "1", "60000", "Other"), region="xx-nowhere-1") == []


@pytest.mark.parametrize(
    "case",
    [
        "fargate",
        "unknown platform",
        "unknown memory",
        "gpu",
        "multi-node",
        "nothing fits",
    ],
)
def test_silent_about_the_job(case: str) -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i", "g5.xlarge"])
    if case == "fargate":
        jd = job(scope, "1", "8192", platformCapabilities=["FARGATE"])
    elif case == "unknown platform":
        jd = job(scope, "1", "8192", platformCapabilities=Unknown())
    elif case == "unknown memory":
        jd = job(scope, "2", Unknown())
    elif case == "gpu":
        requirements = [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "2048"},
            {"type": "GPU", "value": "1"},
        ]
        jd = add(
            scope,
            Kind.JOB_DEFINITION,
            "Job",
            {"containerProperties": {"resourceRequirements": requirements}},
        )
    elif case == "multi-node":
        node = {"targetNodes": "0:3", "container": {"vcpus": 2, "memory": 30000}}
        jd = add(
            scope,
            Kind.JOB_DEFINITION,
            "Job",
            {"nodeProperties": {"numNodes": 4, "nodeRangeProperties": [node]}},
        )
    else:
        jd = job(scope, "1", "900000")
    assert run(scope, jd) == []


@pytest.mark.parametrize("case", ["no EC2", "unknown types", "unmanaged", "unrecognised type"])
def test_silent_about_the_capacity(case: str) -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Fargate", None, kind="FARGATE")
    if case == "unknown types":
        ce(scope, "Env", ["c6i"])
        ce(scope, "Other", Unknown(), kind="SPOT")
    elif case == "unmanaged":
        ce(scope, "Env", ["c6i"])
        add(scope, Kind.COMPUTE_ENVIRONMENT, "Own", {"type": "UNMANAGED"})
    elif case == "unrecognised type":
        ce(scope, "Env", ["c6i", "c99z.large"])
    assert run(scope, job(scope, "2", "30000")) == []


def test_eks_jobs_are_placed_on_eks_capacity_only() -> None:
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Ecs", ["c6i"])
    ce(scope, "Eks", ["r6i"], kind="SPOT", eksConfiguration={"eksClusterArn": "arn"})
    pod = {
        "podProperties": {"containers": [{"resources": {"limits": {"cpu": "8", "memory": "4Gi"}}}]}
    }
    jd = add(scope, Kind.JOB_DEFINITION, "Pod", {"eksProperties": pod})
    ((message, pointer),) = run(scope, jd)
    assert "r6i.2xlarge" in message and "Spot advisor as of" in message
    assert pointer.endswith("/resources/limits/cpu")
    facts = instances.facts("r6i.2xlarge")
    assert facts is not None
    registrable = instances.ecs_registrable_memory_mib(facts)
    assert f"about {registrable - 4096:,} of the {registrable:,} MiB" in message


def test_families_already_allowed_are_not_suggested() -> None:
    # c6i and r6i: 1 vCPU and 3,000 MiB is cheapest as 2 copies on r6i.large ($0.063 a job-hour;
    # 32 copies on c6i.12xlarge come to $0.06375), which leaves 62% of its memory idle. c* is
    # allowed and dearer, so only m* (not allowed) is worth naming.
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i", "r6i"])
    ((message, _),) = run(scope, job(scope, "1", "3000"))
    assert "r6i.large, runs 2 copies of it" in message
    assert message.endswith("such as m* (4 GiB per vCPU).")
    # with m6i allowed too, the job runs 2 copies on m6i.large and nothing is idle
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i", "r6i", "m6i"])
    assert run(scope, job(scope, "1", "3000")) == []


def test_an_allowed_family_too_small_for_the_job_does_not_count() -> None:
    # c6i.large has 2 vCPUs, too few for a 4-vCPU job, so the job goes to m6i.2xlarge (2
    # copies) and leaves 81% of its memory idle: c* (in a size that fits) is worth naming.
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["c6i.large", "m6i.2xlarge"])
    ((message, _),) = run(scope, job(scope, "4", "3000"))
    assert "m6i.2xlarge, runs 2 copies of it" in message
    assert message.endswith("such as c* (2 GiB per vCPU).")


def test_accelerator_instances_are_left_alone() -> None:
    # inf2.8xlarge (32 vCPUs, 128 GiB, one Inferentia2 device): the job needs the device,
    # which its requests cannot name, so the idle memory is not a ratio problem
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["inf2.8xlarge"])
    assert run(scope, job(scope, "16", "30000")) == []
    scope = Scope("t.yaml", "cloudformation")
    ce(scope, "Env", ["g5.2xlarge"])  # 8 vCPUs, 32 GiB, 1 GPU
    assert run(scope, job(scope, "8", "2048")) == []
