"""Live mode: read an AWS account (read-only by construction) into a snapshot.

:mod:`~batchlint.aws.readonly` holds the allowlist and the guard, :mod:`~batchlint.aws.session`
builds guarded boto3 sessions, :mod:`~batchlint.aws.accounts` reads ``--accounts`` files,
:mod:`~batchlint.aws.options` the command-line flags and :mod:`~batchlint.aws.collector` does
the reading. Importing this package (or ``readonly``, ``accounts``, ``options``) does not import
boto3: a file scan never pays for it.
"""
