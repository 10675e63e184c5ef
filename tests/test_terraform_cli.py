"""Terraform configuration through the command line: which folders are modules, variables
from flags, suppression comments, ``--add-suppressions``, ``--tf-source`` and bad input."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from batchlint.cli import main
from batchlint.sources import terraform_hcl

SPOT = """\
variable "strategy" {
  default = "BEST_FIT"
}

resource "aws_batch_compute_environment" "spot" {
  compute_environment_name = "spot"
  type                     = "MANAGED"
  compute_resources {
    type                = "SPOT"
    allocation_strategy = var.strategy
    instance_type       = ["optimal"]
    max_vcpus           = 64
    subnets             = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    security_group_ids  = ["sg-0123456789abcdef0"]
    instance_role       = "arn:aws:iam::123456789012:instance-profile/batch"
    spot_iam_fleet_role = "arn:aws:iam::123456789012:role/fleet"
  }
}
"""
RULE = "spot-best-fit-allocation"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TF_VAR_"):
            monkeypatch.delenv(name)
    yield


def write(path: str, text: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code = main(["scan", *args, "--format", "json", "--select", RULE])
    out = capsys.readouterr().out
    return code, json.loads(out)["findings"] if out else []


def test_variable_default_is_the_value_and_the_finding_is_on_its_attribute(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("infra/main.tf", SPOT)
    code, findings = scan(capsys, "infra")
    assert code == 1
    (finding,) = findings
    assert finding["file"] == "infra/main.tf"
    assert (finding["line"], finding["column"]) == (10, 5)  # allocation_strategy
    assert finding["resource"] == "aws_batch_compute_environment.spot"


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ([], 1),
        (["--var", "strategy=SPOT_PRICE_CAPACITY_OPTIMIZED"], 0),
        (["--var-file", "prod.tfvars"], 0),
        (["--var-file", "prod.tfvars", "--var", "strategy=BEST_FIT"], 1),  # the later wins
    ],
)
def test_variables_from_flags(
    capsys: pytest.CaptureFixture[str], how: list[str], expected: int
) -> None:
    write("infra/main.tf", SPOT)
    write("prod.tfvars", 'strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED"\n')
    _, findings = scan(capsys, "infra", *how)
    assert len(findings) == expected


def test_auto_tfvars_beside_the_module_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    write("infra/main.tf", SPOT)
    write("infra/prod.auto.tfvars", 'strategy = "SPOT_CAPACITY_OPTIMIZED"\n')
    assert scan(capsys, "infra")[1] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--var", "no-equals"], "--var 'no-equals': expected NAME=VALUE"),
        (["--var-file", "missing.tfvars"], "--var-file missing.tfvars: no such file"),
        (["--tf-source", "nowhere"], "--tf-source nowhere: not a folder"),
        (["--tf-source", "empty"], "--tf-source empty: no .tf or .tf.json files in it"),
    ],
)
def test_bad_terraform_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    write("infra/main.tf", SPOT)
    Path("empty").mkdir()
    assert main(["scan", "infra", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"batchlint: error: {message}"


def test_a_folder_another_module_calls_is_read_through_the_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_default = SPOT.replace('  default = "BEST_FIT"\n', "")
    write("infra/modules/batch/main.tf", no_default)
    write(
        "infra/main.tf",
        'module "batch" {\n  source   = "./modules/batch"\n  strategy = "BEST_FIT"\n}\n',
    )
    _, findings = scan(capsys, "infra")
    assert [(f["resource"], f["file"], f["line"]) for f in findings] == [
        ("module.batch.aws_batch_compute_environment.spot", "infra/modules/batch/main.tf", 9)
    ]
    # named on its own, the module folder is a root module: its variable has no value
    assert scan(capsys, "infra/modules/batch")[1] == []


def test_files_named_one_by_one_are_read_with_their_module(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What pre-commit passes: the variable is declared in a file not named."""
    variable, resource = SPOT.split("resource ", 1)
    write("infra/variables.tf", variable)
    write("infra/main.tf", "resource " + resource)
    write("infra/other.tf", "resource " + resource.replace('"spot"', '"other"', 1))
    _, findings = scan(capsys, "infra/main.tf")
    assert [(f["file"], f["resource"]) for f in findings] == [
        ("infra/main.tf", "aws_batch_compute_environment.spot")
    ]
    assert scan(capsys, "infra/variables.tf")[1] == []  # its findings only: none


def test_a_file_that_does_not_parse_is_reported_at_its_line_and_the_rest_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("infra/main.tf", SPOT)
    write("infra/broken.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    code = main(["scan", "infra", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    meta = [f for f in findings if f["code"].startswith("BL-META")]
    assert [(f["file"], f["line"]) for f in meta] == [("infra/broken.tf", 2)]
    assert any(f["name"] == RULE for f in findings)
    assert code == 1


SUPPRESSED = SPOT.replace(
    'resource "aws_batch_compute_environment"',
    "# batchlint:ignore=spot-best-fit-allocation the queue is drained nightly\n"
    'resource "aws_batch_compute_environment"',
)


def test_a_comment_above_the_block_suppresses_with_its_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("infra/main.tf", SUPPRESSED)
    code, findings = scan(capsys, "infra")
    assert code == 0
    (finding,) = findings
    assert finding["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "the queue is drained nightly",
            "location": "comment at infra/main.tf:5",
        }
    ]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# batchlint:ignore=spot-best-fit-allocation", "it needs a reason"),
        ("# batchlint:ignore=spot-bestfit because", "did you mean 'spot-best-fit-allocation'"),
        ("// batchlint:ignore=BL-CE-002 one pool is enough here", "matches no finding"),
    ],
)
def test_a_bad_or_unused_comment_is_reported_at_its_line(
    capsys: pytest.CaptureFixture[str], comment: str, message: str
) -> None:
    write("infra/main.tf", SPOT.replace("  type  ", f"  {comment}\n  type  ", 1))
    main(["scan", "infra", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    meta = [f for f in findings if f["code"] in ("BL-META-005", "BL-META-006")]
    assert len(meta) == 1, findings
    assert message in meta[0]["message"]
    assert (meta[0]["file"], meta[0]["line"]) == ("infra/main.tf", 7)


def test_a_comment_on_something_else_than_a_resource_is_invalid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = SPOT.replace(
        'variable "strategy"', '# batchlint:ignore=BL-CE-001 x\nvariable "strategy"'
    )
    write("infra/main.tf", text)
    main(["scan", "infra", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    invalid = [f for f in findings if f["name"] == "suppression-invalid"]
    assert [(f["line"], "resource block" in f["message"]) for f in invalid] == [(1, True)]


def test_add_suppressions_writes_comments_that_suppress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write("infra/main.tf", SPOT)
    assert main(["scan", "infra", "--select", RULE, "--add-suppressions", "--reason", "ok"]) == 0
    assert "added 1 suppression" in capsys.readouterr().err
    text = path.read_text()
    assert text == SPOT.replace(
        'resource "aws_batch_compute_environment"',
        '# batchlint:ignore=spot-best-fit-allocation ok\nresource "aws_batch_compute_environment"',
    )
    assert scan(capsys, "infra")[0] == 0


PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_batch_compute_environment.spot",
                    "mode": "managed",
                    "type": "aws_batch_compute_environment",
                    "name": "spot",
                    "values": {
                        "compute_environment_name": "spot",
                        "type": "MANAGED",
                        "compute_resources": [
                            {
                                "type": "SPOT",
                                "allocation_strategy": "BEST_FIT",
                                "instance_type": ["optimal"],
                                "max_vcpus": 64,
                                "subnets": ["subnet-0123456789abcdef0"],
                                "spot_iam_fleet_role": "arn:aws:iam::123456789012:role/fleet",
                            }
                        ],
                    },
                }
            ]
        }
    },
}


def test_tf_source_places_plan_findings_on_the_tf_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("infra/main.tf", SPOT)
    write("plan.json", json.dumps(PLAN))
    _, (plain,) = scan(capsys, "plan.json")
    assert (plain["file"], plain["line"]) == ("plan.json", 1)
    _, (placed,) = scan(capsys, "plan.json", "--tf-source", "infra")
    assert (placed["file"], placed["line"], placed["column"]) == ("infra/main.tf", 10, 5)
    assert placed["fingerprint"] == plain["fingerprint"]  # alerts are not reopened
    main(["scan", "plan.json", "--tf-source", "infra", "--format", "sarif", "--select", RULE])
    sarif = json.loads(capsys.readouterr().out)
    (result,) = sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "infra/main.tf"
    assert location["region"]["startLine"] == 10


def test_cost_reads_a_module(capsys: pytest.CaptureFixture[str]) -> None:
    write("infra/main.tf", SPOT)
    assert main(["cost", "infra", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    text = json.dumps(data)
    assert "aws_batch_compute_environment.spot" in text


def test_one_comment_may_name_several_rules(capsys: pytest.CaptureFixture[str]) -> None:
    inside = SPOT.replace(
        "  type  ",
        "  /* batchlint:ignore=BL-CE-001,spot-capacity-optimized-allocation drained nightly */\n"
        "  type  ",
        1,
    )
    write("infra/main.tf", inside)
    main(["scan", "infra", "--format", "json", "--select", "BL-CE-001,BL-CE-010"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], bool(f["suppressions"])) for f in findings] == [("BL-CE-001", True)]


def test_a_module_output_is_an_edge_to_the_resource_it_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A queue naming ``module.ce.arn`` uses the module's compute environment."""
    module = SPOT.replace('  default = "BEST_FIT"\n', "")
    write(
        "infra/modules/ce/main.tf",
        module + 'output "arn" {\n  value = aws_batch_compute_environment.spot.arn\n}\n',
    )
    queue = (
        'module "ce" {\n  source   = "./modules/ce"\n  strategy = "SPOT_CAPACITY_OPTIMIZED"\n}\n'
        'resource "aws_batch_job_queue" "q" {\n  name     = "q"\n  state    = "ENABLED"\n'
        "  priority = 1\n  compute_environment_order {\n    order               = 1\n"
        "    compute_environment = CE\n  }\n}\n"
    )
    write("infra/main.tf", queue.replace("CE", "module.ce.arn"))
    assert (
        main(["scan", "infra", "--select", "compute-environment-unused", "--fail-on", "note"]) == 0
    )
    write("infra/main.tf", queue.replace("CE", '"arn:aws:batch:us-east-1:1:compute-environment/x"'))
    assert (
        main(["scan", "infra", "--select", "compute-environment-unused", "--fail-on", "note"]) == 1
    )
    assert "module.ce" not in capsys.readouterr().err


def test_a_comment_key_in_tf_json_suppresses(capsys: pytest.CaptureFixture[str]) -> None:
    body = {
        "//": "batchlint:ignore=spot-best-fit-allocation drained nightly",
        "compute_environment_name": "spot",
        "type": "MANAGED",
        "compute_resources": {"type": "SPOT", "allocation_strategy": "BEST_FIT", "max_vcpus": 4},
    }
    doc = {"resource": {"aws_batch_compute_environment": {"spot": body}}}
    write("infra/main.tf.json", json.dumps(doc, indent=2))
    code, (finding,) = scan(capsys, "infra")
    assert code == 0
    assert finding["suppressions"][0]["justification"] == "drained nightly"


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "terraform"


def test_the_example_module(capsys: pytest.CaptureFixture[str]) -> None:
    """examples/terraform: a for_each module whose outputs the queue reads, a policy document,
    default tags; prod.tfvars fixes the Spot strategy."""
    assert main(["scan", str(EXAMPLE), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    by_code = {(f["code"], f["resource"]) for f in findings}
    spot = 'module.compute["spot"].aws_batch_compute_environment.this'
    ondemand = 'module.compute["ondemand"].aws_batch_compute_environment.this'
    assert {
        ("BL-CE-001", spot),
        ("BL-CE-003", ondemand),
        ("BL-CE-006", ondemand),
        ("BL-JD-005", "aws_batch_job_definition.align"),
        ("BL-JD-008", "aws_batch_job_definition.align"),
    } <= by_code
    assert not any(code == "BL-CE-023" for code, _ in by_code)  # the queue uses both:
    scope = terraform_hcl.load(EXAMPLE, "example")
    order = scope.by_address["aws_batch_job_queue.main"].props.get("computeEnvironmentOrder")
    assert order is not None
    assert [entry.get("computeEnvironment").ref for entry in order.items()] == [spot, ondemand]
    main(["scan", str(EXAMPLE), "--var-file", str(EXAMPLE / "prod.tfvars"), "--format", "json"])
    fixed = json.loads(capsys.readouterr().out)["findings"]
    assert not any(f["code"] in ("BL-CE-001", "BL-CE-011") for f in fixed)
