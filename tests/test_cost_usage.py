"""The usage file: what it accepts, the one-line errors it gives, and how keys match."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from batchlint.cost.usage import MAX_BYTES, UsageEntry, UsageError, load_usage, parse_usage
from batchlint.model import Kind, Scope

from .conftest import FIXTURES, REPO
from .rules.model_builders import add

GOOD = """\
version: 1
usage:
  Render:
    jobs_per_month: 3000
    average_duration_minutes: 12.5
    spot_share: 0.8
  aws_batch_job_queue.nightly:
    jobs_per_month: 0
    average_duration_minutes: 90
    job_definition: report
"""


def test_reads_entries_with_their_lines() -> None:
    usage = parse_usage(GOOD, "usage.yaml")
    assert usage.file == "usage.yaml"
    assert usage.entries == {
        "Render": UsageEntry("Render", 3000, 12.5, 0.8, None, 3),
        "aws_batch_job_queue.nightly": UsageEntry(
            "aws_batch_job_queue.nightly", 0, 90, None, "report", 7
        ),
    }


def test_version_is_optional() -> None:
    usage = parse_usage("usage:\n  A: {jobs_per_month: 1, average_duration_minutes: 1}\n")
    assert list(usage.entries) == ["A"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("usage:\n  A:\n    jobs_per_month: 1\n    average_duration_minutes: 5\n    colour: red\n",
         "u.yaml:5: usage.A.colour: Extra inputs are not permitted"),
        ("usage:\n  A:\n    jobs_per_month: -1\n    average_duration_minutes: 5\n",
         "u.yaml:3: usage.A.jobs_per_month: Input should be greater than or equal to 0"),
        ("usage:\n  A:\n    jobs_per_month: 1\n    average_duration_minutes: 0\n",
         "u.yaml:4: usage.A.average_duration_minutes: Input should be greater than 0"),
        ("usage:\n  A:\n    jobs_per_month: '10'\n    average_duration_minutes: 5\n",
         "u.yaml:3: usage.A.jobs_per_month: Input should be a valid number"),
        ("usage:\n  A: {jobs_per_month: 1, average_duration_minutes: 5,\n      spot_share: 1.5}\n",
         "u.yaml:3: usage.A.spot_share: Input should be less than or equal to 1"),
        ("usage:\n  A:\n    jobs_per_month: .inf\n    average_duration_minutes: 5\n",
         "u.yaml:3: usage.A.jobs_per_month: Input should be a finite number"),
        ("usage:\n  A:\n    jobs_per_month: 1\n",
         "u.yaml:2: usage.A.average_duration_minutes: Field required"),
        ("usage:\n  A:\n    jobs_per_month: 1.0e+300\n    average_duration_minutes: 5\n",
         "u.yaml:3: usage.A.jobs_per_month: Input should be less than or equal to 1000000000"),
        ("usage:\n  A:\n    jobs_per_month: 1\n    average_duration_minutes: 1.0e+300\n",
         "u.yaml:4: usage.A.average_duration_minutes: Input should be less than or equal to 5"),
        ("usage:\n  A: {jobs_per_month: 1, average_duration_minutes: 1}\n  A: {}\n",
         "u.yaml:3: duplicate key usage.A"),
        ("version: 2\nusage: {}\n", "u.yaml:1: version: Input should be 1"),
        ("jobs: {}\n", "u.yaml:1: usage: Field required (and 1 more)"),
        ("- a\n- b\n", "u.yaml:1: the usage file: Input should be a valid dictionary"),
        ("", "u.yaml:1: the usage file is empty"),
        ("usage: [unclosed\n", "u.yaml:2: invalid YAML"),
    ],
)  # fmt: skip
def test_bad_input_is_a_one_line_error_with_file_and_line(text: str, error: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_usage(text, "u.yaml")
    message = str(caught.value)
    assert message.startswith(error), message
    assert "\n" not in message


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"missing\.yaml: cannot read"):
        load_usage(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"usage:\n  \xff\xfe: 1\n")
    with pytest.raises(UsageError, match="not UTF-8 text"):
        load_usage(binary)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(UsageError, match="larger than 1,000,000 bytes"):
        load_usage(huge)


def test_alias_bombs_are_refused() -> None:
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 8)
    )
    with pytest.raises(UsageError, match="alias bomb"):
        parse_usage(bomb, "u.yaml")


def test_keys_match_address_then_name_and_unused_ones_are_listed() -> None:
    usage = parse_usage(GOOD, "usage.yaml")
    scope = Scope("t.yaml", "cloudformation")
    render = add(scope, Kind.JOB_DEFINITION, "Render", {})
    queue = add(scope, Kind.JOB_QUEUE, "Nightly", {}, name="aws_batch_job_queue.nightly")
    other = add(scope, Kind.JOB_DEFINITION, "Other", {}, name="other")
    assert usage.unused() == list(usage.entries.values())
    assert usage.entry_for(render) is usage.entries["Render"]
    assert usage.entry_for(other) is None
    assert [entry.key for entry in usage.unused()] == ["aws_batch_job_queue.nightly"]
    assert usage.entry_for(queue) is usage.entries["aws_batch_job_queue.nightly"]
    assert usage.unused() == []


def test_fixture_usage_files_are_valid() -> None:
    for path in sorted((FIXTURES / "cost").glob("*usage.yaml")):
        assert load_usage(path).entries


def test_pydantic_is_imported_only_when_a_usage_file_is_read() -> None:
    code = (
        "import sys\n"
        "import batchlint.cost.usage as usage\n"
        "assert not [m for m in sys.modules if m.startswith('pydantic')]\n"
        "usage.parse_usage('usage: {}\\n')\n"
        "assert 'pydantic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
