"""security-group-any-ingress: sources, node-to-node rules, and no overlap with BL-CE-005."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from . import scanning
from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "security-group-any-ingress")


def run(ce: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    hits = RULE.check(ce, Context(ce.scope))
    return [(hit.message, hit.at.pointer if hit.at is not None else "") for hit in hits]


def env(scope: Scope, *groups: Any) -> Resource:
    compute = {"type": "EC2", "securityGroupIds": list(groups)}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": compute})


def group(scope: Scope, address: str, *ingress: dict[str, Any]) -> Resource:
    return add(scope, Kind.SECURITY_GROUP, address, {"securityGroupIngress": list(ingress)})


def test_message_points_at_the_entry() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group(
        scope,
        "Workers",
        {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "10.0.0.0/8"},
    )
    ((message, pointer),) = run(env(scope, Ref("Workers")))
    assert message == (
        "Security group Workers of compute environment Ce allows tcp port 22 from 10.0.0.0/8, "
        "but batch hosts need no inbound traffic: remove the rule."
    )
    assert pointer == "/Resources/Workers/Properties/securityGroupIngress/0"


def test_sources_and_separate_rules() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group(scope, "Workers")
    group(scope, "Bastion")
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "FromBastion",
        {
            "groupId": Ref("Workers"),
            "ipProtocol": "tcp",
            "fromPort": 22,
            "toPort": 22,
            "sourceSecurityGroupId": Ref("Bastion"),
        },
    )
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "FromList",
        {"groupId": Ref("Workers"), "ipProtocol": "-1", "sourcePrefixListId": "pl-1"},
    )
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "FromParameter",
        {"groupId": Ref("Workers"), "ipProtocol": "tcp", "cidrIp": Unknown()},
    )
    messages = [m for m, _ in run(env(scope, Ref("Workers")))]
    assert [m.split(", but")[0] for m in messages] == [
        "Security group Workers of compute environment Ce allows tcp port 22 from security "
        "group Bastion (ingress rule FromBastion)",
        "Security group Workers of compute environment Ce allows all traffic from prefix list "
        "pl-1 (ingress rule FromList)",
        "Security group Workers of compute environment Ce allows tcp (all ports) from a source "
        "set at deploy time (ingress rule FromParameter)",
    ]


def test_node_to_node_rules_are_silent() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group(scope, "Nodes", {"ipProtocol": "-1", "sourceSecurityGroupName": "nodes"})
    scope.by_address["Nodes"].name = "nodes"
    group(scope, "Peers", {"ipProtocol": "-1", "sourceSecurityGroupId": Ref("Nodes")})
    add(
        scope,
        Kind.SECURITY_GROUP_INGRESS,
        "Self",
        {"groupId": Ref("Nodes"), "ipProtocol": "-1", "sourceSecurityGroupId": Ref("Nodes")},
    )
    assert run(env(scope, Ref("Nodes"), Ref("Peers"))) == []
    # from a group the environment does not use: flagged
    ((message, _),) = run(env(scope, Ref("Peers")))
    assert "from security group Nodes" in message


def test_unknown_entries_groups_outside_the_scan_and_open_ingress_are_silent() -> None:
    scope = Scope("t.yaml", "cloudformation")
    group(
        scope,
        "Workers",
        Unknown(),  # an Fn::If that may leave the entry out
        {"ipProtocol": "tcp", "cidrIp": "0.0.0.0/0"},
        {"ipProtocol": "tcp", "cidrIpv6": "::/0"},
        {"ipProtocol": "tcp", "cidrIp": "10.0.0.0/0"},
    )
    assert run(env(scope, Ref("Workers"), "sg-0123456789abcdef0")) == []


def test_no_entry_is_reported_by_both_rules(tmp_path: Path) -> None:
    template = """
Resources:
  Workers:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: workers
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIpv6: "::/0"}
  Ce:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: EC2
        MaxvCpus: 4
        Subnets: [subnet-1]
        SecurityGroupIds: [!Ref Workers]
"""
    found = scanning.findings(tmp_path, template, "BL-CE-005", name="t.yaml", also=["BL-CE-032"])
    by_code = {
        code: sorted(f.pointer for f in found if f.code == code)
        for code in ("BL-CE-005", "BL-CE-032")
    }
    base = "/Resources/Workers/Properties/SecurityGroupIngress"
    assert by_code == {"BL-CE-005": [f"{base}/0", f"{base}/2"], "BL-CE-032": [f"{base}/1"]}
