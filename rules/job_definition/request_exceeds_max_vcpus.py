"""A job asks for more vCPUs than the maxvCpus of every compute environment it could run on.

## What it does
Adds up the vCPUs one job of the job definition holds at once and compares the total with
`computeResources.maxvCpus` of the compute environments in the same template or plan that
could run it: the `EC2` and `SPOT` ones (and unmanaged ones) for an EC2 job, the `FARGATE`
and `FARGATE_SPOT` ones for a Fargate job, and of those only the EKS ones for an EKS job (the
ECS ones otherwise). The job is flagged when its total exceeds the `maxvCpus` of every one
of them.

What one job holds at once:

- the container of `containerProperties`; all the containers of an ECS task
  (`ecsProperties`) together; an EKS pod's containers together, or its largest init
  container;
- a multi-node parallel job: every node at the same time, so the vCPUs of each node range's
  container (or ECS task) times the nodes the range covers, summed over the ranges up to
  `numNodes` (a nested range, such as `4:5` inside `0:9`, overrides the wider one for its
  nodes).

## Why is this bad?
A compute environment never grows beyond `maxvCpus` to place one job, and all the nodes of
a multi-node parallel job must start together in one compute environment. When the job
needs more vCPUs than every environment may run, it stays in `RUNNABLE` forever and blocks
the queue behind it (AWS Batch reports `MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`,
"CE(s) associated with the job queue cannot meet the CPU requirement of the job").

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
        MaxvCpus: 64
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Simulation:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      NodeProperties:
        NumNodes: 10
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:"
            Container:
              Image: public.ecr.aws/docker/library/busybox:latest
              ResourceRequirements:
                - {Type: VCPU, Value: "16"}
                - {Type: MEMORY, Value: "30000"}
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
        InstanceTypes: [c6i]
        Subnets: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
  Simulation:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      NodeProperties:
        NumNodes: 10
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:"
            Container:
              Image: public.ecr.aws/docker/library/busybox:latest
              ResourceRequirements:
                - {Type: VCPU, Value: "16"}
                - {Type: MEMORY, Value: "30000"}
```

## Known limitations
- Job definitions are not tied to queues: every compute environment of the matching platform
  in the file counts, whether or not a queue connects it to the job. The rule is silent when
  there is none, when the `maxvCpus` of one of them is unknown, or when whether one of them
  matches is unknown (its type is a parameter, say).
- A container whose vCPUs are unknown counts as zero, so the total is a lower bound ("at
  least"); a multi-node job whose `numNodes` or node ranges are unknown is not checked.
- Submitting the job can override the vCPUs and the number of nodes; the job definition's
  values are the ones compared.

## References
- https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_NodeRangeProperty.html
- https://docs.aws.amazon.com/batch/latest/userguide/multi-node-parallel-jobs.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from batchlint.capacity import candidate_environments
from batchlint.containers import Container, containers
from batchlint.model import JobDefinition, Node, Resource
from batchlint.requests import Request, requests
from batchlint.rule import Context, Hit, Severity, rule

# a numNodes beyond this is no real job definition (nor worth the arithmetic)
_MAX_NODES = 100_000


@dataclass(frozen=True)
class _Total:
    """The vCPUs one job holds at once."""

    vcpus: float
    at: Node | None  # where the figure that matters is written
    detail: str  # how the total is made up, for the message ("" for a single container)
    partial: bool  # some container's vCPUs are unknown: the total is a lower bound


@rule(
    code="BL-JD-016",
    name="request-exceeds-max-vcpus",
    severity=Severity.ERROR,
    tags=("reliability",),
    fix="Raise maxvCpus of a compute environment, or lower the request",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    ces = candidate_environments(jd)
    if not ces:
        return
    # the candidates are shared by every job definition of a platform: read them once
    limits = ctx.scope.cached(("maxvCpus of", id(ces)), lambda: _limits(ces))
    if limits is None:
        return
    total = _total(jd)
    if total is None or total.vcpus <= limits[0][0]:  # within the largest maxvCpus
        return
    where = ctx.scope.noun
    asks = f"{'at least ' if total.partial else ''}{_vcpus(total.vcpus)}{total.detail}"
    if len(limits) == 1:
        limit, ce = limits[0]
        than = (
            f"the maxvCpus of {ce.address} ({_number(limit)}), the only compute environment in "
            f"this {where} it could run on"
        )
    else:
        limit, ce = limits[0]
        than = (
            f"the maxvCpus of every compute environment in this {where} it could run on (at "
            f"most {_number(limit)}, in {ce.address})"
        )
    yield Hit(
        jd,
        f"A job of this definition needs {asks} at once, more than {than}, so it never leaves "
        f"RUNNABLE: raise maxvCpus to at least {_number(total.vcpus)} or lower the request.",
        total.at,
    )


def _limits(ces: list[Resource]) -> list[tuple[float, Resource]] | None:
    """(maxvCpus, environment) of each candidate, the largest first; ``None`` when any
    maxvCpus is unknown."""
    limits: list[tuple[float, Resource]] = []
    for ce in ces:
        node = ce.field("computeResources", "maxvCpus")
        limit = node.number() if node is not None else None
        if limit is None:
            return None
        limits.append((limit, ce))
    return sorted(limits, key=lambda item: -item[0])  # the largest first, else source order


# -- what one job holds ---------------------------------------------------------------------


def _total(jd: JobDefinition) -> _Total | None:
    found = [c for c in containers(jd) if isinstance(c.node.raw, dict)]
    nodes = jd.props.get("nodeProperties")
    if nodes is None:
        return _single(found)
    if nodes.unknown or not isinstance(nodes.raw, dict):
        return None
    return _multinode(nodes, found)


def _single(found: list[Container]) -> _Total | None:
    """A single-node job: its containers together, or its largest EKS init container (init
    containers run one at a time, before the others)."""
    main = [c for c in found if not c.placement.startswith("EKS init")]
    together = _sum(main)
    init = [_sum([c]) for c in found if c.placement.startswith("EKS init")]
    largest = max([together, *init], key=lambda part: part[0])
    vcpus, at, partial = largest
    return _Total(vcpus, at, "", partial) if vcpus > 0 else None


def _multinode(nodes: Node, found: list[Container]) -> _Total | None:
    """Every node of a multi-node job: each node gets the narrowest range that covers it."""
    count = nodes.get("numNodes")
    number = count.number() if count is not None else None
    if number is None or not number.is_integer() or not 1 <= number <= _MAX_NODES:
        return None
    size = int(number)
    ranges: list[tuple[int, int, float, Node | None, bool]] = []
    for group in nodes.each("nodeRangeProperties"):
        target = group.get("targetNodes")
        span = _span(target.text() if target is not None else None, size)
        if span is None:
            return None
        inside = {id(node) for node in group.walk()}
        per_node, at, partial = _sum([c for c in found if id(c.node) in inside])
        ranges.append((span[0], span[1], per_node, at, partial or per_node <= 0))
    if not ranges:
        return None
    cuts = sorted({0, size, *(r[0] for r in ranges), *(r[1] + 1 for r in ranges)})
    vcpus, partial = 0.0, False
    for start, stop in pairwise(cuts):
        covering = [r for r in ranges if r[0] <= start and stop - 1 <= r[1]]
        if not covering:
            partial = True  # AWS requires every node to be covered: nothing to count
            continue
        narrowest = min(reversed(covering), key=lambda r: r[1] - r[0])
        vcpus += (stop - start) * narrowest[2]
        partial = partial or narrowest[4]
    if vcpus <= 0:
        return None
    if len(ranges) == 1 and ranges[0][:2] == (0, size - 1):
        detail = f" ({_count(size, 'node')} × {_vcpus(ranges[0][2])})"
    else:
        detail = f" ({_count(size, 'node')} across {_count(len(ranges), 'node range')})"
    return _Total(vcpus, count, detail, partial)


def _span(target: str | None, size: int) -> tuple[int, int] | None:
    """The first and last node index of a ``targetNodes`` range (``0:3``, ``4:``, ``:3``,
    ``5``) among ``size`` nodes; ``None`` when it cannot be read."""
    if target is None:
        return None
    first, _, last = target.partition(":") if ":" in target else (target, "", target)
    try:
        start = int(first) if first.strip() else 0
        end = int(last) if last.strip() else size - 1
    except ValueError:
        return None
    end = min(end, size - 1)
    return (start, end) if 0 <= start <= end else None


def _sum(group: list[Container]) -> tuple[float, Node | None, bool]:
    """The vCPUs of containers that run together, where the largest is written, and whether
    one of them is unknown."""
    total, partial = 0.0, False
    largest: Request | None = None
    for container in group:
        asked = requests(container).vcpus
        if asked is None:
            partial = True
            continue
        if asked.value > 0:
            total += asked.value
            if largest is None or asked.value > largest.value:
                largest = asked
    return total, largest.node if largest is not None else None, partial


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _vcpus(value: float) -> str:
    return _count(value, "vCPU")


def _count(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}" + ("" if value == 1 else "s")
