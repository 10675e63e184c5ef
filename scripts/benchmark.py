"""Time batchlint, cfn-lint and checkov over the same CloudFormation files and print ratios.

    python scripts/benchmark.py [FOLDER] [--repeat N]

FOLDER defaults to ../shared/corpus/cfn. Each tool runs as a fresh process over the whole
folder (cfn-lint gets the file list), best of N runs; a tool that is not installed is
reported as missing. The ratios are what the project's performance targets are stated in:
batchlint should be at least 10x faster than cfn-lint and 20x faster than checkov.

This compares tools on real, small files. How batchlint's own time and peak memory grow with
the size of one input (generated templates and plans of 500, 5,000 and 50,000 resources) is
measured by ``scripts/scale.py``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cfn"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.folder.iterdir() if p.is_file())
    if not files:
        print(f"no files in {args.folder}", file=sys.stderr)
        return 2
    commands = {
        "batchlint": [sys.executable, "-m", "batchlint", "scan", str(args.folder), "-f", "json"],
        "cfn-lint": ["cfn-lint", *files],
        "checkov": [
            "checkov",
            "-d",
            str(args.folder),
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
    }
    results: dict[str, float] = {}
    for name, command in commands.items():
        if name != "batchlint" and shutil.which(command[0]) is None:
            print(f"{name:<10} not installed")
            continue
        results[name] = min(timed(command) for _ in range(args.repeat))
        print(f"{name:<10} {results[name]:8.2f} s  ({len(files)} files, best of {args.repeat})")
    ours = results["batchlint"]
    for name in ("cfn-lint", "checkov"):
        if name in results:
            print(f"batchlint is {results[name] / ours:5.1f}x faster than {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
