"""batchlint: a cost and policy linter for AWS Batch."""

__version__ = "0.1.0"
