"""IAM reading shared by the role rules: which policies a role has, and which statements in
them are over-broad.

A role's policies come from four places, all resolved inside one scope:

- its inline ``policies[].policyDocument``;
- its ``managedPolicyArns``: an AWS managed policy ARN (its document is not in scope, only
  its name), or a reference/ARN/name of an ``IAM_POLICY`` in scope (its document);
- ``IAM_POLICY`` resources whose ``roles`` name the role (CloudFormation
  ``AWS::IAM::Policy``/``ManagedPolicy`` ``Roles``, Terraform ``aws_iam_role_policy``);
- ``IAM_POLICY_ATTACHMENT`` resources whose ``roles`` name the role, with their
  ``policyArn`` resolved as for ``managedPolicyArns``.

Unknown values are skipped, never guessed: an unknown document, statement, action or
resource is silent.

It also reads trust policies (which service a role lets assume it, and whether a
confused-deputy condition guards that) and which roles an instance profile gives instances.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from batchlint.location import join
from batchlint.model import JobDefinition, Kind, Node, Origin, Resource, Scope

# arn:<partition>:iam::aws:policy/<path/>Name; the partition may still be CloudFormation's
# ${AWS::Partition} when a source leaves Fn::Sub's pseudo parameters in place.
_AWS_MANAGED = re.compile(
    r"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|\$\{AWS::Partition\}):iam::aws:policy/"
    r"(?:[^/]+/)*(?P<name>[^/]+)$"
)

# The AWS managed policies Batch roles are meant to carry (service, instance and execution
# roles). They are never over-broad findings.
BATCH_SERVICE_POLICIES = frozenset(
    {
        "AmazonECSTaskExecutionRolePolicy",
        "AmazonEC2ContainerServiceforEC2Role",
        "AWSBatchServiceRole",
        "AmazonEC2ContainerServiceRole",
        "AmazonEC2SpotFleetTaggingRole",
        "AmazonSSMManagedInstanceCore",
        "AWSBatchServiceEventTargetRole",
    }
)

# Verbs of read-only actions: an action is a read when its verb starts with one of these.
READ_VERBS = ("get", "list", "describe", "head", "query", "scan", "select", "batchget", "view")


@dataclass(frozen=True)
class PolicySource:
    """One policy a role has.

    ``document`` is ``None`` for an AWS managed policy (only its ``arn`` and ``name`` are
    known). ``origin`` is the resource that declares the policy: the role itself (inline or
    ``managedPolicyArns``), an ``IAM_POLICY`` or an ``IAM_POLICY_ATTACHMENT``; ``at`` is the
    value that attaches it.
    """

    name: str
    document: Node | None
    origin: Resource
    at: Node | None = None
    arn: str | None = None
    policy: Resource | None = None  # the IAM_POLICY in scope, when there is one

    @property
    def aws_managed(self) -> bool:
        return self.arn is not None and aws_managed_name(self.arn) is not None


class Breadth(IntEnum):
    """How broad a statement is; lower is worse."""

    ALL_ACTIONS = 1  # "*"
    NOT_ACTION = 2  # Allow with NotAction: everything but a list
    SERVICE_WILDCARD = 3  # "s3:*"
    WRITE_ON_ANY_RESOURCE = 4  # a non-read action on Resource "*"


@dataclass(frozen=True)
class BroadStatement:
    """An Allow statement that grants too much."""

    index: int  # position in the Statement list (0 for a lone statement)
    sid: str | None
    action: str  # the offending action as written ("*", "s3:*", "s3:PutObject", …)
    breadth: Breadth
    node: Node  # the statement
    conditional: bool  # the statement has a Condition that may narrow it

    def label(self, policy: str) -> str:
        """The statement, for messages: its Sid, else the policy name and index."""
        if self.sid:
            return f"statement '{self.sid}' of policy '{policy}'"
        return f"statement {self.index} of policy '{policy}'"

    def describe(self) -> str:
        """What the statement allows, for messages."""
        if self.breadth is Breadth.ALL_ACTIONS:
            what = f"every action ('{self.action}')"
        elif self.breadth is Breadth.NOT_ACTION:
            what = f"every action except NotAction ('{self.action}', …)"
        elif self.breadth is Breadth.SERVICE_WILDCARD:
            what = f"every action of a service ('{self.action}')"
        else:
            what = f"'{self.action}' on every resource ('*')"
        return what + (" under a Condition" if self.conditional else "")


# -- ARNs -----------------------------------------------------------------------------------


def aws_managed_name(arn: str) -> str | None:
    """The name of an AWS managed policy ARN (paths like ``service-role/`` dropped)."""
    match = _AWS_MANAGED.match(arn.strip())
    return match.group("name") if match else None


def admin_like(name: str) -> bool:
    """An AWS managed policy that grants administrator-like access (``*FullAccess``, also in
    its versioned form ``CloudWatchFullAccessV2``)."""
    if name in BATCH_SERVICE_POLICIES:
        return False
    return (
        name.startswith("AdministratorAccess")
        or name in {"PowerUserAccess", "IAMFullAccess"}
        or _FULL_ACCESS.search(name) is not None
    )


_FULL_ACCESS = re.compile(r"FullAccess(?:V\d+)?$")


# -- a role's policies ----------------------------------------------------------------------


def policies_of_role(scope: Scope, role: Resource) -> list[PolicySource]:
    """Every policy ``role`` has in ``scope``, in a stable order: inline policies, then
    ``managedPolicyArns``, then policies naming the role, then attachments."""
    out: list[PolicySource] = []
    seen: set[object] = set()

    def add(source: PolicySource) -> None:
        # the same policy reached twice (managedPolicyArns and an attachment, a role's
        # computed inline_policy and the aws_iam_role_policy) is listed once
        keys: set[object] = set()
        if source.policy is not None:
            keys.add(id(source.policy))
        if source.arn:
            keys.add(source.arn)
        document = _as_document(source.document)
        if document is not None:
            keys.add((source.name, json.dumps(document.plain(), sort_keys=True)))
        if not keys or not keys & seen:
            out.append(source)
        seen.update(keys)

    inline = role.props.get("policies")
    for index, entry in enumerate(inline.items() if inline is not None else []):
        name_node = entry.get("policyName")
        name = (name_node.text() if name_node is not None else None) or f"inline policy {index}"
        document = entry.get("policyDocument")
        if document is not None:
            add(PolicySource(name, document, role, at=entry))
    arns = role.props.get("managedPolicyArns")
    for item in _list_items(arns):
        found = _by_arn(scope, item, role)
        if found is not None:
            add(found)
    for policy in _naming(scope, role, Kind.IAM_POLICY):
        add(
            PolicySource(
                _policy_name(policy), policy.props.get("policyDocument"), policy, policy=policy
            )
        )
    for attachment in _naming(scope, role, Kind.IAM_POLICY_ATTACHMENT):
        arn_node = attachment.props.get("policyArn")
        if arn_node is not None:
            found = _by_arn(scope, arn_node, attachment)
            if found is not None:
                add(found)
    return out


@dataclass(frozen=True)
class AttachedArn:
    """A managed policy ARN attached to a role, as written (AWS or customer managed)."""

    arn: str
    node: Node
    origin: Resource  # the role (managedPolicyArns) or the attachment

    @property
    def aws_name(self) -> str | None:
        return aws_managed_name(self.arn)


def managed_policy_arns(scope: Scope, role: Resource) -> list[AttachedArn]:
    """Every known managed policy ARN attached to ``role``: its ``managedPolicyArns`` and
    the ``policyArn`` of attachments naming it. Unknown ARNs are left out."""
    out: list[AttachedArn] = []
    for item in _list_items(role.props.get("managedPolicyArns")):
        text = item.text()
        if text:
            out.append(AttachedArn(text, item, role))
    for attachment in _naming(scope, role, Kind.IAM_POLICY_ATTACHMENT):
        node = attachment.props.get("policyArn")
        text = node.text() if node is not None else None
        if node is not None and text:
            out.append(AttachedArn(text, node, attachment))
    return out


def _list_items(node: Node | None) -> list[Node]:
    if node is None:
        return []
    items: list[Node] = []
    for outcome in node.outcomes():  # an Fn::If list: every branch's entries
        if outcome is not None:
            items.extend(outcome.items())
    return items


def _by_arn(scope: Scope, node: Node, origin: Resource) -> PolicySource | None:
    """A managed policy attached by ``node``: a policy in scope, else an AWS managed ARN."""
    target = scope.deref(node, Kind.IAM_POLICY)
    if target is not None:
        return PolicySource(
            _policy_name(target),
            target.props.get("policyDocument"),
            origin,
            at=node,
            arn=node.text(),
            policy=target,
        )
    text = node.text()
    name = aws_managed_name(text) if text else None
    if text and name:
        return PolicySource(name, None, origin, at=node, arn=text)
    return None


def _naming(scope: Scope, role: Resource, kind: Kind) -> list[Resource]:
    """Resources of ``kind`` whose ``roles`` (or a lone ``role``) refer to ``role``."""
    index = scope.cached(("iam_naming", kind), lambda: _naming_index(scope, kind))
    return list(index.get(role, ()))


def _naming_index(scope: Scope, kind: Kind) -> dict[Resource, list[Resource]]:
    """Every role the resources of ``kind`` name, with those resources in source order."""
    index: dict[Resource, list[Resource]] = {}
    for resource in scope.of_kind(kind):
        for key in ("roles", "role"):
            for role in scope.deref_all(resource.props.get(key)):
                found = index.setdefault(role, [])
                if not found or found[-1] is not resource:
                    found.append(resource)
    return index


def _policy_name(policy: Resource) -> str:
    node = policy.props.get("policyName") or policy.props.get("managedPolicyName")
    name = node.text() if node is not None else None
    return name or policy.name or policy.address


def role_name(role: Resource) -> str:
    """The role for messages: its address (logical id or Terraform address)."""
    return role.address


# -- what a role's policies grant beyond need -----------------------------------------------


def over_broad_grants(
    scope: Scope, role: Resource, up_to: Breadth = Breadth.WRITE_ON_ANY_RESOURCE
) -> list[str]:
    """What is over-broad in ``role``'s policies, the worst first, for messages: attached
    administrator-like AWS managed policies, then the broad statements no narrower than
    ``up_to`` (``Breadth.SERVICE_WILDCARD`` leaves out non-read actions on ``*``)."""
    return scope.cached(
        ("over_broad_grants", role.address, up_to), lambda: _over_broad(scope, role, up_to)
    )


def _over_broad(scope: Scope, role: Resource, up_to: Breadth) -> list[str]:
    ranked: list[tuple[int, int, str]] = []
    for order, source in enumerate(policies_of_role(scope, role)):
        if source.document is None:
            if source.aws_managed and admin_like(source.name):
                ranked.append((0, order, f"has the AWS managed policy {source.name} attached"))
            continue
        for found in broad_statements(source.document):
            if found.breadth <= up_to:
                text = f"allows {found.describe()} in {found.label(source.name)}"
                ranked.append((int(found.breadth), order, text))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [text for _, _, text in ranked]


def grants_summary(problems: list[str]) -> str:
    """The worst of :func:`over_broad_grants` and how many more there are."""
    more = len(problems) - 1
    extra = f", and {more} more over-broad statement{'s' if more > 1 else ''}" if more else ""
    return f"{problems[0]}{extra}"


# -- trust policies -------------------------------------------------------------------------

# Global condition keys that tie a service principal's use of a role to the account or
# resource it acts for (the confused-deputy guards), lower-cased: IAM compares keys so.
CONFUSED_DEPUTY_KEYS = frozenset(
    {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}
)
# Condition operators that require the key to match a value (set and IfExists forms too).
_MATCHING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)


@dataclass(frozen=True)
class TrustGrant:
    """A trust-policy statement that lets a service assume the role without a
    confused-deputy condition."""

    index: int  # position in the Statement list (0 for a lone statement)
    sid: str | None
    node: Node  # the statement

    def label(self) -> str:
        return f"statement '{self.sid}' ({self.index})" if self.sid else f"statement {self.index}"


def unguarded_service_trust(document: Node | None, service: str) -> list[TrustGrant]:
    """The Allow statements of a trust policy that let ``service`` (``batch.amazonaws.com``)
    call ``sts:AssumeRole`` with no ``aws:SourceAccount``/``aws:SourceArn`` (or
    ``aws:SourceOrgID``/``aws:SourceOrgPaths``) condition. Unknown effects, principals,
    actions and conditions are not findings."""
    out = []
    for index, statement in statements(document):
        if not _allows(statement) or not _names_service(statement, service):
            continue
        if not _grants_assume_role(statement) or _guarded(statement.get("Condition")):
            continue
        sid_node = statement.get("Sid")
        out.append(TrustGrant(index, sid_node.text() if sid_node is not None else None, statement))
    return out


def _allows(statement: Node) -> bool:
    effect = statement.get("Effect")
    return effect is not None and (effect.text() or "").strip().lower() == "allow"


def _names_service(statement: Node, service: str) -> bool:
    principal = statement.get("Principal")
    if principal is None or principal.unknown or not isinstance(principal.raw, dict):
        return False  # "*" and AWS/Federated principals are other findings' business
    wanted = service.lower()
    for name in _texts(principal.get("Service")):
        low = name.lower()
        if low == wanted or low == wanted + ".cn":
            return True
    return False


def _grants_assume_role(statement: Node) -> bool:
    actions = statement.get("Action")
    if actions is not None:
        return any(_matches(a, "sts:assumerole") for a in _texts(actions))
    excluded = statement.get("NotAction")
    if excluded is None or excluded.unknown:
        return False
    return not any(_matches(a, "sts:assumerole") for a in _texts(excluded))


def _matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` and ``?`` wildcards."""
    return fnmatch.fnmatchcase(action, pattern.strip().lower())


def _guarded(condition: Node | None) -> bool:
    """A Condition that ties the grant to a source account, ARN or organization; an
    unknown Condition (or operator block) counts as guarded: silence over a guess."""
    if condition is None:
        return False
    if condition.unknown:
        return True
    for operator, block in condition.entries().items():
        name = operator.split(":", 1)[1] if ":" in operator else operator
        name = name.lower().removesuffix("ifexists")
        if name not in _MATCHING_OPERATORS:
            continue
        if block.unknown:
            return True
        if any(key.lower() in CONFUSED_DEPUTY_KEYS for key in block.entries()):
            return True
    return False


# -- instance profiles ----------------------------------------------------------------------


def instance_profile_roles(
    scope: Scope, node: Node | None
) -> tuple[Resource | None, list[Resource]]:
    """The instance profile a value names and the roles in scope it gives instances; a
    value that names no profile in scope but a role (by reference, ARN or name) gives that
    role, with no profile."""
    profile = scope.deref(node, Kind.INSTANCE_PROFILE)
    if profile is not None:
        return profile, scope.deref_all(profile.props.get("roles"), Kind.IAM_ROLE)
    role = scope.deref(node, Kind.IAM_ROLE)
    return None, [role] if role is not None else []


# -- statements -----------------------------------------------------------------------------


def statements(document: Node | None) -> list[tuple[int, Node]]:
    """The known statements of a policy document (a lone statement dict counts as one)."""
    document = _as_document(document)
    if document is None:
        return []
    body = document.get("Statement")
    if body is None or body.unknown:
        return []
    if isinstance(body.raw, dict):
        return [(0, body)]
    return [(i, s) for i, s in enumerate(body.items()) if isinstance(s.raw, dict)]


def broad_statements(document: Node | None) -> list[BroadStatement]:
    """Allow statements that grant ``*``, ``service:*``, ``NotAction``, or non-read actions
    on ``Resource: "*"``; one entry per statement, its worst action. Deny is never broad."""
    out = []
    for index, statement in statements(document):
        found = _broad(index, statement)
        if found is not None:
            out.append(found)
    return out


def worst(found: list[BroadStatement]) -> BroadStatement | None:
    """The broadest statement; the first one among equals."""
    return min(found, key=lambda s: s.breadth) if found else None


def _broad(index: int, statement: Node) -> BroadStatement | None:
    effect = statement.get("Effect")
    if effect is None or (effect.text() or "").strip().lower() != "allow":
        return None
    sid_node = statement.get("Sid")
    sid = sid_node.text() if sid_node is not None else None
    conditional = statement.get("Condition") is not None

    def hit(action: str, breadth: Breadth) -> BroadStatement:
        return BroadStatement(index, sid, action, breadth, statement, conditional)

    not_action = _texts(statement.get("NotAction"))
    if statement.get("NotAction") is not None and statement.get("Action") is None:
        return hit(not_action[0] if not_action else "…", Breadth.NOT_ACTION)
    actions = _texts(statement.get("Action"))
    for action in actions:
        if _all_actions(action):
            return hit(action, Breadth.ALL_ACTIONS)
    for action in actions:
        if _service_wildcard(action):
            return hit(action, Breadth.SERVICE_WILDCARD)
    if _any_resource(statement):
        for action in actions:
            if not _read(action):
                return hit(action, Breadth.WRITE_ON_ANY_RESOURCE)
    return None


def _texts(node: Node | None) -> list[str]:
    """The known strings of a string-or-list value; unknown entries are skipped."""
    out = []
    for item in _list_items(node):
        text = item.text()
        if text is not None:
            out.append(text.strip())
    return out


def _all_actions(action: str) -> bool:
    return action == "*" or re.fullmatch(r"\*+(:\*+)?", action) is not None


def _service_wildcard(action: str) -> bool:
    service, sep, verb = action.partition(":")
    return bool(sep) and service != "" and set(verb) == {"*"}


def _read(action: str) -> bool:
    """A read-only action: its verb starts with a read verb. A wildcard verb counts as a read
    when it can only match read verbs (``s3:Get*``, ``s3:Li*``)."""
    _, sep, verb = action.partition(":")
    if not sep:
        return False
    verb = verb.lower()
    if "*" in verb or "?" in verb:
        prefix = re.split(r"[*?]", verb, maxsplit=1)[0]
        if not prefix:
            return False
        return any(prefix.startswith(r) or r.startswith(prefix) for r in READ_VERBS)
    return verb.startswith(READ_VERBS)


def _any_resource(statement: Node) -> bool:
    if statement.get("NotResource") is not None:
        return True  # Allow with NotResource: every resource but a list
    return "*" in _texts(statement.get("Resource"))


def _as_document(document: Node | None) -> Node | None:
    """A policy document node; a document still written as a JSON string is parsed."""
    if document is None or document.unknown:
        return None
    if isinstance(document.raw, dict):
        return document
    if isinstance(document.raw, str):
        try:
            data = json.loads(document.raw)
        except (ValueError, RecursionError):
            return None
        if isinstance(data, dict):
            return _nodes(data, document.pointer, document.inner)
    return None


def _nodes(data: object, pointer: str, inner: str) -> Node:
    if isinstance(data, dict):
        return Node(
            {str(k): _nodes(v, pointer, join(inner, str(k))) for k, v in data.items()},
            Origin.SET,
            pointer,
            inner,
        )
    if isinstance(data, list):
        return Node(
            [_nodes(v, pointer, join(inner, i)) for i, v in enumerate(data)],
            Origin.SET,
            pointer,
            inner,
        )
    if isinstance(data, (str, int, float, bool)) or data is None:
        return Node(data, Origin.SET, pointer, inner)
    return Node(str(data), Origin.SET, pointer, inner)


# -- job definition roles -------------------------------------------------------------------


@dataclass(frozen=True)
class RoleField:
    """A role a job definition names: its value and where it is, for messages."""

    node: Node
    field: str  # "jobRoleArn", "executionRoleArn", "taskRoleArn"
    label: str  # "containerProperties.jobRoleArn", "node range 0:3 task 0 taskRoleArn", …

    @property
    def execution(self) -> bool:
        return self.field == "executionRoleArn"


def job_definition_roles(jd: JobDefinition) -> list[RoleField]:
    """Every job and execution role a job definition names: container properties, node range
    containers, ECS task properties (also inside node ranges). EKS service accounts are
    Kubernetes names, not IAM roles, and are not listed."""
    out: list[RoleField] = []
    props = jd.props

    def container(node: Node | None, where: str) -> None:
        if node is None or node.unknown:
            return
        for key in ("jobRoleArn", "executionRoleArn"):
            value = node.get(key)
            if value is not None:
                out.append(RoleField(value, key, f"{where}.{key}"))

    def ecs(node: Node | None, where: str) -> None:
        tasks = node.get("taskProperties") if node is not None else None
        for index, task in enumerate(tasks.items() if tasks is not None else []):
            for key in ("taskRoleArn", "executionRoleArn"):
                value = task.get(key)
                if value is not None:
                    out.append(RoleField(value, key, f"{where}.taskProperties[{index}].{key}"))

    container(props.get("containerProperties"), "containerProperties")
    ecs(props.get("ecsProperties"), "ecsProperties")
    ranges = props.get("nodeProperties", "nodeRangeProperties")
    for index, group in enumerate(ranges.items() if ranges is not None else []):
        where = f"nodeRangeProperties[{index}]"
        container(group.get("container"), f"{where}.container")
        ecs(group.get("ecsProperties"), f"{where}.ecsProperties")
    return out


# -- what a role's policies allow -----------------------------------------------------------

# The parts of AWS managed policies that grant reading secrets or decrypting with a key
# (secretsmanager, ssm, kms), for the policies execution roles commonly carry; an AWS
# managed policy not listed here is not known, and what it allows cannot be told.
_MANAGED_GRANTS: dict[str, tuple[dict[str, object], ...]] = {
    "AmazonECSTaskExecutionRolePolicy": (),  # ecr and logs only
    "AmazonEC2ContainerServiceforEC2Role": (),
    "AmazonEC2ContainerServiceRole": (),
    "AWSBatchServiceRole": (),
    "AdministratorAccess": ({"Effect": "Allow", "Action": "*", "Resource": "*"},),
    "PowerUserAccess": (
        {
            "Effect": "Allow",
            "NotAction": ["iam:*", "organizations:*", "account:*"],
            "Resource": "*",
        },
    ),
    "SecretsManagerReadWrite": (
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
    ),
    "AmazonSSMFullAccess": ({"Effect": "Allow", "Action": "ssm:*", "Resource": "*"},),
    "AmazonSSMReadOnlyAccess": (
        {"Effect": "Allow", "Action": ["ssm:Describe*", "ssm:Get*", "ssm:List*"], "Resource": "*"},
    ),
    "AmazonSSMManagedInstanceCore": (
        {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"], "Resource": "*"},
    ),
}


@dataclass(frozen=True)
class Target:
    """The resource a request is about, as far as it is known.

    ``arn`` when it is written out; else the ``service`` and, when known, the ``resource``
    part of its ARN (``parameter/app/db`` for an SSM parameter named without its ARN: its
    region and account are unknown). ``ref`` is the address of the resource in scope it is.
    ``partial``: a Secrets Manager ARN or name without the six-character suffix Secrets
    Manager adds, which the real ARN, the one IAM matches, has."""

    service: str
    arn: str | None = None
    resource: str | None = None
    ref: str | None = None
    partial: bool = False


def role_documents(scope: Scope, role: Resource) -> list[tuple[PolicySource, Node]] | None:
    """Every policy document of ``role``, AWS managed ones included (as far as
    :data:`_MANAGED_GRANTS` knows them); ``None`` when one of its policies cannot be read: an
    unknown document or ARN, a customer managed policy outside the scope, an AWS managed
    policy not known, or a policy or attachment whose roles are unknown."""
    return scope.cached(("role_documents", role.address), lambda: _role_documents(scope, role))


def _role_documents(scope: Scope, role: Resource) -> list[tuple[PolicySource, Node]] | None:
    if not _complete(scope, role):
        return None
    out: list[tuple[PolicySource, Node]] = []
    for source in policies_of_role(scope, role):
        if source.document is None:
            grants = _MANAGED_GRANTS.get(source.name)
            if grants is None:
                return None
            document = {"Version": "2012-10-17", "Statement": list(grants)}
            out.append((source, _nodes(document, "", "")))
            continue
        found = _as_document(source.document)
        if found is None or _statement_nodes(found) is None:
            return None
        out.append((source, found))
    return out


def _complete(scope: Scope, role: Resource) -> bool:
    """Whether every policy ``role`` has is one :func:`policies_of_role` can give."""
    inline = role.props.get("policies")
    if inline is not None and (inline.unknown or any(e.unknown for e in _list_items(inline))):
        return False
    for entry in _list_items(inline):
        document = entry.get("policyDocument")
        if document is not None and document.unknown:
            return False
    arns = role.props.get("managedPolicyArns")
    if arns is not None and arns.unknown and not arns.every_outcome():
        return False  # unknown, or an Fn::If with an unknown branch
    attached = list(_list_items(arns))
    for attachment in _naming(scope, role, Kind.IAM_POLICY_ATTACHMENT):
        node = attachment.props.get("policyArn")
        if node is None:
            return False
        attached.append(node)
    for node in attached:
        if scope.deref(node, Kind.IAM_POLICY) is not None:
            continue
        text = node.text()
        if not text or aws_managed_name(text) is None:
            return False  # unknown, or a customer managed policy outside the scope
    for kind in (Kind.IAM_POLICY, Kind.IAM_POLICY_ATTACHMENT):
        for resource in scope.of_kind(kind):
            if _names_unknown_roles(scope, resource):
                return False  # it may name this role
    return True


def _names_unknown_roles(scope: Scope, resource: Resource) -> bool:
    for key in ("roles", "role"):
        node = resource.props.get(key)
        if node is None:
            continue
        if node.unknown and node.ref is None and not node.every_outcome():
            return True
        for item in _list_items(node):
            if item.unknown and item.ref is None:
                return True
            if item.ref is None and not item.text():
                return True
    return False


def allows(
    scope: Scope, documents: list[tuple[PolicySource, Node]], action: str, target: Target
) -> bool | None:
    """Whether the policies allow ``action`` on ``target``: an Allow statement that matches
    and no Deny that does. ``None`` when it cannot be told: an unknown effect, action or
    resource that may match, or a ``Condition`` on a statement that would decide."""
    allowed: bool | None = False
    denied: bool | None = False
    for _, document in documents:
        for statement in _statement_nodes(document) or []:
            effect = statement.get("Effect")
            word = (effect.text() or "").strip().lower() if effect is not None else ""
            if word not in ("allow", "deny"):
                return None
            found = _and(
                _action_matches(statement, action), _resource_matches(scope, statement, target)
            )
            if found is True and statement.get("Condition") is not None:
                found = None
            if word == "allow":
                allowed = _or(allowed, found)
            else:
                denied = _or(denied, found)
    if denied is True or allowed is False:
        return False
    if allowed is True and denied is False:
        return True
    return None


def _statement_nodes(document: Node) -> list[Node] | None:
    """The statements of a document; ``None`` when the list or one of them is unknown."""
    body = document.get("Statement")
    if body is None:
        return []
    if body.unknown:
        return None
    items = [body] if isinstance(body.raw, dict) else body.items()
    if any(item.unknown or not isinstance(item.raw, dict) for item in items):
        return None
    return items


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return True if a is True and b is True else None


def _or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return False if a is False and b is False else None


def _action_matches(statement: Node, action: str) -> bool | None:
    wanted = action.lower()
    node, negated = statement.get("Action"), False
    if node is None:
        node, negated = statement.get("NotAction"), True
    if node is None:
        return False
    found = _any(_pattern_items(node), lambda item: _action_item(item, wanted))
    if negated:
        return None if found is None else not found
    return found


def _action_item(item: Node, wanted: str) -> bool | None:
    text = item.text()
    if text is None:
        return None
    return _matches(text.strip().lower(), wanted)


def _resource_matches(scope: Scope, statement: Node, target: Target) -> bool | None:
    node, negated = statement.get("Resource"), False
    if node is None:
        node, negated = statement.get("NotResource"), True
    if node is None:
        return False
    found = _any(_pattern_items(node), lambda item: resource_matches(scope, item, target))
    if negated:
        return None if found is None else not found
    return found


def _pattern_items(node: Node) -> list[Node]:
    """A string-or-list value's entries, every branch's of an ``Fn::If``; a value whose
    outcomes are unknown is one unknown entry."""
    outcomes = node.every_outcome()
    if not outcomes:
        return [node]
    items: list[Node] = []
    for outcome in outcomes:
        if outcome is not None:
            items.extend(outcome.items())
    return items


def _any(items: list[Node], test: Callable[[Node], bool | None]) -> bool | None:
    found: bool | None = False
    for item in items:
        found = _or(found, test(item))
        if found is True:
            return True
    return found


def resource_matches(scope: Scope, pattern: Node, target: Target) -> bool | None:
    """Whether a policy's ``Resource`` entry matches ``target`` (IAM matching: ``*`` and
    ``?`` wildcards, case-sensitive); ``None`` when it cannot be told."""
    if pattern.ref is not None and target.ref is not None:
        if pattern.ref == target.ref:
            return True
        if pattern.text() is None:
            mine, theirs = scope.by_address.get(pattern.ref), scope.by_address.get(target.ref)
            if mine is not None and theirs is not None and mine.kind is theirs.kind:
                return False  # names another resource of the same kind: another ARN
            return None
    text = pattern.text()
    if text is None:
        return None
    text = text.strip()
    if text == "*":
        return True
    if target.arn is not None:
        return _arn_matches(text, target.arn, target.partial)
    return _fields_match(text, target)


_SUFFIX_PROBE = "-Zq0Zq0"  # stands for the random suffix of a secret named without it


def _arn_matches(pattern: str, arn: str, partial: bool) -> bool | None:
    if partial:
        if glob(pattern).fullmatch(arn + _SUFFIX_PROBE):
            return True
        # a pattern naming one full ARN ("...:secret:db-AbCdEf") may be this secret's
        if len(pattern) > 7 and pattern[-7] == "-" and glob(pattern[:-7]).fullmatch(arn):
            return None
        return False
    if glob(pattern).fullmatch(arn):
        return True
    if glob(pattern).fullmatch(arn + _SUFFIX_PROBE):
        return None  # the name may end in something that looks like a suffix
    return False


def _fields_match(pattern: str, target: Target) -> bool | None:
    """Matching by ARN field, for a target whose region and account are unknown."""
    fields = pattern.split(":", 5)
    if not glob(fields[0]).fullmatch("arn"):
        return False
    if len(fields) < 6:
        return None
    _, partition, service, region, account, resource = fields
    if not glob(service).fullmatch(target.service):
        return False
    if not any(glob(partition).fullmatch(p) for p in ("aws", "aws-cn", "aws-us-gov")):
        return None
    found: bool | None = True
    for part in (region, account):
        if set(part) != {"*"}:
            found = None
    if target.resource is None:
        return found if set(resource) == {"*"} else None
    return _and(found, _arn_matches(resource, target.resource, target.partial))


def every_resource(pattern: str, service: str, kind: str) -> bool:
    """Whether an ARN pattern matches every resource of ``kind`` (the resource part's
    prefix: ``secret:``, ``parameter/``) of ``service``, in some account and region:
    ``*``, ``arn:aws:secretsmanager:*:*:secret:*``, ``arn:aws:ssm:us-east-1:123456789012:
    parameter/*``."""
    pattern = pattern.strip()
    if pattern == "*":
        return True
    fields = pattern.split(":", 5)
    probes = ["aws", service, "us-east-1", "123456789012"]
    if len(fields) == 6:
        # the pattern's own partition, region and account when it fixes them
        for index in (1, 3, 4):
            if not any(c in fields[index] for c in "*?"):
                probes[index - 1] = fields[index]
    head = "arn:" + ":".join(probes) + ":"
    names = ("a", "Zq9/x_y.z-1", "prod/db-AbCdEf")
    return all(glob(pattern).fullmatch(head + kind + name) for name in names)


@lru_cache(maxsize=1024)
def glob(pattern: str) -> re.Pattern[str]:
    """An IAM wildcard pattern as a regular expression: ``*`` any run, ``?`` one character."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.S)


# -- grants on every resource of a kind ----------------------------------------------------


@dataclass(frozen=True)
class WideGrant:
    """An Allow statement that grants an action on every resource of a kind."""

    source: PolicySource
    index: int
    sid: str | None
    action: str  # as written ("secretsmanager:*")
    resource: str  # as written ("*")

    def label(self) -> str:
        if self.sid:
            return f"statement '{self.sid}' of policy '{self.source.name}'"
        if self.source.document is None:
            return f"the AWS managed policy {self.source.name}"
        return f"statement {self.index} of policy '{self.source.name}'"


def wide_grants(
    scope: Scope, role: Resource, actions: tuple[str, ...], service: str, kind: str
) -> list[WideGrant]:
    """The unconditional Allow statements of ``role``'s policies that grant one of
    ``actions`` (of ``service``) on every resource of ``kind`` (see :func:`every_resource`),
    unless a Deny takes the action back on every such resource. Policies that cannot be read
    are skipped: one grant found is enough."""
    out: list[WideGrant] = []
    documents = _known_documents(scope, role)
    for source, document in documents:
        for index, statement in enumerate(_statement_nodes(document) or []):
            if not _allows(statement) or statement.get("Condition") is not None:
                continue
            action = _granted(statement, actions)
            resource = _every(statement, service, kind)
            if action is None or resource is None:
                continue
            granted = [a for a in actions if _action_matches(statement, a) is True]
            if all(_denied_everywhere(documents, a, service, kind) for a in granted):
                continue
            sid_node = statement.get("Sid")
            sid = sid_node.text() if sid_node is not None else None
            out.append(WideGrant(source, index, sid, action, resource))
    return out


def _known_documents(scope: Scope, role: Resource) -> list[tuple[PolicySource, Node]]:
    out = []
    for source in policies_of_role(scope, role):
        if source.document is None:
            grants = _MANAGED_GRANTS.get(source.name)
            if grants:
                document = {"Version": "2012-10-17", "Statement": list(grants)}
                out.append((source, _nodes(document, "", "")))
            continue
        found = _as_document(source.document)
        if found is not None:
            out.append((source, found))
    return out


def _granted(statement: Node, actions: tuple[str, ...]) -> str | None:
    """The action as written through which the statement grants one of ``actions``."""
    if statement.get("Action") is None:
        excluded = statement.get("NotAction")
        if excluded is None or excluded.unknown:
            return None
        texts = _texts(excluded)
        for action in actions:
            if not any(_matches(t.lower(), action.lower()) for t in texts):
                rest = ", …" if len(texts) > 1 else ""
                return f"every action except {texts[0] if texts else '…'}{rest}"
        return None
    for text in _texts(statement.get("Action")):
        if any(_matches(text.lower(), action.lower()) for action in actions):
            return text
    return None


def _every(statement: Node, service: str, kind: str) -> str | None:
    for text in _texts(statement.get("Resource")):
        if every_resource(text, service, kind):
            return text
    return None


def _denied_everywhere(
    documents: list[tuple[PolicySource, Node]], action: str, service: str, kind: str
) -> bool:
    for _, document in documents:
        for statement in _statement_nodes(document) or []:
            effect = statement.get("Effect")
            if effect is None or (effect.text() or "").strip().lower() != "deny":
                continue
            if statement.get("Condition") is not None:
                continue
            acts = _texts(statement.get("Action"))
            if any(_matches(a.lower(), action.lower()) for a in acts) and _every(
                statement, service, kind
            ):
                return True
    return False
