"""A container image is not pinned: no tag and no digest, or the tag `latest`.

## What it does
Flags every container of a job definition (container properties, node ranges, ECS task
containers, EKS containers and init containers) whose `image` has neither a tag nor a
digest (`busybox`, `my.registry:5000/app` — the `:5000` is a port) or is tagged `latest`.
An image pinned by digest passes, with or without a tag (`app@sha256:…`,
`app:latest@sha256:…`). An image only partly known before deploy (a `Ref` or `Fn::Sub` over
a parameter without default) is not judged.

## Why is this bad?
`latest` — written or implied — moves whenever someone pushes. Each job, and each retry of
the same job, runs whatever the tag points to at that moment: results are not reproducible,
a broken push breaks every queued job at once, and a compromised registry account reaches
production without a deploy. A version tag makes changes deliberate; a digest makes them
impossible without a new job definition revision.

## Example
```yaml
Resources:
  Align:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/aligner:latest
        ResourceRequirements:
          - {Type: VCPU, Value: "8"}
          - {Type: MEMORY, Value: "30000"}
```

## Use instead
```yaml
Resources:
  Align:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/aligner:2.4.1
        ResourceRequirements:
          - {Type: VCPU, Value: "8"}
          - {Type: MEMORY, Value: "30000"}
```

## Known limitations
Other moving tags (`stable`, `main`, `dev`) are not reported; only `latest` and the implied
`latest` are.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html
- https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
- https://docs.docker.com/reference/cli/docker/image/tag/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from batchlint.containers import containers
from batchlint.model import JobDefinition
from batchlint.rule import Context, Hit, Severity, rule


@dataclass(frozen=True)
class ImageRef:
    name: str
    tag: str | None
    digest: str | None


def parse_image(image: str) -> ImageRef:
    """Split ``[registry[:port]/]path[:tag][@digest]``; a ``:`` before the last ``/`` is a
    registry port, not a tag."""
    text = image.strip()
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
        digest = digest or None
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        return ImageRef(text[:colon], text[colon + 1 :] or None, digest)
    return ImageRef(text, None, digest)


@rule(
    code="BL-JD-007",
    name="image-tag-unpinned",
    severity=Severity.WARNING,
    tags=("reliability", "security"),
    fix="Pin the image to a version tag or a digest",
    security_severity=3.5,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    for container in containers(jd):
        node = container.node.get("image")
        image = node.text() if node is not None else None
        if not image or not image.strip():
            continue
        ref = parse_image(image)
        if ref.digest is not None:
            continue
        if ref.tag is None:
            problem = "has no tag or digest, so it pulls whatever 'latest' points to at launch"
        elif ref.tag == "latest":
            problem = "is tagged 'latest', which moves with every push"
        else:
            continue
        yield Hit(
            jd,
            f"Image {image.strip()} of {container.label} {problem}, and each job or retry can "
            "run different code: pin a version tag or, better, a digest (@sha256:…).",
            node,
        )
