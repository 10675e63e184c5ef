"""hcl_functions: every function with known, unknown and wrong arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchlint.sources.hcl_eval import UNKNOWN, Env, Object, PartialJson, evaluate
from batchlint.sources.hcl_functions import FUNCTIONS
from batchlint.sources.hcl_parse import parse_expression

VAR = {"m": {"b": 2, "a": 1}, "obj": Object(a=1), "l": [1, 2, 3], "half": [1, UNKNOWN]}


def ev(text: str, module_dir: Path | None = None) -> object:
    return evaluate(parse_expression(text), Env({"var": VAR}, module_dir=module_dir))


KNOWN = [
    # encodings
    ('jsonencode({b = [1, 2.5, true, null], a = "x"})', '{"a":"x","b":[1,2.5,true,null]}'),
    ('jsonencode("<a&b>")', '"\\u003ca\\u0026b\\u003e"'),  # Go escapes HTML characters
    ('jsonencode("é\\n")', '"é\\n"'),
    ("jsonencode(1e21)", "1000000000000000000000"),
    ("jsonencode([])", "[]"),
    ('jsondecode("{\\"a\\": [1, 2.0, 3.5], \\"b\\": null}")', {"a": [1, 2, 3.5], "b": None}),
    ('jsondecode("\\"s\\"")', "s"),
    ("jsondecode(1)", 1),  # a number converts to the string it is
    ('yamlencode({b = [1, {c = "d"}], a = {}})', '"a": {}\n"b":\n- 1\n- "c": "d"\n'),
    ('yamlencode({a = {b = "c"}, e = []})', '"a":\n  "b": "c"\n"e": []\n'),
    ('yamlencode(["x", null, true])', '- "x"\n- null\n- true\n'),
    ('yamldecode("a: 1\\nb: [x, 2020-01-01]\\n")', {"a": 1, "b": ["x", "2020-01-01"]}),
    ('yamldecode("")', None),
    ('base64encode("hello")', "aGVsbG8="),
    ('base64decode("aGVsbG8=")', "hello"),
    ('urlencode("a b&c")', "a+b%26c"),
    ('md5("a")', "0cc175b9c0f1b6a831c399e269772661"),
    ('sha1("a")', "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"),
    ('sha256("a")', "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
    ('base64sha256("a")', "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="),
    # collections
    ("merge({a = 1}, {b = 2}, null, {a = 3})", {"a": 3, "b": 2}),
    ("merge()", {}),
    ("concat([1], [2, 3], [])", [1, 2, 3]),
    ('lookup({a = 1}, "a")', 1),
    ('lookup({a = 1}, "b", 0)', 0),
    ('lookup(var.obj, "zz", "d")', "d"),
    ("length([1, 2])", 2),
    ("length({a = 1})", 1),
    ('length("héllo")', 5),
    ('length("e\\u0301")', 1),  # grapheme clusters
    ("element([1, 2, 3], 1)", 2),
    ("element([1, 2, 3], 4)", 2),  # wraps
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ("values({b = 1, a = 2})", [2, 1]),
    ("flatten([1, [2, [3]], []])", [1, 2, 3]),
    ('distinct([1, 2, 1, "1"])', ["1", "2"]),
    ('contains(["a", "b"], "b")', True),
    ('contains([1], "1")', False),
    ('index(["a", "b"], "b")', 1),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ('sort(["b", "a", "10", 9])', ["10", "9", "a", "b"]),
    ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('coalesce(null, "", "a", "b")', "a"),
    ('coalesce(null, 1, "x")', "1"),  # the arguments unify to string
    ("coalescelist([], [1], [2])", [1]),
    ("one([])", None),
    ("one([1])", 1),
    ('alltrue([true, "true"])', True),
    ("alltrue([])", True),
    ("anytrue([false, true])", True),
    ("anytrue([])", False),
    ("range(3)", [0, 1, 2]),
    ("range(1, 4)", [1, 2, 3]),
    ("range(3, 0)", [3, 2, 1]),
    ("range(5, 0, -2)", [5, 3, 1]),
    ("range(0, 1, 0.25)", [0, 0.25, 0.5, 0.75]),
    ("range(2, 2)", []),
    ('setunion(["b"], ["a", "b"])', ["a", "b"]),
    ('setintersection(["a", "b"], ["b", "c"], ["b"])', ["b"]),
    ('setsubtract(["a", "b"], ["b"])', ["a"]),
    # conversions
    ('tolist([1, "a"])', ["1", "a"]),
    ("tolist(null)", None),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ("toset([3, 1, 3])", [1, 3]),
    ('toset([1, "a"])', ["1", "a"]),
    ('tomap({a = 1, b = "x"})', {"a": "1", "b": "x"}),
    ("tostring(1.5)", "1.5"),
    ("tostring(true)", "true"),
    ("tostring(null)", None),
    ('tonumber("1e3")', 1000),
    ('tonumber("-2.5")', -2.5),
    ("tonumber(null)", None),
    ('tobool("false")', False),
    ("tobool(null)", None),
    ('sensitive("x")', "x"),
    ('nonsensitive("x")', "x"),
    # strings
    ('format("%s-%d-%05.2f-%t", "a", 3, 3.14159, true)', "a-3-03.14-true"),
    ('format("%q %v %v %#v %%", "q\\"", {a = 1}, null, "x")', '"q\\"" {"a":1} null "x" %'),
    ('format("%[2]s %[1]s", "a", "b")', "b a"),
    ('format("%-5s|%5s|%.2s", "ab", "cd", "efgh")', "ab   |   cd|ef"),
    ('format("%x %X %o %b %e", 255, 255, 8, 5, 1234.5)', "ff FF 10 101 1.234500e+03"),
    ('format("%g %g %g %.3g", 1000000, 0.0001, 123.5, 3.14159)', "1e+06 0.0001 123.5 3.14"),
    ('format("%+d|% d|%05d|%d", 3, 3, -42, "7")', "+3| 3|-0042|7"),
    ('format("%s", 1.5)', "1.5"),
    ('formatlist("%s=%s", ["a", "b"], "x")', ["a=x", "b=x"]),
    ('formatlist("%s", "x")', ["x"]),
    ('join(",", ["a", 1, true])', "a,1,true"),
    ('join("-", ["a"], ["b"])', "a-b"),
    ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('split(",", "")', [""]),
    ('upper("abé")', "ABÉ"),
    ('lower("ABC")', "abc"),
    ('title("hello world-foo_bar")', "Hello World-Foo_bar"),
    ('replace("a-b-c", "-", "+")', "a+b+c"),
    ('replace("abc", "", "-")', "-a-b-c-"),
    ('replace("a1b22", "/[0-9]+/", "<$0>")', "a<1>b<22>"),
    ('replace("john smith", "/(\\\\w+) (?P<last>\\\\w+)/", "$last, $${1}$$")', "smith, john$"),
    ('trim("xxhixx", "x")', "hi"),
    ('trimspace("  hi \\n")', "hi"),
    ('trimprefix("prefix-x", "prefix-")', "x"),
    ('trimsuffix("x.tf", ".tf")', "x"),
    ('chomp("hi\\r\\n\\n")', "hi"),
    ('indent(2, "a\\nb")', "a\n  b"),
    ('strrev("abc")', "cba"),
    ('substr("hello", 1, 3)', "ell"),
    ('substr("hello", -3, -1)', "llo"),
    ('substr("hello", 10, 2)', ""),
    ('startswith("abc", "ab")', True),
    ('endswith("abc", "bc")', True),
    ('strcontains("abc", "d")', False),
    ('regex("[a-z]+", "123abc456")', "abc"),
    ('regex("(\\\\d+)-(\\\\d+)", "10-20")', ["10", "20"]),
    ('regex("(?P<a>\\\\d+)-(?P<b>\\\\d+)", "10-20")', {"a": "10", "b": "20"}),
    ('regex("(?<a>x)y", "xy")', {"a": "x"}),  # RE2's form of a named group
    ('regexall("\\\\d", "a1b2")', ["1", "2"]),
    ('regexall("z", "a")', []),
    # numbers
    ("min(3, 1, 2)", 1),
    ('max("5", 2)', 5),
    ("abs(-3.5)", 3.5),
    ("ceil(1.2)", 2),
    ("floor(-1.2)", -2),
    ("pow(2, 10)", 1024),
    ("pow(4, 0.5)", 2),
    ("signum(-5)", -1),
    ("signum(0)", 0),
    ("sum([1, 2.5])", 3.5),
    ('parseint("ff", 16)', 255),
    ("log(8, 2)", 3),
    # paths and networks
    ('basename("a/b/c.txt")', "c.txt"),
    ('basename("a/b/")', "b"),
    ('basename("")', "."),
    ('dirname("a/b/c.txt")', "a/b"),
    ('dirname("file")', "."),
    ('dirname("/a")', "/"),
    ('cidrsubnet("10.0.0.0/16", 8, 1)', "10.0.1.0/24"),
    ('cidrsubnet("10.1.2.3/16", 4, 15)', "10.1.240.0/20"),
    ('cidrsubnet("fd00::/56", 8, 3)', "fd00:0:0:3::/64"),
    ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"),
    ('cidrhost("10.0.0.0/24", -1)', "10.0.0.255"),
    ('cidrnetmask("10.0.0.0/12")', "255.240.0.0"),
    (
        'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)',
        ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), KNOWN)
def test_known_arguments(text: str, expected: object) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the answer does not depend on the unknown part
        ("length([1, var.u])", 2),
        ("length(var.half)", 2),
        ("concat([1], [var.u], [])", [1, UNKNOWN]),
        ("merge({a = var.u}, {b = 1})", {"a": UNKNOWN, "b": 1}),
        ("tolist([1, var.u])", [1, UNKNOWN]),
        ("tomap({a = var.u})", {"a": UNKNOWN}),
        ('lookup({a = 1, b = var.u}, "a")', 1),
        ("element(var.half, 0)", 1),
        ("keys({a = var.u})", ["a"]),
        ("values({a = var.u})", [UNKNOWN]),
        ("slice(var.half, 0, 1)", [1]),
        ("reverse(var.half)", [UNKNOWN, 1]),
        ('zipmap(["a"], [var.u])', {"a": UNKNOWN}),
        ("one([var.u])", UNKNOWN),
        ('coalesce("a", var.u)', "a"),
        ("coalescelist([1], var.u)", [1]),
        ('contains([var.u, "a"], "a")', True),
        ("alltrue([false, var.u])", False),
        ("anytrue([true, var.u])", True),
        ("sensitive(var.half)", [1, UNKNOWN]),
        ("jsondecode(jsonencode({a = var.u, b = 1}))", {"a": UNKNOWN, "b": 1}),
    ],
)
def test_unknown_parts_that_do_not_matter(text: str, expected: object) -> None:
    assert ev(text) == expected


UNKNOWN_ARGS = [
    "jsonencode(var.u)",
    "jsondecode(var.u)",
    "yamlencode({a = var.u})",
    "yamldecode(var.u)",
    "merge(var.u, {})",
    "concat(var.u)",
    'lookup(var.u, "a")',
    "lookup({a = 1}, var.u)",
    "length(var.u)",
    "element(var.l, var.u)",
    "keys(var.u)",
    "flatten([var.u])",
    "distinct([1, var.u])",
    'contains([var.u], "a")',
    "contains([1], var.u)",
    'index([var.u, "a"], "a")',
    "sort([var.u])",
    "compact([var.u])",
    'coalesce(null, var.u, "a")',
    "coalescelist([], var.u)",
    "alltrue([true, var.u])",
    "anytrue([false, var.u])",
    "range(var.u)",
    "setunion([var.u], [1])",
    "toset([var.u])",
    "tostring(var.u)",
    "tonumber(var.u)",
    "tobool(var.u)",
    'format("%s", var.u)',
    'formatlist("%s", [var.u])',
    'join(",", [var.u])',
    'split(var.u, "a")',
    "upper(var.u)",
    'replace(var.u, "a", "b")',
    "substr(var.u, 0, 1)",
    'regex("a", var.u)',
    "min(1, var.u)",
    "sum([1, var.u])",
    "base64encode(var.u)",
    "sha256(var.u)",
    "cidrsubnet(var.u, 8, 1)",
    "zipmap([var.u], [1])",
    "tolist(var.u)",
    "one(var.u)",
]


@pytest.mark.parametrize("text", UNKNOWN_ARGS)
def test_unknown_arguments(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_jsonencode_of_unknown_parts_keeps_the_known_ones() -> None:
    value = ev('jsonencode({image = "busybox", role = var.u, env = [{name = "A", value = var.u}]})')
    assert isinstance(value, PartialJson)
    assert value.data == {
        "image": "busybox",
        "role": UNKNOWN,
        "env": [{"name": "A", "value": UNKNOWN}],
    }
    assert isinstance(ev('"${jsonencode({a = var.u})}"'), PartialJson)  # a lone interpolation
    assert ev('"x${jsonencode({a = var.u})}"') is UNKNOWN
    assert ev("length(jsonencode({a = var.u}))") is UNKNOWN


WRONG = [
    'jsondecode("{bad")',
    'jsondecode("NaN")',
    "jsonencode()",
    'yamldecode("a: 1\\n---\\nb: 2\\n")',
    'yamldecode("a: [")',
    'yamldecode("a: !!binary aGk=")',
    "merge([1])",
    'concat([1], "x")',
    'lookup({a = 1}, "b")',
    "lookup(1, 2)",
    "length(null)",
    "length(5)",
    "element([], 0)",
    "element([1], -1)",
    "flatten(1)",
    'index(["a"], "z")',
    "sort([null])",
    "slice([1], 0, 5)",
    "slice([1, 2], 2, 1)",
    'zipmap(["a"], [1, 2])',
    'coalesce(null, "")',
    "coalescelist([])",
    "one([1, 2])",
    "alltrue([1])",
    "range(0, 5, -1)",
    "range(0, 5, 0)",
    "range(2000)",  # Terraform's own limit is 1024
    "setunion(1)",
    "tolist([1, [2]])",
    "tolist({a = 1})",
    "tomap([1])",
    'tonumber("x")',
    "tonumber(true)",
    "tobool(1)",
    "tostring([1])",
    'format("%s")',
    'format("%s", "a", "b")',
    'format("%d", 1.5)',
    'format("%s", null)',
    'format("%z", 1)',
    'format("%", 1)',
    'format("%t", "x")',
    'format("%100000000d", 1)',
    'formatlist("%s", [1], [1, 2])',
    'join(",", [null])',
    'join(",", "a")',
    "upper([1])",
    "upper()",
    'upper("a", "b")',
    'replace("aaa", "/(a+)+$/", "x")',  # would backtrack exponentially
    'replace("a", "/(/", "x")',
    'regex("x", "abc")',
    'regex("(", "abc")',
    'regex("(?P<a>x)(y)", "xy")',  # named and unnamed groups mixed
    'substr("abc", "x", 1)',
    "min()",
    'max("a")',
    "sum([])",
    "pow(-8, 0.5)",
    "pow(10, 400)",
    'parseint("zz", 10)',
    'base64decode("!!")',
    'base64decode("/w==")',  # not UTF-8
    'cidrsubnet("10.0.0.0/16", 8, 256)',
    'cidrsubnet("10.0.0.0/16", 20, 1)',
    'cidrsubnet("nope", 8, 1)',
    'cidrhost("10.0.0.0/24", 256)',
    'cidrnetmask("fd00::/8")',
    'cidrsubnets("10.0.0.0/24", 1, 1, 1)',
    "timestamp()",
    "uuid()",
    'bcrypt("x")',
    "plantimestamp()",
    'abspath(".")',
    'pathexpand("~/x")',
]


@pytest.mark.parametrize("text", WRONG)
def test_wrong_arguments_and_unknowable_functions(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_try_and_can_catch_function_errors() -> None:
    assert ev('try(jsondecode("{bad"), {})') == {}
    assert ev('can(regex("^[a-z]+$", "abc"))') is True
    assert ev('can(regex("^[a-z]+$", "ABC"))') is False
    assert ev('try(lookup({a = 1}, "b"), "d")') == "d"


def test_every_function_the_brief_names_is_in_the_table() -> None:
    groups = (
        "jsonencode jsondecode yamlencode yamldecode file fileexists templatefile merge",
        "concat lookup tolist toset tomap tostring tonumber tobool format formatlist join",
        "split length element upper lower title replace trim trimspace trimprefix trimsuffix",
        "chomp substr startswith endswith strcontains keys values flatten distinct contains",
        "range min max abs ceil floor pow signum sum coalesce coalescelist compact zipmap",
        "slice index reverse sort one alltrue anytrue setunion setintersection setsubtract",
        "base64encode base64decode md5 sha1 sha256 basename dirname abspath pathexpand regex",
        "regexall sensitive nonsensitive cidrsubnet cidrhost timestamp uuid bcrypt",
    )
    named = [name for group in groups for name in group.split()]
    assert [name for name in named if name not in FUNCTIONS] == []


# -- files -------------------------------------------------------------------------------------


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "f.txt").write_text("hi\n")
    (tmp_path / "t.json").write_text('{"a": ${x}, "tags": ${jsonencode(tags)}}')
    (tmp_path / "list.tpl").write_text("%{ for s in items ~}\n- ${s}\n%{ endfor ~}\n")
    (tmp_path / "self.tpl").write_text('${templatefile("t.json", {x = 1, tags = {}})}')
    (tmp_path / "file.tpl").write_text('${file("f.txt")}')
    (tmp_path / "bad.tpl").write_text("${")
    (tmp_path / "latin1.txt").write_bytes(b"\xff")
    (tmp_path / "dir").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('file("f.txt")', "hi\n"),
        ('filebase64("f.txt")', "aGkK"),
        ('fileexists("f.txt")', True),
        ('fileexists("nope.txt")', False),
        ('templatefile("t.json", {x = 5, tags = {a = "b"}})', '{"a": 5, "tags": {"a":"b"}}'),
        ('jsondecode(templatefile("t.json", {x = 5, tags = {}}))', {"a": 5, "tags": {}}),
        ('templatefile("list.tpl", {items = ["a", "b"]})', "- a\n- b\n"),
        ('templatefile("file.tpl", {})', "hi\n"),
    ],
)
def test_files(module: Path, text: str, expected: object) -> None:
    assert ev(text, module) == expected


def test_absolute_paths(module: Path) -> None:
    assert ev(f'file("{module / "f.txt"}")') == "hi\n"


@pytest.mark.parametrize(
    "text",
    [
        'file("nope.txt")',
        'file("dir")',
        'file("latin1.txt")',
        'file("~/.bashrc")',  # depends on the machine
        'fileexists("dir")',
        'templatefile("t.json", {})',  # x undefined
        'templatefile("t.json", {x = var.u, tags = {}})',
        'templatefile("self.tpl", {})',  # templatefile() may not call itself
        'templatefile("bad.tpl", {})',
        'templatefile("t.json", [])',
        "file(var.u)",
    ],
)
def test_files_unknown(module: Path, text: str) -> None:
    assert ev(text, module) is UNKNOWN


def test_relative_paths_need_a_module_directory() -> None:
    assert ev('file("f.txt")') is UNKNOWN
    assert ev('fileexists("f.txt")') is UNKNOWN


def test_special_files_are_not_read(tmp_path: Path) -> None:
    if Path("/dev/zero").exists():
        assert ev('file("/dev/zero")', tmp_path) is UNKNOWN
