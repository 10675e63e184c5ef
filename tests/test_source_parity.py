"""The same mistake gives the same finding from CloudFormation, a Terraform plan and ``.tf``.

1. Every rule's ``terraform.plan.json`` and ``terraform.tf`` (the configuration that produces
   that plan) give the same findings, code, resource and message, but where a plan and a
   configuration cannot know the same things (``INHERENT``) or the ``.tf`` reader does not yet
   see what a plan shows (``READER_GAPS``); each listed difference must still be there, so a
   list that stops being true fails.
2. Every rule's ``cloudformation.yaml``, ``terraform.plan.json`` and ``terraform.tf`` each
   have a finding and a Batch resource without one: the same mistake in each form.
3. ``fixtures/sources/parity/<rule>/``: ``template.yaml``, ``plan.json`` (written by
   ``terraform show -json``) and ``main.tf`` write one mistake as each form is usually
   written (a parameter default, a variable default, ``jsonencode``, a string ``"true"``) and
   give the same messages once resource names are replaced by a placeholder.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from batchlint.engine import ScanOptions, scan
from batchlint.report import Finding, Report

from .conftest import FIXTURES
from .test_rule_fixtures import RULES, scan_fixture
from .tf_from_plan import TODO, convert

PAIRED = sorted(
    folder.name for folder in (FIXTURES / "rules").iterdir() if (folder / "terraform.tf").is_file()
)
TRIOS = sorted(p.name for p in (FIXTURES / "sources" / "parity").iterdir() if p.is_dir())

# Findings where a plan and the .tf it comes from cannot agree: (rule, resource) -> why.
_PARTIAL = (
    "a plan makes the whole jsonencode() unknown when one part is known only after apply; "
    "the .tf reader keeps the parts it knows"
)
INHERENT: dict[tuple[str, str], str] = {
    ("deprecated-vcpus-memory-fields", "aws_batch_job_definition.properties_after_apply"): (
        _PARTIAL
    ),
    ("fargate-ec2-only-job-fields", "aws_batch_job_definition.after_apply"): _PARTIAL,
    ("privileged-container", "aws_batch_job_definition.image_after_apply"): _PARTIAL,
    ("request-fits-no-instance", "aws_batch_job_definition.unknown"): _PARTIAL,
    ("efs-transit-encryption-disabled", "aws_batch_job_definition.computed"): _PARTIAL,
    ("efs-transit-encryption-disabled", "aws_batch_job_definition.default"): (
        "the plan knows the ID of an existing file system; the .tf names only the resource"
    ),
    ("efs-transit-encryption-disabled", "aws_batch_job_definition.access_point"): (
        "the plan knows the IDs of an existing file system and access point"
    ),
    ("ec2-key-pair-on-hosts", "aws_batch_compute_environment.key_resource"): (
        "the plan fixture leaves the key pair's name unknown; the .tf reads the configured one"
    ),
    ("eks-host-network", "aws_batch_job_definition.eks_default"): (
        "a plan shows the provider's default (true) as a value; the .tf knows it is left out"
    ),
    ("eks-host-network", "module.pods.aws_batch_job_definition.pod[0]"): (
        "a plan shows the provider's default (true) as a value; the .tf knows it is left out"
    ),
    ("eks-host-network", "module.pods.aws_batch_job_definition.pod[1]"): (
        "a plan shows the provider's default (true) as a value; the .tf knows it is left out"
    ),
    ("instance-role-not-instance-profile", "aws_batch_compute_environment.role_arn_known"): (
        "the plan knows the ARN of an existing role; the .tf names the role resource"
    ),
    ("launch-template-imdsv1-allowed", "aws_batch_compute_environment.hop_default"): (
        "a launch template version left out is computed by a plan; the .tf takes $Default"
    ),
    ("launch-template-unencrypted-volume", "aws_batch_compute_environment.existing"): (
        "the plan knows the existing template's latest version is the one written (2)"
    ),
    ("launch-template-unencrypted-volume", "aws_batch_compute_environment.pinned"): (
        "the .tf reader takes a template of the configuration as its first version"
    ),
    ("private-subnet-without-egress", "aws_batch_compute_environment.legacy"): (
        "a route table with no route blocks: a plan leaves its routes unknown until apply"
    ),
    ("single-availability-zone", "aws_batch_compute_environment.same_zone"): (
        "a data source (aws_availability_zones) is read by a plan, unknown in a .tf"
    ),
    ("secret-dynamic-reference-in-environment", "aws_batch_job_definition.data_ssm_secure"): (
        "a data source (aws_ssm_parameter) is read by a plan: only it knows the type"
    ),
    ("tags-not-propagated", "module.batch.aws_batch_job_definition.nightly[0]"): (
        "a plan shows the provider's default propagate_tags (false); the .tf knows it is left out"
    ),
}
# "the plan marks it sensitive": only a plan has after_sensitive
_SENSITIVE = "a plan marks the value sensitive; a .tf cannot say so"
for _address in (
    "secret_version",
    "sensitive_var",
    "eks_env",
    "data_secret_version",
    "ssm_secure",
    "indexed_0",
):
    INHERENT[
        ("secret-dynamic-reference-in-environment", f"aws_batch_job_definition.{_address}")
    ] = _SENSITIVE
INHERENT[
    ("secret-dynamic-reference-in-environment", "module.worker.aws_batch_job_definition.worker")
] = _SENSITIVE

# a role created in the same plan: its ARN is unknown, so the plan makes the whole
# jsonencode() unknown; the .tf keeps the known parts and the reference to the role
_FRESH_ROLE = "the role is created in the same plan: a plan knows none of the jsonencode()"
for _rule, _address in (
    ("job-role-can-escalate", "fresh"),
    ("job-role-same-as-execution-role", "fresh"),
    ("job-role-wildcard-permissions", "fresh"),
    ("pass-role-wildcard", "fresh"),
    ("secrets-without-execution-role", "fresh_role"),
):
    INHERENT[(_rule, f"aws_batch_job_definition.{_address}")] = _FRESH_ROLE
INHERENT[("tags-not-propagated", "aws_batch_job_definition.tagged")] = (
    "a plan shows the provider's default propagate_tags (false); the .tf knows it is left out"
)
INHERENT[("tags-not-propagated", "aws_batch_job_definition.untagged")] = (
    "the plan fixture leaves tags_all unknown; the .tf applies the provider's default_tags"
)

# What the .tf reader does not yet see that the plan fixture shows: (rule, resource) -> what.
READER_GAPS: dict[tuple[str, str], str] = {}

# the source's noun in a message ("the compute environments in this plan")
_NOUN = re.compile(r"\bthis (?:plan|configuration|template)\b")
_TF_ADDRESS = re.compile(
    r"\b(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?aws_\w+\.[\w-]+(?:\[[^\]]*\])?"
)


_WORKDIR = tempfile.TemporaryDirectory(prefix="batchlint-parity-")  # removed at exit


@cache
def fixture_report(name: str, file: str) -> Report:
    """One rule's scan of one of its fixtures, once per test run (both tests read them)."""
    workdir = Path(_WORKDIR.name, f"{name}-{file}")
    workdir.mkdir()
    return scan_fixture(name, file, workdir)


def words(message: str) -> str:
    return _NOUN.sub("this <source>", message)


def by_resource(report: Report) -> dict[str, Counter[tuple[str, str]]]:
    out: dict[str, Counter[tuple[str, str]]] = {}
    for finding in report.findings:
        out.setdefault(finding.resource, Counter())[(finding.code, words(finding.message))] += 1
    return out


@pytest.mark.parametrize("name", PAIRED)
def test_plan_and_tf_agree_but_where_listed(name: str) -> None:
    plan = by_resource(fixture_report(name, "terraform.plan.json"))
    tf = by_resource(fixture_report(name, "terraform.tf"))
    differ = {a for a in plan.keys() | tf.keys() if plan.get(a) != tf.get(a)}
    listed = {a for rule, a in INHERENT.keys() | READER_GAPS.keys() if rule == name}
    assert differ - listed == set(), {a: (plan.get(a), tf.get(a)) for a in differ - listed}
    assert listed - differ == set(), "these agree now: take them off the list"


def test_every_listed_difference_names_a_rule_with_fixtures() -> None:
    for rule, _ in INHERENT.keys() | READER_GAPS.keys():
        assert rule in PAIRED


@pytest.mark.parametrize("name", PAIRED)
def test_each_form_has_a_finding_and_a_clean_resource(name: str) -> None:
    for file in ("cloudformation.yaml", "terraform.plan.json", "terraform.tf"):
        report = fixture_report(name, file)
        flagged = {f.resource for f in report.findings}
        assert flagged, f"{name}/{file}: no finding"
        assert sum(report.resources.values()) > len(flagged), f"{name}/{file}: none clean"


def scan_trio(name: str, file: str) -> list[Finding]:
    folder = FIXTURES / "sources" / "parity" / name
    options = ScanOptions(select=[RULES[name].code])
    return scan([str(folder / file)], options).findings


def placeholders(messages: list[Finding], names: set[str]) -> list[str]:
    """Messages with every resource name (CloudFormation logical ID, Terraform address)
    replaced, sorted."""
    out = []
    for finding in messages:
        text = _TF_ADDRESS.sub("<resource>", words(finding.message))
        for name in sorted(names, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(name)}\b", "<resource>", text)
        out.append(f"{finding.code} {text}")
    return sorted(out)


@pytest.mark.parametrize("name", TRIOS)
def test_one_mistake_written_three_ways_gives_one_finding(name: str) -> None:
    folder = FIXTURES / "sources" / "parity" / name
    template = yaml.load((folder / "template.yaml").read_text(), Loader=_CfnLoader)
    logical_ids = set(template["Resources"])
    cfn = placeholders(scan_trio(name, "template.yaml"), logical_ids)
    plan = placeholders(scan_trio(name, "plan.json"), set())
    tf = placeholders(scan_trio(name, "main.tf"), set())
    assert cfn, f"{name}: the template gives no finding"
    assert cfn == plan == tf


@pytest.mark.parametrize("name", TRIOS)
def test_tf_from_plan_writes_back_what_terraform_planned(name: str, tmp_path: Path) -> None:
    """The fixture writer, on a plan Terraform wrote: a .tf with no mark left to fix by hand
    and the plan's findings."""
    files = convert(json.loads((FIXTURES / "sources" / "parity" / name / "plan.json").read_text()))
    for relative, text in files.items():
        assert TODO not in text, text
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    options = ScanOptions(select=[RULES[name].code])
    written = scan([str(tmp_path)], options).findings
    assert placeholders(written, set()) == placeholders(scan_trio(name, "plan.json"), set())


def test_trios_cover_the_kinds_of_mistake() -> None:
    assert len(TRIOS) >= 12
    for name in TRIOS:
        assert name in RULES
        files = {p.name for p in (FIXTURES / "sources" / "parity" / name).iterdir()}
        assert files == {"template.yaml", "plan.json", "main.tf"}
        assert json.loads((FIXTURES / "sources" / "parity" / name / "plan.json").read_text())


class _CfnLoader(yaml.SafeLoader):
    """Reads a template's short-form tags (``!Ref``) as plain values: only the resource
    names are wanted here."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _any_tag)
