"""End to end: a realistic account on ``moto_server``, audited by the real CLI over HTTP.

The account (:mod:`tests.aws.account_builder`) is built with boto3 against a ``moto_server``
on 127.0.0.1; ``python -m batchlint`` then reads it through ``AWS_ENDPOINT_URL`` with fake
credentials, in a subprocess whose proxy settings send anything not for 127.0.0.1 to a dead
port, so no real AWS endpoint can be reached. The tests check that the findings land on the
resources that carry the mistakes, that a saved snapshot scans to the same findings, that
SARIF results point at the right lines of the snapshot written beside the report, and that
the plaintext secrets never reach a file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import boto3
import pytest

from batchlint.snapshot import SORT_KEYS
from tests.aws.account_builder import PLAINTEXT_SECRETS, Built, build_account
from tests.aws.moto_server import MotoServerError, running_moto_server, serve

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
DEAD_PROXY = "http://127.0.0.1:9"  # discard port: nothing answers there

moto_server_url = pytest.fixture(scope="module")(serve)


@dataclass
class Account:
    built: Built
    env: dict[str, str]
    workdir: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "batchlint", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def scan(self, *args: str, output: str) -> subprocess.CompletedProcess[str]:
        """``batchlint scan …``: findings exist, so the exit code is 1."""
        done = self.run("scan", *args, "--output", output)
        assert done.returncode == 1, done.stderr
        return done


def _cli_env(url: str, workdir: Path) -> dict[str, str]:
    """The environment of the CLI: only moto_server is reachable, with fake credentials and
    no profile or config file of the machine's."""
    drop = ("AWS_", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(drop)}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(workdir / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(workdir / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        HTTP_PROXY=DEAD_PROXY,
        HTTPS_PROXY=DEAD_PROXY,
        NO_PROXY="127.0.0.1,localhost",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


@pytest.fixture(scope="module")
def account(moto_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Account:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    built = build_account(session, REGION, endpoint_url=moto_server_url)
    workdir = tmp_path_factory.mktemp("audit")
    return Account(built, _cli_env(moto_server_url, workdir), workdir)


@pytest.fixture(scope="module")
def live(account: Account) -> dict[str, Any]:
    """The JSON report of ``scan --aws``."""
    done = account.scan("--aws", "--region", REGION, "--format", "json", output="live.json")
    assert done.stdout == ""  # the report went to --output
    assert done.stderr == ""  # not a terminal: no progress line, no summary
    return dict(json.loads((account.workdir / "live.json").read_text()))


def _pairs(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["code"], f["resource"]) for f in report["findings"]}


def _triples(report: dict[str, Any]) -> Counter[tuple[str, str, str]]:
    return Counter((f["code"], f["resource"], f["message"]) for f in report["findings"])


# -- the live scan -------------------------------------------------------------------------

# rule code -> the Built attribute naming the resource it must fire on
EXPECTED = {
    # the Spot compute environment: BEST_FIT, one instance type, 16 vCPUs always on, in the
    # public subnet, behind a security group open on port 22
    ("BL-CE-001", "spot_ce_arn"),  # spot-best-fit-allocation
    ("BL-CE-002", "spot_ce_arn"),  # spot-instance-types-not-diversified
    ("BL-CE-006", "spot_ce_arn"),  # min-vcpus-always-on
    ("BL-CE-004", "spot_ce_arn"),  # compute-environment-public-subnet
    ("BL-CE-005", "spot_ce_arn"),  # security-group-open-ingress
    ("BL-JQ-001", "spot_queue_arn"),  # spot-only-queue
    # the On-Demand compute environment's launch template: IMDSv1, an unencrypted volume
    ("BL-CE-024", "ondemand_ce_arn"),  # launch-template-imdsv1-allowed
    ("BL-CE-026", "ondemand_ce_arn"),  # launch-template-unencrypted-volume
    # the Fargate compute environment's only subnet has no association: the VPC's main
    # table (local route only) serves it, and the VPC has no ECR/Logs endpoints
    ("BL-CE-030", "fargate_ce_arn"),  # private-subnet-without-egress
    # the job definition with every mistake
    ("BL-JD-001", "bad_job_arn"),  # missing-retry-strategy
    ("BL-JD-003", "bad_job_arn"),  # missing-job-timeout
    ("BL-JD-004", "bad_job_arn"),  # privileged-container
    ("BL-JD-005", "bad_job_arn"),  # plaintext-secret-in-environment
    ("BL-JD-007", "bad_job_arn"),  # image-tag-unpinned
    ("BL-JD-008", "bad_job_arn"),  # job-role-wildcard-permissions (inline s3:* on *)
    ("BL-JD-036", "bad_job_arn"),  # pass-role-wildcard (in the customer managed policy)
}
JOB_DEFINITION_MISTAKES = {code for code, attr in EXPECTED if attr == "bad_job_arn"}


def test_the_mistakes_are_found_on_the_resources_that_have_them(
    account: Account, live: dict[str, Any]
) -> None:
    built = account.built
    expected = {(code, getattr(built, attr)) for code, attr in EXPECTED}
    assert expected - _pairs(live) == set()


def test_well_configured_resources_are_not_flagged(account: Account, live: dict[str, Any]) -> None:
    built = account.built
    pairs = _pairs(live)
    on = {arn: {c for c, r in pairs if r == arn} for arn in {r for _, r in pairs}}
    # the clean job definition and the fair-share policy: nothing at all
    assert on.get(built.clean_job_arn, set()) == set()
    assert on.get(built.scheduling_policy_arn, set()) == set()
    # the private subnet with a NAT route keeps the On-Demand environment out of these
    assert {"BL-CE-004", "BL-CE-030", "BL-CE-001", "BL-CE-006"} & on.get(
        built.ondemand_ce_arn, set()
    ) == set()
    assert JOB_DEFINITION_MISTAKES & on.get(built.multinode_job_arn, set()) == set()


def test_only_the_latest_revision_is_read(
    account: Account, live: dict[str, Any], saved: Path
) -> None:
    *old, latest = account.built.revision_job_arns
    doc = json.loads(saved.read_text())
    read = {jd["jobDefinitionArn"] for jd in doc["accounts"][0]["regions"][0]["jobDefinitions"]}
    assert read == set(account.built.latest_job_arns)
    resources = {f["resource"] for f in live["findings"]}
    assert not resources & set(old)
    assert latest in resources  # its image tag is fine, its root file system is not


def test_every_finding_says_account_region_and_arn(account: Account, live: dict[str, Any]) -> None:
    arn = re.compile(rf"^arn:aws:(batch|iam|ec2):({REGION})?:{account.built.account_id}:")
    assert live["findings"]
    for finding in live["findings"]:
        assert finding["account"] == account.built.account_id, finding
        assert finding["region"] == REGION, finding
        assert arn.match(finding["arn"] or ""), finding
        assert finding["resource"] == finding["arn"], finding


def test_no_call_failed(live: dict[str, Any]) -> None:
    # moto serves every call the collector makes: an incomplete read would hide findings
    assert [f["message"] for f in live["findings"] if f["code"] == "BL-META-007"] == []


def test_plaintext_secrets_are_reported_but_never_written(
    account: Account, live: dict[str, Any]
) -> None:
    messages = [
        f["message"]
        for f in live["findings"]
        if f["code"] == "BL-JD-005" and f["resource"] == account.built.bad_job_arn
    ]
    assert any("DB_PASSWORD" in m for m in messages), messages
    text = (account.workdir / "live.json").read_text()
    for secret in PLAINTEXT_SECRETS:
        assert secret not in text


# -- a saved snapshot ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(account: Account) -> Path:
    done = account.run("snapshot", "--aws", "--region", REGION, "--output", "account.json")
    assert done.returncode == 0, done.stderr
    return account.workdir / "account.json"


def test_the_snapshot_holds_no_plaintext_secret(saved: Path) -> None:
    text = saved.read_text()
    for secret in PLAINTEXT_SECRETS:
        assert secret not in text
    assert "<batchlint:redacted " in text  # replaced, not dropped: the finding stays


def test_scanning_the_snapshot_gives_the_live_findings(
    account: Account, saved: Path, live: dict[str, Any]
) -> None:
    account.scan(saved.name, "--format", "json", output="offline.json")
    offline = json.loads((account.workdir / "offline.json").read_text())
    assert _triples(offline) == _triples(live)


# -- SARIF -----------------------------------------------------------------------------------


Path_ = tuple[str | int, ...]  # a JSON path: keys and list positions


def object_spans(lines: list[str]) -> dict[Path_, range]:
    """The lines (1-based, inclusive) of every object and array of an indented JSON text
    (one key or bracket per line, as ``json.dumps(indent=…)`` writes it), by JSON path."""
    spans: dict[Path_, range] = {}
    stack: list[tuple[Path_, list[int], int]] = []  # path, [next list position], first line
    decoder = json.JSONDecoder()
    for n, raw in enumerate(lines):
        line = raw.strip().rstrip(",")
        path: Path_
        if line in ("}", "]"):
            path, _, start = stack.pop()
            spans[path] = range(start + 1, n + 2)
            continue
        if not stack:
            path = ()
        elif lines[stack[-1][2]].rstrip().endswith("["):  # an item of a list
            path = (*stack[-1][0], stack[-1][1][0])
            stack[-1][1][0] += 1
        else:
            path = (*stack[-1][0], decoder.raw_decode(line)[0])
        if line.endswith(("{", "[")):
            stack.append((path, [0], n))
    return spans


class Records:
    """Where each record of a snapshot is, in lines, by its own ARN or ID."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        spans = object_spans(self.lines)
        doc = json.loads(text)
        self.span: dict[str, range] = {}  # own ARN or ID -> lines
        for a, account in enumerate(doc["accounts"]):
            parts: list[tuple[Path_, dict[str, Any]]] = [(("accounts", a, "iam"), account["iam"])]
            parts += [
                (("accounts", a, "regions", r), region)
                for r, region in enumerate(account["regions"])
            ]
            for where, part in parts:
                for kind, records in part.items():
                    if kind in SORT_KEYS:
                        for i, record in enumerate(records):
                            self.span[record[SORT_KEYS[kind]]] = spans[(*where, kind, i)]

    def around(self, own_id: str) -> list[range]:
        """The record's lines, and those of every record it names (its launch template,
        subnets, security groups, roles…)."""
        span = self.span[own_id]
        text = "\n".join(self.lines[span.start - 1 : span.stop - 1])
        return [span] + [
            lines for i, lines in self.span.items() if i != own_id and f'"{i}"' in text
        ]


def test_sarif_results_point_into_the_snapshot_beside_it(
    account: Account, live: dict[str, Any]
) -> None:
    account.scan("--aws", "--region", REGION, "--format", "sarif", output="audit.sarif")
    snapshot = account.workdir / "audit.snapshot.json"
    text = snapshot.read_text()
    for secret in PLAINTEXT_SECRETS:
        assert secret not in text
    records = Records(text)
    spans = sorted(records.span.values(), key=lambda r: r.start)
    assert all(a.stop <= b.start for a, b in pairwise(spans))  # disjoint
    assert records.span.keys() >= {account.built.scheduling_policy_arn, account.built.vpc_id}
    sarif = json.loads((account.workdir / "audit.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert Counter(r["ruleId"] for r in results) == Counter(f["code"] for f in live["findings"])
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert (account.workdir / uri).resolve() == snapshot.resolve(), uri
        line = location["region"]["startLine"]
        assert line >= 1
        arn = result["properties"]["arn"]
        assert any(line in span for span in records.around(arn)), (result["ruleId"], arn, line)


# -- the moto_server helper ------------------------------------------------------------------


def test_a_server_that_exits_at_once_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.aws import moto_server

    monkeypatch.setattr(
        moto_server,
        "server_command",
        lambda port: [sys.executable, "-c", "import sys; print('no flask'); sys.exit(3)"],
    )
    with (
        pytest.raises(MotoServerError, match=r"exited with 3 before answering.*no flask"),
        running_moto_server(),
    ):
        pass


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """The processes the helper starts."""
    from tests.aws import moto_server

    processes: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def record(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        processes.append(popen(*args, **kwargs))
        return processes[-1]

    monkeypatch.setattr(moto_server.subprocess, "Popen", record)
    return processes


def test_a_server_that_never_answers_is_stopped_after_the_timeout(
    monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]]
) -> None:
    from tests.aws import moto_server

    monkeypatch.setattr(
        moto_server,
        "server_command",
        lambda port: [sys.executable, "-c", "import time; time.sleep(60)"],
    )
    with pytest.raises(MotoServerError, match="did not answer"), running_moto_server(0.3):
        pass
    assert len(started) == 1 and started[0].poll() is not None  # stopped by its PID


def test_the_server_is_stopped_when_the_block_fails(
    started: list[subprocess.Popen[bytes]],
) -> None:
    from tests.aws.moto_server import _answers

    class Boom(Exception):
        pass

    urls = []
    with pytest.raises(Boom), running_moto_server() as url:
        urls.append(url)
        assert _answers(url)
        raise Boom
    assert len(started) == 1 and started[0].poll() is not None
    assert not _answers(urls[0])
