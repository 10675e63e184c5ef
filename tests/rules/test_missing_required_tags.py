"""missing-required-tags: the four Security Hub controls, the required_tags option, branches,
Terraform's tags_all, and what stays silent."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.engine import ScanOptions, scan
from batchlint.model import Graph, Kind, Node, Origin, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from ..conftest import FIXTURES
from .model_builders import Unknown, add, build

RULE = next(r for r in builtin_rules() if r.name == "missing-required-tags")


def run(scope: Scope, **options: Any) -> list[tuple[str, str, str]]:
    assert RULE.check is not None
    return [
        (hit.resource.address, hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(Graph(scope), Context(scope, options))
    ]


def one(kind: Kind, props: dict[str, Any], **options: Any) -> list[str]:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, kind, "R", props)
    return [message for _, message, _ in run(scope, **options)]


def test_messages_and_pointers_per_control() -> None:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.JOB_QUEUE, "Queue", {"priority": 1})
    add(scope, Kind.SCHEDULING_POLICY, "Policy", {"tags": {}})
    add(scope, Kind.COMPUTE_ENVIRONMENT, "CE", {"computeResources": {"type": "EC2"}})
    add(scope, Kind.JOB_DEFINITION, "Job", {})  # not a kind the controls cover
    assert run(scope) == [
        (
            "Queue",
            "Job queue has no tags (Security Hub Batch.1): add tags (owner, project, cost "
            "center) so it can be attributed and governed.",
            "",
        ),
        (
            "Policy",
            "Scheduling policy has no tags (Security Hub Batch.2): add tags (owner, project, "
            "cost center) so it can be attributed and governed.",
            "/Resources/Policy/Properties/tags",
        ),
        (
            "CE",
            "Compute environment has no tags (Security Hub Batch.3): add tags (owner, project, "
            "cost center) so it can be attributed and governed.",
            "",
        ),
        (
            "CE",
            "Compute resources have no tags (Security Hub Batch.4): set computeResources.tags "
            "(owner, project, cost center) so the EC2 instances Batch launches for this "
            "environment can be attributed.",
            "/Resources/CE/Properties/computeResources",
        ),
    ]


def test_required_tags_lists_what_is_missing() -> None:
    props = {"tags": {"team": "a"}, "computeResources": {"type": "SPOT", "tags": {"Team": "a"}}}
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.COMPUTE_ENVIRONMENT, "CE", props)
    found = run(scope, required_tags=["team", "cost-center", "team", " ", 7, "aws:x"])
    assert [(m, p) for _, m, p in found] == [
        (
            "Compute environment lacks the required tag key cost-center (Security Hub Batch.3): "
            "add it to tags.",
            "/Resources/CE/Properties/tags",
        ),
        (
            "Compute resources lack the required tag keys team, cost-center (Security Hub "
            "Batch.4): add them to computeResources.tags.",
            "/Resources/CE/Properties/computeResources/tags",
        ),
    ]
    # a lone string is one key; anything else is no requirement
    assert len(one(Kind.JOB_QUEUE, {"tags": {"a": "1"}}, required_tags="owner")) == 1
    assert one(Kind.JOB_QUEUE, {"tags": {"a": "1"}}, required_tags={"owner": 1}) == []
    assert one(Kind.JOB_QUEUE, {"tags": {"owner": Unknown()}}, required_tags=["owner"]) == []


def test_system_tags_do_not_count() -> None:
    tags = {"aws:cloudformation:stack-name": "s", "AWS:x": "y"}
    assert len(one(Kind.JOB_QUEUE, {"tags": tags})) == 1
    assert one(Kind.JOB_QUEUE, {"tags": {**tags, "team": "a"}}) == []


def test_branches_flag_only_what_every_branch_lacks() -> None:
    def queue(*alts: dict[str, Any] | None, **options: Any) -> list[str]:
        scope = Scope("t.yaml", "cloudformation")
        branches = tuple(build(a) if a is not None else None for a in alts)
        tags = Node(None, Origin.UNKNOWN, "/Resources/Q/Properties/tags", alts=branches)
        scope.add(Kind.JOB_QUEUE, "Q", "T", Node({"tags": tags}), "/Resources/Q")
        return [message for _, message, _ in run(scope, **options)]

    assert len(queue(None, None)) == 1
    assert queue({"team": "a"}, None) == []
    required = {"required_tags": ["team", "owner"]}
    assert queue({"team": "a"}, {"owner": "b"}, **required) == []
    (message,) = queue({"team": "a"}, None, **required)
    assert "lacks the required tag key owner " in message


def test_terraform_tags_all_includes_default_tags() -> None:
    assert one(Kind.JOB_QUEUE, {"tagsAll": {"team": "a"}}) == []
    assert one(Kind.JOB_QUEUE, {"tags": {"team": "a"}, "tagsAll": Unknown()}) == []
    assert len(one(Kind.JOB_QUEUE, {"tagsAll": {}})) == 1
    assert len(one(Kind.JOB_QUEUE, {"tags": {"team": "a"}, "tagsAll": {}})) == 1


def test_key_value_lists_are_read() -> None:
    assert one(Kind.JOB_QUEUE, {"tags": [{"Key": "team", "Value": "a"}]}) == []
    assert len(one(Kind.JOB_QUEUE, {"tags": []})) == 1
    assert one(Kind.JOB_QUEUE, {"tags": [{"Key": Unknown(), "Value": "a"}]}) == []


@pytest.mark.parametrize(
    "props",
    [
        {"tags": Unknown()},
        {"tags": "team=a"},
        {"tags": 3},
        {"tags": ["team"]},
        {"tags": {"team": "a"}, "computeResources": {"type": "FARGATE"}},
        {"tags": {"team": "a"}, "computeResources": {"type": Unknown()}},
        {"tags": {"team": "a"}, "computeResources": {"type": "EC2", "tags": Unknown()}},
        {"tags": {"team": "a"}, "computeResources": "text"},
        {"tags": {"team": "a"}, "computeResources": {"type": ["EC2"]}},
        {"tags": {"team": "a"}},
    ],
)
def test_silent_on_unknown_and_odd_shapes(props: dict[str, Any]) -> None:
    assert one(Kind.COMPUTE_ENVIRONMENT, props) == []


def test_fixtures_with_required_tags() -> None:
    options = ScanOptions(
        select=[RULE.code],
        rule_options={RULE.name: {"required_tags": ["team", "cost-center"]}},
    )
    folder = FIXTURES / "rules" / RULE.name
    files = [str(folder / "cloudformation.yaml"), str(folder / "terraform.plan.json")]
    report = scan(files, options)
    assert sorted(f.resource for f in report.findings) == sorted(
        [
            # no tags at all, as with the default options
            "EmptyTagsFargateCE",
            "NoValueIfQueue",
            "UntaggedCE",
            "UntaggedCE",
            "UntaggedInstancesCE",
            "UntaggedPolicy",
            "UntaggedQueue",
            # tagged, but without cost-center
            "ConditionalTagsQueue",
            "TaggedFargateCE",
            "TaggedPolicy",
            "TaggedUnmanagedCE",
            "UnknownComputeTypeCE",
            "aws_batch_compute_environment.default_tagged_ec2",
            "aws_batch_compute_environment.untagged",
            "aws_batch_compute_environment.untagged",
            "aws_batch_compute_environment.untagged_instances",
            "aws_batch_compute_environment.untagged_instances",
            "aws_batch_job_queue.untagged",
            "aws_batch_scheduling_policy.tagged",
            "aws_batch_scheduling_policy.untagged",
        ]
    )
