"""The normalized graph every source is translated into, and its value type.

Field names follow the AWS Batch API (camelCase, as in botocore's ``batch`` model); the
supporting resources (IAM, VPC, security groups, launch templates) use the lower-camel form
of their CloudFormation property names. A rule never sees PascalCase CloudFormation or
snake_case Terraform.

Every value is a :class:`Node` that knows its origin (``set``, ``default`` or ``unknown``) and
where it came from (an RFC 6901 pointer into the source document, plus an ``inner`` pointer
when the value sits inside a JSON string such as Terraform's ``container_properties``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from batchlint.location import Locator
    from batchlint.suppress import SourceSuppression

Scalar = str | int | float | bool | None
_T = TypeVar("_T")


class Origin(StrEnum):
    SET = "set"  # written in the source
    DEFAULT = "default"  # absent; the documented AWS default applies
    UNKNOWN = "unknown"  # a parameter without default, an Fn::If, a Terraform after_unknown, …


class Kind(StrEnum):
    COMPUTE_ENVIRONMENT = "compute_environment"
    JOB_QUEUE = "job_queue"
    JOB_DEFINITION = "job_definition"
    SCHEDULING_POLICY = "scheduling_policy"
    IAM_ROLE = "iam_role"
    IAM_POLICY = "iam_policy"
    IAM_POLICY_ATTACHMENT = "iam_policy_attachment"
    INSTANCE_PROFILE = "instance_profile"
    VPC = "vpc"
    SUBNET = "subnet"
    ROUTE_TABLE = "route_table"
    ROUTE = "route"
    ROUTE_TABLE_ASSOCIATION = "route_table_association"
    INTERNET_GATEWAY = "internet_gateway"
    NAT_GATEWAY = "nat_gateway"
    VPC_ENDPOINT = "vpc_endpoint"  # an endpoint, or an association that adds to one
    SECURITY_GROUP = "security_group"
    SECURITY_GROUP_INGRESS = "security_group_ingress"
    LAUNCH_TEMPLATE = "launch_template"
    SECRET = "secret"


# computeResources.type values: the capacity a compute environment runs on
EC2_TYPES = frozenset({"EC2", "SPOT"})
FARGATE_TYPES = frozenset({"FARGATE", "FARGATE_SPOT"})
SPOT_TYPES = frozenset({"SPOT", "FARGATE_SPOT"})

BATCH_KINDS = (
    Kind.COMPUTE_ENVIRONMENT,
    Kind.JOB_QUEUE,
    Kind.JOB_DEFINITION,
    Kind.SCHEDULING_POLICY,
)

_TRUE = {"true"}
_FALSE = {"false"}


class Node:
    """One value of the model: a scalar, a dict of nodes or a list of nodes.

    ``ref`` names the address of a resource in the same scope that this value refers to
    (a ``Ref``/``Fn::GetAtt``, a Terraform ``configuration`` reference). ``alts`` holds the
    possible values of an unknown that has a known set of outcomes (``Fn::If`` branches); an
    alternative of ``None`` means the property is absent (``AWS::NoValue``). ``pattern`` is
    what is known of an unknown string built from parts (``!Sub``, ``!Join``): the written
    text with ``*`` for each unknown part (``arn:aws:iam::*:role/batch``).
    """

    __slots__ = ("alts", "inner", "origin", "pattern", "pointer", "raw", "ref")

    def __init__(
        self,
        raw: Scalar | dict[str, Node] | list[Node],
        origin: Origin = Origin.SET,
        pointer: str = "",
        inner: str = "",
        ref: str | None = None,
        alts: tuple[Node | None, ...] | None = None,
        pattern: str | None = None,
    ) -> None:
        self.raw = raw
        self.origin = origin
        self.pointer = pointer
        self.inner = inner
        self.ref = ref
        self.alts = alts
        self.pattern = pattern

    def __repr__(self) -> str:
        extra = f", ref={self.ref!r}" if self.ref else ""
        return f"Node({self.raw!r}, {self.origin.value}, {self.pointer!r}{extra})"

    # -- state -------------------------------------------------------------------------
    @property
    def known(self) -> bool:
        return self.origin is not Origin.UNKNOWN

    @property
    def unknown(self) -> bool:
        return self.origin is Origin.UNKNOWN

    # -- navigation --------------------------------------------------------------------
    def get(self, *path: str | int) -> Node | None:
        """Walk ``path`` (dict keys and list indices). Absent gives ``None``; walking into
        an unknown value gives that unknown node, so callers can tell the two apart."""
        node: Node = self
        for step in path:
            if node.origin is Origin.UNKNOWN:
                return node
            raw = node.raw
            if isinstance(step, str) and isinstance(raw, dict):
                child = raw.get(step)
            elif isinstance(step, int) and isinstance(raw, list) and -len(raw) <= step < len(raw):
                child = raw[step]
            else:
                return None
            if child is None:
                return None
            node = child
        return node

    def items(self) -> list[Node]:
        """The elements of a known list (a lone scalar counts as a list of one)."""
        if self.origin is Origin.UNKNOWN:
            return []
        if isinstance(self.raw, list):
            return self.raw
        if self.raw is None or isinstance(self.raw, dict):
            return []
        return [self]

    def each(self, *path: str | int) -> list[Node]:
        """The elements of the list at ``path``; empty when absent or unknown."""
        node = self.get(*path)
        return node.items() if node is not None else []

    def entries(self) -> dict[str, Node]:
        """The members of a known dict."""
        if self.origin is not Origin.UNKNOWN and isinstance(self.raw, dict):
            return self.raw
        return {}

    def outcomes(self) -> list[Node | None]:
        """The known values this node can take (``None``: the property is absent): itself
        when known, the known alternatives of an unknown with a set of outcomes (an
        ``Fn::If``), else nothing. A branch that is itself unknown is left out: right for
        "can it be X", wrong for "is it always X" (use :meth:`every_outcome`)."""
        if self.origin is not Origin.UNKNOWN:
            return [self]
        out: list[Node | None] = []
        for alt in self.alts or ():
            out.extend(alt.outcomes() if alt is not None else [None])
        return out

    def branches(self) -> list[Node | None]:
        """Every value an ``Fn::If`` can take as written, branches of branches included and
        unknown ones kept (``None``: ``AWS::NoValue``); a node without alternatives is its own
        only branch."""
        if not self.alts:
            return [self]
        out: list[Node | None] = []
        for alt in self.alts:
            out.extend(alt.branches() if alt is not None else [None])
        return out

    def every_outcome(self) -> list[Node | None]:
        """Every value this node can take, as :meth:`outcomes`, but nothing at all when any
        of them is unknown (a branch that is a parameter without default)."""
        if self.origin is not Origin.UNKNOWN:
            return [self]
        if not self.alts:
            return []
        out: list[Node | None] = []
        for alt in self.alts:
            if alt is None:
                out.append(None)
                continue
            inner = alt.every_outcome()
            if not inner:
                return []
            out.extend(inner)
        return out

    def member(self, *path: str | int) -> Node | None:
        """The value at ``path`` itself: ``None`` when it is absent or when a value on the
        way is unknown (where :meth:`get` gives that enclosing unknown)."""
        node: Node | None = self
        for step in path:
            if node is None or node.unknown:
                return None
            node = node.get(step)
        return node

    # -- typed reads (None when unknown, absent or of another type) -----------------------
    def text(self) -> str | None:
        """The value as a string; alternatives count only when they all agree."""
        if self.origin is Origin.UNKNOWN:
            return _agree(self, Node.text)
        raw = self.raw
        if isinstance(raw, str):
            return raw
        if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
            return None
        return str(raw)

    def number(self) -> float | None:
        """The value as a finite number (``4``, ``4.0`` and ``"4"`` alike)."""
        if self.origin is Origin.UNKNOWN:
            return _agree(self, Node.number)
        raw = self.raw
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return None
        try:
            value = float(raw.strip() if isinstance(raw, str) else raw)
        except (ValueError, OverflowError):  # not a number, or an int beyond any float
            return None
        return value if math.isfinite(value) else None  # "NaN", "inf" and 1e999 are no sizes

    def flag(self) -> bool | None:
        """The value as a boolean (``true`` and ``"true"``, any case, alike)."""
        if self.origin is Origin.UNKNOWN:
            return _agree(self, Node.flag)
        raw = self.raw
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            low = raw.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
        return None

    def texts(self) -> list[str] | None:
        """A list of strings; ``None`` when the list or any element is unknown."""
        if self.origin is Origin.UNKNOWN:
            return None
        out = []
        for item in self.items():
            value = item.text()
            if value is None:
                return None
            out.append(value)
        return out

    def walk(self) -> Iterator[Node]:
        """This node and every node below it."""
        yield self
        raw = self.raw
        if isinstance(raw, dict):
            for child in raw.values():
                yield from child.walk()
        elif isinstance(raw, list):
            for child in raw:
                yield from child.walk()

    def plain(self) -> object:
        """The value as plain Python data; unknowns become ``None``."""
        if self.origin is Origin.UNKNOWN:
            return None
        raw = self.raw
        if isinstance(raw, dict):
            return {k: v.plain() for k, v in raw.items()}
        if isinstance(raw, list):
            return [v.plain() for v in raw]
        return raw


def _agree(node: Node, read):  # type: ignore[no-untyped-def]
    """The common typed value of an unknown's outcomes, when they are all known and agree."""
    outcomes = node.every_outcome()
    if not outcomes:
        return None
    values = {read(o) if o is not None else None for o in outcomes}
    if len(values) == 1:
        return values.pop()
    return None


def unknown(pointer: str = "", ref: str | None = None, inner: str = "") -> Node:
    return Node(None, Origin.UNKNOWN, pointer, inner, ref)


@dataclass(frozen=True, slots=True)
class Reference:
    """What one reference of a source expression reads, when that is no edge of the graph:
    a Terraform ``configuration`` reference (``aws_ssm_parameter.db.value``,
    ``var.db_password``), with what the document says about what it reads."""

    text: str  # as the source lists it, relative to its module: "data.aws_ssm_parameter.db.value"
    type: str  # the resource or data source type, or "var", "local", "module"
    attribute: str | None = None  # the attribute read ("value"); a variable's or local's name
    data: bool = False  # a data source (``data.<type>.<name>``)
    address: str | None = None  # the absolute address of the instance read, when known
    # the known scalar attributes of what it reads, those the document marks sensitive left out
    values: Mapping[str, Scalar] = field(default_factory=dict)
    # what it reads is sensitive: a variable declared ``sensitive = true``, an attribute the
    # document marks sensitive; None: the document does not say
    sensitive: bool | None = None


@dataclass(frozen=True, slots=True)
class Expression:
    """How the source writes one attribute of a resource: the references its expression
    makes and whether the document marks the attribute's value (or a part) sensitive."""

    references: tuple[Reference, ...] = ()
    sensitive: bool = False


NO_EXPRESSIONS: Mapping[str, Expression] = MappingProxyType({})


class Resource:
    """A resource of one scope, in the normalized shape of its kind.

    ``expressions`` (Terraform plans) holds, by top-level attribute in the model's naming
    (``containerProperties``), how the configuration writes it: what its expression reads
    beyond the edges already on the nodes. Empty for other sources.
    """

    __slots__ = (
        "address",
        "arn",
        "expressions",
        "ident",
        "kind",
        "name",
        "pointer",
        "props",
        "scope",
        "type",
    )

    def __init__(
        self,
        kind: Kind,
        address: str,
        type: str,
        props: Node,
        pointer: str,
        scope: Scope,
        name: str | None = None,
        arn: str | None = None,
        ident: str | None = None,
    ) -> None:
        self.kind = kind
        self.address = address  # CloudFormation logical id, Terraform address or ARN
        self.type = type  # the source's type name: AWS::Batch::JobQueue, aws_batch_job_queue
        self.props = props
        self.pointer = pointer  # pointer to the resource's declaration in the source
        self.scope = scope
        self.name = name  # physical name when known
        self.arn = arn
        self.ident = ident  # the physical ID others name it by (subnet-…, lt-…), when known
        self.expressions: Mapping[str, Expression] = NO_EXPRESSIONS

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address!r})"

    def field(self, *path: str | int) -> Node | None:
        """The value at ``path``, with the documented AWS default when it is absent.

        An ``Fn::If`` whose branch is ``AWS::NoValue`` gets the default in that branch, so
        ``!If [c, BEST_FIT, !Ref AWS::NoValue]`` reads as ``BEST_FIT``.
        """
        from batchlint.sources.defaults import default_node

        node = self.props.get(*path)
        if node is None:
            return default_node(self, path)
        if node.alts and any(alt is None for alt in node.alts):
            fallback = default_node(self, path)
            if fallback is not None:
                alts = tuple(alt if alt is not None else fallback for alt in node.alts)
                return Node(None, Origin.UNKNOWN, node.pointer, node.inner, node.ref, alts)
        return node


class ComputeEnvironment(Resource):
    __slots__ = ()


class JobQueue(Resource):
    __slots__ = ()


class JobDefinition(Resource):
    __slots__ = ()


class SchedulingPolicy(Resource):
    __slots__ = ()


RESOURCE_CLASSES: dict[Kind, type[Resource]] = {
    Kind.COMPUTE_ENVIRONMENT: ComputeEnvironment,
    Kind.JOB_QUEUE: JobQueue,
    Kind.JOB_DEFINITION: JobDefinition,
    Kind.SCHEDULING_POLICY: SchedulingPolicy,
}


class MetaIssue:
    """A problem with the input itself (unparseable, unsupported construct): BL-META."""

    __slots__ = ("code", "column", "file", "line", "message", "pointer")

    def __init__(
        self, code: str, message: str, pointer: str = "", line: int = 1, column: int = 1
    ) -> None:
        self.code = code
        self.message = message
        self.pointer = pointer
        self.line = line
        self.column = column
        self.file: str | None = None  # None: the scope's file


_NOUNS = {
    "terraform-plan": "plan",
    "terraform-state": "state",
    "terraform": "configuration",
    "aws-snapshot": "account",
}


class Scope:
    """One input file (or one account region): its resources and the edges between them."""

    def __init__(self, file: str, source: str, locator: Locator | None = None) -> None:
        self.file = file  # the path shown in output, relative to the working directory
        self.files = [file]  # every file it was read from (a Terraform module has several)
        self.source = source  # cloudformation, terraform-plan, terraform-state, …
        self.locator = locator
        self.region: str | None = None  # from the source (a Terraform provider), if any
        self.account: str | None = None  # the account ID (an account snapshot)
        self.resources: list[Resource] = []
        self.by_address: dict[str, Resource] = {}
        self.meta: list[MetaIssue] = []
        # suppressions written in the source (template Metadata, .tf comments): batchlint.suppress
        self.suppressions: list[SourceSuppression] = []
        self._by_kind: dict[Kind, list[Resource]] | None = None
        self._by_id: dict[str, list[Resource]] | None = None
        self._memo: dict[Hashable, object] = {}

    def add(
        self,
        kind: Kind,
        address: str,
        type: str,
        props: Node,
        pointer: str,
        name: str | None = None,
        arn: str | None = None,
        ident: str | None = None,
    ) -> Resource:
        cls = RESOURCE_CLASSES.get(kind, Resource)
        resource = cls(kind, address, type, props, pointer, self, name, arn, ident)
        self.resources.append(resource)
        self.by_address[address] = resource
        self._by_kind = None
        self._by_id = None
        self._memo.clear()
        return resource

    @property
    def noun(self) -> str:
        """What the input is called in messages ("the compute environments in this plan")."""
        return _NOUNS.get(self.source, "template")

    def place(self, pointer: str, inner: str = "") -> tuple[str, int, int]:
        """File, line and column of the value at ``pointer``: in the scope's file, unless its
        locator spans files (a Terraform module)."""
        locator = self.locator
        if locator is None:
            return self.file, 1, 1
        place = getattr(locator, "place", None)
        if place is not None:
            return cast("tuple[str, int, int]", place(pointer, inner))
        line, column = locator.locate(pointer)
        return self.file, line, column

    def stable(self, pointer: str) -> str:
        """What identifies the place ``pointer`` names across versions of the input, for
        fingerprints: the pointer itself, in a file someone edits."""
        return pointer

    def cached(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, worked out once per scope for ``key`` (again once a resource is
        added): for what rules would otherwise work out over every resource, per resource."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(_T, self._memo[key])

    def of_kind(self, kind: Kind) -> list[Resource]:
        if self._by_kind is None:
            index: dict[Kind, list[Resource]] = {}
            for resource in self.resources:
                index.setdefault(resource.kind, []).append(resource)
            self._by_kind = index
        return self._by_kind.get(kind, [])

    def deref(self, node: Node | None, kind: Kind | None = None) -> Resource | None:
        """The resource in scope a value refers to: by reference edge, else by a literal
        ARN, name or address. ``None`` means external or unknown, or not of ``kind``
        (``!GetAtt Vpc.DefaultSecurityGroup`` is an edge to the VPC, not a security group)."""
        found = self._deref(node, kind)
        if found is not None and kind is not None and found.kind is not kind:
            return None
        return found

    def _deref(self, node: Node | None, kind: Kind | None) -> Resource | None:
        if node is None:
            return None
        if node.ref is not None:
            target = self.by_address.get(node.ref)
            if target is not None:
                return target
        value = node.text()
        if not value:
            return None
        candidates = self._ids().get(value, [])
        if not candidates and value.startswith("arn:") and "/" in value:
            # a role or instance-profile ARN names the resource after its last slash
            candidates = self._ids().get(value.rsplit("/", 1)[1], [])
        if value in self.by_address:
            candidates = [*candidates, self.by_address[value]]
        for candidate in candidates:
            if kind is None or candidate.kind is kind:
                return candidate
        return None

    def _ids(self) -> dict[str, list[Resource]]:
        """Resources by ARN, physical ID and name; names can repeat across kinds."""
        if self._by_id is None:
            ids: dict[str, list[Resource]] = {}
            for resource in self.resources:
                for key in dict.fromkeys((resource.arn, resource.ident, resource.name)):
                    if key:
                        ids.setdefault(key, []).append(resource)
            self._by_id = ids
        return self._by_id

    def deref_all(self, node: Node | None, kind: Kind | None = None) -> list[Resource]:
        """Every resource in scope a list value (or a single value) refers to."""
        if node is None:
            return []
        if node.unknown:
            target = self.deref(node, kind)
            return [target] if target is not None else []
        out = []
        for item in node.items():
            target = self.deref(item, kind)
            if target is not None:
                out.append(target)
        return out

    def referrers(self, target: Resource, kind: Kind, *path: str | int) -> list[Resource]:
        """Resources of ``kind`` whose value at ``path`` (a single value or list) refers to
        ``target``, in source order."""
        index = self.cached(("referrers", kind, path), lambda: self._referrers(kind, path))
        return list(index.get(target, ()))

    def _referrers(self, kind: Kind, path: tuple[str | int, ...]) -> dict[Resource, list[Resource]]:
        """Every target of the values at ``path`` of the resources of ``kind``, with the
        resources that refer to it: one pass instead of one per target."""
        index: dict[Resource, list[Resource]] = {}
        for resource in self.of_kind(kind):
            for target in self.deref_all(resource.props.get(*path)):
                found = index.setdefault(target, [])
                if not found or found[-1] is not resource:
                    found.append(resource)
        return index


class Graph:
    """The whole scope, for rules that reason across resources (first parameter type)."""

    __slots__ = ("scope",)

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
