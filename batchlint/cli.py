"""The command line: ``batchlint scan``, ``snapshot``, ``cost``, ``baseline``, ``rules``,
``rule NAME``, ``config``, ``iam-policy``.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or input error (one line
on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from batchlint import __version__, audit, baseline, config, limits, tf_options
from batchlint.aws import options as aws_options
from batchlint.aws import readonly as iam_policy
from batchlint.aws.errors import AwsError
from batchlint.cost import command as cost_command
from batchlint.output import OutputError, emit
from batchlint.report import Finding, Report
from batchlint.reporters.text import clean
from batchlint.rule import RuleMeta, Severity

FAIL_ON = ("error", "warning", "note", "never")

_EPILOG = """\
examples:
  batchlint scan infra/                             scan every template and plan below infra/
  batchlint scan stack.yaml --format sarif --output batchlint.sarif
  batchlint scan plan.json --format json --fail-on error
  batchlint scan terraform/ --var-file prod.tfvars   a Terraform module (.tf), values evaluated
  batchlint scan plan.json --tf-source terraform/   plan findings placed on the .tf lines
  batchlint scan . --select BL-CE --ignore image-tag-unpinned
  batchlint scan --aws --region us-east-1 --region eu-west-1   audit a live account (docs/aws.md)
  batchlint snapshot --aws --region us-east-1 -o account.json   save it; 'scan account.json' later
  batchlint baseline infra/                         accept today's findings (see docs/baseline.md)
  batchlint scan infra/ --baseline .batchlint-baseline.json   then fail only on new ones
  batchlint cost stack.yaml                         what it costs (see 'batchlint cost -h')
  batchlint rules                                   list every rule
  batchlint rule spot-best-fit-allocation           show a rule's documentation

exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or input error
"""


class UsageError(Exception):
    pass


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="batchlint",
        description="A cost and policy linter for AWS Batch: reads CloudFormation templates "
        "(YAML/JSON, SAM, CDK output), Terraform configuration (.tf) and plan/state JSON, and "
        "reports what breaks, "
        "costs or exposes your Batch compute environments, queues and job definitions.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"batchlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser(
        "scan",
        help="check templates, Terraform and plans",
        description="Check CloudFormation templates, Terraform modules (.tf, .tf.json), "
        "Terraform plan/state JSON files and account snapshots, or (--aws) a live AWS "
        "account. Folders are walked; each file's format is recognised by its content, and "
        "files that are none of them are skipped (see --verbose). The .tf files of one folder "
        "are one module; named one by one, they are read with their module and only their "
        "findings reported.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders to scan (none with --aws)"
    )
    scan.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "sarif", "github", "gitlab", "junit", "markdown"),
        default="text",
        help="output format (default: text)",
    )
    scan.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (atomically)"
    )
    scan.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,  # None: the config's fail-on, else warning
        help="exit 1 when a finding is at least this severe (default: the config's "
        "fail-on, else warning)",
    )
    scan.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="only these rules: codes, code prefixes (BL-CE) or names, comma-separated",
    )
    scan.add_argument(
        "--ignore", action="append", metavar="RULES", help="skip these rules (same forms)"
    )
    scan.add_argument(
        "--region",
        action="append",
        metavar="REGION",
        help="with --aws: a Region to read (repeatable); for files: the Region for prices and "
        "instance types when the input does not say (default: the config's region, else "
        "us-east-1)",
    )
    scan.add_argument(
        "--rules-dir",
        action="append",
        type=Path,
        metavar="DIR",
        help="also load rule files from DIR",
    )
    scan.add_argument(
        "--option",
        action="append",
        metavar="RULE.KEY=VALUE",
        help="set a rule option (see 'batchlint rule NAME'); VALUE is JSON or plain text: "
        "--option 'missing-required-tags.required_tags=[\"owner\"]'",
    )
    scan.add_argument(
        "--no-color", action="store_true", help="no colour in text output (also: NO_COLOR)"
    )
    scan.add_argument(
        "--verbose", "-v", action="store_true", help="list skipped files and why on stderr"
    )
    tf_options.add_arguments(scan)
    aws_options.add_arguments(scan)
    audit.add_snapshot_argument(scan)
    cost_command.add_scan_arguments(scan)
    limits.add_arguments(scan)
    config.add_arguments(scan)
    scan.add_argument(
        "--baseline",
        metavar="FILE",
        help="only findings not in this baseline (see 'batchlint baseline') count; "
        "those fixed since are listed (default: the config's baseline)",
    )
    scan.add_argument(
        "--no-baseline", action="store_true", help="ignore the config's baseline: count all"
    )
    scan.add_argument(
        "--add-suppressions",
        action="store_true",
        help="write a suppression for every counted finding into its CloudFormation resource's "
        "Metadata or above its .tf resource block, then report (needs --reason; see "
        "docs/suppressions.md)",
    )
    scan.add_argument(
        "--reason", metavar="TEXT", help="why the findings are accepted (--add-suppressions)"
    )
    audit.add_parser(sub)
    cost_command.add_parser(sub)

    rules = sub.add_parser("rules", help="list the rules", description="List every rule.")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rule = sub.add_parser(
        "rule", help="show one rule's documentation", description="Show a rule's documentation."
    )
    rule.add_argument("rule", metavar="CODE_OR_NAME")
    config_parser = sub.add_parser(
        "config",
        help="print the effective configuration",
        description="Print the configuration scan would use (found upward from the working "
        "directory, or --config FILE) and the file it came from. See docs/config.md.",
    )
    config_parser.add_argument(
        "--format", choices=("toml", "yaml", "json"), help="(default: the file's own syntax)"
    )
    config_parser.add_argument("--rules-dir", action="append", type=Path, metavar="DIR")
    config.add_arguments(config_parser)
    baseline.add_parser(sub, scan)  # last: it copies scan's selection options
    iam_policy.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "rule":
            return _rule(args)
        if args.command == "cost":
            return cost_command.run(args)
        if args.command == "baseline":
            return baseline.run(args)
        if args.command == "config":
            return _config_command(args)
        if args.command == "snapshot":
            return audit.snapshot_command(args)
        if args.command == "iam-policy":
            return int(args.run(args))
    except (UsageError, OutputError, audit.AuditError) as exc:
        print(f"batchlint: error: {clean(str(exc))}", file=sys.stderr)
        return 2
    parser.print_help()
    return 2


def _load_rules(rules_dirs: tuple[Path, ...] = ()) -> list[RuleMeta]:
    from batchlint.registry import RuleError, all_rules

    try:
        return all_rules(rules_dirs)
    except RuleError as exc:
        raise UsageError(str(exc)) from None


def _scan(args: argparse.Namespace) -> int:
    if args.add_suppressions or args.reason is not None:
        from batchlint import add_suppressions

        problem = add_suppressions.check_arguments(args.add_suppressions, args.reason)
        if problem:
            raise UsageError(problem)
    if args.aws:
        if args.add_suppressions:
            raise UsageError("--add-suppressions edits templates; --aws reads an account")
        with audit.scanned_snapshot(args) as (path, shown):
            args.paths, args.shown = [path], {path: shown}
            return _report(args)
    try:
        aws_options.check_without_aws(args)
    except AwsError as exc:
        raise UsageError(str(exc)) from None
    if not args.paths:
        raise UsageError("nothing to scan: give files or folders, or --aws to read an account")
    return _report(args)


def _report(args: argparse.Namespace) -> int:
    from batchlint.reporters import render

    report = scan_report(args)
    baseline_file = baseline.check(report, args)  # --baseline, else the config's
    if args.add_suppressions:  # findings a --baseline accepts do not count: none added for them
        from batchlint import add_suppressions

        for note in add_suppressions.apply(report.findings, args.paths, args.reason):
            print(f"batchlint: {clean(note)}", file=sys.stderr)
        report = scan_report(args)  # as the files are now: the new entries show as suppressed
        baseline.check(report, args)
    color = (
        args.format == "text"
        and not args.output
        and not args.no_color
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )
    text = render(report, args.format, color=color, tool_version=__version__, base_dir=".")
    # every file the run read is an input a report must not replace
    read = [*args.paths, *([args.usage] if args.usage else []), *map(str, args.rules_dir or ())]
    read += [args.loaded_config.file] if args.loaded_config.file else []
    emit(text, args.output, [*read, *([str(baseline_file)] if baseline_file else [])])
    return _exit_code(report.findings, args.fail_on or config.DEFAULT_FAIL_ON)


def scan_report(args: argparse.Namespace) -> Report:
    """Scan with the selection options ``scan`` and ``baseline`` share."""
    from batchlint.engine import ScanOptions, scan
    from batchlint.inputs import InputError
    from batchlint.registry import matches

    rules_dirs = tuple(args.rules_dir or ())
    known = _load_rules(rules_dirs)
    settings = load_config(args, known)
    # a flag replaces the config's value (--select does not add to the config's select)
    select = _split(args.select) if args.select else list(settings.select or [])
    ignore = _split(args.ignore) if args.ignore else list(settings.ignore or [])
    if getattr(args, "fail_on", None) is None:
        args.fail_on = settings.fail_on
    for selector in select + ignore:
        if not any(matches(r, [selector]) for r in known):
            raise UsageError(f"unknown rule or prefix '{selector}' (see 'batchlint rules')")
    options = ScanOptions(
        select=select,
        ignore=ignore,
        region=(args.region or [None])[-1] or settings.region or config.DEFAULT_REGION,
        rules_dirs=rules_dirs,
        rule_options=settings.rule_options(_rule_options(args.option or [], known)),
        severity=dict(settings.severity),
        per_file_ignores=settings.per_file_ignores,
        suppress=settings.suppress,
        config_dir=settings.base_dir,
        limits=limits.from_args(args),
        **cost_command.scan_options(args),
        **_tf_options(args),
    )
    try:
        report = scan(args.paths, options, getattr(args, "shown", None))
    except InputError as exc:
        raise UsageError(str(exc)) from None
    cost_command.print_notes(options)
    if args.verbose:
        for file, reason in report.files_skipped:
            print(f"batchlint: skipped {clean(file)}: {clean(reason)}", file=sys.stderr)
    return report


def _tf_options(args: argparse.Namespace) -> dict[str, Any]:
    try:
        return tf_options.scan_options(args)
    except tf_options.TfOptionError as exc:
        raise UsageError(str(exc)) from None


def load_config(args: argparse.Namespace, known: list[RuleMeta]) -> config.Config:
    """The configuration file the command line asks for (--config, --no-config, or found
    upward), validated against the ``known`` rules; kept on ``args`` as ``loaded_config`` for
    what runs after the scan (its ``baseline``, for one)."""
    loaded: config.Config | None = getattr(args, "loaded_config", None)
    if loaded is None:
        try:
            loaded = config.from_args(args, known)
        except config.ConfigError as exc:
            raise UsageError(str(exc)) from None
        args.loaded_config = loaded
    return loaded


def _config_command(args: argparse.Namespace) -> int:
    settings = load_config(args, _load_rules(tuple(args.rules_dir or ())))
    sys.stdout.write(config.render(settings, args.format or settings.kind))
    return 0


def _rule_options(settings: list[str], known: list[RuleMeta]) -> dict[str, dict[str, Any]]:
    """``--option RULE.KEY=VALUE`` settings by rule name; a rule or key that does not exist is
    a usage error."""
    from batchlint.registry import find

    out: dict[str, dict[str, Any]] = {}
    for setting in settings:
        target, sep, text = setting.partition("=")
        rule_key, dot, key = target.strip().rpartition(".")
        if not sep or not dot or not rule_key or not key:
            raise UsageError(f"--option {setting!r}: expected RULE.KEY=VALUE")
        item = find(known, rule_key)
        if item is None:
            raise UsageError(f"--option {setting!r}: unknown rule '{rule_key}'")
        if key not in item.options:
            offered = ", ".join(item.options) or "none"
            raise UsageError(
                f"--option {setting!r}: {item.name} has no option '{key}' (its options: {offered})"
            )
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text  # plain text: a string
        out.setdefault(item.name, {})[key] = value
    return out


def _exit_code(findings: list[Finding], fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.counts and f.severity.rank >= threshold for f in findings) else 0


def _rules(args: argparse.Namespace) -> int:
    rules = _load_rules()
    if args.format == "json":
        import json

        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "tags": list(r.tags),
                "summary": r.summary,
                "fix": r.fix,
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max(len(r.name) for r in rules)
    for r in rules:
        tags = ",".join(r.tags)
        print(f"{r.code:<12} {r.name:<{width}}  {r.severity.value:<7}  {tags:<24}  {r.summary}")
    return 0


def _rule(args: argparse.Namespace) -> int:
    from batchlint.registry import find

    item = find(_load_rules(), args.rule)
    if item is None:
        raise UsageError(f"unknown rule '{args.rule}' (see 'batchlint rules')")
    header = f"{item.code} {item.name} [{item.severity.value}] ({', '.join(item.tags)})"
    print(header)
    print(f"Fix: {item.fix}")
    if item.options:
        print("Options: " + ", ".join(f"{k} = {v!r}" for k, v in item.options.items()))
    print()
    print(item.doc.rstrip())
    return 0
