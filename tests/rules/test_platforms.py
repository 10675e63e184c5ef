"""batchlint.platforms: which job definitions run on Fargate, and their Fargate tasks."""

from __future__ import annotations

from typing import Any

from batchlint.model import JobDefinition, Kind, Node, Origin, Scope
from batchlint.platforms import absent, fargate_tasks, is_fargate, written

from .model_builders import Unknown, add, build


def _jd(props: dict[str, Any]) -> JobDefinition:
    jd = add(Scope("t.yaml", "cloudformation"), Kind.JOB_DEFINITION, "Job", props)
    assert isinstance(jd, JobDefinition)
    return jd


def _if(*branches: Any) -> Node:
    """An Fn::If: an unknown whose outcomes are the branches (None: AWS::NoValue)."""
    alts = tuple(build(b) if b is not None else None for b in branches)
    return Node(None, Origin.UNKNOWN, "/x", alts=alts)


def _set(node: Node, key: str, value: Node) -> None:
    assert isinstance(node.raw, dict)
    node.raw[key] = value


def test_is_fargate_reads_every_outcome() -> None:
    assert is_fargate(_jd({"platformCapabilities": ["FARGATE"]}))
    assert is_fargate(_jd({"platformCapabilities": [" fargate "]}))
    assert not is_fargate(_jd({"platformCapabilities": ["EC2"]}))
    assert not is_fargate(_jd({}))
    assert not is_fargate(_jd({"platformCapabilities": Unknown()}))
    assert not is_fargate(_jd({"platformCapabilities": [Unknown()]}))
    both = _jd({})
    _set(both.props, "platformCapabilities", _if(["FARGATE"], ["FARGATE"]))
    assert is_fargate(both)
    either = _jd({})
    _set(either.props, "platformCapabilities", _if(["FARGATE"], ["EC2"]))
    assert not is_fargate(either)
    # a branch that is itself unknown is not dropped: it could be EC2
    open_branch = _jd({})
    unknown_branch = Node(None, Origin.UNKNOWN, "/y")
    alts = (unknown_branch, build(["FARGATE"]))
    _set(open_branch.props, "platformCapabilities", Node(None, Origin.UNKNOWN, "/x", alts=alts))
    assert not is_fargate(open_branch)


def test_written_and_absent() -> None:
    assert written(build(64)) and written(build([{"a": 1}])) and written(build(0))
    assert not written(None) and not written(build([])) and not written(build(None))
    assert not written(Node(None, Origin.UNKNOWN))
    assert written(_if(64, 128)) and not written(_if(64, None))
    assert absent(None) and absent(build("")) and absent(build(None)) and absent(_if(None, ""))
    assert not absent(build("arn:aws:iam::123456789012:role/x"))
    assert not absent(Node(None, Origin.UNKNOWN)) and not absent(_if("arn", None))


def test_member_does_not_read_an_enclosing_unknown_as_the_member() -> None:
    node = build({"linuxParameters": {"sharedMemorySize": 64}})
    assert node.member("linuxParameters", "sharedMemorySize") is not None
    assert node.member("linuxParameters", "tmpfs") is None
    around = build({})
    _set(around, "linuxParameters", _if({"sharedMemorySize": 64}, {}))
    assert around.get("linuxParameters", "tmpfs") is not None  # Node.get gives the unknown
    assert around.member("linuxParameters", "tmpfs") is None


def test_fargate_tasks_are_container_properties_and_top_level_ecs_tasks() -> None:
    container = {"image": "busybox", "resourceRequirements": []}
    jd = _jd(
        {
            "platformCapabilities": ["FARGATE"],
            "containerProperties": container,
            "ecsProperties": {
                "taskProperties": [
                    {"containers": [dict(container, name="a"), dict(container, name="b")]}
                ]
            },
            "nodeProperties": {"nodeRangeProperties": [{"container": container}]},
        }
    )
    tasks = fargate_tasks(jd)
    assert [t.label for t in tasks] == ["the container (containerProperties)", "ECS task 0"]
    assert [len(t.containers) for t in tasks] == [1, 2]
    assert [t.is_ecs for t in tasks] == [False, True]
    assert tasks[0].version_path == ("fargatePlatformConfiguration", "platformVersion")
    assert tasks[1].version_path == ("platformVersion",)
    assert fargate_tasks(_jd({"containerProperties": container})) == []
