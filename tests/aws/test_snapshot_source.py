"""The snapshot source (batchlint/sources/snapshot.py) on hand-written account snapshots.

The files in ``fixtures/snapshots/`` hold API answers as boto3 gives them (and, where the
IAM API itself does, documents as URL-encoded JSON text), in the layout ``batchlint
snapshot`` writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from batchlint import network
from batchlint.engine import ScanOptions, scan
from batchlint.location import split
from batchlint.model import Kind, Scope
from batchlint.report import Finding
from batchlint.snapshot import REDACTED_PREFIX, Snapshot, dump
from batchlint.sources import load_file

from ..conftest import FIXTURES

SNAPSHOTS = FIXTURES / "snapshots"
FILES = sorted(SNAPSHOTS.glob("*.json"))
ACCOUNT = "123456789012"
OTHER = "210987654321"


def _scan(path: Path, *select: str) -> list[Finding]:
    report = scan([str(path)], ScanOptions(select=list(select)))
    assert report.files_scanned, report.files_skipped
    return report.findings


def _scopes(path: Path) -> list[Scope]:
    loaded = load_file(path, path.name, "us-east-1")
    assert isinstance(loaded, list)
    return loaded


def _of(findings: list[Finding], code: str, name: str) -> list[Finding]:
    """The findings of ``code`` on the compute environment (or job definition) ``name``."""
    return [f for f in findings if f.code == code and f.resource.rsplit("/", 1)[-1] == name]


def _write(tmp_path: Path, data: dict[str, Any], name: str = "snapshot.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def _load(name: str) -> dict[str, Any]:
    return json.loads((SNAPSHOTS / name).read_text())


# -- the files themselves -------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixture_is_in_the_layout_batchlint_writes(path: Path) -> None:
    text = path.read_text()
    assert dump(Snapshot.model_validate(json.loads(text))) == text


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_finding_points_at_the_line_of_its_value(path: Path) -> None:
    """The line of a finding is that of the key its pointer ends in (or, for a list entry,
    of the entry's first line)."""
    lines = path.read_text().splitlines()
    findings = _scan(path)
    assert findings
    for finding in findings:
        assert finding.pointer, finding
        token = split(finding.pointer)[-1]
        line = lines[finding.line - 1]
        if token.isdigit():
            assert line.strip() in ("{", "[") or line.strip().startswith('"'), (finding, line)
        else:
            assert line.strip().startswith(f'"{token}":'), (finding, line)


# -- IAM ------------------------------------------------------------------------------------------


def test_role_trust_written_as_url_encoded_json_is_read() -> None:
    path = SNAPSHOTS / "iam.json"
    findings = _scan(path, "BL-CE-027")
    assert [f.resource.rsplit("/", 1)[-1] for f in findings] == ["unguarded"]
    (found,) = findings
    assert "batch-service-unguarded" in found.message and "trust statement 0" in found.message
    assert path.read_text().splitlines()[found.line - 1].strip().startswith('"serviceRole":')
    scope = _scopes(path)[0]
    role = scope.deref(scope.of_kind(Kind.COMPUTE_ENVIRONMENT)[1].props.get("serviceRole"))
    assert role is not None and role.name == "batch-service-unguarded"
    action = role.props.get("assumeRolePolicyDocument", "Statement", 0, "Action")
    assert action is not None and action.text() == "sts:AssumeRole"
    assert action.pointer.endswith("/AssumeRolePolicyDocument")  # the text it was read from


def test_policy_documents_written_as_url_encoded_json_are_read() -> None:
    findings = _scan(SNAPSHOTS / "iam.json", "BL-CE-028")
    assert len(findings) == 2  # one per compute environment of the instance profile
    for found in findings:
        assert "NotAction ('iam:*', …) in statement 0 of policy 'extra-instance'" in found.message
        assert "and 1 more over-broad statement" in found.message  # s3:* of the inline policy


# -- network --------------------------------------------------------------------------------------

NETWORK = SNAPSHOTS / "network.json"


@pytest.fixture(scope="module")
def network_findings() -> list[Finding]:
    return _scan(NETWORK, "BL-CE-004", "BL-CE-005", "BL-CE-030", "BL-CE-032")


def test_route_to_an_internet_gateway_makes_a_subnet_public(
    network_findings: list[Finding],
) -> None:
    (found,) = _of(network_findings, "BL-CE-004", "public")
    assert "rtb-0a000000000000pub1 sends 0.0.0.0/0 to internet gateway igw-0a00000000000001" in (
        found.message
    )
    line = NETWORK.read_text().splitlines()[found.line - 1]
    assert line.strip() == '"subnet-0a00000000000pub1"'  # the environment's subnet entry
    assert not _of(network_findings, "BL-CE-030", "public")


def test_route_to_a_nat_gateway_is_a_way_out(network_findings: list[Finding]) -> None:
    assert not [
        f
        for f in network_findings
        if f.code in ("BL-CE-004", "BL-CE-030") and f.resource.endswith("/private-nat")
    ]


def test_blackhole_route_is_no_way_out(network_findings: list[Finding]) -> None:
    (found,) = _of(network_findings, "BL-CE-030", "private-blackhole")
    assert "subnet subnet-0a00000000000bh01, which has no route out of the VPC" in found.message


def test_subnet_without_association_uses_the_main_table(network_findings: list[Finding]) -> None:
    scope = _scopes(NETWORK)[0]
    subnet = scope.by_address["subnet-0a0000000000main1"]
    tables = network.route_tables_for_subnet(scope, subnet)
    assert [t.address for t in tables or []] == ["rtb-0a000000000000main"]
    (found,) = _of(network_findings, "BL-CE-030", "private-main-table")
    assert "subnet-0a0000000000main1" in found.message


def test_security_group_of_every_protocol_from_anywhere(network_findings: list[Finding]) -> None:
    (found,) = _of(network_findings, "BL-CE-005", "public")
    assert "sg-0a000000000000open" in found.message
    assert "allows all traffic from 0.0.0.0/0" in found.message  # IpProtocol "-1", no ports
    lines = NETWORK.read_text().splitlines()[found.line - 1 : found.line + 2]
    assert lines[0].strip() == "{" and lines[1].strip() == '"CidrIp": "0.0.0.0/0",'  # the source


def test_security_group_pairs_name_their_group(network_findings: list[Finding]) -> None:
    (found,) = _of(network_findings, "BL-CE-032", "private-nat")
    assert "tcp port 22 from security group sg-0a0000000bastion" in found.message
    # the group's rule from itself (UserIdGroupPairs naming its own ID) is no finding


def test_vpc_endpoint_policy_written_as_json_text_is_read() -> None:
    scope = _scopes(NETWORK)[0]
    endpoint = scope.by_address["vpce-0a0000000000000s3"]
    effect = endpoint.props.get("policyDocument", "Statement", 0, "Effect")
    assert effect is not None and effect.text() == "Allow"
    assert effect.pointer.endswith("/PolicyDocument")  # the text it was read from


def test_interface_endpoints_serve_their_vpc(network_findings: list[Finding]) -> None:
    (found,) = _of(network_findings, "BL-CE-030", "private-interface-endpoints")
    assert "no VPC endpoint for s3:" in found.message


def test_subnet_with_every_endpoint_is_not_flagged(network_findings: list[Finding]) -> None:
    assert not _of(network_findings, "BL-CE-030", "private-endpoints")


def test_route_to_a_gateway_endpoint_is_no_way_out(network_findings: list[Finding]) -> None:
    (found,) = _of(network_findings, "BL-CE-030", "private-gateway-endpoint")
    assert "s3" not in found.message.split("no VPC endpoint for", 1)[1].split(":")[0]


def test_local_route_of_an_ipv6_block_stays_in_the_vpc(network_findings: list[Finding]) -> None:
    assert _of(network_findings, "BL-CE-030", "private-ipv6")


# -- launch templates -----------------------------------------------------------------------------

LAUNCH_TEMPLATES = SNAPSHOTS / "launch_templates.json"


@pytest.fixture(scope="module")
def template_findings() -> list[Finding]:
    return _scan(LAUNCH_TEMPLATES, "BL-CE-024")


@pytest.mark.parametrize(
    ("name", "fires"),
    [
        pytest.param("lt-no-version", True, id="none-is-$Default-version-1"),
        pytest.param("lt-default", True, id="$Default-by-name"),
        pytest.param("lt-latest", False, id="$Latest-version-2"),
        pytest.param("lt-version-1", True, id="1"),
        pytest.param("lt-version-2", False, id="2-by-name"),
        pytest.param("lt-override-1", True, id="override-on-1"),
        pytest.param("lt-version-3", False, id="3-not-recorded"),
    ],
)
def test_compute_environment_uses_the_version_it_names(
    template_findings: list[Finding], name: str, fires: bool
) -> None:
    """Version 1 (the default) allows IMDSv1, version 2 (the latest) requires tokens."""
    found = _of(template_findings, "BL-CE-024", name)
    assert bool(found) is fires, found
    for finding in found:
        assert "HttpTokens" in finding.message or "IMDSv1" in finding.message


def test_both_recorded_versions_are_read() -> None:
    scope = _scopes(LAUNCH_TEMPLATES)[0]
    versions = scope.of_kind(Kind.LAUNCH_TEMPLATE)
    numbers = []
    for version in versions:
        number = version.props.get("versionNumber")
        numbers.append(number.number() if number is not None else None)
        assert version.ident == "lt-0c00000000000001" and version.name == "batch-hosts"
    assert numbers == [1, 2]


# -- job definitions ------------------------------------------------------------------------------


def test_redacted_environment_value_still_fires() -> None:
    path = SNAPSHOTS / "jobs.json"
    text = path.read_text()
    assert "AKIA" not in text and REDACTED_PREFIX in text  # the snapshot holds no secret
    findings = _scan(path, "BL-JD-005")
    assert sorted(f.resource.rsplit("/", 1)[-1] for f in findings) == ["leaky:1", "leaky:1"]
    kinds = sorted(re.search(r"holds (.+?) in plain text", f.message).group(1) for f in findings)  # type: ignore[union-attr]
    assert kinds == ["a password (by its name)", "an AWS access key ID"]
    for found in findings:
        assert "redacted" not in found.message and "sha256" not in found.message
        assert text.splitlines()[found.line - 1].strip().startswith(f'"value": "{REDACTED_PREFIX}')


# -- accounts and Regions -------------------------------------------------------------------------

TWO_ACCOUNTS = SNAPSHOTS / "two_accounts.json"


def test_each_account_and_region_is_a_scope_of_its_own() -> None:
    scopes = _scopes(TWO_ACCOUNTS)
    assert sorted((s.account or "", s.region or "") for s in scopes) == [
        (ACCOUNT, "eu-west-1"),
        (ACCOUNT, "us-east-1"),
        (OTHER, "us-east-1"),
    ]
    for scope in scopes:
        (ce,) = scope.of_kind(Kind.COMPUTE_ENVIRONMENT)
        assert ce.arn == f"arn:aws:batch:{scope.region}:{scope.account}:compute-environment/nightly"
        # every environment names the public subnet of account 123456789012's eu-west-1: it
        # resolves there only
        names_it = [e.target.address for e in network.subnets_of(scope, ce)]
        home = (scope.account, scope.region) == (ACCOUNT, "eu-west-1")
        assert ("subnet-0public0000001" in names_it) is home


def test_findings_carry_account_region_and_arn() -> None:
    findings = _scan(TWO_ACCOUNTS, "BL-CE-004", "BL-CE-006")
    always_on = [f for f in findings if f.code == "BL-CE-006"]
    assert sorted((f.account, f.region) for f in always_on) == [
        (ACCOUNT, "eu-west-1"),
        (ACCOUNT, "us-east-1"),
        (OTHER, "us-east-1"),
    ]
    for found in findings:
        assert found.arn == found.resource
        assert found.arn == (
            f"arn:aws:batch:{found.region}:{found.account}:compute-environment/nightly"
        )
    (public,) = [f for f in findings if f.code == "BL-CE-004"]
    assert (public.account, public.region) == (ACCOUNT, "eu-west-1")
    # each Region is priced at its own rates
    assert len({f.message for f in always_on}) == 2


def test_fingerprints_stay_when_a_resource_is_read_before_another(tmp_path: Path) -> None:
    data = _load("two_accounts.json")
    region = data["accounts"][0]["regions"][0]
    newcomer = json.loads(json.dumps(region["computeEnvironments"][0]))
    newcomer["computeEnvironmentName"] = "aaa-first"
    newcomer["computeEnvironmentArn"] = newcomer["computeEnvironmentArn"].replace(
        "nightly", "aaa-first"
    )
    region["computeEnvironments"].insert(0, newcomer)
    before = _scan(TWO_ACCOUNTS, "BL-CE-004", "BL-CE-006")
    after = _scan(_write(tmp_path, data), "BL-CE-004", "BL-CE-006")
    old = {(f.code, f.resource, f.message): f for f in before}
    kept = [f for f in after if (f.code, f.resource, f.message) in old]
    assert len(kept) == len(before)
    moved = 0
    for finding in kept:
        earlier = old[(finding.code, finding.resource, finding.message)]
        assert finding.fingerprint == earlier.fingerprint, finding
        moved += finding.pointer != earlier.pointer
    assert moved  # the pointers did shift: the fingerprints hold on to the ARNs


# -- what cannot be read --------------------------------------------------------------------------


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    data = _load("two_accounts.json")
    data["schemaVersion"] = 2
    path = _write(tmp_path, data)
    findings = scan([str(path)], ScanOptions()).findings
    assert [f.code for f in findings] == ["BL-META-001"]
    assert "schema version 2 is newer" in findings[0].message
    line = path.read_text().splitlines()[findings[0].line - 1]
    assert line.strip().startswith('"schemaVersion": 2')


@pytest.mark.parametrize(
    ("value", "shown"),
    [({"nightly": {}}, "computeEnvironments"), (["nightly"], "computeEnvironments.0")],
    ids=["a-mapping", "a-string-record"],
)
def test_record_list_of_the_wrong_type_is_refused_at_its_line(
    tmp_path: Path, value: object, shown: str
) -> None:
    data = _load("two_accounts.json")
    data["accounts"][1]["regions"][0]["computeEnvironments"] = value
    path = _write(tmp_path, data)
    findings = scan([str(path)], ScanOptions()).findings
    assert [f.code for f in findings] == ["BL-META-001"]
    assert f"accounts.1.regions.0.{shown}:" in findings[0].message
    line = path.read_text().splitlines()[findings[0].line - 1].strip()
    assert line.startswith(('"computeEnvironments":', '"nightly"')), line
    assert findings[0].line > 1


ERRORS = SNAPSHOTS / "errors.json"


def test_read_errors_are_findings_at_their_record() -> None:
    lines = ERRORS.read_text().splitlines()
    findings = _scan(ERRORS, "BL-META-007", "BL-CE-006")
    errors = [f for f in findings if f.code == "BL-META-007"]
    operations = {
        "iam:GetRole",
        "batch:DescribeComputeEnvironments",
        "batch:DescribeJobQueues",
        "ec2:DescribeSubnets",
    }
    assert {f.message.split(" ", 1)[0] for f in errors} == operations
    for found in errors:
        assert lines[found.line - 1].strip() == "{", found
        record = "\n".join(lines[found.line : found.line + 6])
        assert f'"operation": "{found.message.split(" ", 1)[0]}"' in record
        assert "what it would have read was not checked" in found.message
    (throttled,) = [f for f in errors if f.message.startswith("ec2:DescribeSubnets")]
    assert "reading subnet-0d000000000000001" in throttled.message
    assert "Region us-east-1 of account 123456789012 (Throttling: Rate exceeded)" in (
        throttled.message
    )
    # the audit went on with what it could read
    assert [f.resource.rsplit("/", 1)[-1] for f in findings if f.code == "BL-CE-006"] == ["steady"]


def test_an_account_error_is_not_put_in_a_region() -> None:
    (found,) = [f for f in _scan(ERRORS, "BL-META-007") if f.message.startswith("iam:GetRole")]
    assert "Region" not in found.message and "account 123456789012" in found.message
