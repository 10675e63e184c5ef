"""The usage file: how often jobs run, for usage-based monthly estimates.

```yaml
version: 1                          # optional; the only version so far
usage:
  Render:                           # a job definition: logical id, Terraform address or name
    jobs_per_month: 3000
    average_duration_minutes: 12    # billed run time of one job, retries included
    spot_share: 0.8                 # optional, 0..1: the share of those job-hours on Spot
  aws_batch_job_queue.nightly:      # a job queue: its jobs priced on its compute environments
    jobs_per_month: 30
    average_duration_minutes: 90
    job_definition: report          # which jobs; optional when the file has only one
```

Decisions:

* Durations are in **minutes** (short jobs stay whole numbers; hours are a division away).
* A key is matched against each scanned resource's address first (CloudFormation logical id,
  Terraform address), then its physical name. It applies in every scanned file where it
  matches; a name shared by a queue and a job definition applies to both, so prefer addresses.
* A key that matches nothing is **not an error** (one usage file may serve several stacks,
  and a scan may cover only some): :meth:`Usage.unused` lists them for a warning.
* Bad input is an error, :class:`UsageError`, with one line ``file:line: what``: unknown keys,
  negative or non-numeric figures (``"12"`` is a string, not a number), ``spot_share``
  outside 0..1, duplicate keys, invalid YAML.

pydantic is imported only here, and only when a usage file is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from batchlint.model import Resource

MAX_BYTES = 1_000_000  # a usage file lists a few hundred jobs at most


class UsageError(Exception):
    """A usage file that cannot be used; the message is one line, ``file:line: what``."""


@dataclass(frozen=True)
class UsageEntry:
    key: str
    jobs_per_month: float
    average_duration_minutes: float
    spot_share: float | None  # None: not given
    job_definition: str | None  # for a job queue: which job definition's jobs
    line: int  # of the key in the usage file


@dataclass
class Usage:
    file: str  # as shown in messages
    entries: dict[str, UsageEntry]
    matched: set[str] = field(default_factory=set)

    def entry_for(self, resource: Resource) -> UsageEntry | None:
        """The entry for ``resource`` (by address, then name), remembered as used."""
        for key in (resource.address, resource.name):
            if key and key in self.entries:
                self.matched.add(key)
                return self.entries[key]
        return None

    def unused(self) -> list[UsageEntry]:
        """Entries no scanned resource matched so far, in file order."""
        return [entry for key, entry in self.entries.items() if key not in self.matched]


def load_usage(path: str | Path, shown: str | None = None) -> Usage:
    """Read and validate a usage file; raises :class:`UsageError`."""
    name = shown or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{name}: larger than {MAX_BYTES:,} bytes; not a usage file?")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{name}: not UTF-8 text") from None
    return parse_usage(text, name)


def parse_usage(text: str, file: str = "<usage>") -> Usage:
    from batchlint.sources.yaml_cfn import YamlError, key_lines, parse

    try:
        root, data = parse(text)
    except YamlError as exc:
        raise UsageError(f"{file}:{exc.line}: {exc.message}") from None
    if root is None:
        raise UsageError(f"{file}:1: the usage file is empty")
    lines, twice = key_lines(root)
    if twice is not None:
        raise UsageError(f"{file}:{twice[1]}: duplicate key {'.'.join(twice[0])}")
    model = _validate(data, lines, file)
    entries = {
        key: UsageEntry(
            key=key,
            jobs_per_month=item.jobs_per_month,
            average_duration_minutes=item.average_duration_minutes,
            spot_share=item.spot_share,
            job_definition=item.job_definition,
            line=lines.get(("usage", key), 1),
        )
        for key, item in model.usage.items()
    }
    return Usage(file, entries)


def _validate(data: Any, lines: dict[tuple[str, ...], int], file: str) -> Any:
    from pydantic import ValidationError

    try:
        return _schema().model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = tuple(str(part) for part in first["loc"])
        line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), 1)
        where = ".".join(loc) or "the usage file"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UsageError(f"{file}:{line}: {where}: {first['msg']}{more}") from None


MAX_JOBS_PER_MONTH = 1e9  # about 400 a second, all month
MAX_DURATION_MINUTES = 525_600.0  # a year


@cache
def _schema() -> Any:
    """The pydantic model of a usage file, built on first use (pydantic is not imported at
    module import)."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field

    class Entry(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        # bounded so that every estimate stays a finite number (1e300 jobs would overflow it)
        jobs_per_month: float = Field(ge=0, le=MAX_JOBS_PER_MONTH, allow_inf_nan=False)
        average_duration_minutes: float = Field(gt=0, le=MAX_DURATION_MINUTES, allow_inf_nan=False)
        spot_share: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
        job_definition: str | None = Field(default=None, min_length=1)

    class UsageFile(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        version: Literal[1] = 1
        usage: dict[str, Entry]

    return UsageFile
