"""How much one input file may cost to read and check, and the guard that enforces the time.

Every input is untrusted: a file that exceeds a limit becomes a BL-META-001 finding naming
the limit and its flag, never a hang or a crash. The defaults and the reasons for them are
in docs/limits.md; ``scan`` and ``cost`` take the same four flags.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_size: int = 64 * MIB  # bytes; larger files are not read at all
    max_depth: int = 200  # nesting of YAML/JSON containers
    max_values: int = 2_000_000  # YAML values, counted after expanding aliases
    timeout_per_file: float = 30.0  # seconds to read and check one file; 0: no limit


DEFAULT = Limits()


class FileTimeout(BaseException):
    """Raised in the middle of reading or checking a file when its time is up.

    A BaseException, like KeyboardInterrupt, so that the ``except Exception`` which turns a
    rule's bug into a BL-META-003 finding cannot swallow it."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`FileTimeout` in this block after ``seconds`` (0: never).

    Uses SIGALRM, so only on POSIX and in the main thread, and only when no one else holds the
    alarm (a test runner's timeout, say); elsewhere the block runs unguarded."""
    if seconds <= 0 or not _can_alarm():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _can_alarm() -> bool:
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        return False
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return False  # someone else's alarm is running
    return signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


# -- command line ------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The limit flags, in a group of their own in ``--help``."""
    group = parser.add_argument_group(
        "limits",
        "What one input file may cost to read and check. A file over a limit is not\n"
        "checked; it gets a BL-META-001 finding naming the limit (see docs/limits.md).",
    )

    group.add_argument(
        "--max-file-size",
        type=_size,
        default=DEFAULT.max_file_size,
        metavar="BYTES",
        help="largest file read, in bytes or with a K, M or G suffix "
        f"(default: {DEFAULT.max_file_size // MIB}M)",
    )
    group.add_argument(
        "--max-depth",
        type=_positive_int,
        default=DEFAULT.max_depth,
        metavar="N",
        help=f"deepest nesting of YAML or JSON read (default: {DEFAULT.max_depth})",
    )
    group.add_argument(
        "--max-values",
        type=_positive_int,
        default=DEFAULT.max_values,
        metavar="N",
        help="most values a YAML file may hold, its aliases expanded "
        f"(default: {DEFAULT.max_values:,})",
    )
    group.add_argument(
        "--timeout-per-file",
        type=_seconds,
        default=DEFAULT.timeout_per_file,
        metavar="SECONDS",
        help="time to read and check one file; 0 for no limit "
        f"(default: {DEFAULT.timeout_per_file:g})",
    )


def from_args(args: argparse.Namespace) -> Limits:
    return Limits(
        max_file_size=args.max_file_size,
        max_depth=args.max_depth,
        max_values=args.max_values,
        timeout_per_file=args.timeout_per_file,
    )


_SUFFIXES = {"K": 1024, "M": MIB, "G": 1024 * MIB}


def _size(text: str) -> int:
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    factor = _SUFFIXES.get(value[-1:], 1)
    if factor != 1:
        value = value[:-1]
    try:
        size = int(float(value) * factor)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64M)") from None
    if size <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return size


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds: {text!r}")
    return value
