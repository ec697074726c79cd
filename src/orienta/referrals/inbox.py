"""The provider inbox: the referrals made to the organisation's services that wait on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from orienta.accounts.access import has_capability, scope_for
from orienta.directory.models import Service
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


# Each tab: the statuses it shows, and the condition on the deadline.
TAB_STATUSES = {
    "new": (S.SENT,),
    "due_soon": (S.SENT, S.ACKNOWLEDGED),
    "overdue": (S.SENT, S.ACKNOWLEDGED),
    "in_service": (S.ACCEPTED, S.IN_PROGRESS),
}


def capacity_services(user: Any) -> QuerySet[Service]:
    """The services whose capacity the user may set: those of the organisations where they
    receive referrals, or every one for those who keep the directory."""
    if has_capability(user, "directory.manage_services"):
        return Service.objects.all()
    return scope_for(user, "referrals.receive").apply(Service.objects.all(), "organization")


def _deadline(tab: str, now: Any) -> Q:
    soon = now + timedelta(hours=DUE_SOON_HOURS)
    return {
        # Not yet acknowledged, still in time.
        "new": Q(acknowledge_by__gt=now),
        # Not yet answered, the deadline close.
        "due_soon": Q(acknowledge_by__gt=now, acknowledge_by__lte=soon),
        "overdue": Q(acknowledge_by__lte=now),
        "in_service": Q(),
    }[tab]


def inbox_for(user: Any, tab: str = "new", *, now: Any = None) -> Inbox:
    """One tab of the inbox (at most LIMIT referrals, the most pressing first) and the count of
    each tab, for the organisations where the user receives referrals."""
    now = now or timezone.now()
    tab = tab if tab in TABS else "new"
    scope = scope_for(user, "referrals.receive")
    rows = scope.apply(Referral.objects.all(), "recipient_organisation")
    counts = rows.filter(status__in=[S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.IN_PROGRESS]).aggregate(
        # Counted on a column of the (recipient, status, deadline) index: the count reads the
        # index alone.
        **{
            name: Count("status", filter=Q(status__in=TAB_STATUSES[name]) & _deadline(name, now))
            for name in TABS
        }
    )
    # One query per status, merged here: each walks the index in deadline order and stops at
    # LIMIT + 1 rows, where one query over two statuses would sort every row of both.
    found: list[Referral] = []
    for status in TAB_STATUSES[tab]:
        found += list(
            rows.filter(_deadline(tab, now), status=status)
            .select_related("sender_organisation", "service", "recipient_organisation")
            .order_by("acknowledge_by", "pk")[: LIMIT + 1]
        )
    found.sort(key=lambda r: (r.acknowledge_by is None, r.acknowledge_by or now, r.pk))
    found = found[: LIMIT + 1]
    return Inbox(
        tab, found[:LIMIT], {k: int(v or 0) for k, v in counts.items()}, len(found) > LIMIT
    )
