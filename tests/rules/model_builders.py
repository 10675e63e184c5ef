"""Build model scopes by hand, for rule tests that must not wait for a source."""

from __future__ import annotations

from typing import Any

from batchlint.location import join
from batchlint.model import Kind, Node, Origin, Resource, Scope


class Ref:
    """A reference to a resource in scope (a !GetAtt / Terraform reference)."""

    def __init__(self, address: str, unknown: bool = True) -> None:
        self.address = address
        self.unknown = unknown


class Unknown:
    pass


def build(data: Any, pointer: str = "") -> Node:
    if isinstance(data, Ref):
        origin = Origin.UNKNOWN if data.unknown else Origin.SET
        return Node(None if data.unknown else data.address, origin, pointer, ref=data.address)
    if isinstance(data, Unknown):
        return Node(None, Origin.UNKNOWN, pointer)
    if isinstance(data, dict):
        return Node({k: build(v, join(pointer, k)) for k, v in data.items()}, pointer=pointer)
    if isinstance(data, list):
        return Node([build(v, join(pointer, i)) for i, v in enumerate(data)], pointer=pointer)
    return Node(data, pointer=pointer)


def add(scope: Scope, kind: Kind, address: str, props: dict[str, Any], **kw: Any) -> Resource:
    pointer = f"/Resources/{address}"
    return scope.add(kind, address, "T", build(props, pointer + "/Properties"), pointer, **kw)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
