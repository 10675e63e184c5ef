"""The EC2 hosts of a compute environment: whether it has any, the settings that only apply to
them, and the machine image type (Amazon Linux 2 or 2023) they run.

A managed ``EC2`` or ``SPOT`` environment launches instances from an Amazon ECS- or EKS-optimized
AMI chosen by ``computeResources.ec2Configuration[].imageType``; a ``FARGATE`` or
``FARGATE_SPOT`` environment has no instances, and AWS rejects the settings that describe them.

Image types, from the AWS Batch API reference (``Ec2Configuration``,
https://docs.aws.amazon.com/batch/latest/APIReference/API_Ec2Configuration.html) and the
migration guide (https://docs.aws.amazon.com/batch/latest/userguide/ecs-migration-2023.html):
on 2026-01-12 AWS Batch changed the image type of a new ECS environment without
``ec2Configuration`` from ``ECS_AL2`` to ``ECS_AL2023`` (``EKS_AL2023`` for EKS); support for the
ECS-optimized Amazon Linux 2 AMIs ended on 2026-06-30, when Batch stopped creating environments
with Batch-provided AL2 AMIs; the EKS-optimized AL2 AMIs reached end of support on 2025-11-26.
Amazon Linux 2023 does not support ``A1`` instances.
"""

from __future__ import annotations

from batchlint.launch_templates import launch_templates_of
from batchlint.model import EC2_TYPES, FARGATE_TYPES, Node, Resource

# computeResources settings that only describe EC2 hosts: "These aren't applicable for Fargate
# compute environments and can't be provided"
# (https://docs.aws.amazon.com/batch/latest/userguide/fargate-compute-environments.html)
EC2_ONLY_SETTINGS: tuple[str, ...] = (
    "allocationStrategy",
    "bidPercentage",
    "desiredvCpus",
    "ec2Configuration",
    "ec2KeyPair",
    "imageId",
    "instanceRole",
    "instanceTypes",
    "launchTemplate",
    "minvCpus",
    "placementGroup",
    "spotIamFleetRole",
    "tags",
)

# attributes the Terraform provider computes when the configuration leaves them out: a plan shows
# them unknown (on create) or as read back from AWS, neither of which means the user wrote them
_TF_COMPUTED = frozenset(
    {
        ("computeResources", "desiredvCpus"),
        ("computeResources", "ec2Configuration"),
        ("serviceRole",),
    }
)

# each Amazon Linux 2 image type, and the Amazon Linux 2023 one that replaces it
AL2_SUCCESSORS: dict[str, str] = {
    "ECS_AL2": "ECS_AL2023",
    "ECS_AL2_NVIDIA": "ECS_AL2023_NVIDIA",
    "EKS_AL2": "EKS_AL2023",
    "EKS_AL2_NVIDIA": "EKS_AL2023_NVIDIA",
}
AL2_ECS_END_OF_SUPPORT = "2026-06-30"
AL2_EKS_END_OF_SUPPORT = "2025-11-26"
ECS_AL2023_TYPES = frozenset({"ECS_AL2023", "ECS_AL2023_NVIDIA"})
# image types whose Batch-provided AMI has no GPU drivers, and those whose AMI has them ("Used
# for GPU instance families"); Ec2Configuration in the API reference
NON_GPU_IMAGE_TYPES = frozenset({"ECS_AL1", "ECS_AL2", "ECS_AL2023", "EKS_AL2", "EKS_AL2023"})
GPU_IMAGE_TYPES = frozenset(
    {"ECS_AL2_NVIDIA", "ECS_AL2023_NVIDIA", "EKS_AL2_NVIDIA", "EKS_AL2023_NVIDIA"}
)
DEFAULT_ECS_IMAGE_TYPE = "ECS_AL2023"  # without ec2Configuration, since DEFAULT_SINCE
DEFAULT_SINCE = "2026-01-12"


def compute_types(ce: Resource) -> frozenset[str] | None:
    """Every value ``computeResources.type`` can take (upper case); ``None`` when any is
    unknown or absent."""
    values = texts_of(ce.props.get("computeResources", "type"))
    return frozenset(values) if values is not None else None


def on_fargate(ce: Resource) -> bool:
    """Whether the environment certainly runs on Fargate (``FARGATE`` or ``FARGATE_SPOT``)."""
    types = compute_types(ce)
    return types is not None and types <= FARGATE_TYPES


def on_ec2(ce: Resource) -> bool:
    """Whether the environment certainly launches EC2 instances (``EC2`` or ``SPOT``)."""
    types = compute_types(ce)
    return types is not None and types <= EC2_TYPES


def written(ce: Resource, *path: str) -> Node | None:
    """The value at ``path`` when the source sets it, as AWS will receive it; ``None`` when it
    is absent, empty, or may be absent.

    Empty strings, lists and maps count as absent, as do an ``Fn::If`` with an
    ``AWS::NoValue`` branch and, in Terraform, a 0 (the provider sends no zero or empty value
    to the API) and an unknown the provider may compute itself. An unknown that the source
    does write (a parameter without default, a ``!GetAtt``) counts as set.
    """
    node = ce.props.member(*path)
    if node is None:
        return None
    terraform = ce.scope.source.startswith("terraform")
    if terraform and node.unknown and node.ref is None and tuple(path) in _TF_COMPUTED:
        return None
    for alt in node.branches():
        if alt is None or (alt.known and not _sent(alt, terraform)):
            return None
    return node


def _sent(node: Node, terraform: bool) -> bool:
    raw = node.raw
    if raw is None:
        return False
    if isinstance(raw, str):
        return bool(raw.strip())
    if isinstance(raw, (list, dict)):
        return bool(raw)
    return not (terraform and not isinstance(raw, bool) and raw == 0)


def upper_text(node: Node | None) -> str | None:
    """A keyword value (``type``, ``state``) stripped and upper case; ``None`` when unknown."""
    text = node.text() if node is not None else None
    return text.strip().upper() if text else None


def texts_of(node: Node | None) -> list[str] | None:
    """Every value a string node can take (upper case); ``None`` when any is unknown or
    absent."""
    if node is None:
        return None
    out = []
    for alt in node.branches():
        text = alt.text() if alt is not None else None
        if not text:
            return None
        out.append(text.strip().upper())
    return out


def is_eks(ce: Resource) -> bool:
    """Whether the environment runs on Amazon EKS rather than Amazon ECS."""
    return ce.props.get("eksConfiguration") is not None


def image_type_entries(ce: Resource) -> list[tuple[Node, list[str] | None]] | None:
    """(imageType node, the values it can take, ``None`` when unknown) of each
    ``ec2Configuration`` entry the source writes; ``[]`` when it writes none (the default image
    type applies); ``None`` when the list itself is unknown or conditional."""
    block = ce.props.get("computeResources")
    if block is not None and block.unknown:
        return None
    config = ce.props.member("computeResources", "ec2Configuration")
    if config is None:
        return []
    if written(ce, "computeResources", "ec2Configuration") is None:
        # absent in every branch (empty, or computed by Terraform), or only in some
        return None if config.alts else []
    if config.unknown or not isinstance(config.raw, list):
        return None
    out: list[tuple[Node, list[str] | None]] = []
    for entry in config.items():
        image_type = entry.get("imageType")
        out.append((image_type or entry, texts_of(image_type)))
    return out


def non_gpu_al2023_image_type(ce: Resource) -> str | None:
    """The image type the non-GPU instances (A1 ones, say) of an ECS environment get, when it
    is certainly an Amazon Linux 2023 one: every entry written is ``ECS_AL2023`` or
    ``ECS_AL2023_NVIDIA``, or there is none and Batch picks its AMI by the default image type.
    ``None`` otherwise: another entry may take them, a custom AMI may, or it is unknown."""
    if is_eks(ce):
        return None
    entries = image_type_entries(ce)
    if entries is None:
        return None
    if not entries:
        return DEFAULT_ECS_IMAGE_TYPE if custom_ami(ce) is False else None
    found: list[str] = []
    for _, values in entries:
        if values is None or not set(values) <= ECS_AL2023_TYPES:
            return None
        found.extend(v for v in values if v not in found)
    return "ECS_AL2023" if "ECS_AL2023" in found else found[0]


def non_gpu_image_types(ce: Resource) -> list[str] | None:
    """The image types the environment's ``ec2Configuration`` writes, when they certainly all
    give its instances a Batch-provided AMI without GPU drivers (``ECS_AL2023``, ``EKS_AL2``,
    …), each once; ``None`` otherwise. Without ``ec2Configuration`` Batch picks the AMI by
    instance type, the GPU one for GPU types ("When omitted, AWS Batch automatically selects
    an appropriate ec2Configuration and default AMI based on the instance types launched",
    https://docs.aws.amazon.com/batch/latest/userguide/ami-selection-order.html), so that is
    ``None`` too, as are a GPU image type, an unknown one and a custom AMI (an
    ``imageIdOverride``, ``imageId`` or launch template ``ImageId``), which may have drivers."""
    entries = image_type_entries(ce)
    if not entries or custom_ami(ce) is not False:
        return None
    config = ce.props.member("computeResources", "ec2Configuration")
    if config is None or any(e.get("imageIdOverride") is not None for e in config.items()):
        return None
    found: list[str] = []
    for _, values in entries:
        if values is None or not set(values) <= NON_GPU_IMAGE_TYPES:
            return None
        found.extend(v for v in values if v not in found)
    return found


def custom_ami(ce: Resource) -> bool | None:
    """Whether the environment's instances may boot an AMI of the user's rather than the one
    Batch picks for the image type: ``computeResources.imageId``, or an ``ImageId`` in the
    launch template version it uses. ``None`` when that version is not in scope, or launch
    template overrides may pick other AMIs per instance type."""
    if written(ce, "computeResources", "imageId") is not None:
        return True
    spec = ce.props.get("computeResources", "launchTemplate")
    if spec is None:
        return False
    if spec.unknown or spec.get("overrides") is not None:
        return None
    used = [u for u in launch_templates_of(ce.scope, ce) if u.spec is spec]
    if not used:
        return None
    data = used[0].data
    return None if data.unknown else data.get("ImageId") is not None
