"""ec2-key-pair-on-hosts: a key pair the source certainly sets, named when known."""

from __future__ import annotations

from typing import Any

from batchlint.model import Kind, Node, Origin, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "ec2-key-pair-on-hosts")


def env(key: Any, compute_type: Any = "EC2", source: str = "cloudformation") -> Resource:
    scope = Scope("t", source)
    compute = {"type": compute_type, "ec2KeyPair": key, "instanceTypes": ["c6i"]}
    return add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": compute})


def run(ce: Resource) -> list[str]:
    assert RULE.check is not None
    return [hit.message for hit in RULE.check(ce, Context(ce.scope))]


def test_message_names_the_key_pair_when_known() -> None:
    assert run(env("batch-admin")) == [
        "Compute environment installs key pair batch-admin on every instance it launches, so "
        "anyone with the private key can log in to the hosts of all jobs: remove ec2KeyPair "
        "and use Session Manager (AmazonSSMManagedInstanceCore) for shell access."
    ]
    (message,) = run(env(Unknown()))
    assert message.startswith("Compute environment installs a key pair on every instance")
    assert len(run(env(Ref("KeyPair"), "SPOT", "terraform-plan"))) == 1


def test_absent_empty_and_conditional_key_pairs_are_not_flagged() -> None:
    assert run(env("")) == []
    assert run(env(None)) == []
    ce = env("placeholder")
    block = ce.props.get("computeResources")
    assert block is not None and isinstance(block.raw, dict)
    block.raw["ec2KeyPair"] = Node(None, Origin.UNKNOWN, "/k", alts=(build("ops"), None))
    assert run(ce) == []
    block.raw["ec2KeyPair"] = Node(None, Origin.UNKNOWN, "/k", alts=(build("a"), build("b")))
    assert len(run(ce)) == 1


def test_fargate_is_left_to_its_own_rule() -> None:
    assert run(env("ops", "FARGATE")) == []
    assert len(run(env("ops", Unknown()))) == 1  # the type is unknown: it has instances or fails


def test_an_unknown_compute_resources_block_is_no_key_pair() -> None:
    for source in ("cloudformation", "terraform-plan"):
        scope = Scope("t", source)
        ce = add(scope, Kind.COMPUTE_ENVIRONMENT, "Ce", {"computeResources": Unknown()})
        assert run(ce) == []
        block = ce.props.get("computeResources")
        assert block is not None and isinstance(ce.props.raw, dict)
        alts = (build({"type": "EC2"}), build({"type": "SPOT", "ec2KeyPair": "k"}))
        ce.props.raw["computeResources"] = Node(None, Origin.UNKNOWN, "/c", alts=alts)
        assert run(ce) == []
