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


class BySeverity(_Closed):
    error: int = Field(ge=0)
    warning: int = Field(ge=0)
    note: int = Field(ge=0)


class Summary(_Closed):
    files: int = Field(ge=0, description="Files scanned.")
    skipped: int = Field(ge=0, description="Files skipped (not recognised or unreadable).")
    findings: int = Field(ge=0, description="Number of findings.")
    by_severity: BySeverity
    resources: dict[str, int] = Field(description="Resource type -> number scanned.")


class JsonReport(_Closed):
    model_config = ConfigDict(title="batchlint report")

    schema_version: Literal[1] = Field(description="Bumped on incompatible changes.")
    tool: Tool
    findings: list[Finding] = Field(description="Sorted by file, line, column, code.")
    costs: list[dict[str, Any]] = Field(description="Cost estimates, with their price snapshot.")
    summary: Summary


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``batchlint --format json`` output."""
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **JsonReport.model_json_schema()}


def render() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
