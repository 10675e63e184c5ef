"""The adversarial inputs too large to keep in the repository, generated on demand.

    python scripts/make_adversarial.py OUT_DIR [--size-mib 50]

writes every input below into OUT_DIR; ``tests/test_adversarial.py`` calls the functions to
write them into a temporary folder instead. The small adversarial inputs are files in
``fixtures/adversarial/`` (their expected outcomes in its ``expected.json``). Outputs are
deterministic: the same arguments give the same bytes.

* :func:`large_template`: a template of ``size`` bytes (50 MiB by default) in JSON or YAML.
  Its bulk is what a template can carry without adding resources: a Mappings catalogue of
  small values (written before Resources, so locating a finding must skip it), multi-MiB
  user data and environment values; around it a Batch stack of 200 resources within
  CloudFormation's 500, whose job definitions look their images up in that catalogue.
* :func:`deep_nesting`: nesting ``depth`` levels deep, in YAML flow or block style or JSON.
* :func:`many_duplicates`: a template whose properties repeat one key ``count`` times.
* :func:`sparse_file`: a file of ``size`` bytes that takes no disk space (a size-limit test).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
ACCOUNT = "123456789012"


# -- a large template --------------------------------------------------------------------------


def _environment(k: int) -> dict[str, Any]:
    return {
        "Type": "AWS::Batch::ComputeEnvironment",
        "Properties": {
            "Type": "MANAGED",
            "ComputeResources": {
                "Type": "SPOT" if k % 2 else "EC2",
                "AllocationStrategy": "SPOT_PRICE_CAPACITY_OPTIMIZED"
                if k % 2
                else "BEST_FIT_PROGRESSIVE",
                "MinvCpus": 0,
                "MaxvCpus": 256,
                "InstanceTypes": ["c7i", "m7i", "r7i"],
                "Subnets": ["subnet-0aaa", "subnet-0bbb"],
                "SecurityGroupIds": ["sg-0ccc"],
                "InstanceRole": f"arn:aws:iam::{ACCOUNT}:instance-profile/batch",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Launch"}},
            },
        },
    }


def _queue(k: int) -> dict[str, Any]:
    return {
        "Type": "AWS::Batch::JobQueue",
        "Properties": {
            "Priority": k,
            "ComputeEnvironmentOrder": [{"Order": 1, "ComputeEnvironment": {"Ref": f"Env{k}"}}],
        },
    }


def _job(k: int, catalogue: int, padding: str) -> dict[str, Any]:
    item = f"item{k * 7919 % catalogue:07d}"
    container: dict[str, Any] = {
        "Image": {"Fn::FindInMap": ["Catalogue", item, "Image"]},
        "ResourceRequirements": [
            {"Type": "VCPU", "Value": "2"},
            {"Type": "MEMORY", "Value": "4096"},
        ],
        "Environment": [{"Name": "STAGE", "Value": f"stage-{k}"}],
    }
    if padding:
        container["Environment"].append({"Name": "PAYLOAD", "Value": padding})
    return {
        "Type": "AWS::Batch::JobDefinition",
        "Properties": {
            "Type": "container",
            "Timeout": {"AttemptDurationSeconds": 3600},
            "RetryStrategy": {"Attempts": 3},
            "ContainerProperties": container,
        },
    }


def _catalogue_entry(i: int) -> dict[str, str]:
    return {
        "Image": f"public.ecr.aws/example/tool-{i % 977}:1.{i % 89}.{i % 13}",
        "Cpu": str(1 << (i % 4)),
        "Memory": str(2048 << (i % 3)),
        "Tier": ("batch", "bulk", "urgent")[i % 3],
    }


def _template(size: int) -> dict[str, Any]:
    """A template of about ``size`` bytes as indented JSON; the Mappings catalogue grows to
    fill what the resources and the padding leave."""
    padding = size // 8  # two values of an eighth of the size each
    script = "#!/bin/sh\n" + "echo batchlint adversarial user data line\n" * (padding // 41)
    resources: dict[str, Any] = {
        "Launch": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"UserData": {"Fn::Base64": script}}},
        }
    }
    for k in range(50):
        resources[f"Env{k}"] = _environment(k)
        resources[f"Queue{k}"] = _queue(k)
    for k in range(99):
        resources[f"Job{k}"] = _job(k, 1, "")
    resources["Job99"] = _job(99, 1, "x" * padding)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "batchlint adversarial input: a large template",
        "Mappings": {"Catalogue": _catalogue(0)},
        "Resources": resources,
    }
    # the catalogue's size per entry, measured, gives the count that fills the rest
    empty = len(json.dumps(template, indent=1))
    template["Mappings"] = {"Catalogue": _catalogue(1000)}
    per_entry = (len(json.dumps(template, indent=1)) - empty) / 1000
    count = max(1, int((size - empty) / per_entry))
    template["Mappings"] = {"Catalogue": _catalogue(count)}
    for k in range(100):
        resources[f"Job{k}"] = _job(k, count, "x" * padding if k == 99 else "")
    return template


def _catalogue(count: int) -> dict[str, dict[str, str]]:
    return {f"item{i:07d}": _catalogue_entry(i) for i in range(count)}


def large_template(path: Path, size: int = 50 * MIB, syntax: str = "json") -> Path:
    """Write a template of about ``size`` bytes (within a few percent) to ``path``."""
    return _write(path, _template(size), syntax)


def large_templates(folder: Path, size: int = 50 * MIB) -> tuple[Path, Path]:
    """The same large template in JSON and in YAML (built once), in ``folder``."""
    template = _template(size)
    json_path = _write(folder / "large-template.json", template, "json")
    return json_path, _write(folder / "large-template.yaml", template, "yaml")


def _write(path: Path, template: dict[str, Any], syntax: str) -> Path:
    if syntax == "json":
        text = json.dumps(template, indent=1)
    elif syntax == "yaml":
        text = _yaml(template)
    else:
        raise ValueError(f"syntax is json or yaml, not {syntax!r}")
    path.write_text(text, encoding="utf-8")
    return path


def _yaml(value: Any, indent: str = "") -> str:
    """Block-style YAML with flow-style JSON scalars: quicker to write than PyYAML's dumper
    for tens of MiB, and every JSON scalar is a YAML scalar."""
    lines: list[str] = []
    _yaml_lines(value, indent, lines)
    return "\n".join(lines) + "\n"


def _yaml_lines(value: Any, indent: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, (dict, list)) and child:
                out.append(f"{indent}{json.dumps(key)}:")
                _yaml_lines(child, indent + "  ", out)
            else:
                out.append(f"{indent}{json.dumps(key)}: {json.dumps(child)}")
    else:
        for child in value:
            if isinstance(child, (dict, list)) and child:
                out.append(f"{indent}-")
                _yaml_lines(child, indent + "  ", out)
            else:
                out.append(f"{indent}- {json.dumps(child)}")


# -- nesting, duplicates, size ------------------------------------------------------------------


def deep_nesting(path: Path, depth: int = 100_000, style: str = "yaml-flow") -> Path:
    """A template whose one property nests ``depth`` levels deep: ``yaml-flow`` (``[[[…]]]``,
    the form libyaml scans in quadratic time), ``yaml-block`` (indented block sequences, as
    deep as the indentation allows in a reasonable size: capped at 2,000) or ``json``."""
    head = "Resources:\n  Job:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n"
    if style == "yaml-flow":
        text = head + "      Parameters: " + "[" * depth + "]" * depth + "\n"
    elif style == "yaml-block":
        levels = min(depth, 2_000)
        text = head + "      Parameters:\n"
        text += "".join(" " * (8 + i) + "-\n" for i in range(levels))
    elif style == "json":
        text = '{"Resources": {"Job": {"Type": "AWS::Batch::JobDefinition", "Properties": '
        text += '{"Parameters": ' + "[" * depth + "]" * depth + "}}}}"
    else:
        raise ValueError(f"style is yaml-flow, yaml-block or json, not {style!r}")
    path.write_text(text, encoding="utf-8")
    return path


def many_duplicates(path: Path, count: int = 100_000, syntax: str = "yaml") -> Path:
    """A compute environment whose properties repeat ``MaxvCpus`` ``count`` times."""
    if syntax == "yaml":
        repeated = "".join(f"        MaxvCpus: {i}\n" for i in range(count))
        text = (
            "Resources:\n  Env:\n    Type: AWS::Batch::ComputeEnvironment\n    Properties:\n"
            "      Type: MANAGED\n      ComputeResources:\n        Type: EC2\n" + repeated
        )
    else:
        repeated = ", ".join(f'"MaxvCpus": {i}' for i in range(count))
        text = (
            '{"Resources": {"Env": {"Type": "AWS::Batch::ComputeEnvironment", "Properties": '
            '{"Type": "MANAGED", "ComputeResources": {"Type": "EC2", ' + repeated + "}}}}}"
        )
    path.write_text(text, encoding="utf-8")
    return path


def sparse_file(path: Path, size: int) -> Path:
    """``size`` bytes that read as zeros and take no space on a file system with holes."""
    with path.open("wb") as handle:
        handle.write(b"Resources:\n")
        handle.truncate(size)
    return path


# -- command line ------------------------------------------------------------------------------


def write_all(folder: Path, size: int = 50 * MIB) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        *large_templates(folder, size),
        deep_nesting(folder / "deep-flow.yaml", style="yaml-flow"),
        deep_nesting(folder / "deep-block.yaml", style="yaml-block"),
        deep_nesting(folder / "deep.json", style="json"),
        many_duplicates(folder / "many-duplicates.yaml", syntax="yaml"),
        many_duplicates(folder / "many-duplicates.json", syntax="json"),
        sparse_file(folder / "oversized.yaml", 64 * MIB + 1),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the inputs")
    parser.add_argument("--size-mib", type=float, default=50, help="size of the large templates")
    args = parser.parse_args()
    for path in write_all(args.folder, int(args.size_mib * MIB)):
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
