"""The provider inbox: the referrals made to the organisation's services that wait on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from orienta.accounts.access import scope_for
from orienta.referrals.choices import ReferralStatus
from orienta.referrals.models import Referral

S = ReferralStatus
TABS = ("new", "due_soon", "overdue", "in_service")
DUE_SOON_HOURS = 24
LIMIT = 50


@dataclass
class Inbox:
    tab: str
    items: list[Referral]
    counts: dict[str, int]
    more: bool


def _conditions(now: Any) -> dict[str, Q]:
    soon = now + timedelta(hours=DUE_SOON_HOURS)
    return {
        # Not yet acknowledged, still in time.
        "new": Q(status=S.SENT, acknowledge_by__gt=now),
        # Acknowledged but not answered, or new, with the deadline close.
        "due_soon": Q(
            status__in=[S.SENT, S.ACKNOWLEDGED], acknowledge_by__gt=now, acknowledge_by__lte=soon
        ),
        "overdue": Q(status__in=[S.SENT, S.ACKNOWLEDGED], acknowledge_by__lte=now),
        "in_service": Q(status__in=[S.ACCEPTED, S.IN_PROGRESS]),
    }


def inbox_for(user: Any, tab: str = "new", *, now: Any = None) -> Inbox:
    """One tab of the inbox (at most LIMIT referrals, the most pressing first) and the count of
    each tab, for the organisations where the user receives referrals."""
    now = now or timezone.now()
    tab = tab if tab in TABS else "new"
    scope = scope_for(user, "referrals.receive")
    rows = scope.apply(Referral.objects.all(), "recipient_organisation")
    conditions = _conditions(now)
    counts = rows.filter(status__in=[S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.IN_PROGRESS]).aggregate(
        # Counted on a column of the index, so that the count reads the index alone.
        **{name: Count("status", filter=condition) for name, condition in conditions.items()}
    )
    found = list(
        rows.filter(conditions[tab])
        .select_related("sender_organisation", "service", "recipient_organisation")
        .order_by("acknowledge_by", "pk")[: LIMIT + 1]
    )
    return Inbox(
        tab, found[:LIMIT], {k: int(v or 0) for k, v in counts.items()}, len(found) > LIMIT
    )
