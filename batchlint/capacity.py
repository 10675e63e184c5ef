"""The EC2 capacity the compute environments of a scope offer a job.

Cost estimates, ``request-fits-no-instance`` and ``job-request-wastes-instance`` all ask the
same question — which instance types could this job land on? — and must agree on the answer:
the concrete types allowed by every managed EC2/Spot compute environment of the job's
orchestration (EKS or ECS). When any such environment cannot be read, the answer is unknown
and callers stay silent.

A job definition is not tied to a queue, so the environments a job could run on are those of
the scope that match its platform (:func:`job_platform`, :func:`candidate_environments`): EC2
and Spot ones (and unmanaged ones, whose instances are EC2) for an EC2 job, Fargate ones for a
Fargate job, of the same orchestration (EKS or ECS).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from batchlint import instances
from batchlint.images import compute_types, is_eks, upper_text
from batchlint.model import EC2_TYPES, FARGATE_TYPES, Kind, Resource, Scope
from batchlint.platforms import FARGATE


@dataclass(frozen=True)
class Ec2Capacity:
    types: list[str]  # concrete instance types, each once, in the order written
    has_spot: bool  # whether any of the environments is Spot


def ec2_capacity(ces: Iterable[Resource], eks: bool) -> Ec2Capacity | str:
    """What a job could run on, given the compute environments that may receive it (all of
    a scope's, or a queue's), or a sentence saying why that is unknown or empty."""
    types: list[str] = []
    has_spot = False
    relevant = 0
    for ce in ces:
        if (ce.props.get("eksConfiguration") is not None) != eks:
            continue
        env_type = upper_text(ce.field("type"))
        compute = upper_text(ce.field("computeResources", "type"))
        if env_type == "UNMANAGED":
            return f"unmanaged compute environment {ce.address} may run any instance type"
        if env_type is None or compute is None:
            return f"the type of compute environment {ce.address} is unknown"
        if compute not in EC2_TYPES:
            continue
        listed = ce.field("computeResources", "instanceTypes")
        entries = listed.texts() if listed is not None else None
        expanded = instances.expand(entries, None) if entries else None
        if not expanded:
            return f"the instance types of compute environment {ce.address} are unknown"
        relevant += 1
        has_spot = has_spot or compute == "SPOT"
        types.extend(name for name in expanded if name not in types)
    if not relevant:
        return "no EC2 or Spot compute environment in scope to place the job on"
    return Ec2Capacity(types, has_spot)


def scope_capacity(scope: Scope, eks: bool) -> Ec2Capacity | str:
    """:func:`ec2_capacity` of all the compute environments of ``scope``, worked out once
    per scope rather than once per job definition. The answer is shared: do not change it."""
    return scope.cached(
        ("ec2_capacity", eks),
        lambda: ec2_capacity(scope.of_kind(Kind.COMPUTE_ENVIRONMENT), eks),
    )


@dataclass(frozen=True)
class JobPlatform:
    """Where a job definition's jobs run."""

    fargate: bool  # on Fargate rather than on EC2 instances
    eks: bool  # orchestrated by Amazon EKS rather than Amazon ECS


def job_platform(jd: Resource) -> JobPlatform | None:
    """The platform of a job definition: EC2 when ``platformCapabilities`` is absent or says
    ``EC2``, Fargate when it says ``FARGATE`` (an ``Fn::If`` counts when its branches agree);
    ``None`` when it is unknown or says anything else. EKS when ``eksProperties`` is set, on
    the job or on a node range of a multi-node parallel job."""
    node = jd.field("platformCapabilities")
    found: set[str] = set()
    for outcome in node.branches() if node is not None else [None]:
        names = outcome.texts() if outcome is not None else []  # None: AWS::NoValue
        if names is None:
            return None
        found.add(",".join(sorted({name.strip().upper() for name in names})) or "EC2")
    if found not in ({"EC2"}, {FARGATE}):
        return None
    eks = jd.props.get("eksProperties") is not None or any(
        group.get("eksProperties") is not None
        for group in jd.props.each("nodeProperties", "nodeRangeProperties")
    )
    return JobPlatform(fargate=found == {FARGATE}, eks=eks)


def candidate_environments(jd: Resource) -> list[Resource] | None:
    """The compute environments of ``jd``'s scope that its jobs could run on (see
    :class:`JobPlatform`), in source order; ``None`` when its platform, or whether an
    environment of its orchestration matches it, is unknown. Empty when none matches."""
    platform = job_platform(jd)
    if platform is None:
        return None
    scope = jd.scope
    return scope.cached(
        ("candidate_environments", platform),
        lambda: _candidates(scope, platform),
    )


def _candidates(scope: Scope, platform: JobPlatform) -> list[Resource] | None:
    out = []
    for ce in scope.of_kind(Kind.COMPUTE_ENVIRONMENT):
        if is_eks(ce) != platform.eks:
            continue
        env_type = upper_text(ce.field("type"))
        if env_type == "UNMANAGED":
            fargate = False
        elif env_type != "MANAGED":
            return None
        else:
            types = compute_types(ce)
            if types is not None and types <= EC2_TYPES:
                fargate = False
            elif types is not None and types <= FARGATE_TYPES:
                fargate = True
            else:
                return None
        if fargate == platform.fargate:
            out.append(ce)
    return out
