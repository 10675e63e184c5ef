"""The real-world corpus beside the project: everything is read without a crash."""

from __future__ import annotations

import pytest

from batchlint.engine import scan

from .conftest import SHARED

CORPUS = SHARED / "corpus"
FOLDERS = ("cfn", "tf", "tfplan", "peerfixtures")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


@pytest.mark.parametrize("folder", FOLDERS)
def test_corpus_folder_scans_without_crash(folder: str) -> None:
    report = scan([str(CORPUS / folder)])
    crashed = [f for f in report.findings if f.code == "BL-META-003"]
    assert not crashed, "\n".join(f"{f.file}: {f.message}" for f in crashed)
    assert report.files_scanned or folder == "tf"
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1
        assert finding.resource or finding.code.startswith("BL-META")


def test_every_cloudformation_template_is_recognised() -> None:
    report = scan([str(CORPUS / "cfn")])
    assert not report.files_skipped, report.files_skipped
    unreadable = [f for f in report.findings if f.code == "BL-META-001"]
    assert not unreadable, unreadable
    assert report.resources.get("AWS::Batch::JobDefinition", 0) > 50
