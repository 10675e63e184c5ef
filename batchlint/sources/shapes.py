"""Values batchlint reads as numbers that the input writes as something else.

A ``MaxvCpus: lots`` or a vCPU requirement of ``"4 vCPUs"`` reads as unknown, and unknown is
also what a parameter without a default reads as: without a word, the cost would say "no
ceiling" and the fit rules would stay silent as if the value were merely not known yet. Each
such value is a BL-META-002 issue naming the resource, the property and the value; it is
still read as unknown. AWS rejects all of them at deploy time.
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import containers
from batchlint.location import split
from batchlint.model import JobDefinition, Kind, MetaIssue, Node, Scope
from batchlint.requests import cpu_quantity, memory_quantity_mib
from batchlint.sources.reading import shown

SHAPE = "BL-META-002"

# normalized paths of the numbers each kind declares outside its containers; numbers in
# lists of entries are in _LISTED
_NUMBERS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    Kind.COMPUTE_ENVIRONMENT: (
        ("computeResources", "minvCpus"),
        ("computeResources", "maxvCpus"),
        ("computeResources", "desiredvCpus"),
        ("computeResources", "bidPercentage"),
    ),
    Kind.JOB_QUEUE: (("priority",),),
    Kind.JOB_DEFINITION: (
        ("timeout", "attemptDurationSeconds"),
        ("retryStrategy", "attempts"),
        ("nodeProperties", "numNodes"),
        ("nodeProperties", "mainNode"),
    ),
    Kind.SCHEDULING_POLICY: (
        ("fairsharePolicy", "shareDecaySeconds"),
        ("fairsharePolicy", "computeReservation"),
    ),
}
# (list, key of the number in each entry)
_LISTED: dict[Kind, tuple[tuple[tuple[str, ...], str], ...]] = {
    Kind.JOB_QUEUE: (
        (("computeEnvironmentOrder",), "order"),
        (("jobStateTimeLimitActions",), "maxTimeSeconds"),
    ),
    Kind.SCHEDULING_POLICY: ((("fairsharePolicy", "shareDistribution"), "weightFactor"),),
}
_REQUIREMENTS = ("VCPU", "MEMORY", "GPU")
_EKS = {"cpu": cpu_quantity, "memory": memory_quantity_mib, "nvidia.com/gpu": cpu_quantity}


def check_numbers(scope: Scope) -> None:
    """Add a BL-META-002 issue to ``scope`` for every number written as something else."""
    for kind, paths in _NUMBERS.items():
        for resource in scope.of_kind(kind):
            found = [(resource.props.get(*path), "") for path in paths]
            for path, key in _LISTED.get(kind, ()):
                found += [(entry.get(key), "") for entry in resource.props.each(*path)]
            if isinstance(resource, JobDefinition):
                found += list(_requests(resource))
            for node, what in found:
                if node is not None and _not_a_number(node, what):
                    scope.meta.append(_issue(resource.address, node, what))


def _requests(jd: JobDefinition) -> Iterator[tuple[Node | None, str]]:
    """(value, what it requests) of every container's requests; ``what`` is empty for a
    plain number."""
    for container in containers(jd):
        if container.is_eks:
            for section in ("limits", "requests"):
                values = container.node.get("resources", section)
                for key, node in (values.entries() if values is not None else {}).items():
                    if key in _EKS:
                        yield node, key
            continue
        for entry in container.node.each("resourceRequirements"):
            kind = entry.get("type")
            name = kind.text() if kind is not None else None
            if name is not None and name.upper() in _REQUIREMENTS:
                yield entry.get("value"), name.upper()
        yield container.node.get("vcpus"), ""
        yield container.node.get("memory"), ""


def _not_a_number(node: Node, what: str) -> bool:
    if not node.known or node.raw is None:
        return False  # unknown (a parameter, an Fn::If) or absent: nothing is wrong yet
    if what in _EKS:  # a Kubernetes quantity: "500m", "2Gi"
        text = node.text()
        return text is None or _EKS[what](text) is None
    return node.number() is None


def _issue(address: str, node: Node, what: str) -> MetaIssue:
    raw = node.raw
    value = shown(raw) if isinstance(raw, str) else _describe(raw)
    tokens = split(node.inner) or split(node.pointer)
    name = f"{what} request" if what else (tokens[-1] if tokens else "a value")
    expected = "a Kubernetes quantity" if what in _EKS else "a number"
    message = f"{address}: {name} is {value}, not {expected}; it is read as unknown"
    return MetaIssue(SHAPE, message, node.pointer)


def _describe(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    return shown(str(raw))
