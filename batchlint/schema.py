"""The JSON report's schema, as pydantic models; this module only publishes it.

``python -m batchlint.schema > docs/report.schema.json`` regenerates the published copy.
Nothing on the scan path imports this module (the JSON reporter writes plain dicts).
"""

from __future__ import annotations

import json
import sys
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://github.com/batchlint/batchlint/blob/main/docs/report.schema.json"

SeverityName = Literal["error", "warning", "note"]
TagName = Literal["cost", "operability", "performance", "reliability", "security"]


class _Closed(BaseModel):
    # Extra keys are an error, so a field added to the output without the schema fails a test.
    model_config = ConfigDict(extra="forbid")


class Tool(_Closed):
    name: Literal["batchlint"]
    version: str = Field(description="The batchlint version that wrote the report.")
    information_uri: str = Field(description="The project's home page.")


class SuppressionModel(_Closed):
    model_config = ConfigDict(title="Suppression")

    kind: Literal["inSource", "external"] = Field(
        description="inSource: in the scanned file (template Metadata, a comment); external: "
        "in the configuration."
    )
    justification: str = Field(min_length=1, description="The reason given for it.")
    location: str = Field(description="Where the suppression is written.")


class Finding(_Closed):
    code: str = Field(min_length=1, description="Stable rule code, e.g. BL-CE-001.")
    name: str = Field(min_length=1, description="Kebab-case rule name.")
    severity: SeverityName = Field(description="Effective severity (after config overrides).")
    message: str = Field(description="What is wrong with this resource and what to do.")
    resource: str = Field(
        description="CloudFormation logical id, Terraform address or ARN; empty for findings "
        "about the file itself (BL-META)."
    )
    resource_type: str = Field(description="The resource's type as written in the source.")
    file: str = Field(description="The file as given, relative when possible, '/' separators.")
    line: int = Field(ge=1, description="1-based line.")
    column: int = Field(ge=1, description="1-based column, in Unicode code points.")
    pointer: str = Field(description="RFC 6901 JSON pointer into the source document.")
    fingerprint: str = Field(
        min_length=1, description="Stable id from code, resource and pointer; not line-based."
    )
    tags: list[TagName] = Field(description="The rule's tags.")
    fix: str = Field(description="A short title of the fix.")
    estimated_monthly_cost_usd: float | None = Field(
        ge=0,
        description="The monthly cost (USD, cents) the finding is about, from the cost model "
        "(e.g. the always-on floor, or the ceiling over budget); null when it has none. The "
        "matching entry of `costs` says which prices and assumptions it rests on.",
    )
    suppressions: list[SuppressionModel] = Field(
        description="Why the finding does not count towards the exit code, when it is "
        "suppressed (in the source or in the configuration); empty when it counts."
    )
    baseline_state: Literal["new", "unchanged"] | None = Field(
        description="With --baseline: new (counts) or unchanged (in the baseline, does not "
        "count); null without a baseline, and for suppressed findings."
    )
    account: str | None = Field(
        description="The AWS account ID the resource is in (an account snapshot); else null."
    )
    region: str | None = Field(
        description="The Region the resource is in, when the source says (an account "
        "snapshot, a Terraform provider's region); else null."
    )
    arn: str | None = Field(description="The resource's ARN, when the source knows it.")


class BaselineEntry(_Closed):
    """An entry of a baseline file, as `batchlint baseline` writes it."""

    fingerprint: str = Field(min_length=1, description="The finding's fingerprint.")
    code: str = Field(description="Rule code.")
    name: str = Field(description="Rule name.")
    file: str = Field(description="The file, shown as findings' files are.")
    resource: str = Field(description="CloudFormation logical id, Terraform address or ARN.")
    pointer: str = Field(description="RFC 6901 JSON pointer into the source document.")
    message: str = Field(description="The message when the baseline was written.")


# -- costs ------------------------------------------------------------------------------------


class MoneyRange(_Closed):
    """USD, rounded to cents; ``low == high`` when the figure is exact."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)


class RateRange(_Closed):
    """USD per job-hour, rounded to 6 decimal places; ``low == high`` when exact."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)


class NumberRange(_Closed):
    low: float
    high: float


class TypeRate(_Closed):
    instance_type: str
    usd_per_vcpu_hour: float = Field(ge=0, description="On-demand price / vCPUs.")


class SpotAdvice(_Closed):
    savings_percent: int = Field(description="Average savings over on-demand.")
    interruption: str = Field(description="Interruption-frequency bucket, e.g. '<5%'.")


class SpotAdvisor(_Closed):
    savings_percent: NumberRange = Field(description="Lowest and highest across the types.")
    interruption_worst: str = Field(description="The most frequent bucket across the types.")
    floor_type: str = Field(description="The cheapest type per vCPU after its savings.")
    types: dict[str, SpotAdvice] = Field(description="Per allowed, priced instance type.")
    types_without_data: list[str] = Field(description="Priced types the advisor does not list.")


class SpotMonthly(_Closed):
    floor: MoneyRange | None = Field(description="minvCpus at the cheapest Spot estimate.")
    ceiling: MoneyRange | None = Field(description="maxvCpus, cheapest to dearest Spot estimate.")


class Fit(_Closed):
    instance_type: str = Field(description="The cheapest allowed type per job that fits.")
    copies: int = Field(ge=1, description="Copies of the job that fit on one instance.")
    instance_hourly_usd: float = Field(ge=0, description="On-demand price of the instance.")
    per_job_hour_usd: float = Field(ge=0, description="instance_hourly_usd / copies.")
    idle_vcpu_fraction: float = Field(ge=0, le=1)
    idle_memory_fraction: float = Field(ge=0, le=1, description="Of what ECS can register.")


class UsageDetails(_Closed):
    file: str = Field(description="The usage file.")
    line: int = Field(ge=1, description="The line of the entry's key.")
    key: str = Field(description="The key that matched this resource.")
    jobs_per_month: float = Field(ge=0)
    average_duration_minutes: float = Field(gt=0)
    spot_share: float | None = Field(ge=0, le=1, description="Null when not given.")
    job_hours_per_month: float = Field(ge=0)


class CostDetails(_Closed):
    """What a figure was computed from. Keys appear when they apply to the resource's kind."""

    # compute environments
    compute_type: str | None = Field(None, description="EC2, SPOT, FARGATE or FARGATE_SPOT.")
    min_vcpus: float | None = Field(None, description="Null when unknown.")
    max_vcpus: float | None = Field(None, description="Null when unknown.")
    instance_types: list[str] | None = Field(None, description="As written; null when unknown.")
    priced_types: int | None = Field(None, description="Concrete types priced in the Region.")
    unpriced_types: list[str] | None = Field(None, description="Types with no Region price.")
    cheapest_type: TypeRate | None = Field(None, description="Cheapest type per vCPU.")
    dearest_type: TypeRate | None = Field(None, description="Dearest type per vCPU.")
    spot_monthly: SpotMonthly | None = Field(None, description="SPOT: at average savings.")
    spot_advisor: SpotAdvisor | None = Field(None, description="SPOT: Spot Instance Advisor.")
    memory_gb_per_vcpu: NumberRange | None = Field(None, description="Fargate ceiling basis.")
    usd_per_vcpu_hour: float | None = Field(None, description="Fargate (Spot) vCPU rate.")
    usd_per_gb_hour: float | None = Field(None, description="Fargate (Spot) memory rate.")
    # job definitions and queues
    platform: Literal["EC2", "FARGATE"] | None = Field(None, description="Null when unknown.")
    vcpus: float | None = Field(None, description="Per job, on one instance or task.")
    memory_mib: float | None = None
    gpus: float | None = None
    architecture: Literal["X86_64", "ARM64"] | None = Field(None, description="Fargate.")
    fargate_capacity: list[Literal["FARGATE", "FARGATE_SPOT"]] | None = Field(
        None, description="Fargate compute environment types the job may run on."
    )
    spot_per_job_hour_usd: float | None = Field(
        None, description="Per job-hour on Spot: Fargate Spot rates, or EC2 at average savings."
    )
    fit: Fit | None = Field(None, description="EC2: the instance placement.")
    timeout_seconds: float | None = Field(None, description="Null: none, or unknown.")
    attempts: float | None = Field(None, description="retryStrategy.attempts; null: unknown.")
    usage: UsageDetails | None = Field(None, description="The usage file entry used.")
    job_definition: str | None = Field(None, description="Job queue: whose jobs are priced.")
    compute_environments: list[str] | None = Field(None, description="Job queue: its own.")


class Cost(_Closed):
    resource: str = Field(description="CloudFormation logical id, Terraform address or ARN.")
    resource_type: str = Field(description="The resource's type as written in the source.")
    kind: Literal["compute_environment", "job_definition", "job_queue"] = Field(
        description="Job queues appear only when the usage file names them."
    )
    file: str = Field(description="The file, as in findings.")
    region: str = Field(description="The Region priced: the Terraform provider's or --region.")
    floor_monthly_usd: MoneyRange | None = Field(
        description="Compute environment: minvCpus kept running all month at the cheapest "
        "allowed type per vCPU (on-demand, also for SPOT; 0 for Fargate). Null when unknown."
    )
    ceiling_monthly_usd: MoneyRange | None = Field(
        description="Compute environment: maxvCpus fully used all month, cheapest to dearest "
        "allowed type per vCPU (on-demand, also for SPOT); Fargate at the memory per vCPU of "
        "the job definitions in scope. Null when unknown."
    )
    per_job_hour_usd: RateRange | None = Field(
        description="Job definition or queue: one job-hour (EC2: the cheapest allowed type "
        "that fits, shared by the copies that fit). Null when unknown."
    )
    worst_case_per_submission_usd: MoneyRange | None = Field(
        description="per_job_hour x timeout x attempts; null when unbounded or unknown."
    )
    unbounded: bool = Field(description="True when the job definition sets no timeout.")
    usage_monthly_usd: MoneyRange | None = Field(
        description="From the usage file; null means unknown (no file, or no entry)."
    )
    details: CostDetails
    assumptions: list[str] = Field(description="What the figures assume, in sentences.")
    prices: str = Field(description="The price snapshot used: source, parts, as_of dates, Region.")


class BySeverity(_Closed):
    error: int = Field(ge=0)
    warning: int = Field(ge=0)
    note: int = Field(ge=0)


class Summary(_Closed):
    files: int = Field(ge=0, description="Files scanned.")
    skipped: int = Field(ge=0, description="Files skipped (not recognised or unreadable).")
    findings: int = Field(ge=0, description="Number of findings, suppressed ones included.")
    suppressed: int = Field(ge=0, description="Findings that are suppressed.")
    by_severity: BySeverity
    resources: dict[str, int] = Field(description="Resource type -> number scanned.")


class JsonReport(_Closed):
    model_config = ConfigDict(title="batchlint report")

    schema_version: Literal[1] = Field(description="Bumped on incompatible changes.")
    tool: Tool
    findings: list[Finding] = Field(description="Sorted by file, line, column, code.")
    costs: list[Cost] = Field(
        description="Cost estimates: compute environments, then job queues (with usage), then "
        "job definitions, per file in scan order; each with its price snapshot."
    )
    fixed: list[BaselineEntry] = Field(
        description="With --baseline: its entries that no finding matches any more (fixed "
        "since, so the baseline can shrink), sorted by file and fingerprint; empty otherwise."
    )
    summary: Summary


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``batchlint --format json`` output."""
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **JsonReport.model_json_schema()}


def render() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
