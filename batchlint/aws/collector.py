"""Read AWS accounts into a :class:`~batchlint.snapshot.Snapshot`, read-only.

Per account: who it is (sts:GetCallerIdentity), which Regions (the options, or
ec2:DescribeRegions). Per Region, with pagination: compute environments, job queues, job
definitions (ACTIVE; the latest revision per name unless ``all_revisions``), scheduling
policies; then only what those reference, each read once: launch template versions, subnets,
their VPCs and every route table, internet gateway, NAT gateway and VPC endpoint of those
VPCs, security groups. Per account, after its Regions: the IAM roles, instance profiles and
customer managed policies the Batch resources of every Region use.

The work runs in three phases on one bounded thread pool (accounts, then every account's
Regions, then IAM), each thread with its own boto3 sessions (they are not thread-safe). A call
that fails for good (after botocore's retries) becomes an :class:`~batchlint.snapshot.ApiError`
in its Region's errors (IAM's and AssumeRole's: the account's) and the audit goes on with what
it could read; a Region that refuses the first call (not enabled, unreachable) is given up
with one error. EC2 resources are read by filter, many IDs per call, so one that no longer
exists costs no extra call: it is recorded as a ``NotFound`` error.

The output does not depend on thread timing: :func:`batchlint.snapshot.dump` sorts the
records, and errors are sorted here.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

from batchlint import __version__
from batchlint.aws import session as aws_session
from batchlint.aws.accounts import AccountSpec, role_arn_parts
from batchlint.aws.errors import AwsError
from batchlint.aws.options import CollectOptions
from batchlint.iam import aws_managed_name
from batchlint.snapshot import Account, ApiError, Iam, Record, Region, Snapshot, redact

__all__ = ["CollectOptions", "Collected", "collect"]

Hooks = Callable[[Any], None]  # applied to every botocore session made (tests inject with it)
T = TypeVar("T")

# Codes that mean the whole Region cannot be read with these credentials: give it up at once.
REGION_DOWN = frozenset(
    {
        "OptInRequired",
        "UnrecognizedClientException",
        "AuthFailure",
        "InvalidClientTokenId",
        "EndpointError",
    }
)
_PARTITION_HOME = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
_FILTER_CHUNK = 200  # EC2 accepts up to 200 values in one filter
_POLICY_CHUNK = 100  # DescribeSchedulingPolicies takes up to 100 ARNs


@dataclass
class Collected:
    snapshot: Snapshot
    api_calls: int  # API calls made (each page counts; refused calls cannot happen)
    seconds: float
    operations: Counter[str] = field(default_factory=Counter)  # calls per "batch:Describe…"


# -- failures ---------------------------------------------------------------------------------


class _RegionDown(Exception):
    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]


def _api_error(exc: Exception, operation: str, resource: str | None) -> ApiError | None:
    """The ApiError of a failed call, or None when ``exc`` is not an AWS or connection failure
    (a bug, or a refused write: those must not be swallowed)."""
    exceptions = aws_session.load_module("botocore.exceptions")
    if isinstance(exc, exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        message = _one_line(error.get("Message") or str(exc))
        if code == "NoSuchEntity" or "NotFound" in code:
            message, code = f"{message} ({code})", "NotFound"
        return ApiError(operation=operation, code=code, message=message, resource=resource)
    connection = (
        exceptions.EndpointConnectionError,
        exceptions.ConnectTimeoutError,
        exceptions.ReadTimeoutError,
        exceptions.ConnectionClosedError,
    )
    if isinstance(exc, connection):
        return ApiError(
            operation=operation,
            code="EndpointError",
            message=_one_line(str(exc)),
            resource=resource,
        )
    if isinstance(exc, exceptions.BotoCoreError):
        return ApiError(
            operation=operation,
            code=type(exc).__name__,
            message=_one_line(str(exc)),
            resource=resource,
        )
    return None


class _Calls:
    """API calls whose failures are recorded in ``errors`` instead of raised. In a Region
    (``region_scoped``), a failure that means the Region is unreadable raises _RegionDown."""

    def __init__(self, errors: list[ApiError], region_scoped: bool) -> None:
        self.errors = errors
        self.region_scoped = region_scoped

    def _failed(self, exc: Exception, client: Any, operation: str, resource: str | None) -> None:
        label = f"{client.meta.service_model.signing_name}:{operation}"
        error = _api_error(exc, label, resource)
        if error is None:
            raise exc
        if self.region_scoped and error.code in REGION_DOWN:
            raise _RegionDown(error) from None
        self.errors.append(error)

    def call(
        self, client: Any, operation: str, resource: str | None = None, **params: Any
    ) -> dict[str, Any] | None:
        try:
            response: dict[str, Any] = getattr(client, _snake(operation))(**params)
        except Exception as exc:
            self._failed(exc, client, operation, resource)
            return None
        response.pop("ResponseMetadata", None)
        return response

    def items(
        self, client: Any, operation: str, key: str, resource: str | None = None, **params: Any
    ) -> Iterator[Any]:
        """Every item under ``key`` of every page; on a failure, those read so far."""
        try:
            for page in client.get_paginator(_snake(operation)).paginate(**params):
                yield from page.get(key) or []
        except Exception as exc:
            self._failed(exc, client, operation, resource)


def _snake(operation: str) -> str:
    return str(aws_session.load_module("botocore").xform_name(operation))


def _chunks(values: Iterable[str], size: int) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _sorted_errors(errors: list[ApiError]) -> list[ApiError]:
    return sorted(errors, key=lambda e: (e.operation, e.resource or "", e.code, e.message))


# -- sessions per thread ----------------------------------------------------------------------


@dataclass
class _Target:
    """One account to read, before reading it."""

    role_arn: str | None
    external_id: str | None
    regions: list[str]


@dataclass
class _Account:
    target: _Target
    account_id: str
    partition: str
    home_region: str
    credentials: aws_session.Credentials | None = None
    regions: list[str] = field(default_factory=list)
    errors: list[ApiError] = field(default_factory=list)
    # what the Batch resources of every Region reference, filled in after the Region phase
    role_names: set[str] = field(default_factory=set)
    profile_names: set[str] = field(default_factory=set)


class _Run:
    """One collect(): its sessions and clients (per thread), call counters and hooks."""

    def __init__(self, hooks: Hooks | None) -> None:
        self._hooks = hooks
        self._local = threading.local()
        self._lock = threading.Lock()
        self._counters: list[Counter[str]] = []

    def _instrument(self, core: Any) -> None:
        counter: Counter[str] = Counter()
        with self._lock:
            self._counters.append(counter)

        def count(model: Any, **_: Any) -> None:
            counter[f"{model.service_model.signing_name}:{model.name}"] += 1

        core.register("before-call", count)
        if self._hooks is not None:
            self._hooks(core)

    def client(self, credentials: aws_session.Credentials, service: str, region: str) -> Any:
        """This thread's client for ``service`` in ``region`` with ``credentials``."""
        clients: dict[tuple[int, str, str], Any] | None = getattr(self._local, "clients", None)
        sessions: dict[int, Any] | None = getattr(self._local, "sessions", None)
        if clients is None or sessions is None:
            clients = self._local.clients = {}
            sessions = self._local.sessions = {}
        key = (id(credentials), service, region)
        if key not in clients:
            if id(credentials) not in sessions:
                sessions[id(credentials)] = credentials.session(self._instrument)
            clients[key] = credentials.client(sessions[id(credentials)], service, region)
        return clients[key]

    def operations(self) -> Counter[str]:
        total: Counter[str] = Counter()
        with self._lock:
            for counter in self._counters:
                total.update(counter)
        return total


# -- progress ---------------------------------------------------------------------------------


class _Progress:
    """One line on stderr, redrawn in place, only on a terminal and never when quiet."""

    def __init__(self, stream: TextIO | None, quiet: bool) -> None:
        self._stream = stream if stream is not None else sys.stderr
        isatty = getattr(self._stream, "isatty", None)
        self._on = not quiet and callable(isatty) and bool(isatty())
        self._width = 0

    def show(self, text: str) -> None:
        if self._on:
            pad = max(0, self._width - len(text))
            self._stream.write("\r" + text + " " * pad)
            self._stream.flush()
            self._width = len(text)

    def clear(self) -> None:
        if self._on and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


def _run_all(
    pool: ThreadPoolExecutor, tasks: list[Callable[[], T]], progress: _Progress, what: str
) -> list[T]:
    """Run ``tasks`` on ``pool``; their results in the order given. An exception (a bug, a
    refused call, a fatal AwsError) cancels what has not started and is raised."""
    futures = [pool.submit(task) for task in tasks]
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            future.result()
            progress.show(f"reading {done}/{len(futures)} {what}…")
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return [future.result() for future in futures]


# -- the entry point --------------------------------------------------------------------------


def collect(options: CollectOptions, *, hooks: Hooks | None = None) -> Collected:
    """Read the accounts and Regions ``options`` name. Raises AwsError (one line) only when
    nothing can be read at all: no boto3, no credentials, no Region, an account that cannot
    identify itself with the default credentials. ``hooks`` is applied to every botocore
    session the collector makes, before its first client."""
    aws_session.require_boto3()
    started = time.monotonic()
    base = aws_session.base_credentials(options.profile)
    targets = _targets(options)
    if (
        not options.all_regions
        and base.default_region is None
        and any(not target.regions for target in targets)
    ):
        raise AwsError("no Region to read: give --region or --all-regions, or set AWS_REGION")
    run = _Run(hooks)
    progress = _Progress(options.progress, options.quiet)
    try:
        with ThreadPoolExecutor(
            max_workers=max(1, options.max_workers), thread_name_prefix="batchlint-aws"
        ) as pool:
            accounts = _run_all(
                pool,
                [_bind(_prepare, run, base, options, target) for target in targets],
                progress,
                "accounts",
            )
            pairs = [(a, r) for a in accounts if a.credentials is not None for r in a.regions]
            regions = _run_all(
                pool,
                [_bind(_read_region, run, account, region, options) for account, region in pairs],
                progress,
                "regions",
            )
            by_account: dict[int, list[Region]] = {}
            for (account, _), (region_record, roles, profiles) in zip(pairs, regions, strict=True):
                by_account.setdefault(id(account), []).append(region_record)
                account.role_names |= roles
                account.profile_names |= profiles
            iam = _read_iam(pool, run, accounts, progress)
    finally:
        progress.clear()
    snapshot = Snapshot(
        generator=f"batchlint {__version__}",
        capturedAt=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        accounts=[
            Account(
                accountId=account.account_id,
                partition=account.partition,
                iam=iam[id(account)],
                regions=by_account.get(id(account), []),
                errors=_sorted_errors(account.errors),
            )
            for account in accounts
        ],
    )
    operations = run.operations()
    return Collected(
        snapshot=snapshot,
        api_calls=sum(operations.values()),
        seconds=time.monotonic() - started,
        operations=operations,
    )


def _bind(function: Callable[..., T], *args: Any) -> Callable[[], T]:
    return lambda: function(*args)


def _targets(options: CollectOptions) -> list[_Target]:
    if options.accounts:
        return [_target(spec, options) for spec in options.accounts]
    return [_Target(options.role_arn, options.external_id, list(options.regions))]


def _target(spec: AccountSpec, options: CollectOptions) -> _Target:
    return _Target(spec.role_arn, spec.external_id, spec.regions or options.regions)


# -- phase 1: the account ---------------------------------------------------------------------


def _prepare(
    run: _Run, base: aws_session.Credentials, options: CollectOptions, target: _Target
) -> _Account:
    """Credentials (assuming the role), identity and Regions of one account. A failure is the
    account's error, except with the default credentials: then nothing can be read."""
    partition, account_id = "aws", ""
    if target.role_arn:
        partition, account_id, _ = role_arn_parts(target.role_arn)
    default = base.default_region or _PARTITION_HOME.get(partition, "us-east-1")
    home = target.regions[0] if target.regions else default
    account = _Account(target, account_id, partition, home)
    credentials = base
    if target.role_arn:
        try:
            credentials = aws_session.assume_role(
                base, target.role_arn, target.external_id, home, run._instrument
            )
        except Exception as exc:
            error = _api_error(exc, "sts:AssumeRole", target.role_arn)
            if error is None:
                raise
            account.errors.append(error)
            return account
    account.credentials = credentials
    calls = _Calls(account.errors, region_scoped=False)
    identity = calls.call(run.client(credentials, "sts", home), "GetCallerIdentity")
    if identity is None and not target.role_arn:
        failed = account.errors.pop()
        raise AwsError(f"cannot read the account: {failed.code}: {failed.message}")
    if identity is not None:
        account.account_id = str(identity.get("Account") or account_id)
        arn = str(identity.get("Arn") or "")
        if arn.count(":") >= 5:
            account.partition = arn.split(":")[1]
    if target.regions:
        account.regions = sorted(set(target.regions))
    elif options.all_regions:
        ec2 = run.client(credentials, "ec2", home)
        answer = calls.call(ec2, "DescribeRegions")
        account.regions = sorted(
            str(r["RegionName"])
            for r in (answer or {}).get("Regions", [])
            if r.get("OptInStatus", "opt-in-not-required") in ("opt-in-not-required", "opted-in")
        )
    else:
        account.regions = [default]
    return account


# -- phase 2: a Region ------------------------------------------------------------------------


def _read_region(
    run: _Run, account: _Account, name: str, options: CollectOptions
) -> tuple[Region, set[str], set[str]]:
    """One Region's Batch resources and what they reference there; and the IAM role and
    instance profile names they use (IAM is read once per account, later)."""
    assert account.credentials is not None
    region = Region(region=name)
    reader = _RegionReader(run, account, account.credentials, region)
    try:
        reader.batch(options.all_revisions)
        reader.ec2()
    except _RegionDown as down:  # not enabled, unreachable: the rest would fail the same way
        region.errors.append(down.error)
    roles, profiles = reader.iam_references()  # of what was read, even in part
    region.errors = _sorted_errors(region.errors)
    return region, roles, profiles


class _RegionReader:
    def __init__(
        self, run: _Run, account: _Account, credentials: aws_session.Credentials, region: Region
    ) -> None:
        self.account = account
        self.region = region
        self.calls = _Calls(region.errors, region_scoped=True)
        self.batch_client = run.client(credentials, "batch", region.region)
        self._ec2: Callable[[], Any] = lambda: run.client(credentials, "ec2", region.region)

    # -- Batch --

    def batch(self, all_revisions: bool) -> None:
        calls, client, region = self.calls, self.batch_client, self.region
        region.computeEnvironments = list(
            calls.items(client, "DescribeComputeEnvironments", "computeEnvironments")
        )
        region.jobQueues = list(calls.items(client, "DescribeJobQueues", "jobQueues"))
        region.jobDefinitions = self._job_definitions(all_revisions)
        named = {
            str(p["arn"])
            for p in calls.items(client, "ListSchedulingPolicies", "schedulingPolicies")
            if p.get("arn")
        }
        named |= {
            str(q["schedulingPolicyArn"]) for q in region.jobQueues if q.get("schedulingPolicyArn")
        }
        for chunk in _chunks(named, _POLICY_CHUNK):
            answer = calls.call(client, "DescribeSchedulingPolicies", None, arns=chunk)
            if answer is None:
                continue
            found = answer.get("schedulingPolicies") or []
            region.schedulingPolicies.extend(found)
            for arn in sorted(set(chunk) - {str(p.get("arn")) for p in found}):
                self._missing("batch:DescribeSchedulingPolicies", arn, "scheduling policy")

    def _job_definitions(self, all_revisions: bool) -> list[Record]:
        """ACTIVE job definitions, each redacted as soon as it is kept: a credential in an
        environment never reaches the snapshot, and does not outlive its page in memory."""
        items = self.calls.items(
            self.batch_client, "DescribeJobDefinitions", "jobDefinitions", status="ACTIVE"
        )
        if all_revisions:
            kept = []
            for record in items:
                redact(record)
                kept.append(record)
            return kept
        latest: dict[str, Record] = {}
        for record in items:
            name = str(record.get("jobDefinitionName", ""))
            current = latest.get(name)
            if current is None or _revision(record) > _revision(current):
                redact(record)
                latest[name] = record
        return list(latest.values())

    def iam_references(self) -> tuple[set[str], set[str]]:
        """Names of the roles and instance profiles this Region's Batch resources use (in
        this account; a role of another account is outside the audit)."""
        roles: set[str] = set()
        profiles: set[str] = set()
        for ce in self.region.computeEnvironments:
            self._add_role(roles, ce.get("serviceRole"))
            resources = ce.get("computeResources") or {}
            self._add_role(roles, resources.get("spotIamFleetRole"))
            profile = resources.get("instanceRole")
            if isinstance(profile, str) and ":role/" in profile:
                self._add_role(roles, profile)  # a role where a profile belongs: read what it is
            elif isinstance(profile, str) and profile:
                name = self._own_name(profile)
                if name:
                    profiles.add(name)
        for definition in self.region.jobDefinitions:
            for arn in _job_role_arns(definition):
                self._add_role(roles, arn)
        return roles, profiles

    def _own_name(self, arn_or_name: str) -> str | None:
        """The name in an IAM ARN (or the name itself), if it is this account's."""
        if not arn_or_name.startswith("arn:"):
            return arn_or_name.rsplit("/", 1)[-1] or None
        parts = arn_or_name.split(":", 5)
        if len(parts) < 6 or parts[4] not in ("", self.account.account_id):
            return None
        return parts[5].rsplit("/", 1)[-1] or None

    def _add_role(self, roles: set[str], value: object) -> None:
        if isinstance(value, str) and value:
            name = self._own_name(value)
            if name:
                roles.add(name)

    # -- EC2 --

    def ec2(self) -> None:
        resources = [ce.get("computeResources") or {} for ce in self.region.computeEnvironments]
        subnet_ids = {s for r in resources for s in r.get("subnets") or [] if isinstance(s, str)}
        group_ids = {
            g for r in resources for g in r.get("securityGroupIds") or [] if isinstance(g, str)
        }
        templates = _template_versions(resources)
        if not (subnet_ids or group_ids or templates):
            return
        ec2 = self._ec2()
        region = self.region
        for (by, ident), versions in sorted(templates.items()):
            region.launchTemplates.extend(self._launch_template(ec2, by, ident, versions))
        region.launchTemplates = _unique(
            region.launchTemplates, "LaunchTemplateId", "VersionNumber"
        )
        for template in region.launchTemplates:
            group_ids |= _template_groups(template.get("LaunchTemplateData") or {})
        region.subnets = self._by_id(
            ec2, "DescribeSubnets", "Subnets", "SubnetId", "subnet-id", subnet_ids, "subnet"
        )
        vpc_ids = {str(s["VpcId"]) for s in region.subnets if s.get("VpcId")}
        region.vpcs = self._by_id(ec2, "DescribeVpcs", "Vpcs", "VpcId", "vpc-id", vpc_ids, "VPC")
        region.routeTables = self._in_vpcs(
            ec2, "DescribeRouteTables", "RouteTables", "RouteTableId", "vpc-id", vpc_ids
        )
        region.internetGateways = self._in_vpcs(
            ec2,
            "DescribeInternetGateways",
            "InternetGateways",
            "InternetGatewayId",
            "attachment.vpc-id",
            vpc_ids,
        )
        region.natGateways = self._in_vpcs(
            ec2,
            "DescribeNatGateways",
            "NatGateways",
            "NatGatewayId",
            "vpc-id",
            vpc_ids,
            param="Filter",
        )
        region.vpcEndpoints = self._in_vpcs(
            ec2, "DescribeVpcEndpoints", "VpcEndpoints", "VpcEndpointId", "vpc-id", vpc_ids
        )
        region.securityGroups = self._by_id(
            ec2,
            "DescribeSecurityGroups",
            "SecurityGroups",
            "GroupId",
            "group-id",
            group_ids,
            "security group",
        )

    def _in_vpcs(
        self,
        ec2: Any,
        operation: str,
        key: str,
        id_key: str,
        filter_name: str,
        vpc_ids: set[str],
        param: str = "Filters",
    ) -> list[Record]:
        found: list[Record] = []
        for chunk in _chunks(vpc_ids, _FILTER_CHUNK):
            filters = [{"Name": filter_name, "Values": chunk}]
            found.extend(self.calls.items(ec2, operation, key, None, **{param: filters}))
        return _unique(found, id_key)

    def _by_id(
        self,
        ec2: Any,
        operation: str,
        key: str,
        id_key: str,
        filter_name: str,
        ids: set[str],
        kind: str,
    ) -> list[Record]:
        """The records of ``ids`` (by filter: an ID that no longer exists is simply not in the
        answer, and is recorded as NotFound; the others are read all the same)."""
        found: list[Record] = []
        for chunk in _chunks(ids, _FILTER_CHUNK):
            before = len(self.region.errors)
            filters = [{"Name": filter_name, "Values": chunk}]
            got = list(self.calls.items(ec2, operation, key, None, Filters=filters))
            found.extend(got)
            if len(self.region.errors) == before:  # a failed call says nothing of existence
                seen = {str(r.get(id_key)) for r in got}
                for ident in sorted(set(chunk) - seen):
                    self._missing(f"ec2:{operation}", ident, kind)
        return _unique(found, id_key)

    def _launch_template(self, ec2: Any, by: str, ident: str, versions: set[str]) -> list[Record]:
        """The versions of one launch template the compute environments use. A missing
        version fails the whole call: then each version alone, to read the others."""
        param = {"LaunchTemplateId": ident} if by == "id" else {"LaunchTemplateName": ident}
        errors = self.region.errors
        before = len(errors)
        got = list(
            self.calls.items(
                ec2,
                "DescribeLaunchTemplateVersions",
                "LaunchTemplateVersions",
                ident,
                Versions=sorted(versions),
                **param,
            )
        )
        if len(errors) == before + 1 and errors[-1].code == "NotFound" and len(versions) > 1:
            errors.pop()
            for version in sorted(versions):
                got.extend(
                    self.calls.items(
                        ec2,
                        "DescribeLaunchTemplateVersions",
                        "LaunchTemplateVersions",
                        f"{ident}:{version}",
                        Versions=[version],
                        **param,
                    )
                )
        return got

    def _missing(self, operation: str, ident: str, kind: str) -> None:
        self.region.errors.append(
            ApiError(
                operation=operation,
                code="NotFound",
                message=f"{kind} {ident} does not exist in {self.region.region}, yet a Batch "
                "resource names it",
                resource=ident,
            )
        )


def _revision(record: Record) -> int:
    revision = record.get("revision")
    return revision if isinstance(revision, int) else 0


def _unique(records: list[Record], *keys: str) -> list[Record]:
    """Each record once, by ``keys`` (the first seen kept)."""
    seen: dict[tuple[object, ...], Record] = {}
    for record in records:
        seen.setdefault(tuple(record.get(k) for k in keys), record)
    return list(seen.values())


def _job_role_arns(definition: Record) -> Iterator[object]:
    """Every role a job definition names: containers (single-node and node ranges) and ECS
    tasks (at the top and in node ranges)."""

    def ecs(properties: object) -> Iterator[object]:
        if isinstance(properties, dict):
            for task in properties.get("taskProperties") or []:
                if isinstance(task, dict):
                    yield task.get("taskRoleArn")
                    yield task.get("executionRoleArn")

    def container(properties: object) -> Iterator[object]:
        if isinstance(properties, dict):
            yield properties.get("jobRoleArn")
            yield properties.get("executionRoleArn")

    yield from container(definition.get("containerProperties"))
    yield from ecs(definition.get("ecsProperties"))
    nodes = definition.get("nodeProperties") or {}
    for node_range in nodes.get("nodeRangeProperties") or [] if isinstance(nodes, dict) else []:
        if isinstance(node_range, dict):
            yield from container(node_range.get("container"))
            yield from ecs(node_range.get("ecsProperties"))


def _template_versions(resources: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """Launch templates the compute environments use, by ("id"|"name", value): the versions
    named ($Default when none is; AWS resolves $Default and $Latest)."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for resources_of in resources:
        spec = resources_of.get("launchTemplate")
        if not isinstance(spec, dict):
            continue
        overrides = [o for o in spec.get("overrides") or [] if isinstance(o, dict)]
        for item in (spec, *overrides):
            version = str(item.get("version") or "$Default")
            if item.get("launchTemplateId"):
                wanted.setdefault(("id", str(item["launchTemplateId"])), set()).add(version)
            elif item.get("launchTemplateName"):
                wanted.setdefault(("name", str(item["launchTemplateName"])), set()).add(version)
    return wanted


def _template_groups(data: dict[str, Any]) -> set[str]:
    groups = {g for g in data.get("SecurityGroupIds") or [] if isinstance(g, str)}
    for interface in data.get("NetworkInterfaces") or []:
        if isinstance(interface, dict):
            groups |= {g for g in interface.get("Groups") or [] if isinstance(g, str)}
    return groups


# -- phase 3: IAM, once per account -----------------------------------------------------------


def _read_iam(
    pool: ThreadPoolExecutor, run: _Run, accounts: list[_Account], progress: _Progress
) -> dict[int, Iam]:
    """Instance profiles, then the roles (theirs and the ones named directly), then the
    customer managed policies the roles attach; each read once per account."""
    iam = {id(account): Iam() for account in accounts}
    readable = [a for a in accounts if a.credentials is not None]

    def phase(
        reader: Callable[..., tuple[Record | None, list[ApiError]]],
        wanted: Callable[[_Account], Iterable[str]],
        what: str,
    ) -> Iterator[tuple[_Account, Record]]:
        """Read every wanted name of every account; each record read, errors kept."""
        tasks = [(a, n) for a in readable for n in sorted(wanted(a))]
        results = _run_all(pool, [_bind(reader, run, a, n) for a, n in tasks], progress, what)
        for (account, _), (record, errors) in zip(tasks, results, strict=True):
            account.errors.extend(errors)
            if record is not None:
                yield account, record

    for account, record in phase(
        _read_instance_profile, lambda a: a.profile_names, "instance profiles"
    ):
        iam[id(account)].instanceProfiles.append(record)
        account.role_names |= {
            str(r["RoleName"]) for r in record.get("Roles") or [] if r.get("RoleName")
        }
    policy_arns: dict[int, set[str]] = {}
    for account, record in phase(_read_role, lambda a: a.role_names, "roles"):
        iam[id(account)].roles.append(record)
        policy_arns.setdefault(id(account), set()).update(
            str(p["PolicyArn"])
            for p in record.get("AttachedManagedPolicies") or []
            if p.get("PolicyArn") and aws_managed_name(str(p["PolicyArn"])) is None
        )
    for account, record in phase(_read_policy, lambda a: policy_arns.get(id(a), ()), "policies"):
        iam[id(account)].policies.append(record)
    return iam


def _iam_client(run: _Run, account: _Account) -> Any:
    assert account.credentials is not None
    return run.client(account.credentials, "iam", account.home_region)


def _read_instance_profile(
    run: _Run, account: _Account, name: str
) -> tuple[Record | None, list[ApiError]]:
    errors: list[ApiError] = []
    answer = _Calls(errors, region_scoped=False).call(
        _iam_client(run, account), "GetInstanceProfile", name, InstanceProfileName=name
    )
    return (answer or {}).get("InstanceProfile"), errors


def _read_role(run: _Run, account: _Account, name: str) -> tuple[Record | None, list[ApiError]]:
    """A role as GetAccountAuthorizationDetails' RoleDetailList has it. A part that cannot be
    read is left out (and its error recorded), the rest kept."""
    errors: list[ApiError] = []
    calls = _Calls(errors, region_scoped=False)
    client = _iam_client(run, account)
    answer = calls.call(client, "GetRole", name, RoleName=name)
    if answer is None or not isinstance(answer.get("Role"), dict):
        return None, errors
    role: Record = answer["Role"]
    before = len(errors)
    names = [
        str(n) for n in calls.items(client, "ListRolePolicies", "PolicyNames", name, RoleName=name)
    ]
    if len(errors) == before:
        inline = []
        for policy_name in names:
            got = calls.call(
                client,
                "GetRolePolicy",
                f"{name}/{policy_name}",
                RoleName=name,
                PolicyName=policy_name,
            )
            if got is not None:
                inline.append(
                    {
                        "PolicyName": got.get("PolicyName", policy_name),
                        "PolicyDocument": got.get("PolicyDocument"),
                    }
                )
        role["RolePolicyList"] = inline
    before = len(errors)
    attached = list(
        calls.items(client, "ListAttachedRolePolicies", "AttachedPolicies", name, RoleName=name)
    )
    if len(errors) == before:
        role["AttachedManagedPolicies"] = [
            {"PolicyName": p.get("PolicyName"), "PolicyArn": p.get("PolicyArn")} for p in attached
        ]
    return role, errors


def _read_policy(run: _Run, account: _Account, arn: str) -> tuple[Record | None, list[ApiError]]:
    errors: list[ApiError] = []
    calls = _Calls(errors, region_scoped=False)
    client = _iam_client(run, account)
    answer = calls.call(client, "GetPolicy", arn, PolicyArn=arn)
    policy = (answer or {}).get("Policy")
    if not isinstance(policy, dict):
        return None, errors
    version_id = policy.get("DefaultVersionId")
    if version_id:
        got = calls.call(client, "GetPolicyVersion", arn, PolicyArn=arn, VersionId=version_id)
        document = ((got or {}).get("PolicyVersion") or {}).get("Document")
        if document is not None:
            policy["Document"] = document
    return policy, errors
