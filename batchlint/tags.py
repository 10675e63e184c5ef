"""The tag keys a resource carries, read one way for every rule about tags.

Keys that start with ``aws:`` (in any case: AWS reserves the prefix) are system tags and are
left out. A Terraform plan's ``tags_all`` adds the provider's ``default_tags`` to ``tags``, so
it is read in preference when present.
"""

from __future__ import annotations

from batchlint.model import Node, Resource

SYSTEM_PREFIX = "aws:"


def user_tag_keys(tags: Node | None) -> list[set[str]] | None:
    """The user tag keys of every value ``tags`` can take (one set per ``Fn::If`` outcome);
    ``None`` when any of them is unknown or of an odd shape. Absent or null: no tags."""
    if tags is None or (tags.known and tags.raw is None):
        return [set()]
    outcomes = tags.outcomes()
    if not outcomes:
        return None
    out = []
    for outcome in outcomes:
        keys = _keys(outcome)
        if keys is None:
            return None
        out.append({key for key in keys if not key.lower().startswith(SYSTEM_PREFIX)})
    return out


def resource_tag_keys(resource: Resource) -> list[set[str]] | None:
    """:func:`user_tag_keys` of the resource's own tags (``tags_all`` when the source has it)."""
    merged = resource.props.get("tagsAll")
    return user_tag_keys(merged if merged is not None else resource.props.get("tags"))


def certain_tag_keys(resource: Resource) -> set[str] | None:
    """The user tag keys the resource has whatever the outcome; when ``tags_all`` is unknown
    until apply, those written in ``tags``. ``None`` when no key can be told."""
    found = resource_tag_keys(resource) or user_tag_keys(resource.props.get("tags"))
    return set.intersection(*found) if found else None


def _keys(tags: Node | None) -> set[str] | None:
    """The keys of a tag map; a list of ``{Key, Value}`` (the IAM/EC2 shape) is read too."""
    if tags is None or (tags.known and tags.raw is None):
        return set()
    if isinstance(tags.raw, dict):
        return set(tags.raw)
    if isinstance(tags.raw, list):
        keys = set()
        for entry in tags.raw:
            key = entry.get("Key") or entry.get("key")
            text = key.text() if key is not None else None
            if text is None:
                return None
            keys.add(text)
        return keys
    return None
