"""fargate-public-ip: messages and pointers."""

from __future__ import annotations

from pathlib import Path

from .fargate_helpers import container, job, run

CODE = "BL-JD-021"


def test_points_at_the_setting(tmp_path: Path) -> None:
    network = {"AssignPublicIp": "ENABLED"}
    task = {"NetworkConfiguration": network, "Containers": [{"Name": "a", "Image": "busybox"}]}
    resources = {
        "Single": job(ContainerProperties=container(NetworkConfiguration=network)),
        "Ecs": job(EcsProperties={"TaskProperties": [task]}),
        "Private": job(
            ContainerProperties=container(NetworkConfiguration={"AssignPublicIp": "DISABLED"})
        ),
        "Ec2": job(platform=["EC2"], ContainerProperties=container(NetworkConfiguration=network)),
    }
    found = {f.resource: f for f in run(tmp_path, CODE, resources)}
    assert sorted(found) == ["Ecs", "Single"]
    assert found["Single"].pointer.endswith(
        "/ContainerProperties/NetworkConfiguration/AssignPublicIp"
    )
    assert found["Ecs"].pointer.endswith("/TaskProperties/0/NetworkConfiguration/AssignPublicIp")
    assert found["Single"].message.startswith(
        "Fargate job definition gives the container (containerProperties) a public IP address "
        "(networkConfiguration.assignPublicIp ENABLED)"
    )
    assert "gives ECS task 0 a public IP address" in found["Ecs"].message
    assert found["Single"].severity.value == "warning"
