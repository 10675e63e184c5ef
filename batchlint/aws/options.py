"""The live-mode flags ``scan`` and ``snapshot`` share, and the :class:`CollectOptions` they give.

No boto3 here: the command line imports this module for every run.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import TextIO

from batchlint.aws.accounts import REGION, AccountSpec, load, role_arn_parts
from batchlint.aws.errors import AwsError

DEFAULT_WORKERS = 8
MAX_WORKERS = 64  # beyond this, API rate limits, not threads, set the pace


@dataclass
class CollectOptions:
    """What to read and how. ``regions`` empty and not ``all_regions``: the configured default
    Region (AWS_REGION, the profile's). ``accounts`` empty: the account of the credentials
    (or of ``role_arn``)."""

    regions: list[str] = field(default_factory=list)
    all_regions: bool = False  # every Region enabled for the account (ec2:DescribeRegions)
    all_revisions: bool = False  # job definitions: every ACTIVE revision, not the latest per name
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    accounts: list[AccountSpec] = field(default_factory=list)
    max_workers: int = DEFAULT_WORKERS
    quiet: bool = False
    progress: TextIO | None = None  # where the progress line goes (default: stderr, a terminal)


_AWS_ONLY = (
    ("all_regions", "--all-regions"),
    ("all_revisions", "--all-revisions"),
    ("profile", "--profile"),
    ("role_arn", "--role-arn"),
    ("external_id", "--external-id"),
    ("accounts", "--accounts"),
    ("max_workers", "--max-workers"),
)


def add_arguments(parser: argparse.ArgumentParser, *, region: bool = False) -> None:
    """Add the live-mode flags to ``parser`` (``--region`` too when ``region``: ``scan`` has
    its own, repeatable)."""
    group = parser.add_argument_group("live AWS account (see docs/aws.md)")
    group.add_argument(
        "--aws", action="store_true", help="read the AWS account (read-only) instead of files"
    )
    if region:
        group.add_argument(
            "--region",
            action="append",
            metavar="REGION",
            help="a Region to read; repeat or comma-separate for several (default: the "
            "configured Region)",
        )
    group.add_argument(
        "--all-regions", action="store_true", help="read every Region enabled for the account"
    )
    group.add_argument(
        "--all-revisions",
        action="store_true",
        help="read every ACTIVE revision of each job definition (default: the latest)",
    )
    group.add_argument("--profile", metavar="NAME", help="the AWS profile to use")
    group.add_argument("--role-arn", metavar="ARN", help="assume this role to read the account")
    group.add_argument(
        "--external-id", metavar="ID", help="the external ID --role-arn's trust policy requires"
    )
    group.add_argument(
        "--accounts",
        metavar="FILE",
        help="read each account a YAML file lists, through the role it names (see docs/aws.md)",
    )
    group.add_argument(
        "--max-workers",
        type=int,
        metavar="N",
        default=None,
        help=f"read up to N Regions or accounts at once (default: {DEFAULT_WORKERS})",
    )
    group.add_argument(
        "--quiet", "-q", action="store_true", help="no progress line on stderr (for cron)"
    )


def regions_of(value: str | list[str] | None) -> list[str]:
    """``--region`` values: repeated, comma-separated or both; sorted, each once."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    found = {part.strip() for item in values for part in item.split(",") if part.strip()}
    for region in found:
        if REGION.match(region) is None:
            raise AwsError(f"--region {region!r} is not a Region name (like us-east-1)")
    return sorted(found)


def collect_options(args: argparse.Namespace, *, progress: TextIO | None = None) -> CollectOptions:
    """The :class:`CollectOptions` of parsed flags; AwsError (one line) on a bad combination,
    an unreadable accounts file included."""
    regions = regions_of(getattr(args, "region", None))
    all_regions = bool(getattr(args, "all_regions", False))
    role_arn = getattr(args, "role_arn", None)
    external_id = getattr(args, "external_id", None)
    accounts_file = getattr(args, "accounts", None)
    workers = getattr(args, "max_workers", None)
    if all_regions and regions:
        raise AwsError("--all-regions reads every enabled Region: give it or --region, not both")
    if accounts_file and role_arn:
        raise AwsError("--accounts names a role per account: give it or --role-arn, not both")
    if external_id and not role_arn:
        what = "each entry's external_id" if accounts_file else "--role-arn"
        raise AwsError(f"--external-id needs --role-arn (with --accounts, use {what})")
    if role_arn:
        try:
            role_arn_parts(role_arn)
        except ValueError:
            raise AwsError(
                f"--role-arn {role_arn!r} is not an IAM role ARN "
                "(arn:aws:iam::123456789012:role/NAME)"
            ) from None
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise AwsError(f"--max-workers must be from 1 to {MAX_WORKERS}, not {workers}")
    accounts = load(accounts_file) if accounts_file else []  # AccountsError is an AwsError
    return CollectOptions(
        regions=regions,
        all_regions=all_regions,
        all_revisions=bool(getattr(args, "all_revisions", False)),
        profile=getattr(args, "profile", None),
        role_arn=role_arn,
        external_id=external_id,
        accounts=accounts,
        max_workers=workers or DEFAULT_WORKERS,
        quiet=bool(getattr(args, "quiet", False)),
        progress=progress if progress is not None else sys.stderr,
    )


def check_without_aws(args: argparse.Namespace) -> None:
    """For a scan of files: AwsError when a live-mode-only flag is given without ``--aws``."""
    if getattr(args, "aws", False):
        return
    for dest, flag in _AWS_ONLY:
        if getattr(args, dest, None) not in (None, False):
            raise AwsError(f"{flag} reads a live account: add --aws")
