"""``--tf-source DIR``: a plan's findings placed on the ``.tf`` lines that wrote them.

A plan is one long JSON line (``terraform show -json``), so its findings all land on line 1.
The configuration folder the plan was made from says where each resource block and
attribute is written: a plan value's pointer names its resource instance (by the values
entry it is under) and the path inside it, which is the path the ``.tf`` source's locator
walks. Values the configuration does not have (a resource from a remote module) keep their
place in the plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from batchlint.location import Locator, escape, split
from batchlint.model import Scope
from batchlint.sources.terraform_plan import PLAN, STATE
from batchlint.sources.tf_locator import TfLocator

if TYPE_CHECKING:
    from batchlint.engine import ScanOptions


class PlanOnTf:
    """Places a plan's pointers in the ``.tf`` files; the plan's own locator otherwise."""

    def __init__(
        self, plan: Locator, plan_file: str, resources: dict[str, str], tf: TfLocator
    ) -> None:
        self.plan = plan
        self.plan_file = plan_file
        self.resources = resources  # values (and entry) pointer -> instance address
        self.tf = tf

    def locate(self, pointer: str) -> tuple[int, int]:
        return self.plan.locate(pointer)

    def place(self, pointer: str, inner: str = "") -> tuple[str, int, int]:
        tokens = split(pointer)
        for end in range(len(tokens), 0, -1):
            address = self.resources.get("".join("/" + escape(t) for t in tokens[:end]))
            if address is not None:
                found = self.tf.find(address, tokens[end:] + split(inner))
                if found is not None:
                    return found
                break
        return (self.plan_file, *self.plan.locate(pointer))


def annotate(scope: Scope, folder: Path, options: ScanOptions) -> None:
    """Place the findings of a plan or state scope on the ``.tf`` lines of ``folder``."""
    if scope.source not in (PLAN, STATE) or scope.locator is None:
        return
    tf = _locator(folder, options)
    resources: dict[str, str] = {}
    for resource in scope.resources:
        resources[resource.pointer] = resource.address
        resources[resource.props.pointer] = resource.address
    scope.locator = PlanOnTf(scope.locator, scope.file, resources, tf)


def _locator(folder: Path, options: ScanOptions) -> TfLocator:
    from batchlint.inputs import display_name
    from batchlint.sources.tf_module import load_module

    display = display_name(folder)
    loaded = load_module(folder, display, None, options.tf_vars, options.tf_var_files)
    return TfLocator(display, loaded.instances)
