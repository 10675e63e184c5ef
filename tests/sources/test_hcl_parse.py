"""The HCL reader: ``.tf`` and ``.tf.json`` text to ``hcl_ast``, with positions and errors."""

from __future__ import annotations

import random
from pathlib import Path

import hcl2.parser
import pytest

from batchlint.sources.hcl_ast import (
    Attribute,
    Binary,
    Block,
    Body,
    Call,
    Comment,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    HclError,
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
    TemplatePart,
    TupleExpr,
    Unary,
)
from batchlint.sources.hcl_parse import (
    parse_expression,
    parse_file,
    parse_json_file,
    parse_template,
)
from tests.conftest import SHARED

CORPUS_TF = sorted((SHARED / "corpus" / "tf").glob("*.tf")) + sorted(
    (SHARED / "corpus" / "peerfixtures").rglob("*.tf")
)


def P(line: int, column: int) -> Pos:
    return Pos(line, column)


def sx(node: Expr | TemplatePart) -> str:
    """A position-free rendering, to compare shapes compactly."""
    if isinstance(node, str):
        return repr(node)
    if isinstance(node, Literal):
        return repr(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Binary):
        return f"({node.op} {sx(node.left)} {sx(node.right)})"
    if isinstance(node, Unary):
        return f"({node.op} {sx(node.operand)})"
    if isinstance(node, Conditional):
        return f"(? {sx(node.cond)} {sx(node.then)} {sx(node.other)})"
    if isinstance(node, GetAttr):
        return f"{sx(node.target)}.{node.name}"
    if isinstance(node, Index):
        return f"{sx(node.target)}[{sx(node.key)}]"
    if isinstance(node, Splat):
        steps = "".join(f".{s}" if isinstance(s, str) else f"[{sx(s)}]" for s in node.steps)
        return f"{sx(node.target)}[*]{steps}"
    if isinstance(node, TupleExpr):
        return "[" + ", ".join(sx(i) for i in node.items) + "]"
    if isinstance(node, ObjectExpr):
        return "{" + ", ".join(f"{sx(i.key)}: {sx(i.value)}" for i in node.items) + "}"
    if isinstance(node, Call):
        return (
            f"{node.name}(" + ", ".join(sx(a) for a in node.args) + ("...)" if node.expand else ")")
        )
    if isinstance(node, Template):
        return "T<" + " ".join(sx(p) for p in node.parts) + ">"
    if isinstance(node, Interp):
        return "${" + sx(node.expr) + "}"
    if isinstance(node, TemplateIf):
        then = " ".join(sx(p) for p in node.then)
        other = " ".join(sx(p) for p in node.other)
        return f"%if({sx(node.cond)}: {then} | {other})"
    if isinstance(node, TemplateFor):
        body = " ".join(sx(p) for p in node.body)
        return f"%for({node.key_var},{node.value_var} in {sx(node.collection)}: {body})"
    assert isinstance(node, ForExpr)
    key = f"{sx(node.key)} => " if node.key is not None else ""
    cond = f" if {sx(node.cond)}" if node.cond is not None else ""
    group = "..." if node.group else ""
    head = f"for({node.key_var},{node.value_var} in {sx(node.collection)}: "
    return f"{head}{key}{sx(node.value)}{group}{cond})"


def attr(text: str, name: str = "a") -> Expr:
    found = parse_file(text, "main.tf").body.attribute(name)
    assert found is not None
    return found.expr


def error(func: object, *args: object) -> tuple[str, int, int]:
    with pytest.raises(HclError) as caught:
        func(*args)  # type: ignore[operator]
    err = caught.value
    return err.message, err.line, err.column


# --------------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("1.5", 1.5),
        ("1e3", 1000),
        ("2.0", 2),
        ("0.5e-1", 0.05),
        ("true", True),
        ("false", False),
        ("null", None),
        ('"plain"', "plain"),
        ('""', ""),
        ("-7", -7),
    ],
)
def test_literals(text: str, value: object) -> None:
    expr = parse_expression(text)
    assert expr == Literal(value, P(1, 1))  # type: ignore[arg-type]
    assert type(expr.value) is type(value)


def test_literal_positions_in_a_file() -> None:
    assert attr('x = 1\n\n  a   = "v"\n') == Literal("v", P(3, 9))
    assert parse_file("a = 1\n", "m.tf").body.attributes[0].pos == P(1, 1)


# --------------------------------------------------------------------------- templates


def test_quoted_template_with_interpolation() -> None:
    assert attr('a = "x-${var.env}-y"\n') == Template(
        ("x-", Interp(GetAttr(Name("var", P(1, 10)), "env", P(1, 10)), P(1, 8)), "-y"), P(1, 5)
    )


def test_single_interpolation_is_a_template_of_one_part() -> None:
    assert attr('a = "${var.n}"\n') == Template(
        (Interp(GetAttr(Name("var", P(1, 8)), "n", P(1, 8)), P(1, 6)),), P(1, 5)
    )


def test_escapes_and_literal_markers() -> None:
    expr = attr('a = "t\\tn\\n q\\" b\\\\ \\u00e9 \\U0001F600 $${x} %%{y} $ %"\n')
    assert expr == Literal('t\tn\n q" b\\ é 😀 ${x} %{y} $ %', P(1, 5))


def test_a_lone_escaped_interpolation() -> None:
    # python-hcl2's escape token would run on to the next `}` in the file
    body = parse_file('a = "$${"\nb = { c = 1 }\n', "m.tf").body
    assert body.attribute("a") == Attribute("a", Literal("${", P(1, 5)), P(1, 1))
    assert [item.name for item in body.attributes] == ["a", "b"]


def test_if_directive_with_strip_markers() -> None:
    expr = attr('a = "<%{ if var.on ~} yes %{~ else ~} no %{~ endif }>"\n')
    assert isinstance(expr, Template)
    assert sx(expr) == "T<'<' %if(var.on: 'yes' | 'no') '>'>"
    directive = expr.parts[1]
    assert isinstance(directive, TemplateIf)
    assert directive.pos == P(1, 7)
    assert directive.cond == GetAttr(Name("var", P(1, 13)), "on", P(1, 13))


def test_for_directive_and_interpolation_strip_markers() -> None:
    expr = attr('a = "%{ for k, v in var.m }${k}=${~ v ~} ,%{ endfor }"\n')
    assert sx(expr) == "T<%for(k,v in var.m: ${k} '=' ${v} ',')>"


def test_nested_template_in_interpolation() -> None:
    assert sx(attr('a = "${lookup(m, "k}", "${x}")}"\n')) == "T<${lookup(m, 'k}', T<${x}>)}>"


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('a = "\\q"\n', "invalid escape sequence '\\q' in a string", 1, 6),
        ('a = "%{ if x }"\n', "'%{if}' has no '%{endif}'", 1, 6),
        ('a = "%{ endfor }"\n', "'%{endfor}' without an open '%{for}'", 1, 6),
        ('a = "%{ else }"\n', "'%{else}' without an open '%{if}'", 1, 6),
        ('a = "%{ while x }"\n', "expected a template directive after '%{', found 'while'", 1, 9),
        ('a = "\\uD800"\n', "invalid unicode escape '\\uD800'", 1, 6),
    ],
)
def test_template_errors(text: str, message: str, line: int, column: int) -> None:
    assert error(parse_file, text, "m.tf") == (message, line, column)


def test_parse_template_positions_from_a_start() -> None:
    expr = parse_template("a\n  ${x}", P(5, 3))
    assert expr == Template(("a\n  ", Interp(Name("x", P(6, 5)), P(6, 3))), P(5, 3))


def test_parse_template_for_loop_with_strip_markers() -> None:
    text = "%{ for s in subnets ~}\nsubnet=${s}\n%{ endfor ~}\ndone\\n"
    expr = parse_template(text)
    assert sx(expr) == "T<%for(None,s in subnets: 'subnet=' ${s} '\\n') 'done\\\\n'>"


def test_parse_template_errors() -> None:
    assert error(parse_template, "x\n %{ while y }") == (
        "unknown template directive '%{while y}'",
        2,
        4,
    )
    assert error(parse_template, "${a +}") == (
        "expected an expression after '+', found end of input",
        1,
        6,
    )
    assert error(parse_template, "${ x") == ("unclosed '${' opened at line 1", 1, 1)


def test_parse_template_without_interpolation_is_a_literal() -> None:
    assert parse_template('{"a": 1} $${x}') == Literal('{"a": 1} ${x}', P(1, 1))


# --------------------------------------------------------------------------- heredocs

HEREDOCS = """a = <<EOF
  keep ${x}
    indent
EOF
b = <<-EOT
    stripped
      two

    three
    EOT
c = <<-EOT
    ${first}
      rest
  EOT
d = <<EOF
EOF
e = <<JSON
{"#": "not a comment"}
"""
HEREDOCS += "  JSON  \n"  # the closing marker followed by spaces


def test_heredocs() -> None:
    body = parse_file(HEREDOCS, "m.tf").body
    values = {item.name: item.expr for item in body.attributes}
    assert values["a"] == Template(
        ("  keep ", Interp(Name("x", P(2, 10)), P(2, 8)), "\n    indent\n"), P(1, 5), heredoc=True
    )
    assert values["b"] == Literal("stripped\n  two\n\nthree\n", P(5, 5))
    assert sx(values["c"]) == "T<${first} '\\n  rest\\n'>"  # indented less than `${first}`
    assert values["d"] == Literal("", P(15, 5))
    # a closing marker followed by spaces still closes (as in Terraform)
    assert values["e"] == Literal('{"#": "not a comment"}\n', P(17, 5))
    assert parse_file(HEREDOCS, "m.tf").comments == ()


def test_heredoc_followed_by_attribute() -> None:
    body = parse_file("a = <<EOF\nx\nEOF\nb = 2\n", "m.tf").body
    assert [item.name for item in body.attributes] == ["a", "b"]


# --------------------------------------------------------------------------- traversals


def test_traversal_positions() -> None:
    assert parse_expression('a.b[0]["k"].c') == GetAttr(
        Index(
            Index(GetAttr(Name("a", P(1, 1)), "b", P(1, 1)), Literal(0, P(1, 5)), P(1, 1)),
            Literal("k", P(1, 8)),
            P(1, 1),
        ),
        "c",
        P(1, 1),
    )


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a.0.b", "a[0].b"),
        ("a[*].b.c", "a[*].b.c"),
        ("a[*].b[0]", "a[*].b[0]"),
        ("a.*.b", "a[*].b"),
        ("a.*.b[0]", "a[*].b[0]"),  # legacy splat: the index applies to the result
        ("a[*]", "a[*]"),
        ("aws_subnet.private[count.index].id", "aws_subnet.private[count.index].id"),
    ],
)
def test_traversals_and_splats(text: str, shape: str) -> None:
    assert sx(parse_expression(text)) == shape


def test_legacy_splat_index_is_outside_the_splat() -> None:
    expr = parse_expression("a.*.b[0]")
    assert isinstance(expr, Index)
    assert expr.target == Splat(Name("a", P(1, 1)), ("b",), P(1, 1))


# --------------------------------------------------------------------------- collections


def test_tuple() -> None:
    assert parse_expression("[1, x,\n  true]") == TupleExpr(
        (Literal(1, P(1, 2)), Name("x", P(1, 5)), Literal(True, P(2, 3))), P(1, 1)
    )


def test_object_keys_and_separators() -> None:
    expr = parse_expression('{\n  a = 1, "b": 2\n  (k) = 3\n  "${p}x" = 4\n  for = 5\n}')
    assert isinstance(expr, ObjectExpr)
    assert expr.items[0] == ObjectItem(Literal("a", P(2, 3)), Literal(1, P(2, 7)), P(2, 3))
    assert expr.items[1].key == Literal("b", P(2, 10))
    assert expr.items[2].key == Name("k", P(3, 4))  # parenthesised: an expression
    assert sx(expr.items[3].key) == "T<${p} 'x'>"
    assert expr.items[4].key == Literal("for", P(5, 3))


def test_object_items_need_a_separator() -> None:
    assert error(parse_expression, "{ a = 1 b = 2 }") == (
        "expected ',' or a newline between object items",
        1,
        9,
    )


# --------------------------------------------------------------------------- calls, operators


def test_calls() -> None:
    assert parse_expression("merge(a, [b]...)") == Call(
        "merge",
        (Name("a", P(1, 7)), TupleExpr((Name("b", P(1, 11)),), P(1, 10))),
        P(1, 1),
        expand=True,
    )
    assert parse_expression("provider::aws::arn_parse(x)") == Call(
        "provider::aws::arn_parse", (Name("x", P(1, 26)),), P(1, 1)
    )
    assert sx(parse_expression("f(\n  1,\n  2,\n)")) == "f(1, 2)"


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b * c % d", "(% (* (/ a b) c) d)"),
        ("a + b > c - d", "(> (+ a b) (- c d))"),
        ("a < b == c >= d", "(== (< a b) (>= c d))"),
        ("a == b && c != d", "(&& (== a b) (!= c d))"),
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c && d", "(|| (&& a b) (&& c d))"),
        ("!a && b", "(&& (! a) b)"),
        ("-a * b", "(* (- a) b)"),
        ("!a == b", "(== (! a) b)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a ? b : c ? d : e", "(? a b (? c d e))"),
        ("a || b ? c + d : e", "(? (|| a b) (+ c d) e)"),
        ("a <= b\n  || c", "(|| (<= a b) c)"),
    ],
)
def test_operator_precedence(text: str, shape: str) -> None:
    assert sx(parse_expression(text)) == shape


def test_operator_positions() -> None:
    assert parse_expression("x + -y") == Binary(
        "+", Name("x", P(1, 1)), Unary("-", Name("y", P(1, 6)), P(1, 5)), P(1, 1)
    )
    assert parse_expression("c ? 1 : 2") == Conditional(
        Name("c", P(1, 1)), Literal(1, P(1, 5)), Literal(2, P(1, 9)), P(1, 1)
    )


def test_parentheses_return_the_inner_expression() -> None:
    assert parse_expression("((x))") == Name("x", P(1, 3))


# --------------------------------------------------------------------------- for expressions


def test_for_expressions() -> None:
    assert parse_expression("[for s in var.subnets : s.id if s.public]") == ForExpr(
        key_var=None,
        value_var="s",
        collection=GetAttr(Name("var", P(1, 11)), "subnets", P(1, 11)),
        key=None,
        value=GetAttr(Name("s", P(1, 25)), "id", P(1, 25)),
        cond=GetAttr(Name("s", P(1, 33)), "public", P(1, 33)),
        group=False,
        pos=P(1, 1),
    )
    expr = parse_expression('{for k, v in m : v.team => k... if k != ""}')
    assert sx(expr) == "for(k,v in m: v.team => k... if (!= k ''))"
    assert sx(parse_expression("{for k, v in m : k => v}")) == "for(k,v in m: k => v)"


# --------------------------------------------------------------------------- bodies

MAIN = """# batchlint:ignore=BL-CE-001 because the queue is tiny
resource "aws_batch_compute_environment" "spot" { // trailing
  compute_environment_name = "spot"
  /* a block
     comment */
  compute_resources {
    max_vcpus = 16 # inline
    ec2_configuration { image_type = "ECS_AL2" }
  }
  tags = { "url" = "http://example.com/#x" }
}

locals { one = 1 }
variable env {
}
"""


def test_blocks_attributes_and_positions() -> None:
    file = parse_file(MAIN, "main.tf")
    assert file.path == "main.tf"
    ce, local, var = file.body.blocks
    assert (ce.type, ce.labels, ce.pos, ce.end_line) == (
        "resource",
        ("aws_batch_compute_environment", "spot"),
        P(2, 1),
        11,
    )
    assert ce.body.attribute("compute_environment_name") == Attribute(
        "compute_environment_name", Literal("spot", P(3, 30)), P(3, 3)
    )
    resources = ce.body.blocks_of("compute_resources")[0]
    assert (resources.pos, resources.end_line) == (P(6, 3), 9)
    inner = resources.body.blocks[0]
    assert inner == Block(
        "ec2_configuration",
        (),
        Body((Attribute("image_type", Literal("ECS_AL2", P(8, 38)), P(8, 25)),)),
        P(8, 5),
        8,
    )
    assert local.body.attributes == (Attribute("one", Literal(1, P(13, 16)), P(13, 10)),)
    assert (var.type, var.labels, var.end_line) == ("variable", ("env",), 15)


def test_comments_in_order_with_text_and_position() -> None:
    assert parse_file(MAIN, "main.tf").comments == (
        Comment("batchlint:ignore=BL-CE-001 because the queue is tiny", P(1, 1)),
        Comment("trailing", P(2, 51)),
        Comment("a block\n     comment", P(4, 3)),
        Comment("inline", P(7, 20)),
    )


def test_comments_where_the_grammar_has_no_room_for_them() -> None:
    file = parse_file("a = /* c */ 1\nb = f(1, # one\n  2)\n", "m.tf")
    assert [c.text for c in file.comments] == ["c", "one"]
    assert file.body.attribute("a") == Attribute("a", Literal(1, P(1, 13)), P(1, 1))


def test_crlf_and_bom() -> None:
    file = parse_file('\ufeff# c\r\na = "x"\r\nb {\r\n  c = 1\r\n}\r\n', "m.tf")
    assert file.body.attribute("a") == Attribute("a", Literal("x", P(2, 5)), P(2, 1))
    assert file.body.blocks[0].end_line == 5
    assert file.comments == (Comment("c", P(1, 2)),)


def test_keywords_as_names() -> None:
    body = parse_file('for_each = 1\nin = 2\ndynamic "x" {\n  for_each = 3\n}\n', "m.tf").body
    assert [a.name for a in body.attributes] == ["for_each", "in"]
    assert body.blocks[0].labels == ("x",)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('resource "a" "b" {\n  foo\n}\n', "expected '=' or a block after 'foo'", 2, 6),
        ("a.b = 1\n", "expected '=' or a block after 'a'", 1, 2),
        ('x "a" = 1\n', "expected '{' after block header 'x \"a\"'", 1, 7),
        ('a = "abc\nb = 1\n', "unterminated string", 1, 5),
        ("x {\n  a = [1, 2\n}\n", "'}' does not close '[' opened at line 2", 3, 1),
        ("\n\nx {\n  a = 1\n", "unclosed '{' opened at line 3", 3, 3),
        ("a = ]\n", "unexpected ']': nothing is open here", 1, 5),
        ("a = <<EOF\nbody\n", "unterminated heredoc: no line 'EOF' closes '<<EOF'", 1, 5),
        ("a = /* x\n", "unterminated comment: no '*/' closes '/*'", 1, 5),
        ("a = 1\nb = 2\na = 3\n", "duplicate attribute 'a' (first set at line 1)", 3, 1),
        ("x {\n  a = 1 b = 2\n}\n", "expected a newline before another attribute or block", 2, 9),
        ("x\n{\n}\n", "a block's '{' must be on the same line as its type and labels", 1, 2),
        ("a = \n", "expected an expression after '=', found end of line", 1, 5),
        ("a = 1 +\n", "expected an expression after '+', found end of input", 1, 8),
        ("a = f(1,,2)\n", "expected an expression after ',', found ','", 1, 9),
        ("a = x ? 1\n", "expected ':' after '1', found end of input", 1, 10),
        ("a = @\n", "expected an expression after '=', found '@'", 1, 5),
        ('x "${y}" {}\n', "a block label must be a plain string, without interpolation", 1, 3),
        ("a = " + "[" * 80 + "]" * 80 + "\n", "nesting deeper than 64 levels", 1, 69),
    ],
)
def test_file_errors(text: str, message: str, line: int, column: int) -> None:
    assert error(parse_file, text, "m.tf") == (message, line, column)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "expected an expression, found end of input", 1, 1),
        ("1 +", "expected an expression after '+', found end of input", 1, 4),
        ("a b", "expected the end of the expression after 'a', found 'b'", 1, 3),
        ("a)", "unexpected ')': nothing is open here", 1, 2),
        ('"${}"', "expected an expression after '${', found '}'", 1, 4),
    ],
)
def test_expression_errors(text: str, message: str, line: int, column: int) -> None:
    assert error(parse_expression, text) == (message, line, column)


def test_absurd_nesting_is_an_hcl_error() -> None:
    message, _, _ = error(parse_file, "a = " + "x." * 3000 + "y\n", "m.tf")
    assert message == "expression nested too deeply"
    long_sum = parse_file("a = " + " + ".join(["1"] * 3000) + "\n", "m.tf")  # iterative
    assert isinstance(long_sum.body.attributes[0].expr, Binary)


# --------------------------------------------------------------------------- .tf.json

TF_JSON = """{
  "//": "batchlint:ignore=BL-JQ-001 a JSON comment",
  "resource": {
    "aws_batch_job_queue": {
      "q": {
        "name": "q-${var.env}",
        "priority": 1,
        "compute_environment_order": [
          {"order": 1, "compute_environment": "${aws_batch_compute_environment.spot.arn}"}
        ],
        "depends_on": ["aws_iam_role.batch"],
        "provider": "aws.west"
      }
    },
    "aws_instance": {"web": [{"ami": "a"}, {"ami": "b"}]}
  },
  "variable": {"env": {"type": "list(string)", "default": ["a", 2.0, true, null]}},
  "locals": {"n": 1.5},
  "output": {"o": {"value": "${local.n}"}},
  "module": {"m": {"source": "./mod", "//": "why"}},
  "terraform": {"required_version": ">= 1.5"}
}
"""


def test_json_blocks_and_labels() -> None:
    file = parse_json_file(TF_JSON, "main.tf.json")
    shapes = [(b.type, b.labels, b.pos, b.end_line) for b in file.body.blocks]
    assert shapes == [
        ("resource", ("aws_batch_job_queue", "q"), P(5, 7), 13),
        ("resource", ("aws_instance", "web"), P(15, 22), 15),
        ("resource", ("aws_instance", "web"), P(15, 22), 15),
        ("variable", ("env",), P(17, 16), 17),
        ("locals", (), P(18, 3), 18),
        ("output", ("o",), P(19, 14), 19),
        ("module", ("m",), P(20, 14), 20),
        ("terraform", (), P(21, 3), 21),
    ]
    assert file.comments == (
        Comment("batchlint:ignore=BL-JQ-001 a JSON comment", P(2, 3)),
        Comment("why", P(20, 39)),
    )


def test_json_values() -> None:
    blocks = parse_json_file(TF_JSON, "main.tf.json").body.blocks
    queue = blocks[0].body
    assert queue.attribute("name") == Attribute(
        "name",
        Template(
            ("q-", Interp(GetAttr(Name("var", P(6, 22)), "env", P(6, 22)), P(6, 20))), P(6, 17)
        ),
        P(6, 9),
    )
    assert queue.attribute("priority") == Attribute("priority", Literal(1, P(7, 21)), P(7, 9))
    order = queue.attribute("compute_environment_order")
    assert order is not None
    assert (
        sx(order.expr)
        == "[{'order': 1, 'compute_environment': T<${aws_batch_compute_environment.spot.arn}>}]"
    )
    # strings Terraform reads as expressions
    depends = queue.attribute("depends_on")
    provider = queue.attribute("provider")
    assert depends is not None and provider is not None
    assert depends.expr == TupleExpr(
        (GetAttr(Name("aws_iam_role", P(11, 25)), "batch", P(11, 25)),), P(11, 23)
    )
    assert sx(provider.expr) == "aws.west"
    variable = blocks[3].body
    type_, default = variable.attributes
    assert sx(type_.expr) == "list(string)"
    assert sx(default.expr) == "['a', 2, True, None]"
    assert blocks[4].body.attributes == (Attribute("n", Literal(1.5, P(18, 19)), P(18, 14)),)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "unexpected end of file: expected a JSON value", 1, 1),
        ("[]", "a .tf.json file must hold a JSON object", 1, 1),
        ('{\n  "resource": 1\n}', "expected a JSON object for the block 'resource'", 2, 15),
        ('{"locals": {"a": }}', "expected a JSON value, found '}'", 1, 18),
        ('{"locals": {"a": 1,}}', "expected a string key in a JSON object", 1, 20),
        ('{"locals": {"a" 1}}', "expected ':' after the key \"a\"", 1, 17),
        ('{"locals": {"a": 1 "b": 2}}', "expected ',' or '}' after an object member", 1, 20),
        ('{"locals": {"a": [1 2]}}', "expected ',' or ']' after an array element", 1, 21),
        ('{"locals": {"a": "x', "unterminated string", 1, 18),
        ('{"locals": {\n"a": 1,\n"a": 2}}', "duplicate attribute 'a' (first set at line 2)", 3, 1),
        ('{"locals": {"a": "${x"}}', "unclosed '${' opened at line 1", 1, 19),
        ('{"a": {}} x', "unexpected text after the JSON document", 1, 11),
    ],
)
def test_json_errors(text: str, message: str, line: int, column: int) -> None:
    assert error(parse_json_file, text, "m.tf.json") == (message, line, column)


# --------------------------------------------------------------------------- corpus, robustness


def test_the_lark_parser_is_built_once() -> None:
    parse_file("a = 1\n", "m.tf")
    parse_expression("b")
    assert hcl2.parser.parser.cache_info().currsize == 1


@pytest.mark.skipif(not CORPUS_TF, reason="../shared corpus absent")
@pytest.mark.parametrize("path", CORPUS_TF, ids=lambda p: p.name)
def test_every_corpus_file_parses(path: Path) -> None:
    file = parse_file(path.read_text(encoding="utf-8"), str(path))
    assert file.body.blocks or file.body.attributes


FALLBACK = MAIN + HEREDOCS + 'x = [for k, v in m : "${k}=%{ if v }on%{ else }off%{ endif }"]\n'
MUTATIONS = [
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    '"',
    "${",
    "%{",
    "~",
    "#",
    "/*",
    "<<EOF\n",
    "\\",
    "=",
    "\n",
    ",",
]


def test_mutations_raise_only_hcl_error() -> None:
    rng = random.Random(8)
    texts = [p.read_text(encoding="utf-8") for p in CORPUS_TF[::6]] or [FALLBACK]
    failures = 0
    for _ in range(200):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        text = text[max(0, start - 800) : start + 800]
        if rng.random() < 0.4:
            text = text[: rng.randrange(len(text) + 1)]
        else:
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(text) + 1)
                cut = rng.randint(0, 3)
                text = text[:at] + rng.choice(MUTATIONS) + text[at + cut :]
        for parse in (lambda t: parse_file(t, "m.tf"), parse_template, parse_expression):
            try:
                parse(text)
            except HclError as err:
                assert err.line >= 1 and err.column >= 1
                assert err.message and "\n" not in err.message
                failures += 1
    assert failures > 200  # the mutations did break things


def test_json_mutations_raise_only_hcl_error() -> None:
    rng = random.Random(9)
    for _ in range(200):
        text = TF_JSON
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice([*MUTATIONS, ":", "1"]) + text[at + rng.randint(0, 3) :]
        try:
            parse_json_file(text, "m.tf.json")
        except HclError as err:
            assert err.line >= 1 and err.column >= 1 and "\n" not in err.message
