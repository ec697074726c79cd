"""Every change to a referral goes through here: in a transaction, with its audit event, with
the capability checked for the organisation acting, and with optimistic locking so that of two
people acting at once one wins and the other is told."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability, require_capability
from orienta.accounts.models import Membership
from orienta.accounts.notifications import Notice, notify
from orienta.accounts.roles import Role
from orienta.audit.services import record
from orienta.cases.models import Case, Need
from orienta.core.errors import ConflictError, ServiceError
from orienta.core.signals import changed as rows_changed
from orienta.directory.models import Organisation, Service, ServiceAtLocation
from orienta.referrals import gates, packet
from orienta.referrals.choices import (
    DEFAULT_FIELD_GROUPS,
    DeclineReason,
    FieldGroup,
    NotCompletedReason,
    Outcome,
    ReferralStatus,
    ReferralUrgency,
)
from orienta.referrals.deadlines import acknowledge_hours
from orienta.referrals.models import PacketEntry, Referral, ReferralMessage

S = ReferralStatus
# Where each transition may start from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "send": (S.DRAFT,),
    "acknowledge": (S.SENT,),
    "accept": (S.SENT, S.ACKNOWLEDGED),
    "decline": (S.SENT, S.ACKNOWLEDGED),
    "start": (S.ACCEPTED,),
    "complete": (S.ACCEPTED, S.IN_PROGRESS),
    "not_complete": (S.ACCEPTED, S.IN_PROGRESS),
    "cancel": (S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.ACCEPTED),
}
# Expiry is escalation's, in bulk over the referrals still "sent" (escalation.py).
NEED_URGENCY = {"immediate": ReferralUrgency.CRITICAL, "high": ReferralUrgency.HIGH}


def _invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


def urgency_of(need: Need | None) -> str:
    return (
        NEED_URGENCY.get(need.urgency, ReferralUrgency.NORMAL) if need else ReferralUrgency.NORMAL
    )


# --- Who may act --------------------------------------------------------------------------


def is_sender(user: Any, referral: Referral) -> bool:
    """The sending side: referrals.send in the sending organisation and the case open to them
    (a provider that referred onward acts with referrals.receive in its own organisation)."""
    if referral.parent_id is not None and has_capability(
        user, "referrals.receive", referral.sender_organisation_id
    ):
        return True
    return (
        has_capability(user, "referrals.send", referral.sender_organisation_id)
        and Case.objects.visible_to(user).filter(pk=referral.case_id).exists()
    )


def require_sender(user: Any, referral: Referral) -> None:
    if not is_sender(user, referral):
        require_capability(user, "referrals.send", referral.sender_organisation_id)
        raise ServiceError(_("You cannot act on the referrals of this case."), code="forbidden")


def _require_receiver(user: Any, referral: Referral) -> None:
    require_capability(user, "referrals.receive", referral.recipient_organisation_id)


def _actor(acting_user: Any, link: Any) -> tuple[Any, str]:
    if link is not None:
        return None, f"external:{link.contact_email}"
    return acting_user, ""


def _advance(
    referral: Referral, action: str, expected_version: int, **values: Any
) -> tuple[str, Referral]:
    """Move the row on if it is still at `expected_version` and in a state `action` starts
    from; one UPDATE, so of two concurrent actions exactly one changes the row."""
    now = timezone.now()
    old = referral.status
    changed = Referral.objects.filter(
        pk=referral.pk, version=expected_version, status__in=TRANSITIONS[action]
    ).update(version=F("version") + 1, updated_at=now, **values)
    if changed:
        rows_changed(Referral, [referral.pk])
    if changed == 0:
        current = Referral.objects.filter(pk=referral.pk).values("version", "status").first()
        if current is None:
            raise ServiceError(_("This referral no longer exists."), code="not_found")
        if current["version"] != expected_version:
            raise ConflictError(
                _(
                    "Someone else acted on this referral while you were looking at it: it is "
                    "now “%(status)s”. Reload the page to see what changed."
                )
                % {"status": S(current["status"]).label},
                code="conflict",
            )
        raise _invalid(
            "status",
            _("A referral that is “%(status)s” cannot be %(action)s.")
            % {"status": S(current["status"]).label, "action": ACTION_WORDS[action]},
        )
    referral.refresh_from_db()
    return old, referral


ACTION_WORDS = {
    "send": _("sent"),
    "acknowledge": _("acknowledged"),
    "accept": _("accepted"),
    "decline": _("declined"),
    "start": _("started"),
    "complete": _("completed"),
    "not_complete": _("closed as not completed"),
    "cancel": _("cancelled"),
}


def _audit(
    action: str, referral: Referral, actor: Any, old: str, label: str = "", **extra: Any
) -> None:
    changes: dict[str, Any] = {"status": [old, referral.status], **extra}
    if label:
        changes["via"] = label
    record(
        f"referrals.referral.{action}",
        actor=actor,
        organisation=referral.case.organisation_id,
        target=referral,
        changes=changes,
    )


def _refused(result: gates.GateResult, prefix: Any = "") -> ServiceError:
    """The gates said no: the message names what is missing, the details list it."""
    return ServiceError(
        f"{prefix}{' '.join(result.messages)}",
        code="gates_refused",
        details={"missing": result.missing, "messages": result.messages},
    )


# --- Creating and sending -----------------------------------------------------------------


@dataclass
class ReferralDraft:
    case: Case
    need: Need | None = None
    service_at_location: ServiceAtLocation | None = None
    service: Service | None = None
    organisation: Organisation | None = None
    urgency: str = ""
    field_groups: list[str] = field(default_factory=lambda: list(DEFAULT_FIELD_GROUPS))
    note: str = ""
    matching_reasons: list[str] = field(default_factory=list)
    parent: Referral | None = None
    external: bool | None = None


def _recipient(draft: ReferralDraft) -> tuple[Organisation, Service | None]:
    service = draft.service
    if draft.service_at_location is not None:
        service = draft.service_at_location.service
    if service is not None:
        if not service.accepts_referrals:
            raise _invalid("service", _("This service does not take referrals."))
        return service.organization, service
    if draft.organisation is None:
        raise _invalid("service", _("Choose the service or the organisation to refer to."))
    return draft.organisation, None


def _check_groups(groups: list[str]) -> list[str]:
    unknown = [g for g in groups if g not in FieldGroup.values]
    if unknown:
        raise _invalid("field_groups", _("Unknown field groups: %s.") % ", ".join(unknown))
    if not groups:
        raise _invalid("field_groups", _("Choose at least one group of data to share."))
    return [g for g in FieldGroup.values if g in groups]


def members(organisation_ids: Iterable[Any], roles: Iterable[str]) -> dict[Any, list[Any]]:
    """The active users holding one of `roles`, by organisation, in one query."""
    found: dict[Any, list[Any]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role__in=list(roles), user__is_active=True
    ).select_related("user"):
        found.setdefault(membership.organisation_id, []).append(membership.user)
    return found


def focal_points(organisation_id: Any) -> list[Any]:
    return members([organisation_id], [Role.PROVIDER_FOCAL_POINT]).get(organisation_id, [])


def on_platform(organisation: Organisation) -> bool:
    """Whether someone in the organisation receives referrals on the platform."""
    return Membership.objects.filter(
        organisation=organisation, role=Role.PROVIDER_FOCAL_POINT, user__is_active=True
    ).exists()


@transaction.atomic
def create(*, acting_user: Any, draft: ReferralDraft) -> Referral:
    """A draft referral: nothing leaves the organisation until it is sent."""
    case = draft.case
    sender = draft.parent.recipient_organisation if draft.parent else case.organisation
    if draft.parent is not None:
        require_capability(acting_user, "referrals.receive", sender.pk)
    else:
        require_capability(acting_user, "referrals.send", sender.pk)
    if draft.need is not None and draft.need.case_id != case.pk:
        raise _invalid("need", _("This need belongs to another case."))
    recipient, service = _recipient(draft)
    if recipient.pk == sender.pk and draft.parent is not None:
        raise _invalid("service", _("Refer onward to another organisation."))
    groups = _check_groups(draft.field_groups)
    category = draft.need.term.code if draft.need else ""
    urgency = draft.urgency or urgency_of(draft.need)
    if urgency not in ReferralUrgency.values:
        raise _invalid("urgency", _("Choose an urgency."))
    hours = acknowledge_hours(urgency, category)
    referral = Referral.objects.create(
        case=case,
        need=draft.need,
        category=category,
        sender_organisation=sender,
        sent_by=acting_user,
        recipient_organisation=recipient,
        service=service,
        service_at_location=draft.service_at_location,
        urgency=urgency,
        note=draft.note.strip(),
        field_groups=groups,
        matching_reasons=draft.matching_reasons,
        parent=draft.parent,
        external=(not on_platform(recipient)) if draft.external is None else draft.external,
        acknowledge_hours=hours,
    )
    record(
        "referrals.referral.created",
        actor=acting_user,
        organisation=case.organisation_id,
        target=referral,
        changes={
            "recipient_organisation_id": recipient.pk,
            "service_id": getattr(service, "pk", None),
            "urgency": urgency,
            "field_groups": groups,
            "parent_id": getattr(draft.parent, "pk", None),
        },
    )
    return referral


def _packet_groups(referral: Referral) -> list[str]:
    """An onward referral carries no more than the packet it came with."""
    if referral.parent is None:
        return list(referral.field_groups)
    received = set(referral.parent.packet.values_list("field_group", flat=True))
    return [g for g in referral.field_groups if g in received]


def _take_packet(referral: Referral, acting_user: Any) -> None:
    entries = []
    if referral.parent is None:
        contents = packet.take_many(
            referral.case, referral.field_groups, need=referral.need, note=referral.note
        )
        for group, content in contents.items():
            entries.append(
                PacketEntry(
                    referral=referral,
                    field_group=group,
                    content=packet.dump(content),
                    shared_by=acting_user,
                )
            )
    else:
        # The provider passes on what it received, never more, and its own reason.
        groups = set(_packet_groups(referral))
        for entry in referral.parent.packet.all():
            if entry.field_group in groups:
                entries.append(
                    PacketEntry(
                        referral=referral,
                        field_group=entry.field_group,
                        content=entry.content,
                        initial=entry.initial,
                        shared_by=acting_user,
                    )
                )
    PacketEntry.objects.bulk_create(entries)


@transaction.atomic
def send(
    *, acting_user: Any, referral: Referral, expected_version: int, override_reason: str = ""
) -> Referral:
    """Check both gates, take the packet, start the clock and tell the provider. With an
    override reason and the capability, a referral the gates refuse goes out, flagged."""
    require_sender(acting_user, referral)
    if referral.parent is not None:
        received = gates.packet_access(referral.parent)
        if not received.open:
            # What the provider may no longer read, it may not pass on either.
            raise ServiceError(received.reason, code="gates_refused")
    target = referral.service or referral.recipient_organisation
    groups = _packet_groups(referral)
    result = gates.check(
        referral.case,
        referral.recipient_organisation,
        target,
        groups,
        sender=referral.sender_organisation,
    )
    override = override_reason.strip()
    if not result.passed:
        if not override:
            raise _refused(result)
        if not has_capability(
            acting_user, "referrals.override_gates", referral.sender_organisation_id
        ):
            raise _refused(
                result,
                _("Only those who may override the gates in an emergency can send this referral: "),
            )
        if len(override) < 15:
            raise _invalid(
                "override_reason",
                _(
                    "Write the reason for the emergency in a full sentence "
                    "(15 characters at least)."
                ),
            )
    now = timezone.now()
    hours = referral.acknowledge_hours
    old, referral = _advance(
        referral,
        "send",
        expected_version,
        status=S.SENT,
        sent_at=now,
        acknowledge_by=now + timedelta(hours=hours),
        escalate_at=now + timedelta(hours=2 * hours),
        expire_at=now + timedelta(hours=3 * hours),
        agreement=result.agreement,
        field_groups=groups,
        emergency_override=not result.passed,
        override_reason=override if not result.passed else "",
        override_missing=result.missing,
    )
    _take_packet(referral, acting_user)
    _audit(
        "sent",
        referral,
        acting_user,
        old,
        agreement_id=getattr(result.agreement, "pk", None),
        field_groups=groups,
        emergency_override=referral.emergency_override,
        override_reason=referral.override_reason,
        missing=result.missing,
    )
    if referral.emergency_override:
        record(
            "referrals.referral.override",
            actor=acting_user,
            organisation=referral.case.organisation_id,
            target=referral,
            changes={"reason": referral.override_reason, "missing": result.missing},
        )
    transaction.on_commit(lambda: _tell_recipient(referral, acting_user))
    return referral


def refer(*, acting_user: Any, draft: ReferralDraft, override_reason: str = "") -> Referral:
    """Create and send in one go; nothing is kept when the gates refuse."""
    with transaction.atomic():
        referral = create(acting_user=acting_user, draft=draft)
        return send(
            acting_user=acting_user,
            referral=referral,
            expected_version=referral.version,
            override_reason=override_reason,
        )


def refer_onward(
    *,
    acting_user: Any,
    referral: Referral,
    service_at_location: ServiceAtLocation,
    field_groups: list[str] | None = None,
    note: str = "",
) -> Referral:
    """The provider refers the person on, for the same need: no more than it received, and
    through the gates between itself and the next provider."""
    return refer(
        acting_user=acting_user,
        draft=ReferralDraft(
            case=referral.case,
            need=referral.need,
            service_at_location=service_at_location,
            urgency=referral.urgency,
            field_groups=list(field_groups or referral.field_groups),
            note=note[:2000],
            parent=referral,
        ),
    )


# --- The provider's side --------------------------------------------------------------------


def _provider_step(
    acting_user: Any,
    link: Any,
    referral: Referral,
    action: str,
    expected_version: int,
    *,
    verb: str,
    tell_sender: bool = True,
    audit: dict[str, Any] | None = None,
    **values: Any,
) -> Referral:
    """One step on the provider's side, by a focal point on the platform or through an
    external link: checked, applied with optimistic locking, audited, and told to the sender."""
    if link is None:
        _require_receiver(acting_user, referral)
    actor, label = _actor(acting_user, link)
    old, referral = _advance(referral, action, expected_version, **values)
    _audit(verb, referral, actor, old, label, **(audit or {}))
    if tell_sender:
        transaction.on_commit(lambda: _tell_sender(referral))
    return referral


@transaction.atomic
def acknowledge(
    *, acting_user: Any, referral: Referral, expected_version: int, link: Any = None
) -> Referral:
    return _provider_step(
        acting_user,
        link,
        referral,
        "acknowledge",
        expected_version,
        verb="acknowledged",
        tell_sender=False,
        status=S.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
    )


@transaction.atomic
def accept(
    *, acting_user: Any, referral: Referral, expected_version: int, link: Any = None
) -> Referral:
    now = timezone.now()
    return _provider_step(
        acting_user,
        link,
        referral,
        "accept",
        expected_version,
        verb="accepted",
        status=S.ACCEPTED,
        answered_at=now,
        acknowledged_at=referral.acknowledged_at or now,
    )


@transaction.atomic
def decline(
    *,
    acting_user: Any,
    referral: Referral,
    expected_version: int,
    reason: str,
    note: str = "",
    link: Any = None,
) -> Referral:
    if link is None:  # who asks, before what is asked
        _require_receiver(acting_user, referral)
    if reason not in DeclineReason.values:
        raise _invalid("reason", _("Give the reason for declining."))
    if reason == DeclineReason.OTHER and not note.strip():
        raise _invalid("note", _("Say why the referral is declined."))
    now = timezone.now()
    return _provider_step(
        acting_user,
        link,
        referral,
        "decline",
        expected_version,
        verb="declined",
        audit={"reason": reason},
        status=S.DECLINED,
        answered_at=now,
        acknowledged_at=referral.acknowledged_at or now,
        closed_at=now,
        decline_reason=reason,
        decline_note=note.strip(),
    )


@transaction.atomic
def start(
    *, acting_user: Any, referral: Referral, expected_version: int, link: Any = None
) -> Referral:
    return _provider_step(
        acting_user,
        link,
        referral,
        "start",
        expected_version,
        verb="started",
        tell_sender=False,
        status=S.IN_PROGRESS,
        started_at=timezone.now(),
    )


@transaction.atomic
def complete(
    *,
    acting_user: Any,
    referral: Referral,
    expected_version: int,
    outcome: str,
    outcome_date: date | None = None,
    note: str = "",
    link: Any = None,
) -> Referral:
    if link is None:  # who asks, before what is asked
        _require_receiver(acting_user, referral)
    if outcome not in Outcome.values:
        raise _invalid("outcome", _("Say what service was delivered."))
    served_on = outcome_date or timezone.localdate()
    if served_on > timezone.localdate():
        raise _invalid("outcome_date", _("The date of the service cannot be in the future."))
    now = timezone.now()
    return _provider_step(
        acting_user,
        link,
        referral,
        "complete",
        expected_version,
        verb="completed",
        audit={"outcome": outcome, "outcome_date": served_on},
        status=S.COMPLETED,
        outcome=outcome,
        outcome_date=served_on,
        outcome_note=note.strip(),
        started_at=referral.started_at or now,
        finished_at=now,
        closed_at=now,
    )


@transaction.atomic
def not_complete(
    *,
    acting_user: Any,
    referral: Referral,
    expected_version: int,
    reason: str,
    note: str = "",
    link: Any = None,
) -> Referral:
    if link is None:  # who asks, before what is asked
        _require_receiver(acting_user, referral)
    if reason not in NotCompletedReason.values:
        raise _invalid("reason", _("Give the reason the service was not completed."))
    now = timezone.now()
    return _provider_step(
        acting_user,
        link,
        referral,
        "not_complete",
        expected_version,
        verb="not_completed",
        audit={"reason": reason},
        status=S.NOT_COMPLETED,
        not_completed_reason=reason,
        outcome_note=note.strip(),
        finished_at=now,
        closed_at=now,
    )


# --- The sender's side ----------------------------------------------------------------------


@transaction.atomic
def cancel(*, acting_user: Any, referral: Referral, expected_version: int, reason: str) -> Referral:
    require_sender(acting_user, referral)
    if not reason.strip():
        raise _invalid("reason", _("Say why the referral is cancelled."))
    old, referral = _advance(
        referral,
        "cancel",
        expected_version,
        status=S.CANCELLED,
        cancel_reason=reason.strip(),
        closed_at=timezone.now(),
    )
    _audit("cancelled", referral, acting_user, old)
    if old != S.DRAFT:
        transaction.on_commit(lambda: _tell_recipient(referral, acting_user, cancelled=True))
    return referral


@transaction.atomic
def share_more(
    *, acting_user: Any, referral: Referral, field_group: str, text: str = ""
) -> PacketEntry:
    """Add to the packet what the sender chooses to share later: a field group as the case
    holds it now, with a note. The gates are checked again for that group."""
    require_sender(acting_user, referral)
    if referral.parent_id is not None:
        raise _invalid("field_group", _("An onward referral carries only what was received."))
    if not referral.is_open:
        raise _invalid("field_group", _("The referral is closed: nothing more can be shared."))
    _check_groups([field_group])
    groups = sorted(set(referral.field_groups) | {field_group})
    result = gates.check(
        referral.case,
        referral.recipient_organisation,
        referral.service or referral.recipient_organisation,
        groups,
        sender=referral.sender_organisation,
    )
    if not result.passed:
        raise _refused(result)
    content = packet.take(referral.case, field_group, need=referral.need, note=referral.note)
    if text.strip():
        content["text"] = text.strip()
    entry = PacketEntry.objects.create(
        referral=referral,
        field_group=field_group,
        content=packet.dump(content),
        initial=False,
        shared_by=acting_user,
    )
    Referral.objects.filter(pk=referral.pk).update(
        field_groups=groups,
        agreement=result.agreement or referral.agreement,
        version=F("version") + 1,
    )
    referral.refresh_from_db()
    record(
        "referrals.packet.shared",
        actor=acting_user,
        organisation=referral.case.organisation_id,
        target=referral,
        changes={"field_group": field_group, "text": bool(text.strip())},
    )
    return entry


@transaction.atomic
def post_message(
    *, acting_user: Any, referral: Referral, body: str, link: Any = None
) -> ReferralMessage:
    """A message in the thread between the two organisations."""
    if not body.strip():
        raise _invalid("body", _("Write the message."))
    if link is not None:
        organisation_id = referral.recipient_organisation_id
        author_label = link.contact_name or link.contact_email
    elif has_capability(acting_user, "referrals.receive", referral.recipient_organisation_id):
        organisation_id = referral.recipient_organisation_id
        author_label = acting_user.full_name or acting_user.email
    else:
        require_sender(acting_user, referral)
        organisation_id = referral.sender_organisation_id
        author_label = acting_user.full_name or acting_user.email
    message = ReferralMessage.objects.create(
        referral=referral,
        organisation_id=organisation_id,
        author=acting_user if link is None else None,
        author_label=author_label,
        body=body.strip()[:4000],
    )
    actor, label = _actor(acting_user, link)
    record(
        "referrals.message.posted",
        actor=actor,
        organisation=referral.case.organisation_id,
        target=referral,
        changes={"message_id": message.pk, **({"via": label} if label else {})},
    )
    transaction.on_commit(lambda: _tell_other_side(referral, message, acting_user))
    return message


# --- Telling people -------------------------------------------------------------------------


def _url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/"


def _tell_recipient(referral: Referral, acting_user: Any, *, cancelled: bool = False) -> None:
    if referral.external and not cancelled:
        from orienta.referrals.external import send_link

        # No registered address: the page lists no link, and the sender prints the form.
        with suppress(ServiceError):
            send_link(referral=referral, acting_user=acting_user)
        return
    title = (
        _("Referral %(reference)s cancelled by %(sender)s")
        if cancelled
        else _("New referral %(reference)s from %(sender)s (%(urgency)s)")
    )
    params = {
        "reference": referral.reference,
        "sender": referral.sender_organisation,
        "urgency": ReferralUrgency(referral.urgency).label,
    }
    notify(
        Notice(
            user,
            f"referral:{referral.pk}:{'cancelled' if cancelled else 'sent'}",
            title,
            params=params,
            url=_url(referral),
        )
        for user in focal_points(referral.recipient_organisation_id)
    )


def _tell_sender(referral: Referral) -> None:
    if referral.sent_by is None:
        return
    notify(
        [
            Notice(
                referral.sent_by,
                f"referral:{referral.pk}:{referral.status}",
                _("Referral %(reference)s: %(status)s by %(recipient)s"),
                params={
                    "reference": referral.reference,
                    "status": S(referral.status).label,
                    "recipient": referral.recipient_organisation,
                },
                url=_url(referral),
            )
        ]
    )


def _tell_other_side(referral: Referral, message: ReferralMessage, acting_user: Any) -> None:
    if message.organisation_id == referral.recipient_organisation_id:
        users = [referral.sent_by] if referral.sent_by else []
    else:
        users = focal_points(referral.recipient_organisation_id)
    notify(
        (
            Notice(
                user,
                f"referral:{referral.pk}:message:{message.pk}",
                _("New message on referral %(reference)s"),
                params={"reference": referral.reference},
                url=_url(referral),
            )
            for user in users
            if user != acting_user
        ),
        email=False,
    )
