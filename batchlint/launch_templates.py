"""The launch templates a compute environment's instances start from, and their data.

A managed EC2 or Spot compute environment names a launch template in
``computeResources.launchTemplate`` (``launchTemplateId`` or ``launchTemplateName``, and a
``version``) and, per instance type, more in ``launchTemplate.overrides[]``. Each resolves to
a LAUNCH_TEMPLATE in scope (by reference edge, or by a literal ID or name the scan declares),
and to the data of the version the environment uses.

A template in a scanned file declares one version of its data: the one the file creates (or
that the apply creates). The environment uses that data when its version names it:

- ``$Latest``; absent or ``$Default`` (the default version) unless a Terraform plan or state
  shows the default behind the latest version. Without version numbers the default is taken
  to hold the declared data, as it does while a template has one version (CloudFormation
  never moves the default: after an update, ``$Default`` still names version 1);
- a reference to the template's ``LatestVersionNumber``/``DefaultVersionNumber``
  (CloudFormation) or ``latest_version``/``default_version`` (Terraform);
- a number equal to the template's known ``latest_version`` (a Terraform plan of an unchanged
  template, or a state), or ``1`` for a template the file creates (CloudFormation, or a plan
  that creates it: its first version is the declared data).

Any other version (an older number, an unknown value) is a version the scan cannot see, and a
template named by a literal ID or name that the scan does not declare is external: neither is
returned, so the rules built on this stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchlint.model import FARGATE_TYPES, Kind, Node, Origin, Resource, Scope


@dataclass(frozen=True)
class UsedTemplate:
    """A launch template in scope that a compute environment launches instances from."""

    template: Resource  # the LAUNCH_TEMPLATE
    data: Node  # its launchTemplateData, the version the environment uses
    spec: Node  # the environment's launchTemplate (or overrides[]) entry that names it


def launch_templates_of(scope: Scope, ce: Resource) -> list[UsedTemplate]:
    """The launch templates in scope whose data ``ce`` is known to use: its
    ``launchTemplate`` and then its ``overrides``, each template once."""
    return scope.cached(("launch_templates_of", ce.address), lambda: _resolve(scope, ce))


def template_data(template: Resource) -> Node:
    """A template's ``launchTemplateData`` (an empty one when it declares none)."""
    data = template.props.get("launchTemplateData")
    if data is not None:
        return data
    return Node({}, Origin.SET, template.props.pointer or template.pointer)


def _resolve(scope: Scope, ce: Resource) -> list[UsedTemplate]:
    resources = ce.props.get("computeResources")
    if resources is None or resources.unknown:
        return []
    kind = resources.get("type")
    if kind is not None and (kind.text() or "").strip().upper() in FARGATE_TYPES:
        return []
    main = resources.get("launchTemplate")
    if main is None:
        return []
    out: list[UsedTemplate] = []
    seen: set[str] = set()
    for spec in (main, *main.each("overrides")):
        found = _used(scope, spec)
        if found is not None and found.template.address not in seen:
            seen.add(found.template.address)
            out.append(found)
    return out


def _used(scope: Scope, spec: Node) -> UsedTemplate | None:
    if spec.unknown or not isinstance(spec.raw, dict):
        return None
    template, named = None, None
    for key in ("launchTemplateId", "launchTemplateName"):
        named = spec.get(key)
        template = scope.deref(named, Kind.LAUNCH_TEMPLATE)
        if template is not None:
            break
    if template is None:
        return None
    if template.props.get("versionNumber") is not None:
        # an account snapshot records versions: the source tied the spec to the one it names
        if named is None or named.ref != template.address:
            return None
    elif not _declared_version(template, spec.get("version")):
        return None
    return UsedTemplate(template, template_data(template), spec)


def _declared_version(template: Resource, version: Node | None) -> bool:
    """Whether ``version`` names the version whose data ``template`` declares."""
    if version is None:
        return _default_is_declared(template)  # absent (or AWS::NoValue): $Default
    if version.unknown:
        if version.alts:  # Fn::If: every branch must name it
            return all(_declared_version(template, alt) for alt in version.alts)
        return version.ref == template.address  # LatestVersionNumber / latest_version
    text = version.text()
    if text is None:
        return False
    alias = text.strip().lower()
    if alias == "$latest":
        return True
    if alias == "$default":
        return _default_is_declared(template)
    number = version.number()
    if number is None:
        return False
    latest = template.props.get("latestVersion")
    if latest is not None and latest.known:
        return latest.number() == number
    return number == 1 and _created_by_file(template, latest)


def _default_is_declared(template: Resource) -> bool:
    """Whether the default version holds the declared data. A Terraform plan or state knows
    both numbers once the template exists: a default behind the latest version is an older
    one (``update_default_version`` unset), and so is a known default while an update makes
    a new latest version. Without numbers (CloudFormation, or a template being created) the
    default is taken to be the declared data."""
    default = template.props.get("defaultVersion")
    if default is None or default.unknown:
        return True
    latest = template.props.get("latestVersion")
    return latest is not None and latest.known and latest.number() == default.number()


def _created_by_file(template: Resource, latest: Node | None) -> bool:
    """Whether the scanned file creates ``template`` (so its version 1 is the declared data):
    a CloudFormation template records no versions; a Terraform plan that creates it leaves
    both its ID and its latest version unknown (an update knows the ID)."""
    ident = template.props.get("id")
    if latest is None and ident is None:
        return True
    return latest is not None and ident is not None and ident.unknown


def custom_image(ce: Resource, used: UsedTemplate) -> bool:
    """Whether the instances may start from an AMI other than Batch's default one for their
    image type: the template's ``ImageId``, ``computeResources.imageId`` or an
    ``ec2Configuration[].imageIdOverride`` (written or unknown: the AMI's own settings, such
    as its IMDS support and its snapshots' encryption, cannot be seen)."""
    if used.data.get("ImageId") is not None:
        return True
    resources = ce.props.get("computeResources")
    if resources is None or resources.get("imageId") is not None:
        return True
    configs = resources.get("ec2Configuration")
    if configs is not None and configs.unknown:
        return True
    return any(
        entry.unknown or entry.get("imageIdOverride") is not None
        for entry in (configs.items() if configs is not None else [])
    )
