"""fargate-invalid-cpu-memory over the whole Fargate size table."""

from __future__ import annotations

from pathlib import Path

from batchlint.engine import ScanOptions, scan

from . import scanning

CODE = "BL-JD-006"

VALID = (
    [(0.25, m) for m in (512, 1024, 2048)]
    + [(0.5, m) for m in range(1024, 4097, 1024)]
    + [(1, m) for m in range(2048, 8193, 1024)]
    + [(2, m) for m in range(4096, 16385, 1024)]
    + [(4, m) for m in range(8192, 30721, 1024)]
    + [(8, m) for m in range(16384, 61441, 4096)]
    + [(16, m) for m in range(32768, 122881, 8192)]
)
INVALID = [
    (0.25, 256),
    (0.25, 3072),
    (0.5, 512),
    (0.5, 5120),
    (1, 1024),
    (1, 9216),
    (1, 2500),
    (2, 3072),
    (2, 17408),
    (4, 7168),
    (4, 31744),
    (8, 15360),
    (8, 18432),
    (8, 65536),
    (16, 30720),
    (16, 36864),
    (16, 131072),
    (3, 6144),
    (0.75, 2048),
    (32, 100000),
]


def _template(pairs: list[tuple[float, int]]) -> str:
    out = ["Resources:"]
    for index, (vcpu, memory) in enumerate(pairs):
        out.append(
            f"""  Job{index}:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements:
          - {{Type: VCPU, Value: "{vcpu:g}"}}
          - {{Type: MEMORY, Value: "{memory}"}}"""
        )
    return "\n".join(out) + "\n"


def _flagged(tmp_path: Path, pairs: list[tuple[float, int]]) -> dict[str, str]:
    return {f.resource: f.message for f in scanning.findings(tmp_path, _template(pairs), CODE)}


def test_every_fargate_size_is_accepted(tmp_path: Path) -> None:
    assert len(VALID) == 3 + 4 + 7 + 13 + 23 + 12 + 12
    assert _flagged(tmp_path, VALID) == {}


def test_other_pairs_are_flagged(tmp_path: Path) -> None:
    flagged = _flagged(tmp_path, INVALID)
    assert sorted(flagged) == sorted(f"Job{i}" for i in range(len(INVALID)))
    assert flagged["Job0"].endswith("with 0.25 vCPU use 512, 1024 or 2048 MiB.")
    assert flagged["Job9"].endswith("with 4 vCPU use 8192 to 30720 MiB in steps of 1024.")
    assert (
        "use 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU (6144 MiB goes with 1 or 2 vCPU)" in flagged["Job17"]
    )
    assert flagged["Job19"].endswith("use 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU.")


def test_missing_values_only_when_truly_absent(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Parameters:
  Memory: {Type: String}
Resources:
  NoMemory:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements: [{Type: VCPU, Value: "1"}]
  UnknownMemory:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      PlatformCapabilities: [FARGATE]
      ContainerProperties:
        Image: busybox:1.36
        ResourceRequirements:
          - {Type: VCPU, Value: "1"}
          - {Type: MEMORY, Value: !Ref Memory}
"""
    )
    report = scan([str(path)], ScanOptions(select=[CODE]))
    assert [(f.resource, f.message) for f in report.findings] == [
        (
            "NoMemory",
            "Fargate job definition gives the container (containerProperties) no MEMORY, "
            "which Fargate "
            "requires: add MEMORY to resourceRequirements as a Fargate size (for example VCPU 1 "
            "with MEMORY 2048).",
        )
    ]
