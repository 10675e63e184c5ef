"""Which EC2 instance families are previous-generation, and what to move to.

A curated table for the ``previous-generation-instance-types`` rule. It covers every instance
family EC2 knows (every family in botocore's EC2 ``InstanceType`` enum, plus those in the bundled
instance facts and prices); ``tests/test_generations.py`` fails when botocore learns a family
this table does not know. It does not use the ``CurrentGeneration`` flag of
DescribeInstanceTypes.

A family is flagged (``previous=True``) when

1. it is on AWS's list of previous-generation instances: the *Amazon EC2 Instance Types* guide,
   "Previous generation instances" (2026 edition; the page linked from it is
   https://aws.amazon.com/ec2/previous-generation/): "General purpose: A1 | M1 | M2 | M3 | M4 |
   T1; Compute optimized: C1 | C3 | C4; Memory optimized: R3 | R4; Storage optimized: I2;
   Accelerated computing: G3 | P3 | P3dn" (g3s is a G3 size family);
2. or it is retired: EC2 still names it (botocore), but it is on neither of that guide's
   lists, current nor previous (cc1, cc2, cg1, cr1, hi1, hs1, g2, p2);
3. or it is three or more generations behind the newest family of its line and processor
   vendor. The line is the letter prefix (c, m, r, t, x, i, g, p, u, …); the vendor is the
   option letter right after the generation digit: ``a`` AMD, ``g`` Graviton, ``i`` or none
   Intel (for GPU lines, none means the NVIDIA/x86 family). So c5, m5 and r5 are flagged
   because c8i, m8i and r8i exist; m6i and c7i are not; Graviton families count against the
   9th generation (m9g), so m6g/c6g/r6g are flagged and m7g/c8g are not. The generation is
   the digit in the name, as AWS's naming convention defines it, even where a line skipped
   numbers (x2 -> x8, i4 -> i7, u-*tb1 -> u7i).

The successor keeps the attribute suffix when the newest generation has the same one (c5d ->
c8id, m5dn -> m8idn, r5b -> r8ib); otherwise it is the newest plain family of the line and
vendor (c5ad -> c8a, m5zn -> m8i, p3 -> p5). A few are chosen by hand: a1 -> m9g (Graviton
general purpose), i3en -> i7ie (dense storage), hs1 -> d3, the retired cluster and GPU
families, and the u-*tb1 high-memory families by memory size.

The table was built against botocore 1.44.8 (210 families) and the bundled instance facts.
"""

from __future__ import annotations

from dataclasses import dataclass

_PREV = "on AWS's previous-generation list"
_RETIRED = "retired: on neither of AWS's current- and previous-generation lists"
CURRENT_REASON = "current generation"


@dataclass(frozen=True, slots=True)
class Generation:
    family: str
    previous: bool
    reason: str
    successor: str | None


# family -> (reason, suggested successor)
_FLAGGED: dict[str, tuple[str, str]] = {
    "a1": (_PREV, "m9g"),
    "c1": (_PREV, "c8i"),
    "c3": (_PREV, "c8i"),
    "c4": (_PREV, "c8i"),
    "c5": ("3 generations behind c8i", "c8i"),
    "c5a": ("3 generations behind c8a", "c8a"),
    "c5ad": ("3 generations behind c8a", "c8a"),
    "c5d": ("3 generations behind c8i", "c8id"),
    "c5n": ("3 generations behind c8i", "c8in"),
    "c6g": ("3 generations behind c9g", "c9g"),
    "c6gd": ("3 generations behind c9g", "c9gd"),
    "c6gn": ("3 generations behind c9g", "c9g"),
    "cc1": (_RETIRED, "c8i"),
    "cc2": (_RETIRED, "c8i"),
    "cg1": (_RETIRED, "g7"),
    "cr1": (_RETIRED, "r8i"),
    "g2": (_RETIRED, "g7"),
    "g3": (_PREV, "g7"),
    "g3s": (_PREV, "g7"),
    "g4dn": ("3 generations behind g7", "g7"),
    "hi1": (_RETIRED, "i7i"),
    "hs1": (_RETIRED, "d3"),
    "i2": (_PREV, "i7i"),
    "i3": ("4 generations behind i7i", "i7i"),
    "i3en": ("4 generations behind i7i", "i7ie"),
    "i3p": ("4 generations behind i7i", "i7i"),
    "i4g": ("4 generations behind i8g", "i8g"),
    "i4i": ("3 generations behind i7i", "i7i"),
    "m1": (_PREV, "m8i"),
    "m2": (_PREV, "m8i"),
    "m3": (_PREV, "m8i"),
    "m4": (_PREV, "m8i"),
    "m5": ("3 generations behind m8i", "m8i"),
    "m5a": ("3 generations behind m8a", "m8a"),
    "m5ad": ("3 generations behind m8a", "m8a"),
    "m5d": ("3 generations behind m8i", "m8id"),
    "m5dn": ("3 generations behind m8i", "m8idn"),
    "m5n": ("3 generations behind m8i", "m8in"),
    "m5zn": ("3 generations behind m8i", "m8i"),
    "m6g": ("3 generations behind m9g", "m9g"),
    "m6gd": ("3 generations behind m9g", "m9gd"),
    "p2": (_RETIRED, "p5"),
    "p3": (_PREV, "p5"),
    "p3dn": (_PREV, "p5"),
    "r3": (_PREV, "r8i"),
    "r4": (_PREV, "r8i"),
    "r5": ("3 generations behind r8i", "r8i"),
    "r5a": ("3 generations behind r8a", "r8a"),
    "r5ad": ("3 generations behind r8a", "r8a"),
    "r5b": ("3 generations behind r8i", "r8ib"),
    "r5d": ("3 generations behind r8i", "r8id"),
    "r5dn": ("3 generations behind r8i", "r8idn"),
    "r5n": ("3 generations behind r8i", "r8in"),
    "r6g": ("3 generations behind r9g", "r9g"),
    "r6gd": ("3 generations behind r9g", "r9gd"),
    "t1": (_PREV, "t8i"),
    "t2": ("6 generations behind t8i", "t8i"),
    "t3": ("5 generations behind t8i", "t8i"),
    "u-12tb1": ("6 generations behind u7i", "u7i-12tb"),
    "u-18tb1": ("6 generations behind u7i", "u7in-24tb"),
    "u-24tb1": ("6 generations behind u7i", "u7in-24tb"),
    "u-3tb1": ("6 generations behind u7i", "u7i-6tb"),
    "u-6tb1": ("6 generations behind u7i", "u7i-6tb"),
    "u-9tb1": ("6 generations behind u7i", "u7i-12tb"),
    "x1": ("7 generations behind x8i", "x8i"),
    "x1e": ("7 generations behind x8i", "x8i"),
    "x2gd": ("6 generations behind x8g", "x8g"),
    "x2idn": ("6 generations behind x8i", "x8i"),
    "x2iedn": ("6 generations behind x8i", "x8i"),
    "x2iezn": ("6 generations behind x8i", "x8i"),
}

_CURRENT: frozenset[str] = frozenset(
    """
    c6a c6i c6id c6in c7a c7g c7gd c7gn c7i c7i-flex c8a c8g c8gb c8gd c8gn c8i c8i-flex
    c8ib c8id c8in c8ine c9g c9gd d2 d3 d3en dl1 dl2q f1 f2 g4ad g5 g5g g6 g6e g6f g7 g7e
    gr6 gr6f h1 hpc6a hpc6id hpc7a hpc7g hpc8a i7i i7ie i8g i8ge im4gn inf1 inf2 is4gen m6a
    m6i m6id m6idn m6in m7a m7g m7gd m7i m7i-flex m8a m8azn m8g m8gb m8gd m8gn m8i m8i-flex
    m8ib m8id m8idb m8idn m8in m8ine m9g m9gd mac-m3ultra mac-m4 mac-m4max mac-m4pro mac1
    mac2 mac2-m1ultra mac2-m2 mac2-m2pro p4d p4de p5 p5e p5en p6-b200 p6-b300 p6e-gb200 r6a
    r6i r6id r6idn r6in r7a r7g r7gd r7i r7iz r8a r8g r8gb r8gd r8gn r8i r8i-flex r8ib r8id
    r8idb r8idn r8in r9g r9gd t3a t4g t8i trn1 trn1n trn2 trn2u u7i-12tb u7i-6tb u7i-8tb
    u7ib-12tb u7in-16tb u7in-24tb u7in-32tb u7inh-32tb vt1 x8aedz x8g x8i z1d
    """.split()  # noqa: SIM905 (a word list reads better than 150 quoted strings)
)


def status(family_or_type: str) -> Generation | None:
    """Generation status of a family (``c5``) or of a type's family (``c5.large``).

    None for a family the table does not know (the caller should stay silent).
    """
    fam = family_or_type.strip().split(".", 1)[0]
    flagged = _FLAGGED.get(fam)
    if flagged is not None:
        return Generation(fam, True, flagged[0], flagged[1])
    if fam in _CURRENT:
        return Generation(fam, False, CURRENT_REASON, None)
    return None


def known_families() -> frozenset[str]:
    """Every family the table rates."""
    return _CURRENT | frozenset(_FLAGGED)
