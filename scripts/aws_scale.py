"""How the live-account collector scales: API calls and time for a large account, in moto.

    python scripts/aws_scale.py [--job-definitions 2000] [--compute-environments 50]
                                [--workers 8] [--region us-east-1]

In moto's in-process mock (``mock_aws``; no network, fake credentials) the script builds an
account with N job definitions and M compute environments, sharing what real accounts share:
one VPC with four subnets, two security groups, one instance profile, one Batch service role,
one execution role, two launch templates, and one job role per 100 job definitions (a team's
pipelines); a queue per two compute environments, a fair-share policy per five queues, and
an older revision for every tenth job definition (read only with ``--all-revisions``).
It runs :func:`batchlint.aws.collector.collect` on it and prints the API calls and seconds,
does the same at half the size, and prints the ratios and the calls per operation.

The collector must read what is shared once: API calls grow with the number of DISTINCT
things read and pages, not with how many resources reference them. The script exits 1 when
an operation's calls grow more than the distinct things it reads (role reads may grow with
the job roles; subnets, security groups, launch templates, the instance profile, the shared
roles and policy are the same at both sizes, so their calls must not grow), when the calls
for the doubled account are more than 2.5 times those of the half-size account, when each
resource added costs more than 0.1 API call on average, or when a Batch record is missing.
Each size also scans its snapshot with the engine (all rules) and prints that time. A small
warm-up run first keeps imports and botocore's model loading out of the figures.

moto's Batch API answers every Describe in one page (AWS returns at most 100 job definitions
a page), so the calls counted here are the floor; the "in AWS" column adds the pages AWS
would need.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto import mock_aws
from moto.core.config import DefaultConfig

from batchlint.aws.collector import CollectOptions, collect
from batchlint.engine import ScanOptions, scan
from batchlint.snapshot import Snapshot, dump

ACCOUNT_CONFIG: DefaultConfig = {"iam": {"load_aws_managed_policies": True}}
JOBS_PER_ROLE = 100  # one job role per team of 100 job definitions
CES_PER_QUEUE = 2
QUEUES_PER_POLICY = 5
REVISED_EVERY = 10  # every tenth job definition has an older revision too
BATCH_PAGE = 100  # job definitions per DescribeJobDefinitions page in AWS
LINEAR_RATIO = 2.5  # calls for 2x the resources: more than this is not linear
CALLS_PER_RESOURCE = 0.1  # calls per added resource: more means per-resource re-fetching
# the calls that read one role: they may grow with the job roles (one per 100 job definitions;
# each has one inline policy); every other operation reads something the account shares, or
# pages (one in moto), and must not grow at all
PER_ROLE = ("iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies")
PER_INLINE_POLICY = ("iam:GetRolePolicy",)

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass
class Size:
    job_definitions: int
    compute_environments: int

    @property
    def queues(self) -> int:
        return max(1, math.ceil(self.compute_environments / CES_PER_QUEUE))

    @property
    def policies(self) -> int:
        return max(1, math.ceil(self.queues / QUEUES_PER_POLICY))

    @property
    def job_roles(self) -> int:
        return max(1, math.ceil(self.job_definitions / JOBS_PER_ROLE))

    @property
    def resources(self) -> int:
        """The Batch resources the collector returns (latest revisions only)."""
        return self.job_definitions + self.compute_environments + self.queues + self.policies


@dataclass
class Measured:
    size: Size
    build_seconds: float
    api_calls: int
    seconds: float
    operations: Counter[str]
    records: int  # Batch records in the snapshot
    snapshot: Snapshot
    scan_seconds: float = 0.0
    findings: int = 0
    megabytes: float = 0.0


def _trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _policy(action: str, resource: str) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def build(size: Size, region: str) -> None:
    """Create the account in the active mock."""
    boto3 = importlib.import_module("boto3")  # untyped: kept out of mypy, as in cost/live.py
    ec2 = boto3.client("ec2", region_name=region)
    iam = boto3.client("iam", region_name=region)
    batch = boto3.client("batch", region_name=region)

    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=zones[i % 2])[
            "Subnet"
        ]["SubnetId"]
        for i in range(4)
    ]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public, SubnetId=subnets[0])
    groups = [
        ec2.create_security_group(GroupName=f"batch-{i}", Description="batch", VpcId=vpc)["GroupId"]
        for i in range(2)
    ]
    templates = [
        ec2.create_launch_template(
            LaunchTemplateName=f"hosts-{i}",
            LaunchTemplateData={"MetadataOptions": {"HttpTokens": "required"}},
        )["LaunchTemplate"]["LaunchTemplateId"]
        for i in range(2)
    ]

    def role(name: str, service: str, *managed: str) -> str:
        arn = str(
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(service))["Role"]["Arn"]
        )
        for policy_arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return arn

    aws = "arn:aws:iam::aws:policy/service-role/"
    service = role("batch-service", "batch.amazonaws.com", aws + "AWSBatchServiceRole")
    role("ecs-instance", "ec2.amazonaws.com", aws + "AmazonEC2ContainerServiceforEC2Role")
    profile = iam.create_instance_profile(InstanceProfileName="ecs-instance")
    iam.add_role_to_instance_profile(InstanceProfileName="ecs-instance", RoleName="ecs-instance")
    instance_profile = profile["InstanceProfile"]["Arn"]
    execution = role(
        "execution", "ecs-tasks.amazonaws.com", aws + "AmazonECSTaskExecutionRolePolicy"
    )
    shared_policy = iam.create_policy(
        PolicyName="read-reference-data",
        PolicyDocument=_policy("s3:GetObject", "arn:aws:s3:::reference-data/*"),
    )["Policy"]["Arn"]
    job_roles = []
    for t in range(size.job_roles):
        job_roles.append(role(f"team-{t}-jobs", "ecs-tasks.amazonaws.com", shared_policy))
        iam.put_role_policy(
            RoleName=f"team-{t}-jobs",
            PolicyName="team-bucket",
            PolicyDocument=_policy("s3:*", f"arn:aws:s3:::team-{t}/*"),
        )

    environments = []
    for c in range(size.compute_environments):
        resources: dict[str, Any] = {
            "type": "SPOT" if c % 2 else "EC2",
            "allocationStrategy": "SPOT_PRICE_CAPACITY_OPTIMIZED"
            if c % 2
            else "BEST_FIT_PROGRESSIVE",
            "minvCpus": 0,
            "maxvCpus": 256,
            "instanceTypes": ["c6i", "m6i", "r6i"],
            "subnets": subnets[1:] if c % 3 else subnets[:2],
            "securityGroupIds": [groups[c % 2]],
            "instanceRole": instance_profile,
            "tags": {"team": f"team-{c % size.job_roles}"},
        }
        if c % 2 == 0:
            resources["launchTemplate"] = {"launchTemplateId": templates[c % 4 // 2]}
        environments.append(
            batch.create_compute_environment(
                computeEnvironmentName=f"ce-{c:03d}",
                type="MANAGED",
                state="ENABLED",
                serviceRole=service,
                computeResources=resources,
                tags={"team": "platform"},
            )["computeEnvironmentArn"]
        )
    policies = [
        batch.create_scheduling_policy(
            name=f"fair-share-{p}",
            fairsharePolicy={"shareDistribution": [{"shareIdentifier": "a", "weightFactor": 1}]},
        )["arn"]
        for p in range(size.policies)
    ]
    for q in range(size.queues):
        members = environments[q * CES_PER_QUEUE : (q + 1) * CES_PER_QUEUE]
        batch.create_job_queue(
            jobQueueName=f"queue-{q:03d}",
            state="ENABLED",
            priority=q + 1,
            schedulingPolicyArn=policies[q // QUEUES_PER_POLICY],
            computeEnvironmentOrder=[
                {"order": i + 1, "computeEnvironment": arn} for i, arn in enumerate(members)
            ],
        )
    for j in range(size.job_definitions):
        for revision in range(2 if j % REVISED_EVERY == 0 else 1):
            batch.register_job_definition(
                jobDefinitionName=f"job-{j:05d}",
                type="container",
                containerProperties={
                    "image": f"public.ecr.aws/acme/step-{j % 40}:1.{revision}",
                    "resourceRequirements": [
                        {"type": "VCPU", "value": str(1 << (j % 3))},
                        {"type": "MEMORY", "value": str(2048 << (j % 3))},
                    ],
                    "jobRoleArn": job_roles[j // JOBS_PER_ROLE],
                    "executionRoleArn": execution,
                    "environment": [{"name": "STEP", "value": str(j)}],
                },
                retryStrategy={"attempts": 2},
                timeout={"attemptDurationSeconds": 3600},
            )


def measure(size: Size, region: str, workers: int) -> Measured:
    with mock_aws(config=ACCOUNT_CONFIG):
        started = time.perf_counter()
        build(size, region)
        built = time.perf_counter() - started
        collected = collect(CollectOptions(regions=[region], max_workers=workers, quiet=True))
    snapshot = collected.snapshot
    records = sum(
        len(r.computeEnvironments)
        + len(r.jobQueues)
        + len(r.jobDefinitions)
        + len(r.schedulingPolicies)
        for a in snapshot.accounts
        for r in a.regions
    )
    errors = [e for a in snapshot.accounts for r in a.regions for e in r.errors]
    errors += [e for a in snapshot.accounts for e in a.errors]
    if errors:
        first = errors[0]
        print(f"warning: {len(errors)} calls failed, e.g. {first.operation}: {first.code}")
    measured = Measured(
        size, built, collected.api_calls, collected.seconds, collected.operations, records, snapshot
    )
    _scan(measured, region)
    return measured


def _scan(m: Measured, region: str) -> None:
    """Scan the snapshot as ``batchlint scan account.json`` would (all rules), timed."""
    with tempfile.TemporaryDirectory(prefix="batchlint-aws-scale-") as folder:
        path = Path(folder, "account.json")
        path.write_text(dump(m.snapshot), encoding="utf-8")
        m.megabytes = path.stat().st_size / 1e6
        started = time.perf_counter()
        report = scan([str(path)], ScanOptions(region=region))
        m.scan_seconds = time.perf_counter() - started
        m.findings = len(report.findings)


def growth_problems(small: Measured, large: Measured) -> list[str]:
    """Operations that grew more than the distinct things they read did."""
    roles = large.size.job_roles - small.size.job_roles
    problems = []
    for operation in sorted(set(small.operations) | set(large.operations)):
        allowed = roles if operation in PER_ROLE + PER_INLINE_POLICY else 0
        grew = large.operations[operation] - small.operations[operation]
        if grew > allowed:
            problems.append(
                f"{operation} grew by {grew} calls (at most {allowed}): something shared is "
                "read again per resource"
            )
    return problems


def _row(label: str, m: Measured) -> str:
    s = m.size
    return (
        f"{label:<6} {s.job_definitions:>8,} {s.compute_environments:>5} {s.queues:>7} "
        f"{s.job_roles:>6} {m.records:>8,} {m.api_calls:>9,} "
        f"{_aws_calls(m):>9,} {m.seconds:>9.2f} {m.megabytes:>7.1f} {m.scan_seconds:>7.2f} "
        f"{m.findings:>8,} {m.build_seconds:>8.1f}"
    )


def _aws_calls(m: Measured) -> int:
    """The calls AWS would need: moto answers each Batch Describe in one page."""
    s = m.size
    extra = sum(
        math.ceil(count / BATCH_PAGE) - 1
        for count in (
            s.job_definitions + math.ceil(s.job_definitions / REVISED_EVERY),  # every ACTIVE one
            s.compute_environments,
            s.queues,
        )
        if count > BATCH_PAGE
    )
    return m.api_calls + extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-definitions", type=int, default=2000, metavar="N")
    parser.add_argument("--compute-environments", type=int, default=50, metavar="M")
    parser.add_argument("--workers", type=int, default=8, help="the collector's max workers")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    if args.job_definitions < 2 or args.compute_environments < 2 or args.workers < 1:
        parser.error("N and M must be at least 2, --workers at least 1")
    os.environ.update(_FAKE_ENV, AWS_DEFAULT_REGION=args.region)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN"):
        os.environ.pop(name, None)

    full = Size(args.job_definitions, args.compute_environments)
    half = Size(full.job_definitions // 2, full.compute_environments // 2)
    print(
        f"{'size':<6} {'job defs':>8} {'CEs':>5} {'queues':>7} {'roles':>6} {'records':>8} "
        f"{'API calls':>9} {'in AWS':>9} {'collect s':>9} {'MB':>7} {'scan s':>7} "
        f"{'findings':>8} {'build s':>8}"
    )
    measure(Size(2, 2), args.region, args.workers)  # warm-up: imports, botocore's models
    small = measure(half, args.region, args.workers)
    print(_row("half", small), flush=True)
    large = measure(full, args.region, args.workers)
    print(_row("full", large), flush=True)

    ratio_resources = large.size.resources / small.size.resources
    ratio_calls = large.api_calls / small.api_calls
    ratio_time = large.seconds / small.seconds if small.seconds else math.inf
    ratio_scan = large.scan_seconds / small.scan_seconds if small.scan_seconds else math.inf
    added = large.size.resources - small.size.resources
    per_resource = (large.api_calls - small.api_calls) / added
    print(
        f"\nfull / half: resources x{ratio_resources:.2f}, API calls x{ratio_calls:.2f}, "
        f"collect time x{ratio_time:.2f}, scan time x{ratio_scan:.2f}; "
        f"{per_resource:.3f} API calls per added resource"
    )
    print("\nAPI calls per operation (half -> full):")
    for operation in sorted(set(small.operations) | set(large.operations)):
        before, after = small.operations[operation], large.operations[operation]
        print(f"  {operation:<42} {before:>6,} -> {after:>6,}")

    failures = growth_problems(small, large)
    if ratio_calls > LINEAR_RATIO:
        failures.append(f"API calls grew x{ratio_calls:.2f} for x{ratio_resources:.2f} resources")
    if per_resource > CALLS_PER_RESOURCE:
        failures.append(
            f"{per_resource:.3f} API calls per added resource (at most {CALLS_PER_RESOURCE})"
        )
    for m in (small, large):
        if m.records != m.size.resources:
            failures.append(f"read {m.records:,} Batch records of {m.size.resources:,}")
    for failure in failures:
        print(f"NOT LINEAR: {failure}", file=sys.stderr)
    if not failures:
        print("\nlinear: API calls grow with what is distinct, not with what references it")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
