"""fargate-ec2-only-job-fields: one finding per setting, naming it and its container."""

from __future__ import annotations

from pathlib import Path

from .fargate_helpers import container, job, run

CODE = "BL-JD-019"


def test_each_setting_is_named_and_pointed_at(tmp_path: Path) -> None:
    linux = {
        "Devices": [{"HostPath": "/dev/fuse"}],
        "MaxSwap": 2048,
        "Swappiness": 10,
        "SharedMemorySize": 256,
        "Tmpfs": [{"ContainerPath": "/scratch", "Size": 64}],
    }
    found = run(
        tmp_path,
        CODE,
        {"Job": job(ContainerProperties=container(LinuxParameters=linux, Privileged=True))},
    )
    by_pointer = {f.pointer.rsplit("/", 1)[-1]: f.message for f in found}
    assert set(by_pointer) == {*linux, "Privileged"}
    for message in by_pointer.values():
        assert "on the container (containerProperties)" in message
        assert "Fargate does not support" in message
    assert "sets linuxParameters.sharedMemorySize on" in by_pointer["SharedMemorySize"]
    assert by_pointer["Privileged"].endswith("remove privileged or set it to false.")


def test_values_that_are_no_use(tmp_path: Path) -> None:
    quiet = container(
        Privileged=False,
        LinuxParameters={"MaxSwap": 0, "Devices": [], "Tmpfs": [], "InitProcessEnabled": True},
        Ulimits=[],
        LogConfiguration={"LogDriver": "AWSLOGS"},
    )
    assert run(tmp_path, CODE, {"Job": job(ContainerProperties=quiet)}) == []


def test_log_drivers(tmp_path: Path) -> None:
    resources = {
        name: job(ContainerProperties=container(LogConfiguration={"LogDriver": driver}))
        for name, driver in (
            ("Awslogs", "awslogs"),
            ("Splunk", "splunk"),
            ("Firelens", "awsfirelens"),
            ("Syslog", "syslog"),
            ("JsonFile", "json-file"),
        )
    }
    found = run(tmp_path, CODE, resources)
    assert sorted(f.resource for f in found) == ["JsonFile", "Syslog"]
    syslog = next(f for f in found if f.resource == "Syslog")
    assert "sets logConfiguration.logDriver syslog on" in syslog.message
    assert syslog.message.endswith("use awslogs, splunk or awsfirelens.")


def test_multi_node_is_one_finding(tmp_path: Path) -> None:
    node = {"Image": "busybox:1.36", "Privileged": True, "Vcpus": 1, "Memory": 2048}
    props = {
        "NumNodes": 2,
        "MainNode": 0,
        "NodeRangeProperties": [{"TargetNodes": "0:", "Container": node}],
    }
    found = run(tmp_path, CODE, {"Job": job(Type="multinode", NodeProperties=props)})
    assert len(found) == 1
    assert found[0].pointer == "/Resources/Job/Properties/NodeProperties"
    assert "multi-node parallel jobs" in found[0].message


def test_host_volumes_and_gpu(tmp_path: Path) -> None:
    volumes = [
        {"Name": "a", "Host": {"SourcePath": "/mnt/a"}},
        {"Name": "b", "Host": {"SourcePath": "/mnt/b"}},
        {"Name": "ephemeral", "Host": {}},
    ]
    requirements = [
        {"Type": "VCPU", "Value": "4"},
        {"Type": "MEMORY", "Value": "16384"},
        {"Type": "GPU", "Value": "2"},
    ]
    found = run(
        tmp_path,
        CODE,
        {
            "Job": job(
                ContainerProperties=container(Volumes=volumes, ResourceRequirements=requirements)
            )
        },
    )
    messages = sorted(f.message for f in found)
    assert len(messages) == 2
    assert 'host.sourcePath in volumes "a" (/mnt/a), "b" (/mnt/b) on' in messages[1]
    assert "a GPU requirement (2 GPU)" in messages[0]


def test_ecs_task_containers(tmp_path: Path) -> None:
    task = {
        "ExecutionRoleArn": "arn:aws:iam::123456789012:role/x",
        "Containers": [
            {
                "Name": "app",
                "Image": "busybox:1.36",
                "Ulimits": [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 4096}],
                "LinuxParameters": {"SharedMemorySize": 64},
            }
        ],
    }
    found = run(tmp_path, CODE, {"Job": job(EcsProperties={"TaskProperties": [task]})})
    assert [f.message.split(", which")[0] for f in found] == [
        'Fargate job definition sets linuxParameters.sharedMemorySize on ECS task container "app"'
    ]


def test_ec2_and_unknown_platforms_stay_silent(tmp_path: Path) -> None:
    bad = container(Privileged=True, LinuxParameters={"SharedMemorySize": 64})
    resources = {
        "Ec2": job(platform=["EC2"], ContainerProperties=bad),
        "Unknown": job(platform=[{"Ref": "Platform"}], ContainerProperties=bad),  # type: ignore[list-item]
    }
    found = run(tmp_path, CODE, resources, Parameters={"Platform": {"Type": "String"}})
    assert found == []
