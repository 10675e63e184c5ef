"""privileged-container against other linters' fixtures (KICS, cfn_nag, cfn-guard), and
its messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from . import scanning

SHARED = Path(__file__).resolve().parents[3] / "shared"
PEERS = SHARED / "corpus" / "peerfixtures"
CODE = "BL-JD-004"

pytestmark = pytest.mark.skipif(not PEERS.is_dir(), reason="../shared/corpus is not present")


def _findings(path: Path) -> list[str]:
    report = scanning.scan_file(path, CODE, also=["BL-META"])
    assert not report.files_skipped, report.files_skipped
    meta = [f.message for f in report.findings if f.code.startswith("BL-META")]
    assert not meta, meta
    return [f.resource for f in report.findings]


def _peers(*needles: str) -> list[Path]:
    """Peer templates whose file name holds every needle (templates only, no metadata)."""
    if not PEERS.is_dir():
        return []
    return sorted(
        p
        for p in PEERS.iterdir()
        if p.suffix in (".yaml", ".yml", ".json")
        and all(n in p.name for n in needles)
        and "expected_result" not in p.name
        and "metadata" not in p.name
    )


_KICS = ("kics__assets__queries__cloudFormation", "privileged_container_properties")
_NAG = ("stelligent__cfn_nag", "batch_jobdefinition")
KICS_POSITIVE = _peers(*_KICS, "__test__positive")
KICS_NEGATIVE = _peers(*_KICS, "__test__negative")
CFN_NAG_POSITIVE = _peers(*_NAG, "priveleged_true")
CFN_NAG_NEGATIVE = _peers(*_NAG, "priveleged_false") + _peers(*_NAG, "no_container_properties")


@pytest.mark.parametrize("path", KICS_POSITIVE + CFN_NAG_POSITIVE, ids=lambda p: p.name[-70:])
def test_peer_positive_fires(path: Path) -> None:
    assert _findings(path), path.name


@pytest.mark.parametrize("path", KICS_NEGATIVE + CFN_NAG_NEGATIVE, ids=lambda p: p.name[-70:])
def test_peer_negative_is_clean(path: Path) -> None:
    assert not _findings(path), path.name


def test_peer_lists_are_not_empty() -> None:
    assert len(KICS_POSITIVE) >= 4 and len(KICS_NEGATIVE) >= 4
    assert len(CFN_NAG_POSITIVE) >= 4 and len(CFN_NAG_NEGATIVE) >= 4


GUARD = (
    PEERS / "aws-cloudformation__aws-guard-rules-registry__rules__aws__aws_batch__tests__"
    "batch_job_container_properties_privileged_rule_tests.yml"
)


def _guard_cases() -> list[tuple[str, dict, str]]:
    if not GUARD.is_file():
        return []
    cases = yaml.safe_load(GUARD.read_text())
    out = []
    for case in cases:
        expected = case["expectations"]["rules"]["BATCH_JOB_CONTAINER_PROPERTIES_PRIVILEGED_RULE"]
        template = case.get("input") or {}
        if "Resources" not in template:
            continue  # "Empty": not a template at all
        suppressed = any(
            "Metadata" in res and ("guard" in res["Metadata"] or "cfn_nag" in res["Metadata"])
            for res in (template.get("Resources") or {}).values()
        )
        if expected == "SKIP" and suppressed:
            # batchlint has its own suppressions; cfn-guard/cfn_nag metadata does not silence it
            expected = "FAIL"
        out.append((case["name"], template, expected))
    return out


@pytest.mark.parametrize(
    ("name", "template", "expected"), [pytest.param(*c, id=c[0]) for c in _guard_cases()]
)
def test_guard_registry_cases(name: str, template: dict, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template))
    flagged = _findings(path) if template.get("Resources") else []
    assert bool(flagged) == (expected == "FAIL"), name


def test_message_names_each_container(tmp_path: Path) -> None:
    template = """
Resources:
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: multinode
      NodeProperties:
        NumNodes: 2
        MainNode: 0
        NodeRangeProperties:
          - TargetNodes: "0:1"
            Container: {Image: busybox:1.36, Privileged: true, Vcpus: 1, Memory: 512}
  Eks:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      EksProperties:
        PodProperties:
          Containers:
            - {Name: main, Image: busybox:1.36, SecurityContext: {Privileged: "true"}}
"""
    messages = sorted(scanning.messages(tmp_path, template, CODE))
    assert len(messages) == 2
    assert messages[0].startswith('EKS container "main" runs privileged')
    assert "securityContext.privileged" in messages[0]
    assert messages[1].startswith('The container of node range "0:1" runs privileged')
    assert all(m.endswith(".") for m in messages)
