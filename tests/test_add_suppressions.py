"""``scan --add-suppressions --reason``: the edit adds the suppression lines and nothing else,
end to end through the CLI."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from batchlint import add_suppressions
from batchlint.cli import main
from tests.conftest import FIXTURES, SHARED

HERE = FIXTURES / "sources" / "add-suppressions"
REASON = "accepted in review #42: legacy stack"
YAML_FIXTURES = ["commented.yaml", "indent4.yaml"]


def _copy(tmp_path: Path, name: str, source: Path = HERE) -> Path:
    target = tmp_path / name
    shutil.copyfile(source / name, target)
    return target


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _added(before: str, after: str, commas: bool = False) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if it changes or removes any (a comma
    appended to a JSON line is allowed)."""
    old, new = before.splitlines(), after.splitlines()
    if commas:
        old, new = [x.rstrip(",") for x in old], [x.rstrip(",") for x in new]
    diff = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if not line.startswith(("---", "+++", "@@"))
    ]
    assert not [line for line in diff if line.startswith("-")], "\n".join(diff)
    return [line[1:] for line in diff]


def _suppressed(findings: list[dict]) -> dict[tuple[str, str], list[str]]:
    return {
        (f["resource"], f["name"]): [s["justification"] for s in f["suppressions"]]
        for f in findings
    }


@pytest.mark.parametrize("name", YAML_FIXTURES)
def test_yaml_diff_only_adds_suppression_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, name)
    before = path.read_text(encoding="utf-8")
    code, out, err = _run(capsys, name, "--add-suppressions", "--reason", REASON, "-f", "json")
    after = path.read_text(encoding="utf-8")
    added = _added(before, after)
    assert added and all(
        line.strip() in {"Metadata:", "batchlint:", "ignore:", f"reason: '{REASON}'"}
        or line.strip().startswith("- rule: ")
        for line in added
    ), added
    assert f"{name}: added " in err
    # the re-scan reports every finding that counted as suppressed with the reason
    report = json.loads(out)
    counting = [f for f in report["findings"] if not f["suppressions"]]
    assert not [f for f in counting if not f["code"].startswith("BL-META")]
    assert any(REASON in f["suppressions"][0]["justification"] for f in report["findings"])
    assert code == 0
    # batchlint's own YAML reader (PyYAML) sees the same document plus the entries
    assert _without_batchlint(yaml.safe_load(after.replace("!", "_"))) == _without_batchlint(
        yaml.safe_load(before.replace("!", "_"))
    )


def _without_batchlint(doc: dict) -> dict:
    for body in doc["Resources"].values():
        metadata = body.get("Metadata")
        if isinstance(metadata, dict):
            metadata.pop("batchlint", None)
            if not metadata:
                del body["Metadata"]
    return doc


def test_yaml_golden_placement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact output for the commented fixture: Metadata right after Type, the entries appended
    to an existing Metadata block and an existing ignore list, in the file's indentation."""
    monkeypatch.chdir(tmp_path)
    for name in YAML_FIXTURES:
        _copy(tmp_path, name)
    assert main(["scan", ".", "--add-suppressions", "--reason", REASON, "-o", "r.txt"]) in (0, 1)
    for name in YAML_FIXTURES:
        golden = HERE / "expected" / name
        assert (tmp_path / name).read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


def test_second_run_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, "commented.yaml")
    _run(capsys, "commented.yaml", "--add-suppressions", "--reason", REASON)
    once = path.read_bytes()
    code, _, err = _run(capsys, "commented.yaml", "--add-suppressions", "--reason", "other")
    assert path.read_bytes() == once
    assert "added" not in err
    assert code == 0


def test_existing_entry_is_not_duplicated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, "indent4.yaml")
    main(["scan", "indent4.yaml", "--add-suppressions", "--reason", REASON, "-o", "r.txt"])
    entries = yaml.safe_load(path.read_text().replace("!Ref", ""))["Resources"]["Env"]["Metadata"]
    rules = [e["rule"] for e in entries["batchlint"]["ignore"]]
    assert rules.count("missing-required-tags") == 1
    assert entries["batchlint"]["ignore"][0]["reason"] == "tagged by the account's tag policy"


@pytest.mark.parametrize(
    "reason", ["yes", "1:30", "says: why # not a comment", "ünïcödé ✓", "'quoted'", "null"]
)
def test_reason_reads_back_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, reason: str
) -> None:
    """Plain scalars YAML 1.1 reads as booleans, times or null are quoted."""
    monkeypatch.chdir(tmp_path)
    _copy(tmp_path, "indent4.yaml")
    _, out, _ = _run(capsys, "indent4.yaml", "--add-suppressions", "--reason", reason, "-f", "json")
    reasons = {j for js in _suppressed(json.loads(out)["findings"]).values() for j in js}
    assert reason in reasons


@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_json_keeps_indentation_and_order(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    indent: int | str,
) -> None:
    monkeypatch.chdir(tmp_path)
    doc = json.loads((HERE / "template.json").read_text(encoding="utf-8"))
    path = tmp_path / "template.json"
    before = json.dumps(doc, indent=indent, ensure_ascii=False) + "\n"
    path.write_text(before, encoding="utf-8")
    code, out, err = _run(
        capsys, "template.json", "--add-suppressions", "--reason", REASON, "-f", "json"
    )
    after = path.read_text(encoding="utf-8")
    added = _added(before, after, commas=True)
    assert added and "normalised" not in err
    assert all(
        line.startswith(indent if isinstance(indent, str) else " " * indent) for line in added
    )
    edited = json.loads(after)
    assert list(edited["Resources"]["Job"]) == ["Type", "Metadata", "Properties", "DependsOn"]
    env_meta = edited["Resources"]["ComputeEnv"]["Metadata"]
    assert list(env_meta) == ["aws:cdk:path", "batchlint"]  # appended to the existing Metadata
    assert "résumé" in after  # non-ASCII stays as written
    assert not [f for f in json.loads(out)["findings"] if not f["suppressions"]]
    assert code == 0


def test_json_in_another_layout_is_rewritten_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON template not in ``json.dumps`` layout (inline objects) is rewritten in it, at its
    indentation, and the note says so; the content is the same plus the entries."""
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, "cdk_stack.template.json", FIXTURES / "sources" / "cloudformation")
    before = json.loads(path.read_text(encoding="utf-8"))
    _, _, err = _run(capsys, path.name, "--add-suppressions", "--reason", REASON)
    assert "JSON layout normalised beyond the added lines" in err
    after = json.loads(path.read_text(encoding="utf-8"))
    for body in after["Resources"].values():
        body.get("Metadata", {}).pop("batchlint", None)
        if body.get("Metadata") == {}:
            del body["Metadata"]
    assert after == before


def test_crlf_and_bom_are_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (HERE / "commented.yaml").read_text(encoding="utf-8")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    _run(capsys, "crlf.yaml", "--add-suppressions", "--reason", REASON)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n")
    assert _added(text, data[3:].decode("utf-8").replace("\r\n", "\n"))


def test_unended_last_line_stays_unended(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  Q:\n    Properties: {}\n    Type: AWS::Batch::JobQueue")
    wanted = [add_suppressions.Wanted("Q", [("spot-only-queue", "BL-JQ-001")])]
    notes = add_suppressions.edit_file(path, "t.yaml", wanted, REASON)
    assert notes == ["t.yaml: added 1 suppression (Q: spot-only-queue)"]
    after = path.read_text()
    assert not after.endswith("\n")
    assert _added(
        "Resources:\n  Q:\n    Properties: {}\n    Type: AWS::Batch::JobQueue\n", after + "\n"
    )


def test_hard_cases_are_left_alone_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, "hard-cases.yaml")
    before = path.read_bytes()
    code, _, err = _run(capsys, "hard-cases.yaml", "--add-suppressions", "--reason", REASON)
    assert path.read_bytes() == before
    assert "resource Base is shared through a YAML anchor or alias; not edited" in err
    assert "resource Copy is shared through a YAML anchor or alias" in err
    assert "resource Flow is written in flow style; not edited" in err
    assert "resource QueueA is not written in the template's Resources" in err
    assert "Metadata of FlowMeta is written in flow style; not edited" in err
    assert "Traceback" not in err and code == 1


def test_terraform_plan_gets_one_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, "plan.json", FIXTURES / "sources" / "terraform")
    before = path.read_bytes()
    code, out, err = _run(capsys, "plan.json", "--add-suppressions", "--reason", REASON)
    assert path.read_bytes() == before
    assert err.count(add_suppressions.TERRAFORM_NOTE) == 1
    assert f"batchlint: plan.json: {add_suppressions.TERRAFORM_NOTE}\n" in err
    assert out and code == 1  # still reported as usual


def test_file_ruamel_cannot_parse_is_left_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML accepts a tab after a plain scalar; ruamel.yaml does not."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tab.yaml"
    text = (HERE / "indent4.yaml").read_text().replace("- optimal", "- optimal\t")
    path.write_text(text)
    _, _, err = _run(capsys, "tab.yaml", "--add-suppressions", "--reason", REASON)
    assert path.read_text() == text
    assert "batchlint: tab.yaml: cannot be parsed by ruamel.yaml: " in err
    assert "(line 27); left untouched" in err


def test_file_changed_since_read_is_left_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(tmp_path, "indent4.yaml")
    edit = add_suppressions._edit_text

    def meanwhile(*args: object, **kwargs: object) -> object:
        result = edit(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(path.read_text() + "\n# saved by an editor\n")
        return result

    monkeypatch.setattr(add_suppressions, "_edit_text", meanwhile)
    wanted = [add_suppressions.Wanted("Job", [("missing-job-timeout", "BL-JD-003")])]
    notes = add_suppressions.edit_file(path, "indent4.yaml", wanted, REASON)
    assert notes == ["indent4.yaml: changed while being edited; left untouched"]
    assert path.read_text().endswith("# saved by an editor\n")
    assert "batchlint" not in path.read_text().split("Job:")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--add-suppressions"], "--add-suppressions needs --reason TEXT"),
        (["--add-suppressions", "--reason", "  "], "--reason is empty"),
        (["--reason", "why"], "--reason is only used with --add-suppressions"),
    ],
)
def test_reason_is_required(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path, "commented.yaml")
    before = path.read_bytes()
    code, out, err = _run(capsys, "commented.yaml", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert path.read_bytes() == before


def test_corpus_templates_only_gain_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real third-party templates: every edited one differs from its original by added lines
    only (JSON: and commas); the ones that cannot be edited are untouched."""
    corpus = SHARED / "corpus" / "cfn"
    if not corpus.is_dir():
        pytest.skip("the shared corpus is not here")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(corpus, tmp_path / "cfn")
    before = {
        p.name: p.read_text(encoding="utf-8", errors="replace")
        for p in (tmp_path / "cfn").iterdir()
    }
    main(
        ["scan", "cfn", "--add-suppressions", "--reason", REASON, "-o", "report.json", "-f", "json"]
    )
    edited = 0
    for path in (tmp_path / "cfn").iterdir():
        after = path.read_text(encoding="utf-8", errors="replace")
        if after != before[path.name]:
            edited += 1
            is_json = before[path.name].lstrip().startswith("{")
            assert _added(before[path.name], after, commas=is_json), path.name
    assert edited >= len(before) * 3 // 4
    report = json.loads((tmp_path / "report.json").read_text())
    assert sum(1 for f in report["findings"] if f["suppressions"]) > 500
