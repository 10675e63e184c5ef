"""What a scan reads: the files its paths name, and the Terraform modules among them.

A file is read alone. Terraform configuration is read by module: the ``.tf`` and ``.tf.json``
files of one folder form one module, as Terraform reads them, with the local modules it
calls. A folder walked is scanned whole; ``.tf`` files named one by one (a pre-commit run)
are read with the rest of their module, and only their findings are reported. A folder that
another module of the same walk calls (``source = "./modules/batch"``) is read through that
call, with its inputs, not again on its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from batchlint.sources import Skipped, load_file

if TYPE_CHECKING:
    from batchlint.engine import ScanOptions
    from batchlint.model import Scope

# folders a directory walk never enters
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".terraform", "__pycache__", ".venv", "venv"}
# a local module call's source, in HCL or JSON syntax
_LOCAL_SOURCE = re.compile(r'"?source"?\s*[=:]\s*"(\.\.?/[^"$]*)"')


class InputError(Exception):
    """A path that cannot be scanned at all (a usage error: exit 2)."""


def is_terraform_config(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _is_tfvars(name: str) -> bool:
    """Variable files are read with the module they sit beside, never on their own."""
    return name.endswith((".tfvars", ".tfvars.json"))


@dataclass(frozen=True)
class FileInput:
    path: Path
    display: str


@dataclass
class ModuleInput:
    directory: Path
    display: str
    # the files whose findings are reported (as shown); None: all of the module's
    report: set[str] | None = field(default_factory=set)


def file_input(path: Path) -> FileInput | ModuleInput:
    """The input one file named on its own is: itself, or (``.tf``) its module, reporting it."""
    display = display_name(path)
    if is_terraform_config(path.name):
        return ModuleInput(path.parent, display_name(path.parent), {display})
    return FileInput(path, display)


def collect_files(
    paths: Iterable[str], shown: Mapping[str, str] | None = None
) -> list[tuple[Path, str]]:
    """Files to read, with the name shown for each: files as given (or as ``shown`` names
    them), folders walked."""
    return [(path, display) for path, display, _ in _walk(paths, shown)]


def collect_inputs(
    paths: Iterable[str], shown: Mapping[str, str] | None = None
) -> list[FileInput | ModuleInput]:
    """Files and Terraform modules to read, in the order the paths name them."""
    out: list[FileInput | ModuleInput] = []
    modules: dict[Path, ModuleInput] = {}
    walked: set[Path] = set()
    for path, display, given in _walk(paths, shown):
        if not is_terraform_config(path.name):
            if not _is_tfvars(path.name):
                out.append(FileInput(path, display))
            continue
        folder = path.parent
        key = folder.resolve()
        module = modules.get(key)
        if module is None:
            module = modules[key] = ModuleInput(folder, display_name(folder))
            out.append(module)
        if not given:
            walked.add(key)
            module.report = None
        elif module.report is not None:
            module.report.add(display)
    called = _called_modules([m.directory for k, m in modules.items() if k in walked])
    return [u for u in out if not (isinstance(u, ModuleInput) and _only_called(u, called))]


def _only_called(module: ModuleInput, called: set[Path]) -> bool:
    """A walked folder another walked module calls: read through that call."""
    return module.report is None and module.directory.resolve() in called


def _called_modules(folders: list[Path]) -> set[Path]:
    """The folders the modules in ``folders`` call by a local source."""
    out: set[Path] = set()
    for folder in folders:
        for child in folder.iterdir():
            if not is_terraform_config(child.name) or not child.is_file():
                continue
            try:
                text = child.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for match in _LOCAL_SOURCE.finditer(text):
                target = (folder / match.group(1)).resolve()
                if target != folder.resolve():
                    out.add(target)
    return out


def _walk(
    paths: Iterable[str], shown: Mapping[str, str] | None
) -> Iterator[tuple[Path, str, bool]]:
    """(path, name shown, named on its own) of every file to read."""
    for given in paths:
        path = Path(given)
        if shown and given in shown:
            yield path, shown[given], True
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        child = Path(root, name)
                        yield child, display_name(child), False
        elif path.is_file():
            yield path, display_name(path), True
        else:
            raise InputError(f"{given}: no such file or directory")


def display_name(path: Path) -> str:
    """The path relative to the working directory when below it, with '/' separators."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = str(path)
    if shown.startswith(".."):
        shown = str(path)
    return shown.replace(os.sep, "/")


def load_input(unit: FileInput | ModuleInput, options: ScanOptions) -> list[Scope] | Skipped:
    """The scopes one input gives."""
    if isinstance(unit, FileInput):
        scopes = load_file(unit.path, unit.display, options.region, options.limits)
        if options.tf_source is not None and not isinstance(scopes, Skipped):
            from batchlint.sources.tf_source_map import annotate

            for scope in scopes:
                annotate(scope, options.tf_source, options)
        return scopes
    from batchlint.sources import terraform_hcl

    scope = terraform_hcl.load(
        unit.directory, unit.display, variables=options.tf_vars, var_files=options.tf_var_files
    )
    return [scope]
