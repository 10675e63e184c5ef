"""Does an environment variable hold a credential? Judged from its name and literal value.

Two ways to be a credential:

1. **A known credential format**, whatever the variable is called: AWS access key ids
   (``AKIA``/``ASIA`` + 16), GitHub tokens (``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``,
   ``github_pat_``), GitLab (``glpat-``), Slack (``xox[baprs]-``), Stripe live keys
   (``sk_live_``/``rk_live_``), Google API keys (``AIza``), npm (``npm_``), SendGrid
   (``SG.…``), PEM private keys (``-----BEGIN … PRIVATE KEY-----``), JSON Web Tokens
   (``eyJ….eyJ….…``) and URLs with a password in them (``postgres://app:pw@db/app``). An AWS
   secret access key (40 characters of base64) counts when the name says it is one.
2. **A secret-looking name** whose value is not obviously configuration. The name is split
   into words (``DB_PASSWORD``, ``dbPassword``, ``db-password`` alike) and only its LAST word
   (or last two: ``API_KEY``, ``SECRET_KEY``, ``ACCESS_KEY``, ``PRIVATE_KEY``) decides, so
   ``DB_PASSWORD``, ``GITHUB_TOKEN``, ``CLIENT_SECRET`` and ``BASIC_AUTH`` are secrets while
   ``TOKEN_URL``, ``SECRET_ARN``, ``PASSWORD_FILE``, ``KEY_PREFIX`` and ``AUTH_TYPE`` name
   configuration. A bare ``KEY`` is configuration too (S3 keys, partition keys, cache keys).

Values that are "obviously configuration" (never a credential by name alone): empty,
booleans and ``none``/``null``, ARNs, file paths and secret or parameter names written as
paths (``prod/db/password``), pointers into a secret store (``ssm:/app/db``), URLs without a
password, template placeholders (``${VAR}``, ``$VAR``, ``{{…}}``, ``<…>``, ``%(x)s``,
``Ref::x``) and well-known placeholders (``changeme``, ``replace-me``, ``xxxx``, ``****``,
``redacted``, ``todo``…: they leak nothing, and are normally overridden at submit time).
Under a name that is not a password (token, secret, auth, credential, key), numbers and
short enum-like words in one case (``basic``, ``NONE``, ``Bearer``, ``oauth2``) are
configuration too; under a password name they are the password (``postgres``, ``123456``).
Anything else under a secret name — mixed case, digits or symbols, however short — is taken
as a literal credential.

A CloudFormation dynamic reference (``{{resolve:secretsmanager:…}}``) is not a literal and is
never reported. Nothing here ever returns or formats the value itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    kind: str  # "a password", "an AWS access key ID", … (an article, for messages)
    by_format: bool  # True: the value has a known credential format; False: the name says so


# -- known formats -----------------------------------------------------------------------------
_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key ID", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}")),
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}")),
    ("a GitLab token", re.compile(r"(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live key", re.compile(r"(?<![A-Za-z0-9])[sr]k_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}")),
    ("an npm token", re.compile(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}")),
    ("a SendGrid API key", re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    (
        "a JSON Web Token",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    ),
)
# scheme://user:password@host — the password part must not be a placeholder
_URL_CREDENTIALS = re.compile(r"^[A-Za-z][A-Za-z0-9+.:-]*://[^/\s:@]*:([^/\s@]+)@\S")
# ...;Password=…; or ?password=… in a connection string or URL query
_CONNECTION_PASSWORD = re.compile(r"(?:^|[?&;\s])(?:password|passwd|pwd)\s*=\s*([^&;\s]+)", re.I)
_AWS_SECRET_KEY = re.compile(r"^[A-Za-z0-9/+]{40}$")

# -- names -------------------------------------------------------------------------------------
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# last word -> kind
_SECRET_WORDS = {
    "password": "a password",
    "passwd": "a password",
    "pwd": "a password",
    "pass": "a password",
    "passphrase": "a passphrase",
    "secret": "a secret",
    "secrets": "a secret",
    "token": "a token",
    "apikey": "an API key",
    "credential": "a credential",
    "credentials": "a credential",
    "creds": "a credential",
    "auth": "an authentication secret",
    "authorization": "an authentication secret",
    "privatekey": "a private key",
    "accesskey": "an access key",
    "secretkey": "a secret key",
}
# words that end a longer single word: DBPASSWORD, GITHUBTOKEN, MYSECRET, APIKEY
_SECRET_SUFFIXES = ("password", "passwd", "token", "secret", "apikey", "secretkey", "accesskey")
# "<word> key" pairs that name a secret; a bare "key" is configuration
_KEY_PAIRS = {
    "api": "an API key",
    "secret": "a secret key",
    "access": "an access key",
    "private": "a private key",
    "encryption": "an encryption key",
    "signing": "a signing key",
    "master": "a master key",
    "auth": "an authentication key",
    "ssh": "a private key",
    "hmac": "a signing key",
    "license": "a license key",
    "client": "a client key",
}

# -- values that are configuration, not credentials ----------------------------------------------
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_WORDLIKE = {
    "true", "false", "yes", "no", "on", "off", "y", "n", "none", "null", "nil", "undefined",
    "enabled", "disabled", "enable", "disable",
}  # fmt: skip
_PLACEHOLDERS = re.compile(
    r"^(?:change[_ -]?me|replace[_ -]?(?:me|with(?:[_ -].*)?)|placeholder|todo|tbd|fixme|dummy|"
    r"example|sample|redacted|secret|password|token|your[_ -].*|<.*>|x+|\*+|\.+|-+|#+)$",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(
    r"\$\{[^}]*\}|\$\([^)]*\)|^\$[A-Za-z_][A-Za-z0-9_]*$|\{\{.*\}\}|%\([^)]*\)s|^Ref::"
)
# a pointer into a secret store, as some entrypoints resolve them: ssm:/app/db, vault:…
_STORE_REFERENCE = re.compile(
    r"^(?:ssm|secretsmanager|secrets-manager|aws-sm|sm|vault|kms|parameter-store|op)[:/]", re.I
)
_ENUM = re.compile(r"^(?:[a-z]+(?:[_-][a-z]+)*|[A-Z]+(?:[_-][A-Z]+)*|[A-Z][a-z]+)$")
_ENUM_WITH_DIGITS = {
    "oauth1", "oauth2", "sha1", "sha256", "sha384", "sha512", "md5", "hs256", "hs384", "hs512",
    "rs256", "rs384", "rs512", "es256", "es384", "es512", "ps256", "scram-sha-256", "v1", "v2",
    "v3", "v4", "sigv4", "tls12", "tls13", "s3",
}  # fmt: skip
_NAME_PATH = re.compile(r"^/?[a-z0-9_.-]+(?:/[a-z0-9_.-]+)+/?$")
_PATH = re.compile(r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\|file:)")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S*$")
_MAX_ENUM = 16
_PASSWORD_KINDS = {"a password", "a passphrase"}


# what an account snapshot writes in place of a credential (batchlint.snapshot.redact): the
# credential is gone, what it was is kept, so the findings on it stay
REDACTED_PREFIX = "<batchlint:redacted "
BY_NAME = " (by name)"
_REDACTED = re.compile(
    "^" + re.escape(REDACTED_PREFIX) + r"(?P<kind>[a-zA-Z ]+?)(?P<by_name> \(by name\))?; "
    r"sha256:[0-9a-f]{16}>$"
)


def redacted(value: str) -> Credential | None:
    """The credential a snapshot's redaction marker stands for."""
    match = _REDACTED.match(value)
    if match is None:
        return None
    return Credential(match.group("kind"), match.group("by_name") is None)


def detect(name: str | None, value: str) -> Credential | None:
    """The kind of credential ``value`` (held by variable ``name``) looks like, or ``None``."""
    if value.startswith(REDACTED_PREFIX):
        return redacted(value)
    if is_dynamic_reference(value):
        return None
    found = known_format(value)
    if found is not None:
        return Credential(found, True)
    kind = secret_name(name) if name else None
    if kind is None:
        return None
    if _is_aws_secret_name(name or "") and _AWS_SECRET_KEY.match(value.strip()):
        return Credential("an AWS secret access key", True)
    if is_configuration(value, password=kind in _PASSWORD_KINDS):
        return None
    return Credential(kind, False)


def is_dynamic_reference(value: str) -> bool:
    """A CloudFormation dynamic reference: resolved at deploy time, not a literal."""
    return "{{resolve:" in value


def known_format(value: str) -> str | None:
    """The kind of a value with a recognisable credential format, whatever its name."""
    for kind, pattern in _FORMATS:
        if pattern.search(value):
            return kind
    match = _URL_CREDENTIALS.match(value.strip())
    if match and not _is_placeholder(match.group(1)):
        return "a URL with an embedded password"
    match = _CONNECTION_PASSWORD.search(value)
    if match and not _is_placeholder(match.group(1)):
        return "a connection string with an embedded password"
    return None


def words(name: str) -> list[str]:
    """A variable name split into lower-case words: ``dbPassword`` -> ``["db", "password"]``."""
    return [w.lower() for w in _WORDS.findall(name)]


def secret_name(name: str) -> str | None:
    """The kind of secret a variable name announces, or ``None`` for configuration names."""
    parts = [w for w in words(name) if not w.isdigit()]  # PASSWORD_2 is still a password
    if not parts:
        return None
    last = parts[-1]
    if last == "key" and len(parts) >= 2:
        return _KEY_PAIRS.get(parts[-2])
    if last in _SECRET_WORDS:
        return _SECRET_WORDS[last]
    for suffix in _SECRET_SUFFIXES:
        if last.endswith(suffix) and len(last) > len(suffix):
            return _SECRET_WORDS.get(suffix, "a secret")
    return None


def _is_aws_secret_name(name: str) -> bool:
    parts = words(name)
    return "secret" in parts and ("aws" in parts or "access" in parts)


def is_configuration(value: str, password: bool = False) -> bool:
    """A value that is plainly not a credential (see the module documentation).

    ``password``: the name announces a password, where a plain word or a number IS the
    password (``postgres``, ``123456``), not an enum or a count."""
    text = value.strip()
    if not text:
        return True
    low = text.lower()
    if low in _WORDLIKE or text in ("0", "1"):
        return True
    if not password and _NUMBER.match(text):
        return True
    if low.startswith("arn:") or _STORE_REFERENCE.match(text):
        return True
    if _PATH.match(text) or _NAME_PATH.match(text):
        return True
    if _URL.match(text):  # URLs with a password are caught by known_format first
        return True
    if _is_placeholder(text):
        return True
    if password:
        return False
    return len(text) <= _MAX_ENUM and (_ENUM.match(text) is not None or low in _ENUM_WITH_DIGITS)


def _is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDERS.match(text) or _TEMPLATE.search(text))


# -- CloudFormation dynamic references to secrets ----------------------------------------------

_DYNAMIC_SECRETS = ("secretsmanager", "ssm-secure")


def dynamic_secret(value: str) -> str | None:
    """The pattern of a dynamic reference to a secret in a value (``secretsmanager`` for
    ``{{resolve:secretsmanager:…}}``, ``ssm-secure``); ``{{resolve:ssm:…}}`` reads a plain
    ``String`` parameter and is no secret."""
    for pattern in _DYNAMIC_SECRETS:
        if "{{resolve:" + pattern + ":" in value:
            return pattern
    return None


# -- log driver options ------------------------------------------------------------------------

# an HTTP header written into an option value: "Authorization Bearer abc", "X-API-Key: abc"
_HEADER = re.compile(
    r"^\s*(?:proxy-)?(?:authorization|x-api-key|api-key|apikey|x-auth-token|x-access-token|"
    r"dd-api-key|x-license-key|x-insert-key|x-splunk-token)\s*[:=]?\s+(?P<credential>.+)$",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^(?:bearer|basic|token|splunk|apikey|api-key|key|geniekey)\s+", re.I)


def detect_option(name: str | None, value: str) -> Credential | None:
    """:func:`detect` for a log driver option (``splunk-token``, ``apikey``,
    ``http_Passwd``), and an authentication header written in its value."""
    found = detect(name, value)
    if found is not None or is_dynamic_reference(value):
        return found
    match = _HEADER.match(value)
    if match is None:
        return None
    credential = _SCHEME.sub("", match.group("credential").strip()).strip()
    if not credential or is_configuration(credential) or _is_placeholder(credential):
        return None
    return Credential("an authentication header", True)
