"""Guarded boto3 sessions that honour the standard AWS configuration.

Credentials come from the usual chain (``--profile``, ``AWS_PROFILE``, environment variables,
SSO, instance and container roles); endpoints from the usual settings (``AWS_ENDPOINT_URL``,
``AWS_ENDPOINT_URL_<SERVICE>``, ``endpoint_url`` in the profile), which botocore reads itself.
Every client uses adaptive retries (client-side rate limiting when AWS throttles) and says
``batchlint/<version>`` in its user agent.

Two kinds of session, on purpose:

* the *credential* session resolves credentials and refreshes them (SSO, ``credential_process``,
  assume-role profiles, web identity). botocore's providers make their own clients from it
  (sso:GetRoleCredentials, sso-oidc:CreateToken, …), so it is not guarded; batchlint never
  makes a client from it.
* *audit* sessions (:meth:`Credentials.session`) are guarded by
  :func:`batchlint.aws.readonly.guard` before any client is made from them, and take their
  credentials from the credential session. Every call batchlint makes goes through one.

boto3 sessions are not thread-safe: make one audit session per thread.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from batchlint import __version__
from batchlint.aws.errors import AwsError
from batchlint.aws.readonly import guard

USER_AGENT = f"batchlint/{__version__}"
ROLE_SESSION_NAME = "batchlint-audit"
RETRY_MODE = "adaptive"
MAX_ATTEMPTS = 10
DEFAULT_REGION = "us-east-1"  # where to ask STS and DescribeRegions when nothing says


def load_module(name: str) -> Any:
    # importlib keeps boto3 (untyped, slow to import) out of module import and of mypy
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("boto3", "botocore"):
            raise AwsError(
                "reading an AWS account needs boto3: pip install 'batchlint[aws]'"
            ) from None
        raise


def require_boto3() -> None:
    """Raise the one-line install hint when boto3 is missing."""
    load_module("boto3")
    load_module("botocore")


def client_config(session: Any = None) -> Any:
    """The botocore ``Config`` of every audit client. A retry mode or attempt count the user
    configured (``AWS_RETRY_MODE``, ``AWS_MAX_ATTEMPTS`` or the profile's) wins."""
    mode, total = RETRY_MODE, None
    scoped: dict[str, Any] = {}
    if session is not None:
        try:
            scoped = session.get_scoped_config()
        except Exception:  # a missing profile is reported where credentials are resolved
            scoped = {}
    configured_mode = os.environ.get("AWS_RETRY_MODE") or scoped.get("retry_mode")
    if configured_mode in ("legacy", "standard", "adaptive"):
        mode = configured_mode
    configured_attempts = os.environ.get("AWS_MAX_ATTEMPTS") or scoped.get("max_attempts")
    if configured_attempts is not None and str(configured_attempts).isdigit():
        total = int(configured_attempts)
    retries: dict[str, Any] = {"mode": mode}
    if total is not None:
        retries["total_max_attempts"] = total
    else:
        retries["max_attempts"] = MAX_ATTEMPTS
    return load_module("botocore.config").Config(retries=retries, user_agent_extra=USER_AGENT)


class _Provider:
    """A botocore credential resolver that hands out credentials resolved elsewhere."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials

    def load_credentials(self) -> Any:
        return self._credentials


@dataclass
class Credentials:
    """The credentials of one account, shared by its audit sessions (botocore credential
    objects are thread-safe, and refresh themselves)."""

    botocore_credentials: Any
    profile: str | None
    default_region: str | None
    config: Any  # the botocore Config of every client (client_config())
    loader: Any = None  # botocore's data loader, shared: each session would parse the models

    def session(self, hooks: Callable[[Any], None] | None = None) -> Any:
        """A new guarded boto3 Session with these credentials (one per thread). ``hooks`` is
        applied to its botocore session before any client is made (tests inject failures)."""
        core = load_module("botocore.session").Session(profile=self.profile)
        core.register_component("credential_provider", _Provider(self.botocore_credentials))
        if self.loader is not None:  # its caches are plain dicts: sharing costs a rare reload
            core.register_component("data_loader", self.loader)
        core.user_agent_extra = USER_AGENT
        guard(core)
        if hooks is not None:
            hooks(core)
        return load_module("boto3").session.Session(botocore_session=core)

    def client(self, session: Any, service: str, region: str) -> Any:
        return session.client(service, region_name=region, config=self.config)


def base_credentials(profile: str | None = None) -> Credentials:
    """The credentials the default chain (or ``profile``) gives: AwsError when there are none
    or the profile does not exist."""
    botocore_session = load_module("botocore.session")
    exceptions = load_module("botocore.exceptions")
    core = botocore_session.Session(profile=profile)
    core.user_agent_extra = USER_AGENT
    try:
        found = core.get_credentials()
        region = core.get_config_variable("region")
    except exceptions.ProfileNotFound:
        raise AwsError(f"AWS profile '{profile}' not found (see ~/.aws/config)") from None
    except exceptions.BotoCoreError as exc:
        raise AwsError(f"cannot get AWS credentials: {_one_line(str(exc))}") from None
    if found is None:
        raise AwsError(
            "no AWS credentials found: use --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run where an instance or container role applies"
        )
    return Credentials(found, profile, region, client_config(core), _loader(core))


_LOADERS: dict[object, Any] = {}


def _loader(core: Any) -> Any:
    """One botocore data loader per data path for the process: parsing the EC2 model alone
    takes a tenth of a second, and every session would do it again."""
    key = repr(core.get_config_variable("data_path"))
    if key not in _LOADERS:
        _LOADERS[key] = core.get_component("data_loader")
    return _LOADERS[key]


def assume_role(
    source: Credentials,
    role_arn: str,
    external_id: str | None = None,
    region: str | None = None,
    hooks: Callable[[Any], None] | None = None,
) -> Credentials:
    """Credentials of ``role_arn`` assumed with ``source`` (session name batchlint-audit),
    refreshed before they expire. The AssumeRole call goes through a guarded session and is
    made now, so a role that cannot be assumed fails here (a botocore ClientError)."""
    credentials_module = load_module("botocore.credentials")
    sts_region = region or source.default_region or DEFAULT_REGION
    guarded = source.session(hooks)

    def sts_client(service: str, **kwargs: Any) -> Any:
        kwargs.setdefault("region_name", sts_region)
        kwargs.setdefault("config", source.config)
        return guarded._session.create_client(service, **kwargs)

    extra: dict[str, Any] = {"RoleSessionName": ROLE_SESSION_NAME}
    if external_id:
        extra["ExternalId"] = external_id
    fetcher = credentials_module.AssumeRoleCredentialFetcher(
        client_creator=sts_client,
        source_credentials=source.botocore_credentials,
        role_arn=role_arn,
        extra_args=extra,
    )
    assumed = credentials_module.DeferredRefreshableCredentials(
        method="assume-role", refresh_using=fetcher.fetch_credentials
    )
    assumed.get_frozen_credentials()  # assume now: a failure belongs to this account, now
    return Credentials(assumed, source.profile, source.default_region, source.config, source.loader)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]
