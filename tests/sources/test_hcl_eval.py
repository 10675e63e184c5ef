"""hcl_eval: Terraform expressions to values (operators, templates, traversals, for
expressions, unknowns, errors, limits) and the references a plan would list."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchlint.sources.hcl_ast import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Interp,
    Literal,
    Name,
    ObjectExpr,
    ObjectItem,
    Pos,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    Unary,
)
from batchlint.sources.hcl_eval import (
    UNKNOWN,
    Env,
    Object,
    PartialJson,
    Unknown,
    evaluate,
    has_unknown,
    references,
    to_text,
)
from batchlint.sources.hcl_functions import FUNCTIONS
from batchlint.sources.hcl_parse import parse_expression

VAR = {
    "s": "x",
    "n": 5,
    "f": 2.5,
    "t": "true",
    "l": [1, 2, 3],
    "m": {"b": 2, "a": 1},
    "obj": Object(a=1, tags=Object(Name="n")),
    "subnets": [{"id": "s-1", "az": "a"}, {"id": "s-2", "az": "b"}],
    "half": [1, UNKNOWN],
}
ROOTS: dict[str, object] = {"var": VAR, "local": {"nested": [[1, [2]], [3]]}}


def ev(text: str, **roots: object) -> object:
    return evaluate(parse_expression(text), Env({**ROOTS, **roots}))


def refs(text: str, bound: frozenset[str] = frozenset()) -> list[str]:
    return references(parse_expression(text), bound)


# -- operators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 2", 5),
        ("7 / 2", 3.5),
        ("10 - 12", -2),
        ("7 % 3", 1),
        ("-7 % 3", -1),  # the sign of the dividend, as Go's
        ("7.5 % 2", 1.5),
        ('"5" + 1', 6),  # strings convert to numbers in arithmetic
        ("1.5 * 2", 3),
        ("-var.n", -5),
        ("!true", False),
        ('!"false"', True),
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 4", False),
        ("3 >= 4", False),
        ('"10" > 9', True),
        ('"5" == 5', False),  # == is type-strict
        ("5 == 5.0", True),
        ("1 != 2", True),
        ("[1, 2] == [1, 2]", True),
        ("[1, 2] == [1]", False),
        ("{a = 1} == {a = 1}", True),
        ("{a = 1} == {a = 2}", False),
        ("null == null", True),
        ("var.s == null", False),
        ("true == 1", False),
        ("true && false", False),
        ("true || false", True),
        ('"true" && true', True),
        ("false && var.u", False),  # short-circuits
        ("true || var.u", True),
        ("var.u && false", False),
        ("var.u || true", True),
    ],
)
def test_operators(text: str, expected: object) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "var.u + 1",
        "-var.u",
        "!var.u",
        "var.u == 1",
        "[var.u] == [1]",
        "var.u < 1",
        "true && var.u",
        "var.u || false",
        "var.u && true",
    ],
)
def test_operators_on_unknowns_are_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


@pytest.mark.parametrize(
    "text",
    [
        "true + 1",
        '"a" + 1',
        '"a" < "b"',
        "10 / 0",
        "1 % 0",
        "null + 1",
        "[1] + 1",
        "1 && true",
        '"yes" || false',
        "!1",
        '-"x"',
        "null ? 1 : 2",
        "1e400 + 1",
    ],
)
def test_operator_errors_are_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_a_known_difference_decides_equality_despite_unknowns() -> None:
    assert ev("[1, var.u] == [2, var.u]") is False
    assert ev("[1, var.u] == [1, 2, 3]") is False
    assert ev("[1, var.u] == [1, 2]") is UNKNOWN


# -- conditionals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('true ? "a" : "b"', "a"),
        ('false ? "a" : "b"', "b"),
        ('var.t ? "y" : "n"', "y"),  # "true"/"false" convert
        ('"false" ? "y" : "n"', "n"),
        ("var.n > 3 ? var.l : []", [1, 2, 3]),
        ("var.u ? 1 : 1", 1),  # both branches agree
        ('var.u ? "x" : "x"', "x"),
        ('true ? 1 : "x"', "1"),  # the result types unify to string
        ("true ? 1 : null", 1),
        ("false ? 1 / 0 : 2", 2),  # the branch not taken is not an error
    ],
)
def test_conditionals(text: str, expected: object) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize("text", ["var.u ? 1 : 2", "var.u ? var.u : var.u", '1 ? "a" : "b"'])
def test_conditionals_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


# -- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"a${var.n}b"', "a5b"),
        ('"${var.n}"', 5),  # a lone interpolation keeps its type
        ('"${var.l}"', [1, 2, 3]),
        ('"${true}"', True),
        ('"v=${true}/${var.f}/${1.0}"', "v=true/2.5/1"),
        ('"${var.s}-${var.m.a}"', "x-1"),
        ('"%{if var.n > 3}big%{else}small%{endif}"', "big"),
        ('"%{if var.t}yes%{endif}"', "yes"),
        ('"%{if false}yes%{endif}"', ""),
        ('"%{for i, x in var.l}${i}:${x},%{endfor}"', "0:1,1:2,2:3,"),
        ('"%{for k, v in var.m}${k}=${v};%{endfor}"', "a=1;b=2;"),  # keys in lexical order
        ('"%{for x in []}${x}%{endfor}"', ""),
        ("<<EOT\nhello ${var.s}\nEOT\n", "hello x\n"),
        ('"$${literal} %%{x}"', "${literal} %{x}"),
    ],
)
def test_templates(text: str, expected: object) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"a${var.u}"',
        '"a${null}"',  # Terraform rejects null in a template
        '"a${var.l}"',  # and collections
        '"%{if var.u}x%{endif}"',
        '"%{for x in var.u}${x}%{endfor}"',
        '"%{for x in var.half}${x}%{endfor}"',
        '"%{if 1}x%{endif}"',
        '"%{for x in 5}${x}%{endfor}"',
    ],
)
def test_templates_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", "a"),
        (True, "true"),
        (False, "false"),
        (5, "5"),
        (2.5, "2.5"),
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"),
        (None, UNKNOWN),
        ([1], UNKNOWN),
        ({"a": 1}, UNKNOWN),
        (UNKNOWN, UNKNOWN),
        (float("nan"), UNKNOWN),
    ],
)
def test_to_text(value: object, expected: object) -> None:
    assert to_text(value) == expected


# -- traversals --------------------------------------------------------------------------------


class Lazy(Mapping[str, object]):
    """A root as the module reader gives it: values computed on first access."""

    def __init__(self, data: dict[str, object]) -> None:
        self.data = data
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> object:
        self.reads.append(key)
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("var.l[1]", 2),
        ('var.l["1"]', 2),  # a numeric string converts
        ("var.l[1.0]", 2),
        ("var.l.0", 1),  # the legacy numeric attribute
        ("var.m.a", 1),
        ('var.m["b"]', 2),
        ("var.obj.tags.Name", "n"),
        ('var.obj["tags"]["Name"]', "n"),
        ("var.subnets[1].az", "b"),
        ("local.nested[0][1][0]", 2),
        ("var.half[0]", 1),
        ('{"1" = "x"}[1]', "x"),  # a number key converts to a string
    ],
)
def test_traversals(text: str, expected: object) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "var.u",
        "var.u.x",
        "var.u[0]",
        "var.l[var.u]",
        "var.half[1]",
        "var.m.absent",  # a mapping a root gave may lack what it cannot know
        "nothing",
        "nothing.at.all",
        "var.l[5]",
        "var.l[-1]",
        "var.l[0.5]",
        "var.l.x",
        "var.s.x",
        "var.s[0]",
        "var.obj.absent",  # an evaluated object: an error, unknown all the same
        "var.m[null]",
    ],
)
def test_traversals_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_lazy_roots_are_read_on_access_and_returned_as_dicts() -> None:
    lazy = Lazy({"a": 1, "b": Lazy({"c": 2})})
    assert ev("x.a", x=lazy) == 1
    assert lazy.reads == ["a"]
    assert ev("x.nope", x=lazy) is UNKNOWN
    whole = ev("x", x=lazy)
    assert whole == {"a": 1, "b": {"c": 2}}
    assert type(whole) is dict and type(whole["b"]) is dict
    assert ev("length(x)", x=lazy) == 2
    assert ev('[for k, v in x : k if k != "b"]', x=lazy) == ["a"]


def test_try_and_can_tell_a_missing_key_of_an_evaluated_object_from_an_unknown_one() -> None:
    assert ev('try(var.obj.absent, "d")') == "d"
    assert ev("can(var.obj.absent)") is False
    assert ev("can(var.obj.a)") is True
    assert ev('try(var.m.absent, "d")') is UNKNOWN  # a root's mapping: maybe it has it
    assert ev('try({a = 1}.b, "d")') == "d"


# -- splats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("var.subnets[*].id", ["s-1", "s-2"]),
        ("var.subnets.*.id", ["s-1", "s-2"]),
        ("local.nested[*][0]", [1, 3]),
        ("var.l[*]", [1, 2, 3]),
        ("var.obj[*].a", [1]),  # a single value is wrapped
        ("var.s[*]", ["x"]),
        ("null[*]", []),
        ("[][*].id", []),
        ("var.half[*]", [1, UNKNOWN]),
        ("[var.obj, var.u][*].a", [1, UNKNOWN]),
        ("length(var.subnets[*].id)", 2),
    ],
)
def test_splats(text: str, expected: object) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize("text", ["var.u[*].id", "var.l[*].id"])
def test_splats_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_a_splat_with_an_unknown_key_keeps_its_length() -> None:
    assert ev("var.subnets[*][var.u]") == [UNKNOWN, UNKNOWN]


# -- constructors and for expressions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, var.u]", [1, UNKNOWN]),  # collections hold unknown elements
        ("{a = var.u, b = 1}", {"a": UNKNOWN, "b": 1}),
        (
            '{1 = "a", true = "b", (var.s) = "c", "${var.n}x" = "d"}',
            {"1": "a", "true": "b", "x": "c", "5x": "d"},  # keys convert to strings
        ),
        ("{a = 1, a = 2}", {"a": 2}),
        ("[for x in var.l : x * 2]", [2, 4, 6]),
        ("[for i, x in var.l : i]", [0, 1, 2]),
        ("[for x in var.l : x if x > 1]", [2, 3]),
        ('[for x in var.l : x if "true"]', [1, 2, 3]),
        ("[for k, v in var.m : k]", ["a", "b"]),  # maps in lexical key order
        ("[for v in var.m : v]", [1, 2]),
        ("{for k, v in var.m : v => k}", {"1": "a", "2": "b"}),
        ('{for x in ["a", "b", "a"] : x => x...}', {"a": ["a", "a"], "b": ["b"]}),
        ("[for x in var.half : x]", [1, UNKNOWN]),
        ('[for s in var.subnets : s.id if s.az == "b"]', ["s-2"]),
        ("[for x in [[1, 2], [3]] : [for y in x : y * 10]]", [[10, 20], [30]]),
        ("{for k, v in {b = 1, a = 2} : k => v}", {"a": 2, "b": 1}),
    ],
)
def test_constructors_and_for_expressions(text: str, expected: object) -> None:
    result = ev(text)
    assert result == expected


@pytest.mark.parametrize(
    "text",
    [
        "{(var.u) = 1}",
        "{(null) = 1}",
        "{([1]) = 1}",
        "[for x in var.u : x]",
        "[for x in var.l : x if var.u]",
        "{for x in var.l : var.u => x}",
        '{for x in ["a", "a"] : x => x}',  # a duplicate key without grouping
        "[for x in var.l : x if 1]",
        "[for x in 5 : x]",
        "[for x in null : x]",
        "{for x in var.l : null => x}",
    ],
)
def test_for_expressions_unknown(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_evaluated_objects_are_closed() -> None:
    assert isinstance(ev("{a = 1}"), Object)
    assert isinstance(ev("{for k, v in var.m : k => v}"), Object)


# -- calls -------------------------------------------------------------------------------------


def test_calls() -> None:
    assert ev("max(var.l...)") == 3
    assert ev("max(1, var.l...)") == 3
    assert ev("max(var.u...)") is UNKNOWN
    assert ev("max(var.m...)") is UNKNOWN
    assert ev("no_such_function(1)") is UNKNOWN
    assert ev("provider::aws::arn_parse(var.s)") is UNKNOWN
    assert ev('try(1 / 0, var.l[9], "third")') == "third"
    assert ev("try(1 / 0, var.u)") is UNKNOWN
    assert ev("try(1 / 0)") is UNKNOWN
    assert ev("try(var.half, 1)") is UNKNOWN  # unknown parts could still fail
    assert ev("can(1 / 0)") is False
    assert ev("can(var.u)") is UNKNOWN
    assert ev("can(1, 2)") is UNKNOWN


# -- limits: errors, never exceptions ----------------------------------------------------------


def _nested(depth: int) -> Expr:
    tree: Expr = Literal(1, Pos(1, 1))
    for _ in range(depth):
        tree = TupleExpr((tree,), Pos(1, 1))
    return tree


def test_depth_is_capped() -> None:
    assert evaluate(_nested(100), Env({})) is not UNKNOWN
    assert evaluate(_nested(400), Env({})) is UNKNOWN
    deepest = _nested(5000)  # deeper than Python's own recursion limit
    assert evaluate(deepest, Env({})) is UNKNOWN
    assert references(deepest) == []


def test_sizes_and_work_are_capped() -> None:
    assert ev("[for x in range(1000) : [for y in range(1000) : [x, y]]]") is UNKNOWN
    assert ev("length([for x in range(1000) : x])") == 1000
    big = ["a" * 1000] * 1000
    assert ev('join("", [for x in range(20) : join("", var.big)])', var={"big": big}) is UNKNOWN


def test_a_root_that_raises_reads_as_unknown() -> None:
    class Broken(Mapping[str, object]):
        def __getitem__(self, key: str) -> object:
            raise RuntimeError("boom")

        def __iter__(self) -> Iterator[str]:
            raise RuntimeError("boom")

        def __len__(self) -> int:
            return 1

    assert ev("b.x", b=Broken()) is UNKNOWN
    assert ev("b", b=Broken()) is UNKNOWN


def test_has_unknown() -> None:
    assert has_unknown(UNKNOWN)
    assert has_unknown([1, {"a": [UNKNOWN]}])
    assert has_unknown(PartialJson({"a": 1}))
    assert not has_unknown([1, {"a": [None, "x"]}])


def test_env_child_binds_over_its_parent() -> None:
    env = Env({"a": 1, "b": 2}).child({"b": 3})
    assert evaluate(parse_expression("[a, b]"), env) == [1, 3]
    assert sorted(env.roots) == ["a", "b"] and len(env.roots) == 2


# -- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aws_subnet.a[0].id", ["aws_subnet.a[0].id", "aws_subnet.a[0]", "aws_subnet.a"]),
        ("aws_subnet.a.0.id", ["aws_subnet.a[0].id", "aws_subnet.a[0]", "aws_subnet.a"]),
        ('aws_subnet.a["k"].id', ['aws_subnet.a["k"].id', 'aws_subnet.a["k"]', "aws_subnet.a"]),
        ("aws_iam_role.job.arn", ["aws_iam_role.job.arn", "aws_iam_role.job"]),
        ("aws_iam_role.job", ["aws_iam_role.job"]),
        ("aws_subnet.a[*].id", ["aws_subnet.a"]),
        ("aws_subnet.a.*.id", ["aws_subnet.a"]),
        ("aws_subnet.a[count.index].id", ["aws_subnet.a", "count.index"]),
        ("aws_subnet.a[each.key].id", ["aws_subnet.a", "each.key"]),
        ("var.x", ["var.x"]),
        ("var.x.y", ["var.x.y", "var.x"]),
        ('var.m["k"]', ['var.m["k"]', "var.m"]),
        ("local.x.y", ["local.x.y", "local.x"]),
        ("module.m.out.z", ["module.m.out.z", "module.m.out", "module.m"]),
        ("module.m.out", ["module.m.out", "module.m"]),
        ('module.m["a"].out', ['module.m["a"].out', "module.m"]),
        ("module.m", ["module.m"]),
        (
            "data.aws_iam_policy_document.p.json",
            ["data.aws_iam_policy_document.p.json", "data.aws_iam_policy_document.p"],
        ),
        ("count.index", ["count.index"]),
        ("each.value", ["each.value"]),
        ("each.value.x", ["each.value.x", "each.value"]),
        ("path.module", ["path.module"]),
        ("terraform.workspace", ["terraform.workspace"]),
        ("self.id", ["self.id", "self"]),
        ('"${var.a}-${var.b}-${var.a}"', ["var.a", "var.b"]),
        ("[for s in aws_subnet.a : s.id]", ["aws_subnet.a"]),
        ("{for k, v in var.m : k => v.x if v.y}", ["var.m"]),
        ('"%{for s in var.l}${s}${var.sep}%{endfor}"', ["var.l", "var.sep"]),
        ("jsonencode({role = aws_iam_role.r.arn})", ["aws_iam_role.r.arn", "aws_iam_role.r"]),
        ("var.c ? local.a : local.b", ["var.c", "local.a", "local.b"]),
        ("-var.n + var.m * 2", ["var.n", "var.m"]),
        ("var.l[local.i + 1].x", ["var.l", "local.i"]),
        ("lookup(var.m, var.k)[0]", ["var.m", "var.k"]),
        ("true ? null : 1", []),
        ("var", []),
        ("aws_subnet", []),
    ],
)
def test_references(text: str, expected: list[str]) -> None:
    assert refs(text) == expected


def test_references_leave_bound_names_out() -> None:
    assert refs("each.value.id", frozenset({"each"})) == []
    assert refs("[for x in s.list : x.id + y.z]", frozenset({"y"})) == ["s.list"]
    assert refs("setting.value", frozenset({"setting"})) == []


# -- never raises ------------------------------------------------------------------------------

P = Pos(1, 1)
_NAMES = ["var", "local", "x", "each", "count", "aws_subnet", "true", "null", "lazy"]
_OPS = ["*", "/", "%", "+", "-", ">", ">=", "<", "<=", "==", "!=", "&&", "||"]
_CALLS = [*sorted(FUNCTIONS), "try", "can", "nope"]

_leaf = st.one_of(
    st.builds(
        Literal,
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**70), 2**70),
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(max_size=8),
        ),
        st.just(P),
    ),
    st.builds(Name, st.sampled_from(_NAMES), st.just(P)),
)


def _compound(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    word = st.sampled_from(["a", "b", "id", "0", "list", "value", "key"])
    part = st.one_of(st.text(max_size=4), st.builds(Interp, children, st.just(P)))
    parts = st.lists(part, max_size=3).map(tuple)
    return st.one_of(
        st.builds(GetAttr, children, word, st.just(P)),
        st.builds(Index, children, children, st.just(P)),
        st.builds(
            Splat, children, st.lists(st.one_of(word, children), max_size=2).map(tuple), st.just(P)
        ),
        st.builds(TupleExpr, st.lists(children, max_size=3).map(tuple), st.just(P)),
        st.builds(
            ObjectExpr,
            st.lists(st.builds(ObjectItem, children, children, st.just(P)), max_size=3).map(tuple),
            st.just(P),
        ),
        st.builds(
            Call,
            st.sampled_from(_CALLS),
            st.lists(children, max_size=3).map(tuple),
            st.just(P),
            st.booleans(),
        ),
        st.builds(Unary, st.sampled_from(["-", "!"]), children, st.just(P)),
        st.builds(Binary, st.sampled_from(_OPS), children, children, st.just(P)),
        st.builds(Conditional, children, children, children, st.just(P)),
        st.builds(
            ForExpr,
            st.sampled_from([None, "k"]),
            st.just("x"),
            children,
            st.one_of(st.none(), children),
            children,
            st.one_of(st.none(), children),
            st.booleans(),
            st.just(P),
        ),
        st.builds(Template, parts, st.just(P)),
        st.builds(
            Template,
            st.tuples(
                st.one_of(
                    st.builds(TemplateIf, children, parts, parts, st.just(P)),
                    st.builds(
                        TemplateFor,
                        st.sampled_from([None, "k"]),
                        st.just("x"),
                        children,
                        parts,
                        st.just(P),
                    ),
                )
            ),
            st.just(P),
        ),
    )


_exprs = st.recursive(_leaf, _compound, max_leaves=25)
_ENV = Env(
    {
        "var": {"a": 1, "list": [1, "a", None, UNKNOWN], "b": {"id": "x"}},
        "local": Object(a=[{"id": 1}], value=UNKNOWN),
        "x": UNKNOWN,
        "lazy": Lazy({"a": 1, "key": "k"}),
    }
)
_VALUE_TYPES = (str, int, float, bool, type(None), list, dict, Unknown)


def _plain(value: object) -> bool:
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _VALUE_TYPES)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_exprs)
def test_evaluate_never_raises(expr: Expr) -> None:
    value = evaluate(expr, _ENV)
    assert _plain(value)
    assert all(isinstance(r, str) for r in references(expr))


# -- speed -------------------------------------------------------------------------------------


def test_a_thousand_element_for_expression_is_quick() -> None:
    expr = parse_expression(
        '{for i, s in var.items : "k${i}" => {name = upper(s.name), n = s.n * 2} if s.n >= 0}'
    )
    items = [{"name": f"job{i}", "n": i} for i in range(1000)]
    started = time.perf_counter()
    value = evaluate(expr, Env({"var": {"items": items}}))
    elapsed = time.perf_counter() - started
    assert isinstance(value, dict) and len(value) == 1000
    assert value["k999"] == {"name": "JOB999", "n": 1998}
    assert elapsed < 1.0, elapsed
