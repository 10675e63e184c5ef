"""tags-not-propagated: tagged or not, the only_tagged option, system tags, EKS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from batchlint.engine import ScanOptions, scan
from batchlint.model import Kind, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Unknown, add

CODE = "BL-JD-015"
CHECK = next(r for r in builtin_rules() if r.code == CODE).check
CONTAINER = {"image": "busybox:1.36", "resourceRequirements": [{"type": "VCPU", "value": "1"}]}


def _messages(props: dict[str, Any], **options: Any) -> list[str]:
    scope = Scope("main.tf", "terraform-plan")
    jd = add(scope, Kind.JOB_DEFINITION, "aws_batch_job_definition.job", props)
    assert CHECK is not None
    return [hit.message for hit in CHECK(jd, Context(scope, options))]


def test_tagged_message_names_the_keys() -> None:
    tags = {"team": "a", "project": "b", "cost-center": "c", "env": "d", "aws:cloudformation": "x"}
    messages = _messages({"containerProperties": CONTAINER, "tags": tags})
    assert messages == [
        "Job definition is tagged (cost-center, env, project, …) but propagateTags is absent "
        "(false by default), so the ECS tasks of its jobs carry none of these tags and their "
        "cost cannot be allocated by tag: set propagateTags to true."
    ]


def test_default_tags_count() -> None:
    props = {"containerProperties": CONTAINER, "propagateTags": False, "tags": None}
    props["tagsAll"] = {"owner": "platform"}
    assert len(_messages(props)) == 1


@pytest.mark.parametrize(
    "props",
    [
        {"tags": {"aws:cloudformation:stack-name": "x"}},  # system tags only
        {"tags": {}},
        {"tags": None, "tagsAll": Unknown()},
        {"tags": Unknown()},
        {},
    ],
)
def test_untagged_is_silent_by_default(props: dict[str, Any]) -> None:
    assert _messages({"containerProperties": CONTAINER, **props}) == []


@pytest.mark.parametrize(
    "props",
    [{}, {"tags": {}}, {"tags": None, "tagsAll": Unknown()}, {"propagateTags": "false"}],
)
def test_only_tagged_false_flags_every_job_definition(props: dict[str, Any]) -> None:
    messages = _messages({"containerProperties": CONTAINER, **props}, only_tagged=False)
    assert len(messages) == 1
    assert messages[0].startswith("propagateTags is ")
    assert "so the ECS tasks of the job definition's jobs carry no tags" in messages[0]


@pytest.mark.parametrize(
    "props",
    [
        {"propagateTags": True},
        {"propagateTags": "true"},
        {"propagateTags": Unknown()},
        {"propagateTags": "maybe"},
        {"eksProperties": {"podProperties": {"containers": [{"image": "busybox:1.36"}]}}},
        {"eksProperties": Unknown()},
    ],
)
def test_silent(props: dict[str, Any]) -> None:
    tagged = {"containerProperties": CONTAINER, "tags": {"team": "a"}, **props}
    assert _messages(tagged, only_tagged=False) == []


def test_scan_with_the_option(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties: {Image: "busybox:1.36"}
"""
    )
    options = ScanOptions(
        select=[CODE], rule_options={"tags-not-propagated": {"only_tagged": False}}
    )
    assert [f.resource for f in scan([str(path)], options).findings] == ["Job"]
    assert scan([str(path)], ScanOptions(select=[CODE])).findings == []
