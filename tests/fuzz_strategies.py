"""Hypothesis strategies for the fuzz tests: CloudFormation templates and Terraform plans built
from the normalized model's shapes, a mutation layer, and the serialisers that write them.

The shapes follow the model (the Batch API's names, see ``batchlint/model.py``): one generator
per resource kind writes its fields through a :class:`Style`, which spells them as
CloudFormation (``ComputeResources``, intrinsic functions for references), Terraform
(``compute_resources`` as a block list, references in ``configuration``) or the Batch API's
JSON (the documents Terraform keeps in ``container_properties`` and friends).

Every example is mostly plausible, so the rules get deep enough to matter, with hostile values
mixed in: control characters, ANSI escapes, Markdown and HTML, wrong types, huge and NaN-ish
numbers. The mutation layer then breaks the document on purpose: subtrees replaced by other
types, keys deleted, unknown intrinsics, self and circular references, and text-level damage
(truncation, CRLF line ends, stray bytes). Every credential put into a document is recorded in
:attr:`Generated.secrets`: none of them may ever be printed.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import strategies as st

Draw = Callable[..., Any]

# -- hostile atoms ------------------------------------------------------------------------------

ANSI = [
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x9b31m",
]
CONTROL = [
    "\x00",
    "\x07",
    "\x08",
    "\r",
    "\n",
    "a\r\nb",
    "\t",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\u200f",
    "\ufeff",
]
MARKUP = [
    "|",
    "a | b",
    "\\|",
    "\\",
    "[x](http://evil.example)",
    "![x](http://evil.example/p.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</details>",
    "<!--",
    "`",
    "``code``",
    "**b**",
    "_i_",
    "~~s~~",
    "$\\sqrt{x}$",
    "&lt;",
    "@octocat",
    "> quote",
    "# heading",
    "http://evil.example/",
]
NUMERIC_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "4",
    " 4 ",
    "4.0",
    "1e3",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "inf",
    "Infinity",
    "-Infinity",
    "0x10",
    "1_000",
    "+5",
    "00012",
    "٣",  # an Arabic-Indic digit: float() reads it
    "9" * 400,
]
UNICODE = ["ü", "Ⅻ", "🚀", "日本語", "e\u0301", "ｍ５", "\u00a0"]
SURROGATES = ["\ud800", "x\udfffy"]
INTRINSIC_LOOKALIKES = [
    "${AWS::Region}",
    "${Missing}",
    "${!Literal}",
    "${Ghost.Arn}",
    "{{resolve:secretsmanager:prod/db:SecretString:password}}",
    "Ref::x",
    "arn:aws:iam::123456789012:role/x",
    "*",
    "0.0.0.0/0",
]
NASTY_TEXT = [*ANSI, *CONTROL, *MARKUP, *NUMERIC_TEXT, *UNICODE, *SURROGATES, *INTRINSIC_LOOKALIKES]
NASTY_NUMBERS: list[Any] = [
    0,
    -1,
    1,
    2,
    4096,
    2**31,
    2**63,
    10**20,
    10**400,
    -(10**400),
    0.5,
    -0.0,
    1e308,
    math.nan,
    math.inf,
    -math.inf,
    True,
    False,
    None,
]
# written in place of this string: an integer literal longer than Python's int/str limit
BIG_INT = "__BATCHLINT_FUZZ_BIG_INT__"
BIG_INT_DIGITS = "1" + "0" * 5000

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def nasty_text() -> st.SearchStrategy[str]:
    """One hostile string: an atom, a few atoms run together, or arbitrary text."""
    atom = st.sampled_from(NASTY_TEXT)
    return st.one_of(
        atom,
        st.lists(atom, min_size=2, max_size=4).map("".join),
        st.text(max_size=12),
        st.builds(lambda a, b: a + "x" * 3000 + b, atom, atom),
    )


def nasty_scalar(big: bool = False) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [nasty_text(), st.sampled_from(NASTY_NUMBERS)]
    if big:
        options.append(st.just(BIG_INT))
    return st.one_of(*options)


def garbage(big: bool = False) -> st.SearchStrategy[Any]:
    """A value of any type: a scalar, or a small list or mapping of them."""
    return st.recursive(
        nasty_scalar(big),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=6)), inner, max_size=3
            ),
        ),
        max_leaves=6,
    )


def _rarely(draw: Draw, odds: int = 8) -> bool:
    """True about once in ``odds`` draws; shrinks to False (the plausible value)."""
    return bool(draw(st.integers(0, odds - 1)) == odds - 1)


def _maybe_nasty(draw: Draw, value: Any, odds: int = 8) -> Any:
    """``value``, or now and then something hostile in its place."""
    if _rarely(draw, odds):
        return draw(st.one_of(nasty_text(), garbage()))
    return value


def _label(draw: Draw, base: str, odds: int = 6) -> str:
    """A name: plain, or now and then with a hostile part (names reach every output)."""
    if _rarely(draw, odds):
        return base + draw(nasty_text())
    return base


# -- credentials --------------------------------------------------------------------------------

SECRET_NAMES = [
    "DB_PASSWORD",
    "PGPASSWORD",
    "API_TOKEN",
    "CLIENT_SECRET",
    "GITHUB_TOKEN",
    "apiKey",
    "signing-key",
    "BASIC_AUTH",
    "AWS_SECRET_ACCESS_KEY",
]
PLAIN_NAMES = ["LOG_LEVEL", "TOKEN_URL", "SECRET_ARN", "PASSWORD_FILE", "AWS_REGION", "STAGE"]


class Secrets:
    """Credentials placed in a document; none may be printed."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def token(self, draw: Draw) -> str:
        body = draw(st.text(alphabet=_ALNUM, min_size=20, max_size=28))
        value = "Zq9" + body + "w7X"  # mixed case and digits: a credential by any name
        self.values.append(value)
        return value

    def credential(self, draw: Draw) -> str:
        """A value that is a credential by its format or by the name it goes under."""
        shape = draw(st.integers(0, 6))
        if shape == 1:
            value = "AKIA" + draw(st.text(alphabet=_UPPER_DIGITS, min_size=16, max_size=16))
        elif shape == 2:
            value = "ghp_" + draw(st.text(alphabet=_ALNUM, min_size=36, max_size=36))
        elif shape == 3:
            value = "xoxb-" + draw(st.text(alphabet=_ALNUM, min_size=24, max_size=30))
        elif shape == 4:
            return f"postgres://app:{self.token(draw)}@db.internal:5432/app"
        elif shape == 5:
            head = draw(st.text(alphabet=_ALNUM, min_size=12, max_size=16))
            value = f"eyJ{head}.eyJ{head[::-1]}.{self.token(draw)}"
        elif shape == 6:
            return f"Server=db;User Id=app;Password={self.token(draw)};"
        else:
            return self.token(draw)
        self.values.append(value)
        return value


# -- styles: one shape, three spellings ---------------------------------------------------------

_TF_NAMES = {
    "instanceTypes": "instance_type",
    "minvCpus": "min_vcpus",
    "maxvCpus": "max_vcpus",
    "desiredvCpus": "desired_vcpus",
    "jobQueueName": "name",
    "jobDefinitionName": "name",
    "fairsharePolicy": "fair_share_policy",
    "readOnlyRootFilesystem": "read_only_root_file_system",
    "imagePullSecrets": "image_pull_secret",
    "jobStateTimeLimitActions": "job_state_time_limit_action",
}
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


@dataclass
class TfRef:
    """A Terraform reference in a values tree: a literal value (``None``: unknown until apply)
    and the configuration references behind it."""

    value: Any
    references: list[str]


@dataclass
class Context:
    """What one document's generators share: the resources declared so far, by kind."""

    style: str  # "cfn" | "tf"
    secrets: Secrets = field(default_factory=Secrets)
    ids: dict[str, list[str]] = field(default_factory=dict)  # kind -> logical ids / addresses
    arns: dict[str, str] = field(default_factory=dict)  # address -> a literal ARN or ID
    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    current: str = ""  # the resource being written (for self references)
    module: str = ""  # Terraform module prefix of the resource being written

    def all_ids(self) -> list[str]:
        return [i for ids in self.ids.values() for i in ids]


class Style:
    """How a shape is spelled: keys, single blocks, references, wrapped values."""

    def __init__(self, name: str, ctx: Context) -> None:
        self.name = name  # "cfn" (PascalCase + intrinsics), "tf" (snake_case blocks), "api"
        self.ctx = ctx

    def key(self, camel: str) -> str:
        if self.name == "cfn":
            return camel[:1].upper() + camel[1:]
        if self.name == "tf":
            return _TF_NAMES.get(camel) or _CAMEL_HUMP.sub(r"_\1", camel).lower()
        return camel

    def single(self, block: Any) -> Any:
        return [block] if self.name == "tf" else block

    def obj(self, draw: Draw, fields: dict[str, Any]) -> dict[str, Any]:
        """A mapping of the fields whose value is not ``_ABSENT``, keys spelled, values perhaps
        behind an intrinsic function."""
        out: dict[str, Any] = {}
        for camel, value in fields.items():
            if value is _ABSENT:
                continue
            out[self.key(camel)] = self.wrap(draw, value)
        return out

    def wrap(self, draw: Draw, value: Any) -> Any:
        """A CloudFormation value now and then behind an intrinsic function."""
        if self.name != "cfn" or isinstance(value, (dict, list)) or not _rarely(draw, 7):
            return value
        choice = draw(st.integers(0, 7))
        if choice == 0:
            return {"Fn::If": ["IsProd", value, draw(st.sampled_from([value, _NO_VALUE]))]}
        if choice == 1:
            name = f"Param{len(self.ctx.parameters)}"
            self.ctx.parameters[name] = {"Type": "String", "Default": value}
            return {"Ref": name}
        if choice == 2 and isinstance(value, str):
            return {"Fn::Sub": value + "${AWS::Region}"}
        if choice == 3:
            return {"Fn::Select": [0, [value, "other"]]}
        if choice == 4:
            values = self.ctx.mappings.setdefault("Settings", {}).setdefault("us-east-1", {})
            key = f"V{len(values)}"
            values[key] = value
            return {"Fn::FindInMap": ["Settings", {"Ref": "AWS::Region"}, key]}
        if choice == 5:
            return {"Fn::ImportValue": "shared-value"}
        if choice == 6:
            return {"Ref": "UndeclaredParameter"}
        return {"Fn::Frobnicate": value}

    def ref(self, draw: Draw, kind: str, attr: str = "Arn") -> Any:
        """A reference to a resource of ``kind`` (or another, missing or this one)."""
        ctx = self.ctx
        targets = ctx.ids.get(kind, [])
        pick = draw(st.integers(0, 9))
        if targets and pick < 7:
            target = draw(st.sampled_from(targets))
        elif pick == 7 and ctx.current:
            target = ctx.current  # a self reference
        elif pick == 8 and ctx.all_ids():
            target = draw(st.sampled_from(ctx.all_ids()))  # a resource of another kind
        else:
            return self._external(draw, kind, attr)
        return self._to(draw, target, attr)

    def _external(self, draw: Draw, kind: str, attr: str) -> Any:
        literal = {
            "subnet": "subnet-0123456789abcdef0",
            "security_group": "sg-0123456789abcdef0",
            "launch_template": "lt-0123456789abcdef0",
            "internet_gateway": "igw-0123456789abcdef0",
            "vpc": "vpc-0123456789abcdef0",
        }.get(kind, f"arn:aws:iam::123456789012:role/external-{kind}")
        if self.name == "cfn" and _rarely(draw, 3):
            return {"Ref": "Ghost"}  # a logical id the template does not declare
        return _maybe_nasty(draw, literal, 12)

    def _to(self, draw: Draw, target: str, attr: str) -> Any:
        if self.name == "cfn":
            form = draw(st.integers(0, 5))
            if form == 0:
                return {"Ref": target}
            if form == 1:
                return {"Fn::GetAtt": [target, attr]}
            if form == 2:
                return {"Fn::GetAtt": f"{target}.{attr}"}
            if form == 3:
                return {"Fn::Sub": "${" + target + "." + attr + "}"}
            if form == 4:
                return {"Fn::Join": ["", ["", {"Ref": target}]]}
            return {"Fn::If": ["IsProd", {"Ref": target}, _NO_VALUE]}
        literal = self.ctx.arns.get(target)
        if self.name == "api":  # inside a JSON document: the value, no expression
            return literal or f"arn:aws:iam::123456789012:role/{target}"
        prefix = self.ctx.module
        local = target[len(prefix) :] if target.startswith(prefix) else None
        if local is None or local.startswith("module."):
            # a resource of another module: through a variable the module call passes in
            return TfRef(literal, ["var.input"])
        base = re.sub(r"\[[^\]]*\]$", "", local)
        known = literal if draw(st.booleans()) else None
        field = "arn" if attr == "Arn" else "name" if attr == "name" else "id"
        return TfRef(known, [f"{local}.{field}", base])


_ABSENT = object()
_NO_VALUE = {"Ref": "AWS::NoValue"}


def _opt(draw: Draw, value: Any, odds: int = 4) -> Any:
    """``value``, or absent once in ``odds``."""
    return _ABSENT if draw(st.integers(0, odds - 1)) == 0 else value


# -- the Batch resources, in the model's shape -------------------------------------------------

INSTANCE_TYPES = [
    "optimal",
    "default_x86_64",
    "default_arm64",
    "m5",
    "c6i",
    "r6i",
    "m6g",
    "c4",
    "m3.medium",
    "c5.large",
    "m5.24xlarge",
    "p3.16xlarge",
    "g4dn.xlarge",
    "t2.micro",
    "x1e.32xlarge",
    "inf1.xlarge",
    "trn1.32xlarge",
    "z1d",
    "m5.",
    ".large",
    "m5.large.large",
    "M5.LARGE",
    "nonsense",
]
IMAGES = [
    "public.ecr.aws/docker/library/busybox:1.36",
    "busybox",
    "busybox:latest",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64,
    "ghcr.io/org/app:v1.2.3",
    "localhost:5000/app",
]
CE_TYPES = ["EC2", "SPOT", "FARGATE", "FARGATE_SPOT"]
ALLOCATIONS = [
    "BEST_FIT",
    "BEST_FIT_PROGRESSIVE",
    "SPOT_CAPACITY_OPTIMIZED",
    "SPOT_PRICE_CAPACITY_OPTIMIZED",
]
VCPU_VALUES: list[Any] = [0, 1, 2, 4, 16, 256, 4096, "8", "0.25", 0.25, 0.5, 1.5, -4]
MEMORY_VALUES: list[Any] = [512, 1024, 2048, 4096, 30720, 122880, "2048", "1Gi", 0, -1]
STATUS_REASONS = ["Host EC2*", "host ec2 (instance i-0) terminated.", "*", "Task failed to start"]


def _number(draw: Draw, values: list[Any]) -> Any:
    if _rarely(draw, 6):
        return draw(st.sampled_from(NASTY_NUMBERS + NUMERIC_TEXT))
    return draw(st.sampled_from(values))


@st.composite
def compute_environment(draw: Draw, s: Style) -> dict[str, Any]:
    kind = draw(st.sampled_from(CE_TYPES))
    kind = _maybe_nasty(draw, kind, 12)
    fargate = isinstance(kind, str) and kind.startswith("FARGATE")
    types = draw(
        st.lists(st.sampled_from(INSTANCE_TYPES), min_size=_rarely(draw, 10) ^ 1, max_size=4)
    )
    if _rarely(draw, 10):
        types = draw(st.lists(nasty_text(), min_size=1, max_size=2))
    resources: dict[str, Any] = {
        "type": kind,
        "maxvCpus": _number(draw, VCPU_VALUES),
        "minvCpus": _opt(draw, _number(draw, VCPU_VALUES), 2),
        "desiredvCpus": _opt(draw, _number(draw, VCPU_VALUES), 2),
        "subnets": [s.ref(draw, "subnet", "SubnetId") for _ in range(draw(st.integers(0, 2)))],
        "securityGroupIds": _opt(
            draw, [s.ref(draw, "security_group", "GroupId") for _ in range(draw(st.integers(0, 2)))]
        ),
    }
    if not fargate or _rarely(draw):
        resources["instanceTypes"] = types if s.name == "tf" or types else _ABSENT
        resources["allocationStrategy"] = _opt(draw, draw(st.sampled_from(ALLOCATIONS)))
        resources["instanceRole"] = _opt(draw, s.ref(draw, "instance_profile"))
        resources["spotIamFleetRole"] = _opt(draw, s.ref(draw, "iam_role"), 3)
        resources["bidPercentage"] = _opt(draw, _number(draw, [40, 100, 0, 101]), 3)
        template = s.obj(
            draw,
            {
                "launchTemplateId": s.ref(draw, "launch_template", "LaunchTemplateId"),
                "version": _opt(draw, draw(st.sampled_from(["$Latest", "$Default", "3"]))),
            },
        )
        resources["launchTemplate"] = _opt(draw, s.single(template), 3)
        resources["ec2Configuration"] = _opt(
            draw,
            [s.obj(draw, {"imageType": draw(st.sampled_from(["ECS_AL2", "ECS_AL2_NVIDIA"]))})],
            3,
        )
    env = {
        "computeEnvironmentName": _opt(draw, _label(draw, "batch-ce")),
        "type": _maybe_nasty(draw, "UNMANAGED" if _rarely(draw, 6) else "MANAGED", 12),
        "state": _opt(draw, draw(st.sampled_from(["ENABLED", "DISABLED"]))),
        "serviceRole": _opt(draw, s.ref(draw, "iam_role")),
        "computeResources": s.single(s.obj(draw, resources)),
    }
    return s.obj(draw, env)


@st.composite
def job_queue(draw: Draw, s: Style) -> dict[str, Any]:
    order = [
        s.obj(
            draw,
            {
                "order": _number(draw, [1, 2, 3]),
                "computeEnvironment": s.ref(draw, "compute_environment"),
            },
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    queue: dict[str, Any] = {
        "jobQueueName": _opt(draw, _label(draw, "queue")),
        "priority": _number(draw, [1, 10, 100]),
        "state": _opt(draw, "ENABLED"),
        "computeEnvironmentOrder": order,
        "schedulingPolicyArn": _opt(draw, s.ref(draw, "scheduling_policy"), 3),
    }
    if s.name == "tf" and order and _rarely(draw, 3):  # the provider's legacy list
        queue["computeEnvironments"] = [s.ref(draw, "compute_environment") for _ in order]
        queue["computeEnvironmentOrder"] = _ABSENT
    return s.obj(draw, queue)


def _environment(draw: Draw, s: Style) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            name: Any = draw(st.sampled_from(SECRET_NAMES))
            value: Any = s.ctx.secrets.credential(draw)
            if s.name == "cfn" and _rarely(draw, 4):
                param = f"Secret{len(s.ctx.parameters)}"
                s.ctx.parameters[param] = {"Type": "String", "NoEcho": True, "Default": value}
                value = draw(
                    st.sampled_from(
                        [
                            {"Ref": param},
                            {"Fn::Sub": "pw=${" + param + "}"},
                            {"Fn::If": ["IsProd", {"Ref": param}, "dev"]},
                        ]
                    )
                )
        else:
            name = _maybe_nasty(draw, draw(st.sampled_from(PLAIN_NAMES)))
            value = _maybe_nasty(draw, draw(st.sampled_from(["info", "us-east-1", "/run/x"])))
        out.append(s.obj(draw, {"name": name, "value": value}))
    return out


def _requirements(draw: Draw, s: Style) -> list[dict[str, Any]]:
    out = []
    for kind in draw(st.lists(st.sampled_from(["VCPU", "MEMORY", "GPU", "BOGUS"]), max_size=3)):
        value = draw(st.sampled_from(["0.25", "1", "4", "512", "2048", "16384", "1", "x"]))
        out.append(s.obj(draw, {"type": kind, "value": _maybe_nasty(draw, value)}))
    return out


def _container(draw: Draw, s: Style, ecs: bool = False) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "image": _maybe_nasty(draw, draw(st.sampled_from(IMAGES))),
        "vcpus": _opt(draw, _number(draw, VCPU_VALUES), 2),
        "memory": _opt(draw, _number(draw, MEMORY_VALUES), 2),
        "resourceRequirements": _opt(draw, _requirements(draw, s)),
        "environment": _opt(draw, _environment(draw, s)),
        "privileged": _opt(draw, draw(st.sampled_from([True, False, "true", "TRUE", "yes"])), 2),
        "readonlyRootFilesystem": _opt(draw, draw(st.booleans()), 3),
        "jobRoleArn": _opt(draw, s.ref(draw, "iam_role")),
        "executionRoleArn": _opt(draw, s.ref(draw, "iam_role"), 2),
        "secrets": _opt(
            draw,
            [s.obj(draw, {"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:x"})],
            2,
        ),
        "fargatePlatformConfiguration": _opt(draw, s.obj(draw, {"platformVersion": "LATEST"}), 3),
    }
    if ecs:
        fields["name"] = _label(draw, "app")
        fields["essential"] = _opt(draw, draw(st.booleans()))
        for old in ("vcpus", "memory", "jobRoleArn", "executionRoleArn"):
            fields.pop(old)
    return s.obj(draw, fields)


def _ecs_properties(draw: Draw, s: Style) -> dict[str, Any]:
    tasks = [
        s.obj(
            draw,
            {
                "containers": [
                    _container(draw, s, ecs=True) for _ in range(draw(st.integers(0, 2)))
                ],
                "taskRoleArn": _opt(draw, s.ref(draw, "iam_role")),
                "executionRoleArn": _opt(draw, s.ref(draw, "iam_role")),
                "platformVersion": _opt(draw, "LATEST"),
            },
        )
        for _ in range(draw(st.integers(1, 2)))
    ]
    return s.obj(draw, {"taskProperties": tasks})


def _node_properties(draw: Draw, s: Style) -> dict[str, Any]:
    ranges = []
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["0:", "0:1", "1:", "2:3", ":", "x"]))
        group: dict[str, Any] = {"targetNodes": _maybe_nasty(draw, target)}
        if draw(st.integers(0, 3)) == 0:
            group["ecsProperties"] = _ecs_properties(draw, s)
        else:
            group["container"] = _container(draw, s)
        ranges.append(s.obj(draw, group))
    return s.obj(
        draw,
        {
            "numNodes": _number(draw, [1, 2, 4]),
            "mainNode": _number(draw, [0, 1]),
            "nodeRangeProperties": ranges,
        },
    )


def _eks_container(draw: Draw, s: Style) -> dict[str, Any]:
    amounts = ["1", "250m", "2", "1024Mi", "4Gi", "0.5", "x"]
    limits = {
        k: _maybe_nasty(draw, draw(st.sampled_from(amounts)))
        for k in draw(st.lists(st.sampled_from(["cpu", "memory", "nvidia.com/gpu"]), unique=True))
    }
    requests = {k: v for k, v in limits.items() if draw(st.booleans())}
    resources = {"limits": limits, "requests": _opt(draw, requests)}
    context = {
        "privileged": _opt(draw, draw(st.booleans())),
        "runAsUser": _opt(draw, _number(draw, [0, 1000])),
        "readOnlyRootFilesystem": _opt(draw, draw(st.booleans())),
    }
    return s.obj(
        draw,
        {
            "name": _label(draw, "main"),
            "image": _maybe_nasty(draw, draw(st.sampled_from(IMAGES))),
            "env": _opt(draw, _environment(draw, s)),
            "resources": s.single({s.key(k): v for k, v in resources.items() if v is not _ABSENT}),
            "securityContext": _opt(draw, s.single(s.obj(draw, context))),
        },
    )


def _eks_properties(draw: Draw, s: Style) -> dict[str, Any]:
    pod = s.obj(
        draw,
        {
            "containers": [_eks_container(draw, s) for _ in range(draw(st.integers(0, 2)))],
            "initContainers": _opt(draw, [_eks_container(draw, s)], 2),
            "hostNetwork": _opt(draw, draw(st.booleans())),
            "serviceAccountName": _opt(draw, _label(draw, "batch")),
        },
    )
    return s.obj(draw, {"podProperties": s.single(pod)})


def _retry(draw: Draw, s: Style) -> dict[str, Any]:
    rules = [
        s.obj(
            draw,
            {
                "action": draw(st.sampled_from(["RETRY", "EXIT", "retry", "bogus"])),
                "onStatusReason": _opt(draw, draw(st.sampled_from(STATUS_REASONS))),
                "onReason": _opt(draw, "CannotPullContainerError*", 3),
                "onExitCode": _opt(draw, draw(st.sampled_from(["1", "137", "*"])), 3),
            },
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return s.obj(
        draw, {"attempts": _number(draw, [1, 2, 3, 10]), "evaluateOnExit": _opt(draw, rules)}
    )


@st.composite
def job_definition(draw: Draw, s: Style) -> dict[str, Any]:
    layout = draw(st.sampled_from(["container", "node", "ecs", "eks", "none", "many"]))
    api = Style("api", s.ctx) if s.name == "tf" else s  # Terraform keeps these as JSON strings

    def embedded(value: dict[str, Any]) -> Any:
        if s.name != "tf":
            return value
        if _rarely(draw, 12):
            return draw(st.sampled_from(["{", "[1, 2]", "null", '{"image": ', "NaN", "\x1b[31m"]))
        return json.dumps(value, allow_nan=True)

    fields: dict[str, Any] = {
        "jobDefinitionName": _opt(draw, _label(draw, "job")),
        "type": "multinode" if layout == "node" else _maybe_nasty(draw, "container", 12),
        "platformCapabilities": _opt(
            draw, draw(st.lists(st.sampled_from(["EC2", "FARGATE"]), max_size=2))
        ),
        "retryStrategy": _opt(draw, s.single(_retry(draw, s)), 3),
        "timeout": _opt(
            draw, s.single(s.obj(draw, {"attemptDurationSeconds": _number(draw, [60, 3600, 0])})), 3
        ),
        "schedulingPriority": _opt(draw, _number(draw, [1, 100]), 3),
    }
    if layout in ("container", "many"):
        fields["containerProperties"] = embedded(_container(draw, api))
    if layout in ("node", "many"):
        fields["nodeProperties"] = embedded(_node_properties(draw, api))
    if layout in ("ecs", "many"):
        fields["ecsProperties"] = embedded(_ecs_properties(draw, api))
    if layout in ("eks", "many"):
        fields["eksProperties"] = s.single(_eks_properties(draw, s))
    return s.obj(draw, fields)


@st.composite
def scheduling_policy(draw: Draw, s: Style) -> dict[str, Any]:
    shares = [
        s.obj(
            draw,
            {"shareIdentifier": _label(draw, "team"), "weightFactor": _number(draw, [0.5, 1, 2])},
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    policy = s.obj(
        draw,
        {
            "shareDecaySeconds": _opt(draw, _number(draw, [0, 3600])),
            "computeReservation": _opt(draw, _number(draw, [0, 50, 99])),
            "shareDistribution": shares,
        },
    )
    return s.obj(
        draw, {"name": _opt(draw, _label(draw, "fair")), "fairsharePolicy": s.single(policy)}
    )


def _policy_document(draw: Draw) -> dict[str, Any]:
    statements = [
        {
            "Effect": draw(st.sampled_from(["Allow", "Deny", "allow"])),
            "Action": draw(
                st.sampled_from(["*", "s3:*", ["s3:GetObject", "iam:*"], "sts:AssumeRole", []])
            ),
            "Resource": draw(st.sampled_from(["*", "arn:aws:s3:::bucket/*", ["*"]])),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    if _rarely(draw, 10):
        return draw(garbage())
    return {"Version": "2012-10-17", "Statement": statements}


_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

# -- CloudFormation ----------------------------------------------------------------------------

_CFN_TYPES = {
    "compute_environment": "AWS::Batch::ComputeEnvironment",
    "job_queue": "AWS::Batch::JobQueue",
    "job_definition": "AWS::Batch::JobDefinition",
    "scheduling_policy": "AWS::Batch::SchedulingPolicy",
    "iam_role": "AWS::IAM::Role",
    "iam_policy": "AWS::IAM::Policy",
    "instance_profile": "AWS::IAM::InstanceProfile",
    "vpc": "AWS::EC2::VPC",
    "subnet": "AWS::EC2::Subnet",
    "route_table": "AWS::EC2::RouteTable",
    "route": "AWS::EC2::Route",
    "route_table_association": "AWS::EC2::SubnetRouteTableAssociation",
    "internet_gateway": "AWS::EC2::InternetGateway",
    "security_group": "AWS::EC2::SecurityGroup",
    "security_group_ingress": "AWS::EC2::SecurityGroupIngress",
    "launch_template": "AWS::EC2::LaunchTemplate",
    "secret": "AWS::SecretsManager::Secret",
}
# how many of each kind a document may declare, in the order they are written
_COUNTS = {
    "vpc": 1,
    "internet_gateway": 1,
    "subnet": 2,
    "route_table": 1,
    "route": 2,
    "route_table_association": 2,
    "security_group": 2,
    "security_group_ingress": 1,
    "iam_role": 2,
    "iam_policy": 1,
    "instance_profile": 1,
    "launch_template": 1,
    "secret": 1,
    "scheduling_policy": 1,
    "compute_environment": 3,
    "job_queue": 2,
    "job_definition": 4,
}
_CFN_IDS = {
    "compute_environment": "ComputeEnv",
    "job_queue": "Queue",
    "job_definition": "JobDef",
    "scheduling_policy": "FairShare",
    "iam_role": "Role",
    "iam_policy": "Policy",
    "instance_profile": "InstanceProfile",
    "vpc": "Vpc",
    "subnet": "Subnet",
    "route_table": "RouteTable",
    "route": "Route",
    "route_table_association": "Association",
    "internet_gateway": "Gateway",
    "security_group": "Group",
    "security_group_ingress": "Ingress",
    "launch_template": "LaunchTemplate",
    "secret": "Secret",
}


def _support_cfn(draw: Draw, s: Style, kind: str) -> dict[str, Any]:
    """CloudFormation properties of the resources Batch resources refer to."""
    if kind == "iam_role":
        policies = [
            {"PolicyName": _label(draw, "inline"), "PolicyDocument": _policy_document(draw)}
            for _ in range(draw(st.integers(0, 2)))
        ]
        return {
            "AssumeRolePolicyDocument": _TRUST,
            "Policies": policies,
            "ManagedPolicyArns": _opt(draw, ["arn:aws:iam::aws:policy/AdministratorAccess"], 2),
            "RoleName": _opt(draw, _label(draw, "role")),
        }
    if kind == "iam_policy":
        return {
            "PolicyName": _label(draw, "policy"),
            "PolicyDocument": _policy_document(draw),
            "Roles": [s.ref(draw, "iam_role", "Arn")],
        }
    if kind == "instance_profile":
        return {"Roles": [s.ref(draw, "iam_role", "Arn")]}
    if kind == "vpc":
        return {"CidrBlock": "10.0.0.0/16"}
    if kind == "subnet":
        return {
            "VpcId": s.ref(draw, "vpc", "VpcId"),
            "CidrBlock": "10.0.1.0/24",
            "MapPublicIpOnLaunch": _opt(draw, draw(st.sampled_from([True, False, "true"]))),
        }
    if kind == "route_table":
        return {"VpcId": s.ref(draw, "vpc", "VpcId")}
    if kind == "route":
        return {
            "RouteTableId": s.ref(draw, "route_table", "RouteTableId"),
            "DestinationCidrBlock": draw(st.sampled_from(["0.0.0.0/0", "10.1.0.0/16"])),
            "GatewayId": s.ref(draw, "internet_gateway", "InternetGatewayId"),
        }
    if kind == "route_table_association":
        return {
            "SubnetId": s.ref(draw, "subnet", "SubnetId"),
            "RouteTableId": s.ref(draw, "route_table", "RouteTableId"),
        }
    if kind == "internet_gateway":
        return {}
    if kind in ("security_group", "security_group_ingress"):
        rule = {
            "IpProtocol": draw(st.sampled_from(["tcp", "-1", "udp", -1])),
            "FromPort": _number(draw, [22, 0, 443]),
            "ToPort": _number(draw, [22, 65535, 443]),
            "CidrIp": draw(st.sampled_from(["0.0.0.0/0", "10.0.0.0/8"])),
        }
        if kind == "security_group_ingress":
            return {**rule, "GroupId": s.ref(draw, "security_group", "GroupId")}
        return {
            "GroupDescription": _label(draw, "batch"),
            "VpcId": s.ref(draw, "vpc", "VpcId"),
            "SecurityGroupIngress": [rule] if draw(st.booleans()) else [],
        }
    if kind == "launch_template":
        data = {
            "MetadataOptions": {"HttpTokens": draw(st.sampled_from(["required", "optional"]))},
            "UserData": {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::Region}\n"}},
            "InstanceType": draw(st.sampled_from(INSTANCE_TYPES)),
        }
        return {"LaunchTemplateName": _label(draw, "lt"), "LaunchTemplateData": data}
    if kind == "secret":
        return {"Name": _label(draw, "prod/db"), "SecretString": s.ctx.secrets.token(draw)}
    raise AssertionError(kind)


def _batch(draw: Draw, s: Style, kind: str) -> dict[str, Any]:
    if kind == "compute_environment":
        return draw(compute_environment(s))
    if kind == "job_queue":
        return draw(job_queue(s))
    if kind == "job_definition":
        return draw(job_definition(s))
    return draw(scheduling_policy(s))


_BATCH = ("compute_environment", "job_queue", "job_definition", "scheduling_policy")


@st.composite
def cloudformation(draw: Draw) -> tuple[dict[str, Any], Context]:
    """A CloudFormation template (long-form intrinsics) and what went into it."""
    ctx = Context("cfn")
    s = Style("cfn", ctx)
    plan: list[tuple[str, str]] = []
    for kind, most in _COUNTS.items():
        for i in range(draw(st.integers(0, most))):
            logical_id = _label(draw, f"{_CFN_IDS[kind]}{i}", 12)
            ctx.ids.setdefault(kind, []).append(logical_id)
            plan.append((kind, logical_id))
    if _rarely(draw, 3):  # declarations out of order: references point forward
        plan = draw(st.permutations(plan))
    resources: dict[str, Any] = {}
    for kind, logical_id in plan:
        ctx.current = logical_id
        props = _batch(draw, s, kind) if kind in _BATCH else _support_cfn(draw, s, kind)
        props = {k: v for k, v in props.items() if v is not _ABSENT}
        body: dict[str, Any] = {"Type": _CFN_TYPES[kind], "Properties": props}
        if _rarely(draw, 10):
            body["DependsOn"] = draw(st.sampled_from(ctx.all_ids()))
        if _rarely(draw, 10):
            body["Condition"] = "IsProd"
        resources[logical_id] = body
    if _rarely(draw, 6):  # resource types outside the model, and SAM
        resources["Function"] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {"Runtime": "python3.12"},
        }
        resources["Custom"] = {
            "Type": "Custom::Thing",
            "Properties": {"ServiceToken": {"Ref": "Function"}},
        }
    doc: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if _rarely(draw, 4):
        doc["Description"] = draw(nasty_text())
    if _rarely(draw, 6):
        doc["Transform"] = "AWS::LanguageExtensions"
        resources["Fn::ForEach::Envs"] = [
            "Name",
            draw(st.lists(st.sampled_from(["A", "B", "\x1b[31m", "a|b"]), min_size=1, max_size=2)),
            {
                "LoopEnv${Name}": {
                    "Type": "AWS::Batch::ComputeEnvironment",
                    "Properties": draw(compute_environment(s)),
                }
            },
        ]
    parameters = {
        "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"]},
        "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "subnet-1,subnet-2"},
        "Ssm": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/batch/max"},
        **ctx.parameters,
    }
    doc["Parameters"] = parameters
    doc["Conditions"] = {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}
    if ctx.mappings:
        doc["Mappings"] = ctx.mappings
    doc["Resources"] = resources
    return doc, ctx


# -- Terraform ---------------------------------------------------------------------------------

_TF_TYPES = {
    "compute_environment": "aws_batch_compute_environment",
    "job_queue": "aws_batch_job_queue",
    "job_definition": "aws_batch_job_definition",
    "scheduling_policy": "aws_batch_scheduling_policy",
    "iam_role": "aws_iam_role",
    "iam_policy": "aws_iam_role_policy",
    "instance_profile": "aws_iam_instance_profile",
    "vpc": "aws_vpc",
    "subnet": "aws_subnet",
    "route_table": "aws_route_table",
    "route": "aws_route",
    "route_table_association": "aws_route_table_association",
    "internet_gateway": "aws_internet_gateway",
    "security_group": "aws_security_group",
    "security_group_ingress": "aws_vpc_security_group_ingress_rule",
    "launch_template": "aws_launch_template",
    "secret": "aws_secretsmanager_secret",
}
_TF_ID_PREFIX = {
    "vpc": "vpc",
    "subnet": "subnet",
    "route_table": "rtb",
    "internet_gateway": "igw",
    "security_group": "sg",
    "launch_template": "lt",
}


def _support_tf(draw: Draw, s: Style, kind: str, address: str) -> dict[str, Any]:
    """Terraform attribute values of the resources Batch resources refer to."""
    if kind == "iam_role":
        inline = [
            {
                "name": _label(draw, "inline"),
                "policy": json.dumps(_policy_document(draw), allow_nan=True),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        return {
            "name": _label(draw, "role"),
            "arn": s.ctx.arns[address],
            "assume_role_policy": json.dumps(_TRUST),
            "inline_policy": inline,
            "managed_policy_arns": _opt(draw, ["arn:aws:iam::aws:policy/AdministratorAccess"], 2),
        }
    if kind == "iam_policy":
        return {
            "name": _label(draw, "policy"),
            "policy": json.dumps(_policy_document(draw), allow_nan=True),
            "role": s.ref(draw, "iam_role", "name"),
        }
    if kind == "instance_profile":
        return {
            "name": _label(draw, "profile"),
            "arn": s.ctx.arns[address],
            "role": s.ref(draw, "iam_role", "name"),
        }
    if kind == "vpc":
        return {"id": s.ctx.arns[address], "cidr_block": "10.0.0.0/16"}
    if kind == "subnet":
        return {
            "id": s.ctx.arns[address],
            "vpc_id": s.ref(draw, "vpc", "id"),
            "map_public_ip_on_launch": draw(st.sampled_from([True, False, None])),
        }
    if kind == "route_table":
        routes = [
            {"cidr_block": "0.0.0.0/0", "gateway_id": s.ref(draw, "internet_gateway", "id")}
            for _ in range(draw(st.integers(0, 1)))
        ]
        return {"id": s.ctx.arns[address], "vpc_id": s.ref(draw, "vpc", "id"), "route": routes}
    if kind == "route":
        return {
            "route_table_id": s.ref(draw, "route_table", "id"),
            "destination_cidr_block": draw(st.sampled_from(["0.0.0.0/0", "10.1.0.0/16"])),
            "gateway_id": s.ref(draw, "internet_gateway", "id"),
        }
    if kind == "route_table_association":
        return {
            "subnet_id": s.ref(draw, "subnet", "id"),
            "route_table_id": s.ref(draw, "route_table", "id"),
        }
    if kind == "internet_gateway":
        return {"id": s.ctx.arns[address], "vpc_id": s.ref(draw, "vpc", "id")}
    if kind == "security_group":
        ingress = [
            {
                "protocol": draw(st.sampled_from(["tcp", "-1"])),
                "from_port": _number(draw, [22, 0]),
                "to_port": _number(draw, [22, 65535]),
                "cidr_blocks": draw(st.sampled_from([["0.0.0.0/0"], ["10.0.0.0/8"], []])),
                "security_groups": [],
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        return {
            "id": s.ctx.arns[address],
            "name": _label(draw, "sg"),
            "ingress": ingress,
            "egress": [],
        }
    if kind == "security_group_ingress":
        return {
            "security_group_id": s.ref(draw, "security_group", "id"),
            "cidr_ipv4": "0.0.0.0/0",
            "ip_protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
        }
    if kind == "launch_template":
        return {
            "id": s.ctx.arns[address],
            "name": _label(draw, "lt"),
            "metadata_options": [{"http_tokens": draw(st.sampled_from(["required", "optional"]))}],
            "instance_type": draw(st.sampled_from(INSTANCE_TYPES)),
        }
    if kind == "secret":
        return {"name": _label(draw, "prod/db"), "arn": s.ctx.arns[address]}
    raise AssertionError(kind)


def _resolve_refs(
    value: Any,
    path: tuple[Any, ...],
    unknown: dict[tuple[Any, ...], bool],
    refs: dict[tuple[Any, ...], list[str]],
) -> Any:
    """The values tree without :class:`TfRef` markers; where they were goes into ``unknown``
    (after_unknown) and ``refs`` (configuration references), by path."""
    if isinstance(value, TfRef):
        refs.setdefault(path, []).extend(value.references)
        if value.value is None:
            unknown[path] = True
        return value.value
    if isinstance(value, dict):
        return {k: _resolve_refs(v, (*path, k), unknown, refs) for k, v in value.items()}
    if isinstance(value, list):
        items = [_resolve_refs(v, (*path, i), unknown, refs) for i, v in enumerate(value)]
        scalars = [p for p in list(refs) if len(p) == len(path) + 1 and p[: len(path)] == path]
        if scalars and all(not isinstance(v, (dict, list)) for v in items):
            # a list attribute: one expression for the whole list, as Terraform writes it
            merged: list[str] = []
            for p in scalars:
                merged.extend(refs.pop(p))
            refs[path] = merged
            marks = [unknown.pop((*path, i), False) for i in range(len(items))]
            if any(marks):
                unknown[path] = True if all(marks) else marks  # type: ignore[assignment]
        return items
    return value


def _tree(paths: dict[tuple[Any, ...], Any]) -> Any:
    """A nested dict/list tree (as Terraform writes after_unknown and expressions) from paths."""
    root: dict[str, Any] = {}
    for path, leaf in paths.items():
        node: Any = root
        for step, following in zip(path, [*path[1:], None], strict=True):
            want: Any = {} if following is None or isinstance(following, str) else []
            if isinstance(node, dict):
                if following is None:
                    node[step] = leaf
                    break
                node = node.setdefault(step, want)
            else:
                while len(node) <= step:
                    node.append({} if isinstance(following, str) else [])
                if following is None:
                    node[step] = leaf
                    break
                node = node[step]
    return root


@dataclass
class _TfResource:
    kind: str
    address: str
    module: str  # "" or "module.a."
    type: str
    name: str
    index: int | str | None
    values: dict[str, Any] = field(default_factory=dict)
    after_unknown: Any = None
    expressions: Any = None


@st.composite
def terraform(draw: Draw) -> tuple[dict[str, Any], Context]:
    """A Terraform plan (or state) JSON document and what went into it."""
    ctx = Context("tf")
    s = Style("tf", ctx)
    modules = [""]
    for _ in range(draw(st.integers(0, 2))):
        parent = draw(st.sampled_from(modules))
        name = re.sub(r"[.\[\]]", "_", _label(draw, f"m{len(modules)}", 10))
        key = draw(st.sampled_from(["", "[0]", '["prod"]']))
        modules.append(f"{parent}module.{name}{key}.")
    planned: list[_TfResource] = []
    for kind, most in _COUNTS.items():
        for i in range(draw(st.integers(0, most))):
            module = draw(st.sampled_from(modules))
            name = _label(draw, f"{kind[:3]}_{i}", 14)
            index = draw(st.sampled_from([None, None, 0, 1, "a", "x\x1by"]))
            token = (
                ""
                if index is None
                else f"[{index}]"
                if isinstance(index, int)
                else json.dumps(index)
            )
            token = token if index is None or isinstance(index, int) else f"[{token}]"
            address = f"{module}{_TF_TYPES[kind]}.{name}{token}"
            item = _TfResource(kind, address, module, _TF_TYPES[kind], name, index)
            ctx.ids.setdefault(kind, []).append(address)
            prefix = _TF_ID_PREFIX.get(kind)
            ctx.arns[address] = (
                f"{prefix}-{i:08x}{len(planned):09x}"
                if prefix
                else f"arn:aws:iam::123456789012:{kind}/{name}"
            )
            planned.append(item)
    for item in planned:
        ctx.current, ctx.module = item.address, item.module
        values = (
            _batch(draw, s, item.kind)
            if item.kind in _BATCH
            else _support_tf(draw, s, item.kind, item.address)
        )
        values = {k: v for k, v in values.items() if v is not _ABSENT}
        unknown: dict[tuple[Any, ...], bool] = {}
        refs: dict[tuple[Any, ...], list[str]] = {}
        item.values = _resolve_refs(values, (), unknown, refs)
        for key in ("arn", "id"):
            if key not in item.values and draw(st.booleans()):
                unknown[(key,)] = True
        if _rarely(draw, 10):  # a whole block unknown until apply
            block = draw(st.sampled_from(sorted(item.values) or ["x"]))
            unknown[(block,)] = True
            item.values.pop(block, None)
        item.after_unknown = _tree(unknown)
        expressions = {p: {"references": r} for p, r in refs.items()}
        for key, value in list(item.values.items())[:2]:
            if not isinstance(value, (dict, list)) and (key,) not in expressions:
                expressions[(key,)] = {"constant_value": value}
        item.expressions = _tree(expressions)
    return _tf_document(draw, planned, modules, ctx), ctx


def _tf_document(
    draw: Draw, planned: list[_TfResource], modules: list[str], ctx: Context
) -> dict[str, Any]:
    form = draw(
        st.sampled_from(["plan", "plan", "plan", "plan", "changes-only", "state", "tfstate"])
    )
    if form == "tfstate":
        return {
            "version": _maybe_nasty(draw, 4, 12),
            "terraform_version": "1.9.5",
            "serial": 1,
            "lineage": "f00d",
            "resources": [
                {
                    "mode": "managed",
                    "type": r.type,
                    "name": r.name,
                    **({"module": r.module.rstrip(".")} if r.module else {}),
                    "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                    "instances": [
                        {
                            **({"index_key": r.index} if r.index is not None else {}),
                            "schema_version": 0,
                            "attributes": copy.deepcopy(r.values),
                        }
                    ],
                }
                for r in planned
            ],
        }
    root: dict[str, Any] = {"resources": []}
    by_module: dict[str, dict[str, Any]] = {"": root}
    for module in modules[1:]:
        parent = by_module[_parent(module)]
        child = {"address": module.rstrip("."), "resources": []}
        parent.setdefault("child_modules", []).append(child)
        by_module[module] = child
    for r in planned:
        entry: dict[str, Any] = {
            "address": r.address,
            "mode": "managed",
            "type": r.type,
            "name": r.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 0,
            "values": copy.deepcopy(r.values),
            "sensitive_values": {},
        }
        if r.index is not None:
            entry["index"] = r.index
        by_module[r.module]["resources"].append(entry)
    if form == "state":
        return {
            "format_version": "1.0",
            "terraform_version": "1.9.5",
            "values": {"root_module": root},
        }
    changes = []
    for r in planned:
        actions = draw(
            st.sampled_from(
                [["create"], ["create"], ["update"], ["no-op"], ["delete", "create"], ["delete"]]
            )
        )
        change: dict[str, Any] = {
            "address": r.address,
            "mode": "managed",
            "type": r.type,
            "name": r.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": actions,
                "before": None,
                "after": copy.deepcopy(r.values),
                "after_unknown": copy.deepcopy(r.after_unknown),
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
        if r.module:
            change["module_address"] = r.module.rstrip(".")
        if r.index is not None:
            change["index"] = r.index
        changes.append(change)
        if _rarely(draw, 12):
            changes.append({**change, "deposed": "abcd1234"})
    region = draw(
        st.sampled_from(["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "mars-1"])
    )
    region = _maybe_nasty(draw, region, 6)
    doc: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "variables": {"db_password": {"value": ctx.secrets.token(draw)}},
        "planned_values": {"root_module": root},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": region}}}
            },
            "root_module": _configuration(planned, modules, ctx),
        },
    }
    if form == "changes-only":
        del doc["planned_values"]
    return doc


def _parent(module: str) -> str:
    """The module prefix that calls ``module`` ("" for the root module)."""
    calls = re.findall(r"module\.[^.\[]+(?:\[[^\]]*\])?\.", module)
    return "".join(calls[:-1])


def _configuration(planned: list[_TfResource], modules: list[str], ctx: Context) -> dict[str, Any]:
    config_of: dict[str, dict[str, Any]] = {}
    for module in modules:
        config_of[re.sub(r"\[[^\]]*\]", "", module)] = {"resources": [], "module_calls": {}}
    root = config_of[""]
    roles = ctx.ids.get("iam_role", [])
    for module in modules[1:]:
        path = re.sub(r"\[[^\]]*\]", "", module)
        parent = config_of[re.sub(r"\[[^\]]*\]", "", _parent(module))]
        name = path[:-1].rsplit("module.", 1)[1]
        arguments: dict[str, Any] = {}
        caller = _parent(module)  # arguments are expressions of the calling module
        local = [r[len(caller) :] for r in roles if r.startswith(caller)]
        local = [r for r in local if not r.startswith("module.")]
        if local:
            target = re.sub(r"\[[^\]]*\]$", "", local[0])
            arguments["input"] = {"references": [f"{target}.arn", target]}
        parent["module_calls"][name] = {
            "source": f"./{name}",
            "expressions": arguments,
            "module": config_of[path],
        }
    seen: set[str] = set()
    for r in planned:
        base = f"{r.type}.{r.name}"
        path = re.sub(r"\[[^\]]*\]", "", r.module)
        if path + base in seen:
            continue
        seen.add(path + base)
        config_of[path]["resources"].append(
            {
                "address": base,
                "mode": "managed",
                "type": r.type,
                "name": r.name,
                "provider_config_key": "aws",
                "expressions": r.expressions,
                "schema_version": 0,
            }
        )
    return root


# -- mutation ----------------------------------------------------------------------------------

_MAX_PATHS = 400


def _paths(doc: Any) -> list[tuple[Any, ...]]:
    """Paths to every value below the root (breadth first, capped)."""
    out: list[tuple[Any, ...]] = []
    queue: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while queue and len(out) < _MAX_PATHS:
        path, value = queue.pop(0)
        children: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list):
            children = list(enumerate(value))
        for key, child in children:
            out.append((*path, key))
            queue.append(((*path, key), child))
    return out


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _other_type(value: Any) -> Any:
    if isinstance(value, dict):
        return list(value.values()) or [value]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)} or "[]"
    if isinstance(value, str):
        return [value]
    return {"value": value}


MUTATIONS = (
    "replace",
    "swap-type",
    "null",
    "delete",
    "unknown-intrinsic",
    "bad-intrinsic",
    "self-reference",
    "circular",
    "insert-key",
    "wrap-list",
    "big-int",
)


@st.composite
def mutated(draw: Draw, doc: Any, ctx: Context, big: bool = False) -> tuple[Any, list[str]]:
    """``doc`` with 0 to 4 mutations, and a description of each."""
    done: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = paths[draw(st.integers(0, len(paths) - 1))]
        parent, key = _at(doc, path[:-1]), path[-1]
        old = parent[key]
        how = draw(st.sampled_from(MUTATIONS if big else MUTATIONS[:-1]))
        new: Any = old
        if how == "replace":
            new = draw(garbage())
        elif how == "swap-type":
            new = _other_type(old)
        elif how == "null":
            new = None
        elif how == "delete":
            del parent[key]
            done.append(f"delete {path!r}")
            continue
        elif how == "unknown-intrinsic":
            new = {
                draw(
                    st.sampled_from(["Fn::Frobnicate", "Fn::Transform", "Fn::GetAZs", "Fn::Cidr"])
                ): old
            }
        elif how == "bad-intrinsic":
            name = draw(
                st.sampled_from(
                    [
                        "Ref",
                        "Fn::GetAtt",
                        "Fn::Sub",
                        "Fn::If",
                        "Fn::Join",
                        "Fn::Select",
                        "Fn::Split",
                        "Fn::FindInMap",
                        "Fn::Base64",
                        "Condition",
                    ]
                )
            )
            new = {name: draw(st.one_of(garbage(), st.just(old)))}
        elif how in ("self-reference", "circular"):
            ids = ctx.all_ids() or ["Ghost"]
            target = draw(st.sampled_from(ids))
            if ctx.style == "cfn":
                new = (
                    {"Ref": target} if how == "self-reference" else {"Fn::GetAtt": [target, "Arn"]}
                )
            else:
                new = {"references": [f"{target}.id", target, "var.input", "module.m1.out"]}
        elif how == "insert-key":
            if isinstance(old, dict):
                old[draw(st.sampled_from(NASTY_TEXT))] = draw(garbage())
                done.append(f"insert-key {path!r}")
                continue
            new = draw(garbage())
        elif how == "wrap-list":
            new = [old]
        elif how == "big-int":
            new = BIG_INT
        parent[key] = new
        done.append(f"{how} {path!r}")
    return doc, done


# -- serialising -------------------------------------------------------------------------------

_SHORT = re.compile(r"^Fn::([A-Za-z]+)$")


class _CfnDumper(yaml.SafeDumper):
    """YAML with CloudFormation's short-form tags for single-key intrinsic mappings."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    if len(data) == 1 and getattr(dumper, "short_tags", False):
        key = next(iter(data))
        value = data[key]
        tag = None
        if key in ("Ref", "Condition"):
            tag = "!" + key
        elif isinstance(key, str) and (match := _SHORT.match(key)):
            tag = "!" + match.group(1)
        if tag is not None:
            if (
                tag == "!GetAtt"
                and isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, str) for v in value)
            ):
                value = f"{value[0]}.{value[1]}"
            node = dumper.represent_data(value)
            node.tag = tag
            return node
    return dumper.represent_dict(data.items())


_CfnDumper.add_representer(dict, _represent_dict)


def to_yaml(doc: Any, *, short_tags: bool, flow: bool | None, unicode: bool) -> str:
    dumper_class = type("Dumper", (_CfnDumper,), {"short_tags": short_tags})
    text = yaml.dump(
        doc,
        Dumper=dumper_class,
        default_flow_style=flow,
        allow_unicode=unicode,
        sort_keys=False,
        width=200,
    )
    return text.replace(f"'{BIG_INT}'", BIG_INT_DIGITS).replace(BIG_INT, BIG_INT_DIGITS)


def to_json(doc: Any, *, indent: int | None, ascii_only: bool) -> str:
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only, allow_nan=True)
    return text.replace(f'"{BIG_INT}"', BIG_INT_DIGITS)


TEXT_DAMAGE = ("none", "crlf", "cr", "bom", "truncate", "insert", "drop-line", "tab-indent")


@st.composite
def damaged(draw: Draw, text: str) -> tuple[str, str]:
    """Text-level damage now and then: line ends, a BOM, truncation, stray characters."""
    how = draw(st.sampled_from(TEXT_DAMAGE)) if _rarely(draw, 4) else "none"
    if how == "crlf":
        return text.replace("\n", "\r\n"), how
    if how == "cr":
        return text.replace("\n", "\r"), how
    if how == "bom":
        return "\ufeff" + text, how
    if how == "truncate":
        return text[: draw(st.integers(0, max(len(text) - 1, 0)))], how
    if how == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(
            st.sampled_from([*NASTY_TEXT, "{", "]", ": ", "- ", "&a", "*a", "!!binary"])
        ) + text[at:], how
    if how == "drop-line":
        lines = text.split("\n")
        del lines[draw(st.integers(0, len(lines) - 1))]
        return "\n".join(lines), how
    if how == "tab-indent":
        return text.replace("  ", "\t"), how
    return text, how


# -- whole inputs ------------------------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("?", value)
    if isinstance(value, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    return value


@dataclass
class Generated:
    """One input file for the pipeline, and what must hold for it."""

    format: str  # "cfn-json" | "cfn-yaml" | "tf-json"
    file_name: str
    text: str  # the file's content (may hold lone surrogates: written with surrogatepass)
    base_text: str  # the same document before mutation: the base of a cost comparison
    secrets: list[str]
    usage: dict[str, Any] | None  # a usage file's content, or None
    how: list[str]  # what was done to the document, for the failure message

    def __repr__(self) -> str:
        return (
            f"Generated(format={self.format!r}, file_name={self.file_name!r}, how={self.how!r},\n"
            f"text={self.text!r})"
        )


_SAFE_FILE_CHARS = re.compile(r"[/\x00\ud800-\udfff]")


@st.composite
def file_name(draw: Draw, suffix: str) -> str:
    """A file name; now and then a hostile one (a pull request can add any file)."""
    stem = "stack"
    if _rarely(draw, 5):
        stem = _SAFE_FILE_CHARS.sub("_", draw(nasty_text()))[:40] or "x"
    return stem + suffix


def _usage(draw: Draw, ctx: Context) -> dict[str, Any] | None:
    keys = ctx.ids.get("job_definition", []) + ctx.ids.get("job_queue", [])
    if not keys or not draw(st.booleans()):
        return None
    entries = {
        key: {
            "jobs_per_month": draw(st.sampled_from([0, 1, 30, 3000, 1e9])),
            "average_duration_minutes": draw(st.sampled_from([0, 1, 12.5, 600])),
        }
        for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True))
    }
    return {"version": 1, "usage": entries}


@st.composite
def inputs(draw: Draw, fmt: str, big: bool = False) -> Generated:
    """A whole input: generated, mutated, serialised and perhaps damaged."""
    if fmt.startswith("cfn"):
        doc, ctx = draw(cloudformation())
    else:
        doc, ctx = draw(terraform())
    doc = copy.deepcopy(doc)  # no value shared with another place, or with this module
    base = copy.deepcopy(doc)
    doc, how = draw(mutated(doc, ctx, big))
    if fmt == "cfn-yaml":
        if not _rarely(draw, 10):  # YAML has no lone surrogates: mostly, keep them out
            doc, base = _no_surrogates(doc), _no_surrogates(base)
        short = draw(st.booleans())
        flow = draw(st.sampled_from([False, None, True]))
        unicode = draw(st.booleans())
        text = to_yaml(doc, short_tags=short, flow=flow, unicode=unicode)
        base_text = to_yaml(base, short_tags=short, flow=flow, unicode=unicode)
        suffix = ".yaml"
    else:
        indent = draw(st.sampled_from([None, 1, 2]))
        ascii_only = draw(st.booleans())
        text = to_json(doc, indent=indent, ascii_only=ascii_only)
        base_text = to_json(base, indent=indent, ascii_only=ascii_only)
        suffix = ".json"
    text, damage = draw(damaged(text))
    if damage != "none":
        how.append(f"text: {damage}")
    return Generated(
        fmt,
        draw(file_name(suffix)),
        text,
        base_text,
        list(ctx.secrets.values),
        _usage(draw, ctx),
        how,
    )
