"""container-runs-as-root: which users are root, the EKS combinations, and its messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scanning

CODE = "BL-JD-028"


def _messages(tmp_path: Path, properties: str) -> list[str]:
    template = (
        "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\nParameters:\n  Stage: {Type: String}\n"
        "  Who: {Type: String}\nResources:\n  Job:\n    Type: AWS::Batch::JobDefinition\n"
        "    Properties:\n      Type: container\n" + properties
    )
    return scanning.messages(tmp_path, template, CODE, also=["BL-META"])


def _container(user: str) -> str:
    return f"      ContainerProperties: {{Image: busybox:1.36, User: {user}}}\n"


@pytest.mark.parametrize(
    "user",
    ["root", "0", '"00"', '"0:0"', '"root:root"', '"root:1000"', '" 0 "', "!If [IsProd, root, 0]"],
)
def test_root_users(tmp_path: Path, user: str) -> None:
    [message] = _messages(tmp_path, _container(user))
    assert message.startswith("The container (containerProperties) runs as root (user ")
    assert message.endswith('set user to a non-root UID ("1000:1000").')


@pytest.mark.parametrize(
    "user",
    [
        '"1000"',
        '"1000:0"',
        "nobody",
        "ROOT",
        "rootless",
        '"0x0"',
        "!Ref Who",
        "!If [IsProd, root, app]",
    ],
)
def test_non_root_or_unknown_users_stay_silent(tmp_path: Path, user: str) -> None:
    assert _messages(tmp_path, _container(user)) == []


@pytest.mark.parametrize("user", ["(absent)", '""', "!If [IsProd, '', !Ref AWS::NoValue]"])
def test_no_user(tmp_path: Path, user: str) -> None:
    props = _container(user) if user != "(absent)" else "      ContainerProperties: {Image: x}\n"
    assert _messages(tmp_path, props) == [
        "The container (containerProperties) sets no user, so it runs as the image's user, root "
        'unless the image says otherwise: set user to a non-root UID ("1000:1000").'
    ]


def _eks(context: str) -> str:
    return f"""      EksProperties:
        PodProperties:
          HostNetwork: false
          Containers:
            - {{Name: main, Image: busybox:1.36{context}}}
"""


NEITHER = (
    'EKS container "main" sets neither runAsUser nor runAsNonRoot, so it runs as the image\'s '
    "user, root unless the image says otherwise: set securityContext.runAsUser to a non-root UID "
    "and runAsNonRoot to true."
)
FALSE = (
    'EKS container "main" has runAsNonRoot set to false, so it runs as the image\'s user, root '
    "unless the image says otherwise: set securityContext.runAsUser to a non-root UID and "
    "runAsNonRoot to true."
)
ZERO = 'EKS container "main" runs as root (runAsUser is 0): set runAsUser to a non-root UID.'
CONTRADICTION = (
    'EKS container "main" sets runAsNonRoot to true and runAsUser to 0, which contradict each '
    "other and stop the kubelet from starting it: set runAsUser to a non-root UID."
)


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("", [NEITHER]),
        (", SecurityContext: {Privileged: false}", [NEITHER]),
        (", SecurityContext: {RunAsNonRoot: false}", [FALSE]),
        (", SecurityContext: {RunAsUser: 0}", [ZERO]),
        (', SecurityContext: {RunAsUser: "0", RunAsNonRoot: false}', [ZERO]),
        (", SecurityContext: {RunAsUser: 0, RunAsNonRoot: true}", [CONTRADICTION]),
        (", SecurityContext: {RunAsUser: 1000}", []),
        (", SecurityContext: {RunAsUser: 1000, RunAsNonRoot: false}", []),
        (", SecurityContext: {RunAsNonRoot: true}", []),
        (', SecurityContext: {RunAsNonRoot: "TRUE"}', []),
        (", SecurityContext: {RunAsNonRoot: !Ref Who}", []),
        (", SecurityContext: {RunAsUser: !Ref Who}", []),
        (", SecurityContext: !Ref Who", []),
        (", SecurityContext: {RunAsUser: not-a-number}", []),
    ],
)
def test_eks_combinations(tmp_path: Path, context: str, expected: list[str]) -> None:
    assert _messages(tmp_path, _eks(context)) == expected
