"""A Spot compute environment allows instance types that Spot interrupts most often.

## What it does
Flags each `instanceTypes` entry of a `SPOT` compute environment that the Spot Instance Advisor
puts in its highest interruption-frequency bucket (`>20%`) in the scan's Region: a concrete type
(`c7i.large`) in that bucket, or a bare family (`r6i`) whose every size the advisor lists for the
Region is in it. The message cites the advisor data's date and, for a concrete type, names
similar types of the same line with fewer interruptions in that Region.

## Why is this bad?
The advisor's buckets are how often Spot reclaimed each instance type in a Region over the last
month. In the `>20%` bucket, more than one Spot instance in five was interrupted: jobs on those
instances are killed and retried, long jobs may never finish, and the interrupted work is paid
for twice. Similar types in a lower bucket often cost about the same.

## Example
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c7i.large, m7g.large, r7g.large]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Use instead
```yaml
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: SPOT
        AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
        MaxvCpus: 256
        InstanceTypes: [c6i.large, m7g.large, r7g.large]
        Subnets: [subnet-0123456789abcdef0]
        InstanceRole: ecsInstanceRole
```

## Known limitations
- A bare family is flagged only when *all* its sizes that the advisor lists for the Region are in
  the highest bucket. When some sizes are steadier, Batch can launch those, so a family with
  mixed buckets (in us-east-1, `c7i` or `m6i`) is not flagged, to keep the noise down; concrete
  types are always judged one by one.
- `optimal`, `default_x86_64` and `default_arm64` are not flagged: AWS Batch chooses and
  diversifies their types.
- The buckets come from the Spot Instance Advisor snapshot bundled with batchlint (no AWS API
  publishes them, so live pricing uses the same snapshot). They are trailing averages that
  change from month to month; types the advisor does not list for the Region (for example
  types newer than the snapshot) are not checked.
- The Region comes from the Terraform provider or `--region` (default us-east-1); a
  CloudFormation template does not say where it will be deployed.
- Lists that are unknown (a parameter without default), and instance types set in a launch
  template, are not checked.
- Suggested alternatives have the same vCPUs, architecture and line (`c`, `m`, `r`, …), 1-2x
  the memory, a current generation, local instance storage when the flagged type has it (`d`),
  and a lower bucket in the Region; none are suggested for GPU or accelerator types, whose
  vendors and models differ. FPGA, Inferentia, Trainium, Gaudi and video-transcoding types
  get the advice to run On-Demand instead.

## References
- https://aws.amazon.com/ec2/spot/instance-advisor/
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html
- https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from batchlint import generations, instances
from batchlint.model import ComputeEnvironment, Node
from batchlint.prices import PriceSource
from batchlint.rule import Context, Hit, Severity, rule

HIGHEST_BUCKET = ">20%"  # the Spot Instance Advisor's highest interruption-frequency label
_PRICE_CAPACITY = "SPOT_PRICE_CAPACITY_OPTIMIZED"
_MAX_SUGGESTIONS = 3
_LINE = re.compile(r"[a-z]+")
_ATTRIBUTES = re.compile(r"[a-z]+\d+([a-z]*)")  # m5dn -> dn: the letters after the generation
_FIRST_NUMBER = re.compile(r"\d+")


@rule(
    code="BL-CE-008",
    name="spot-high-interruption-instance-types",
    severity=Severity.WARNING,
    tags=("reliability", "cost"),
    fix="Allow instance types with a lower Spot interruption frequency",
)
def check(ce: ComputeEnvironment, ctx: Context) -> Iterator[Hit]:
    compute_type = ce.field("computeResources", "type")
    if compute_type is None or compute_type.text() != "SPOT":
        return
    types = ce.field("computeResources", "instanceTypes")
    if types is None:
        return
    region, source = ctx.region, ctx.prices
    try:
        # an Fn::If on the whole list: flag an entry only when every branch allows it
        flagged: dict[str, tuple[Node, str]] | None = None
        for outcome in types.outcomes():
            found = _risky(outcome, region, source) if outcome is not None else {}
            if flagged is None:
                flagged = found
            else:
                flagged = {name: hit for name, hit in flagged.items() if name in found}
        if not flagged:
            return
        # the label, not spot_as_of: a live source fetches savings but still takes the bucket
        # from the snapshot's advisor data, and its label says so
        cited = source.snapshot_label(region, ("spot",)).removesuffix(f" ({region})")
        allowed = _allowed(types)
        strategy = ce.field("computeResources", "allocationStrategy")
        tuned = strategy is not None and strategy.text() == _PRICE_CAPACITY
        hits = [
            Hit(
                ce,
                f"{subject} in the highest Spot interruption-frequency bucket "
                f"({HIGHEST_BUCKET}) for {region} ({cited}): "
                f"{_advice(name, region, source, allowed, tuned)}.",
                node,
            )
            for name, (node, subject) in flagged.items()
        ]
    except (OSError, ValueError, KeyError):  # a damaged price snapshot: nothing to say
        return
    yield from hits


def _risky(types: Node, region: str, source: PriceSource) -> dict[str, tuple[Node, str]]:
    """The entries of one list outcome in the highest bucket: name -> (entry, subject)."""
    out: dict[str, tuple[Node, str]] = {}
    for entry in types.items():
        value = entry.text()
        if not value:
            continue
        name = value.strip().lower()
        if name in out or name in instances.KEYWORDS:  # AWS-managed diversification
            continue
        if "." in name:
            advice = source.spot(region, name)
            if advice is not None and advice[1] == HIGHEST_BUCKET:
                out[name] = (entry, f"Instance type {name} is")
            continue
        sizes = instances.expand([name], region) or []
        buckets = [a[1] for a in (source.spot(region, size) for size in sizes) if a is not None]
        if buckets and all(bucket == HIGHEST_BUCKET for bucket in buckets):
            count = (
                "its only advisor-listed size"
                if len(buckets) == 1
                else f"all {len(buckets)} of its advisor-listed sizes"
            )
            out[name] = (entry, f"Instance family {name} has {count}")
    return out


def _allowed(types: Node) -> set[str]:
    """The concrete types a known list already allows (unknown entries are skipped)."""
    out: set[str] = set()
    for outcome in types.outcomes():
        for entry in outcome.items() if outcome is not None else []:
            value = entry.text()
            if value:
                out.update(instances.expand([value.strip().lower()]) or ())
    return out


def _advice(name: str, region: str, source: PriceSource, allowed: set[str], tuned: bool) -> str:
    """What to do: similar steadier types when there are some, else the generic advice."""
    if instances.is_single_purpose(name):
        return (
            "run jobs that need this hardware On-Demand (an EC2 compute environment) or in a "
            "Region where it is interrupted less often"
        )
    suggestions = _alternatives(name, region, source, allowed) if "." in name else []
    if suggestions:
        shown = [f"{alt} ({bucket})" for alt, bucket in suggestions]
        listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
        return f"allow similar types that are interrupted less often instead, such as {listed}"
    size = " of a similar size" if "." in name else ""
    text = f"allow more instance families{size} that are interrupted less often"
    if not tuned:
        text += f" and use the {_PRICE_CAPACITY} allocation strategy"
    return text


def _alternatives(
    name: str, region: str, source: PriceSource, allowed: set[str]
) -> list[tuple[str, str]]:
    """Up to three types of other families like ``name`` (same line, vCPUs and architecture,
    1-2x its memory, current generation) in a lower bucket: lowest bucket, then cheapest."""
    facts = instances.facts(name)
    if facts is None or facts.gpus or facts.accelerators:  # GPU vendors and models differ
        return []
    own = instances.family(name)
    line = _line(own)
    local_disk = "d" in _attributes(own)  # jobs may rely on its instance-store volumes
    metal = "metal" in name
    ranked: list[tuple[int, float, str, str]] = []
    for other in instances.known_types():
        family = instances.family(other)
        if family == own or other in allowed or _line(family) != line or "-flex" in family:
            continue
        if ("metal" in other) != metal or (local_disk and "d" not in _attributes(family)):
            continue
        cand = instances.facts(other)
        if (
            cand is None
            or cand.vcpus != facts.vcpus
            or cand.arch != facts.arch
            or cand.gpus
            or cand.accelerators
            or not facts.memory_mib <= cand.memory_mib <= 2 * facts.memory_mib
        ):
            continue
        status = generations.status(family)
        if status is None or status.previous:
            continue
        advice = source.spot(region, other)
        floor = _bucket_floor(advice[1]) if advice is not None else None
        if advice is None or floor is None or advice[1] == HIGHEST_BUCKET:
            continue
        hourly = source.ec2_hourly(region, other)
        price = hourly if hourly is not None else float("inf")
        ranked.append((floor, price, other, advice[1]))
    out: list[tuple[str, str]] = []
    families: set[str] = set()
    for _, _, other, bucket in sorted(ranked):
        family = instances.family(other)
        if family not in families:
            families.add(family)
            out.append((other, bucket))
        if len(out) == _MAX_SUGGESTIONS:
            break
    return out


def _line(family: str) -> str:
    """The letter prefix of a family: ``c7i`` -> ``c``, ``u-6tb1`` -> ``u``."""
    match = _LINE.match(family)
    return match.group(0) if match else family


def _attributes(family: str) -> str:
    """The attribute letters of a family: ``m5dn`` -> ``dn``, ``c7gd`` -> ``gd``."""
    match = _ATTRIBUTES.match(family)
    return match.group(1) if match else ""


def _bucket_floor(label: str) -> int | None:
    """The lower bound of a bucket label, for ordering: ``<5%`` 0, ``5-10%`` 5, ``>20%`` 20;
    None for a label that is not a bucket (a live source says ``unknown``)."""
    match = _FIRST_NUMBER.search(label)
    if match is None:
        return None
    return 0 if label.startswith("<") else int(match.group(0))
