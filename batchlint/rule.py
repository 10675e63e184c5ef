"""What a rule is: metadata in a decorator, one pure function that yields hits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from batchlint.model import Node, Resource, Scope

if TYPE_CHECKING:
    from batchlint.prices import PriceSource


class Severity(StrEnum):
    ERROR = "error"  # the deploy fails or jobs can never run
    WARNING = "warning"  # a likely cost, reliability or security problem
    NOTE = "note"  # advice

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.NOTE: 1, Severity.WARNING: 2, Severity.ERROR: 3}

TAGS = frozenset({"cost", "reliability", "security", "performance", "operability"})


@dataclass(frozen=True)
class Hit:
    """What a rule yields: the resource a finding is about, the message, and the value it
    points at (``None`` points at the resource itself)."""

    resource: Resource
    message: str
    at: Node | None = None
    cost_usd: float | None = None  # estimated monthly cost the finding is about, if any


@dataclass
class Context:
    """What a rule may consult besides the resource: its scope, options, the region and the
    prices cost figures come from."""

    scope: Scope
    options: dict[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    price_source: PriceSource | None = None  # None: the bundled snapshot, read on first use

    @property
    def prices(self) -> PriceSource:
        if self.price_source is None:
            from batchlint import prices

            return prices.load()
        return self.price_source


Check = Callable[..., Iterator[Hit]]


@dataclass
class RuleMeta:
    code: str
    name: str
    severity: Severity
    tags: tuple[str, ...]
    fix: str
    summary: str = ""
    doc: str = ""  # the Markdown module docstring
    options: dict[str, Any] = field(default_factory=dict)  # option name -> default
    security_severity: float | None = None  # SARIF security-severity, for security rules
    check: Check | None = None
    target: str = ""  # the model class the check iterates: a Kind value or "graph"
    path: str = ""  # the rule file

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.name}.md"


DOCS_BASE = "https://github.com/batchlint/batchlint/blob/main/docs/rules"


def rule(
    *,
    code: str,
    name: str,
    severity: Severity,
    tags: tuple[str, ...],
    fix: str,
    options: dict[str, Any] | None = None,
    security_severity: float | None = None,
) -> Callable[[Check], Check]:
    """Attach rule metadata to a check function; the registry collects it."""
    unknown_tags = set(tags) - TAGS
    if unknown_tags:
        raise ValueError(f"{code}: unknown tags {sorted(unknown_tags)}")
    if "security" in tags and security_severity is None:
        raise ValueError(f"{code}: security rules need a security_severity")

    def wrap(check: Check) -> Check:
        check.__batchlint_rule__ = RuleMeta(  # type: ignore[attr-defined]
            code=code,
            name=name,
            severity=severity,
            tags=tuple(tags),
            fix=fix,
            options=dict(options or {}),
            security_severity=security_severity,
            check=check,
        )
        return check

    return wrap
