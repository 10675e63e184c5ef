"""The ``--accounts FILE`` list: which accounts to audit, each through a role batchlint assumes.

::

    accounts:
      - name: prod                      # optional label
        role_arn: arn:aws:iam::111111111111:role/batchlint-audit
        external_id: abc123             # optional
        regions: [us-east-1, eu-west-1] # optional: overrides --region for this account

A bare top-level list of entries is read the same. A file that does not fit raises
:class:`AccountsError` naming the file and the entry, before any call to AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from batchlint.aws.errors import AwsError

ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
# AWS: 2 to 1224 characters of letters, digits and +=,.@:/-
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_KEYS = ("name", "role_arn", "external_id", "regions")


class AccountsError(AwsError):
    """An accounts file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class AccountSpec:
    """One account to audit: the role to assume in it and, optionally, its own Regions."""

    role_arn: str
    name: str | None = None  # the file's label for people; AWS knows the account by its ID
    external_id: str | None = None
    regions: list[str] = field(default_factory=list)

    @property
    def account_id(self) -> str:
        return role_arn_parts(self.role_arn)[1]

    @property
    def partition(self) -> str:
        return role_arn_parts(self.role_arn)[0]


def role_arn_parts(arn: str) -> tuple[str, str, str]:
    """(partition, account ID, role name) of a role ARN; ValueError if it is not one."""
    found = ROLE_ARN.match(arn)
    if found is None:
        raise ValueError(f"not an IAM role ARN: {arn!r}")
    return found.group(1), found.group(2), found.group(3)


def load(path: str | Path) -> list[AccountSpec]:
    """The accounts ``path`` lists, validated."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccountsError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountsError(f"{file}: cannot read: {exc}") from None
    return parse(text, str(file))


def parse(text: str, display: str) -> list[AccountSpec]:
    import yaml  # only with --accounts: not on every command's start-up

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid syntax"
        raise AccountsError(f"{display}: not valid YAML{where}: {problem}") from None
    entries = doc.get("accounts") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and set(doc) - {"accounts"}:
        unknown = sorted(map(str, set(doc) - {"accounts"}))
        raise AccountsError(f"{display}: unknown top-level key '{unknown[0]}' (expected accounts)")
    if not isinstance(entries, list):
        raise AccountsError(f"{display}: expected a list of accounts (or 'accounts:' and a list)")
    if not entries:
        raise AccountsError(f"{display}: the list of accounts is empty")
    specs: list[AccountSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        spec = _entry(entry, f"{display}: entry {number}")
        if spec.account_id in seen:
            raise AccountsError(
                f"{display}: entry {number}: account {spec.account_id} is already entry "
                f"{seen[spec.account_id]}"
            )
        seen[spec.account_id] = number
        specs.append(spec)
    return specs


def _entry(entry: object, where: str) -> AccountSpec:
    if not isinstance(entry, dict):
        raise AccountsError(f"{where}: expected a mapping with role_arn")
    for key in entry:
        if key not in _KEYS:
            raise AccountsError(f"{where}: unknown key '{key}' (expected {', '.join(_KEYS)})")
    role_arn = entry.get("role_arn")
    if role_arn is None:
        raise AccountsError(f"{where}: role_arn is missing")
    if not isinstance(role_arn, str) or ROLE_ARN.match(role_arn) is None:
        raise AccountsError(
            f"{where}: role_arn is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"
        )
    name = entry.get("name")
    if name is not None and (not isinstance(name, str | int) or isinstance(name, bool)):
        raise AccountsError(f"{where}: name must be text")
    external_id = entry.get("external_id")
    if external_id is not None:
        if isinstance(external_id, int) and not isinstance(external_id, bool):
            external_id = str(external_id)  # YAML reads 123456 as a number
        if not isinstance(external_id, str) or EXTERNAL_ID.match(external_id) is None:
            raise AccountsError(
                f"{where}: external_id must be 2 to 1224 letters, digits or +=,.@:/-"
            )
    return AccountSpec(
        role_arn=role_arn,
        name=str(name) if name is not None else None,
        external_id=external_id,
        regions=_regions(entry.get("regions"), where),
    )


def _regions(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise AccountsError(f"{where}: regions must be a non-empty list of Region names")
    for region in value:
        if not isinstance(region, str) or REGION.match(region) is None:
            raise AccountsError(f"{where}: '{region}' is not a Region name (like us-east-1)")
    return sorted(set(value))
