"""Changing governance records: committees and their members, events, attendance, decisions and
action items, the roadmap. Every change runs in a transaction and writes its audit event there.

Coordinators (`governance.manage`) keep these records; a member organisation answers its own
invitation (`governance.comment` in that organisation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability, require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ConflictError, ServiceError
from orienta.governance.choices import ActionStatus, EventStatus, RoadmapStatus
from orienta.governance.models import (
    ActionItem,
    Committee,
    CommitteeMembership,
    Decision,
    Event,
    Participant,
    Priority,
    RoadmapAction,
)
from orienta.governance.models.scope import MANAGE

COMMITTEE_FIELDS = ["name", "acronym", "kind", "country", "parent", "terms_of_reference"]
MEMBERSHIP_FIELDS = [
    "role",
    "representative",
    "representative_title",
    "invited_on",
    "confirmed_on",
    "declined_on",
]
EVENT_FIELDS = ["kind", "level", "title", "held_on", "place", "agenda", "minutes", "status"]
PARTICIPANT_FIELDS = ["full_name", "organisation", "organisation_name", "category", "sex", "role"]
ACTION_ITEM_FIELDS = ["text", "owner", "due_on", "status", "follow_up"]
PRIORITY_FIELDS = ["title", "order"]
ROADMAP_FIELDS = ["priority", "title", "owner", "starts_on", "ends_on", "status", "progress"]


def invalid(field_name: str | None, message: Any) -> ServiceError:
    return ServiceError(
        message, code="invalid", details={"field": field_name} if field_name else {}
    )


def check_version(instance: models.Model, expected_version: int | None) -> None:
    """Optimistic locking: refuse a change made from a page older than the record."""
    if expected_version is not None and getattr(instance, "version", None) != expected_version:
        raise ConflictError(
            _("Someone changed this record in the meantime. Reload the page and try again."),
            code="conflict",
        )


def save_record(
    instance: models.Model,
    values: dict[str, Any],
    fields: Iterable[str],
    *,
    acting_user: Any,
    action: str,
    expected_version: int | None = None,
    links: dict[str, tuple[list[str], list[str]]] | None = None,
) -> models.Model:
    """Set `fields` from `values` on `instance`, save it and audit what changed (`action` is the
    `governance.<object>` prefix; `.created` or `.changed` is added). `links` gives the
    many-to-many changes the caller is about to make, {name: (before ids, after ids)}."""
    fields = list(fields)
    creating = instance._state.adding
    if not creating:
        check_version(instance, expected_version)
    before = {} if creating else snapshot(instance, fields)
    for name in fields:
        if name in values:
            setattr(instance, name, values[name])
    if not creating and hasattr(instance, "version"):
        instance.version += 1
    if creating and hasattr(instance, "created_by_id"):
        instance.created_by = acting_user  # type: ignore[attr-defined]
    instance.save()
    changes: dict[str, Any] = diff(before, snapshot(instance, fields))
    for name, (old, new) in (links or {}).items():
        if sorted(old) != sorted(new):
            changes[name] = [sorted(old), sorted(new)]
    record(
        f"{action}.{'created' if creating else 'changed'}",
        actor=acting_user,
        target=instance,
        changes=changes,
    )
    return instance


def _ids(objects: Iterable[Any]) -> list[str]:
    return [str(getattr(o, "pk", o)) for o in objects]


# --- Committees and members -------------------------------------------------------------------


@transaction.atomic
def save_committee(
    *,
    acting_user: Any,
    values: dict[str, Any],
    committee: Committee | None = None,
    expected_version: int | None = None,
) -> Committee:
    require_capability(acting_user, MANAGE)
    if not str(values.get("name", committee.name if committee else "")).strip():
        raise invalid("name", _("Give the committee a name."))
    parent = values.get("parent")
    if committee is not None and parent is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == committee.pk:
                raise invalid("parent", _("A committee cannot report to itself."))
            ancestor = ancestor.parent
    saved = save_record(
        committee or Committee(),
        values,
        COMMITTEE_FIELDS,
        acting_user=acting_user,
        action="governance.committee",
        expected_version=expected_version,
    )
    return saved  # type: ignore[return-value]


def _check_answer_dates(values: dict[str, Any]) -> None:
    invited = values.get("invited_on")
    for name in ("confirmed_on", "declined_on"):
        answered = values.get(name)
        if answered and invited and answered < invited:
            raise invalid(name, _("The answer comes before the invitation."))
    if values.get("confirmed_on") and values.get("declined_on"):
        raise invalid("declined_on", _("A member either confirms or declines, not both."))


@transaction.atomic
def save_membership(
    *,
    acting_user: Any,
    committee: Committee,
    values: dict[str, Any],
    organisation: Any = None,
    membership: CommitteeMembership | None = None,
    expected_version: int | None = None,
) -> CommitteeMembership:
    """Invite an organisation to a committee (with `organisation`) or change its seat."""
    require_capability(acting_user, MANAGE)
    if membership is None:
        if organisation is None:
            raise invalid("organisation", _("Choose the organisation."))
        if committee.memberships.filter(organisation=organisation).exists():
            raise invalid("organisation", _("This organisation already sits on the committee."))
        membership = CommitteeMembership(committee=committee, organisation=organisation)
    merged = {name: getattr(membership, name) for name in MEMBERSHIP_FIELDS} | values
    if not merged.get("invited_on"):
        raise invalid("invited_on", _("Give the date of the invitation."))
    _check_answer_dates(merged)
    saved = save_record(
        membership,
        values,
        MEMBERSHIP_FIELDS,
        acting_user=acting_user,
        action="governance.membership",
        expected_version=expected_version,
    )
    return saved  # type: ignore[return-value]


def may_answer(user: Any, membership: CommitteeMembership) -> bool:
    return has_capability(user, MANAGE) or has_capability(
        user, "governance.comment", membership.organisation_id
    )


@transaction.atomic
def answer_invitation(
    *,
    acting_user: Any,
    membership: CommitteeMembership,
    accept: bool,
    on: date | None = None,
    expected_version: int | None = None,
) -> CommitteeMembership:
    """The organisation confirms its seat or declines it (its committee member, or the
    secretariat on its behalf)."""
    if not may_answer(acting_user, membership):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("governance.comment")
    day = on or timezone.localdate()
    values = {"confirmed_on": day if accept else None, "declined_on": None if accept else day}
    _check_answer_dates({"invited_on": membership.invited_on} | values)
    saved = save_record(
        membership,
        values,
        ["confirmed_on", "declined_on"],
        acting_user=acting_user,
        action="governance.membership",
        expected_version=expected_version,
    )
    return saved  # type: ignore[return-value]


# --- Events -----------------------------------------------------------------------------------


@transaction.atomic
def save_event(
    *,
    acting_user: Any,
    committee: Committee,
    values: dict[str, Any],
    documents: list[Any] | None = None,
    event: Event | None = None,
    expected_version: int | None = None,
) -> Event:
    require_capability(acting_user, MANAGE)
    if documents and any(d.committee_id != committee.pk for d in documents):
        raise invalid("documents", _("Choose documents of this committee."))
    held_on = values.get("held_on", event.held_on if event else None)
    if values.get("status") == EventStatus.HELD and held_on and held_on > timezone.localdate():
        raise invalid("status", _("An event in the future has not been held yet."))
    links = {}
    if documents is not None:
        before = _ids(event.documents.all()) if event else []
        links["documents"] = (before, _ids(documents))
    saved: Event = save_record(  # type: ignore[assignment]
        event or Event(committee=committee),
        values,
        EVENT_FIELDS,
        acting_user=acting_user,
        action="governance.event",
        expected_version=expected_version,
        links=links,
    )
    if documents is not None:
        saved.documents.set(documents)
    return saved


def _check_participant(values: dict[str, Any]) -> None:
    if not str(values.get("full_name", "")).strip():
        raise invalid("full_name", _("Give the participant's name."))
    if not values.get("organisation") and not str(values.get("organisation_name", "")).strip():
        raise invalid("organisation", _("Choose the organisation or write its name."))


@transaction.atomic
def save_participant(
    *,
    acting_user: Any,
    event: Event,
    values: dict[str, Any],
    participant: Participant | None = None,
) -> Participant:
    require_capability(acting_user, MANAGE)
    merged = (
        {name: getattr(participant, name) for name in PARTICIPANT_FIELDS} if participant else {}
    ) | values
    _check_participant(merged)
    saved = save_record(
        participant or Participant(event=event),
        values,
        PARTICIPANT_FIELDS,
        acting_user=acting_user,
        action="governance.participant",
    )
    return saved  # type: ignore[return-value]


@transaction.atomic
def record_attendance(
    *, acting_user: Any, event: Event, present: Iterable[Any], expected_version: int
) -> Event:
    """Mark who came (everyone else invited did not) and the event as held."""
    require_capability(acting_user, MANAGE)
    check_version(event, expected_version)
    if event.held_on > timezone.localdate():
        raise invalid(None, _("Attendance is recorded once the event has taken place."))
    not_listed = invalid(None, _("Some of the people ticked are not on the list of this event."))
    try:
        present_ids = {int(pk) for pk in present}
    except (TypeError, ValueError):
        raise not_listed from None
    participants = list(event.participants.all())
    if present_ids - {p.pk for p in participants}:
        raise not_listed
    for participant in participants:
        participant.attended = participant.pk in present_ids
    Participant.objects.bulk_update(participants, ["attended"])
    event.status = EventStatus.HELD
    event.version += 1
    event.save(update_fields=["status", "version"])
    record(
        "governance.event.attendance_recorded",
        actor=acting_user,
        target=event,
        changes={"present": len(present_ids), "absent": len(participants) - len(present_ids)},
    )
    return event


@transaction.atomic
def add_decision(*, acting_user: Any, event: Event, text: str) -> Decision:
    require_capability(acting_user, MANAGE)
    if not text.strip():
        raise invalid("text", _("Write the decision."))
    decision = Decision.objects.create(event=event, text=text.strip())
    record("governance.decision.created", actor=acting_user, target=decision)
    return decision


@transaction.atomic
def save_action_item(
    *,
    acting_user: Any,
    event: Event,
    values: dict[str, Any],
    item: ActionItem | None = None,
    expected_version: int | None = None,
) -> ActionItem:
    require_capability(acting_user, MANAGE)
    merged = ({name: getattr(item, name) for name in ACTION_ITEM_FIELDS} if item else {}) | values
    if not str(merged.get("text", "")).strip():
        raise invalid("text", _("Write the action."))
    if not merged.get("owner"):
        raise invalid("owner", _("Choose the organisation that owns the action."))
    if merged.get("status") and merged["status"] not in ActionStatus.values:
        raise invalid("status", _("Choose a status."))
    saved = save_record(
        item or ActionItem(event=event),
        values,
        ACTION_ITEM_FIELDS,
        acting_user=acting_user,
        action="governance.action_item",
        expected_version=expected_version,
    )
    return saved  # type: ignore[return-value]


# --- Roadmap ----------------------------------------------------------------------------------


@transaction.atomic
def save_priority(
    *,
    acting_user: Any,
    committee: Committee,
    values: dict[str, Any],
    priority: Priority | None = None,
) -> Priority:
    require_capability(acting_user, MANAGE)
    if not str(values.get("title", "")).strip():
        raise invalid("title", _("Give the priority a title."))
    if not 1 <= values.get("order", 1) <= 999:
        raise invalid("order", _("The order is a whole number between 1 and 999."))
    saved = save_record(
        priority or Priority(committee=committee),
        values,
        PRIORITY_FIELDS,
        acting_user=acting_user,
        action="governance.priority",
    )
    return saved  # type: ignore[return-value]


def _depends_transitively(start: RoadmapAction, target_id: Any) -> bool:
    """Whether `start` already depends, directly or not, on the action `target_id`."""
    seen: set[Any] = set()
    frontier = [start.pk]
    while frontier:
        through = RoadmapAction.depends_on.through.objects.filter(
            from_roadmapaction_id__in=frontier
        ).values_list("to_roadmapaction_id", flat=True)
        frontier = [pk for pk in through if pk not in seen]
        if target_id in frontier:
            return True
        seen.update(frontier)
    return False


def _check_roadmap(values: dict[str, Any], depends_on: list[RoadmapAction], action: Any) -> None:
    if not str(values.get("title", "")).strip():
        raise invalid("title", _("Give the action a title."))
    if (
        values.get("starts_on")
        and values.get("ends_on")
        and values["ends_on"] < values["starts_on"]
    ):
        raise invalid("ends_on", _("The end comes before the start."))
    progress = values.get("progress", 0)
    if not 0 <= progress <= 100:
        raise invalid("progress", _("Progress is a percentage between 0 and 100."))
    if values.get("status") == RoadmapStatus.DONE and progress != 100:
        raise invalid("progress", _("An action marked done has a progress of 100."))
    priority = values["priority"]
    for other in depends_on:
        if other.priority.committee_id != priority.committee_id:
            raise invalid("depends_on", _("An action depends only on actions of the same roadmap."))
        if action is not None and (
            other.pk == action.pk or _depends_transitively(other, action.pk)
        ):
            raise invalid("depends_on", _("These dependencies would make a loop."))


@transaction.atomic
def save_roadmap_action(
    *,
    acting_user: Any,
    values: dict[str, Any],
    depends_on: list[RoadmapAction] | None = None,
    action: RoadmapAction | None = None,
    expected_version: int | None = None,
) -> RoadmapAction:
    require_capability(acting_user, MANAGE)
    merged = ({name: getattr(action, name) for name in ROADMAP_FIELDS} if action else {}) | values
    dependencies = (
        list(depends_on)
        if depends_on is not None
        else (list(action.depends_on.all()) if action else [])
    )
    _check_roadmap(merged, dependencies, action)
    links = {}
    if depends_on is not None:
        before = _ids(action.depends_on.all()) if action else []
        links["depends_on"] = (before, _ids(depends_on))
    saved: RoadmapAction = save_record(  # type: ignore[assignment]
        action or RoadmapAction(),
        values,
        ROADMAP_FIELDS,
        acting_user=acting_user,
        action="governance.roadmap_action",
        expected_version=expected_version,
        links=links,
    )
    if depends_on is not None:
        saved.depends_on.set(depends_on)
    return saved
