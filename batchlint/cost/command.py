"""``batchlint cost``: what the inputs cost, and what a change adds (a pull-request gate).

    batchlint cost stack.yaml [--format text|json|markdown] [--usage usage.yaml]
    batchlint cost --compare base/ head/ --max-increase-usd 500

``cli`` registers the subcommand (:func:`add_parser`) and dispatches to :func:`run`; it also
gives ``scan`` the same pricing inputs (:func:`add_scan_arguments`, :func:`scan_options`,
:func:`print_notes`). Files are found and read as ``scan`` reads them. With ``--compare``, the
threshold is the rule ``cost-increase-over-threshold``: the comparison reaches it as
``options["increase"]`` and it decides (exit 1 when it fires). Usage and input errors raise
``cli.UsageError`` (exit 2, one line).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from batchlint.config import add_arguments as config_arguments
from batchlint.limits import add_arguments as add_limit_arguments
from batchlint.limits import from_args as limits_from_args

if TYPE_CHECKING:
    from batchlint.cost.compare import Comparison, FileCosts
    from batchlint.cost.usage import Usage
    from batchlint.engine import ScanOptions
    from batchlint.inputs import FileInput, ModuleInput
    from batchlint.prices import PriceSource
    from batchlint.report import Report

THRESHOLD_RULE = "cost-increase-over-threshold"
FORMATS = ("text", "json", "markdown")

_EPILOG = """\
examples:
  batchlint cost stack.yaml                          a table of what each resource costs
  batchlint cost stack.yaml --format json            the same as data (also: markdown)
  batchlint cost plan.json --usage usage.yaml        monthly estimate from expected job volumes
  batchlint cost terraform/ --var-file prod.tfvars   a Terraform module, its variables set
  batchlint cost --compare base/plan.json plan.json  what this change adds
  batchlint cost --compare base/ infra/ --max-increase-usd 500 --format markdown

exit codes: 0 done (and under the limits), 1 a --max-increase-* limit is exceeded,
2 usage or input error
"""


# -- argparse ----------------------------------------------------------------------------------


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``cost`` on ``sub`` (the subparsers action of the main parser)."""
    from batchlint.tf_options import add_arguments as tf_arguments

    cost = sub.add_parser(
        "cost",
        help="estimate what compute environments and job definitions cost",
        description="Estimate the cost of every compute environment (floor and ceiling a "
        "month) and job definition (per job-hour, worst case per submission, and per month "
        "with --usage), or with --compare what a change adds. Every figure cites its price "
        "snapshot and Region and lists what it assumed.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cost.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (with --compare: one, the head)"
    )
    cost.add_argument("--format", "-f", choices=FORMATS, default="text", help="(default: text)")
    cost.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically)")
    cost.add_argument(
        "--region",
        default=None,  # None: the config's region, else us-east-1
        help="AWS region for prices when the input does not say (default: the config's "
        "region, else us-east-1)",
    )
    _pricing_arguments(cost)
    cost.add_argument(
        "--compare",
        metavar="BASE",
        help="compare with BASE, the same stack before the change (a file, or a folder "
        "matched file by file with the folder PATH)",
    )
    cost.add_argument(
        "--max-increase-usd",
        type=float,
        metavar="N",
        help="with --compare: exit 1 when the total monthly ceiling or floor rises by more "
        "than N USD",
    )
    cost.add_argument(
        "--max-increase-percent",
        type=float,
        metavar="P",
        help="with --compare: exit 1 when either rises by more than P percent",
    )
    tf_arguments(cost, source=False)
    add_limit_arguments(cost)
    config_arguments(cost)
    return cost


def add_scan_arguments(scan: argparse.ArgumentParser) -> None:
    """The pricing inputs of ``scan``: its JSON ``costs`` then match ``batchlint cost``."""
    _pricing_arguments(scan)
    scan.add_argument(
        "--budget",
        type=float,
        metavar="USD",
        help="monthly budget per compute environment, for max-cost-over-budget",
    )


def _pricing_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--usage",
        metavar="FILE",
        help="a usage file (expected job volumes) for monthly estimates; see docs/costs.md",
    )
    parser.add_argument(
        "--live-pricing",
        action="store_true",
        help="ask the AWS Price List API (read-only, needs credentials); falls back to the "
        "bundled snapshot with a note",
    )


# -- scan --------------------------------------------------------------------------------------


def scan_options(args: argparse.Namespace) -> dict[str, Any]:
    """``ScanOptions`` fields for ``scan``'s --live-pricing, --usage and --budget."""
    if args.budget is not None and not args.budget >= 0:
        _fail("--budget must be a number of USD, 0 or more")
    source = _price_source(True) if args.live_pricing else None
    return {"price_source": source, "usage": _usage(args.usage), "budget_usd": args.budget}


def print_notes(options: ScanOptions) -> None:
    """After a scan: live-pricing notes and unused usage entries, on stderr."""
    for note in notes(options.price_source, options.usage):
        print(f"batchlint: note: {note}", file=sys.stderr)


def notes(source: PriceSource | None, usage: Usage | None) -> list[str]:
    out = list(getattr(source, "notes", []))
    if usage is not None:
        out += [
            f"{usage.file}:{entry.line}: usage entry {entry.key!r} matches no resource"
            for entry in usage.unused()
        ]
    return out


# -- cost --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from batchlint import __version__
    from batchlint.cost import report
    from batchlint.output import emit

    options = _options(args)
    usage_file = options.usage.file if options.usage is not None else None
    if args.compare:
        if len(args.paths) != 1:
            _fail("--compare BASE takes one head PATH to compare it with")
        result = compare_paths(args.compare, args.paths[0], options)
        found = notes(options.price_source, options.usage)
        thresholds = {
            "max_increase_usd": args.max_increase_usd,
            "max_increase_percent": args.max_increase_percent,
        }
        findings = result.report.findings
        if args.format == "json":
            text = report.json_comparison(
                result.comparison,
                base=result.base,
                head=result.head,
                findings=findings,
                thresholds=thresholds,
                usage_file=usage_file,
                notes=found,
                tool_version=__version__,
            )
        elif args.format == "markdown":
            text = report.markdown_comparison(
                result.comparison, findings=findings, usage_file=usage_file, notes=found
            )
        else:
            text = report.text_comparison(
                result.comparison,
                base=args.compare,
                head=args.paths[0],
                findings=findings,
                usage_file=usage_file,
            )
        code = 1 if findings else 0
    else:
        if args.max_increase_usd is not None or args.max_increase_percent is not None:
            _fail("--max-increase-usd and --max-increase-percent need --compare BASE")
        files = estimate_paths(args.paths, options)
        found = notes(options.price_source, options.usage)
        if args.format == "json":
            text = report.json_costs(
                files, usage_file=usage_file, notes=found, tool_version=__version__
            )
        elif args.format == "markdown":
            text = report.markdown_costs(files, usage_file=usage_file, notes=found)
        else:
            text = report.text_costs(files, usage_file=usage_file)
        code = 0
    if args.format == "text":
        for note in found:
            print(f"batchlint: note: {note}", file=sys.stderr)
    # every file the run read is an input a report must not replace
    read = [*args.paths, args.compare, args.usage]
    emit(text, args.output, [r for r in read if r])
    return code


def _options(args: argparse.Namespace) -> ScanOptions:
    from batchlint.engine import ScanOptions
    from batchlint.registry import builtin_rules, find

    limits = {"max_increase_usd": args.max_increase_usd}
    limits["max_increase_percent"] = args.max_increase_percent
    for name, value in limits.items():
        if value is not None and not value >= 0:
            _fail(f"--{name.replace('_', '-')} must be 0 or more")
    rule = find(list(builtin_rules()), THRESHOLD_RULE)
    assert rule is not None
    from batchlint.cli import load_config
    from batchlint.config import DEFAULT_REGION

    settings = load_config(args, list(builtin_rules()))
    # the config's thresholds, with the flags given over them
    given = {key: value for key, value in limits.items() if value is not None}
    return ScanOptions(
        select=[rule.code],
        region=args.region or settings.region or DEFAULT_REGION,
        rule_options={THRESHOLD_RULE: {**settings.options.get(THRESHOLD_RULE, {}), **given}},
        price_source=_price_source(args.live_pricing),
        usage=_usage(args.usage),
        limits=limits_from_args(args),
        **_tf_options(args),
    )


def _tf_options(args: argparse.Namespace) -> dict[str, Any]:
    from batchlint.tf_options import TfOptionError, scan_options

    try:
        return scan_options(args)
    except TfOptionError as exc:
        _fail(str(exc))


def _price_source(live: bool) -> PriceSource:
    from batchlint.cost.live import price_source

    try:
        return price_source(live)
    except (OSError, ValueError, KeyError) as exc:  # a damaged bundled snapshot
        _fail(f"cannot read the bundled price snapshot: {exc}")


def _usage(path: str | None) -> Usage | None:
    if path is None:
        return None
    from batchlint.cost.usage import UsageError, load_usage

    try:
        return load_usage(path)
    except UsageError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    from batchlint.cli import UsageError

    raise UsageError(message)


# -- estimates ---------------------------------------------------------------------------------


def estimate_paths(paths: list[str], options: ScanOptions) -> list[FileCosts]:
    """The estimates of every template and plan in ``paths`` (files as scan finds them)."""
    from batchlint.inputs import FileInput, InputError, collect_inputs

    try:
        units = collect_inputs(paths)
    except InputError as exc:
        _fail(str(exc))
    explicit = {Path(p) for p in paths if Path(p).is_file()}
    out = []
    for unit in units:
        named = isinstance(unit, FileInput) and unit.path in explicit
        out.extend(_estimate(unit, unit.display, options, named))
    return out


def _estimate(
    unit: FileInput | ModuleInput, key: str, options: ScanOptions, explicit: bool
) -> list[FileCosts]:
    """The estimates of one file or Terraform module: one entry per scope (an account
    snapshot has one per account and Region, keyed by both)."""
    from batchlint.cost.compare import FileCosts
    from batchlint.cost.estimate import estimate_scope
    from batchlint.inputs import load_input
    from batchlint.limits import FileTimeout, deadline
    from batchlint.meta import INPUT_UNREADABLE
    from batchlint.sources import Skipped

    seconds = options.limits.timeout_per_file
    shown = unit.display
    out = []
    try:
        with deadline(seconds):
            loaded = load_input(unit, options)
            if isinstance(loaded, Skipped):
                if explicit:  # named on the command line: not silently priced at nothing
                    _fail(f"{loaded.file}: {loaded.reason}")
                return []
            for scope in loaded:
                for issue in scope.meta:
                    if issue.code == INPUT_UNREADABLE.code:
                        _fail(f"{shown}:{issue.line}: {issue.message}")
                region = scope.region or options.region
                source = options.price_source or _price_source(False)
                costs = estimate_scope(scope, region, source, options.usage)
                where = f" ({scope.account} {scope.region})" if scope.account else ""
                out.append(FileCosts(shown + where, key + where, region, costs, scope))
    except FileTimeout:
        _fail(f"{shown}: stopped after {seconds:g} s (--timeout-per-file)")
    return out


# -- comparison --------------------------------------------------------------------------------


@dataclass
class Compared:
    base: list[FileCosts]
    head: list[FileCosts]
    comparison: Comparison
    report: Report  # the selected rules' findings on the head files


def compare_paths(base: str, head: str, options: ScanOptions) -> Compared:
    """Compare the costs of ``base`` and ``head`` (two files, or two folders matched by
    relative path), then run the selected rules on the head files, giving
    ``cost-increase-over-threshold`` the comparison as its ``increase`` option."""
    from batchlint.cost.compare import compare
    from batchlint.engine import check_scope, select_rules
    from batchlint.registry import RuleError, all_rules
    from batchlint.report import Finding, Report

    pairs = pair_files(base, head)
    explicit = len(pairs) == 1 and Path(head).is_file()
    base_files = [f for k, b, _ in pairs if b for f in _estimate(b, k, options, explicit)]
    head_files = [f for k, _, h in pairs if h for f in _estimate(h, k, options, explicit)]
    comparison = compare(base_files, head_files)
    try:
        rules = select_rules(all_rules(options.rules_dirs), options)
    except RuleError as exc:
        _fail(str(exc))
    settings = dict(options.rule_options)
    settings[THRESHOLD_RULE] = {
        **settings.get(THRESHOLD_RULE, {}),
        "increase": comparison.increase(),
    }
    run_options = replace(options, rule_options=settings, usage=None)
    report = Report(rules=rules)
    for item in head_files:
        report.files_scanned.append(item.file)
        if item.scope is not None:
            check_scope(item.scope, rules, run_options, report)
    report.costs = []  # the comparison has them; check_scope's copy is not used
    report.findings.sort(key=Finding.sort_key)
    return Compared(base_files, head_files, comparison, report)


def pair_files(
    base: str, head: str
) -> list[tuple[str, FileInput | ModuleInput | None, FileInput | ModuleInput | None]]:
    """(key, base input, head input): a pair of files, or two folders' files and Terraform
    modules matched by their path inside the folder (one on one side only has ``None`` on
    the other)."""
    from batchlint.inputs import collect_inputs, display_name, file_input

    old, new = Path(base), Path(head)
    for given in (old, new):
        if not given.exists():
            _fail(f"{given}: no such file or directory")
    if old.is_file() and new.is_file():
        return [(display_name(new), file_input(old), file_input(new))]
    if not (old.is_dir() and new.is_dir()):
        _fail(f"--compare {base} {head}: compare a file with a file, or a folder with a folder")
    before = {_key(u, old): u for u in collect_inputs([base])}
    after = {_key(u, new): u for u in collect_inputs([head])}
    return [(key, before.get(key), after.get(key)) for key in sorted(before.keys() | after.keys())]


def _key(unit: FileInput | ModuleInput, folder: Path) -> str:
    from batchlint.inputs import FileInput

    path = unit.path if isinstance(unit, FileInput) else unit.directory
    return path.relative_to(folder).as_posix()
