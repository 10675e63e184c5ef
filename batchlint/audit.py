"""``scan --aws`` and ``batchlint snapshot``: read the account, keep what was read, scan that.

A live scan is a scan of the snapshot it reads, so scanning the saved snapshot later gives
the same findings. Where the snapshot goes:

- ``--snapshot FILE``: there;
- ``--format sarif``: beside the report (``audit.sarif`` -> ``audit.snapshot.json``), as
  every SARIF result must point at a line of a file code scanning can show;
- otherwise a temporary file, deleted after the scan; findings then name it
  ``account-snapshot.json`` (pass ``--snapshot`` to keep it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from batchlint.output import write_report

if TYPE_CHECKING:
    from batchlint.aws.collector import Collected

UNSAVED = "account-snapshot.json"  # what findings name a snapshot that is not kept


class AuditError(Exception):
    """Reading the account cannot start (no credentials, a bad accounts file): exit 2."""


def add_snapshot_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--snapshot",
        metavar="FILE",
        help="with --aws: save what was read to FILE (a snapshot 'batchlint scan FILE' reads "
        "again); with --format sarif it defaults to beside --output",
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from batchlint.aws.options import add_arguments

    parser = sub.add_parser(
        "snapshot",
        help="save what an AWS account holds, to scan later",
        description="Read the Batch resources of an account (read-only) and what they "
        "reference, and write them as a snapshot: a JSON document that 'batchlint scan FILE' "
        "checks offline, with the same findings as 'scan --aws'. Credentials in job "
        "definitions' environments are redacted. See docs/aws.md.",
        epilog="examples:\n"
        "  batchlint snapshot --aws --region us-east-1 --output account.json\n"
        "  batchlint snapshot --aws --all-regions --profile audit -o account.json\n"
        "  batchlint scan account.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--region",
        action="append",
        metavar="REGION",
        help="a Region to read (repeatable; default: the profile's Region)",
    )
    add_arguments(parser)
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the snapshot to FILE (default: stdout)"
    )


def read_account(args: argparse.Namespace) -> Collected:
    """Run the collector the command line describes; :class:`AuditError` when it cannot
    start."""
    from batchlint.aws.collector import collect
    from batchlint.aws.errors import AwsError
    from batchlint.aws.options import collect_options

    try:
        return collect(collect_options(args))
    except AwsError as exc:  # no credentials, a bad accounts file, a refused combination
        raise AuditError(str(exc)) from None


def snapshot_command(args: argparse.Namespace) -> int:
    from batchlint.snapshot import dump

    collected = read_account(args)
    text = dump(collected.snapshot)
    if args.output:
        write_report(Path(args.output), text)
    else:
        sys.stdout.write(text)
    _summary(collected, args.output, args.quiet)
    return 0


@contextmanager
def scanned_snapshot(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """Read the account and write the snapshot where it belongs; yields (path, the name
    findings show). A temporary snapshot is deleted afterwards."""
    from batchlint.snapshot import dump

    if args.paths:
        raise AuditError(
            "--aws reads the account: give no PATH (a saved snapshot is scanned with "
            "'batchlint scan FILE')"
        )
    target = snapshot_path(args)
    collected = read_account(args)
    text = dump(collected.snapshot)
    _summary(collected, str(target) if target else None, args.quiet)
    if target is not None:
        write_report(target, text, [args.output] if args.output else [])
        yield str(target), str(target)
        return
    with tempfile.TemporaryDirectory(prefix="batchlint-") as folder:
        path = Path(folder, UNSAVED)
        path.write_text(text, encoding="utf-8")
        yield str(path), UNSAVED


def snapshot_path(args: argparse.Namespace) -> Path | None:
    if args.snapshot:
        return Path(args.snapshot)
    if args.format != "sarif":
        return None
    if not args.output:
        raise AuditError(
            "--aws with --format sarif needs --output FILE or --snapshot FILE: the results "
            "point into the snapshot, which is saved beside the report"
        )
    output = Path(args.output)
    return output.with_name(output.stem + ".snapshot.json")


def _summary(collected: Collected, where: str | None, quiet: bool) -> None:
    """One line on stderr when it is a terminal (and not --quiet): what was read, how, and
    where it went."""
    if quiet or not sys.stderr.isatty():
        return
    snapshot = collected.snapshot
    regions = sum(len(a.regions) for a in snapshot.accounts)
    errors = sum(len(r.errors) for a in snapshot.accounts for r in a.regions)
    errors += sum(len(a.errors) for a in snapshot.accounts)
    saved = f"; saved to {where}" if where else ""
    failed = f"; {errors} calls failed (BL-META-007)" if errors else ""
    print(
        f"batchlint: read {len(snapshot.accounts)} account(s), {regions} Region(s) with "
        f"{collected.api_calls:,} API calls in {collected.seconds:.1f} s{failed}{saved}",
        file=sys.stderr,
    )
