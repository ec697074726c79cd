"""Escalation of referrals nobody acknowledged in time. Idempotent: each step is marked on the
referral in the same transaction as its notifications, so running it again (by cron or the task
worker, or twice by mistake) notifies each person once.

- overdue (past the acknowledgement deadline): the sender and the receiving focal points;
- twice the deadline: the supervisors of both organisations;
- three times the deadline: the referral expires and the sender is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.notifications import Notice, notify, send_digest
from orienta.accounts.roles import Role
from orienta.audit.services import Entry, record_many
from orienta.core.signals import changed
from orienta.referrals.choices import ReferralStatus, ReferralUrgency
from orienta.referrals.models import Referral
from orienta.referrals.services import members

OVERDUE, SUPERVISORS, EXPIRED = 1, 2, 3
CHUNK = 2000
SUPERVISOR_ROLES = (Role.CASE_SUPERVISOR, Role.COORDINATOR)


@dataclass
class EscalationReport:
    overdue: int = 0
    escalated: int = 0
    expired: int = 0
    notifications: int = 0
    emails: int = 0


_MOMENT = {OVERDUE: "acknowledge_by", SUPERVISORS: "escalate_at", EXPIRED: "expire_at"}


def _take(level: int, now: datetime) -> list[Referral]:
    """A chunk of unacknowledged referrals that reached step `level` and have not had it,
    locked against a concurrent run (PostgreSQL skips the rows another run holds)."""
    moment = _MOMENT[level]
    rows = Referral.objects.filter(
        # The levels below as a list: an equality per level walks the index, a range does not.
        status=ReferralStatus.SENT,
        escalation_level__in=list(range(level)),
        **{f"{moment}__lte": now},
    ).select_related("case", "sent_by", "sender_organisation", "recipient_organisation", "service")
    if connection.vendor == "postgresql":
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows.order_by(moment)[:CHUNK])


def _notices(level: int, referrals: list[Referral]) -> list[Notice]:
    recipients = {r.recipient_organisation_id for r in referrals}
    senders = {r.sender_organisation_id for r in referrals}
    focal = members(recipients, (Role.PROVIDER_FOCAL_POINT,)) if level == OVERDUE else {}
    bosses = members(recipients | senders, SUPERVISOR_ROLES) if level == SUPERVISORS else {}
    titles = {
        OVERDUE: _(
            "Referral %(reference)s to %(recipient)s is overdue: "
            "not acknowledged since %(deadline)s"
        ),
        SUPERVISORS: _(
            "Escalated: referral %(reference)s to %(recipient)s still not acknowledged "
            "(%(urgency)s)"
        ),
        EXPIRED: _("Referral %(reference)s to %(recipient)s expired unacknowledged"),
    }
    notices: list[Notice] = []
    for referral in referrals:
        params = {
            "reference": referral.reference,
            "recipient": referral.recipient_organisation,
            "deadline": timezone.localtime(referral.acknowledge_by).strftime("%Y-%m-%d %H:%M"),
            "urgency": ReferralUrgency(referral.urgency).label,
        }
        users: list[Any] = []
        if level in (OVERDUE, EXPIRED) and referral.sent_by is not None:
            users.append(referral.sent_by)
        if level == OVERDUE:
            users += focal.get(referral.recipient_organisation_id, [])
        if level == SUPERVISORS:
            users += bosses.get(referral.sender_organisation_id, [])
            users += bosses.get(referral.recipient_organisation_id, [])
        key = f"referral:{referral.pk}:escalation:{level}"
        notices += [
            Notice(user, key, titles[level], params=params, url=f"/referrals/{referral.pk}/")
            for user in users
        ]
    return notices


def _external_reminders(referrals: list[Referral]) -> None:
    """Off-platform providers get the reminder at their registered address."""
    from orienta.core.mail import send_templated_mail
    from orienta.referrals.external import registered_contact

    for referral in referrals:
        if not referral.external:
            continue
        email, _name = registered_contact(referral)
        if email:
            send_templated_mail.enqueue(
                to=email,
                template="referrals/email/external_reminder",
                context={
                    "reference": referral.reference,
                    "sender": str(referral.sender_organisation),
                },
                language="fr",
            )


def escalate(now: datetime | None = None) -> EscalationReport:
    now = now or timezone.now()
    report = EscalationReport()
    notified: list[Any] = []
    # Expiry first: a referral three deadlines late expires rather than being escalated again.
    for level in (EXPIRED, OVERDUE, SUPERVISORS):
        while True:
            with transaction.atomic():
                picked = _take(level, now)
                if not picked:
                    break
                values: dict[str, Any] = {"escalation_level": level}
                if level == EXPIRED:
                    values.update(
                        status=ReferralStatus.EXPIRED, closed_at=now, version=F("version") + 1
                    )
                Referral.objects.filter(pk__in=[r.pk for r in picked]).update(**values)
                changed(Referral, [r.pk for r in picked])
                # One append for the chunk's events: one statement per event would cost more
                # than the escalation itself.
                record_many(
                    Entry(
                        "referrals.referral.expired"
                        if level == EXPIRED
                        else "referrals.referral.escalated",
                        organisation=referral.case.organisation_id,
                        target=referral,
                        changes={"escalation_level": [referral.escalation_level, level]},
                    )
                    for referral in picked
                )
                made = notify(_notices(level, picked), email=False)
                notified += made
                if level == OVERDUE:
                    transaction.on_commit(partial(_external_reminders, picked))
            report.notifications += len(made)
            if level == OVERDUE:
                report.overdue += len(picked)
            elif level == SUPERVISORS:
                report.escalated += len(picked)
            else:
                report.expired += len(picked)
            if len(picked) < CHUNK:
                break
    # Each person's notices of this run in one e-mail, once every step is committed.
    report.emails = send_digest(notified)
    return report
