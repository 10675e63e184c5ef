"""The --accounts file and the live-mode flags: what they accept, and one-line refusals."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from batchlint import cli
from batchlint.aws.accounts import AccountsError, AccountSpec, load, parse
from batchlint.aws.errors import AwsError
from batchlint.aws.options import (
    DEFAULT_WORKERS,
    CollectOptions,
    add_arguments,
    check_without_aws,
    collect_options,
)

PROD = "arn:aws:iam::111111111111:role/batchlint-audit"
DEV = "arn:aws:iam::222222222222:role/audit/batchlint"


def test_the_documented_form() -> None:
    text = f"""
accounts:
  - name: prod
    role_arn: {PROD}
    external_id: abc123
    regions: [us-east-1, eu-west-1, us-east-1]
  - role_arn: {DEV}
"""
    prod, dev = parse(text, "accounts.yaml")
    assert prod == AccountSpec(PROD, "prod", "abc123", ["eu-west-1", "us-east-1"])
    assert (prod.account_id, prod.partition) == ("111111111111", "aws")
    assert dev == AccountSpec(DEV)
    assert dev.account_id == "222222222222"


def test_a_bare_list_and_other_partitions() -> None:
    (spec,) = parse(
        "- role_arn: arn:aws-us-gov:iam::333333333333:role/a\n"
        "  external_id: 123456\n"
        "  regions: us-gov-west-1\n",
        "a.yaml",
    )
    assert (spec.partition, spec.external_id, spec.regions) == (
        "aws-us-gov",
        "123456",  # YAML reads it as a number; AWS wants text
        ["us-gov-west-1"],
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"accounts:\n  - role_arn: {PROD}\n  - name: dev\n", "entry 2: role_arn is missing"),
        ("- role_arn: arn:aws:iam::1:role/x\n", "entry 1: role_arn is not an IAM role ARN"),
        ("- role_arn: arn:aws:iam::111111111111:user/x\n", "entry 1: role_arn is not an IAM"),
        (f"- role_arn: {PROD}\n  region: [us-east-1]\n", "entry 1: unknown key 'region'"),
        (f"- role_arn: {PROD}\n  regions: [useast1]\n", "entry 1: 'useast1' is not a Region"),
        (f"- role_arn: {PROD}\n  regions: []\n", "entry 1: regions must be a non-empty list"),
        (f"- role_arn: {PROD}\n  external_id: 'a b'\n", "entry 1: external_id must be"),
        (f"- role_arn: {PROD}\n  name: [x]\n", "entry 1: name must be text"),
        (f"- role_arn: {PROD}\n- role_arn: {PROD}\n", "entry 2: account 111111111111 is already"),
        ("- just-a-string\n", "entry 1: expected a mapping with role_arn"),
        ("accounts: {}\n", "expected a list of accounts"),
        ("acounts: []\n", "unknown top-level key 'acounts'"),
        ("accounts: []\n", "the list of accounts is empty"),
        ("", "expected a list of accounts"),
        ("accounts: [\n", "not valid YAML (line 2)"),
    ],
)
def test_a_bad_file_names_itself_and_the_entry(text: str, message: str) -> None:
    with pytest.raises(AccountsError) as caught:
        parse(text, "accounts.yaml")
    assert str(caught.value).startswith("accounts.yaml: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_load_reads_the_file(tmp_path: Path) -> None:
    file = tmp_path / "accounts.yaml"
    file.write_text(f"- role_arn: {PROD}\n", encoding="utf-8")
    assert load(file) == [AccountSpec(PROD)]
    with pytest.raises(AccountsError, match=r"missing\.yaml: no such file"):
        load(tmp_path / "missing.yaml")


# -- the flags ------------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser, region=True)
    return parser.parse_args(argv)


def test_flags_become_collect_options(tmp_path: Path) -> None:
    file = tmp_path / "accounts.yaml"
    file.write_text(f"- role_arn: {PROD}\n", encoding="utf-8")
    stream = io.StringIO()
    args = _parse(
        [
            "--aws",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1,us-east-1",
            "--all-revisions",
            "--profile",
            "audit",
            "--accounts",
            str(file),
            "--max-workers",
            "3",
            "--quiet",
        ]
    )
    assert collect_options(args, progress=stream) == CollectOptions(
        regions=["eu-west-1", "us-east-1"],
        all_revisions=True,
        profile="audit",
        accounts=[AccountSpec(PROD)],
        max_workers=3,
        quiet=True,
        progress=stream,
    )


def test_defaults() -> None:
    options = collect_options(_parse(["--aws"]))
    assert (options.regions, options.all_regions, options.max_workers) == (
        [],
        False,
        DEFAULT_WORKERS,
    )
    assert (options.role_arn, options.accounts, options.quiet) == (None, [], False)
    role = collect_options(_parse(["--aws", "--role-arn", PROD, "--external-id", "x1"]))
    assert (role.role_arn, role.external_id) == (PROD, "x1")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--all-regions", "--region", "us-east-1"], "give it or --region, not both"),
        (["--accounts", "a.yaml", "--role-arn", PROD], "give it or --role-arn, not both"),
        (["--external-id", "x1"], "--external-id needs --role-arn"),
        (["--role-arn", "arn:aws:iam::1:user/x"], "is not an IAM role ARN"),
        (["--max-workers", "0"], "--max-workers must be from 1 to 64, not 0"),
        (["--region", "narnia"], "--region 'narnia' is not a Region name"),
        (["--accounts", "/nonexistent/a.yaml"], "/nonexistent/a.yaml: no such file"),
    ],
)
def test_bad_combinations_are_one_line_errors(argv: list[str], message: str) -> None:
    with pytest.raises(AwsError, match=message.replace("(", r"\(")):
        collect_options(_parse(["--aws", *argv]))


def test_live_only_flags_need_aws() -> None:
    with pytest.raises(AwsError, match="--profile reads a live account: add --aws"):
        check_without_aws(_parse(["--profile", "x"]))
    check_without_aws(_parse(["--aws", "--profile", "x"]))
    check_without_aws(_parse(["--quiet"]))


def test_a_bad_accounts_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("accounts.yaml").write_text(f"- role_arn: {PROD}\n- name: dev\n", encoding="utf-8")
    assert cli.main(["scan", "--aws", "--accounts", "accounts.yaml"]) == 2
    err = capsys.readouterr().err
    assert err == "batchlint: error: accounts.yaml: entry 2: role_arn is missing\n"
