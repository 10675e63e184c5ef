"""The previous-generation succession table."""

from __future__ import annotations

import re
from typing import NamedTuple

import botocore.session
import pytest

from batchlint import generations, instances
from batchlint.generations import status


def test_table_knows_every_botocore_family() -> None:
    """Fails when botocore's EC2 InstanceType enum gains a family the table does not rate.

    Fix it by adding the family to batchlint/generations.py (current, or flagged with a
    successor), following the rule in that module's docstring.
    """
    model = botocore.session.get_session().get_service_model("ec2")
    enum = model.shape_for("InstanceType").enum
    families = {name.split(".", 1)[0] for name in enum}
    unknown = sorted(families - generations.known_families())
    assert not unknown, f"families unknown to batchlint.generations: {unknown}"


def test_table_knows_every_family_in_the_bundled_facts() -> None:
    families = {instances.family(t) for t in instances.known_types()}
    assert families <= generations.known_families()


@pytest.mark.parametrize(
    "family",
    ["c4", "m4", "r4", "c3", "m3", "t1", "i2", "g3", "g3s", "p3", "p3dn", "a1", "m1", "c1"],
)
def test_on_the_previous_generation_list(family: str) -> None:
    gen = status(family)
    assert gen is not None and gen.previous
    assert gen.reason == "on AWS's previous-generation list"
    assert gen.successor is not None
    succ = status(gen.successor)
    assert succ is not None and not succ.previous


@pytest.mark.parametrize("family", ["cc2", "cr1", "hs1", "g2", "p2"])
def test_retired_families_are_flagged(family: str) -> None:
    gen = status(family)
    assert gen is not None and gen.previous and gen.reason.startswith("retired")


@pytest.mark.parametrize(
    ("family", "reason", "successor"),
    [
        ("c5", "3 generations behind c8i", "c8i"),
        ("m5", "3 generations behind m8i", "m8i"),
        ("r5", "3 generations behind r8i", "r8i"),
        ("c5d", "3 generations behind c8i", "c8id"),
        ("m5dn", "3 generations behind m8i", "m8idn"),
        ("r5b", "3 generations behind r8i", "r8ib"),
        ("c5ad", "3 generations behind c8a", "c8a"),
        ("m5a", "3 generations behind m8a", "m8a"),
        ("t2", "6 generations behind t8i", "t8i"),
        ("m6g", "3 generations behind m9g", "m9g"),
        ("x1e", "7 generations behind x8i", "x8i"),
    ],
)
def test_three_generations_behind(family: str, reason: str, successor: str) -> None:
    assert status(family) == generations.Generation(family, True, reason, successor)


@pytest.mark.parametrize(
    "family",
    ["m6i", "c7i", "m7g", "c8g", "c6i", "m6a", "r7a", "c8i", "t3a", "t4g", "d2", "z1d", "g5"],
)
def test_current_families(family: str) -> None:
    gen = status(family)
    assert gen is not None
    assert not gen.previous and gen.successor is None and gen.reason == "current generation"


def test_types_and_unknowns() -> None:
    gen = status("c5.2xlarge")
    assert gen is not None and gen.family == "c5" and gen.previous
    assert status("m6i.metal") == status("m6i")
    assert status("zz9") is None
    assert status("optimal") is None


def test_every_successor_is_a_current_family() -> None:
    for family in sorted(generations.known_families()):
        gen = status(family)
        assert gen is not None
        if gen.previous:
            assert gen.successor is not None, family
            succ = status(gen.successor)
            assert succ is not None and not succ.previous, (family, gen.successor)


class _Parsed(NamedTuple):
    line: str
    generation: int
    vendor: str


_FAMILY = re.compile(r"^(?P<line>[a-z]+?)(?P<gen>\d+)(?P<opts>[a-z]*)(?:-[a-z0-9]+)?$")


def _parse(family: str) -> _Parsed | None:
    if family.startswith("mac"):
        return None
    legacy_u = re.match(r"^u-\d+tb(\d+)$", family)
    if legacy_u:
        return _Parsed("u", int(legacy_u.group(1)), "i")
    m = _FAMILY.match(family)
    if m is None:
        return None
    opts = m.group("opts")
    vendor = opts[0] if opts[:1] in ("a", "g", "i") else "i"
    return _Parsed(m.group("line"), int(m.group("gen")), vendor)


def test_the_three_generation_rule_holds_across_the_table() -> None:
    """Every family three or more generations behind its line/vendor is flagged, and every
    family flagged only for its age is at least three generations behind."""
    parsed = {f: _parse(f) for f in generations.known_families()}
    newest: dict[tuple[str, str], int] = {}
    for p in parsed.values():
        if p is not None:
            key = (p.line, p.vendor)
            newest[key] = max(newest.get(key, 0), p.generation)
    for family, p in sorted(parsed.items()):
        gen = status(family)
        assert gen is not None
        if p is None:
            continue
        gap = newest[(p.line, p.vendor)] - p.generation
        if gap >= 3:
            assert gen.previous, f"{family} is {gap} generations behind its line"
        if gen.previous and "generations behind" in gen.reason:
            assert gen.reason.startswith(f"{gap} generations behind"), family
