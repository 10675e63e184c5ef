"""The account snapshot: what ``batchlint snapshot --aws`` read from AWS, as one JSON document.

The document records the API responses themselves (Batch in its camelCase, EC2 and IAM in
their PascalCase), grouped by account and Region, so a later batchlint can read them again
with better rules. :mod:`batchlint.sources.snapshot` turns it into the model; the collector
(:mod:`batchlint.aws.collector`) writes it. Only what the Batch resources reference is
recorded, each once.

Layout (``docs/snapshot.schema.json`` is the published schema)::

    {"format": "batchlint-snapshot", "schemaVersion": 1, "generator": "batchlint 0.1.0",
     "capturedAt": "2026-11-25T12:00:00Z",
     "accounts": [{"accountId": "123456789012", "partition": "aws",
                   "iam": {"roles": [...], "policies": [...], "instanceProfiles": [...]},
                   "regions": [{"region": "us-east-1", "computeEnvironments": [...], ...,
                                "errors": [...]}],
                   "errors": [...]}]}

:func:`dump` writes it deterministically: keys sorted, every list of records sorted by its
ARN or ID, two-space indentation (each record starts on its own line, so a finding's line
is the line of the value it is about). Values the secret detection flags in a job's
environment or log options never reach the file: :func:`redact` replaces each by a marker
that keeps the kind of credential and a short hash (see :mod:`batchlint.secrets_detect`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from batchlint.secrets_detect import (
    BY_NAME,
    REDACTED_PREFIX,
    Credential,
    detect,
    detect_option,
    known_format,
)
from batchlint.sources.snapshot import SCHEMA_VERSION

Record = dict[str, Any]  # one API response item, as boto3 returns it (datetimes as ISO text)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ApiError(_Closed):
    """A call that failed for good (after retries): the audit went on without its answer."""

    operation: str = Field(description="The IAM action of the call: batch:DescribeJobQueues.")
    code: str = Field(description="The error code: AccessDenied, Throttling, EndpointError, …")
    message: str = Field(description="What AWS (or the connection) said, one line.")
    resource: str | None = Field(
        default=None, description="The ARN or ID the call was reading, when it read one."
    )


class Iam(_Closed):
    """IAM is global: recorded once per account, for every Region's resources."""

    roles: list[Record] = Field(
        default_factory=list,
        description="Roles as in GetAccountAuthorizationDetails' RoleDetailList: GetRole's "
        "Role plus RolePolicyList [{PolicyName, PolicyDocument}] and AttachedManagedPolicies "
        "[{PolicyName, PolicyArn}].",
    )
    policies: list[Record] = Field(
        default_factory=list,
        description="Customer managed policies the roles attach: GetPolicy's Policy plus "
        "Document (its default version's document).",
    )
    instanceProfiles: list[Record] = Field(
        default_factory=list, description="GetInstanceProfile's InstanceProfile."
    )


class Region(_Closed):
    region: str
    computeEnvironments: list[Record] = Field(default_factory=list)
    jobQueues: list[Record] = Field(default_factory=list)
    jobDefinitions: list[Record] = Field(default_factory=list)
    schedulingPolicies: list[Record] = Field(default_factory=list)
    vpcs: list[Record] = Field(default_factory=list)
    subnets: list[Record] = Field(default_factory=list)
    routeTables: list[Record] = Field(
        default_factory=list,
        description="Every route table of the VPCs recorded (the main one included): which "
        "table serves a subnet depends on all of them.",
    )
    internetGateways: list[Record] = Field(default_factory=list)
    natGateways: list[Record] = Field(default_factory=list)
    vpcEndpoints: list[Record] = Field(default_factory=list)
    securityGroups: list[Record] = Field(default_factory=list)
    launchTemplates: list[Record] = Field(
        default_factory=list,
        description="DescribeLaunchTemplateVersions items (LaunchTemplateId, "
        "LaunchTemplateName, VersionNumber, DefaultVersion, LaunchTemplateData) of the "
        "versions the compute environments use.",
    )
    errors: list[ApiError] = Field(default_factory=list)


class Account(_Closed):
    accountId: str = Field(description="The 12-digit account ID.")
    partition: str = Field(default="aws", description="aws, aws-cn, aws-us-gov, …")
    iam: Iam = Field(default_factory=Iam)
    regions: list[Region] = Field(default_factory=list)
    errors: list[ApiError] = Field(
        default_factory=list, description="Failures not tied to one Region (assuming the role)."
    )


class Snapshot(_Closed):
    """A batchlint account snapshot."""

    model_config = ConfigDict(title="batchlint account snapshot")

    format: Literal["batchlint-snapshot"] = "batchlint-snapshot"  # sources.snapshot.FORMAT
    schemaVersion: int = Field(default=SCHEMA_VERSION, ge=1)
    generator: str = Field(default="", description="The batchlint that wrote it.")
    capturedAt: str = Field(default="", description="When it was read (UTC, ISO 8601).")
    accounts: list[Account] = Field(default_factory=list)


# the key each kind of record is sorted by (its ARN or ID)
SORT_KEYS: dict[str, str] = {
    "computeEnvironments": "computeEnvironmentArn",
    "jobQueues": "jobQueueArn",
    "jobDefinitions": "jobDefinitionArn",
    "schedulingPolicies": "arn",
    "vpcs": "VpcId",
    "subnets": "SubnetId",
    "routeTables": "RouteTableId",
    "internetGateways": "InternetGatewayId",
    "natGateways": "NatGatewayId",
    "vpcEndpoints": "VpcEndpointId",
    "securityGroups": "GroupId",
    "launchTemplates": "LaunchTemplateId",
    "roles": "Arn",
    "policies": "Arn",
    "instanceProfiles": "Arn",
}


def _sort_key(record: Record, key: str) -> tuple[str, int]:
    # job definitions and launch template versions: one ARN or ID, several revisions
    version = record.get("revision", record.get("VersionNumber", 0))
    return str(record.get(key, "")), version if isinstance(version, int) else 0


def normalized(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as plain JSON data in its deterministic order."""
    snapshot.accounts.sort(key=lambda a: a.accountId)
    for account in snapshot.accounts:
        account.regions.sort(key=lambda r: r.region)
    data = snapshot.model_dump(mode="json")
    for account in data["accounts"]:
        for part in (account["iam"], *account["regions"]):
            for name, records in part.items():
                if name in SORT_KEYS:
                    records.sort(key=lambda r, k=SORT_KEYS[name]: _sort_key(r, k))
    return data


def dump(snapshot: Snapshot) -> str:
    """The snapshot's text: deterministic, pretty-printed, ending in a newline."""
    data = normalized(snapshot)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=_plain) + "\n"


def _plain(value: object) -> object:
    """JSON for what boto3 returns beyond JSON's types (timestamps)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON: {type(value).__name__}")


# -- redaction ---------------------------------------------------------------------------------

_ENVIRONMENT_KEYS = ("environment", "env")  # ECS-style containers, EKS containers


def redaction_marker(found: Credential, value: str) -> str:
    """What replaces a credential: what kind it is and a short hash (the same secret gives
    the same marker, so a rotated one shows as a change), never the value."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    how = "" if found.by_format else BY_NAME
    return f"{REDACTED_PREFIX}{found.kind}{how}; sha256:{digest}>"


def redact(record: Record) -> int:
    """Replace, in place, every credential in the environments and log options of a job
    definition record (any container: ``containerProperties``, node ranges, ECS tasks, EKS
    pods). Returns how many values were replaced."""
    return _redact(record, None)


def _redact(value: object, key: str | None) -> int:
    count = 0
    if isinstance(value, dict):
        for child_key, child in value.items():
            if child_key == "options" and isinstance(child, dict) and key == "logConfiguration":
                count += _redact_options(child)
            else:
                count += _redact(child, child_key)
    elif isinstance(value, list):
        if key in _ENVIRONMENT_KEYS:
            count += sum(_redact_variable(item) for item in value if isinstance(item, dict))
        else:
            count += sum(_redact(item, None) for item in value)
    return count


def _redact_variable(variable: dict[str, Any]) -> int:
    name, value = variable.get("name"), variable.get("value")
    if not isinstance(name, str):
        name = None
    count = 0
    leaked = known_format(name) if name is not None else None
    if leaked is not None:  # a credential pasted as the name: both go, the finding stays
        variable["name"] = redaction_marker(Credential(leaked, True), name or "")
        if isinstance(value, str):
            variable["value"] = redaction_marker(Credential(leaked, True), value)
        return 1
    if isinstance(value, str):
        count += _replace(variable, "value", detect, name, value)
    return count


def _redact_options(options: dict[str, Any]) -> int:
    count = 0
    for name, value in options.items():
        if isinstance(value, str):
            count += _replace(options, name, detect_option, name, value)
    return count


def _replace(
    holder: dict[str, Any],
    key: str,
    judge: Callable[[str | None, str], Credential | None],
    name: str | None,
    value: str,
) -> int:
    if value.startswith(REDACTED_PREFIX):
        return 0
    found = judge(name, value)
    if found is None:
        return 0
    holder[key] = redaction_marker(found, value)
    return 1


if __name__ == "__main__":  # python -m batchlint.snapshot > docs/snapshot.schema.json
    import sys

    schema = Snapshot.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    sys.stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
