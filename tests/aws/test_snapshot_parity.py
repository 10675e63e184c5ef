"""Every rule on an account snapshot as on the template it was deployed from.

For every rule fixture's ``cloudformation.yaml`` and every rule doc's Example and Use
instead, :mod:`tests.aws.cfn_to_snapshot` writes the snapshot an account would give after
deploying it (the part that can be deployed literally, when parameters without default or
``Fn::If`` stand in the way). Both are scanned with the rule alone; the findings must be the
same: codes, and messages once every name of a resource (logical id, physical name, ID, ARN)
reads as one token, per resource.

A difference that remains is put down to its cause by scanning again with less realism:
``aws-fills-in`` when it goes away without what AWS fills in on its own, ``collector-reads-less``
when it goes away once the snapshot holds every resource of the template (the collector
reads only what the Batch resources reference). Every difference must be in :data:`KNOWN`
with its reason, and every entry of :data:`KNOWN` must still be one; ``test_summary`` prints
the tally (``pytest -s`` not needed: it writes to the terminal).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from batchlint.cost.command import compare_paths
from batchlint.engine import ScanOptions, scan
from batchlint.registry import builtin_rules
from batchlint.report import Finding
from batchlint.rule import RuleMeta
from batchlint.snapshot import Snapshot, dump
from batchlint.sources import yaml_cfn

from ..conftest import FIXTURES
from .cfn_to_snapshot import (
    Converted,
    Identity,
    Unresolvable,
    convert,
    deployable_part,
    to_snapshot,
)

RULES = {r.name: r for r in builtin_rules()}
BATCH = ("AWS::Batch::",)


# -- the known differences ---------------------------------------------------------------------

AWS_FILLS_IN = "aws-fills-in"  # AWS fills in what the template leaves out; the rule reads it
COLLECTOR_READS_LESS = "collector-reads-less"  # the collector does not read it
TEMPLATE_KNOWS_LESS = "template-knows-less"  # unknown in the template, known once deployed
SNAPSHOT_KNOWS_LESS = "snapshot-knows-less"  # what the author wrote, a snapshot cannot tell
API_SHAPE = "api-shape"  # the same finding, worded or ordered after the API's answer
SOURCE_BUG = "source-bug"  # the snapshot source reads it wrong: reported, to be fixed
# the causes a scan with less realism confirms (see result())
CHECKED = frozenset({AWS_FILLS_IN, COLLECTOR_READS_LESS})
CAUSES = frozenset(
    {
        AWS_FILLS_IN,
        COLLECTOR_READS_LESS,
        TEMPLATE_KNOWS_LESS,
        SNAPSHOT_KNOWS_LESS,
        API_SHAPE,
        SOURCE_BUG,
    }
)

NOT_RECORDED = "not-recorded"  # the snapshot holds no such resource (a secret)
CAUSES = frozenset(
    {
        AWS_FILLS_IN,
        COLLECTOR_READS_LESS,
        NOT_RECORDED,
        TEMPLATE_KNOWS_LESS,
        SNAPSHOT_KNOWS_LESS,
        API_SHAPE,
        SOURCE_BUG,
    }
)

_DESIRED = (
    "AWS reports desiredvCpus for every EC2 environment (EKS ones too), so a snapshot cannot "
    "tell a written one: spot.written_desired_vcpus reads none there, by design."
)
_NAMES_ORDER = "the snapshot lists compute environments by ARN; the message names them so."

# (rule name, case) -> [(cause, the resources whose findings differ by it, why)]
KNOWN: dict[tuple[str, str], list[tuple[str, frozenset[str], str]]] = {
    ("al2023-with-a1-instances", "fixture"): [
        (
            AWS_FILLS_IN,
            frozenset({"A1DefaultImage", "A1PlainLaunchTemplate"}),
            "AWS records the default image type ECS_AL2023; the message no longer says it is "
            "the default.",
        ),
        (
            AWS_FILLS_IN,
            frozenset({"A1CustomAmiLaunchTemplate", "A1ImageId", "A1ExternalLaunchTemplate"}),
            "AWS records ECS_AL2023 beside a custom AMI too, and the rule takes it for the "
            "image type the author declared (the template is silent: its AMI may not be "
            "AL2023): reported to the lead as a likely false positive on accounts.",
        ),
    ],
    ("al2023-with-a1-instances", "example"): [
        (
            AWS_FILLS_IN,
            frozenset({"ArmEnvironment"}),
            "AWS records the default image type; the message no longer says it is the default.",
        )
    ],
    ("custom-service-role", "fixture"): [
        (
            TEMPLATE_KNOWS_LESS,
            frozenset({"CustomRoleSubAccount", "RoleNameFromStack"}),
            "the role's ARN is built from the account ID or the stack name, which the "
            "template leaves unknown: the snapshot names the role.",
        )
    ],
    ("desired-vcpus-hardcoded", "fixture"): [
        (
            SNAPSHOT_KNOWS_LESS,
            frozenset(
                {"DesiredAboveMin", "DesiredFromParameter", "DesiredStringAboveMin", "EksDesired"}
            ),
            _DESIRED,
        )
    ],
    ("desired-vcpus-hardcoded", "example"): [
        (SNAPSHOT_KNOWS_LESS, frozenset({"ComputeEnvironment"}), _DESIRED)
    ],
    ("efs-transit-encryption-disabled", "fixture"): [
        (
            TEMPLATE_KNOWS_LESS,
            frozenset({"AccessPointJob"}),
            "a Ref to the access point is unknown in the template; the snapshot names its ID.",
        )
    ],
    ("image-tag-unpinned", "fixture"): [
        (
            TEMPLATE_KNOWS_LESS,
            frozenset({"AccountUnknownButLatest"}),
            "the image is built from the account ID, unknown in the template; deployed, it is "
            "a known image tagged latest.",
        )
    ],
    ("instance-role-not-instance-profile", "fixture"): [
        (
            TEMPLATE_KNOWS_LESS,
            frozenset({"RoleArnSub", "RoleArnSubAccount"}),
            "the template knows the role's ARN as a pattern (Fn::Sub of the account ID); the "
            "snapshot has the role itself.",
        )
    ],
    ("multinode-on-spot-or-fargate", "fixture"): [
        (API_SHAPE, frozenset({"MultiNodeEc2Platform", "MultiNodeOnSpot"}), _NAMES_ORDER)
    ],
    ("private-subnet-without-egress", "fixture"): [
        (
            TEMPLATE_KNOWS_LESS,
            frozenset({"UnknownTableEnvironment"}),
            "its subnets' route tables are not in the template (the VPC's main table, a "
            "literal rtb- ID); deployed, the unassociated subnet uses the main table (local "
            "route only), and the converter cannot record the external table, so that subnet "
            "falls back to the main table too.",
        ),
    ],
    ("retry-strategy-out-of-range", "fixture"): [
        (
            AWS_FILLS_IN,
            frozenset({"UnknownAction"}),
            "the API reports evaluateOnExit actions in lower case, and the message quotes it.",
        )
    ],
    ("secrets-without-execution-role", "fixture"): [
        (
            NOT_RECORDED,
            frozenset({"KeyNotAllowed"}),
            "a snapshot records no Secrets Manager secret, so the secret's customer managed "
            "key is unknown.",
        ),
        (
            TEMPLATE_KNOWS_LESS,
            frozenset({"SecretUnknown"}),
            "the secret's ARN is built from the account ID, unknown in the template; the "
            "snapshot knows the execution role may not read it.",
        ),
    ],
    ("security-group-open-ingress", "fixture"): [
        (
            API_SHAPE,
            frozenset({"MultiGroupEnvironment"}),
            "the API merges an AWS::EC2::SecurityGroupIngress into its group's IpPermissions, "
            "so the message cannot name the rule's own resource.",
        )
    ],
    ("single-availability-zone", "fixture"): [
        (
            AWS_FILLS_IN,
            frozenset({"SingleSubnetEnvironment"}),
            "the snapshot knows the Availability Zone AWS picked, and the message names it.",
        ),
        (
            API_SHAPE,
            frozenset({"SameZoneIdEnvironment"}),
            "the API reports a zone's name beside its ID, and the message names the zone by name.",
        ),
    ],
    ("spot-interruption-not-retried", "fixture"): [
        (
            AWS_FILLS_IN,
            frozenset(
                {"AttemptsFromParameter", "DocumentedCatchAll", "ExitOnAnyStatus", "MultiNodeExits"}
            ),
            "the API reports evaluateOnExit actions in lower case, and the message quotes it.",
        )
    ],
    ("spot-interruption-not-retried", "example"): [
        (
            AWS_FILLS_IN,
            frozenset({"Render"}),
            "the API reports evaluateOnExit actions in lower case, and the message quotes it.",
        )
    ],
    ("vcpu-bounds-invalid", "fixture"): [
        (
            SNAPSHOT_KNOWS_LESS,
            frozenset({"DesiredAboveMax", "DesiredBelowMin"}),
            "desiredvCpus is not judged on a snapshot (AWS reports the value Batch scaled to, "
            "written or not; one outside the bounds cannot be deployed).",
        )
    ],
}


# -- cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    rule: str
    kind: str  # "fixture", "example", "use-instead"
    text: str  # the template
    base: str | None = None  # the base template of a rule about a change

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.kind}"


def _doc_yaml(doc: str, heading: str) -> str | None:
    if heading not in doc:
        return None
    part = doc.split(heading, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```ya?ml\n(.*?)```", part, re.S)
    return match.group(1) if match else None


def _cases() -> list[Case]:
    out = []
    for name in sorted(RULES):
        folder = FIXTURES / "rules" / name
        template = folder / "cloudformation.yaml"
        if template.is_file():
            base = folder / "base" / "cloudformation.yaml"
            out.append(
                Case(
                    name,
                    "fixture",
                    template.read_text(),
                    base.read_text() if base.is_file() else None,
                )
            )
        doc = RULES[name].doc
        base_doc = _doc_yaml(doc, "## Base") if re.search(r"^## Base$", doc, re.M) else None
        for kind, heading in (("example", "## Example"), ("use-instead", "## Use instead")):
            text = _doc_yaml(doc, heading)
            if text is not None:
                out.append(Case(name, kind, text, base_doc))
    return out


CASES = _cases()


# -- scanning both ---------------------------------------------------------------------------


@dataclass
class Result:
    case: Case
    status: str  # "same", "differs", "skipped"
    converted: str = ""  # "whole", "part"
    dropped: int = 0  # resources left out as not deployable
    causes: dict[str, str] = field(default_factory=dict)  # differing resource -> its cause
    detail: list[str] = field(default_factory=list)
    reason: str = ""  # why skipped
    findings: int = 0  # the template's
    common: int = 0  # findings the same on both


Key = tuple[str, str, str]  # code, resource (logical id), normalized message


def _options(item: RuleMeta, case: Case) -> ScanOptions:
    settings: dict[str, Any] = {}
    options = FIXTURES / "rules" / item.name / "options.json"
    if case.kind == "fixture" and options.is_file():
        settings = json.loads(options.read_text())
    elif case.kind != "fixture" and "## Options" in item.doc:
        part = item.doc.split("## Options", 1)[1].split("\n## ", 1)[0]
        match = re.search(r"```json\n(.*?)```", part, re.S)
        settings = json.loads(match.group(1)) if match else {}
    return ScanOptions(select=[item.code, "BL-META"], rule_options={item.name: settings})


def _deployable(text: str) -> tuple[dict[str, Any], int]:
    """The template, or its deployable part, with how many resources were left out."""
    template = yaml_cfn.read(text).data
    try:
        convert(template)
        return template, 0
    except Unresolvable:
        kept, dropped = deployable_part(template)
        return kept, len(dropped)


def _write(
    folder: Path, stem: str, template: dict[str, Any], realistic: bool, selection: bool
) -> tuple[Path, Path, Converted]:
    converted = convert(template, realistic=realistic, selection=selection)
    source = folder / f"{stem}.template.json"
    source.write_text(json.dumps(template, indent=2))
    snapshot = folder / f"{stem}.snapshot.json"
    snapshot.write_text(dump(Snapshot.model_validate(converted.snapshot)))
    return source, snapshot, converted


def _scan(item: RuleMeta, case: Case, head: Path, base: Path | None) -> list[Finding]:
    options = _options(item, case)
    if base is not None:
        return compare_paths(str(base), str(head), options).report.findings
    report = scan([str(head)], options)
    assert report.files_scanned, report.files_skipped
    return report.findings


def _normalizer(identities: dict[str, Identity]) -> Any:
    """Messages with every name of a template resource as ``<logical id>``, and ARNs of the
    account that name no template resource as their last part (a role the template names
    by name, the API by ARN)."""
    aliases: dict[str, str] = {}
    for logical_id, found in identities.items():
        for alias in {logical_id, *found.aliases()}:
            aliases.setdefault(alias, logical_id)
    ordered = sorted(aliases, key=len, reverse=True)
    names = (
        re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in ordered) + r")(?![\w-])")
        if ordered
        else None
    )
    arns = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}:[\w-]+/(?:[\w+=,.@-]+/)*([\w+=,.@:-]+)")

    def normal(message: str) -> str:
        message = message.replace(" in this account ", " in this template ")  # Scope.noun
        if names is not None:
            message = names.sub(lambda m: f"<{aliases[m.group(1)]}>", message)
            message = _VERSION.sub(r"\1", message)
        return arns.sub(lambda m: m.group(1), message)

    return normal


_VERSION = re.compile(r"(<[^<>]+>):\d+\b")  # a version of a resource: lt-…:1 is lt-…


def _keys(findings: list[Finding], identities: dict[str, Identity], snapshot: bool) -> Counter[Key]:
    normal = _normalizer(identities)
    by_address = {found.address: lid for lid, found in identities.items()} if snapshot else {}
    return Counter(
        (f.code, by_address.get(f.resource, f.resource), normal(f.message))
        for f in findings
        if not f.code.startswith("BL-META")
    )


def _compare(
    item: RuleMeta,
    case: Case,
    folder: Path,
    head: dict[str, Any],
    base: dict[str, Any] | None,
    realistic: bool = True,
    selection: bool = True,
) -> tuple[Counter[Key], Counter[Key], list[Finding]]:
    """(template findings, snapshot findings, the snapshot scan's BL-META findings)."""
    tag = f"-{int(realistic)}{int(selection)}"
    head_source, head_snapshot, converted = _write(folder, f"head{tag}", head, realistic, selection)
    base_source = base_snapshot = None
    identities = dict(converted.identities)
    if base is not None:
        base_source, base_snapshot, base_converted = _write(
            folder, f"base{tag}", base, realistic, selection
        )
        identities = {**base_converted.identities, **identities}
    template = _scan(item, case, head_source, base_source)
    snapshot = _scan(item, case, head_snapshot, base_snapshot)
    meta = [f for f in snapshot if f.code.startswith("BL-META")]
    return _keys(template, identities, False), _keys(snapshot, identities, True), meta


def _differing(template: Counter[Key], snapshot: Counter[Key]) -> frozenset[str]:
    return frozenset(k[1] for k in (template - snapshot) + (snapshot - template))


@cache
def result(case: Case, folder: Path) -> Result:
    item = RULES[case.rule]
    head, dropped = _deployable(case.text)
    base = _deployable(case.base)[0] if case.base is not None else None
    if not any(
        isinstance(b, dict) and str(b.get("Type", "")).startswith(BATCH)
        for b in head["Resources"].values()
    ):
        return Result(case, "skipped", reason="no Batch resource can be deployed literally")
    out = Result(case, "same", "part" if dropped else "whole", dropped)
    template, snapshot, meta = _compare(item, case, folder, head, base)
    out.findings = sum(template.values())
    out.common = sum((template & snapshot).values())
    if meta:
        out.status = "differs"
        out.causes = {"BL-META": ""}
        out.detail = [f"{f.code} {f.message}" for f in meta]
        return out
    if template == snapshot:
        return out
    out.status = "differs"
    out.detail = [f"template only: {k}" for k in sorted(template - snapshot)]
    out.detail += [f"snapshot only: {k}" for k in sorted(snapshot - template)]
    plain = _differing(*_compare(item, case, folder, head, base, realistic=False)[:2])
    full = _differing(
        *_compare(item, case, folder, head, base, realistic=False, selection=False)[:2]
    )
    for resource in _differing(template, snapshot):
        if resource not in plain:
            out.causes[resource] = AWS_FILLS_IN
        elif resource not in full:
            out.causes[resource] = COLLECTOR_READS_LESS
        else:
            out.causes[resource] = ""
    return out


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parity")


def _folder(work: Path, case: Case) -> Path:
    folder = work / f"{case.rule}-{case.kind}"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_finds_the_same_on_the_snapshot(case: Case, work: Path) -> None:
    found = result(case, _folder(work, case))
    known = {
        r: cause for cause, resources, _ in KNOWN.get((case.rule, case.kind), []) for r in resources
    }
    detail = "\n  ".join(found.detail)
    assert set(found.causes) == set(known), (
        f"{case.id}: findings differ on {sorted(found.causes)}, KNOWN lists {sorted(known)}:"
        f"\n  {detail}"
    )
    for resource, cause in found.causes.items():
        # a source bug may show only with what AWS fills in (a route it adds): any cause
        if known[resource] in CHECKED or (cause and known[resource] != SOURCE_BUG):
            assert known[resource] == cause, f"{case.id} {resource}: {cause or 'unexplained'}"


# -- the converter itself -----------------------------------------------------------------------

_TEMPLATE = """
Parameters:
  MaxvCpus: {Type: Number, Default: 64}
  Subnet: {Type: AWS::EC2::Subnet::Id}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Private:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: batch
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
  MoreIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt Group.GroupId, IpProtocol: 6, FromPort: 22, ToPort: 22,
                 CidrIp: 0.0.0.0/0}
  S3:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref Table]
  Table:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  ServiceRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: batch-service
      AssumeRolePolicyDocument: {Statement: []}
  Unused:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ServiceRole: batch-service
      ComputeResources:
        Type: EC2
        MaxvCpus: !Ref MaxvCpus
        InstanceTypes: [optimal]
        Subnets: [!Ref Private]
        SecurityGroupIds: [!Ref Group]
        InstanceRole: ecsInstanceRole
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: "1"
      ComputeEnvironmentOrder: [{Order: 1, ComputeEnvironment: !Ref Environment}]
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      RetryStrategy: {Attempts: 2, EvaluateOnExit: [{OnReason: "*", Action: EXIT}]}
      ContainerProperties:
        Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/app:1"
        Privileged: "true"
        ResourceRequirements: [{Type: VCPU, Value: 1}]
  Elsewhere:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources: {Type: FARGATE, MaxvCpus: 4, Subnets: [!Ref Subnet]}
  ItsQueue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder: [{Order: 1, ComputeEnvironment: !Ref Elsewhere}]
"""


def test_converter_refuses_a_template_it_cannot_deploy_literally() -> None:
    template = yaml_cfn.read(_TEMPLATE).data
    assert to_snapshot(template) is None  # Subnet has no default
    kept, dropped = deployable_part(template)
    assert sorted(dropped) == ["Elsewhere", "ItsQueue"]  # and the queue that refers to it
    assert "parameter Subnet has no default" in dropped["Elsewhere"]
    assert to_snapshot(kept) is not None
    for value in ({"Fn::If": ["c", 1, 2]}, {"Fn::ImportValue": "x"}):
        template["Resources"]["Job"]["Properties"]["SchedulingPriority"] = value
        assert "Job" in deployable_part(template)[1]


def test_converter_writes_each_record_as_the_api_returns_it() -> None:
    snapshot = to_snapshot(deployable_part(yaml_cfn.read(_TEMPLATE).data)[0])
    assert snapshot is not None
    Snapshot.model_validate(snapshot)
    account = snapshot["accounts"][0]
    region = account["regions"][0]
    (ce,) = region["computeEnvironments"]
    arn = "arn:aws:batch:us-east-1:123456789012:compute-environment/Environment"
    assert ce["computeEnvironmentArn"] == arn and ce["status"] == "VALID"
    assert ce["serviceRole"] == "arn:aws:iam::123456789012:role/batch-service"
    assert ce["computeResources"]["maxvCpus"] == 64  # the parameter's default, a number
    assert ce["computeResources"]["desiredvCpus"] == 0  # what AWS fills in
    assert ce["computeResources"]["subnets"] == ["subnet-private"]
    assert ce["computeResources"]["instanceRole"] == "ecsInstanceRole"  # as written
    (queue,) = region["jobQueues"]
    assert (
        queue["priority"] == 1 and queue["computeEnvironmentOrder"][0]["computeEnvironment"] == arn
    )
    (job,) = region["jobDefinitions"]
    assert (job["revision"], job["status"]) == (1, "ACTIVE")
    assert job["jobDefinitionArn"].endswith(":job-definition/Job:1")
    container = job["containerProperties"]
    assert container["image"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
    assert container["privileged"] is True and container["environment"] == []
    assert container["resourceRequirements"] == [{"type": "VCPU", "value": "1"}]
    assert job["retryStrategy"]["evaluateOnExit"] == [{"onReason": "*", "action": "exit"}]
    # the one ingress resource merged into its group, in EC2's terms
    (group,) = [g for g in region["securityGroups"] if g["GroupId"] == "sg-group"]
    ((permission,),) = [group["IpPermissions"]]
    assert permission["IpProtocol"] == "tcp" and (permission["FromPort"], permission["ToPort"]) == (
        22,
        22,
    )
    assert [r["CidrIp"] for r in permission["IpRanges"]] == ["10.0.0.0/8", "0.0.0.0/0"]
    assert group["IpPermissionsEgress"][0]["IpProtocol"] == "-1"  # AWS's default egress


def test_converter_records_the_tables_aws_makes_and_only_what_the_collector_reads() -> None:
    kept = deployable_part(yaml_cfn.read(_TEMPLATE).data)[0]
    region = to_snapshot(kept)["accounts"][0]["regions"][0]  # type: ignore[index]
    tables = {t["RouteTableId"]: t for t in region["routeTables"]}
    main = tables["rtb-main-vpc"]
    assert main["Associations"][0]["Main"] is True
    assert [r["GatewayId"] for r in main["Routes"]] == ["local"]
    assert [r.get("GatewayId") for r in tables["rtb-table"]["Routes"]] == ["local", "vpce-s3"]
    roles = [r["RoleName"] for r in to_snapshot(kept)["accounts"][0]["iam"]["roles"]]  # type: ignore[index]
    assert roles == ["batch-service"]  # Unused is named by no Batch resource
    everything = convert(kept, selection=False).snapshot["accounts"][0]["iam"]["roles"]
    assert sorted(r["RoleName"] for r in everything) == ["Unused", "batch-service"]


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == set(RULES)


def test_known_differences_are_explained() -> None:
    for (rule, kind), entries in KNOWN.items():
        assert rule in RULES and kind in ("fixture", "example", "use-instead"), (rule, kind)
        for cause, resources, why in entries:
            assert cause in CAUSES and resources and why.endswith("."), (rule, kind, cause)


def test_summary(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The tally, written to the terminal: rules covered, cases converted or skipped,
    differences by cause."""
    results = [result(case, _folder(work, case)) for case in CASES]
    proven = {r.case.rule for r in results if r.common}
    converted = {r.case.rule for r in results if r.status != "skipped"}
    causes: Counter[str] = Counter()
    for found in results:
        for cause, resources, _ in KNOWN.get((found.case.rule, found.case.kind), []):
            causes[cause] += len(resources)
    lines = [
        "",
        "snapshot parity",
        f"  rules: {len(RULES)}; with a case converted: {len(converted)}; proven (a finding "
        f"the same on both): {len(proven)}",
        f"  cases: {len(results)}; converted whole: "
        f"{sum(r.converted == 'whole' for r in results)}, in part: "
        f"{sum(r.converted == 'part' for r in results)} "
        f"({sum(r.dropped for r in results)} resources not deployable left out), skipped: "
        f"{sum(r.status == 'skipped' for r in results)}",
        f"  findings compared: {sum(r.findings for r in results)}; cases the same: "
        f"{sum(r.status == 'same' for r in results)}, differing: "
        f"{sum(r.status == 'differs' for r in results)}",
        "  resources whose findings differ, by cause: "
        + (", ".join(f"{c} {n}" for c, n in sorted(causes.items())) or "none"),
    ]
    for (rule, kind), entries in sorted(KNOWN.items()):
        for cause, resources, why in entries:
            lines.append(f"    {rule}:{kind} [{cause}] {', '.join(sorted(resources))}: {why}")
    for found in results:
        if found.status == "skipped":
            lines.append(f"    skipped {found.case.id}: {found.reason}")
    unproven = sorted(set(RULES) - proven)
    lines.append(f"  rules not proven: {', '.join(unproven) or 'none'}")
    for rule in unproven:
        reasons = {w for (r, _), entries in KNOWN.items() if r == rule for _, _, w in entries}
        lines.append(f"    {rule}: {' '.join(sorted(reasons)) or 'no finding in any case'}")
    with capsys.disabled():
        print("\n".join(lines))
    assert not set(RULES) - converted, "rules with no case that converts"
