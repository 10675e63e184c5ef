"""``batchlint cost``: tables, data, comparisons and their exit codes, end to end through
``cli.main`` and ``python -m batchlint``. ``BATCHLINT_UPDATE_GOLDEN=1`` rewrites the golden
files and the sample in README's ## Costs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from batchlint.cli import main
from batchlint.cost.compare import Delta, FileCosts, compare
from batchlint.cost.estimate import Cost, Range
from batchlint.cost.report import MARKDOWN_LIMIT

from .conftest import FIXTURES, REPO

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = "examples/batch-stack.yaml"
COMPARE = "fixtures/cost/compare"
COMPARE_ARGS = [
    "--compare",
    f"{COMPARE}/base",
    f"{COMPARE}/head",
    "--usage",
    f"{COMPARE}/usage.yaml",
    "--max-increase-usd",
    "5000",
]
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # names in the output are relative to the working directory


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cost", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("BATCHLINT_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{name} is missing; rerun with BATCHLINT_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs; BATCHLINT_UPDATE_GOLDEN=1"


# -- golden outputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SUFFIX)
def test_golden_example(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, EXAMPLE, "--format", fmt)
    assert (code, err) == (0, "")
    _golden(f"cost.{SUFFIX[fmt]}", out)


@pytest.mark.parametrize("fmt", SUFFIX)
def test_golden_compare(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *COMPARE_ARGS, "--format", fmt)
    assert (code, err) == (1, "")  # the ceiling rises by far more than $5,000
    _golden(f"cost-compare.{SUFFIX[fmt]}", out)


def test_readme_shows_the_current_output() -> None:
    path = REPO / "README.md"
    readme = path.read_text(encoding="utf-8")
    start = readme.index("\n## Costs\n")
    shown = re.compile(r"```text\n(.*?)```", re.S).search(readme, start)
    assert shown, "README's ## Costs has no ```text block"
    current = (GOLDEN / "cost.txt").read_text(encoding="utf-8")
    if os.environ.get("BATCHLINT_UPDATE_GOLDEN") == "1":
        readme = readme[: shown.start(1)] + current + readme[shown.end(1) :]
        path.write_text(readme, encoding="utf-8")
    else:
        assert shown.group(1) == current, "README differs; BATCHLINT_UPDATE_GOLDEN=1"


def test_as_a_module_in_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "batchlint", "cost", EXAMPLE],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == (GOLDEN / "cost.txt").read_text(encoding="utf-8")


# -- what the tables say -----------------------------------------------------------------------


def test_text_cites_prices_region_and_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, EXAMPLE)
    assert out.startswith("examples/batch-stack.yaml (us-east-1)\n")
    assert "Prices: AWS public list prices, EC2 on-demand as of " in out
    assert "- EBS volumes, data transfer and other charges are not included." in out
    assert out.count("EBS volumes, data transfer") == 1  # deduplicated
    rows = {line.split()[0]: line for line in out.splitlines()[2:6]}
    assert "unbounded" in rows["AlignReads"]  # no timeout
    assert rows["AlignReads"].endswith("unknown — no usage file")  # not $0
    assert "$8,340–$13,600" in rows["OnDemandEnvironment"]  # a range where the truth is one


def test_usage_file_gives_monthly_figures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text(
        "usage:\n"
        "  CallVariants: {jobs_per_month: 600, average_duration_minutes: 60}\n"
        "  Nowhere: {jobs_per_month: 1, average_duration_minutes: 1}\n"
    )
    code, out, err = run(capsys, EXAMPLE, "--usage", str(usage), "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    costs = {c["resource"]: c for c in doc["costs"]}
    assert costs["CallVariants"]["usage_monthly_usd"] == {"low": 120.96, "high": 120.96}
    assert costs["AlignReads"]["usage_monthly_usd"] is None
    assert doc["totals"]["overall"]["usage_monthly_usd"] == {"low": 120.96, "high": 120.96}
    assert doc["totals"]["overall"]["unknown"]["usage_monthly_usd"] == 1
    assert doc["usage_file"] == str(usage)
    assert doc["notes"] == [f"{usage}:3: usage entry 'Nowhere' matches no resource"]
    # text: the note on stderr, the row says why its figure is unknown
    code, out, err = run(capsys, EXAMPLE, "--usage", str(usage))
    assert err == f"batchlint: note: {usage}:3: usage entry 'Nowhere' matches no resource\n"
    assert "unknown — not in usage file" in out and "$121 + 1 unknown" in out


def test_folders_and_overall_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, f"{COMPARE}/head", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert [f["file"] for f in doc["totals"]["by_file"]] == [
        f"{COMPARE}/head/fargate.yaml",
        f"{COMPARE}/head/stack.yaml",
    ]
    overall = doc["totals"]["overall"]["ceiling_monthly_usd"]
    parts = [f["ceiling_monthly_usd"] for f in doc["totals"]["by_file"]]
    assert overall["high"] == pytest.approx(sum(p["high"] for p in parts), abs=0.02)
    _, text, _ = run(capsys, f"{COMPARE}/head")
    assert "\nTotal of 2 files: floor/month $261, ceiling/month " in text


def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "cost.md"
    code, out, _ = run(capsys, EXAMPLE, "--format", "markdown", "--output", str(target))
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == (GOLDEN / "cost.md").read_text(encoding="utf-8")


def test_scan_json_carries_the_same_costs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("usage:\n  AlignReads: {jobs_per_month: 100, average_duration_minutes: 30}\n")
    main(["scan", EXAMPLE, "--format", "json", "--usage", str(usage), "--budget", "10000"])
    scanned = json.loads(capsys.readouterr().out)
    _, out, _ = run(capsys, EXAMPLE, "--format", "json", "--usage", str(usage))
    assert scanned["costs"] == json.loads(out)["costs"]
    assert any(c["usage_monthly_usd"] for c in scanned["costs"])
    # --budget reaches max-cost-over-budget
    assert "max-cost-over-budget" in {f["name"] for f in scanned["findings"]}


# -- comparisons and thresholds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ([], 0),  # no limit: a report, not a gate
        (["--max-increase-usd", "100000"], 0),
        (["--max-increase-usd", "5000"], 1),  # the ceiling rises by about $28,000
        (["--max-increase-percent", "500"], 0),  # ... which is +232%
        (["--max-increase-percent", "200"], 1),
        (["--max-increase-usd", "100000", "--max-increase-percent", "200"], 1),  # either one
    ],
)
def test_threshold_exit_codes(
    limits: list[str], expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--compare", f"{COMPARE}/base", f"{COMPARE}/head", *limits)
    assert code == expected
    assert ("BL-CE-009 cost-increase-over-threshold" in out) == bool(expected)


def test_comparing_a_file_with_itself_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--compare", EXAMPLE, EXAMPLE, "--max-increase-usd", "0", "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0 and not doc["exceeded"]
    assert (doc["added"], doc["removed"], doc["changed"], doc["unchanged"]) == ([], [], [], 4)
    assert doc["totals"]["change"]["ceiling_monthly_usd"] is None


def test_a_cut_never_fires(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--compare", f"{COMPARE}/head", f"{COMPARE}/base", "--max-increase-usd", "0"
    )
    assert code == 0
    assert "ceiling/month" in out and "-$24,900 to -$28,100 (-70%)" in out


def test_compare_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, *COMPARE_ARGS, "--format", "json")
    doc = json.loads(out)
    added = {(c["file"], c["resource"]) for c in doc["added"]}
    assert ("stack.yaml", "WarmPool") in added and ("fargate.yaml", "Ingest") in added
    assert {c["resource"] for c in doc["removed"]} == {"Cleanup", "LegacyEnvironment"}
    spot = next(c for c in doc["changed"] if c["resource"] == "SpotEnvironment")
    assert spot["change"]["floor_monthly_usd"] == {"low": 0.0, "high": 0.0}
    base, head = spot["base"]["ceiling_monthly_usd"], spot["head"]["ceiling_monthly_usd"]
    assert spot["change"]["ceiling_monthly_usd"] == {
        "low": round(head["low"] - base["low"], 2),
        "high": round(head["high"] - base["high"], 2),
    }
    assert doc["exceeded"] and [f["code"] for f in doc["findings"]] == ["BL-CE-009"]
    assert doc["findings"][0]["resource"] == "SpotEnvironment"
    assert doc["thresholds"] == {"max_increase_usd": 5000.0, "max_increase_percent": None}


def _cost(name: str, kind: str = "compute_environment", **figures: Range | None) -> Cost:
    return Cost(name, "AWS::Batch::ComputeEnvironment", kind, "f.yaml", "us-east-1", **figures)


def test_an_unknown_figure_is_not_a_saving() -> None:
    base = [
        _cost("A", ceiling_monthly=Range(100, 200)),
        _cost("B", ceiling_monthly=Range(1000, 1000)),
    ]
    head = [
        _cost("A", ceiling_monthly=Range(150, 300)),
        _cost("B", ceiling_monthly=None),  # maxvCpus became a parameter without a default
    ]
    result = compare(
        [FileCosts("f.yaml", "f.yaml", "us-east-1", base)],
        [FileCosts("f.yaml", "f.yaml", "us-east-1", head)],
    )
    assert result.change_totals["ceiling_monthly"] == Delta(50, 100)
    assert result.change_unknown["ceiling_monthly"] == 1
    assert result.head_totals["ceiling_monthly"].unknown == 1
    assert result.percent("ceiling_monthly") == pytest.approx(100 / 1200 * 100)


# -- usage and input errors: exit 2, one line ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--usage", "{tmp}/bad.yaml", EXAMPLE], "{tmp}/bad.yaml:3: usage.Render.jobs_per_month"),
        (["--usage", "{tmp}/missing.yaml", EXAMPLE], "{tmp}/missing.yaml: cannot read"),
        (["nowhere.yaml"], "nowhere.yaml: no such file or directory"),
        (["README.md"], "README.md: not a CloudFormation template or Terraform plan/state"),
        (["{tmp}/broken.yaml"], "{tmp}/broken.yaml:4: invalid YAML"),
        (["--compare", EXAMPLE, f"{COMPARE}/head"], "compare a file with a file"),
        (["--compare", EXAMPLE, EXAMPLE, EXAMPLE], "--compare BASE takes one head PATH"),
        ([EXAMPLE, "--max-increase-usd", "10"], "need --compare BASE"),
        (["--compare", EXAMPLE, EXAMPLE, "--max-increase-percent", "-1"], "must be 0 or more"),
        (["--output", "{tmp}/no/such/out.txt", EXAMPLE], "does not exist"),
    ],
)
def test_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "usage:\n  Render:\n    jobs_per_month: -3\n    average_duration_minutes: 5\n"
    )
    (tmp_path / "broken.yaml").write_text("Resources:\n  Queue:\n    Type: [unclosed\n")
    code, out, err = run(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert code == 2 and out == ""
    assert err.startswith("batchlint: error: ") and message.replace("{tmp}", str(tmp_path)) in err
    assert err.count("\n") == 1, err


def test_scan_with_a_bad_usage_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "usage.yaml"
    bad.write_text("usage:\n  Render: {jobs_per_month: '12', average_duration_minutes: 5}\n")
    assert main(["scan", EXAMPLE, "--usage", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"batchlint: error: {bad}:2: usage.Render.jobs_per_month")


# -- live pricing ----------------------------------------------------------------------------------

NO_CREDENTIALS = (
    "live pricing unavailable (NoCredentialsError from pricing:GetProducts); "
    "used the bundled snapshot"
)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials from anywhere, and no instance metadata: nothing reaches a network."""
    pytest.importorskip("boto3")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.usefixtures("no_credentials")
def test_live_pricing_falls_back_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, EXAMPLE, "--live-pricing", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and err == ""
    assert NO_CREDENTIALS in doc["notes"]  # the Price List API; Spot price history says so too
    assert all(note.endswith("used the bundled snapshot") for note in doc["notes"])
    snapshot = json.loads((GOLDEN / "cost.json").read_text(encoding="utf-8"))
    assert doc["costs"] == snapshot["costs"]  # the snapshot's figures, cited as such
    # text: the notes on stderr, one line each
    code, out, err = run(capsys, EXAMPLE, "--live-pricing")
    assert err == "".join(f"batchlint: note: {note}\n" for note in doc["notes"])
    assert out == (GOLDEN / "cost.txt").read_text(encoding="utf-8")
    # markdown: in the comment
    _, out, _ = run(capsys, EXAMPLE, "--live-pricing", "--format", "markdown")
    assert "> **Note:** live pricing unavailable (NoCredentialsError from" in out


@pytest.mark.usefixtures("no_credentials")
def test_scan_live_pricing_notes_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", EXAMPLE, "--live-pricing", "--format", "json"])
    out, err = capsys.readouterr()
    assert json.loads(out)["costs"]
    assert f"batchlint: note: {NO_CREDENTIALS}\n" in err


@pytest.mark.parametrize("command", ["cost", "scan"])
def test_boto3_is_not_imported_without_live_pricing(command: str, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from batchlint.cli import main\n"
        f"main([{command!r}, {EXAMPLE!r}, '--format', 'json', '--output', sys.argv[1]])\n"
        "loaded = [m for m in ('boto3', 'botocore') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "out.json")],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()


# -- Markdown for pull requests --------------------------------------------------------------------

HOSTILE = "Evil|name`<img src=x onerror=alert(1)>*bold* @team [x](http://e.vil)\nnext | $5 $6"


def _job(name: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Batch::JobDefinition",
        "Properties": {
            "Type": "container",
            "Timeout": {"AttemptDurationSeconds": 600},
            "ContainerProperties": {
                "Image": "public.ecr.aws/example/job:1.0.0",
                "ResourceRequirements": [
                    {"Type": "VCPU", "Value": "1"},
                    {"Type": "MEMORY", "Value": "2048"},
                ],
            },
        },
    }


def _template(path: Path, names: list[str]) -> Path:
    resources = {name: _job(name) for name in names}
    resources["Environment"] = {
        "Type": "AWS::Batch::ComputeEnvironment",
        "Properties": {
            "Type": "MANAGED",
            "ComputeResources": {
                "Type": "EC2",
                "MinvCpus": 0,
                "MaxvCpus": 16,
                "InstanceTypes": ["m6i"],
                "Subnets": ["subnet-0123456789abcdef0"],
                "InstanceRole": "ecsInstanceRole",
            },
        },
    }
    path.write_text(json.dumps({"Resources": resources}))
    return path


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_escapes_a_hostile_resource_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    template = _template(tmp_path / "hostile.json", [HOSTILE])
    _, out, _ = run(capsys, str(template), "--format", "markdown")
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 5  # header, rule, two resources, total
    assert {_unescaped_pipes(line) for line in table} == {9}  # 8 cells: no cell is split
    row = next(line for line in table if "Evil" in line)
    # the name is one code span (fenced by two backticks, as it holds one), on one line
    expected = (
        "Evil\\|name`<img src=x onerror=alert(1)>*bold* @team [x](http://e.vil) next \\| $5 $6"
    )
    assert row.startswith(f"| ``{expected}`` | job definition |")
    outside = re.sub(r"``.*?``|`[^`]*`", "", out)  # text outside code spans
    assert "<img" not in outside and "@team" not in outside and "](http" not in outside
    assert not re.search(r"(?<!\\)\$\d", outside)  # every dollar escaped: GitHub math
    # the text table keeps it on one line too
    _, text, _ = run(capsys, str(template))
    assert "Evil|name`<img src=x onerror=alert(1)>*bold* @team [x](http://e.vil) next" in text


def test_markdown_for_500_resources_is_cut_to_the_comment_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    names = [
        f"RenderJobDefinitionForCustomerPipelineStage{i:04d}WithAVeryLongName" for i in range(500)
    ]
    template = _template(tmp_path / "big.json", names)
    _, out, _ = run(capsys, str(template), "--format", "markdown")
    assert len(out.encode("utf-8")) <= MARKDOWN_LIMIT
    listed = sum(1 for name in names if f"`{name}`" in out)
    left = re.search(r"_(\d+) more resources not shown", out)
    assert left and 0 < listed < 500
    assert listed + 1 + int(left.group(1)) == 501  # the compute environment is listed too
    assert "| **total** |" in out  # the total still covers everything
    _, everything, _ = run(capsys, str(template), "--format", "json")
    assert len(json.loads(everything)["costs"]) == 501


def test_compare_markdown_is_cut_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = _template(tmp_path / "base.json", [])
    names = [f"NewJobDefinitionNumber{i:04d}WithQuiteALongNameIndeed{'x' * 60}" for i in range(500)]
    head = _template(tmp_path / "head.json", names)
    _, out, _ = run(capsys, "--compare", str(base), str(head), "--format", "markdown")
    assert len(out.encode("utf-8")) <= MARKDOWN_LIMIT
    assert re.search(r"_\d+ more resources not shown", out)
    assert "500 added, 0 removed, 0 changed; 1 unchanged." in out


def test_fixture_base_folders_are_real_stacks() -> None:
    # the rule fixtures' base/ files scan cleanly on their own too
    from batchlint.engine import scan

    report = scan([str(FIXTURES / "rules" / "cost-increase-over-threshold" / "base")])
    assert len(report.files_scanned) == 4  # CloudFormation YAML and JSON, plan, .tf
    assert not [f for f in report.findings if f.code.startswith("BL-META")]
