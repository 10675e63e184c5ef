"""The one error type of live mode the command line turns into exit 2 with a one-line reason."""

from __future__ import annotations


class AwsError(Exception):
    """Live mode cannot start or go on (no boto3, no credentials, a bad flag or accounts file).

    ``str(error)`` is one line, ready for ``batchlint: error: …``."""
