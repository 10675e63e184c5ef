"""A second opinion on the SARIF: Microsoft's SARIF multitool ``validate``, with its SARIF rules
and its GitHub code scanning ("Ghas") rules, on batchlint's SARIF for the example stack and for
fixtures that fire many rules.

The multitool comes from the npm registry (``@microsoft/sarif-multitool``) and is installed once
into the pytest cache, not the repository. The test is skipped, saying why, when npm or node is
missing or the install fails. Marked ``slow``: ``-m "not slow"`` leaves it out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from batchlint.cli import main
from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow

PACKAGE = "@microsoft/sarif-multitool@5"
CONFIG = FIXTURES / "integrations" / "sarif-multitool.xml"
INPUTS = {
    "example": ["examples/batch-stack.yaml"],
    # CloudFormation and Terraform, BL-META findings, and rules of every resource kind
    "many-rules": [
        "examples/batch-stack.yaml",
        "fixtures/adversarial",
        "fixtures/sources",
        "fixtures/rules/job-role-can-escalate",
        "fixtures/rules/launch-template-imdsv1-allowed",
        "fixtures/rules/queue-mixes-compute-types",
        "fixtures/rules/fair-share-policy-ineffective",
    ],
}


@pytest.fixture(scope="module")
def multitool(request: pytest.FixtureRequest) -> Path:
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("SARIF multitool check skipped: npm or node is not installed")
    prefix = Path(request.config.cache.mkdir("sarif-multitool"))
    binary = _binary(node, prefix)
    if binary is None:
        install = subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                PACKAGE,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        binary = _binary(node, prefix)
        if install.returncode != 0 or binary is None:
            last = (install.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"SARIF multitool check skipped: 'npm install {PACKAGE}' failed: {last}")
    return binary


def _binary(node: str, prefix: Path) -> Path | None:
    """The platform binary the package's index.js names (its bin.js runs it through a shell,
    which would split the ';' of --rule-kind)."""
    found = subprocess.run(
        [
            node,
            "-e",
            "process.stdout.write(require(process.argv[1]))",
            "@microsoft/sarif-multitool",
        ],
        cwd=prefix,
        capture_output=True,
        text=True,
    )
    path = Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None
    if path is None or not path.is_file():
        return None
    path.chmod(path.stat().st_mode | 0o100)  # npm may skip the package's chmod postinstall
    return path


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_sarif_passes_the_multitool(
    name: str, multitool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # repository-relative URIs, as in CI
    sarif = tmp_path / f"{name}.sarif"
    code = main(["scan", *INPUTS[name], "--format", "sarif", "--output", str(sarif)])
    assert code in (0, 1)
    assert json.loads(sarif.read_text())["runs"][0]["results"]

    verdict = tmp_path / "validation.sarif"
    run = subprocess.run(
        [
            *(str(multitool), "validate", str(sarif), "--output", str(verdict)),
            *("--log", "ForceOverwrite", "--rule-kind", "Sarif;Ghas", "--config", str(CONFIG)),
            *("--max-file-size-in-kb", "512000"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    log = json.loads(verdict.read_text(encoding="utf-8-sig"))["runs"][0]
    invocation = log["invocations"][0]
    assert invocation["executionSuccessful"], invocation
    # a tool error (e.g. the file was not analysed at all) must not pass as "no problems"
    tool_errors = [
        n for n in invocation.get("toolExecutionNotifications", []) if n.get("level") == "error"
    ]
    assert not tool_errors, tool_errors
    problems = [
        f"{r['ruleId']} {r.get('level', 'warning')}: {_text(r, log)}" for r in log["results"]
    ]
    errors = [p for p in problems if " error: " in p]
    assert not errors, "\n".join(errors)
    assert not problems, "\n".join(problems)  # warnings too: GitHub shows them to users


def _text(result: dict, log: dict) -> str:
    """The message of a multitool result: its template with the arguments filled in."""
    message = result["message"]
    if "text" in message:
        return str(message["text"])
    rules = log["tool"]["driver"].get("rules", [])
    rule = next((r for r in rules if r["id"] == result["ruleId"]), {})
    template = rule.get("messageStrings", {}).get(message.get("id"), {}).get("text", "")
    args = message.get("arguments", [])
    for i, arg in enumerate(args):
        template = template.replace(f"{{{i}}}", str(arg))
    return template or str(args)
