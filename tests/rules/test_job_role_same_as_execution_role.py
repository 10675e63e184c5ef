"""job-role-same-as-execution-role: what counts as the same role, messages, locations."""

from __future__ import annotations

from typing import Any

import pytest

from batchlint.model import Kind, Resource, Scope
from batchlint.registry import builtin_rules
from batchlint.rule import Context

from .model_builders import Ref, Unknown, add

RULE = next(r for r in builtin_rules() if r.name == "job-role-same-as-execution-role")


def run(scope: Scope, jd: Resource) -> list[tuple[str, str]]:
    assert RULE.check is not None
    return [
        (hit.message, hit.at.pointer if hit.at is not None else "")
        for hit in RULE.check(jd, Context(scope))
    ]


def scope_with_roles() -> Scope:
    scope = Scope("t.yaml", "cloudformation")
    add(scope, Kind.IAM_ROLE, "Shared", {}, name="batch-shared")
    add(scope, Kind.IAM_ROLE, "Other", {}, name="batch-other")
    return scope


def job(scope: Scope, **container: Any) -> Resource:
    return add(scope, Kind.JOB_DEFINITION, "Job", {"containerProperties": container})


def test_message_names_role_and_place_and_points_at_the_job_role() -> None:
    scope = scope_with_roles()
    jd = job(scope, jobRoleArn=Ref("Shared"), executionRoleArn=Ref("Shared"))
    assert run(scope, jd) == [
        (
            "Role Shared is both the jobRoleArn and the executionRoleArn of containerProperties, "
            "so the job's code gets every permission of the agent that pulls its image and "
            "reads its secrets: give the job its own role with only what the code needs.",
            "/Resources/Job/Properties/containerProperties/jobRoleArn",
        )
    ]


@pytest.mark.parametrize(
    ("job_role", "execution_role", "shown"),
    [
        # a literal ARN of a role in scope is that role
        ("arn:aws:iam::123456789012:role/batch-shared", Ref("Shared"), "Shared"),
        # outside the scope: the same ARN, or the same name whatever the path and case
        (
            "arn:aws:iam::123456789012:role/ext",
            " arn:aws:iam::123456789012:role/ext",
            "arn:aws:iam::123456789012:role/ext",
        ),
        (
            "arn:aws:iam::123456789012:role/team/Ext",
            "arn:aws:iam::123456789012:role/ext",
            "Ext",
        ),
        ("ext-role", "EXT-ROLE", "ext-role"),
    ],
)
def test_the_same_role_written_differently(job_role: Any, execution_role: Any, shown: str) -> None:
    scope = scope_with_roles()
    jd = job(scope, jobRoleArn=job_role, executionRoleArn=execution_role)
    ((message, _),) = run(scope, jd)
    assert message.startswith(f"Role {shown} is both")


@pytest.mark.parametrize(
    ("job_role", "execution_role"),
    [
        (Ref("Shared"), Ref("Other")),
        ("arn:aws:iam::123456789012:role/batch-other", Ref("Shared")),
        ("arn:aws:iam::210987654321:role/ext", "arn:aws:iam::123456789012:role/ext"),
        # a bare name and an ARN: the account of the name is not known
        ("ext", "arn:aws:iam::123456789012:role/ext"),
        (Unknown(), Unknown()),
        (Unknown(), Ref("Shared")),
        ("arn:aws:iam::123456789012:user/ext", "arn:aws:iam::123456789012:user/ext"),
        ("", ""),
    ],
)
def test_different_or_unknown_roles_are_silent(job_role: Any, execution_role: Any) -> None:
    scope = scope_with_roles()
    assert run(scope, job(scope, jobRoleArn=job_role, executionRoleArn=execution_role)) == []


def test_only_one_of_the_two_fields_is_silent() -> None:
    scope = scope_with_roles()
    assert run(scope, job(scope, executionRoleArn=Ref("Shared"))) == []
    assert run(scope, job(scope, jobRoleArn=Ref("Shared"))) == []


def test_every_container_and_task_is_compared_on_its_own() -> None:
    scope = scope_with_roles()
    same = {"taskRoleArn": Ref("Shared"), "executionRoleArn": Ref("Shared")}
    jd = add(
        scope,
        Kind.JOB_DEFINITION,
        "Job",
        {
            "ecsProperties": {"taskProperties": [{"taskRoleArn": Ref("Other")}, same]},
            "nodeProperties": {
                "nodeRangeProperties": [
                    {"container": {"jobRoleArn": Ref("Shared"), "executionRoleArn": Ref("Other")}},
                    {"container": {"jobRoleArn": Ref("Other"), "executionRoleArn": Ref("Shared")}},
                    {"ecsProperties": {"taskProperties": [same]}},
                ]
            },
        },
    )
    found = run(scope, jd)
    assert [pointer for _, pointer in found] == [
        "/Resources/Job/Properties/ecsProperties/taskProperties/1/taskRoleArn",
        "/Resources/Job/Properties/nodeProperties/nodeRangeProperties/2/ecsProperties/"
        "taskProperties/0/taskRoleArn",
    ]
    assert (
        "both the taskRoleArn and the executionRoleArn of ecsProperties.taskProperties[1]"
        in (found[0][0])
    )
