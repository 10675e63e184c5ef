"""A job asks for more vCPUs, memory or GPUs than any instance type its compute environments allow.

## What it does
Compares what each container of an EC2 job definition asks for (`resourceRequirements` or the
legacy `vcpus`/`memory`; EKS `resources`) with the instance types that the EC2 and Spot
compute environments in the same template or plan allow, and flags a request that no single
allowed instance type can hold. Instance families expand to all their sizes, and `optimal`,
`default_x86_64` and `default_arm64` to the families AWS Batch documents for them.

What must fit on one instance:

- the container of `containerProperties`, and each node range's container (every node of a
  multi-node job is one instance);
- all the containers of one ECS task (`ecsProperties.taskProperties[]`) together;
- an EKS pod: its containers together, or its largest init container.

Memory is compared with what ECS can register on the instance, not its nominal size (see
Known limitations). Job definitions for Fargate are not checked, and an EKS job definition is
compared only with EKS compute environments (and an ECS one only with the others).

## Why is this bad?
AWS Batch places a job only on an instance that has all the vCPUs, memory and GPUs it asks
for. When no instance type the compute environment may launch is large enough, the job
stays in `RUNNABLE` forever: no error, no instance, nothing but a stuck queue (and, behind
it, every job that waits on it).

## Example
```yaml
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i.2xlarge, c6i.4xlarge]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Environment
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:latest
        ResourceRequirements:
          - {Type: VCPU, Value: "16"}
          - {Type: MEMORY, Value: "32768"}
```

## Use instead
```yaml
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        AllocationStrategy: BEST_FIT_PROGRESSIVE
        MinvCpus: 0
        MaxvCpus: 256
        InstanceTypes: [c6i.2xlarge, c6i.4xlarge]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Environment
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/busybox:latest
        ResourceRequirements:
          - {Type: VCPU, Value: "16"}
          - {Type: MEMORY, Value: "30000"}
```

## Known limitations
- **Memory reserve.** The memory ECS registers on an instance is estimated as
  `nominal - ceil(nominal / 64) - 79 - 32` MiB: the kernel's page map and a fixed kernel
  overhead (fitted to the documented `m4.large` example, 8192 MiB nominal, 7985 MiB seen by
  the OS), and the 32 MiB the default Batch AMI reserves for the ECS agent
  (`ECS_RESERVED_MEMORY`). A 16 GiB instance registers about 16,017 MiB; a 32 GiB one about
  32,145 MiB, so a job asking for exactly 32768 MiB does not fit on it. Real figures vary a
  little with the AMI and kernel, and a launch template can reserve more: a request just under
  the estimate may still not fit.
- Every EC2 and Spot compute environment in the file counts, whether or not a queue connects
  it to the job: a request is flagged only when it exceeds the largest instance type of all
  of them. The rule is silent when there is none, when one of them has unknown, missing or
  unrecognised instance types (a type newer than the bundled instance data), or when an
  unmanaged compute environment (whose instances are not known) is in scope.
- EKS pods are compared with the same ECS estimate, which is larger than what the kubelet
  leaves allocatable, so some EKS pods that cannot fit are not flagged.
- Unknown requests count as zero; architecture and accelerators other than GPUs are not
  compared.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/memory-management.html
- https://docs.aws.amazon.com/batch/latest/userguide/ecs-reserved-memory.html
- https://docs.aws.amazon.com/batch/latest/userguide/troubleshooting.html#job_stuck_in_runnable
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from batchlint import instances
from batchlint.capacity import job_platform, scope_capacity
from batchlint.containers import Container, containers
from batchlint.instances import InstanceFacts
from batchlint.model import JobDefinition, Node
from batchlint.requests import Request, requests
from batchlint.rule import Context, Hit, Severity, rule

_FIX = "lower the request or allow larger instance types"


@dataclass(frozen=True)
class _Demand:
    """What one placement (a container, an ECS task, an EKS pod) needs on one instance."""

    label: str  # the subject of the message: "the container", "the EKS pod's containers together"
    vcpus: float
    memory_mib: float
    gpus: float
    nodes: tuple[Node | None, Node | None, Node | None]  # where each figure is written
    plural: bool = False

    @property
    def asks(self) -> str:
        return f"{_capitalize(self.label)} {'ask' if self.plural else 'asks'} for"


@dataclass(frozen=True)
class _Capacity:
    facts: InstanceFacts
    memory_mib: int  # what ECS can register


@rule(
    code="BL-JD-009",
    name="request-fits-no-instance",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Lower the request or allow larger instance types",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    platform = job_platform(jd)
    if platform is None or platform.fargate:
        return  # Fargate, or unknown
    eks = platform.eks
    pool = ctx.scope.cached(("request_fits_pool", eks), lambda: _capacity(ctx, eks))
    if not pool:
        return
    where = ctx.scope.noun
    for demand in _demands(jd):
        if any(_fits(demand, item) for item in pool):
            continue
        yield Hit(jd, _message(demand, pool, where), _anchor(demand, pool))


# -- what the compute environments allow ---------------------------------------------------


def _capacity(ctx: Context, eks: bool) -> list[_Capacity]:
    """Every instance type the EC2/Spot compute environments in scope allow; empty when there
    is none or when any of them, or any of their types, is not fully known (then nothing can
    be said). The same for every job definition of the scope: worked out once."""
    allowed = scope_capacity(ctx.scope, eks)
    if isinstance(allowed, str):
        return []
    pool = []
    for name in allowed.types:
        facts = instances.facts(name)
        if facts is None:
            return []  # an unknown type could be the one the job fits on
        pool.append(_Capacity(facts, instances.ecs_registrable_memory_mib(facts)))
    return pool


# -- what the job asks for ------------------------------------------------------------------


def _demands(jd: JobDefinition) -> list[_Demand]:
    """One demand per placement: the containers that must fit on one instance together."""
    groups: dict[str, list[Container]] = {}
    for container in containers(jd):
        if isinstance(container.node.raw, dict):
            groups.setdefault(container.placement, []).append(container)
    return [_sum(_label(placement, group), group) for placement, group in groups.items()]


def _label(placement: str, group: list[Container]) -> str:
    if placement == "EKS pod":
        return "the EKS pod's containers together" if len(group) > 1 else "the EKS pod's container"
    if placement.startswith("EKS "):
        return f"the EKS pod's {placement[4:]}"  # 'init container "setup"'
    if len(group) > 1:
        return f"the {len(group)} containers of {placement} together"
    return f"the container of {placement}" if placement else "the container"


def _sum(label: str, group: list[Container]) -> _Demand:
    """The total a group of containers asks for, with the node of its biggest part."""
    totals = [0.0, 0.0, 0.0]
    biggest: list[Request | None] = [None, None, None]
    for container in group:
        asked = requests(container)
        for slot, request in enumerate((asked.vcpus, asked.memory_mib, asked.gpus)):
            if request is None or request.value <= 0:
                continue
            totals[slot] += request.value
            current = biggest[slot]
            if current is None or request.value > current.value:
                biggest[slot] = request
    nodes = tuple(r.node if r is not None else None for r in biggest)
    return _Demand(
        label, totals[0], totals[1], totals[2], (nodes[0], nodes[1], nodes[2]), len(group) > 1
    )


# -- comparing ------------------------------------------------------------------------------


def _fits(demand: _Demand, item: _Capacity) -> bool:
    return (
        demand.vcpus <= item.facts.vcpus
        and demand.memory_mib <= item.memory_mib
        and demand.gpus <= item.facts.gpus
    )


def _largest(pool: list[_Capacity], slot: int) -> _Capacity:
    def key(item: _Capacity) -> tuple[float, float, bool, str]:
        figures = (item.facts.vcpus, item.memory_mib, item.facts.gpus)
        # the biggest in this dimension; then the most memory; then a named size over its
        # .metal twin, and the name, for stable messages
        name = item.facts.instance_type
        return (figures[slot], item.memory_mib, "metal" not in name, name)

    return max(pool, key=key)


def _over(demand: _Demand, pool: list[_Capacity]) -> list[int]:
    """The dimensions (0 vCPU, 1 memory, 2 GPU) that exceed every instance type on their own."""
    out = []
    for slot, asked in enumerate((demand.vcpus, demand.memory_mib, demand.gpus)):
        most = _largest(pool, slot)
        if asked > (most.facts.vcpus, most.memory_mib, most.facts.gpus)[slot]:
            out.append(slot)
    return out


def _message(demand: _Demand, pool: list[_Capacity], where: str) -> str:
    allow = f"the compute environments in this {where} allow"
    asks = demand.asks
    over = _over(demand, pool)
    if len(over) == 1:
        slot = over[0]
        most = _largest(pool, slot)
        name = most.facts.instance_type
        if slot == 0:
            clause = (
                f"{_count(demand.vcpus, 'vCPU')} but the largest instance type {allow} is "
                f"{name} with {_count(most.facts.vcpus, 'vCPU')}"
            )
        elif slot == 1:
            clause = (
                f"{_mib(demand.memory_mib)} of memory but the instance type with the most "
                f"memory that {allow} is {name} with {_mib(most.facts.memory_mib)}, of which "
                f"ECS can register about {_mib(most.memory_mib)}"
            )
        elif most.facts.gpus == 0:
            clause = f"{_count(demand.gpus, 'GPU')} but {allow} no instance type with a GPU"
        else:
            clause = (
                f"{_count(demand.gpus, 'GPU')} but the instance type with the most GPUs that "
                f"{allow} is {name} with {_count(most.facts.gpus, 'GPU')}"
            )
        return f"{asks} {clause}: {_FIX}."
    if over:
        # several figures are too large on their own: name the largest of each
        asked, limits = [], []
        for slot in over:
            most = _largest(pool, slot)
            name = most.facts.instance_type
            if slot == 0:
                asked.append(_count(demand.vcpus, "vCPU"))
                limits.append(f"{name} with {_count(most.facts.vcpus, 'vCPU')}")
            elif slot == 1:
                asked.append(f"{_mib(demand.memory_mib)} of memory")
                limits.append(f"{name} with about {_mib(most.memory_mib)} ECS can register")
            elif most.facts.gpus == 0:
                asked.append(_count(demand.gpus, "GPU"))
                limits.append("no GPU")
            else:
                asked.append(_count(demand.gpus, "GPU"))
                limits.append(f"{name} with {_count(most.facts.gpus, 'GPU')}")
        return (
            f"{asks} {_join(asked)}, more than any instance type {allow} (at most "
            f"{_join(limits)}): {_FIX}."
        )
    # each figure fits some instance type, but none holds them all at once
    closest = _closest(demand, pool)
    wanted = [_count(demand.vcpus, "vCPU"), f"{_mib(demand.memory_mib)} of memory"]
    has = [
        _count(closest.facts.vcpus, "vCPU"),
        f"about {_mib(closest.memory_mib)} ECS can register",
    ]
    if demand.gpus:
        wanted.append(_count(demand.gpus, "GPU"))
        has.append(_count(closest.facts.gpus, "GPU"))
    return (
        f"{asks} {_join(wanted)} on one instance, but no instance type {allow} has "
        f"them all (the closest, {closest.facts.instance_type}, has {_join(has)}): {_FIX}."
    )


def _closest(demand: _Demand, pool: list[_Capacity]) -> _Capacity:
    def cover(item: _Capacity) -> tuple[float, bool, str]:
        ratios = []
        for asked, has in (
            (demand.vcpus, item.facts.vcpus),
            (demand.memory_mib, item.memory_mib),
            (demand.gpus, item.facts.gpus),
        ):
            if asked > 0:
                ratios.append(has / asked)
        name = item.facts.instance_type
        return (min(ratios) if ratios else 0.0, "metal" not in name, name)

    return max(pool, key=cover)


def _anchor(demand: _Demand, pool: list[_Capacity]) -> Node | None:
    over = _over(demand, pool) or [0, 1, 2]
    for slot in over:
        if demand.nodes[slot] is not None:
            return demand.nodes[slot]
    return next((node for node in demand.nodes if node is not None), None)


def _count(value: float, unit: str) -> str:
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return f"{number} {unit}" + ("" if value == 1 else "s")


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
