"""Live mode is read-only by construction: an allowlist of API calls, and a guard that refuses
every other one before botocore builds its request.

:data:`ALLOWED` is the whole set of operations the collector may call, by IAM service prefix.
:func:`guard` enforces it on a boto3/botocore session (every client made from the session
after that) or on one client. :func:`iam_policy` derives from it the minimal IAM policy an
audited role needs, which ``batchlint iam-policy`` prints.

Every allowed operation is a Describe/List/Get call except ``sts:AssumeRole``: with ``--role-arn``
or ``--accounts`` batchlint assumes the audit role itself. That permission belongs to the
auditing principal, not to the audited role, so :func:`iam_policy` leaves it out.

This module does not import boto3: ``batchlint iam-policy`` works without it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from batchlint.aws.errors import AwsError

ALLOWED: dict[str, frozenset[str]] = {
    "batch": frozenset(
        {
            "DescribeComputeEnvironments",
            "DescribeJobQueues",
            "DescribeJobDefinitions",
            "ListSchedulingPolicies",
            "DescribeSchedulingPolicies",
        }
    ),
    "iam": frozenset(
        {
            "GetRole",
            "ListRolePolicies",
            "GetRolePolicy",
            "ListAttachedRolePolicies",
            "GetPolicy",
            "GetPolicyVersion",
            "GetInstanceProfile",
        }
    ),
    "ec2": frozenset(
        {
            "DescribeRegions",
            "DescribeVpcs",
            "DescribeSubnets",
            "DescribeRouteTables",
            "DescribeInternetGateways",
            "DescribeNatGateways",
            "DescribeVpcEndpoints",
            "DescribeSecurityGroups",
            "DescribeLaunchTemplateVersions",
        }
    ),
    # GetCallerIdentity needs no permission; AssumeRole is the auditor's, see the docstring.
    "sts": frozenset({"GetCallerIdentity", "AssumeRole"}),
}

READ_PREFIXES = ("Describe", "List", "Get")
# the one operation that is not a read, and why it may be called: see the module docstring
AUDITOR_ONLY = frozenset({"sts:AssumeRole"})

_HOOK_ID = "batchlint-readonly-guard"


class ReadOnlyViolation(AwsError):
    """A call outside :data:`ALLOWED` was attempted; it was refused before any request."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"batchlint is read-only: refused {service}:{operation} (not in its allowlist; "
            "see 'batchlint iam-policy')"
        )
        self.service = service
        self.operation = operation


def allowed(service: str, operation: str) -> bool:
    return operation in ALLOWED.get(service, frozenset())


def actions() -> list[str]:
    """Every allowed call as an IAM action, ``batch:DescribeJobQueues``, sorted."""
    return sorted(f"{service}:{op}" for service, ops in ALLOWED.items() for op in ops)


def _refuse(model: Any, **_: Any) -> None:
    """botocore ``provide-client-params`` handler: the first event of every API call, before
    parameter validation, serialization, signing and any test stub. Raising here means no
    request is ever built, let alone sent."""
    service = str(model.service_model.signing_name)
    if not allowed(service, str(model.name)):
        raise ReadOnlyViolation(service, str(model.name))


def guard(session_or_client: Any) -> Any:
    """Refuse every API call outside :data:`ALLOWED` on ``session_or_client`` and return it.

    A boto3 ``Session``, a botocore ``Session`` (covers every client created from it AFTER
    this call: botocore copies the session's handlers into each new client) or one client.
    Guarding twice is harmless (the handler has a fixed id)."""
    core = getattr(session_or_client, "_session", session_or_client)  # boto3 -> botocore
    if hasattr(core, "get_component"):  # a botocore session: its emitter, which clients copy
        target = core.get_component("event_emitter")
    else:  # a client: its own emitter
        target = getattr(getattr(session_or_client, "meta", None), "events", None)
    register_first = getattr(target, "register_first", None)
    if register_first is None:
        raise TypeError(f"cannot guard {type(session_or_client).__name__}: no botocore events")
    register_first("provide-client-params", _refuse, unique_id=_HOOK_ID)
    return session_or_client


# -- the minimal IAM policy ---------------------------------------------------------------------


def iam_policy() -> dict[str, Any]:
    """The IAM policy an audited role needs: every allowed action but :data:`AUDITOR_ONLY`.
    Batch and EC2 Describe calls support no resource-level permissions, hence ``*``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "BatchlintReadOnlyAudit",
                "Effect": "Allow",
                "Action": [a for a in actions() if a not in AUDITOR_ONLY],
                "Resource": "*",
            }
        ],
    }


def iam_policy_json() -> str:
    return json.dumps(iam_policy(), indent=2) + "\n"


def iam_policy_terraform() -> str:
    # jsonencode() of the JSON text: HCL accepts JSON's object and list syntax
    body = json.dumps(iam_policy(), indent=2).replace("\n", "\n  ")
    return (
        'resource "aws_iam_policy" "batchlint_audit" {\n'
        '  name        = "batchlint-audit"\n'
        '  description = "Read-only access batchlint needs to audit AWS Batch"\n'
        f"  policy      = jsonencode({body})\n"
        "}\n"
    )


def iam_policy_cloudformation() -> str:
    template = {
        "Resources": {
            "BatchlintAuditPolicy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": "batchlint-audit",
                    "Description": "Read-only access batchlint needs to audit AWS Batch",
                    "PolicyDocument": iam_policy(),
                },
            }
        }
    }
    import yaml  # only for this rendering: not on every command's start-up

    return yaml.safe_dump(template, sort_keys=False, default_flow_style=False)


RENDERERS = {
    "json": iam_policy_json,
    "terraform": iam_policy_terraform,
    "cloudformation": iam_policy_cloudformation,
}


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``batchlint iam-policy`` on the subparsers ``sub``; it runs :func:`run`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "iam-policy",
        help="print the minimal IAM policy a live audit needs",
        description="Print the IAM policy to grant the role or user batchlint audits with "
        "(scan --aws, snapshot --aws). It lists exactly the calls batchlint can make: every "
        "other call is refused before it is sent. See docs/aws.md.",
    )
    parser.add_argument(
        "--format",
        choices=tuple(RENDERERS),
        default="json",
        help="json: the policy document (default); terraform: an aws_iam_policy resource; "
        "cloudformation: an AWS::IAM::ManagedPolicy resource",
    )
    parser.set_defaults(run=run)  # cli.main calls args.run(args)
    return parser


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(RENDERERS[args.format]())
    return 0
