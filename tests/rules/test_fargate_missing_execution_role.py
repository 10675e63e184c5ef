"""fargate-missing-execution-role: only when a known need for the role is there, and the
message says which."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fargate_helpers import container, job, run

CODE = "BL-JD-020"
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0"
SPLUNK = {"LogDriver": "splunk", "Options": {"splunk-url": "https://splunk.example.com:8088"}}


@pytest.mark.parametrize(
    ("extra", "needs"),
    [
        ({"Image": ECR}, "pull its private ECR image and send its logs with awslogs (Batch's"),
        ({"Image": ECR, "LogConfiguration": SPLUNK}, "needs to pull its private ECR image, so"),
        (
            {"Image": "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1"},
            "needs to pull its private ECR image and",
        ),
        ({"LogConfiguration": {"LogDriver": "awslogs"}}, "needs to send its logs with awslogs, so"),
        (
            {"LogConfiguration": SPLUNK, "Secrets": [{"Name": "A", "ValueFrom": "arn:x"}]},
            "needs to read its secrets, so",
        ),
        (
            {"LogConfiguration": dict(SPLUNK, SecretOptions=[{"Name": "t", "ValueFrom": "x"}])},
            "needs to read its secrets, so",
        ),
        (
            {"LogConfiguration": SPLUNK, "RepositoryCredentials": {"CredentialsParameter": "x"}},
            "needs to read its registry credentials, so",
        ),
    ],
)
def test_the_message_says_what_the_role_is_needed_for(
    tmp_path: Path, extra: dict[str, object], needs: str
) -> None:
    found = run(
        tmp_path, CODE, {"Job": job(ContainerProperties=container(ExecutionRoleArn=None, **extra))}
    )
    assert len(found) == 1
    assert needs in found[0].message
    assert found[0].message.startswith(
        "Fargate job definition gives the container (containerProperties) no executionRoleArn"
    )
    assert found[0].pointer == "/Resources/Job/Properties/ContainerProperties"


@pytest.mark.parametrize(
    "extra",
    [
        {"Image": "public.ecr.aws/docker/library/busybox:1.36", "LogConfiguration": SPLUNK},
        {"Image": "busybox:1.36", "LogConfiguration": {"LogDriver": "awsfirelens"}},
        {"Image": "ghcr.io/example/app:1", "LogConfiguration": SPLUNK},
    ],
)
def test_a_job_that_may_work_without_the_role_is_not_flagged(
    tmp_path: Path, extra: dict[str, object]
) -> None:
    props = container(ExecutionRoleArn=None, **extra)
    assert run(tmp_path, CODE, {"Job": job(ContainerProperties=props)}) == []


def test_unknown_values_stay_silent(tmp_path: Path) -> None:
    unknown_logs = {"Fn::If": ["IsProd", {"LogDriver": "awslogs"}, SPLUNK]}
    resources = {
        "RoleUnknown": job(
            ContainerProperties=container(Image=ECR, ExecutionRoleArn={"Ref": "Role"})
        ),
        "LogsUnknown": job(
            ContainerProperties=container(ExecutionRoleArn=None, LogConfiguration=unknown_logs)
        ),
        "ImageUnknown": job(
            ContainerProperties=container(
                ExecutionRoleArn=None, Image={"Ref": "Image"}, LogConfiguration=SPLUNK
            )
        ),
    }
    found = run(
        tmp_path,
        CODE,
        resources,
        Parameters={
            "Role": {"Type": "String"},
            "Image": {"Type": "String"},
            "Stage": {"Type": "String"},
        },
        Conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
    )
    assert found == []


def test_an_empty_role_points_at_it_and_ecs_tasks_are_named(tmp_path: Path) -> None:
    task = {
        "Containers": [
            {"Name": "app", "Image": ECR},
            {"Name": "sidecar", "Image": "busybox", "LogConfiguration": {"LogDriver": "awslogs"}},
        ]
    }
    resources = {
        "Empty": job(ContainerProperties=container(ExecutionRoleArn="")),
        "Ecs": job(EcsProperties={"TaskProperties": [task]}),
    }
    found = {f.resource: f for f in run(tmp_path, CODE, resources)}
    assert found["Empty"].pointer.endswith("/ContainerProperties/ExecutionRoleArn")
    assert "gives ECS task 0 no executionRoleArn" in found["Ecs"].message
    # one finding per task, its needs gathered from every container, awslogs named once
    assert "needs to pull its private ECR image and send its logs with awslogs, so" in (
        found["Ecs"].message
    )
    assert found["Ecs"].pointer == "/Resources/Ecs/Properties/EcsProperties/TaskProperties/0"
