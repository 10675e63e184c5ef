"""The secrets a job definition's containers read at start, and the execution role that
reads them.

A container names secrets in two places: ``secrets[].valueFrom`` (environment variables)
and ``logConfiguration.secretOptions[].valueFrom`` (log driver options). The ECS agent reads
them with the container's execution role — ``executionRoleArn`` of container properties or
of a node range's container, or of the ECS task a container belongs to — before the
container starts. EKS containers read Kubernetes secrets instead and have neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batchlint.containers import Container
from batchlint.iam import Target
from batchlint.model import JobDefinition, Kind, Node, Resource, Scope
from batchlint.secrets_detect import known_format

# the action the ECS agent calls to read a secret of each service
READ_ACTIONS = {
    "secretsmanager": "secretsmanager:GetSecretValue",
    "ssm": "ssm:GetParameters",
}
SERVICE_NAMES = {"secretsmanager": "Secrets Manager", "ssm": "SSM Parameter Store"}
# the random suffix Secrets Manager adds to a secret's name in its ARN
_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
_AWS_MANAGED_KEY = re.compile(r"^(?:arn:[^:]+:kms:[^:]*:[^:]*:)?alias/aws/", re.I)
_KEY_ID = re.compile(
    r"^(?:mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$"
)


@dataclass(frozen=True)
class SecretUse:
    """One secret a container reads at start."""

    name: str  # the environment variable or log option it sets ("" when unknown)
    value_from: Node
    where: str  # "secrets" or "logConfiguration.secretOptions"

    @property
    def label(self) -> str:
        """For messages; a name in a credential's format is never echoed."""
        what = "log option" if self.where != "secrets" else "secret"
        if not self.name:
            return f"a {what}"
        return f"{what} {'(name redacted)' if known_format(self.name) else self.name}"


def secret_uses(container: Container) -> list[SecretUse]:
    """The secrets ``container`` reads, in the order written."""
    if container.is_eks:
        return []
    out = []
    for where, path in (
        ("secrets", ("secrets",)),
        ("logConfiguration.secretOptions", ("logConfiguration", "secretOptions")),
    ):
        for entry in container.node.each(*path):
            value_from = entry.get("valueFrom")
            if value_from is None:
                continue
            name_node = entry.get("name")
            name = name_node.text() if name_node is not None else None
            out.append(SecretUse(name or "", value_from, where))
    return out


@dataclass(frozen=True)
class ExecutionRole:
    """The execution role value a container starts with."""

    node: Node | None  # executionRoleArn; None when it is absent
    label: str  # "containerProperties.executionRoleArn", …
    holder: Node  # the dict that holds (or would hold) executionRoleArn

    @property
    def absent(self) -> bool:
        """No execution role in any case: absent, or an ``Fn::If`` of absences."""
        return _absent(self.node)


def _absent(node: Node | None) -> bool:
    if node is None:
        return True
    return node.unknown and bool(node.alts) and all(_absent(alt) for alt in node.alts or ())


def execution_roles(jd: JobDefinition) -> dict[int, ExecutionRole]:
    """The execution role of each container of ``jd``, by ``id`` of the container's node."""
    out: dict[int, ExecutionRole] = {}
    props = jd.props

    def own(container: Node | None, where: str) -> None:
        if container is not None and container.known:
            label = f"{where}.executionRoleArn"
            out[id(container)] = ExecutionRole(container.get("executionRoleArn"), label, container)

    def tasks(ecs: Node | None, where: str) -> None:
        for index, task in enumerate(ecs.each("taskProperties") if ecs is not None else []):
            label = f"{where}.taskProperties[{index}].executionRoleArn"
            role = ExecutionRole(task.get("executionRoleArn"), label, task)
            for container in task.each("containers"):
                out[id(container)] = role

    own(props.get("containerProperties"), "containerProperties")
    tasks(props.get("ecsProperties"), "ecsProperties")
    for index, group in enumerate(props.each("nodeProperties", "nodeRangeProperties")):
        where = f"nodeRangeProperties[{index}]"
        own(group.get("container"), f"{where}.container")
        tasks(group.get("ecsProperties"), f"{where}.ecsProperties")
    return out


def secret_target(scope: Scope, value_from: Node) -> Target | None:
    """What a ``valueFrom`` names, as a request target: a Secrets Manager secret (by ARN,
    or a secret in scope), or an SSM parameter (by ARN or name). ``None`` when unknown."""
    text = value_from.text()
    if text is None:
        secret = scope.deref(value_from, Kind.SECRET)
        if secret is None:
            return None
        return _secret(secret)
    text = text.strip()
    if not text.startswith("arn:"):
        if not text or "{{" in text:
            return None
        return Target("ssm", resource="parameter/" + text.lstrip("/"))
    parts = text.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "ssm":
        return Target("ssm", arn=text)
    if service != "secretsmanager" or len(parts) < 7:
        return None
    arn = ":".join(parts[:7])  # without the JSON key, version stage and version id
    secret = scope.deref(value_from, Kind.SECRET) or scope.deref(Node(arn), Kind.SECRET)
    partial = _SUFFIX.search(parts[6]) is None
    return Target(
        "secretsmanager", arn=arn, ref=secret.address if secret else None, partial=partial
    )


def _secret(secret: Resource) -> Target:
    name_node = secret.props.get("name")
    name = name_node.text() if name_node is not None else None
    if secret.arn:
        partial = _SUFFIX.search(secret.arn) is None
        return Target("secretsmanager", arn=secret.arn, ref=secret.address, partial=partial)
    resource = f"secret:{name}" if name else None
    return Target("secretsmanager", resource=resource, ref=secret.address, partial=True)


def secret_key(scope: Scope, value_from: Node) -> tuple[Node, Target] | None:
    """The customer managed KMS key of a Secrets Manager secret in scope that
    ``value_from`` names: its ``kmsKeyId`` and that key as a request target. ``None`` for a
    secret encrypted with the AWS managed key, or not in scope."""
    secret = scope.deref(value_from, Kind.SECRET)
    if secret is None:
        text = value_from.text()
        parts = text.strip().split(":") if text else []
        if len(parts) >= 7 and parts[2] == "secretsmanager":
            secret = scope.deref(Node(":".join(parts[:7])), Kind.SECRET)
    key = secret.props.get("kmsKeyId") if secret is not None else None
    if key is None:
        return None
    text = key.text()
    if text is None:
        return (key, Target("kms", ref=key.ref)) if key.ref else None
    text = text.strip()
    if not text or _AWS_MANAGED_KEY.match(text):
        return None
    if text.startswith("arn:") and ":key/" in text:
        return key, Target("kms", arn=text, ref=key.ref)
    if _KEY_ID.match(text):
        return key, Target("kms", resource=f"key/{text}", ref=key.ref)
    return key, Target("kms", ref=key.ref)  # an alias: the key's ARN is not known


def literal_texts(value: Node | None, patterns: bool = False) -> list[str]:
    """The literal strings a value can be: itself, or every known branch of an ``Fn::If``
    (also when another branch is unknown: a literal written in the template is there
    whatever the condition). With ``patterns``, also what is written of a string only partly
    known (``!Sub "{{resolve:secretsmanager:${Secret}}}"``), with ``*`` for the unknown parts."""
    if value is None:
        return []
    if value.known:
        text = value.text()
        return [text] if text is not None else []
    out: list[str] = [value.pattern] if patterns and value.pattern else []
    for alt in value.alts or ():
        out.extend(literal_texts(alt, patterns))
    return out
