"""The one table of documented AWS defaults, each with the page that documents it.

A value that is absent from the source and listed here reads as ``Origin.DEFAULT`` and
points at the closest enclosing value that does exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchlint.model import Kind, Node, Origin, Scalar

if TYPE_CHECKING:
    from batchlint.model import Resource

_CE_API = "https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html"
_JD_API = "https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html"
_JQ_API = "https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateJobQueue.html"
_EKS_POD = "https://docs.aws.amazon.com/batch/latest/APIReference/API_EksPodProperties.html"
_ENDPOINT = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-ec2-vpcendpoint.html"
)
_CE_CREATE = (
    "https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateComputeEnvironment.html"
)

# (kind, path) -> (value, reference)
DEFAULTS: dict[tuple[Kind, tuple[str, ...]], tuple[Scalar, str]] = {
    (Kind.COMPUTE_ENVIRONMENT, ("computeResources", "allocationStrategy")): ("BEST_FIT", _CE_API),
    (Kind.COMPUTE_ENVIRONMENT, ("computeResources", "minvCpus")): (0, _CE_API),
    (Kind.COMPUTE_ENVIRONMENT, ("state",)): ("ENABLED", _CE_CREATE),
    (Kind.JOB_QUEUE, ("state",)): ("ENABLED", _JQ_API),
    (Kind.JOB_DEFINITION, ("retryStrategy", "attempts")): (1, _JD_API),
    (Kind.JOB_DEFINITION, ("propagateTags",)): (False, _JD_API),
    (Kind.JOB_DEFINITION, ("containerProperties", "privileged")): (False, _JD_API),
    (Kind.JOB_DEFINITION, ("eksProperties", "podProperties", "hostNetwork")): (True, _EKS_POD),
    (Kind.VPC_ENDPOINT, ("vpcEndpointType",)): ("Gateway", _ENDPOINT),
}


def default_for(kind: Kind, path: tuple[str | int, ...]) -> tuple[Scalar, str] | None:
    key = tuple(str(p) for p in path)
    return DEFAULTS.get((kind, key))


def default_node(resource: Resource, path: tuple[str | int, ...]) -> Node | None:
    """A ``DEFAULT`` node for an absent value, located at its closest existing ancestor."""
    found = default_for(resource.kind, path)
    if found is None:
        return None
    anchor = resource.props
    for depth in range(len(path), 0, -1):
        node = resource.props.get(*path[:depth])
        if node is not None:
            anchor = node
            break
    return Node(found[0], Origin.DEFAULT, anchor.pointer or resource.pointer, anchor.inner)
