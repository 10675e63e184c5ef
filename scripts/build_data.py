#!/usr/bin/env python3
"""Regenerate the EC2 facts and price snapshot that batchlint ships in ``batchlint/data/``.

Nothing is downloaded: every input is a local file.

* Prices come from the pricing snapshot in ``../shared/data/pricing`` (see its ``SOURCES.md``):
  ``ec2_ondemand.json``, ``fargate.json``, ``spot_advisor.json`` and ``ebs.json``.
* Instance facts come from one or more local copies of a ``DescribeInstanceTypes`` dump in the
  shape that moto ships as ``moto/ec2/resources/instance_types.json[.gz]`` (a JSON object
  mapping each instance type to its DescribeInstanceTypes record). Give them in priority
  order; a type is taken from the first file that has it. A label names each file in the
  shipped data, e.g. ``--instance-facts moto-5.2.5=/path/to/instance_types.json.gz``.

To refresh the snapshot (see ``batchlint/data/SOURCES.md``)::

    pip download --no-deps -d /tmp/moto moto==5.2.5
    unzip -o /tmp/moto/moto-5.2.5-*.whl 'moto/ec2/resources/instance_types.json*' -d /tmp/moto
    python scripts/build_data.py \\
        --instance-facts moto-5.2.5=/tmp/moto/moto/ec2/resources/instance_types.json.gz \\
        --instance-facts moto-4.2.14=/tmp/moto-4.2.14/moto/ec2/resources/instance_types.json \\
        --instance-facts moto-3.1.19=/tmp/moto-3.1.19/moto/ec2/resources/instance_types.json

Output is deterministic: sorted keys, minified JSON, gzip with a zero timestamp.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PRICING = REPO.parent / "shared" / "data" / "pricing"
DEFAULT_OUT = REPO / "batchlint" / "data"

# Types that have a price in the snapshot but no DescribeInstanceTypes record in any source
# file. Each is flagged "derived" in the shipped data, with the basis recorded here and in
# batchlint/data/SOURCES.md. (vcpus, memory MiB, gpus, arch, basis)
DERIVED: dict[str, tuple[int, int, int, str, str]] = {
    "cr1.8xlarge": (
        32,
        244 * 1024,
        0,
        "x86_64",
        "AWS instance-types page figures (32 vCPU, 244 GiB), retired family",
    ),
    "hs1.8xlarge": (
        16,
        117 * 1024,
        0,
        "x86_64",
        "AWS instance-types page figures (16 vCPU, 117 GiB), retired family",
    ),
    "i3p.16xlarge": (
        64,
        488 * 1024,
        0,
        "x86_64",
        "same as sibling i3.16xlarge (only priced in us-gov-west-1)",
    ),
    "c6gn.metal": (
        64,
        128 * 1024,
        0,
        "arm64",
        "same as the largest size c6gn.16xlarge (metal = largest size)",
    ),
}

# GPU makers whose devices count as GPUs (AWS Batch GPU scheduling counts NVIDIA GPUs; AMD
# Radeon on g4ad is listed too). Other accelerators (Inferentia, Trainium, Habana Gaudi,
# Qualcomm AI100) are recorded separately.
GPU_MAKERS = {"NVIDIA", "AMD"}


def _read_json(path: Path) -> Any:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _arch(record: dict[str, Any]) -> str:
    archs = record.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    # arm64_mac / x86_64_mac (EC2 Mac) map onto the plain architectures.
    if any(a.startswith("arm64") for a in archs):
        return "arm64"
    return "x86_64"


def _accelerators(record: dict[str, Any]) -> tuple[int, str] | None:
    neuron = record.get("NeuronInfo", {}).get("NeuronDevices", [])
    if neuron:
        return sum(int(d.get("Count", 0)) for d in neuron), str(neuron[0].get("Name", ""))
    inference = record.get("InferenceAcceleratorInfo", {}).get("Accelerators", [])
    if inference:
        return sum(int(d.get("Count", 0)) for d in inference), str(inference[0].get("Name", ""))
    others = [
        g
        for g in record.get("GpuInfo", {}).get("Gpus", [])
        if g.get("Manufacturer") not in GPU_MAKERS
    ]
    if others:
        name = f"{others[0].get('Manufacturer', '')} {others[0].get('Name', '')}".strip()
        return sum(int(g.get("Count", 0)) for g in others), name
    return None


def _gpus(record: dict[str, Any]) -> int:
    return sum(
        int(g.get("Count", 0))
        for g in record.get("GpuInfo", {}).get("Gpus", [])
        if g.get("Manufacturer") in GPU_MAKERS
    )


def build_instance_types(sources: list[tuple[str, Path]], priced: set[str]) -> dict[str, Any]:
    types: dict[str, list[Any]] = {}
    accelerators: dict[str, list[Any]] = {}
    used: list[dict[str, Any]] = []
    for label, path in sources:
        records: dict[str, dict[str, Any]] = _read_json(path)
        taken = 0
        for name, record in records.items():
            if name in types:
                continue
            vcpus = int(record["VCpuInfo"]["DefaultVCpus"])
            memory = int(record["MemoryInfo"]["SizeInMiB"])
            types[name] = [vcpus, memory, _gpus(record), _arch(record)]
            acc = _accelerators(record)
            if acc is not None:
                accelerators[name] = [acc[0], acc[1]]
            taken += 1
        used.append(
            {"label": label, "file": path.name, "sha256": _sha256(path), "types_taken": taken}
        )
    derived: dict[str, str] = {}
    for name, (vcpus, memory, gpus, arch, basis) in DERIVED.items():
        if name not in types:
            types[name] = [vcpus, memory, gpus, arch, "derived"]
            derived[name] = basis
    missing = sorted(priced - set(types))
    if missing:
        raise SystemExit(
            f"no instance facts for {len(missing)} priced types: {', '.join(missing[:20])}; "
            "add a source file or a DERIVED entry"
        )
    return {
        "schema": "batchlint.instance_types/1",
        "fields": ["vcpus", "memory_mib", "gpus", "arch"],
        "notes": [
            "types[t] = [vcpus, memory_mib, gpus, arch]; a 5th element 'derived' marks a type "
            "whose figures are not from a DescribeInstanceTypes record (see derived).",
            "gpus counts NVIDIA and AMD GPUs; accelerators[t] = [count, name] lists other "
            "accelerators (Inferentia, Trainium, Habana Gaudi, Qualcomm AI100).",
        ],
        "sources": used,
        "derived": dict(sorted(derived.items())),
        "types": dict(sorted(types.items())),
        "accelerators": dict(sorted(accelerators.items())),
    }


def _date(value: str | None) -> str | None:
    return value[:10] if value else None


def build_prices(pricing: Path) -> dict[str, Any]:
    ec2 = _read_json(pricing / "ec2_ondemand.json")
    fargate = _read_json(pricing / "fargate.json")
    spot = _read_json(pricing / "spot_advisor.json")
    ebs = _read_json(pricing / "ebs.json")

    assert ec2["currency"] == "USD" and ec2["unit"] == "hour"
    ec2_sources = {
        key: {
            "repo": src["repo"],
            "path": src["path"],
            "commit": src["commit"],
            "as_of": _date(src.get("generated_date")),
            "upstream": src.get("upstream", ""),
        }
        for key, src in ec2["sources"].items()
    }
    ec2_part = {
        "currency": "USD",
        "unit": "hour",
        "description": "EC2 on-demand, Linux, shared tenancy (metal: see notes)",
        "sources": ec2_sources,
        "region_source": dict(sorted(ec2["region_source"].items())),
        "notes": ec2.get("notes", []),
        "regions": {
            region: dict(sorted(prices.items()))
            for region, prices in sorted(ec2["regions"].items())
        },
    }

    fields = [
        "x86_vcpu_hour",
        "x86_gb_hour",
        "spot_x86_vcpu_hour",
        "spot_x86_gb_hour",
        "arm_vcpu_hour",
        "arm_gb_hour",
        "arm_derived",
        "ephemeral_storage_gb_hour",
    ]
    fg_src = fargate["sources"]["fgcalc"]
    fargate_part = {
        "currency": "USD",
        "as_of": _date(fg_src.get("generated_date")),
        "source": {
            "repo": fg_src["repo"],
            "path": fg_src["path"],
            "commit": fg_src["commit"],
            "note": "x86 and Spot from fgcalc (quoting the AWS price list); ARM outside "
            "us-east-1 derived as x86 x 0.8 (arm_derived); us-east-1 ARM and ephemeral "
            "storage from the AWS Fargate pricing page",
        },
        "fields": fields,
        "regions": {
            region: [rates.get(f) for f in fields]
            for region, rates in sorted(fargate["regions"].items())
        },
    }

    spot_src = spot["source"]
    spot_part = {
        "as_of": _date(spot_src.get("commit_date")),
        "source": {
            "repo": spot_src["repo"],
            "path": spot_src["path"],
            "commit": spot_src["commit"],
            "upstream": spot_src.get("upstream", ""),
            "note": "AWS Spot Instance Advisor feed; it carries no date, as_of is the commit date",
        },
        "fields": ["savings_percent", "interruption_bucket"],
        "buckets": [b["label"] for b in sorted(spot["interruption_buckets"], key=_index)],
        "regions": {
            region: dict(sorted(rows.items())) for region, rows in sorted(spot["regions"].items())
        },
    }

    ebs_src = ebs["source"]
    ebs_part = {
        "currency": "USD",
        "as_of": _date(ebs_src.get("generated_date")),
        "source": {
            "repo": ebs_src["repo"],
            "path": ebs_src["path"],
            "commit": ebs_src["commit"],
            "upstream": ebs_src.get("upstream", ""),
        },
        "fields": ["gp3_gb_month", "gp3_iops_month", "gp3_mibps_month"],
        "regions": {
            region: [
                r["gp3_gb_month"],
                r["gp3_iops_month"],
                round(r["gp3_throughput_gibps_month"] / 1024, 6),
            ]
            for region, r in sorted(ebs["regions"].items())
        },
    }

    return {
        "schema": "batchlint.prices/1",
        "description": "Distilled AWS public list prices (USD). Built by scripts/build_data.py "
        "from ../shared/data/pricing; see batchlint/data/SOURCES.md.",
        "ec2": ec2_part,
        "fargate": fargate_part,
        "spot": spot_part,
        "ebs_gp3": ebs_part,
    }


def _index(bucket: dict[str, Any]) -> int:
    return int(bucket["index"])


def _dump(data: Any) -> bytes:
    return json.dumps(data, sort_keys=False, separators=(",", ":"), ensure_ascii=False).encode()


def _parse_source(value: str) -> tuple[str, Path]:
    label, sep, path = value.partition("=")
    if not sep:
        label, path = Path(value).name, value
    return label, Path(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--pricing-dir", type=Path, default=DEFAULT_PRICING)
    parser.add_argument(
        "--instance-facts",
        action="append",
        default=[],
        metavar="LABEL=PATH",
        help="a local DescribeInstanceTypes dump (moto's instance_types.json[.gz]); "
        "repeat in priority order",
    )
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--prices-only", action="store_true", help="rebuild prices.json.gz and nothing else"
    )
    args = parser.parse_args(argv)
    if not args.instance_facts and not args.prices_only:
        parser.error("--instance-facts is required (or --prices-only)")

    prices = build_prices(args.pricing_dir)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    prices_bytes = gzip.compress(_dump(prices), compresslevel=9, mtime=0)
    (args.out_dir / "prices.json.gz").write_bytes(prices_bytes)
    print(f"prices.json.gz: {len(prices_bytes)} bytes", file=sys.stderr)

    if args.prices_only:
        return 0
    priced = {t for region in prices["ec2"]["regions"].values() for t in region}
    priced |= {t for region in prices["spot"]["regions"].values() for t in region}
    facts = build_instance_types([_parse_source(s) for s in args.instance_facts], priced)
    facts_bytes = _dump(facts) + b"\n"
    (args.out_dir / "instance_types.json").write_bytes(facts_bytes)
    print(
        f"instance_types.json: {len(facts['types'])} types "
        f"({len(facts['derived'])} derived), {len(facts_bytes)} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
