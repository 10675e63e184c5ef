"""The Terraform flags of ``scan``, ``baseline`` and ``cost``: ``--var``, ``--var-file`` and
``--tf-source``, checked before anything is read (a bad one is a usage error, exit 2)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class TfOptionError(Exception):
    """A Terraform flag that cannot be used: one line saying which and why."""


def add_arguments(parser: argparse.ArgumentParser, source: bool = True) -> None:
    group = parser.add_argument_group(
        "Terraform",
        "The .tf and .tf.json files of a folder are read as one module, with the local\n"
        "modules it calls; terraform.tfvars and *.auto.tfvars beside them are read too.",
    )
    group.add_argument(
        "--var",
        action="append",
        metavar="NAME=VALUE",
        help="set a root module variable, as 'terraform plan -var' does (repeatable)",
    )
    group.add_argument(
        "--var-file",
        action="append",
        type=Path,
        metavar="FILE",
        help="read root module variables from a .tfvars or .tfvars.json file (repeatable; "
        "later files and --var win)",
    )
    if source:
        group.add_argument(
            "--tf-source",
            type=Path,
            metavar="DIR",
            help="the configuration a plan JSON was made from: its findings are placed on "
            "the .tf lines that wrote them",
        )


def scan_options(args: argparse.Namespace) -> dict[str, Any]:
    """``ScanOptions`` fields for the Terraform flags."""
    variables: dict[str, str] = {}
    for setting in getattr(args, "var", None) or []:
        name, sep, value = setting.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise TfOptionError(f"--var {setting!r}: expected NAME=VALUE")
        variables[name] = value
    files = tuple(getattr(args, "var_file", None) or ())
    for path in files:
        if not path.is_file():
            raise TfOptionError(f"--var-file {path}: no such file")
    source = getattr(args, "tf_source", None)
    if source is not None:
        if not source.is_dir():
            raise TfOptionError(f"--tf-source {source}: not a folder")
        if not any(p.name.endswith((".tf", ".tf.json")) for p in source.iterdir()):
            raise TfOptionError(f"--tf-source {source}: no .tf or .tf.json files in it")
    return {"tf_vars": variables, "tf_var_files": files, "tf_source": source}
