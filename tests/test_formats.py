"""The CI formats: GitHub workflow commands, GitLab Code Quality, JUnit XML and Markdown.

Golden files for the shared sample report are checked by ``test_reporters.test_golden``; the
ones here cover suppressed and baseline findings and the Markdown sizes (0, 1, 500 findings).
``BATCHLINT_UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from batchlint.cli import main
from batchlint.cost import report as cost_report
from batchlint.report import NEW, UNCHANGED, Report, Suppression
from batchlint.reporters import github, gitlab, markdown, render
from batchlint.rule import Severity

from .conftest import FIXTURES, REPO
from .test_reporters import RULES, sample_report

GOLDEN = Path(__file__).parent / "golden"
CI_FORMATS = ("github", "gitlab", "junit", "markdown")
SUFFIX = {"github": "github.txt", "gitlab": "gitlab.json", "junit": "junit.xml", "markdown": "md"}
EXAMPLE = str(REPO / "examples" / "batch-stack.yaml")
HOSTILE = (
    "evil\x1b[31m red\nnext line\r| a | b | <script>alert(1)</script> @team #12 "
    "[click](https://evil.example) `code` %0A ::warning::x, a:b & **bold** www.evil.example"
)


def _render(report: Report, fmt: str, base_dir: str = ".") -> str:
    return render(report, fmt, color=False, tool_version="1.2.3", base_dir=base_dir)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("BATCHLINT_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{name} is missing; rerun with BATCHLINT_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs; BATCHLINT_UPDATE_GOLDEN=1"


def mixed_report() -> Report:
    """The sample with one finding suppressed, one in the baseline, one new, and one fixed."""
    report = sample_report()
    ce, jd_timeout, jd_privileged, meta = report.findings
    reason = Suppression("inSource", "warm pool for the trading desk | SLA", "Metadata of Render")
    report.findings = [
        replace(ce, baseline_state=NEW),
        replace(jd_timeout, baseline_state=UNCHANGED),
        replace(jd_privileged, suppressions=(reason,)),
        meta,
    ]
    report.fixed = [{"code": "BL-JQ-003", "resource": "Queue", "fingerprint": "f" * 32}]
    return report


def many_findings(count: int) -> Report:
    """``count`` findings over 10 files, every severity, long messages: a big pull request."""
    base = sample_report().findings[:3]
    findings = []
    for i in range(count):
        finding = base[i % 3]
        findings.append(
            replace(
                finding,
                file=f"stacks/service-{i % 10:02d}.yaml",
                line=10 + i,
                resource=f"{finding.resource}{i:03d}",
                message=f"{finding.message} (case {i}: {'x' * 40})",
                fingerprint=f"{i:032x}",
            )
        )
    return Report(
        findings=findings,
        files_scanned=[f"stacks/service-{n:02d}.yaml" for n in range(10)],
        rules=list(RULES),
    )


def hostile_report() -> Report:
    report = sample_report()
    first = report.findings[0]
    report.findings = [
        replace(first, message=HOSTILE, resource="Res|<b>@team\x1b[0m\nX", file="a\nb,c:d.yaml"),
        *report.findings[1:],
    ]
    return report


# -- goldens -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_golden_with_suppressed_and_baseline_findings(fmt: str) -> None:
    _golden(f"report-mixed.{SUFFIX[fmt]}", _render(mixed_report(), fmt))


@pytest.mark.parametrize("count", [0, 1, 500])
def test_markdown_golden_sizes(count: int) -> None:
    report = many_findings(count)
    _golden(f"report-{count}.md", _render(report, "markdown"))


@pytest.mark.parametrize("fmt", CI_FORMATS)
@pytest.mark.parametrize("report", [Report(), mixed_report()], ids=["empty", "mixed"])
def test_deterministic_and_newline_terminated(fmt: str, report: Report) -> None:
    out = _render(report, fmt)
    assert out == _render(report, fmt)
    assert out == "" or (out.endswith("\n") and not out.endswith("\n\n"))
    assert all(line == line.rstrip() for line in out.splitlines())


# -- github --------------------------------------------------------------------------------------


def test_github_one_command_per_finding() -> None:
    lines = _render(sample_report(), "github").splitlines()
    assert lines[0] == (
        "::warning file=stacks/batch.yaml,line=12,col=7,title=BL-CE-001 spot-best-fit-allocation"
        "::SpotEnvironment: uses BEST_FIT (the default) on Spot: jobs wait when that type has no "
        "capacity — set AllocationStrategy to SPOT_PRICE_CAPACITY_OPTIMIZED."
    )
    assert [line.split(" ", 1)[0] for line in lines] == [
        "::warning",
        "::notice",
        "::error",
        "::error",
    ]
    assert lines[3].startswith("::error file=stacks/broken yaml.yaml,line=1,col=1,title=")
    assert lines[3].split("::", 2)[2].startswith("cannot parse")  # no resource: no prefix


def test_github_skips_findings_that_do_not_count() -> None:
    lines = _render(mixed_report(), "github").splitlines()
    assert [line.split("title=")[1].split(" ")[0] for line in lines] == ["BL-CE-001", "BL-META-001"]
    assert _render(Report(), "github") == ""


def test_github_escaping() -> None:
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%d") == "a%3Ab%2Cc%25d"
    # a property value cannot end the property list or the command
    assert github.escape_property("x::error file=y,line=1") == "x%3A%3Aerror file=y%2Cline=1"


def test_github_paths_are_relative_to_the_repository(tmp_path: Path) -> None:
    report = sample_report()
    report.findings = [replace(report.findings[0], file=str(tmp_path / "infra" / "a.yaml"))]
    line = _render(report, "github", base_dir=str(tmp_path))
    assert line.startswith("::warning file=infra/a.yaml,line=12,")
    assert github.repo_path("/elsewhere/x.yaml", str(tmp_path)) == "elsewhere/x.yaml"
    assert github.repo_path("./stacks/a.yaml", ".") == "stacks/a.yaml"


# -- gitlab --------------------------------------------------------------------------------------


def _gitlab(report: Report) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = json.loads(_render(report, "gitlab"))
    return issues


def _check_gitlab_issue(issue: dict[str, Any]) -> None:
    """What GitLab's Code Quality report requires of each issue."""
    assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert issue["description"] and issue["check_name"]
    assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    location = issue["location"]
    assert location["path"] and not location["path"].startswith("/")
    assert isinstance(location["lines"]["begin"], int) and location["lines"]["begin"] >= 1


def test_gitlab_issues() -> None:
    issues = _gitlab(sample_report())
    for issue in issues:
        _check_gitlab_issue(issue)
    assert issues[0] == {
        "description": "SpotEnvironment: " + sample_report().findings[0].message,
        "check_name": "BL-CE-001 spot-best-fit-allocation",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "stacks/batch.yaml", "lines": {"begin": 12}},
    }
    assert [i["severity"] for i in issues] == ["major", "info", "critical", "critical"]
    assert _gitlab(Report()) == []


def test_gitlab_only_findings_that_count() -> None:
    assert [i["check_name"].split()[0] for i in _gitlab(mixed_report())] == [
        "BL-CE-001",
        "BL-META-001",
    ]


def test_gitlab_fingerprints_are_unique_and_ignore_line_numbers() -> None:
    report = sample_report()
    twice = replace(report.findings[0], line=99)  # the same finding repeated (hand-built)
    report.findings = [*report.findings, twice]
    prints = [i["fingerprint"] for i in _gitlab(report)]
    assert len(prints) == len(set(prints))
    moved = sample_report()
    moved.findings = [replace(f, line=f.line + 7) for f in moved.findings]
    assert prints[:4] == [i["fingerprint"] for i in _gitlab(moved)]
    # the same finding in another file is another issue
    other = sample_report()
    other.findings = [replace(f, file="other.yaml") for f in other.findings]
    assert not set(prints) & {i["fingerprint"] for i in _gitlab(other)}


# -- junit ---------------------------------------------------------------------------------------


def _junit(report: Report) -> ET.Element:
    return ET.fromstring(_render(report, "junit").encode("utf-8"))


def test_junit_suites_per_file_and_cases_per_finding() -> None:
    root = _junit(sample_report())
    assert root.tag == "testsuites"
    assert dict(root.attrib) == {
        "name": "batchlint",
        "tests": "4",
        "failures": "4",
        "errors": "0",
        "skipped": "0",
    }
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["stacks/batch.yaml", "stacks/broken yaml.yaml"]
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == [
        "BL-CE-001 spot-best-fit-allocation: SpotEnvironment",
        "BL-JD-001 job-timeout-missing: Render",
        "BL-JD-002 privileged-container: Render",
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "BL-CE-001"
    assert failure.get("message", "").startswith("[warning] uses BEST_FIT")
    assert (failure.text or "").splitlines()[0] == "stacks/batch.yaml:12:7"


def test_junit_suppressed_and_baseline_findings_are_skipped_with_the_reason() -> None:
    root = _junit(mixed_report())
    assert root.get("failures") == "2" and root.get("skipped") == "2"
    cases = {c.get("name"): c for c in root.iter("testcase")}
    suppressed = cases["BL-JD-002 privileged-container: Render"].find("skipped")
    assert suppressed is not None and suppressed.get("message") == (
        "suppressed: warm pool for the trading desk | SLA (Metadata of Render)"
    )
    known = cases["BL-JD-001 job-timeout-missing: Render"].find("skipped")
    assert known is not None and known.get("message") == "in the baseline"


def test_junit_clean_file_passes_and_repeats_are_numbered() -> None:
    report = sample_report()
    report.files_scanned.append("stacks/clean.yaml")
    report.findings.append(replace(report.findings[0], pointer="/x", fingerprint="e" * 16))
    root = _junit(report)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    clean = suites["stacks/clean.yaml"]
    assert clean.get("tests") == "1" and clean.get("failures") == "0"
    assert [c.get("name") for c in clean.findall("testcase")] == ["no findings"]
    names = [c.get("name") for c in suites["stacks/batch.yaml"].findall("testcase")]
    assert names[-1] == "BL-CE-001 spot-best-fit-allocation: SpotEnvironment (2)"
    assert len(names) == len(set(names))


# -- markdown ------------------------------------------------------------------------------------

TABLE_ROW = re.compile(r"^\| .* \|$")


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if TABLE_ROW.match(line)][2:]


def test_markdown_sample() -> None:
    out = _render(sample_report(), "markdown")
    lines = out.splitlines()
    assert lines[0] == "## batchlint"
    assert lines[2] == ("**4 findings** (2 errors, 1 warning, 1 note) in 2 files; 1 file skipped.")
    rows = _rows(out)
    assert [row.split(" | ")[0] for row in rows] == ["| **error**"] * 2 + ["| warning", "| note"]
    assert rows[0] == (
        "| **error** | [`BL-JD-002` privileged-container][BL-JD-002] | `stacks/batch.yaml:41` | "
        "`Render` | runs its container privileged; remove Privileged: true. |"
    )
    # each rule's documentation is linked once, below the table
    assert out.endswith(
        "\n\n[BL-CE-001]: https://github.com/batchlint/batchlint/blob/main/docs/rules/"
        "spot-best-fit-allocation.md\n"
        "[BL-JD-001]: https://github.com/batchlint/batchlint/blob/main/docs/rules/"
        "job-timeout-missing.md\n"
        "[BL-JD-002]: https://github.com/batchlint/batchlint/blob/main/docs/rules/"
        "privileged-container.md\n"
        "[BL-META-001]: https://github.com/batchlint/batchlint/blob/main/docs/rules/"
        "input-unreadable.md\n"
    )
    assert "| `stacks/broken yaml.yaml:1` |  |" in rows[1]  # no resource: an empty cell


def test_markdown_counts_but_does_not_list_quiet_findings() -> None:
    out = _render(mixed_report(), "markdown")
    assert "**2 findings** (1 error, 1 warning, 0 notes) in 2 files" in out
    assert "Not counted: 1 suppressed, 1 already in the baseline." in out
    assert "Fixed since the baseline: 1 baseline finding" in out
    assert [row.split("`")[1] for row in _rows(out)] == ["BL-META-001", "BL-CE-001"]


def test_markdown_empty() -> None:
    assert _render(Report(files_scanned=["a.yaml"]), "markdown") == (
        "## batchlint\n\n**No findings** in 1 file.\n"
    )


def test_markdown_500_findings_is_cut_under_the_comment_limit() -> None:
    out = _render(many_findings(500), "markdown")
    assert len(out) < 65_536 and len(out.encode("utf-8")) <= markdown.FINDINGS_LIMIT
    shown = len(_rows(out))
    assert 0 < shown < 500
    assert f"_… and {500 - shown} more findings; `--format json` lists them all._" in out
    assert "**500 findings** (166 errors, 167 warnings, 167 notes) in 10 files." in out


def test_markdown_uses_the_most_rows_that_fit() -> None:
    report = many_findings(500)
    out = markdown.render(report, limit=20_000)
    shown = len(_rows(out))
    assert len(out.encode()) <= 20_000
    # one more row would not fit
    bigger = markdown.render(report, limit=20_000 + len(_rows(out)[-1]) + 200)
    assert len(_rows(bigger)) > shown


def test_markdown_escaping_is_shared_with_the_cost_report() -> None:
    assert cost_report.md_text is markdown.md_text
    assert cost_report.md_code is markdown.md_code
    assert cost_report.fit_markdown is markdown.fit_markdown
    assert markdown.md_text("ping @team and @org/admins") == (
        "ping @&#8203;team and @&#8203;org/admins"
    )
    assert markdown.md_text("see #12 at https://x.example or www.x.example") == (
        "see #&#8203;12 at https:&#8203;//x.example or www&#8203;.x.example"
    )
    assert markdown.md_code("a|b`c") == "``a\\|b`c``"


# -- hostile text, every format ------------------------------------------------------------------


def test_github_hostile_text() -> None:
    out = _render(hostile_report(), "github")
    lines = out.splitlines()
    assert len(lines) == 4 and "\x1b" not in out and "\r" not in out
    command, rest = lines[0][2:].split("::", 1)
    name, props = command.split(" ", 1)
    assert name == "warning"
    # the properties split cleanly: the file name's ',' and ':' are escaped
    assert [p.split("=", 1)[0] for p in props.split(",")] == ["file", "line", "col", "title"]
    assert "file=a b%2Cc%3Ad.yaml" in props
    assert "%0A" not in rest and rest.startswith("Res|<b>@team\\x1b[0m X: evil\\x1b[31m red next")
    assert "%250A" in rest  # a literal %0A in the message is not a newline


def test_gitlab_hostile_text() -> None:
    issues = _gitlab(hostile_report())
    _check_gitlab_issue(issues[0])
    description = issues[0]["description"]
    assert "\x1b" not in description and "\n" not in description and "\r" not in description
    assert description.startswith("Res|<b>@team\\x1b[0m X: evil\\x1b[31m red next line ")


def test_junit_hostile_text() -> None:
    out = _render(hostile_report(), "junit")
    assert "\x1b" not in out and "<script>" not in out and "<b>" not in out
    root = ET.fromstring(out.encode("utf-8"))  # well-formed
    case = next(c for c in root.iter("testcase") if "BL-CE-001" in c.get("name", ""))
    assert case.get("name") == "BL-CE-001 spot-best-fit-allocation: Res|<b>@team\\x1b[0m X"
    failure = case.find("failure")
    assert failure is not None and "<script>alert(1)</script>" in failure.get("message", "")


def test_junit_survives_control_characters_xml_cannot_hold() -> None:
    report = sample_report()
    report.findings = [replace(report.findings[0], message="a\x00b\x08c\ufffe\ud800")]
    out = _render(report, "junit")
    root = ET.fromstring(out.encode("utf-8"))
    assert next(root.iter("failure")).get("message") == "[warning] a\\x00b\\x08c\\ufffe\\ud800"


def test_markdown_hostile_text() -> None:
    out = _render(hostile_report(), "markdown")
    assert "\x1b" not in out and "\r" not in out
    prose = re.sub(r"(`+).*?\1", "", out)  # what is not in a code span
    assert not re.search(r"(?<!\\)[<>]", prose)  # no HTML
    assert "](https://evil" not in out and "[click]" not in out
    assert not re.search(r"@\w", prose)  # no mention
    assert not re.search(r"(?<!&)#\d", prose)  # no issue reference
    assert "https://evil" not in out and "www.evil" not in out  # no bare link
    rows = _rows(out)
    assert len(rows) == 4
    hostile = next(row for row in rows if "BL-CE-001" in row)
    # every '|' from the input is escaped: the row has exactly its five cells
    assert len(re.findall(r"(?<!\\)\|", hostile)) == 6
    assert "`Res\\|<b>@team\\x1b[0m X`" in hostile  # the resource, inert in a code span
    assert "`a b,c:d.yaml:12`" in hostile


# -- end to end ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_cli_writes_each_format(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{SUFFIX[fmt]}"
    assert main(["scan", EXAMPLE, "--format", fmt, "--output", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n") and "spot-best-fit-allocation" in text
    again = tmp_path / "again"
    main(["scan", EXAMPLE, "--format", fmt, "--output", str(again)])
    assert again.read_text(encoding="utf-8") == text


def test_cli_github_format_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", EXAMPLE, "-f", "github", "--fail-on", "never"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(re.match(r"^::(error|warning|notice) file=", line) for line in lines)


def test_a_real_scan_of_every_fixture_in_each_format() -> None:
    from batchlint.engine import scan

    report = scan([str(FIXTURES / "rules"), str(REPO / "examples")])
    counting = [f for f in report.findings if f.counts]
    assert len(counting) > 50
    assert len(_render(report, "github").splitlines()) == len(counting)
    issues = _gitlab(report)
    assert len(issues) == len(counting)
    for issue in issues:
        _check_gitlab_issue(issue)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    root = _junit(report)
    assert root.get("failures") == str(len(counting))
    for suite in root.findall("testsuite"):
        names = [c.get("name") for c in suite.findall("testcase")]
        assert len(names) == len(set(names))
    out = _render(report, "markdown")
    assert len(out.encode("utf-8")) <= markdown.FINDINGS_LIMIT
    assert "more findings; `--format json` lists them all._" in out


def test_severity_maps_cover_every_severity() -> None:
    assert set(github.COMMAND) == set(Severity) == set(gitlab.SEVERITY)
