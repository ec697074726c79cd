"""Keeping the policy instruments: the one place that writes them, whether from a page's form
or from an imported file (`policy_io`), and the list of them as filtered on the policies page.

Values are checked by `policy_columns.check_policy` first. Each write is audited in its
transaction, under a lock on the policy's row, makes a new version of the policy (a page made
from an older one is refused) and writes the policy's search entry again."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ServiceError
from orienta.knowledge import search
from orienta.knowledge.checks import EDIT, check_version
from orienta.knowledge.models import PolicyInstrument
from orienta.knowledge.policy_columns import KEY_LENGTH, RESERVED_KEYS, Lookups, check_policy

# The record's own fields that a save sets (the themes are set apart, many-to-many).
FIELDS = [
    "key",
    "title_en",
    "title_fr",
    "title_ar",
    "issuer",
    "issuer_country",
    "level",
    "type",
    "year",
    "mobility",
    "hazard",
    "gcm_objectives",
    "status",
    "languages",
    "url",
    "summary_en",
    "summary_fr",
    "confidence",
    "source_reference",
    "source_url",
    "source_accessed",
]

# The free-text filter keeps the best matches, this many at most: a list page, not an export.
TEXT_MATCHES = 2000


# --- Writing -----------------------------------------------------------------------------------


def unique_key(title: str, taken: Collection[str]) -> str:
    """A key made from the title, with -2, -3… when it is already used."""
    base = slugify(title)[: KEY_LENGTH - 6].strip("-") or "policy"
    key, number = base, 2
    while key in taken or key in RESERVED_KEYS:
        key, number = f"{base}-{number}", number + 1
    return key


def write_policy(policy: PolicyInstrument, values: dict[str, Any]) -> dict[str, Any]:
    """Set the checked values and save what changed, a change to a policy already there making
    its next version; return the changes for the audit trail (none: nothing was written)."""
    creating = policy._state.adding
    before = {} if creating else snapshot(policy, FIELDS)
    themes_before = [] if creating else sorted(theme.code for theme in policy.themes.all())
    for name in FIELDS:
        setattr(policy, name, values[name])
    changes: dict[str, Any] = diff(before, snapshot(policy, FIELDS))
    themes_after = sorted(theme.code for theme in values["themes"])
    if themes_after != themes_before:
        changes["themes"] = [themes_before, themes_after]
    if not creating and changes:
        policy.version += 1
    if creating or changes:
        policy.save()
    if "themes" in changes:
        policy.themes.set(values["themes"])
    if "key" in changes:  # the trail masks any field named like a key; the slug is no secret
        changes["slug"] = changes.pop("key")
    return changes


def _refusal(problems: list[tuple[str, str]]) -> ServiceError:
    """The first problem as the message and the field; all of them in the details."""
    column, message = problems[0]
    return ServiceError(
        message,
        code="invalid",
        details={
            "field": column,
            "problems": [{"field": c, "message": m} for c, m in problems],
        },
    )


@transaction.atomic
def save_policy(
    *,
    acting_user: Any,
    data: Mapping[str, Any],
    policy: PolicyInstrument | None = None,
    expected_version: int | None = None,
) -> PolicyInstrument:
    """Create a policy, or change `policy`, from `data` (the import's columns). An empty key
    keeps the policy's own, or is made from the English title for a new one. A change is
    refused when the page was made from an older version (`expected_version`)."""
    require_capability(acting_user, EDIT)
    # Locked until the transaction ends: two edits of one policy go one after the other, each
    # checking its version against what the other wrote.
    target = (
        PolicyInstrument()
        if policy is None
        else PolicyInstrument.objects.select_for_update().get(pk=policy.pk)
    )
    if policy is not None:
        check_version(target, expected_version)
    checked = check_policy(data, Lookups.load())
    key = checked.values.get("key", "")
    others = PolicyInstrument.objects.exclude(pk=policy.pk) if policy else PolicyInstrument.objects
    if key and others.filter(key=key).exists():
        checked.problems.insert(0, ("key", _("Another policy already has this key.")))
    if checked.problems:
        raise _refusal(checked.problems)
    values = checked.values
    if not key:
        values["key"] = (
            target.key
            if policy
            else unique_key(values["title_en"], set(others.values_list("key", flat=True)))
        )
    creating, old_key = target._state.adding, target.key
    try:
        changes = write_policy(target, values)
    except IntegrityError:  # the same key taken by another writer a moment before
        raise ServiceError(
            _("Another policy already has this key."), code="invalid", details={"field": "key"}
        ) from None
    if creating or changes:
        record(
            f"knowledge.policy.{'created' if creating else 'changed'}",
            actor=acting_user,
            target=target,
            changes=changes,
        )
        renamed = not creating and old_key != target.key
        search.index(policies=[target], removed=[("policy", old_key)] if renamed else [])
    return target


@transaction.atomic
def delete_policy(*, acting_user: Any, policy: PolicyInstrument) -> None:
    """Delete a policy nothing refers to (the audit trail keeps its key and title) and take it
    out of search."""
    require_capability(acting_user, EDIT)
    record(
        "knowledge.policy.deleted",
        actor=acting_user,
        target=policy,
        changes={"slug": policy.key, "title_en": policy.title_en},
    )
    try:
        policy.delete()
    except ProtectedError:
        raise ServiceError(
            _("Other records refer to this policy: it cannot be deleted."), code="protected"
        ) from None
    search.index(removed=[("policy", policy.key)])


# --- The list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the list of policies is narrowed to; each empty filter lets everything through."""

    theme: str = ""
    type: str = ""
    level: str = ""
    mobility: str = ""
    hazard: str = ""
    issuer: str = ""
    year_from: int | None = None
    year_to: int | None = None
    text: str = ""


def filtered(filters: Filters) -> QuerySet[PolicyInstrument]:
    """The policies that pass every filter, with their issuer and themes; the text is searched
    in the knowledge base's index (titles and summaries in every language)."""
    policies = PolicyInstrument.objects.select_related("issuer").prefetch_related("themes")
    if filters.theme:
        policies = policies.filter(themes__code=filters.theme)
    exact = {"type": filters.type, "level": filters.level, "issuer__key": filters.issuer}
    policies = policies.filter(**{name: value for name, value in exact.items() if value})
    # The lists hold values of a closed list, none inside another: the quoted value is the item.
    if filters.mobility:
        policies = policies.filter(mobility__icontains=f'"{filters.mobility}"')
    if filters.hazard:
        policies = policies.filter(hazard__icontains=f'"{filters.hazard}"')
    if filters.year_from is not None:
        policies = policies.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        policies = policies.filter(year__lte=filters.year_to)
    if filters.text:
        hits = search.search(filters.text, kinds=("policy",), limit=TEXT_MATCHES)
        found = [hit.key for hit in hits]
        policies = policies.filter(key__in=found)
    return policies
