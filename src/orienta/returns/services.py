"""State changes of returns other than import and check-in: movements, protocol rules confirmed,
reception procedures revised, holidays, breaches annotated, advance-list tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import has_capability, require_capability
from orienta.audit.services import record
from orienta.core.errors import ConflictError, ServiceError
from orienta.core.signals import changed
from orienta.returns.choices import Mode, MovementStatus, NoteKind, SopStatus, ViolationStatus
from orienta.returns.models import (
    EntryPoint,
    Holiday,
    ListToken,
    Movement,
    ProtocolRule,
    SopRule,
    SopRuleSet,
    Violation,
    ViolationNote,
)

TOKEN_DAYS = 365
MOVEMENT_FIELDS = (
    "reference",
    "mode",
    "origin_country",
    "entry_point_id",
    "scheduled_at",
    "announced_headcount",
    "notice_received_at",
    "list_received_at",
    "arrived_at",
    "actual_headcount",
    "status",
    "consular_access_refused",
    "notes",
)


def _invalid(field_name: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


@dataclass
class MovementData:
    mode: str
    origin_country: str
    entry_point: EntryPoint
    scheduled_at: datetime
    reference: str = ""
    announced_headcount: int | None = None
    notice_received_at: datetime | None = None
    list_received_at: datetime | None = None
    arrived_at: datetime | None = None
    actual_headcount: int | None = None
    status: str = MovementStatus.ANNOUNCED
    consular_access_refused: bool = False
    notes: str = ""


def local_moment(entry_point: EntryPoint, text: str) -> datetime:
    """ "YYYY-MM-DDTHH:MM" on the entry point's clock, as an aware moment."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid("arrival", _("Write the time as YYYY-MM-DDTHH:MM.")) from None
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive, entry_point.zone)


def _check(data: MovementData) -> None:
    if data.mode not in Mode.values:
        raise _invalid("mode", _("Choose flight, boat or land convoy."))
    if len(data.origin_country) != 2 or not data.origin_country.isalpha():
        raise _invalid("origin_country", _("Give the country as a two-letter code (e.g. DO)."))
    if data.status not in MovementStatus.values:
        raise _invalid("status", _("Unknown status."))
    for name in ("notice_received_at", "list_received_at"):
        moment = getattr(data, name)
        if moment is not None and moment > timezone.now() + timedelta(minutes=5):
            raise _invalid(name, _("This time is in the future."))
    if data.arrived_at is not None and data.arrived_at > timezone.now() + timedelta(minutes=5):
        raise _invalid("arrived_at", _("The arrival time is in the future."))


def _values(data: MovementData) -> dict[str, Any]:
    values = {n: getattr(data, n) for n in MOVEMENT_FIELDS if n != "entry_point_id"}
    values["origin_country"] = data.origin_country.upper()
    values["entry_point"] = data.entry_point
    return values


def _snapshot(movement: Movement) -> dict[str, Any]:
    out = {}
    for name in MOVEMENT_FIELDS:
        value = getattr(movement, name)
        out[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


@transaction.atomic
def record_movement(*, acting_user: Any, organisation: Any, data: MovementData) -> Movement:
    require_capability(acting_user, "returns.receive_arrivals", organisation.pk)
    _check(data)
    data.origin_country = data.origin_country.upper()
    movement = Movement.objects.create(
        organisation=organisation, created_by=acting_user, **_values(data)
    )
    record(
        "returns.movement.recorded",
        actor=acting_user,
        organisation=organisation,
        target=movement,
        changes=_snapshot(movement),
    )
    return movement


@transaction.atomic
def update_movement(
    *, acting_user: Any, movement: Movement, data: MovementData, expected_version: int
) -> Movement:
    require_capability(acting_user, "returns.receive_arrivals", movement.organisation_id)
    _check(data)
    before = _snapshot(movement)
    rows = Movement.objects.filter(pk=movement.pk, version=expected_version).update(
        version=F("version") + 1, **_values(data)
    )
    if not rows:
        raise ConflictError(
            _("Someone else changed this movement while you were working on it. Reload the page."),
            code="conflict",
        )
    changed(Movement, [movement.pk])
    movement.refresh_from_db()
    after = _snapshot(movement)
    record(
        "returns.movement.updated",
        actor=acting_user,
        organisation=movement.organisation,
        target=movement,
        changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    return movement


def find_movement(
    organisation: Any, origin: str, entry_point: EntryPoint, scheduled_at: datetime
) -> Movement | None:
    return Movement.objects.filter(
        organisation=organisation,
        origin_country=origin.upper(),
        entry_point=entry_point,
        scheduled_at=scheduled_at,
    ).first()


# --- Protocols, procedures and holidays (coordinators) ----------------------------------------


@transaction.atomic
def confirm_rule(*, acting_user: Any, rule: ProtocolRule, note: str) -> ProtocolRule:
    """A clause known only from secondary sources becomes a rule checked against movements."""
    require_capability(acting_user, "returns.manage_reception")
    if rule.applies:
        raise ServiceError(_("This rule is already checked against movements."), code="conflict")
    if not note.strip():
        raise _invalid("note", _("Say how the clause was confirmed (the text read, its source)."))
    rule.confirmed_at = timezone.now()
    rule.confirmed_by = acting_user
    rule.source = f"{rule.source} — {note.strip()}"[:300] if rule.source else note.strip()[:300]
    rule.save(update_fields=["confirmed_at", "confirmed_by", "source"])
    record(
        "returns.protocol_rule.confirmed",
        actor=acting_user,
        target=rule,
        changes={"protocol": rule.protocol.key, "kind": rule.kind, "note": note},
    )
    return rule


SOP_FIELDS = ("action_fr", "action_en", "responsible", "deadline_minutes", "referral_category")


@transaction.atomic
def revise_sop_rule(*, acting_user: Any, rule: SopRule, changes: dict[str, Any]) -> SopRule:
    """Procedures are versioned: a change makes a new version in force (a copy of the current
    one with the change), and the old one stays, superseded, for the checklists made under it."""
    require_capability(acting_user, "returns.manage_reception")
    current = rule.ruleset
    if current.status != SopStatus.IN_FORCE:
        raise ServiceError(_("Only the procedures in force can be revised."), code="conflict")
    if changes.get("deadline_minutes") is not None and int(changes["deadline_minutes"]) < 1:
        raise _invalid("deadline_minutes", _("The deadline is at least one minute."))
    latest = max(
        SopRuleSet.objects.filter(country=current.country).values_list("version", flat=True)
    )
    new = SopRuleSet.objects.create(
        country=current.country,
        version=latest + 1,
        status=SopStatus.IN_FORCE,
        title_fr=current.title_fr,
        title_en=current.title_en,
        published_at=timezone.now(),
        published_by=acting_user,
    )
    copies = []
    for old in current.rules.all():
        copy = SopRule(
            ruleset=new,
            **{
                n: getattr(old, n)
                for n in ("code", "position", "condition", "responsible_name", *SOP_FIELDS)
            },
        )
        if old.pk == rule.pk:
            for name, value in changes.items():
                if name in SOP_FIELDS:
                    setattr(copy, name, value)
            if copy.responsible is not None:
                copy.responsible_name = copy.responsible.acronym or copy.responsible.name
        copies.append(copy)
    SopRule.objects.bulk_create(copies)
    SopRuleSet.objects.filter(pk=current.pk).update(status=SopStatus.SUPERSEDED)
    record(
        "returns.sop.revised",
        actor=acting_user,
        target=new,
        changes={
            "from_version": current.version,
            "version": new.version,
            "rule": rule.code,
            "changes": {k: str(v) for k, v in changes.items() if k in SOP_FIELDS},
        },
    )
    return next(c for c in copies if c.code == rule.code)


@transaction.atomic
def add_holiday(*, acting_user: Any, country: str, day: date, name: str) -> Holiday:
    require_capability(acting_user, "returns.manage_reception")
    if not name.strip():
        raise _invalid("name", _("Name the holiday."))
    holiday, created = Holiday.objects.get_or_create(
        country=country.upper(), date=day, defaults={"name": name.strip()}
    )
    if not created:
        raise _invalid("date", _("A holiday is already recorded on that day."))
    record("returns.holiday.added", actor=acting_user, target=holiday, changes={"name": name})
    return holiday


@transaction.atomic
def remove_holiday(*, acting_user: Any, holiday: Holiday) -> None:
    require_capability(acting_user, "returns.manage_reception")
    record(
        "returns.holiday.removed",
        actor=acting_user,
        target=holiday,
        changes={"country": holiday.country, "date": holiday.date.isoformat()},
    )
    holiday.delete()


# --- Breaches ----------------------------------------------------------------------------


NOTE_STATUS: dict[str, str] = {
    NoteKind.CONTEST: ViolationStatus.CONTESTED,
    NoteKind.CONFIRM: ViolationStatus.CONFIRMED,
}


@transaction.atomic
def annotate(*, acting_user: Any, violation: Violation, kind: str, text: str) -> ViolationNote:
    """A note on a breach; contesting or confirming it changes its status. Breaches are never
    deleted: a contested one stays in the report, marked."""
    require_capability(acting_user, "returns.annotate_violations")
    if kind not in NoteKind.values:
        raise _invalid("kind", _("Unknown kind of note."))
    if not text.strip():
        raise _invalid("text", _("Write the note."))
    organisation = next(
        (
            m.organisation
            for m in acting_user.memberships.select_related("organisation")
            if has_capability(acting_user, "returns.annotate_violations", m.organisation_id)
        ),
        None,
    )
    note = ViolationNote.objects.create(
        violation=violation,
        kind=kind,
        text=text.strip(),
        author=acting_user,
        organisation=organisation,
    )
    if kind in NOTE_STATUS and violation.status != ViolationStatus.CLEARED:
        violation.status = NOTE_STATUS[kind]
        violation.save(update_fields=["status"])
    record(
        "returns.violation.annotated",
        actor=acting_user,
        target=violation,
        changes={"kind": kind, "status": violation.status, "text": text},
    )
    return note


# --- Advance-list tokens ----------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *, acting_user: Any, organisation: Any, name: str, origin_country: str
) -> tuple[ListToken, str]:
    """A token for the authorities of a deporting state to send advance lists as data. The
    reception office that receives the lists issues it, and its lists are imported as that
    officer (who stays accountable for them). The token itself is shown once; only its hash is
    kept."""
    require_capability(acting_user, "returns.receive_arrivals", organisation.pk)
    if not name.strip():
        raise _invalid("name", _("Name who the token is for."))
    if len(origin_country) != 2:
        raise _invalid("origin_country", _("Give the country as a two-letter code (e.g. DO)."))
    token = "ol_" + secrets.token_urlsafe(32)
    issued = ListToken.objects.create(
        organisation=organisation,
        name=name.strip(),
        origin_country=origin_country.upper(),
        token_hash=hash_token(token),
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(days=TOKEN_DAYS),
    )
    record(
        "returns.list_token.issued",
        actor=acting_user,
        organisation=organisation,
        target=issued,
        changes={"name": issued.name, "origin_country": issued.origin_country},
    )
    return issued, token


@transaction.atomic
def revoke_token(*, acting_user: Any, token: ListToken) -> None:
    require_capability(acting_user, "returns.receive_arrivals", token.organisation_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            "returns.list_token.revoked",
            actor=acting_user,
            organisation=token.organisation,
            target=token,
        )


def token_for(raw: str) -> ListToken | None:
    found = (
        ListToken.objects.select_related("organisation")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if found is not None:
        ListToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found
