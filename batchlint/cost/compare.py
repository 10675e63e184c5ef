"""Cost figures added up and compared: totals per file and overall, and base vs head.

Pure computation on :class:`~batchlint.cost.estimate.Cost` estimates (no I/O, no rendering).

* **Totals.** Floor and ceiling add over compute environments, the usage-based estimate over
  job definitions and job queues; ranges add end by end. A resource whose figure is unknown
  is left out of the sum and counted in ``unknown``; a sum no resource contributes to is
  ``None`` (unknown), never $0.
* **Changes.** Resources are matched by file key (the path relative to the compared folder,
  or the head file for a pair of files), kind and address. A :class:`Delta` is the change of
  each end of a range: ``low`` is head low minus base low, ``high`` head high minus base high
  (not an interval). An added resource changes by its whole figure, a removed one by minus
  its figure; a figure unknown on either side makes that change unknown. The total change
  adds the known per-resource changes and counts the unknown ones, so a ceiling that becomes
  unknown does not look like a saving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchlint.cost.estimate import Cost, Range, citation

if TYPE_CHECKING:
    from batchlint.model import Scope

# figure -> the kinds of resource it applies to
FIGURES: dict[str, frozenset[str]] = {
    "floor_monthly": frozenset({"compute_environment"}),
    "ceiling_monthly": frozenset({"compute_environment"}),
    "per_job_hour": frozenset({"job_definition", "job_queue"}),
    "usage_monthly": frozenset({"job_definition", "job_queue"}),
}
SUMMED = ("floor_monthly", "ceiling_monthly", "usage_monthly")
# what the threshold rule is told about, with the field the change is most likely in
GATED = {"ceiling": ("ceiling_monthly", "maxvCpus"), "floor": ("floor_monthly", "minvCpus")}


@dataclass
class FileCosts:
    """The estimates of one input file."""

    file: str  # as shown
    key: str  # what a comparison matches it by
    region: str
    costs: list[Cost]
    scope: Scope | None = None


def applies(cost: Cost, figure: str) -> bool:
    return cost.kind in FIGURES[figure]


def figure(cost: Cost, name: str) -> Range | None:
    value: Range | None = getattr(cost, name)
    return value


# -- totals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sum:
    value: Range | None  # None: no resource it applies to has a known figure
    known: int
    unknown: int


def total(costs: list[Cost], name: str) -> Sum:
    values = [figure(c, name) for c in costs if applies(c, name)]
    known = [v for v in values if v is not None]
    value = Range(sum(v.low for v in known), sum(v.high for v in known)) if known else None
    return Sum(value, len(known), len(values) - len(known))


def totals(costs: list[Cost]) -> dict[str, Sum]:
    return {name: total(costs, name) for name in SUMMED}


# -- changes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """USD change of the low end and of the high end of a figure."""

    low: float
    high: float

    @classmethod
    def between(cls, base: Range | None, head: Range | None) -> Delta:
        b = base or Range(0.0, 0.0)
        h = head or Range(0.0, 0.0)
        return cls(h.low - b.low, h.high - b.high)

    def plus(self, other: Delta) -> Delta:
        return Delta(self.low + other.low, self.high + other.high)

    def as_dict(self, places: int = 2) -> dict[str, float]:
        return {"low": _round(self.low, places), "high": _round(self.high, places)}


@dataclass
class Change:
    key: str  # file key
    kind: str
    address: str
    status: str  # "added" | "removed" | "changed"
    base: Cost | None
    head: Cost | None
    deltas: dict[str, Delta | None] = field(default_factory=dict)  # figure -> change

    @property
    def cost(self) -> Cost:
        """The head's estimate, or the base's for a removed resource."""
        found = self.head or self.base
        assert found is not None
        return found


@dataclass
class Comparison:
    changes: list[Change]  # added, removed and changed, in file then source order
    unchanged: int
    base_totals: dict[str, Sum]
    head_totals: dict[str, Sum]
    change_totals: dict[str, Delta | None]  # None: no known change
    change_unknown: dict[str, int]  # resources whose change of that figure is unknown

    def of_status(self, status: str) -> list[Change]:
        return [c for c in self.changes if c.status == status]

    def percent(self, name: str) -> float | None:
        """The change of the high end as a percentage of the base's; None from a base of 0."""
        change = self.change_totals.get(name)
        base = self.base_totals[name].value
        if change is None:
            return 0.0
        if base is None or base.high <= 0:
            return None if change.high > 0 else 0.0
        return change.high / base.high * 100

    def increase(self) -> dict[str, Any]:
        """What the ``cost-increase-over-threshold`` rule is given (``options["increase"]``):
        per gated figure, the high ends of the base and head totals, the change, and the
        head resource that rose the most."""
        out: dict[str, Any] = {}
        for gate, (name, field_name) in GATED.items():
            change = self.change_totals.get(name)
            rising = [
                c
                for c in self.changes
                if c.head is not None and (c.deltas.get(name) or Delta(0, 0)).high > 0
            ]
            top = max(rising, key=lambda c: (c.deltas[name] or Delta(0, 0)).high, default=None)
            base, head = self.base_totals[name].value, self.head_totals[name].value
            out[gate] = {
                "base_usd": _round(base.high if base else 0.0),
                "head_usd": _round(head.high if head else 0.0),
                "change_usd": _round(change.high if change else 0.0),
                "percent": _maybe(self.percent(name)),
                "unknown": self.change_unknown[name],
                "field": field_name,
                "file": top.head.file if top and top.head else None,
                "resource": top.address if top else None,
                "resource_added": bool(top and top.status == "added"),
                "resource_change_usd": _round((top.deltas[name] or Delta(0, 0)).high)
                if top
                else 0.0,
                "prices": citation(top.head) if top and top.head else None,
            }
        return out


def compare(base: list[FileCosts], head: list[FileCosts]) -> Comparison:
    """Base vs head, matched by file key, kind and address."""
    old = {(f.key, c.kind, c.resource): c for f in base for c in f.costs}
    new = {(f.key, c.kind, c.resource): c for f in head for c in f.costs}
    changes: list[Change] = []
    unchanged = 0
    for key in [*new, *(k for k in old if k not in new)]:
        before, after = old.get(key), new.get(key)
        status = "added" if before is None else "removed" if after is None else "changed"
        if status == "changed" and _figures(before) == _figures(after):
            unchanged += 1
            continue
        deltas = {name: _delta(before, after, name) for name in FIGURES}
        changes.append(Change(key[0], key[1], key[2], status, before, after, deltas))
    changes.sort(key=lambda c: (c.key, _STATUS_ORDER[c.status]))
    change_totals: dict[str, Delta | None] = {}
    change_unknown: dict[str, int] = {}
    for name in SUMMED:
        known = [c.deltas[name] for c in changes if c.deltas[name] is not None]
        change_totals[name] = _add(d for d in known if d is not None)
        change_unknown[name] = sum(
            1 for c in changes if applies(c.cost, name) and c.deltas[name] is None
        )
    base_costs = [c for f in base for c in f.costs]
    head_costs = [c for f in head for c in f.costs]
    return Comparison(
        changes,
        unchanged,
        totals(base_costs),
        totals(head_costs),
        change_totals,
        change_unknown,
    )


_STATUS_ORDER = {"changed": 0, "added": 1, "removed": 2}


def _delta(base: Cost | None, head: Cost | None, name: str) -> Delta | None:
    cost = head or base
    if cost is None or not applies(cost, name):
        return None
    before = figure(base, name) if base is not None else None
    after = figure(head, name) if head is not None else None
    if (base is not None and before is None) or (head is not None and after is None):
        return None  # unknown on a side where the resource exists
    return Delta.between(before, after)


def _add(deltas: Any) -> Delta | None:
    out: Delta | None = None
    for delta in deltas:
        out = delta if out is None else out.plus(delta)
    return out


def _figures(cost: Cost | None) -> tuple[Any, ...]:
    """What counts as a change: the figures as written out (cents, 6 places per hour)."""
    if cost is None:
        return ()
    data = cost.as_dict()
    return tuple(
        data[k]
        for k in (
            "floor_monthly_usd",
            "ceiling_monthly_usd",
            "per_job_hour_usd",
            "worst_case_per_submission_usd",
            "unbounded",
            "usage_monthly_usd",
        )
    )


def _round(value: float, places: int = 2) -> float:
    out = round(value, places)
    return 0.0 if out == 0 else out  # no -0.0 in JSON


def _maybe(value: float | None) -> float | None:
    return _round(value, 1) if value is not None else None
