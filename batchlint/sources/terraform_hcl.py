"""A Terraform module directory (``.tf``, ``.tf.json``) as a scope.

The module reader (``tf_module``) evaluates what can be known without a provider and hands
back resource instances in the shape of a plan; they go through the plan source's
translation, so the rules see the same model either way. Pointers start at the instance's
address; :class:`~batchlint.sources.tf_locator.TfLocator` turns them into file and line.
Suppressions are comments on the resource block (``# batchlint:ignore=<rule> <reason>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from batchlint.location import escape
from batchlint.model import MetaIssue, Scope
from batchlint.sources import hcl_eval
from batchlint.sources.hcl_ast import Block, Comment, Expr, HclFile
from batchlint.sources.tf_locator import TfLocator, child, file_pointer, instance_glob
from batchlint.sources.tf_module import Loaded, TfInstance, load_module
from batchlint.sources.tf_nodes import Embedded, UnknownPart
from batchlint.sources.tf_translate import Entries, Item, Targets, translate
from batchlint.sources.tf_types import TYPES
from batchlint.suppress import SourceSuppression, from_comment

SOURCE = "terraform"


def load(
    directory: Path,
    display: str,
    variables: Mapping[str, str] | None = None,
    var_files: Sequence[Path] = (),
) -> Scope:
    """Read the module at ``directory`` (shown as ``display``) into one scope."""
    loaded = load_module(directory, display, None, variables or {}, var_files)
    return build(loaded, display)


def build(loaded: Loaded, display: str) -> Scope:
    scope = Scope(display, SOURCE, TfLocator(display, loaded.instances))
    scope.region = loaded.region
    scope.files = list(loaded.files)
    for problem in loaded.problems:
        pointer = file_pointer(problem.file, problem.line, problem.column)
        issue = MetaIssue("BL-META-002", problem.message, pointer, problem.line, problem.column)
        issue.file = problem.file
        scope.meta.append(issue)
    items = [_item(instance) for instance in loaded.instances]
    kept = [item for item in items if item.type in TYPES]
    translate(kept, loaded.config, scope, Targets(lambda: _entries(items), loaded.config))
    _link_after_apply(scope, loaded.instances)
    scope.suppressions.extend(_suppressions(loaded))
    return scope


def instance_pointer(address: str) -> str:
    return "/" + escape(address)


def _item(instance: TfInstance) -> Item:
    for key, value in instance.values.items():
        attribute = instance.block.body.attribute(key)
        if isinstance(value, Embedded) and attribute is not None:
            _parts(value.data, attribute.expr)
    pointer = instance_pointer(instance.address)
    return Item(
        instance.address,
        instance.type,
        instance.prefix,
        instance.base,
        instance.index,
        instance.values,
        pointer,
        pointer,
        instance.unknown,
    )


def _parts(data: object, expr: Expr) -> None:
    """Give each unknown part of a ``jsonencode()`` document the references of the
    expression written for it (found by walking the constructor)."""
    if isinstance(data, UnknownPart):
        data.references = hcl_eval.references(expr)
    elif isinstance(data, (dict, list)):
        for key, value in data.items() if isinstance(data, dict) else enumerate(data):
            inside = child(expr, str(key))
            if inside is not None:
                _parts(value, inside)


def _link_after_apply(scope: Scope, instances: list[TfInstance]) -> None:
    """Give an unknown value the instance whose ID or ARN it is, when the module reader
    followed it there (``module.ce["spot"].arn`` through a ``for_each`` key): exact where
    the configuration's references alone cannot tell which instance."""
    for instance in instances:
        resource = scope.by_address.get(instance.address)
        if resource is None or not instance.refs:
            continue
        base = instance_pointer(instance.address)
        for node in resource.props.walk():
            if node.known or node.ref is not None:
                continue
            target = instance.refs.get(node.pointer[len(base) :] + node.inner)
            if target is not None and target != instance.address and target in scope.by_address:
                node.ref = target


def _entries(items: list[Item]) -> Entries:
    """What the module's expressions may read: its managed resources, as configured (what
    only apply knows is absent)."""
    return {item.address: (item.values, None) for item in items}


# -- suppression comments ------------------------------------------------------------------


def _suppressions(loaded: Loaded) -> list[SourceSuppression]:
    by_block: dict[int, list[TfInstance]] = {}
    for instance in loaded.instances:
        by_block.setdefault(id(instance.block), []).append(instance)
    out: list[SourceSuppression] = []
    for file in loaded.files.values():
        for comment in file.comments:
            records = from_comment(comment.text, file_pointer(file.path, *_at(comment)))
            if not records:
                continue
            block = _block_of(file, comment)
            where = f"comment at {file.path}:{comment.pos.line}"
            if block is None or block.type != "resource":
                problem = "a batchlint:ignore comment goes on a resource block, above or inside it"
                out.extend(replace(r, location=where, problem=problem) for r in records)
                continue
            instances = by_block.get(id(block), [])
            for pattern in dict.fromkeys(instance_glob(i.address) for i in instances):
                out.extend(replace(r, location=where, resource=pattern) for r in records)
    return out


def _at(comment: Comment) -> tuple[int, int]:
    return comment.pos.line, comment.pos.column


def _block_of(file: HclFile, comment: Comment) -> Block | None:
    """The top-level block a comment is on: the one it is inside, else the first below it
    (in a ``.tf`` file only comments and blank lines stand between top-level blocks)."""
    line = comment.pos.line
    below: Block | None = None
    for block in file.body.blocks:
        if block.pos.line <= line <= block.end_line:
            return block
        if block.pos.line > line and (below is None or block.pos.line < below.pos.line):
            below = block
    return below
