"""The module reader: a ``.tf`` directory to resource instances in a plan's shapes."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from batchlint.sources import tf_declarations, tf_instances
from batchlint.sources.tf_module import Loaded, Problem, TfInstance, load_module
from batchlint.sources.tf_nodes import Embedded, UnknownPart
from tests.conftest import FIXTURES, SHARED

MODULES = FIXTURES / "sources" / "tf_modules"


def load(name: str, **kwargs: object) -> Loaded:
    kwargs.setdefault("environ", {})
    return load_module(MODULES / name, name, **kwargs)  # type: ignore[arg-type]


def write(tmp_path: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return tmp_path


def load_text(tmp_path: Path, text: str, **kwargs: object) -> Loaded:
    kwargs.setdefault("environ", {})
    return load_module(write(tmp_path, {"main.tf": text}), ".", **kwargs)  # type: ignore[arg-type]


def by_address(loaded: Loaded) -> dict[str, TfInstance]:
    return {i.address: i for i in loaded.instances}


def messages(loaded: Loaded) -> list[str]:
    return [p.message for p in loaded.problems]


# -- 1. files ------------------------------------------------------------------------------


def test_a_file_that_does_not_parse_is_a_problem_and_the_rest_is_read() -> None:
    loaded = load("problems")
    broken = loaded.problems[0]
    assert (broken.file, broken.line, broken.column) == ("problems/a_broken.tf", 3, 13)
    assert "expected an expression" in broken.message
    assert "problems/a_broken.tf" not in loaded.files
    assert {"problems/main.tf", "problems/second.tf"} <= set(loaded.files)
    assert "aws_batch_job_queue.broken" not in by_address(loaded)


def test_declared_twice_is_a_problem_at_the_second_and_the_first_wins() -> None:
    loaded = load("problems")
    at = {(p.file, p.line, p.column): p.message for p in loaded.problems}
    assert at[("problems/second.tf", 1, 1)] == "variable v is already declared at main.tf:1"
    assert at[("problems/second.tf", 6, 3)] == "local.c is already declared at main.tf:8"
    assert (
        at[("problems/second.tf", 9, 1)]
        == "resource aws_batch_job_queue.q is already declared at main.tf:11"
    )
    assert at[("problems/second.tf", 15, 1)] == "module gone is already declared at main.tf:31"
    queue = by_address(loaded)["aws_batch_job_queue.q"]
    assert queue.values["priority"] == 3  # local.c of main.tf
    assert queue.file == "problems/main.tf"


def test_override_files_merge_attribute_by_attribute_and_replace_block_types() -> None:
    loaded = load("overrides")
    queue = by_address(loaded)["aws_batch_job_queue.q"]
    assert queue.values == {
        "name": "base",
        "priority": 5,
        "state": "DISABLED",
        "compute_environment_order": [{"order": 1, "compute_environment": "ce-override"}],
    }
    assert queue.file == "overrides/main.tf"
    assert queue.block.pos.line == 5  # the base block keeps its place
    assert by_address(loaded)["aws_batch_scheduling_policy.p"].values == {"name": "policy-8"}
    assert loaded.problems == [
        Problem(
            "resource aws_batch_job_queue.missing: no block of that name to override",
            "overrides/z_override.tf",
            9,
            1,
        )
    ]


def test_files_over_the_size_cap_or_not_utf8_are_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tf_declarations, "MAX_FILE_BYTES", 200)
    write(
        tmp_path,
        {
            "big.tf": "# " + "x" * 300 + "\n",
            "latin.tf": b'locals {\n  a = "caf\xe9"\n}\n',
            "ok.tf": 'resource "aws_batch_job_queue" "q" {\n  name = "q"\n}\n',
        },
    )
    loaded = load_module(tmp_path, "m", environ={})
    assert loaded.problems == [
        Problem("m/big.tf is over 10 MB; not read", "m/big.tf", 1, 1),
        Problem("m/latin.tf is not UTF-8 text (byte 19)", "m/latin.tf", 2, 1),
    ]
    assert [i.address for i in loaded.instances] == ["aws_batch_job_queue.q"]


def test_only_reads_the_files_given_and_display_paths(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.tf": 'resource "aws_batch_job_queue" "a" {\n  name = "a"\n}\n',
            "b.tf": 'resource "aws_batch_job_queue" "b" {\n  name = "b"\n}\n',
        },
    )
    loaded = load_module(tmp_path, "infra/", only=[tmp_path / "b.tf"], environ={})
    assert [i.address for i in loaded.instances] == ["aws_batch_job_queue.b"]
    assert list(loaded.files) == ["infra/b.tf"]
    assert loaded.instances[0].file == "infra/b.tf"
    dot = load_module(tmp_path, ".", environ={})
    assert list(dot.files) == ["a.tf", "b.tf"]


def test_a_missing_directory_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    loaded = load_module(tmp_path / "absent", "absent", environ={})
    assert loaded.instances == []
    assert len(loaded.problems) == 1
    assert loaded.problems[0].message.startswith("absent cannot be read")


def test_tf_json_reads_like_native_syntax() -> None:
    loaded = load("json")
    ce = by_address(loaded)["aws_batch_compute_environment.ce"]
    assert ce.values == {
        "compute_environment_name": "json-4",
        "type": "MANAGED",
        "tags": {"Team": "data"},
        "compute_resources": [
            {
                "type": "EC2",
                "max_vcpus": 8,
                "instance_type": ["m5.large"],
                "ec2_configuration": [{"image_type": "ECS_AL2"}, {"image_type": "ECS_AL2_NVIDIA"}],
            }
        ],
    }
    assert set(ce.blocks) == {
        "",
        "/compute_resources/0",
        "/compute_resources/0/ec2_configuration/0",
        "/compute_resources/0/ec2_configuration/1",
    }
    assert ce.file == "json/main.tf.json"


# -- 2. variables --------------------------------------------------------------------------


def test_every_variable_source_in_terraform_precedence() -> None:
    loaded = load(
        "variables",
        var_files=[MODULES / "variables" / "env" / "prod.tfvars"],
        variables={"from_var": "cli", "flag": "true"},
        environ={"TF_VAR_from_env": "env", "TF_VAR_from_tfvars": "env", "PATH": "/bin"},
    )
    assert loaded.problems == []
    queue = loaded.instances[0]
    assert str(queue.values["name"]).split(",") == [
        "default",
        "env",
        "terraform.tfvars",
        "terraform.tfvars.json",
        "a.auto.tfvars",
        "b.auto.tfvars.json",
        "prod.tfvars",
        "cli",
    ]
    assert queue.values["priority"] == 3  # "3" from prod.tfvars, a number by its type
    assert queue.values["state"] == "ENABLED"  # -var flag=true, a bool by its type


def test_type_conversions_optional_defaults_and_unset_variables() -> None:
    loaded = load("variables", variables={"count_text": "5", "flag": "false"})
    queue = loaded.instances[0]
    assert queue.values["priority"] == 5
    assert queue.values["state"] == "DISABLED"
    assert queue.values["tags"] == {"unset": None, "size": 4, "name": "unnamed"}
    assert queue.unknown == {"tags": {"unset": True}}
    assert loaded.config.variables[""]["token"] == {"sensitive": True}
    assert loaded.config.variables[""]["unset"] == {"sensitive": False}


def test_raw_values_are_strings_unless_the_type_says_otherwise(tmp_path: Path) -> None:
    text = """
variable "plain" {}
variable "list" { type = list(string) }
variable "bad" { type = number }
resource "aws_batch_job_queue" "q" {
  name = var.plain
  tags = { first = var.list[0], n = length(var.list) }
  priority = var.bad
}
"""
    loaded = load_text(
        tmp_path,
        text,
        variables={"plain": '["a"]', "list": '["x", "y"]', "bad": "[1,"},
    )
    queue = loaded.instances[0]
    assert queue.values["name"] == '["a"]'
    assert queue.values["tags"] == {"first": "x", "n": 2}
    assert queue.unknown == {"priority": True, "tags": {}}
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert problem.message.startswith("-var bad: ")
    assert problem.file == "(command line)"


def test_a_tfvars_file_that_does_not_parse_is_a_problem_at_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'variable "a" { default = "d" }\nvariable "b" { default = "d" }\n'
            'resource "aws_batch_job_queue" "q" { name = "${var.a}${var.b}" }\n',
            "terraform.tfvars": 'a = "one"\nb = \n',
            "x.auto.tfvars.json": '{"a": "two",\n "b": }',
        },
    )
    loaded = load_module(tmp_path, "m", environ={})
    assert [(p.file, p.line) for p in loaded.problems] == [
        ("m/terraform.tfvars", 2),
        ("m/x.auto.tfvars.json", 2),
    ]
    assert loaded.problems[1].message.startswith("m/x.auto.tfvars.json is not valid JSON")
    assert loaded.instances[0].values["name"] == "dd"


# -- 3. locals -----------------------------------------------------------------------------


def test_a_cycle_of_locals_is_unknown_and_one_problem() -> None:
    loaded = load("problems")
    queue = by_address(loaded)["aws_batch_job_queue.q"]
    assert queue.values["name"] is None
    assert queue.unknown == {"name": True}
    cycles = [p for p in loaded.problems if "cycle local" in p.message]
    assert cycles == [
        Problem("local.a: cycle local.a -> local.b -> local.a", "problems/main.tf", 6, 3)
    ]


def test_locals_are_evaluated_lazily_and_once(tmp_path: Path) -> None:
    text = """
locals {
  unused = file("missing.txt")
  base   = "b"
  name   = "${local.base}-${local.base}"
}
resource "aws_batch_job_queue" "q" { name = local.name }
"""
    loaded = load_text(tmp_path, text)
    assert loaded.instances[0].values == {"name": "b-b"}
    assert loaded.problems == []


def test_long_chains_of_locals_and_resources_are_read(tmp_path: Path) -> None:
    n = 300
    lines = ["locals {", '  l0 = "x"']
    lines += [f'  l{i} = "${{local.l{i - 1}}}y"' for i in range(1, n)]
    lines += ["}"]
    lines += [
        f'resource "aws_batch_job_queue" "r{i}" {{ name = aws_batch_job_queue.r{i - 1}.name }}'
        for i in range(n - 1, 0, -1)
    ]  # the first block read needs all the others
    lines += [f'resource "aws_batch_job_queue" "r0" {{ name = local.l{n - 1} }}']
    loaded = load_text(tmp_path, "\n".join(lines))
    assert {i.values["name"] for i in loaded.instances} == {"x" + "y" * (n - 1)}
    assert loaded.problems == []


# -- 4. resources: count, for_each, references ---------------------------------------------


def test_count_for_each_and_values_of_the_basic_module() -> None:
    loaded = load("basic")
    assert [i.address for i in loaded.instances] == [
        "aws_iam_role.job",
        "aws_batch_compute_environment.spot[0]",
        "aws_batch_compute_environment.spot[1]",
        'aws_batch_job_queue.q["high"]',
        'aws_batch_job_queue.q["low"]',
        'aws_batch_job_definition.jobs["a"]',
        'aws_batch_job_definition.jobs["b"]',
    ]
    assert loaded.problems == []
    assert loaded.region == "eu-west-1"
    found = by_address(loaded)
    spot = found["aws_batch_compute_environment.spot[1]"]
    assert (spot.type, spot.prefix, spot.base, spot.index) == (
        "aws_batch_compute_environment",
        "",
        "aws_batch_compute_environment.spot",
        1,
    )
    assert spot.values == {
        "compute_environment_name": "demo-default-spot-1",
        "type": "MANAGED",
        "service_role": None,
        "compute_resources": [
            {"type": "SPOT", "max_vcpus": 16, "subnets": None, "instance_type": ["c5.large"]}
        ],
    }
    assert spot.unknown == {
        "service_role": True,
        "compute_resources": [{"subnets": True, "instance_type": [False]}],
    }
    queue = found['aws_batch_job_queue.q["low"]']
    assert queue.index == "low"
    assert queue.values["name"] == "demo-default-low"
    assert queue.values["priority"] == 1
    assert queue.unknown == {"compute_environment_order": [{"compute_environment": True}]}
    job = found['aws_batch_job_definition.jobs["a"]']
    assert job.values["name"] == "demo-default-job-a"  # another resource's configured name
    properties = job.values["container_properties"]
    assert isinstance(properties, Embedded)
    role = properties.data.pop("jobRoleArn")
    assert properties.data == {"image": "busybox:1.36", "vcpus": 1}
    assert isinstance(role, UnknownPart)  # known after apply, and which role's ARN it is:
    assert job.refs == {"/container_properties/jobRoleArn": "aws_iam_role.job"}
    assert "container_properties" not in job.unknown


def test_unknown_count_or_for_each_is_one_instance_without_a_key(tmp_path: Path) -> None:
    text = """
variable "n" { type = number }
variable "m" { type = map(string) }
resource "aws_batch_job_queue" "counted" {
  count = var.n
  name  = "q-${count.index}"
  priority = 1
}
resource "aws_batch_job_queue" "keyed" {
  for_each = var.m
  name     = each.key
  priority = 2
}
resource "aws_batch_job_queue" "reads" {
  name = aws_batch_job_queue.counted[0].name
}
"""
    loaded = load_text(tmp_path, text)
    found = by_address(loaded)
    assert list(found) == [
        "aws_batch_job_queue.counted",
        "aws_batch_job_queue.keyed",
        "aws_batch_job_queue.reads",
    ]
    assert found["aws_batch_job_queue.counted"].index is None
    assert found["aws_batch_job_queue.counted"].values == {"name": None, "priority": 1}
    assert found["aws_batch_job_queue.keyed"].unknown == {"name": True}
    assert found["aws_batch_job_queue.reads"].unknown == {"name": True}
    assert loaded.problems == []


def test_count_zero_for_each_over_a_resource_and_each_value(tmp_path: Path) -> None:
    text = """
resource "aws_batch_compute_environment" "none" {
  count = 0
  type  = "MANAGED"
}
resource "aws_batch_compute_environment" "ce" {
  for_each = { a = { vcpus = 2 }, b = { vcpus = 4 } }
  compute_environment_name = "ce-${each.key}"
  type = "MANAGED"
  compute_resources {
    max_vcpus = each.value.vcpus
  }
}
resource "aws_batch_job_queue" "q" {
  for_each = aws_batch_compute_environment.ce
  name     = "${each.value.compute_environment_name}-q"
  compute_environment_order {
    order = 1
    compute_environment = each.value.arn
  }
}
"""
    loaded = load_text(tmp_path, text)
    found = by_address(loaded)
    assert list(found) == [
        'aws_batch_compute_environment.ce["a"]',
        'aws_batch_compute_environment.ce["b"]',
        'aws_batch_job_queue.q["a"]',
        'aws_batch_job_queue.q["b"]',
    ]
    assert found['aws_batch_compute_environment.ce["b"]'].values["compute_resources"] == [
        {"max_vcpus": 4}
    ]
    assert found['aws_batch_job_queue.q["b"]'].values["name"] == "ce-b-q"
    refs = loaded.config.resources["aws_batch_job_queue.q"]["compute_environment_order"]
    assert refs == [
        {
            "order": {"constant_value": 1},
            "compute_environment": {
                "references": ["each.value.arn", "each.value", "aws_batch_compute_environment.ce"]
            },
        }
    ]


def test_for_each_problems_and_the_instance_cap(tmp_path: Path) -> None:
    text = """
resource "aws_batch_job_queue" "nulls" {
  for_each = null
  name = "x"
}
resource "aws_batch_job_queue" "numbers" {
  for_each = toset([1, 2])
  name = "x"
}
resource "aws_batch_job_queue" "both" {
  count    = 1
  for_each = {}
  name = "x"
}
resource "aws_batch_job_queue" "many" {
  count = 1001
  name  = "q${count.index}"
}
"""
    loaded = load_text(tmp_path, text)
    assert [(p.message, p.line) for p in loaded.problems] == [
        ("aws_batch_job_queue.nulls: for_each needs a map or a set of strings, not null", 2),
        ("aws_batch_job_queue.numbers: for_each needs a map or a set of strings", 6),
        ("aws_batch_job_queue.both: count and for_each cannot both be set", 10),
        ("aws_batch_job_queue.many: count is 1001; only the first 1000 are read", 15),
    ]
    assert len(loaded.instances) == 1000
    assert loaded.instances[-1].address == "aws_batch_job_queue.many[999]"


def test_a_list_for_each_is_a_problem_but_still_read() -> None:
    loaded = load("problems")
    assert 'aws_batch_job_queue.list["y"]' in by_address(loaded)
    problem = next(p for p in loaded.problems if "not a list" in p.message)
    assert (problem.file, problem.line) == ("problems/main.tf", 17)
    assert not any(i.base == "aws_batch_job_queue.negative" for i in loaded.instances)


def test_resources_reading_themselves_or_each_other_are_unknown(tmp_path: Path) -> None:
    text = """
resource "aws_batch_job_queue" "self" {
  name     = "self"
  priority = length(aws_batch_job_queue.self.name)
}
resource "aws_batch_job_queue" "a" {
  name = aws_batch_job_queue.b.name
}
resource "aws_batch_job_queue" "b" {
  name = "${aws_batch_job_queue.a.name}-b"
  state = "ENABLED"
}
"""
    loaded = load_text(tmp_path, text)
    found = by_address(loaded)
    assert found["aws_batch_job_queue.self"].unknown == {"priority": True}
    assert found["aws_batch_job_queue.a"].unknown == {"name": True}
    assert found["aws_batch_job_queue.b"].unknown == {"name": True}
    assert found["aws_batch_job_queue.b"].values["state"] == "ENABLED"


def test_meta_arguments_are_not_values_and_path_terraform_roots(tmp_path: Path) -> None:
    text = """
resource "aws_batch_job_queue" "q" {
  provider   = aws.west
  depends_on = [aws_iam_role.r]
  name       = "${terraform.workspace}:${path.module}:${path.root}"
  lifecycle {
    ignore_changes = [name]
  }
}
"""
    queue = load_text(tmp_path, text).instances[0]
    assert queue.values == {"name": "default:.:."}
    assert set(queue.blocks) == {""}


def test_an_unexpected_error_in_one_resource_is_a_problem_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = tf_instances.BodyReader.read

    def failing(self: tf_instances.BodyReader, block: object, env: object) -> object:
        if getattr(block, "labels", ())[1:] == ("bad",):
            raise TypeError("boom")
        return read(self, block, env)  # type: ignore[arg-type]

    monkeypatch.setattr(tf_instances.BodyReader, "read", failing)
    text = """
resource "aws_batch_job_queue" "bad" { name = "x" }
resource "aws_batch_job_queue" "good" { name = aws_batch_job_queue.bad.name }
"""
    loaded = load_text(tmp_path, text)
    assert [i.address for i in loaded.instances] == ["aws_batch_job_queue.good"]
    assert loaded.instances[0].unknown == {"name": True}
    assert loaded.problems == [
        Problem("aws_batch_job_queue.bad: cannot be read (TypeError)", "main.tf", 2, 1)
    ]


# -- 5. nested and dynamic blocks ----------------------------------------------------------


def test_dynamic_blocks_nested_with_iterator_and_unknown_collection() -> None:
    loaded = load("dynamic")
    template = loaded.instances[0]
    assert template.values == {
        "name": "lt",
        "network_interfaces": None,
        "block_device_mappings": [
            {"device_name": "/dev/xvda"},
            {"device_name": "/dev/xvdb", "ebs": [{"volume_size": 10}]},
            {"device_name": "/dev/xvdc", "ebs": [{"volume_size": 20}]},
        ],
        "tag_specifications": [
            {"resource_type": "a", "tags": {"Id": "lt-a"}},
            {
                "resource_type": "b",
                "tags": {"Id": "lt-b"},
                "version": [{"number": "1", "of": "lt-b"}, {"number": "2", "of": "lt-b"}],
            },
        ],
    }
    assert template.unknown == {
        "network_interfaces": True,
        "block_device_mappings": [{}, {"ebs": [{}]}, {"ebs": [{}]}],
        "tag_specifications": [{"tags": {}}, {"tags": {}, "version": [{}, {}]}],
    }
    lines = {pointer: block.pos.line for pointer, (_, block) in template.blocks.items()}
    assert lines == {
        "": 12,
        "/block_device_mappings/0": 15,
        "/block_device_mappings/1": 21,
        "/block_device_mappings/1/ebs/0": 23,
        "/block_device_mappings/2": 21,
        "/block_device_mappings/2/ebs/0": 23,
        "/tag_specifications/0": 32,
        "/tag_specifications/1": 32,
        "/tag_specifications/1/version/0": 38,
        "/tag_specifications/1/version/1": 38,
    }
    assert all(file == "dynamic/main.tf" for file, _ in template.blocks.values())


def test_dynamic_block_config_references_read_through_the_iterator() -> None:
    config = load("dynamic").config.resources["aws_launch_template.lt"]
    specs = config["tag_specifications"]
    assert specs == [
        {
            "resource_type": {"references": ["local.templates"]},
            "tags": {"references": ["local.templates"]},
            "version": [
                {
                    "number": {"references": ["local.templates"]},
                    "of": {"references": ["local.templates"]},
                }
            ],
        }
    ]
    devices = config["block_device_mappings"]
    assert isinstance(devices, list)
    assert devices[0] == {"device_name": {"constant_value": "/dev/xvda"}}
    assert config["network_interfaces"] == [{"subnet_id": {"references": ["var.unknown_list"]}}]


def test_an_unknown_dynamic_block_beside_static_ones_keeps_the_static(tmp_path: Path) -> None:
    text = """
variable "more" {}
resource "aws_launch_template" "lt" {
  block_device_mappings { device_name = "/dev/a" }
  dynamic "block_device_mappings" {
    for_each = var.more
    content { device_name = block_device_mappings.value }
  }
}
"""
    template = load_text(tmp_path, text).instances[0]
    assert template.values == {"block_device_mappings": [{"device_name": "/dev/a"}]}
    assert template.unknown == {"block_device_mappings": [{}]}


# -- 6. modules ----------------------------------------------------------------------------


def test_two_levels_of_local_modules_with_count_and_for_each() -> None:
    loaded = load("modules/root")
    assert loaded.problems == []
    assert [i.address for i in loaded.instances] == [
        "aws_iam_role.service",
        "aws_batch_job_queue.main",
        'module.batch[0].module.ce["ondemand"].aws_batch_compute_environment.this',
        'module.batch[0].module.ce["spot"].aws_batch_compute_environment.this',
        'module.batch[1].module.ce["ondemand"].aws_batch_compute_environment.this',
        'module.batch[1].module.ce["spot"].aws_batch_compute_environment.this',
    ]
    found = by_address(loaded)
    ce = found['module.batch[1].module.ce["spot"].aws_batch_compute_environment.this']
    assert ce.prefix == 'module.batch[1].module.ce["spot"].'
    assert ce.base == "aws_batch_compute_environment.this"
    assert ce.index is None
    assert ce.values == {
        "compute_environment_name": "env1-spot",
        "type": "MANAGED",
        "service_role": None,
        "compute_resources": [{"type": "SPOT", "max_vcpus": 8, "path": "../shared"}],
    }
    assert ce.unknown == {"service_role": True, "compute_resources": [{}]}
    assert ce.file == "fixtures/sources/tf_modules/modules/shared/main.tf"
    assert ce.file in loaded.files
    queue = found["aws_batch_job_queue.main"]
    assert queue.values["name"] == "env1-queue"  # module.batch[1].queue_prefix
    assert queue.unknown == {"state": True, "compute_environments": [True]}


def test_module_configuration_inputs_and_variables() -> None:
    config = load("modules/root").config
    assert set(config.resources) == {
        "aws_iam_role.service",
        "aws_batch_job_queue.main",
        "module.batch.module.ce.aws_batch_compute_environment.this",
    }
    assert config.inputs["module.batch."] == {
        "name": {"references": ["count.index"]},
        "role_arn": {"references": ["aws_iam_role.service.arn", "aws_iam_role.service"]},
    }
    assert config.inputs["module.batch.module.ce."]["type"] == {"references": ["each.value"]}
    assert config.inputs["module.batch.module.ce."]["role"] == {"references": ["var.role_arn"]}
    assert config.inputs["module.registry."] == {}
    assert config.variables["module.batch."] == {
        "name": {"sensitive": False},
        "role_arn": {"sensitive": False},
        "vcpus": {"sensitive": False},
    }
    assert "module.registry." not in config.variables
    ce = config.resources["module.batch.module.ce.aws_batch_compute_environment.this"]
    assert ce["service_role"] == {"references": ["var.role"]}


def test_module_problems_missing_directory_cycle_and_depth(tmp_path: Path) -> None:
    loaded = load("problems")
    at = {p.message: (p.file, p.line, p.column) for p in loaded.problems}
    assert at["module.gone: ./nowhere is not a directory"] == ("problems/main.tf", 32, 3)
    assert at["module.self: ./ calls a module that is calling it (a cycle); not read"] == (
        "problems/main.tf",
        36,
        3,
    )
    files = {"main.tf": 'module "m" {\n  source = "./m0"\n}\n'}
    for i in range(18):
        files[f"m{i}/main.tf"] = (
            f'module "m" {{\n  source = "../m{i + 1}"\n}}\n'
            f'resource "aws_batch_job_queue" "q" {{\n  name = "{i}"\n}}\n'
        )
    deep = load_module(write(tmp_path, files), ".", environ={})
    assert len(deep.instances) == 16  # m0 … m15: 16 levels of calls below the root
    assert [p.message for p in deep.problems] == [
        "module.m." * 16 + "module.m: modules nest more than 16 deep; not read"
    ]


def test_a_module_call_with_unknown_count_is_one_instance_without_a_key(tmp_path: Path) -> None:
    files = {
        "main.tf": 'variable "n" {}\nmodule "m" {\n  source = "./m"\n  count  = var.n\n'
        '  name   = "q${count.index}"\n}\n',
        "m/main.tf": 'variable "name" {}\nresource "aws_batch_job_queue" "q" {\n'
        "  name     = var.name\n  priority = 1\n}\n",
    }
    loaded = load_module(write(tmp_path, files), ".", environ={})
    assert [(i.address, i.prefix) for i in loaded.instances] == [
        ("module.m.aws_batch_job_queue.q", "module.m.")
    ]
    assert loaded.instances[0].unknown == {"name": True}


def test_external_module_outputs_are_unknown_without_a_problem() -> None:
    loaded = load("modules/root")
    assert by_address(loaded)["aws_batch_job_queue.main"].values["state"] is None
    assert not any("registry" in m for m in messages(loaded))


# -- 7. data sources -----------------------------------------------------------------------

FULL_POLICY = {
    "Version": "2012-10-17",
    "Id": "full",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetObject"],
            "Resource": "arn:aws:s3:::b/${aws:username}/*",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root",
                "Service": ["ecs-tasks.amazonaws.com", "batch.amazonaws.com"],
            },
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": [
                        "arn:aws:batch:*:111122223333:*",
                        "arn:aws:ecs:*:111122223333:*",
                    ]
                },
                "StringEquals": {"aws:SourceAccount": "111122223333"},
            },
        },
        {"Effect": "Deny", "NotAction": "logs:PutLogEvents", "NotResource": "*"},
    ],
}


def test_policy_documents_render_as_the_provider_does() -> None:
    found = by_address(load("policy"))
    full = found["aws_iam_policy.full"].values["policy"]
    assert isinstance(full, str)
    assert full == json.dumps(FULL_POLICY, indent=2)  # the provider's two-space indent
    minified = found["aws_iam_policy.minified"].values["policy"]
    assert minified == (
        '{"Version":"2012-10-17","Statement":'
        '[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"*"}]}'
    )


def test_policy_documents_with_unknown_parts_or_merged_documents() -> None:
    found = by_address(load("policy"))
    partial = found["aws_iam_policy.partial"].values["policy"]
    assert isinstance(partial, Embedded)
    (statement,) = partial.data.pop("Statement")
    assert partial.data == {"Version": "2012-10-17"}
    assert isinstance(statement.pop("Resource"), UnknownPart)
    assert statement == {"Effect": "Allow", "Action": "s3:*"}
    merged = found["aws_iam_policy.merged"]
    assert merged.values["policy"] is None
    assert merged.unknown == {"policy": True}


def test_a_counted_policy_document_is_a_list_of_documents(tmp_path: Path) -> None:
    text = """
data "aws_iam_policy_document" "d" {
  count = 2
  statement {
    actions = ["s3:Get${count.index}"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d[1].minified_json
}
"""
    policy = load_text(tmp_path, text).instances[0].values["policy"]
    assert policy == (
        '{"Version":"2012-10-17","Statement":'
        '[{"Effect":"Allow","Action":"s3:Get1","Resource":"*"}]}'
    )


def test_other_data_sources_are_unknown_and_not_instances(tmp_path: Path) -> None:
    text = """
data "aws_iam_role" "r" {
  name = "known"
}
resource "aws_batch_job_queue" "q" {
  name = data.aws_iam_role.r.name
  tags = { arn = data.aws_iam_role.r.arn }
}
"""
    loaded = load_text(tmp_path, text)
    assert [i.address for i in loaded.instances] == ["aws_batch_job_queue.q"]
    assert loaded.instances[0].unknown == {"name": True, "tags": {"arn": True}}
    refs = loaded.config.resources["aws_batch_job_queue.q"]["name"]
    assert refs == {"references": ["data.aws_iam_role.r.name", "data.aws_iam_role.r"]}


# -- 8. the provider's region --------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "region"),
    [
        ('provider "aws" {\n  region = "us-west-2"\n}\n', "us-west-2"),
        ('provider "aws" {\n  alias = "x"\n  region = "us-west-2"\n}\n', None),
        ('variable "r" {}\nprovider "aws" {\n  region = var.r\n}\n', None),
        ('provider "google" {\n  region = "us-west-2"\n}\n', None),
    ],
)
def test_region_of_the_default_aws_provider(
    tmp_path: Path, provider: str, region: str | None
) -> None:
    assert load_text(tmp_path, provider).region == region


# -- 9. configuration ----------------------------------------------------------------------


def test_config_references_follow_locals_transitively() -> None:
    config = load("basic").config.resources
    queue = config["aws_batch_job_queue.q"]
    assert queue["name"] == {
        "references": ["local.prefix", "var.project", "terraform.workspace", "each.key"]
    }
    assert queue["priority"] == {"references": ["each.value", "local.queues"]}
    assert queue["compute_environment_order"] == [
        {
            "order": {"constant_value": 1},
            "compute_environment": {
                "references": [
                    "aws_batch_compute_environment.spot[0].arn",
                    "aws_batch_compute_environment.spot[0]",
                    "aws_batch_compute_environment.spot",
                ]
            },
        }
    ]
    role = config["aws_iam_role.job"]
    assert role["assume_role_policy"] == {
        "references": [
            "data.aws_iam_policy_document.assume.json",
            "data.aws_iam_policy_document.assume",
        ]
    }
    assert "count" not in config["aws_batch_compute_environment.spot"]
    resources = config["aws_batch_compute_environment.spot"]["compute_resources"]
    assert isinstance(resources, list)
    assert resources[0]["instance_type"] == {"constant_value": ["c5.large"]}


# -- measurements --------------------------------------------------------------------------


# the manifest counts two blocks of each of these files that are commented out (/* … */)
_COMMENTED_OUT = {
    "parlaynu__studio-aws-batch__01-cluster__cluster__batch_compute_cpu.tf": 2,
    "parlaynu__studio-aws-batch__01-cluster__cluster__batch_compute_gpu.tf": 2,
}


def test_corpus_files_load_and_have_the_manifest_batch_blocks() -> None:
    corpus = SHARED / "corpus" / "tf"
    if not corpus.is_dir():
        pytest.skip("no shared corpus")
    expected = {}
    for line in (SHARED / "corpus" / "MANIFEST.tsv").read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "tf":
            expected[fields[4].split("/", 1)[1]] = int(fields[6])
    for path in sorted(corpus.glob("*.tf")):
        loaded = load_module(corpus, "corpus", only=[path], environ={})
        # each corpus file is one file of its repository: its local modules are not there
        assert all(m.endswith("is not a directory") for m in messages(loaded)), path.name
        blocks = {i.base for i in loaded.instances if i.type.startswith("aws_batch_")}
        assert len(blocks) == expected[path.name] - _COMMENTED_OUT.get(path.name, 0), path.name


def test_five_hundred_job_definitions_load_quickly(tmp_path: Path) -> None:
    block = """
resource "aws_batch_job_definition" "j{i}" {{
  name = "${{local.prefix}}-{i}"
  type = "container"
  container_properties = jsonencode({{
    image = "busybox"
    resourceRequirements = [{{ type = "VCPU", value = "1" }}]
    jobRoleArn = aws_iam_role.r.arn
  }})
  retry_strategy {{
    attempts = 2
  }}
}}
"""
    text = 'locals {\n  prefix = "p"\n}\nresource "aws_iam_role" "r" {\n  name = "r"\n}\n'
    text += "".join(block.format(i=i) for i in range(500))
    started = time.perf_counter()
    loaded = load_text(tmp_path, text)
    elapsed = time.perf_counter() - started
    assert len(loaded.instances) == 501
    assert elapsed < 10
