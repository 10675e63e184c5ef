"""Writing a report where the user asked: whole or not at all, and never over an input."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(Exception):
    """The report cannot be written there (a usage error: exit 2)."""


def emit(text: str, output: str | None, inputs: Iterable[str] = ()) -> None:
    """Print ``text``, or write it to ``output``: see :func:`write_report`."""
    if output:
        write_report(Path(output), text, inputs)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()


def write_report(path: Path, text: str, inputs: Iterable[str] = ()) -> None:
    """Write to a temporary file beside ``path`` and rename it, so a failed run leaves the old
    file (or none) rather than half a report. A device or pipe (``/dev/null``, ``/dev/stdout``)
    is written directly: renaming over it would replace it. A path given as an input is
    refused."""
    _refuse_inputs(path, inputs)
    if path.exists() and not path.is_file():
        if path.is_dir():
            raise OutputError(f"{path}: is a folder")
        try:
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    temp = None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        # mkstemp makes the file private; give the report the mode the file has, or would get
        os.chmod(temp, _mode(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename, so a crash leaves old or new
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if temp is not None:  # whatever failed (even an interrupt), no half report is left
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _refuse_inputs(path: Path, inputs: Iterable[str]) -> None:
    target = path.resolve()
    for given in inputs:
        source = Path(given).resolve()
        if target == source:
            raise OutputError(f"{path}: is an input; refusing to overwrite it")
        if source.is_dir() and target.is_file() and source in target.parents:
            raise OutputError(
                f"{path}: is inside the scanned folder {given}; refusing to overwrite it"
            )
