"""Spot and capacity settings of a compute environment's ``computeResources``.

What several compute-environment rules must agree on: which capacity a compute environment
runs (``EC2``, ``SPOT``, ``FARGATE``, ``FARGATE_SPOT``), which allocation strategies exist only
for Spot, and whether ``desiredvCpus`` was written by the author or filled in by a tool.
"""

from __future__ import annotations

from batchlint.model import Node, Resource

SPOT = "SPOT"
# the API rejects these on any other capacity type ("Invalid compute resource allocation
# strategy SPOT_CAPACITY_OPTIMIZED for type EC2"); see API_ComputeResource.html
SPOT_ONLY_STRATEGIES = frozenset(
    {
        "SPOT_CAPACITY_OPTIMIZED",
        "SPOT_PRICE_CAPACITY_OPTIMIZED",
        "SPOT_CAPACITY_OPTIMIZED_PRIORITIZED",
    }
)

# sources whose values are all written by the author (a template, .tf); a Terraform plan is
# decided value by value, and a state or an account records what AWS reports
_AS_WRITTEN = frozenset({"cloudformation", "terraform"})
_TERRAFORM_PLAN = "terraform-plan"
_TERRAFORM = frozenset({_TERRAFORM_PLAN, "terraform-state", "terraform"})


def compute_type(ce: Resource) -> str | None:
    """``computeResources.type`` as written (``EC2``, ``SPOT``, …); ``None`` when unknown or
    absent. Matched exactly: the API does not accept other spellings."""
    node = ce.field("computeResources", "type")
    return node.text() if node is not None else None


def is_spot(ce: Resource) -> bool:
    """Whether the compute environment runs EC2 Spot capacity (not Fargate Spot)."""
    return compute_type(ce) == SPOT


def written(node: Node | None) -> bool:
    """Whether a value is present in every outcome: known, or unknown without an
    ``AWS::NoValue`` alternative (a parameter without default is still written)."""
    if node is None:
        return False
    if node.known or not node.alts:
        return True
    return all(alt is not None and written(alt) for alt in node.alts)


def written_desired_vcpus(ce: Resource) -> Node | None:
    """``computeResources.desiredvCpus`` when the author wrote it, else ``None``.

    A template holds only what its author wrote. A Terraform plan also shows what the
    provider computes: ``desired_vcpus`` is optional and computed, so a plan that creates the
    environment leaves it unknown unless the configuration sets it, while a plan that
    updates an existing environment shows the value read back from AWS, written or not. The
    model does not keep the configuration, so only a plan that creates the environment (its
    ``arn`` is unknown) can tell; a state, and any other source, cannot.
    """
    node = ce.props.get("computeResources", "desiredvCpus")
    if not written(node):
        return None
    source = ce.scope.source
    if source in _AS_WRITTEN:
        return node
    if source == _TERRAFORM_PLAN and node is not None and node.known:
        arn = ce.props.get("arn")
        if arn is not None and arn.unknown:  # being created: computed values are unknown
            return node
    return None


def reapplied_on_every_deploy(ce: Resource) -> bool:
    """Whether the tool that deploys this source sets written values again whenever the live
    ones differ: Terraform compares the configuration with what it reads back from AWS on
    every plan, while CloudFormation compares a template with the previous template and
    leaves an unchanged property alone."""
    return ce.scope.source in _TERRAFORM
