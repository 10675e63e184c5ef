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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import IntEnum

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
    """An AWS managed policy that grants administrator-like access."""
    if name in BATCH_SERVICE_POLICIES:
        return False
    return (
        name.startswith("AdministratorAccess")
        or name in {"PowerUserAccess", "IAMFullAccess"}
        or name.endswith("FullAccess")
    )


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
