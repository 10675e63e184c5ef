"""Property-based tests: generated and mutated templates and plans through loaders, rules and
every reporter. The only acceptable outcomes are findings or a clean input error.

For every generated input (see ``tests/fuzz_strategies.py``):

* nothing raises: not the loader (``sources.load_text``), not the scan (``engine.scan``), not
  a reporter, not ``batchlint cost`` (a clean ``UsageError`` is an input error, not a crash);
  no rule crashes into BL-META-003 and no estimate gives up ("Not estimated: …");
* every finding has line ≥ 1 and column ≥ 1;
* JSON parses (no NaN), matches the published report schema and gives back every message,
  name and path exactly as it was (the same for SARIF's messages); SARIF parses and (every
  ``SARIF_EVERY``-th input) validates against the OASIS 2.1.0 schema;
* text output has no control characters (no ANSI escape, no carriage return, no bidi
  override) and exactly one line per finding; colour comes only from the reporter's own codes;
* Markdown has no raw HTML or link syntax from the input outside code spans, and every table
  row has its table's number of cells on one line;
* every output is UTF-8 encodable, and no generated credential appears in any output, skip
  reason or error message.

Settings: a deterministic CI profile (``derandomize``, a fixed number of examples per test).
``BATCHLINT_FUZZ_EXAMPLES=7000`` runs that many examples per property test (a random seed
each run) instead.
The number of inputs that ran is printed at the end of the module.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchlint import cli, schema
from batchlint.cli import UsageError
from batchlint.cost import report as cost_report
from batchlint.cost.command import THRESHOLD_RULE, compare_paths, estimate_paths
from batchlint.cost.compare import FileCosts
from batchlint.cost.estimate import Cost, Range
from batchlint.cost.live import price_source
from batchlint.cost.usage import UsageError as UsageFileError
from batchlint.cost.usage import load_usage
from batchlint.engine import ScanOptions, scan
from batchlint.meta import RULE_CRASHED
from batchlint.model import Scope
from batchlint.registry import builtin_rules, find
from batchlint.report import Finding, Report
from batchlint.reporters import render
from batchlint.reporters import text as text_reporter
from batchlint.rule import Severity
from batchlint.sources import Skipped, load_text

from .fuzz_strategies import BIG_INT_DIGITS, Generated, inputs, nasty_text

SARIF_SCHEMA = Path(__file__).parent / "vendor" / "sarif-schema-2.1.0.json"
SARIF_EVERY = 10  # validating SARIF against the OASIS schema is the slow part
CLI_EVERY = 4  # the command line end to end (stderr included) on every 4th input

LOCAL_EXAMPLES = int(os.environ.get("BATCHLINT_FUZZ_EXAMPLES", "0") or 0)
RAN: Counter[str] = Counter()  # generated inputs that went through the whole pipeline


def fuzz(ci_examples: int) -> settings:
    """The CI profile (deterministic, ``ci_examples``), or a big random local round."""
    common: dict[str, Any] = {
        "deadline": None,
        "database": None,
        "suppress_health_check": [
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    }
    if LOCAL_EXAMPLES:
        return settings(max_examples=LOCAL_EXAMPLES, derandomize=False, **common)
    return settings(max_examples=ci_examples, derandomize=True, **common)


# -- what must hold of every output ----------------------------------------------------------

# control characters, and the invisible ones that reorder or break a line
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
OWN_COLORS = re.compile(r"\x1b\[(?:0|1|31|33|36)m")
ALLOWED_HTML = {"<details><summary>Assumptions</summary>", "</details>"}


def no_nan(name: str) -> float:
    raise AssertionError(f"{name} in JSON output")


def parse_json(text: str) -> Any:
    return json.loads(text, parse_constant=no_nan)


def check_printable(text: str, what: str) -> None:
    text.encode("utf-8")  # strict: a lone surrogate cannot be written out
    found = UNSAFE.search(text)
    assert found is None, (
        f"{what}: raw {found.group()!r} in {text[max(found.start() - 40, 0) :][:80]!r}"
    )


def check_stderr(err: str, secrets: list[str]) -> None:
    """What the command line printed on stderr: whole lines of its own, nothing raw."""
    for line in err.splitlines():
        check_printable(line, "stderr")
        assert line.startswith("batchlint: "), f"stray stderr line {line!r}"
    check_secrets(err, secrets, "stderr")


def check_secrets(text: str, secrets: list[str], what: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{what} prints a credential from the input"


def check_text(out: str, report: Report, *, color: bool) -> None:
    plain = OWN_COLORS.sub("", out) if color else out
    check_printable(plain.replace("\n", ""), "text")
    lines = [line for line in plain.splitlines() if line]
    assert len(lines) == len(report.findings) + 1, "one line per finding, then the summary"
    for line, finding in zip(lines, report.findings, strict=False):
        where = f"{text_reporter.clean(finding.file)}:{finding.line}:{finding.column}: "
        assert line.startswith(f"{where}{finding.code} {finding.name} "), line


def check_cost_text(out: str) -> None:
    check_printable(out.replace("\n", ""), "cost text")


def _unescaped(line: str) -> Iterator[tuple[int, str]]:
    """(position, character) of the Markdown-significant characters of ``line`` outside code
    spans and backslash escapes."""
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            fence = "`" * run
            close = re.compile(rf"(?<!`){fence}(?!`)")
            found = close.search(line, i + run)
            if found is not None:
                i = found.end()
                continue
            i += run
            continue
        yield i, char
        i += 1


def check_markdown(out: str) -> None:
    out.encode("utf-8")
    lines = out.split("\n")
    cells: int | None = None
    for line in lines:
        check_printable(line, "markdown")
        if line in ALLOWED_HTML:
            continue
        for at, char in _unescaped(line):
            assert char != "<", f"raw HTML in markdown line {line!r}"
            assert not (char == "]" and line[at + 1 : at + 2] == "("), f"a link in {line!r}"
        if line.startswith("|"):
            pipes = len(re.findall(r"(?<!\\)\|", line))
            if cells is None:
                cells = pipes
            assert pipes == cells, f"table row with {pipes - 1} cells, not {cells - 1}: {line!r}"
        else:
            assert cells is None or line == "", f"table followed by {line!r} (a broken row?)"
            cells = None


_SARIF_VALIDATOR: jsonschema.protocols.Validator | None = None
_REPORT_VALIDATOR: jsonschema.protocols.Validator | None = None


def sarif_validator() -> jsonschema.protocols.Validator:
    global _SARIF_VALIDATOR
    if _SARIF_VALIDATOR is None:
        doc = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        _SARIF_VALIDATOR = jsonschema.validators.validator_for(doc)(doc)
    return _SARIF_VALIDATOR


def report_validator() -> jsonschema.protocols.Validator:
    global _REPORT_VALIDATOR
    if _REPORT_VALIDATOR is None:
        _REPORT_VALIDATOR = jsonschema.Draft202012Validator(schema.json_schema())
    return _REPORT_VALIDATOR


def check_json(out: str, report: Report) -> None:
    """Parses, matches the published schema, and gives back every text exactly as it was."""
    doc = parse_json(out)
    assert len(doc["findings"]) == len(report.findings)
    for written, finding in zip(doc["findings"], report.findings, strict=True):
        for key in ("message", "resource", "resource_type", "file", "pointer"):
            assert written[key] == getattr(finding, key), key
    report_validator().validate(doc)


def check_sarif(out: str, report: Report, validate: bool) -> None:
    log = parse_json(out)
    results = log["runs"][0]["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings, strict=True):
        assert result["message"]["text"] == finding.message
        assert result["properties"]["resource"] == finding.resource
        physical = result["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith("/") and ".." not in uri.split("/")
    if validate:
        sarif_validator().validate(log)


# -- the pipeline ------------------------------------------------------------------------------

PRICES = price_source(False)
_THRESHOLD = find(list(builtin_rules()), THRESHOLD_RULE)
assert _THRESHOLD is not None


def _options(usage_path: Path | None) -> ScanOptions:
    usage = load_usage(usage_path) if usage_path is not None else None
    return ScanOptions(price_source=PRICES, usage=usage, budget_usd=500.0)  # max-cost-over-budget


def _cost_options(usage_path: Path | None) -> ScanOptions:
    assert _THRESHOLD is not None
    usage = load_usage(usage_path) if usage_path is not None else None
    return ScanOptions(
        select=[_THRESHOLD.code],
        rule_options={THRESHOLD_RULE: {"max_increase_usd": 0.0, "max_increase_percent": None}},
        price_source=PRICES,
        usage=usage,
    )


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def run_pipeline(gen: Generated) -> None:
    secrets = gen.secrets
    outputs: dict[str, str] = {}

    # the loader, through its public entry point (also with lone surrogates, which only a str
    # can hold: a file with them is not UTF-8)
    loaded = load_text(gen.text, gen.file_name, "us-east-1")
    if isinstance(loaded, Skipped):
        check_secrets(loaded.reason, secrets, "skip reason")
    else:
        assert loaded and all(isinstance(scope, Scope) for scope in loaded)
        for issue in (issue for scope in loaded for issue in scope.meta):
            assert issue.line >= 1 and issue.column >= 1, (issue.code, issue.message)
            check_secrets(issue.message, secrets, issue.code)

    with tempfile.TemporaryDirectory(prefix="batchlint-fuzz-") as temp:
        folder = Path(temp)
        path = _write(folder, gen.file_name, gen.text)
        (folder / "base").mkdir()
        base = _write(folder / "base", gen.file_name, gen.base_text)
        usage_path = None
        if gen.usage is not None:
            usage_path = folder / "usage.yaml"
            usage_path.write_text(yaml.safe_dump(gen.usage, allow_unicode=True), encoding="utf-8")
            try:
                load_usage(usage_path)
            except UsageFileError:  # a figure the usage file cannot hold: no usage then
                usage_path = None

        # scan, then every report format
        report = scan([str(path)], _options(usage_path))
        for finding in report.findings:
            assert finding.line >= 1 and finding.column >= 1, finding
            assert finding.code != RULE_CRASHED.code, finding.message
        for _, reason in report.files_skipped:
            check_secrets(reason, secrets, "skip reason")
        for cost in report.costs:
            assert not any(a.startswith("Not estimated") for a in cost["assumptions"]), cost
        for fmt in ("text", "json", "sarif"):
            outputs[fmt] = render(report, fmt, color=False, tool_version="0", base_dir=temp)
        outputs["text-color"] = render(report, "text", color=True, tool_version="0", base_dir=".")
        check_text(outputs["text"], report, color=False)
        check_text(outputs["text-color"], report, color=True)
        check_json(outputs["json"], report)
        check_sarif(outputs["sarif"], report, validate=sum(RAN.values()) % SARIF_EVERY == 0)

        # batchlint cost: one set of files, then a comparison with the unmutated document
        options = _cost_options(usage_path)
        try:
            files = estimate_paths([str(path)], options)
        except UsageError as exc:
            check_secrets(str(exc), secrets, "input error")
            files = []
        for item in files:
            for cost_item in item.costs:
                assert not any(a.startswith("Not estimated") for a in cost_item.assumptions)
        usage_file = str(usage_path) if usage_path is not None else None
        outputs["cost-text"] = cost_report.text_costs(files, usage_file=usage_file)
        outputs["cost-json"] = cost_report.json_costs(
            files, usage_file=usage_file, notes=[], tool_version="0"
        )
        outputs["cost-md"] = cost_report.markdown_costs(files, usage_file=usage_file, notes=[])
        try:
            compared = compare_paths(str(base), str(path), options)
        except UsageError as exc:
            check_secrets(str(exc), secrets, "input error")
        else:
            outputs["compare-text"] = cost_report.text_comparison(
                compared.comparison,
                base=str(base),
                head=str(path),
                findings=compared.report.findings,
                usage_file=usage_file,
            )
            outputs["compare-json"] = cost_report.json_comparison(
                compared.comparison,
                base=compared.base,
                head=compared.head,
                findings=compared.report.findings,
                thresholds={"max_increase_usd": 0.0, "max_increase_percent": None},
                usage_file=usage_file,
                notes=[],
                tool_version="0",
            )
            outputs["compare-md"] = cost_report.markdown_comparison(
                compared.comparison,
                findings=compared.report.findings,
                usage_file=usage_file,
                notes=[],
            )
            for finding in compared.report.findings:
                assert finding.code != RULE_CRASHED.code, finding.message
        if sum(RAN.values()) % CLI_EVERY == 0:
            outputs.update(run_cli(path, usage_path, secrets))
    for name in ("cost-text", "compare-text", "cli-scan"):
        if name in outputs:
            check_cost_text(outputs[name])
    for name in ("cost-json", "compare-json"):
        if name in outputs:
            parse_json(outputs[name])
    for name in ("cost-md", "compare-md", "cli-cost"):
        if name in outputs:
            check_markdown(outputs[name])
    for name, out in outputs.items():
        out.encode("utf-8")
        check_secrets(out, secrets, name)
    RAN[gen.format] += 1


def run_cli(path: Path, usage_path: Path | None, secrets: list[str]) -> dict[str, str]:
    """``batchlint scan -v`` and ``batchlint cost --format markdown`` as a user runs them."""
    usage = ["--usage", str(usage_path)] if usage_path is not None else []
    runs = {
        "cli-scan": ["scan", "--verbose", "--fail-on", "never", str(path), *usage],
        "cli-cost": ["cost", "--format", "markdown", str(path), *usage],
    }
    out: dict[str, str] = {}
    for name, argv in runs.items():
        stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main(argv)
        assert code in (0, 2), (argv, code, stderr.getvalue())
        stdout.flush()
        out[name] = stdout.buffer.getvalue().decode("utf-8")
        check_stderr(stderr.getvalue(), secrets)
        out[name + "-stderr"] = stderr.getvalue()
    return out


# -- properties ----------------------------------------------------------------------------------


@fuzz(ci_examples=120)
@given(gen=inputs("cfn-yaml"))
def test_cloudformation_yaml(gen: Generated) -> None:
    run_pipeline(gen)


@fuzz(ci_examples=90)
@given(gen=inputs("cfn-json"))
def test_cloudformation_json(gen: Generated) -> None:
    run_pipeline(gen)


@fuzz(ci_examples=130)
@given(gen=inputs("tf-json"))
def test_terraform_plan(gen: Generated) -> None:
    run_pipeline(gen)


# -- the reporters on any text ---------------------------------------------------------------

_any_text = st.one_of(nasty_text(), st.text(max_size=40))
_CODES = ["BL-CE-001", "BL-JD-005", "BL-META-002", "BL-JQ-001"]


@st.composite
def findings(draw: Any) -> Finding:
    return Finding(
        code=draw(st.sampled_from(_CODES)),
        name="some-rule",
        severity=draw(st.sampled_from(list(Severity))),
        message=draw(_any_text),
        resource=draw(_any_text),
        resource_type=draw(_any_text),
        file=draw(_any_text),
        line=draw(st.integers(1, 10**6)),
        column=draw(st.integers(1, 10**4)),
        pointer=draw(_any_text),
        fingerprint=draw(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)),
        estimated_monthly_cost_usd=draw(st.none() | st.floats(0, 1e9)),
    )


_money = st.builds(lambda a, b: Range(min(a, b), max(a, b)), st.floats(0, 1e7), st.floats(0, 1e7))


@st.composite
def costs(draw: Any) -> Cost:
    kind = draw(st.sampled_from(["compute_environment", "job_definition", "job_queue"]))
    return Cost(
        resource=draw(_any_text),
        resource_type=draw(_any_text),
        kind=kind,
        file=draw(_any_text),
        region=draw(_any_text),
        floor_monthly=draw(st.none() | _money),
        ceiling_monthly=draw(st.none() | _money),
        per_job_hour=draw(st.none() | _money),
        worst_case_per_submission=draw(st.none() | _money),
        unbounded=draw(st.booleans()),
        usage_monthly=draw(st.none() | _money),
        details={"compute_type": draw(_any_text)},
        assumptions=draw(st.lists(_any_text, max_size=2)),
        prices=draw(_any_text),
    )


@fuzz(ci_examples=200)
@given(
    found=st.lists(findings(), max_size=4),
    files=st.lists(
        st.builds(FileCosts, _any_text, _any_text, _any_text, st.lists(costs(), max_size=3)),
        max_size=2,
    ),
    notes=st.lists(_any_text, max_size=2),
    usage_file=st.none() | _any_text,
)
def test_reporters_neutralise_any_text(
    found: list[Finding], files: list[FileCosts], notes: list[str], usage_file: str | None
) -> None:
    """Names, messages, regions and notes from the input are made safe by every renderer,
    whatever they hold (hand-built reports: no loader decides what reaches them)."""
    found.sort(key=Finding.sort_key)
    report = Report(findings=found, files_scanned=sorted({f.file for f in found}))
    check_text(
        render(report, "text", color=False, tool_version="0", base_dir="."), report, color=False
    )
    check_text(
        render(report, "text", color=True, tool_version="0", base_dir="."), report, color=True
    )
    check_json(render(report, "json", color=False, tool_version="0", base_dir="."), report)
    check_sarif(render(report, "sarif", color=False, tool_version="0", base_dir="."), report, False)
    check_cost_text(cost_report.text_costs(files, usage_file=usage_file))
    parse_json(cost_report.json_costs(files, usage_file=usage_file, notes=notes, tool_version="0"))
    check_markdown(cost_report.markdown_costs(files, usage_file=usage_file, notes=notes))
    from batchlint.cost.compare import compare

    comparison = compare(files[:1], files[1:])
    check_cost_text(
        cost_report.text_comparison(
            comparison, base="b", head="h", findings=found, usage_file=usage_file
        )
    )
    check_markdown(
        cost_report.markdown_comparison(
            comparison, findings=found, usage_file=usage_file, notes=notes
        )
    )
    RAN["reporters"] += 1


# -- loader regressions found by fuzzing --------------------------------------------------------


def test_json_integer_over_the_digit_limit_is_an_input_error() -> None:
    text = (
        '{"Resources": {"A": {"Type": "AWS::Batch::JobQueue", "Properties": {"Priority": '
        + BIG_INT_DIGITS
        + "}}}}"
    )
    loaded = load_text(text, "big.json", "us-east-1")
    assert not isinstance(loaded, Skipped)
    assert [issue.code for scope in loaded for issue in scope.meta] == ["BL-META-001"]


@pytest.mark.parametrize("text", ['Resources:\n  A: "\ud800"\n', '{"Resources": {"A": "\ud800"},}'])
def test_lone_surrogate_in_text_is_an_input_error(text: str) -> None:
    loaded = load_text(text, "surrogate.yaml", "us-east-1")
    assert not isinstance(loaded, Skipped)
    assert [issue.code for scope in loaded for issue in scope.meta] == ["BL-META-001"]


# -- regressions: what the fuzzing found, each as a plain example ---------------------------------


def _scan_text(tmp_path: Path, name: str, text: str) -> Report:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return scan([str(path)], ScanOptions(price_source=PRICES))


@pytest.mark.parametrize(
    "value",
    ["1" + "0" * 400, ".nan", ".inf", "'NaN'", "'-Infinity'", "1e999"],
    ids=["huge-int", "nan", "inf", "nan-string", "infinity-string", "1e999"],
)
def test_numbers_beyond_any_float_are_not_numbers(tmp_path: Path, value: str) -> None:
    """An integer too large for a float made rules (missing-retry-strategy) and the cost
    estimate raise OverflowError; "NaN" and "inf" made NaN costs."""
    template = f"""\
Resources:
  Env:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources: {{Type: EC2, MinvCpus: {value}, MaxvCpus: {value}, InstanceTypes: [m5]}}
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      RetryStrategy: {{Attempts: {value}}}
      Timeout: {{AttemptDurationSeconds: {value}}}
      ContainerProperties: {{Image: busybox, Vcpus: {value}, Memory: {value}}}
"""
    report = _scan_text(tmp_path, "numbers.yaml", template)
    assert [f.code for f in report.findings if f.code == RULE_CRASHED.code] == []
    for cost in report.costs:
        assert not any(a.startswith("Not estimated") for a in cost["assumptions"])
    check_json(render(report, "json", color=False, tool_version="0", base_dir="."), report)


_HUGE = """\
Resources:
  Env:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources: {Type: SPOT, MinvCpus: 1e308, MaxvCpus: 1e308, InstanceTypes: [m5]}
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder: [{Order: 1, ComputeEnvironment: !Ref Env}]
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      RetryStrategy: {Attempts: 1e308}
      Timeout: {AttemptDurationSeconds: 1e308}
      ContainerProperties: {Image: busybox, Vcpus: 1, Memory: 1024}
"""


def test_figures_that_overflow_are_unknown_in_every_output(tmp_path: Path) -> None:
    """maxvCpus 1e308 is a finite number, but its monthly cost is not: the JSON reporter
    raised ValueError on Infinity (found by the big random round)."""
    usage = {"Job": {"jobs_per_month": 3000, "average_duration_minutes": 12}}
    gen = Generated("regression", "huge.yaml", _HUGE, _HUGE.replace("1e308", "4"), [], None, [])
    run_pipeline(gen)
    run_pipeline(Generated(**{**gen.__dict__, "usage": {"version": 1, "usage": usage}}))
    report = scan(
        [str(_write(tmp_path, "huge.yaml", _HUGE))],
        ScanOptions(price_source=PRICES, budget_usd=100.0),
    )
    check_json(render(report, "json", color=False, tool_version="0", base_dir="."), report)
    assert all("inf" not in f.message for f in report.findings)
    assert "BL-CE-006" in {f.code for f in report.findings}  # the floor is still always on


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\ud800", "\udcff"])
def test_text_escapes_line_separators_and_lone_surrogates(char: str) -> None:
    cleaned = text_reporter.clean(f"a{char}b")
    cleaned.encode("utf-8")
    assert len(cleaned.splitlines()) == 1 and char not in cleaned


def _cost(**kw: Any) -> Cost:
    fields: dict[str, Any] = {
        "resource": "Env",
        "resource_type": "AWS::Batch::ComputeEnvironment",
        "kind": "compute_environment",
        "file": "stack.yaml",
        "region": "us-east-1",
        "floor_monthly": Range(0, 0),
        "ceiling_monthly": Range(1, 2),
    }
    fields.update(kw)
    return Cost(**fields)


def test_cost_text_escapes_the_region() -> None:
    """A Terraform provider's region comes from the plan; it was printed raw."""
    files = [FileCosts("plan.json", "plan.json", "\x1b[2Jus-east-1", [_cost()])]
    out = cost_report.text_costs(files, usage_file=None)
    check_cost_text(out)
    assert "\\x1b[2Jus-east-1" in out


def test_cost_json_writes_a_lone_surrogate_as_its_escape() -> None:
    """A "\\ud800" escape in a JSON input reached the cost JSON raw: not writable as UTF-8."""
    files = [FileCosts("plan.json", "plan.json", "us-east-1", [_cost(resource="a\ud800b")])]
    out = cost_report.json_costs(files, usage_file=None, notes=[], tool_version="0")
    out.encode("utf-8")
    assert parse_json(out)["costs"][0]["resource"] == "a\ud800b"


def test_fingerprint_and_sarif_uri_of_names_with_lone_surrogates(tmp_path: Path) -> None:
    """A plan address with a lone surrogate made the engine's fingerprint raise; a file name
    that is not UTF-8 on disk (``os.walk`` gives "\\udcff") made the SARIF reporter raise."""
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_batch_job_definition.j\ud800",
                        "mode": "managed",
                        "type": "aws_batch_job_definition",
                        "name": "j\ud800",
                        "values": {"container_properties": '{"image": "busybox"}'},
                    }
                ]
            }
        },
    }
    report = _scan_text(tmp_path, "plan.json", json.dumps(plan))
    assert report.findings and all(f.code != RULE_CRASHED.code for f in report.findings)
    finding = report.findings[0]
    odd = Report(findings=[Finding(**{**finding.__dict__, "file": "\udcff.json"})])
    log = parse_json(render(odd, "sarif", color=False, tool_version="0", base_dir="."))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "%FF.json"
    check_sarif(render(report, "sarif", color=False, tool_version="0", base_dir="."), report, True)


def test_command_line_errors_and_skip_reasons_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name reaches stderr in an input error (``batchlint cost``) and a skip reason
    (``scan --verbose``): it was printed raw."""
    path = tmp_path / "notes\x1b]0;pwned\x07\u2028.txt"
    path.write_text("hello\n", encoding="utf-8")
    assert cli.main(["cost", str(path)]) == 2
    assert cli.main(["scan", "--verbose", str(path)]) == 0
    err = capsys.readouterr().err
    assert "\\x1b]0;pwned\\x07\\u2028.txt" in err
    check_stderr(err, [])


# -- how many ran ---------------------------------------------------------------------------------


def test_zz_generated_inputs_ran(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs last in this module: how many generated inputs went through the whole pipeline."""
    ran = {kind: count for kind, count in sorted(RAN.items()) if kind != "regression"}
    total = sum(ran.values())
    line = f"batchlint fuzz: {total} generated inputs ran ({ran})"
    with capsys.disabled():
        print(f"\n{line}")
    expected = {"test_cloudformation_yaml", "test_cloudformation_json", "test_terraform_plan"}
    ran_all = expected <= {item.name for item in request.session.items}
    if ran_all and not LOCAL_EXAMPLES:
        assert total >= 300, line
