"""fargate-platform-version-pinned: what the message says for old and current versions."""

from __future__ import annotations

from pathlib import Path

from .fargate_helpers import container, job, run

CODE = "BL-JD-022"


def _pinned(version: str) -> dict[str, object]:
    return job(
        ContainerProperties=container(FargatePlatformConfiguration={"PlatformVersion": version})
    )


def test_old_and_current_versions(tmp_path: Path) -> None:
    resources = {
        "Old": _pinned("1.3.0"),
        "Short": _pinned("1.4"),
        "Current": _pinned("1.4.0"),
        "Latest": _pinned("LATEST"),
        "LatestLower": _pinned("latest"),
    }
    found = {f.resource: f.message for f in run(tmp_path, CODE, resources)}
    assert sorted(found) == ["Current", "Old", "Short"]
    assert (
        "version 1.3.0 (fargatePlatformConfiguration.platformVersion), an old version"
        in found["Old"]
    )
    assert "lacks what 1.4.0 added" in found["Old"]
    for name in ("Current", "Short"):
        assert "miss the changes of every newer version" in found[name]
        assert found[name].endswith("set it to LATEST or remove it.")


def test_ecs_task_version(tmp_path: Path) -> None:
    task = {"PlatformVersion": "1.4.0", "Containers": [{"Name": "a", "Image": "busybox"}]}
    found = run(tmp_path, CODE, {"Ecs": job(EcsProperties={"TaskProperties": [task]})})
    assert len(found) == 1
    assert found[0].pointer.endswith("/TaskProperties/0/PlatformVersion")
    assert "pins ECS task 0 to Fargate platform version 1.4.0 (platformVersion)" in found[0].message
    assert found[0].severity.value == "note"
