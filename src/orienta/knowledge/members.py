"""Keeping the member states of an entity or a dialogue: who is a member or an observer, since
and until when, suspended or not, and how sure that is. One membership per entity and country.
Each change is authorised (`knowledge.edit`) and audited in its transaction, under a lock on the
entity's row (as its other changes are). Search does not read memberships: no index to update."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.knowledge.checks import (
    EDIT,
    country_code,
    invalid,
    is_choice,
    is_date,
    refuse_unless,
    stripped,
)
from orienta.knowledge.choices import Confidence, MemberRole
from orienta.knowledge.models import Entity, EntityMember
from orienta.knowledge.services import locked_entity

MEMBER_FIELDS = [
    "country",
    "role",
    "joined_on",
    "left_on",
    "suspended_from",
    "suspended_to",
    "confidence",
]


def _member_values(values: dict[str, Any]) -> dict[str, Any]:
    """A membership's values checked: the country code, the role, dates in order."""
    country = country_code(stripped(values["country"]))
    if country is None:
        raise invalid(
            "country",
            _("Write the country as its ISO 3166 alpha-3 code: three letters, e.g. TUN."),
        )
    values["country"] = country
    refuse_unless(
        is_choice(values["role"], MemberRole.values), "role", _("Choose member or observer.")
    )
    refuse_unless(
        is_choice(values["confidence"], Confidence.values),
        "confidence",
        _("Choose a confidence."),
    )
    for name in ("joined_on", "left_on", "suspended_from", "suspended_to"):
        values[name] = values[name] or None
        refuse_unless(is_date(values[name]), name, _("Give a date."))
    if values["joined_on"] and values["left_on"] and values["left_on"] < values["joined_on"]:
        raise invalid("left_on", _("The state cannot leave before it joined."))
    if values["suspended_to"] and not values["suspended_from"]:
        raise invalid("suspended_from", _("Give the start of the suspension."))
    if (
        values["suspended_from"]
        and values["suspended_to"]
        and values["suspended_to"] < values["suspended_from"]
    ):
        raise invalid("suspended_to", _("The suspension cannot end before it starts."))
    return values


@transaction.atomic
def save_member(
    *,
    acting_user: Any,
    entity: Entity,
    member: EntityMember | None = None,
    country: str,
    role: str = MemberRole.MEMBER,
    joined_on: date | None = None,
    left_on: date | None = None,
    suspended_from: date | None = None,
    suspended_to: date | None = None,
    confidence: str = Confidence.UNVERIFIED,
) -> EntityMember:
    """Add a member state to the entity (without `member`) or change one; one membership per
    entity and country."""
    require_capability(acting_user, EDIT)
    entity = locked_entity(entity)
    if member is not None and member.entity_id != entity.pk:
        raise ValueError("The member state belongs to another entity.")
    values = _member_values(
        {
            "country": country,
            "role": role,
            "joined_on": joined_on,
            "left_on": left_on,
            "suspended_from": suspended_from,
            "suspended_to": suspended_to,
            "confidence": confidence,
        }
    )
    taken = entity.members.filter(country=values["country"])
    if member is not None:
        taken = taken.exclude(pk=member.pk)
    if taken.exists():
        raise invalid("country", _("This country is already listed for this entity."))
    creating = member is None
    current = EntityMember(entity=entity) if member is None else entity.members.get(pk=member.pk)
    before = {} if creating else snapshot(current, MEMBER_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    changes = diff(before, snapshot(current, MEMBER_FIELDS))
    if not creating and not changes:
        return current
    current.save()
    record(
        f"knowledge.member.{'added' if creating else 'changed'}",
        actor=acting_user,
        target=current,
        changes={"entity": entity.key, **changes},
    )
    return current


@transaction.atomic
def remove_member(*, acting_user: Any, member: EntityMember) -> None:
    """Take a member state off the entity's list (the audit trail keeps what it was)."""
    require_capability(acting_user, EDIT)
    entity = locked_entity(member.entity)
    current = entity.members.filter(pk=member.pk).first()
    if current is None:
        return
    record(
        "knowledge.member.removed",
        actor=acting_user,
        target=current,
        changes={
            "entity": entity.key,
            **{name: [value, None] for name, value in snapshot(current, MEMBER_FIELDS).items()},
        },
    )
    current.delete()
