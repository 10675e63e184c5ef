"""A container asks for vCPUs or memory with the deprecated `vcpus`/`memory` fields.

## What it does
Flags, in `containerProperties` and in the container of every node range, the top-level
`vcpus` and `memory` fields that `resourceRequirements` replaced:
- the legacy fields alone: one finding per container, naming the `resourceRequirements`
  entries to write instead (on a Fargate job definition, which does not support them at all,
  the message says so);
- a legacy field next to a `resourceRequirements` entry of the same type: `resourceRequirements`
  is the one AWS Batch uses, so the legacy value is dead (and misleading when it differs);
- `memory` below 4 MiB, the least AWS Batch accepts.

EKS containers (`resources.limits`/`requests`) and ECS task containers have no such fields.

## Why is this bad?
AWS deprecated `vcpus` and `memory` in favour of `resourceRequirements`, which also carries
GPUs and is the only form Fargate accepts. A container override at `SubmitJob` written with
`resourceRequirements` does not replace a legacy value, and the other way round, which is an
easy way to get a job that ignores the size it was submitted with. With both forms in the job
definition, the one that counts is not the one a reader may assume.

## Example
```yaml
Resources:
  Report:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12-slim
        Vcpus: 2
        Memory: 4096
```

## Use instead
```yaml
Resources:
  Report:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: public.ecr.aws/docker/library/python:3.12-slim
        ResourceRequirements:
          - {Type: VCPU, Value: "2"}
          - {Type: MEMORY, Value: "4096"}
```

## Known limitations
One rule has one default severity: it is `note`, for the deprecation (by far the most common
case, and a working configuration). `memory` under 4 MiB fails registration and a duplicated
value is a likely mistake: their messages say so; raise the severity in your configuration if
you want them to fail a build. A `MEMORY` entry of `resourceRequirements` under 4 MiB is not
this rule's business.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerOverrides.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.containers import Container, containers
from batchlint.model import JobDefinition, Node
from batchlint.requests import Request, requests
from batchlint.rule import Context, Hit, Severity, rule

MIN_MEMORY_MIB = 4
_LEGACY = (("vcpus", "VCPU"), ("memory", "MEMORY"))


@rule(
    code="BL-JD-014",
    name="deprecated-vcpus-memory-fields",
    severity=Severity.NOTE,
    tags=("operability", "reliability"),
    fix="Move vcpus and memory into resourceRequirements",
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    platforms = jd.props.get("platformCapabilities")
    names = platforms.texts() if platforms is not None else None
    fargate = bool(names) and "FARGATE" in {n.strip().upper() for n in names or []}
    for container in containers(jd):
        if container.layout in ("container", "node"):
            yield from _container(jd, container, fargate)


def _container(jd: JobDefinition, container: Container, fargate: bool) -> Iterator[Hit]:
    asked = requests(container)
    label = container.label[:1].upper() + container.label[1:]
    plain: list[tuple[str, str, Node]] = []
    for field, kind in _LEGACY:
        legacy = _present(container.node.get(field))
        if legacy is None:
            continue
        used = asked.vcpus if kind == "VCPU" else asked.memory_mib
        written, value = _requirement(container.node, kind)
        if written:
            yield Hit(jd, _both(label, field, kind, legacy, used, value), legacy)
            continue
        amount = legacy.number()
        # written is False: surely the value Batch uses
        if kind == "MEMORY" and amount is not None and amount < MIN_MEMORY_MIB and written is False:
            yield Hit(
                jd,
                f"{label} sets the deprecated memory field to {_fig(amount)} MiB, below the "
                f"{MIN_MEMORY_MIB} MiB AWS Batch accepts, so registering the job definition "
                f"fails: give at least {MIN_MEMORY_MIB} MiB, as a resourceRequirements entry "
                "of type MEMORY.",
                legacy,
            )
            continue
        plain.append((field, kind, legacy))
    if plain:
        yield Hit(jd, _deprecated(label, plain, fargate), plain[0][2])


def _present(node: Node | None) -> Node | None:
    """The legacy field's node when the field is surely there (its value may be unknown)."""
    if node is None or (node.known and node.raw is None):
        return None
    if node.unknown and node.alts and any(alt is None for alt in node.alts):
        return None  # an Fn::If with an AWS::NoValue branch: maybe absent
    return node


def _requirement(container: Node, kind: str) -> tuple[bool | None, Node | None]:
    """Whether ``resourceRequirements`` has an entry of ``kind`` (``None``: cannot tell) and
    that entry's value."""
    entries = container.get("resourceRequirements")
    if entries is None:
        return False, None
    if entries.unknown:
        return None, None
    unsure = False
    for entry in entries.items():
        name = entry.get("type")
        text = name.text() if name is not None else None
        if text is None:
            unsure = True
        elif text.strip().upper() == kind:
            return True, entry.get("value")
    return (None if unsure else False), None


def _both(
    label: str, field: str, kind: str, legacy: Node, used: Request | None, value: Node | None
) -> str:
    old = legacy.number()
    new = used.value if used is not None and used.node is value else None
    if old is not None and old == new:
        figures = f"the deprecated {field} and a resourceRequirements {kind} (both {_fig(old)})"
    else:
        figures = (
            f"the deprecated {field}{_paren(old)} and a resourceRequirements {kind}{_paren(new)}"
        )
    return (
        f"{label} sets both {figures}, and AWS Batch uses only the resourceRequirements value: "
        f"delete {field}."
    )


def _deprecated(label: str, plain: list[tuple[str, str, Node]], fargate: bool) -> str:
    fields = " and ".join(f"{field}{_paren(node.number())}" for field, _, node in plain)
    entries = " and ".join(
        f'{{type: {kind}, value: "{_fig(amount)}"}}'
        if (amount := node.number()) is not None
        else f"{{type: {kind}, value: …}}"
        for _, kind, node in plain
    )
    many = len(plain) > 1
    unsupported = ", which Fargate does not support" if fargate else ""
    return (
        f"{label} uses the deprecated {fields} {'fields' if many else 'field'}{unsupported}: "
        f"replace {'them' if many else 'it'} with the resourceRequirements "
        f"{'entries' if many else 'entry'} {entries}."
    )


def _paren(value: float | None) -> str:
    return f" ({_fig(value)})" if value is not None else ""


def _fig(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"
