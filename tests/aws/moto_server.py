"""``moto_server`` on 127.0.0.1, on a free port, for tests that talk to AWS over HTTP.

:func:`running_moto_server` starts the server as a child process, waits until it answers, yields
its URL, and stops it by its process ID when the block ends, failing test or not.
:func:`serve` is the body of a pytest fixture around it that skips with the reason when
moto's server extras are not installed (``pip install 'moto[server]'``).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds for the server to answer; cold imports take a few
STOP_TIMEOUT = 5.0  # seconds to exit after SIGTERM before it is killed
_SERVER_MODULES = ("flask", "flask_cors", "werkzeug")  # what moto[server] adds


class MotoServerError(RuntimeError):
    """The server did not come up; the message says why, with its last output."""


def missing_extras() -> list[str]:
    """The modules moto's server needs that are not installed."""
    return [name for name in _SERVER_MODULES if importlib.util.find_spec(name) is None]


def free_port() -> int:
    """A port nobody listens on now (the OS picks it; the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_command(port: int) -> list[str]:
    """The ``moto_server`` console script of this interpreter, else ``python -m moto.server``."""
    args = ["-H", HOST, "-p", str(port)]
    script = Path(sys.executable).with_name("moto_server")
    if script.is_file():
        # the script itself, not a version-manager shim on PATH: the process we start is
        # the server, so its PID is the one to stop
        return [str(script), *args]
    return [sys.executable, "-m", "moto.server", *args]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as response:
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:  # it answered, if not with 2xx
        return exc.code < 500
    except OSError:
        return False


def _tail(path: Path, limit: int = 800) -> str:
    text = path.read_text(errors="replace").strip()
    return text[-limit:].replace("\n", " | ") if text else "(no output)"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server by its PID: SIGTERM, wait, SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def running_moto_server(timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Run ``moto_server`` for the ``with`` block and yield its URL (``http://127.0.0.1:N``).

    AWS managed policies are loaded (``MOTO_IAM_LOAD_MANAGED_POLICIES``), as a real account
    has them. Raises :class:`MotoServerError` when it exits early or never answers.
    """
    missing = missing_extras()
    if missing:
        raise MotoServerError(f"moto's server extras are missing ({', '.join(missing)})")
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="moto-server-") as tmp:
        log = Path(tmp) / "server.log"
        port = free_port()
        url = f"http://{HOST}:{port}"
        with log.open("wb") as out:
            process = subprocess.Popen(
                server_command(port),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(url):
                if process.poll() is not None:
                    raise MotoServerError(
                        f"moto_server exited with {process.returncode} before answering on "
                        f"{url}: {_tail(log)}"
                    )
                if time.monotonic() > deadline:
                    raise MotoServerError(
                        f"moto_server did not answer on {url} within {timeout:.0f} s: {_tail(log)}"
                    )
                time.sleep(0.05)
            yield url
        finally:
            stop(process)


def serve() -> Iterator[str]:
    """The body of a ``moto_server_url`` fixture: skips the test when moto's server extras
    are missing, else runs the server for the fixture's scope. Declare it where it is used
    (a fixture imported into a test module is easily shadowed)::

        moto_server_url = pytest.fixture(scope="module")(serve)
    """
    missing = missing_extras()
    if missing:
        pytest.skip(
            f"moto_server needs moto's server extras ({', '.join(missing)} missing): "
            "pip install 'moto[server]'"
        )
    with running_moto_server() as url:
        yield url
