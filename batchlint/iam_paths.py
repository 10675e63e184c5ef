"""Which roles Batch resources use, and what those roles may do: the escalation-path rules.

A *Batch role use* is a role in scope that a Batch resource names: a job definition's job and
execution roles (:func:`batchlint.iam.job_definition_roles`), a compute environment's
instance role (through its instance profile), service role and Spot Fleet role.

:func:`grants` answers "which Allow statements of this role grant this action", with IAM's
action matching (case-insensitive, ``*`` and ``?`` wildcards, ``NotAction``). Unlike
:func:`batchlint.iam.allows`, which decides whether one request is allowed and needs every
policy of the role, it lists the grants that are written: statements that can be read decide,
unknown ones are skipped (a finding rests only on a written grant; an unknown ``Deny`` is not
assumed). An unconditional ``Deny`` on ``*`` removes the action, and a permissions boundary
must allow it too (one the scope cannot read makes the role silent).
AWS managed policies are documents outside the scan: the few whose grants matter here are
known by name (:data:`MANAGED_GRANTS`), the others grant nothing as far as this module knows.

:func:`pass_role_reach` says which roles an ``iam:PassRole`` grant reaches (every role, some
roles, only the role itself, nothing, or unknown), and :func:`passed_to_services` reads an
``iam:PassedToService`` condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from batchlint.iam import (
    aws_managed_name,
    every_resource,
    glob,
    instance_profile_roles,
    job_definition_roles,
    policies_of_role,
    role_name,
    statements,
)
from batchlint.model import FARGATE_TYPES, JobDefinition, Kind, Node, Origin, Resource, Scope

# -- the roles Batch resources use ----------------------------------------------------------


@dataclass(frozen=True)
class RoleField:
    """One value of a Batch resource that names a role."""

    node: Node
    usage: str  # "job role", "execution role", "instance role", "service role", …
    label: str  # where, for messages: "containerProperties.jobRoleArn", …


@dataclass
class RoleUse:
    """A role in scope and the fields of one Batch resource that name it (source order)."""

    resource: Resource  # the job definition or compute environment
    role: Resource
    fields: list[RoleField] = field(default_factory=list)

    @property
    def at(self) -> Node:
        return self.fields[0].node

    def describe(self) -> str:
        """``Job role JobRole (containerProperties.jobRoleArn)``, for messages."""
        usages = list(dict.fromkeys(f.usage for f in self.fields))
        who = " and ".join(usages)
        labels = list(dict.fromkeys(f.label for f in self.fields))
        if len(labels) > 2:
            where = f"{labels[0]}, {labels[1]} and {len(labels) - 2} more"
        else:
            where = " and ".join(labels)
        return f"{who[:1].upper()}{who[1:]} {role_name(self.role)} ({where})"


def batch_role_uses(scope: Scope) -> list[RoleUse]:
    """Every (Batch resource, role in scope) pair, in source order; roles outside the scan
    (a literal ARN of a role created elsewhere, an unknown value) are left out."""
    return scope.cached("iam_paths.batch_role_uses", lambda: _role_uses(scope))


def _role_uses(scope: Scope) -> list[RoleUse]:
    out: list[RoleUse] = []
    for resource in scope.resources:
        if isinstance(resource, JobDefinition):
            found = [
                (f.node, "execution role" if f.execution else "job role", f.label)
                for f in job_definition_roles(resource)
            ]
            uses = _group(scope, resource, found)
        elif resource.kind is Kind.COMPUTE_ENVIRONMENT:
            uses = _compute_environment_uses(scope, resource)
        else:
            continue
        out.extend(uses)
    return out


def _compute_environment_uses(scope: Scope, ce: Resource) -> list[RoleUse]:
    uses: dict[str, RoleUse] = {}
    compute = ce.props.get("computeResources")
    kind = compute.get("type") if compute is not None else None
    fargate = kind is not None and (kind.text() or "").upper() in FARGATE_TYPES
    instance = ce.props.get("computeResources", "instanceRole")
    if instance is not None and not fargate:  # Fargate has no instances and no instance role
        profile, roles = instance_profile_roles(scope, instance)
        via = f", instance profile {profile.address}" if profile is not None else ""
        for role in roles:
            label = f"computeResources.instanceRole{via}"
            _add(uses, ce, role, RoleField(instance, "instance role", label))
    others = [
        (ce.props.get("serviceRole"), "service role", "serviceRole"),
        (
            ce.props.get("computeResources", "spotIamFleetRole"),
            "Spot Fleet role",
            "computeResources.spotIamFleetRole",
        ),
    ]
    for node, usage, label in others:
        target = scope.deref(node, Kind.IAM_ROLE)
        if node is not None and target is not None:
            _add(uses, ce, target, RoleField(node, usage, label))
    return list(uses.values())


def _group(scope: Scope, resource: Resource, found: list[tuple[Node, str, str]]) -> list[RoleUse]:
    uses: dict[str, RoleUse] = {}
    for node, usage, label in found:
        role = scope.deref(node, Kind.IAM_ROLE)
        if role is not None:
            _add(uses, resource, role, RoleField(node, usage, label))
    return list(uses.values())


def _add(uses: dict[str, RoleUse], resource: Resource, role: Resource, found: RoleField) -> None:
    uses.setdefault(role.address, RoleUse(resource, role)).fields.append(found)


# -- what a role may do ---------------------------------------------------------------------

# What the AWS managed policies that matter here grant, as Allow statements on "*":
# (actions, NotAction?). Their documents are not in scope; the rest grant nothing here.
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html
MANAGED_GRANTS: dict[str, tuple[tuple[tuple[str, ...], bool], ...]] = {
    "AdministratorAccess": ((("*",), False),),
    # everything but IAM, Organizations and Account management (its IAM extras are reads
    # and service-linked roles, never iam:PassRole)
    "PowerUserAccess": ((("iam:*", "organizations:*", "account:*"), True),),
    "IAMFullAccess": ((("iam:*",), False),),
    # batch:* on "*"; its iam:PassRole grants (Batch's conventional role names) are left out
    "AWSBatchFullAccess": ((("batch:*",), False),),
}


@dataclass(frozen=True)
class Grant:
    """An Allow statement that grants an action."""

    policy: str  # the policy's name
    index: int  # position in its Statement list
    sid: str | None
    statement: Node
    action: str  # the Action pattern that matched, or "NotAction …"
    resources: tuple[Node, ...]  # the Resource entries (empty with NotResource)
    not_resource: bool  # Allow … NotResource: every resource but a list
    condition: Node | None

    def through(self, action: str) -> str:
        """How the statement grants ``action`` when it does not name it, for messages:
        `` (through 'iam:*')``, `` (through NotAction [s3:*])``, else nothing."""
        if self.action.lower() == action.lower():
            return ""
        shown = self.action if self.action.startswith("NotAction") else f"'{self.action}'"
        return f" (through {shown})"

    def label(self) -> str:
        """The statement, for messages."""
        if self.sid:
            return f"statement '{self.sid}' of policy '{self.policy}'"
        return f"statement {self.index} of policy '{self.policy}'"


def grants(scope: Scope, role: Resource, action: str) -> list[Grant]:
    """The Allow statements of ``role``'s policies that grant ``action`` (``iam:PassRole``),
    in policy order; empty when an unconditional Deny on ``*`` takes it away, or when the
    role has a permissions boundary that does not allow it or cannot be read."""
    key = ("iam_paths.grants", role.address, action.lower())
    return scope.cached(key, lambda: _grants(scope, role, action.lower()))


def _grants(scope: Scope, role: Resource, action: str) -> list[Grant]:
    if not _boundary_allows(scope, role, action):
        return []
    found: list[Grant] = []
    for source in policies_of_role(scope, role):
        document = source.document
        if document is None:
            name = aws_managed_name(source.arn) if source.arn else None
            document = _managed_document(name, source.at) if name else None
        for index, statement in statements(document):
            effect = _effect(statement)
            matched = _matching_action(statement, action)
            if matched is None:
                continue
            if effect == "deny":
                if _unconditional_on_everything(statement):
                    return []
                continue
            if effect != "allow":
                continue
            sid = statement.get("Sid")
            resources = statement.get("Resource")
            found.append(
                Grant(
                    source.name,
                    index,
                    sid.text() if sid is not None else None,
                    statement,
                    matched,
                    tuple(_items(resources)),
                    statement.get("NotResource") is not None and resources is None,
                    statement.get("Condition"),
                )
            )
    return found


def _boundary_allows(scope: Scope, role: Resource, action: str) -> bool:
    """Whether the role's permissions boundary (if any) allows ``action`` on some resource;
    a boundary that cannot be read allows nothing, for silence."""
    boundary = role.props.get("permissionsBoundary")
    if boundary is None:
        return True
    policy = scope.deref(boundary, Kind.IAM_POLICY)
    if policy is not None:
        document = policy.props.get("policyDocument")
    else:
        text = boundary.text()
        name = aws_managed_name(text) if text else None
        document = _managed_document(name, boundary) if name else None
    if document is None:
        return False
    allowed = False
    for _, statement in statements(document):
        if _matching_action(statement, action) is None:
            continue
        effect = _effect(statement)
        if effect == "deny" and _unconditional_on_everything(statement):
            return False
        allowed = allowed or effect == "allow"
    return allowed


def _managed_document(name: str, at: Node | None) -> Node | None:
    """A known AWS managed policy as a document whose values point at the value that
    attaches it."""
    known = MANAGED_GRANTS.get(name)
    if known is None:
        return None
    pointer, inner = (at.pointer, at.inner) if at is not None else ("", "")

    def leaf(value: str) -> Node:
        return Node(value, Origin.SET, pointer, inner)

    body = []
    for actions, negated in known:
        members = {
            "Effect": leaf("Allow"),
            "NotAction" if negated else "Action": Node(
                [leaf(a) for a in actions], Origin.SET, pointer, inner
            ),
            "Resource": leaf("*"),
        }
        body.append(Node(members, Origin.SET, pointer, inner))
    return Node({"Statement": Node(body, Origin.SET, pointer, inner)}, Origin.SET, pointer, inner)


def _effect(statement: Node) -> str | None:
    node = statement.get("Effect")
    text = node.text() if node is not None else None
    return text.strip().lower() if text else None


def _matching_action(statement: Node, action: str) -> str | None:
    """The pattern of ``statement`` that covers ``action`` (its ``Action`` entry, or the
    ``NotAction`` list that leaves it out), or ``None``. Unknown entries match nothing."""
    actions = statement.get("Action")
    if actions is not None:
        for pattern in _strings(actions):
            if action_matches(pattern, action):
                return pattern
        return None
    excluded = statement.get("NotAction")
    if excluded is None or excluded.unknown:
        return None
    patterns = _strings(excluded)
    if any(p is None for p in patterns):
        return None  # an unknown entry may exclude it
    if any(action_matches(p, action) for p in patterns if p is not None):
        return None
    shown = ", ".join(p for p in patterns if p is not None)
    return f"NotAction [{shown}]"


def _unconditional_on_everything(statement: Node) -> bool:
    if statement.get("Condition") is not None or statement.get("NotResource") is not None:
        return False
    return "*" in [s.strip() for s in _strings(statement.get("Resource")) if s is not None]


def action_matches(pattern: str | None, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` and ``?`` wildcards (nothing else is
    special: ``[`` is a literal, unlike in fnmatch)."""
    if pattern is None:
        return False
    return glob(pattern.strip().lower()).fullmatch(action.lower()) is not None


def _items(node: Node | None) -> list[Node]:
    """The entries of a string-or-list value; an ``Fn::If`` list gives every branch's."""
    if node is None:
        return []
    if node.unknown and not node.alts:
        return [node]
    out: list[Node] = []
    for outcome in node.outcomes():
        if outcome is not None:
            out.extend(outcome.items() if isinstance(outcome.raw, list) else [outcome])
    return out


def _strings(node: Node | None) -> list[str | None]:
    """The entries of a string-or-list value as text; ``None`` for an unknown entry."""
    return [item.text() for item in _items(node)]


# -- which roles iam:PassRole reaches -------------------------------------------------------


class Reach(Enum):
    ANY = "any"  # every role of the account ("*", "arn:aws:iam::*:role/*")
    OTHERS = "others"  # named roles or a name pattern: roles other than the one passing
    SELF = "self"  # only the role that holds the grant
    NONE = "none"  # no role at all (another resource type)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PassTarget:
    reach: Reach
    what: str  # for messages: "every role ('*')", "role OtherRole", …


_ARN = re.compile(r"^arn:[^:]*:(?P<service>[^:]*):[^:]*:[^:]*:(?P<resource>.*)$", re.S)


def pass_role_reach(scope: Scope, role: Resource, grant: Grant) -> list[PassTarget]:
    """Which roles each ``Resource`` entry of an ``iam:PassRole`` grant reaches."""
    if grant.not_resource:
        return [PassTarget(Reach.ANY, "every role but those in NotResource")]
    return [_target(scope, role, node) for node in grant.resources]


def _target(scope: Scope, role: Resource, node: Node) -> PassTarget:
    text = node.text()
    if text is None:  # an unknown: a reference to a resource in scope still says which
        target = scope.by_address.get(node.ref) if node.ref is not None else None
        if target is None:
            return PassTarget(Reach.UNKNOWN, "")
        if target is role:
            return PassTarget(Reach.SELF, "")
        if target.kind is Kind.IAM_ROLE:
            return PassTarget(Reach.OTHERS, f"role {role_name(target)}")
        return PassTarget(Reach.NONE, "")
    text = text.strip()
    if text.strip("*") == "":
        return PassTarget(Reach.ANY, f"every role ('{text}')")
    if "${" in text:
        return _UNKNOWN  # an Fn::Sub the source left unresolved
    match = _ARN.match(text)
    if match is None:  # not an ARN: a role name, a placeholder, a typo
        return PassTarget(Reach.SELF, "") if scope.deref(node, Kind.IAM_ROLE) is role else _UNKNOWN
    service, resource = match.group("service"), match.group("resource")
    if not action_matches(service, "iam"):
        return PassTarget(Reach.NONE, "")
    if every_resource(text, "iam", "role/"):
        return PassTarget(Reach.ANY, f"every role ('{text}')")
    kind, _, name = resource.partition("/")
    if not name or not action_matches(kind, "role"):
        return PassTarget(Reach.NONE, "")  # an instance profile, a user, a policy, …
    if "*" in name or "?" in name:
        return PassTarget(Reach.OTHERS, f"roles matching '{text}'")
    found = scope.deref(node, Kind.IAM_ROLE)
    if found is role or (found is None and _named(role, name)):
        return PassTarget(Reach.SELF, "")
    shown = role_name(found) if found is not None else name.rsplit("/", 1)[-1]
    return PassTarget(Reach.OTHERS, f"role {shown}")


_UNKNOWN = PassTarget(Reach.UNKNOWN, "")


def _named(role: Resource, path_and_name: str) -> bool:
    """Whether ``role/<path_and_name>`` is ``role``: IAM role names are unique in an account
    whatever their path, and compared without case."""
    own = role.name
    return bool(own) and path_and_name.rsplit("/", 1)[-1].lower() == (own or "").lower()


# -- iam:PassedToService ----------------------------------------------------------------------

_PASSED_TO_SERVICE = "iam:passedtoservice"
_POSITIVE = frozenset({"stringequals", "stringequalsignorecase", "stringlike"})


@dataclass(frozen=True)
class PassedTo:
    """What a grant's Condition says about ``iam:PassedToService``."""

    known: bool  # False: the Condition (or the relevant part) is unknown
    services: tuple[str, ...] | None  # None: no iam:PassedToService condition


def passed_to_services(condition: Node | None) -> PassedTo:
    """The services an ``iam:PassedToService`` condition lets the role be passed to."""
    if condition is None:
        return PassedTo(True, None)
    if condition.unknown:
        return PassedTo(False, None)
    for operator, block in condition.entries().items():
        name = operator.split(":", 1)[1] if ":" in operator else operator
        name = name.lower().removesuffix("ifexists")
        if name not in _POSITIVE:
            continue
        if block.unknown:
            return PassedTo(False, None)
        for key, value in block.entries().items():
            if key.strip().lower() != _PASSED_TO_SERVICE:
                continue
            services = _strings(value)
            if value.unknown or any(s is None for s in services):
                return PassedTo(False, None)
            return PassedTo(True, tuple(s.strip() for s in services if s is not None))
    return PassedTo(True, None)
