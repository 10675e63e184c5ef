"""CloudFormation templates (YAML or JSON, SAM and CDK output included) to the model.

Resources of the types batchlint reasons about become normalized resources: properties are
lower-cameled (``ComputeResources`` -> ``computeResources``, the Batch API's names) except
below user-data properties, and intrinsic functions are resolved as far as the template
alone allows (see :mod:`batchlint.sources.cfn_intrinsics`). Other resource types are not
translated, but a ``Ref`` to them is still an edge (to something outside the model).
Problems with the template's shape become BL-META-002 issues, never exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from batchlint.model import Kind, MetaIssue, Node, Origin, Scope
from batchlint.sources.cfn_foreach import Expander, is_loop
from batchlint.sources.cfn_intrinsics import Resolver, child_pointer
from batchlint.sources.reading import shown
from batchlint.suppress import from_cfn_metadata

META = "BL-META-002"

# CloudFormation type -> (kind, normalized property holding the physical name)
TYPES: dict[str, tuple[Kind, str | None]] = {
    "AWS::Batch::ComputeEnvironment": (Kind.COMPUTE_ENVIRONMENT, "computeEnvironmentName"),
    "AWS::Batch::JobQueue": (Kind.JOB_QUEUE, "jobQueueName"),
    "AWS::Batch::JobDefinition": (Kind.JOB_DEFINITION, "jobDefinitionName"),
    "AWS::Batch::SchedulingPolicy": (Kind.SCHEDULING_POLICY, "name"),
    "AWS::IAM::Role": (Kind.IAM_ROLE, "roleName"),
    "AWS::IAM::Policy": (Kind.IAM_POLICY, "policyName"),
    "AWS::IAM::ManagedPolicy": (Kind.IAM_POLICY, "managedPolicyName"),
    "AWS::IAM::InstanceProfile": (Kind.INSTANCE_PROFILE, "instanceProfileName"),
    "AWS::EC2::VPC": (Kind.VPC, None),
    "AWS::EC2::Subnet": (Kind.SUBNET, None),
    "AWS::EC2::RouteTable": (Kind.ROUTE_TABLE, None),
    "AWS::EC2::Route": (Kind.ROUTE, None),
    "AWS::EC2::SubnetRouteTableAssociation": (Kind.ROUTE_TABLE_ASSOCIATION, None),
    "AWS::EC2::InternetGateway": (Kind.INTERNET_GATEWAY, None),
    "AWS::EC2::NatGateway": (Kind.NAT_GATEWAY, None),
    "AWS::EC2::VPCEndpoint": (Kind.VPC_ENDPOINT, None),
    "AWS::EC2::SecurityGroup": (Kind.SECURITY_GROUP, "groupName"),
    "AWS::EC2::SecurityGroupIngress": (Kind.SECURITY_GROUP_INGRESS, None),
    "AWS::EC2::LaunchTemplate": (Kind.LAUNCH_TEMPLATE, "launchTemplateName"),
    "AWS::SecretsManager::Secret": (Kind.SECRET, "name"),
}


def build(doc: dict[str, Any], scope: Scope, region: str) -> None:
    """Translate a parsed CloudFormation template into normalized resources on `scope`."""
    if not isinstance(doc, dict):
        _problem(scope, "template is not a mapping", "")
        return
    resources = doc.get("Resources")
    if not isinstance(resources, dict):
        _problem(scope, "template has no Resources mapping", "/Resources")
        return
    resolver = Resolver(doc, region)
    declared = list(_declarations(resources, resolver, scope.meta))
    resolver.set_resources(logical_id for logical_id, _, _ in declared)
    scope.suppressions.extend(from_cfn_metadata(doc.get("Metadata"), "/Metadata"))
    for logical_id, body, pointer in declared:
        resolver.current = logical_id
        _translate(scope, resolver, logical_id, body, pointer)
        if isinstance(body, dict) and "Metadata" in body:
            where = pointer + "/Metadata"
            scope.suppressions.extend(from_cfn_metadata(body["Metadata"], where, logical_id))
    resolver.current = None
    if resolver.too_deep is not None:
        _problem(scope, "values nested too deeply are read as unknown", resolver.too_deep)
    for name, where in resolver.unknown_functions.items():
        _problem(scope, f"unknown intrinsic function {shown(name)}; read as unknown", where)
    pointers = {logical_id: pointer for logical_id, _, pointer in declared}
    for cycle in _cycles(resolver.depends):
        if len(cycle) == 1:
            what = f"resource {cycle[0]} refers to itself"
        else:
            more = f" and {len(cycle) - 10} more" if len(cycle) > 10 else ""
            what = f"circular dependency between resources {', '.join(cycle[:10])}{more}"
        where = pointers.get(cycle[0], "/Resources")
        _problem(scope, f"{what}: CloudFormation rejects the template", where)


def _cycles(depends: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of the dependency graph: its strongly connected components of more than one
    resource, or of one that refers to itself, each sorted (Tarjan's algorithm, iterative: a
    long chain must not exhaust the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for start in sorted(depends):
        if start in index:
            continue
        work = [(start, iter(sorted(depends.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(depends.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in depends.get(node, ()):
                    out.append(sorted(members))
    return sorted(out)


def _declarations(
    resources: dict[Any, Any], resolver: Resolver, meta: list[MetaIssue]
) -> Iterator[tuple[str, Any, str]]:
    """(logical id, body, pointer) of every resource, with ``Fn::ForEach`` loops expanded;
    a logical id declared twice keeps its first declaration."""
    expander: Expander | None = None
    seen: set[str] = set()
    for key, body in resources.items():
        key = str(key)
        pointer = child_pointer("/Resources", key)
        if is_loop(key):
            expander = expander or Expander(resolver, meta)
            found: Iterator[tuple[str, Any, str]] = expander.expand(body, pointer)
        else:
            found = iter(((key, body, pointer),))
        for logical_id, item, where in found:
            if logical_id not in seen:
                seen.add(logical_id)
                yield logical_id, item, where


def _translate(scope: Scope, resolver: Resolver, logical_id: str, body: Any, pointer: str) -> None:
    if not isinstance(body, dict):
        _problem(scope, f"resource {logical_id} is not a mapping", pointer)
        return
    type_name = body.get("Type")
    if not isinstance(type_name, str) or not type_name:
        what = "has no Type" if type_name in (None, "") else "has a Type that is not a string"
        _problem(scope, f"resource {logical_id} {what}", pointer)
        return
    spec = TYPES.get(type_name)
    if spec is None:
        return  # Lambda, SAM, custom resources, …: not part of the model
    kind, name_key = spec
    props_pointer = pointer + "/Properties"
    data = body.get("Properties")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        _problem(scope, f"Properties of resource {logical_id} is not a mapping", props_pointer)
        return
    try:
        props = resolver.node(data, props_pointer)
    except RecursionError:  # the depth cap should prevent this; never let it escape
        _problem(scope, f"resource {logical_id} is nested too deeply to read", props_pointer)
        return
    if props is None:  # Properties: !Ref AWS::NoValue
        props = Node({}, Origin.SET, props_pointer)
    if kind is Kind.SECURITY_GROUP_INGRESS:
        props = _as_ingress(props)
    scope.add(kind, logical_id, type_name, props, pointer, name=_physical_name(props, name_key))


def _as_ingress(props: Node) -> Node:
    """A stand-alone ingress rule in the shape of a group: its own properties are the one
    ``securityGroupIngress`` entry."""
    shaped: dict[str, Node] = {}
    group = props.get("groupId") if props.known else None
    if group is not None:
        shaped["groupId"] = group
    shaped["securityGroupIngress"] = Node([props], Origin.SET, props.pointer)
    return Node(shaped, Origin.SET, props.pointer)


def _physical_name(props: Node, key: str | None) -> str | None:
    if key is None:
        return None
    node = props.get(key)
    return node.text() if node is not None else None


def _problem(scope: Scope, message: str, pointer: str) -> None:
    scope.meta.append(MetaIssue(META, message, pointer))
