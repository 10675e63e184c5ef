"""The configuration file: discovery, validation messages, precedence, per-file-ignores and
``batchlint config``, end to end through ``batchlint.cli.main``."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from batchlint import config
from batchlint.cli import main
from batchlint.registry import all_rules

from .conftest import REPO

EXAMPLE = (REPO / "examples" / "batch-stack.yaml").read_text()

# the issue's example, verbatim
ISSUE_EXAMPLE = """\
# pyproject.toml  (or .batchlint.yaml with the same keys)
[tool.batchlint]
select = ["BL"]
ignore = ["image-tag-unpinned"]
fail-on = "warning"
region = "eu-west-1"
[tool.batchlint.severity]
spot-best-fit-allocation = "error"
[tool.batchlint.per-file-ignores]
"legacy/**" = ["BL-CE"]
[[tool.batchlint.suppress]]
rule = "min-vcpus-always-on"
resource = "arn:aws:batch:*:*:compute-environment/latency-critical-*"
reason = "warm pool required by the trading desk SLA"
"""

# a Spot environment with a warm pool, named as the issue's suppression expects
LATENCY_CRITICAL = """\
Resources:
  Warm:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeEnvironmentName: latency-critical-pricing
      ComputeResources:
        Type: SPOT
        AllocationStrategy: BEST_FIT
        MinvCpus: 16
        MaxvCpus: 64
        InstanceTypes: [c7i, m7i, r7i]
        Subnets: [subnet-1]
        InstanceRole: arn:aws:iam::123456789012:instance-profile/ecsInstanceRole
        SpotIamFleetRole: arn:aws:iam::123456789012:role/spot-fleet
        Tags: {owner: me}
      Tags: {owner: me}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def pyproject(body: str) -> str:
    return f'[project]\nname = "demo"\n\n[tool.batchlint]\n{body}\n'


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def error_of(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0].removeprefix("batchlint: error: ")


# -- discovery ---------------------------------------------------------------------------------


def test_discovery_finds_the_nearest_file_upward(project: Path) -> None:
    top = write(project / "pyproject.toml", pyproject('fail-on = "error"'))
    deep = project / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert config.discover(deep) == top.resolve()
    nearer = write(project / "a" / ".batchlint.yaml", "fail-on: note\n")
    assert config.discover(deep) == nearer.resolve()
    assert config.discover(project) == top.resolve()


def test_yaml_wins_over_pyproject_in_one_folder(project: Path) -> None:
    write(project / "pyproject.toml", pyproject('fail-on = "error"'))
    yml = write(project / ".batchlint.yml", "fail-on: note\n")
    assert config.discover(project) == yml.resolve()
    yaml_file = write(project / ".batchlint.yaml", "fail-on: never\n")
    assert config.discover(project) == yaml_file.resolve()


def test_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    top = write(project / ".batchlint.yaml", "region: eu-west-1\n")
    write(project / "sub" / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nx = 1\n')
    assert config.discover(project / "sub") == top.resolve()


def test_no_file_means_no_configuration(project: Path) -> None:
    sub = project / "sub"
    sub.mkdir()
    found = config.discover(sub)
    # nothing in the temporary folder; an ancestor outside it is not ours to judge
    assert found is None or not str(found).startswith(str(project.resolve()))


def test_discovery_from_a_subfolder_applies(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", pyproject('fail-on = "never"\nselect = ["BL-CE-001"]'))
    write(project / "infra" / "stack.yaml", EXAMPLE)
    monkeypatch.chdir(project / "infra")
    code, report = scan_json(capsys, "stack.yaml")
    assert code == 0
    assert {f["code"] for f in report["findings"]} == {"BL-CE-001"}


def test_config_flag_and_no_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / ".batchlint.yaml", "select: [BL-CE-001]\n")
    write(project / "other" / "strict.yaml", "select: [BL-JD-003]\n")
    _, found = scan_json(capsys, "stack.yaml")
    assert {f["code"] for f in found["findings"]} == {"BL-CE-001"}
    _, given = scan_json(capsys, "stack.yaml", "--config", "other/strict.yaml")
    assert {f["code"] for f in given["findings"]} == {"BL-JD-003"}
    _, none = scan_json(capsys, "stack.yaml", "--no-config")
    assert len({f["code"] for f in none["findings"]}) > 2


def test_a_toml_file_other_than_pyproject_has_the_keys_at_top_level(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / "batchlint.toml", 'select = ["BL-CE-001"]\n')
    _, report = scan_json(capsys, "stack.yaml", "--config", "batchlint.toml")
    assert {f["code"] for f in report["findings"]} == {"BL-CE-001"}
    # a pyproject-style table is read from any .toml given with --config
    write(project / "shared.toml", '[tool.batchlint]\nselect = ["BL-CE-001"]\n')
    _, report = scan_json(capsys, "stack.yaml", "--config", "shared.toml")
    assert {f["code"] for f in report["findings"]} == {"BL-CE-001"}


# -- validation: one line, where, and what was meant -------------------------------------------

TOML_ERRORS = [
    (
        'fail_on = "warning"',
        "pyproject.toml: [tool.batchlint] unknown key 'fail_on' (did you mean 'fail-on'?)",
    ),
    ('colour = "red"', "pyproject.toml: [tool.batchlint] unknown key 'colour'"),
    (
        'fail-on = "warn"',
        'pyproject.toml: [tool.batchlint] fail-on: bad value "warn" (expected error, warning, '
        "note or never) (did you mean 'warning'?)",
    ),
    (
        'select = ["BL-XX"]',
        "pyproject.toml: [tool.batchlint] select: unknown rule or prefix 'BL-XX' "
        "(did you mean 'BL-SP'?)",
    ),
    (
        'ignore = ["image-tag-unpined"]',
        "pyproject.toml: [tool.batchlint] ignore: unknown rule or prefix 'image-tag-unpined' "
        "(did you mean 'image-tag-unpinned'?)",
    ),
    (
        'select = "BL"',
        'pyproject.toml: [tool.batchlint] select: expected a list, not the text "BL"',
    ),
    (
        'region = "eu-west1"',
        "pyproject.toml: [tool.batchlint] region 'eu-west1' is not an AWS region name like "
        "'eu-west-1'",
    ),
    (
        'baseline = ""',
        "pyproject.toml: [tool.batchlint] baseline: expected text that is not empty, not the "
        'text ""',
    ),
    (
        '[tool.batchlint.severity]\nspot-best-fit = "error"',
        "pyproject.toml: [tool.batchlint.severity] unknown rule 'spot-best-fit' "
        "(did you mean 'spot-best-fit-allocation'?)",
    ),
    (
        '[tool.batchlint.severity]\nspot-best-fit-allocation = "fatal"',
        'pyproject.toml: [tool.batchlint.severity] spot-best-fit-allocation: bad severity "fatal" '
        "(expected error, warning or note)",
    ),
    (
        '[tool.batchlint.severity]\nBL-CE-001 = "warn"',
        'pyproject.toml: [tool.batchlint.severity] BL-CE-001: bad severity "warn" '
        "(expected error, warning or note) (did you mean 'warning'?)",
    ),
    (
        '[tool.batchlint.per-file-ignores]\n"legacy/**" = ["BL-CEE"]',
        'pyproject.toml: [tool.batchlint.per-file-ignores] "legacy/**": unknown rule or prefix '
        "'BL-CEE' (did you mean 'BL-CE'?)",
    ),
    (
        '[tool.batchlint.per-file-ignores]\n"legacy/**" = "BL-CE"',
        'pyproject.toml: [tool.batchlint.per-file-ignores] "legacy/**": expected a list, not '
        'the text "BL-CE"',
    ),
    (
        '[tool.batchlint.options.missing-required-tag]\nrequired_tags = ["owner"]',
        "pyproject.toml: [tool.batchlint.options] unknown rule 'missing-required-tag' "
        "(did you mean 'missing-required-tags'?)",
    ),
    (
        '[tool.batchlint.options.missing-required-tags]\nrequired_tag = ["owner"]',
        "pyproject.toml: [tool.batchlint.options.missing-required-tags] missing-required-tags "
        "has no option 'required_tag' (did you mean 'required_tags'?)",
    ),
    (
        '[tool.batchlint.options.missing-required-tags]\nowner = "me"',
        "pyproject.toml: [tool.batchlint.options.missing-required-tags] missing-required-tags "
        "has no option 'owner' (its options: required_tags)",
    ),
    (
        '[tool.batchlint.options.missing-required-tags]\nrequired_tags = "owner"',
        "pyproject.toml: [tool.batchlint.options.missing-required-tags] required_tags: "
        'expected a list, not the text "owner"',
    ),
    (
        '[tool.batchlint.options.max-cost-over-budget]\nmonthly_budget_usd = "lots"',
        "pyproject.toml: [tool.batchlint.options.max-cost-over-budget] monthly_budget_usd: "
        'expected a number, not the text "lots"',
    ),
    (
        '[tool.batchlint.option.missing-required-tags]\nrequired_tags = ["owner"]',
        "pyproject.toml: [tool.batchlint] unknown key 'option' (did you mean 'options'?)",
    ),
    (
        '[[tool.batchlint.suppress]]\nrule = "min-vcpus-always-on"\nresource = "Spot*"',
        "pyproject.toml: [[tool.batchlint.suppress]] #1: a suppression needs a 'reason': why "
        "the finding is accepted",
    ),
    (
        '[[tool.batchlint.suppress]]\nrule = "min-vcpus-always-on"\nresource = "Spot*"\n'
        'reason = "  "',
        "pyproject.toml: [[tool.batchlint.suppress]] #1: the reason must not be empty",
    ),
    (
        '[[tool.batchlint.suppress]]\nrule = "BL-CE-006"\nresource = "A"\nreason = "ok"\n'
        '[[tool.batchlint.suppress]]\nrule = "min-vcpu-always-on"\nresource = "B"\nreason = "x"',
        "pyproject.toml: [[tool.batchlint.suppress]] #2: unknown rule 'min-vcpu-always-on' "
        "(did you mean 'min-vcpus-always-on'?)",
    ),
    (
        '[[tool.batchlint.suppress]]\nrule = "BL-CE-006"\nresource = "A"\nreason = "ok"\n'
        "justification = 'x'",
        "pyproject.toml: [[tool.batchlint.suppress]] #1: unknown key 'justification'",
    ),
    (
        '[[tool.batchlint.suppress]]\nrule = "input-unreadable"\nresource = "A"\nreason = "ok"',
        "pyproject.toml: [[tool.batchlint.suppress]] #1: BL-META-001 input-unreadable cannot "
        "be suppressed",
    ),
    ("select = [", "pyproject.toml: invalid TOML: Invalid value (at end of document)"),
]


@pytest.mark.parametrize(("body", "message"), TOML_ERRORS)
def test_each_mistake_is_one_line_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / "pyproject.toml", pyproject(body))
    assert error_of(capsys, "scan", "stack.yaml") == message
    # `batchlint config` checks the same
    assert error_of(capsys, "config") == message


YAML_ERRORS = [
    (
        "select: [BL]\nfail_on: error\n",
        ".batchlint.yaml:2: unknown key 'fail_on' (did you mean 'fail-on'?)",
    ),
    (
        "severity:\n  spot-best-fit-allocation: error\n  spot-best-fit: note\n",
        ".batchlint.yaml:3: severity: unknown rule 'spot-best-fit' "
        "(did you mean 'spot-best-fit-allocation'?)",
    ),
    (
        "suppress:\n  - rule: BL-CE-006\n    resource: A\n    reason: ok\n"
        "  - rule: BL-CE-006\n    resource: B\n",
        ".batchlint.yaml:5: suppress #2: a suppression needs a 'reason': why the finding is "
        "accepted",
    ),
    (
        "options:\n  max-cost-over-budget:\n    budget: 100\n",
        ".batchlint.yaml:3: options.max-cost-over-budget: max-cost-over-budget has no option "
        "'budget' (its options: monthly_budget_usd)",
    ),
    ("region: eu-west-1\nregion: us-east-1\n", ".batchlint.yaml:2: 'region' is written twice"),
    ("select: [BL\n", ".batchlint.yaml:2: invalid YAML: did not find expected ',' or ']'"),
    ("- BL\n", ".batchlint.yaml:1: expected a table of settings"),
]


@pytest.mark.parametrize(("text", "message"), YAML_ERRORS)
def test_yaml_mistakes_name_the_line(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / ".batchlint.yaml", text)
    assert error_of(capsys, "scan", "stack.yaml") == message


def test_messages_name_the_file_relative_to_the_working_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", pyproject('fail_on = "error"'))
    write(project / "infra" / "stack.yaml", EXAMPLE)
    monkeypatch.chdir(project / "infra")
    assert error_of(capsys, "scan", "stack.yaml") == (
        "../pyproject.toml: [tool.batchlint] unknown key 'fail_on' (did you mean 'fail-on'?)"
    )


def test_config_file_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "stack.yaml", EXAMPLE)
    assert error_of(capsys, "scan", "stack.yaml", "--config", "missing.yaml") == (
        "missing.yaml: no such configuration file"
    )
    write(project / "pyproject.toml", '[project]\nname = "x"\n')
    assert error_of(capsys, "scan", "stack.yaml", "--config", "pyproject.toml") == (
        "pyproject.toml: no [tool.batchlint] table"
    )
    write(project / "settings.ini", "[batchlint]\n")
    assert error_of(capsys, "scan", "stack.yaml", "--config", "settings.ini") == (
        "settings.ini: a configuration file is .toml, .yaml or .yml"
    )
    (project / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    assert error_of(capsys, "config", "--config", "bin.yaml") == "bin.yaml: not UTF-8 text"


def test_a_rule_from_rules_dir_can_be_configured(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_dir = write(
        project / "rules" / "house_rule.py",
        '"""A house rule.\n\n## What it does\nNothing.\n"""\n'
        "from batchlint.model import JobDefinition\n"
        "from batchlint.rule import Severity, rule\n"
        "@rule(code='BL-JD-901', name='house-rule', severity=Severity.NOTE, tags=(), fix='x')\n"
        "def check(item: JobDefinition, ctx):\n    return iter(())\n",
    ).parent
    write(project / ".batchlint.yaml", "severity:\n  house-rule: error\n")
    assert "unknown rule 'house-rule'" in error_of(capsys, "config")
    assert main(["config", "--rules-dir", str(rules_dir)]) == 0
    assert "house-rule: error" in capsys.readouterr().out


# -- precedence --------------------------------------------------------------------------------


def test_flags_win_over_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(
        project / "pyproject.toml",
        pyproject('select = ["BL-CE-001"]\nfail-on = "never"\nregion = "eu-west-1"'),
    )
    code, report = scan_json(capsys, "stack.yaml")
    assert code == 0  # the config's fail-on
    assert {f["code"] for f in report["findings"]} == {"BL-CE-001"}
    assert {c["region"] for c in report["costs"]} == {"eu-west-1"}

    code, report = scan_json(capsys, "stack.yaml", "--fail-on", "warning", "--region", "us-west-2")
    assert code == 1
    assert {c["region"] for c in report["costs"]} == {"us-west-2"}

    # --select replaces the config's select, it does not add to it
    _, report = scan_json(capsys, "stack.yaml", "--select", "BL-JD-003")
    assert {f["code"] for f in report["findings"]} == {"BL-JD-003"}


def test_ignore_flag_replaces_the_configs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / ".batchlint.yaml", "select: [BL-CE-001, BL-JD-003]\nignore: [BL-CE-001]\n")
    _, report = scan_json(capsys, "stack.yaml")
    assert {f["code"] for f in report["findings"]} == {"BL-JD-003"}
    _, report = scan_json(capsys, "stack.yaml", "--ignore", "BL-JD-003")
    assert {f["code"] for f in report["findings"]} == {"BL-CE-001"}


def test_severity_override(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / ".batchlint.yaml", "select: [BL-JD-003]\nseverity: {BL-JD-003: note}\n")
    code, report = scan_json(capsys, "stack.yaml")
    assert {f["severity"] for f in report["findings"]} == {"note"}
    assert code == 0  # below the default fail-on, warning


def test_option_flags_merge_over_config_options(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(
        project / "pyproject.toml",
        pyproject(
            'select = ["missing-required-tags"]\n'
            "[tool.batchlint.options.missing-required-tags]\n"
            'required_tags = ["cost-center"]'
        ),
    )
    _, report = scan_json(capsys, "stack.yaml")
    assert report["findings"]
    assert all("cost-center" in f["message"] for f in report["findings"])
    _, report = scan_json(
        capsys, "stack.yaml", "--option", 'missing-required-tags.required_tags=["team"]'
    )
    assert report["findings"]
    assert all("team" in f["message"] for f in report["findings"])
    assert not any("cost-center" in f["message"] for f in report["findings"])


def test_budget_from_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(
        project / ".batchlint.yaml",
        "select: [max-cost-over-budget]\noptions:\n  max-cost-over-budget:\n"
        "    monthly_budget_usd: 100\n",
    )
    _, report = scan_json(capsys, "stack.yaml")
    assert {f["name"] for f in report["findings"]} == {"max-cost-over-budget"}
    _, report = scan_json(capsys, "stack.yaml", "--budget", "1000000")
    assert report["findings"] == []  # --budget wins


def test_cost_takes_region_and_thresholds_from_the_config(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "stack.yaml", EXAMPLE)
    write(project / "base.yaml", EXAMPLE.replace("MaxvCpus: 512", "MaxvCpus: 16"))
    write(
        project / ".batchlint.yaml",
        "region: eu-west-1\noptions:\n  cost-increase-over-threshold:\n    max_increase_usd: 100\n",
    )
    assert main(["cost", "stack.yaml", "--format", "json"]) == 0
    costs = json.loads(capsys.readouterr().out)
    assert "eu-west-1" in json.dumps(costs)
    assert main(["cost", "--compare", "base.yaml", "stack.yaml"]) == 1  # the config's limit
    capsys.readouterr()
    assert main(["cost", "--compare", "base.yaml", "stack.yaml", "--max-increase-usd", "1e9"]) == 0
    capsys.readouterr()
    assert main(["cost", "--compare", "base.yaml", "stack.yaml", "--no-config"]) == 0


# -- per-file-ignores --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("glob", "file", "matched"),
    [
        ("legacy/**", "legacy/stack.yaml", True),
        ("legacy/**", "legacy/old/stack.yaml", True),
        ("legacy/**", "new/legacy/stack.yaml", False),
        ("legacy/", "legacy/old/stack.yaml", True),
        ("legacy/*", "legacy/stack.yaml", True),
        ("legacy/*", "legacy/old/stack.yaml", False),
        ("**/legacy/**", "new/legacy/stack.yaml", True),
        ("**/legacy/**", "legacy/stack.yaml", True),
        ("*.json", "plans/prod/plan.json", True),  # no '/': the file's name, in any folder
        ("stack.yaml", "a/b/stack.yaml", True),
        ("stack.yaml", "a/b/stack.yml", False),
        ("plans/*.json", "plans/prod.json", True),
        ("plans/prod-?.json", "plans/prod-1.json", True),
        ("plans/prod-[12].json", "plans/prod-3.json", False),
        ("plans/prod-[!12].json", "plans/prod-3.json", True),
        ("./legacy/**", "./legacy/stack.yaml", True),
    ],
)
def test_glob_syntax(glob: str, file: str, matched: bool) -> None:
    assert config.glob_matches(glob, file) is matched


def test_glob_matches_paths_relative_to_the_config_folder(tmp_path: Path) -> None:
    file = write(tmp_path / "legacy" / "stack.yaml", "x")
    assert config.glob_matches("legacy/**", str(file), tmp_path)
    assert not config.glob_matches("legacy/**", str(file), tmp_path / "legacy")


def test_per_file_ignores_end_to_end(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "legacy" / "old" / "stack.yaml", EXAMPLE)
    write(project / "current" / "stack.yaml", EXAMPLE)
    write(
        project / "pyproject.toml",
        pyproject(
            '[tool.batchlint.per-file-ignores]\n"legacy/**" = ["BL-CE", "missing-job-timeout"]'
        ),
    )
    _, report = scan_json(capsys, ".")
    by_file: dict[str, set[str]] = {}
    for finding in report["findings"]:
        by_file.setdefault(finding["file"], set()).add(finding["code"])
    legacy, current = by_file["legacy/old/stack.yaml"], by_file["current/stack.yaml"]
    assert not any(c.startswith("BL-CE") for c in legacy) and "BL-JD-003" not in legacy
    assert "BL-CE-001" in current and "BL-JD-003" in current
    assert legacy  # other rules still run there
    # from a subfolder the globs still mean paths from the config file's folder
    monkeypatch.chdir(project / "legacy")
    _, report = scan_json(capsys, "old")
    assert report["findings"]
    assert not any(f["code"].startswith("BL-CE") for f in report["findings"])


# -- the issue's example -----------------------------------------------------------------------


def test_the_issue_example_loads_and_applies(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", ISSUE_EXAMPLE)
    write(project / "infra" / "stack.yaml", EXAMPLE)
    write(project / "legacy" / "stack.yaml", EXAMPLE)
    write(project / "infra" / "warm.yaml", LATENCY_CRITICAL)
    code, report = scan_json(capsys, "infra", "legacy")
    assert code == 1  # fail-on warning, and there are warnings
    findings = report["findings"]
    best_fit = [f for f in findings if f["name"] == "spot-best-fit-allocation"]
    assert best_fit and {f["severity"] for f in best_fit} == {"error"}
    assert not any(f["name"] == "image-tag-unpinned" for f in findings)
    assert not any(
        f["file"].startswith("legacy/") and f["code"].startswith("BL-CE") for f in findings
    )
    assert any(f["file"].startswith("legacy/") for f in findings)
    assert {c["region"] for c in report["costs"]} == {"eu-west-1"}
    warm = [f for f in findings if f["file"] == "infra/warm.yaml" and f["code"] == "BL-CE-006"]
    assert warm, "the warm pool is found"
    assert all(f["suppressions"] for f in warm), "and suppressed by the config's entry"
    justification = warm[0]["suppressions"][0]
    assert "trading desk" in json.dumps(justification)


def test_the_issue_example_as_yaml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    as_yaml = yaml.safe_dump(tomllib.loads(ISSUE_EXAMPLE)["tool"]["batchlint"], sort_keys=False)
    write(project / ".batchlint.yaml", as_yaml)
    assert main(["config", "--format", "json"]) == 0
    from_yaml = json.loads(capsys.readouterr().out)["config"]
    write(project / ".batchlint.yaml", "")
    (project / ".batchlint.yaml").unlink()
    write(project / "pyproject.toml", ISSUE_EXAMPLE)
    assert main(["config", "--format", "json"]) == 0
    from_toml = json.loads(capsys.readouterr().out)["config"]
    assert from_yaml == from_toml


# -- batchlint config --------------------------------------------------------------------------


def test_config_prints_the_effective_configuration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project / "pyproject.toml",
        ISSUE_EXAMPLE
        + '[tool.batchlint.options.BL-CE-029]\nrequired_tags = ["owner", "team"]\n'
        + "[tool.batchlint.options.max-cost-over-budget]\nmonthly_budget_usd = 5000\n",
    )
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "# from pyproject.toml\n"
        "[tool.batchlint]\n"
        'select = ["BL"]\n'
        'ignore = ["image-tag-unpinned"]\n'
        'fail-on = "warning"\n'
        'region = "eu-west-1"\n'
        "\n"
        "[tool.batchlint.severity]\n"
        'spot-best-fit-allocation = "error"\n'
        "\n"
        "[tool.batchlint.per-file-ignores]\n"
        '"legacy/**" = ["BL-CE"]\n'
        "\n"
        "[tool.batchlint.options.missing-required-tags]\n"
        'required_tags = ["owner", "team"]\n'
        "\n"
        "[tool.batchlint.options.max-cost-over-budget]\n"
        "monthly_budget_usd = 5000\n"
        "\n"
        "[[tool.batchlint.suppress]]\n"
        'rule = "min-vcpus-always-on"\n'
        'resource = "arn:aws:batch:*:*:compute-environment/latency-critical-*"\n'
        'reason = "warm pool required by the trading desk SLA"\n'
    )
    # pasted back, it is the same configuration
    write(project / "pyproject.toml", out)
    assert main(["config"]) == 0
    assert capsys.readouterr().out == out


def test_config_output_formats_round_trip(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project / ".batchlint.yaml",
        "fail-on: error\nbaseline: .batchlint-baseline.json\nper-file-ignores:\n"
        "  'legacy/**': [BL-CE]\nsuppress:\n  - {rule: BL-CE-006, resource: 'Spot*', "
        'reason: "it\'s \\"fine\\""}\n',
    )
    assert main(["config", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["file"] == ".batchlint.yaml"
    assert shown["config"]["baseline"] == ".batchlint-baseline.json"
    assert shown["config"]["suppress"][0]["rule"] == "min-vcpus-always-on"  # canonical name
    assert main(["config"]) == 0  # the file's own syntax: YAML
    as_yaml = capsys.readouterr().out
    assert as_yaml.startswith("# from .batchlint.yaml\n")
    assert yaml.safe_load(as_yaml) == {k: v for k, v in shown["config"].items() if v is not None}
    assert main(["config", "--format", "toml"]) == 0
    as_toml = tomllib.loads(capsys.readouterr().out)["tool"]["batchlint"]
    assert as_toml == {k: v for k, v in shown["config"].items() if v not in (None, {})}


def test_config_without_a_file_prints_the_defaults(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--no-config", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "file": None,
        "config": {
            "select": [],
            "ignore": [],
            "fail-on": "warning",
            "region": "us-east-1",
            "baseline": None,
            "severity": {},
            "per-file-ignores": {},
            "options": {},
            "suppress": [],
        },
    }
    assert main(["config", "--no-config"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# no configuration file: the defaults\n[tool.batchlint]\n")
    assert tomllib.loads(text)["tool"]["batchlint"]["fail-on"] == "warning"


def test_baseline_is_relative_to_the_config_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / ".batchlint.yaml", "baseline: ci/baseline.json\n")
    (project / "infra").mkdir()
    monkeypatch.chdir(project / "infra")
    loaded = config.load(project / ".batchlint.yaml", all_rules())
    assert loaded.baseline == Path("../ci/baseline.json")
    assert loaded.file == "../.batchlint.yaml"


def test_suppress_entries_carry_their_location(project: Path) -> None:
    write(
        project / "pyproject.toml",
        pyproject(
            '\n[[tool.batchlint.suppress]]\nrule = "BL-CE-006"\nresource = "A"\nreason = "a"\n'
            '\n[[ tool.batchlint.suppress ]]\nrule = "BL-CE-001"\nresource = "B"\nreason = "b"'
        ),
    )
    loaded = config.load(project / "pyproject.toml", all_rules())
    assert [(e["rule"], e["location"], e["line"], e["file"]) for e in loaded.suppress] == [
        (
            "min-vcpus-always-on",
            "pyproject.toml [[tool.batchlint.suppress]] #1",
            "6",
            "pyproject.toml",
        ),
        (
            "spot-best-fit-allocation",
            "pyproject.toml [[tool.batchlint.suppress]] #2",
            "11",
            "pyproject.toml",
        ),
    ]
    write(
        project / ".batchlint.yaml",
        "suppress:\n  - rule: BL-CE-006\n    resource: A\n    reason: a\n",
    )
    loaded = config.load(project / ".batchlint.yaml", all_rules())
    assert (loaded.suppress[0]["location"], loaded.suppress[0]["line"]) == (
        ".batchlint.yaml suppress #1",
        "2",
    )


def test_reading_a_scan_without_a_config_does_not_import_pydantic(project: Path) -> None:
    import subprocess
    import sys

    write(project / "stack.yaml", EXAMPLE)
    code = (
        "import sys; from batchlint.cli import main; main(['scan', 'stack.yaml', '--no-color']); "
        "print('pydantic' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=project
    )
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr


def test_every_key_is_documented_once() -> None:
    docs = (REPO / "docs" / "config.md").read_text()
    for key in config.KEYS:
        headings = [line for line in docs.splitlines() if line.startswith("### ")]
        assert sum(f"`{key}`" in line for line in headings) == 1, key
        assert f"| `{key}` |" in docs, key
    assert "docs/config.md" in (REPO / "README.md").read_text()
