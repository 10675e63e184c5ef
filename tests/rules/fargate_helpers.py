"""Small templates for the Fargate job definition rule tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from batchlint.report import Finding

from . import scanning

ROLE = "arn:aws:iam::123456789012:role/batch-execution"


def container(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Image": "public.ecr.aws/docker/library/busybox:1.36",
        "ExecutionRoleArn": ROLE,
        "ResourceRequirements": [
            {"Type": "VCPU", "Value": "1"},
            {"Type": "MEMORY", "Value": "2048"},
        ],
    }
    base.update(extra)
    return {key: value for key, value in base.items() if value is not None}


def job(platform: list[str] | None = None, **props: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": "container"}
    out["PlatformCapabilities"] = platform if platform is not None else ["FARGATE"]
    out.update(props)
    return {"Type": "AWS::Batch::JobDefinition", "Properties": out}


def run(tmp_path: Path, code: str, resources: dict[str, Any], **template: Any) -> list[Finding]:
    text = yaml.safe_dump({"Resources": resources, **template}, sort_keys=False)
    found = scanning.findings(tmp_path, text, code, also=["BL-META"])
    meta = [f.message for f in found if f.code.startswith("BL-META")]
    assert not meta, meta
    return found
