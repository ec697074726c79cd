"""The list of referrals a user may open, newest first, in keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orienta.accounts.access import scope_for
from orienta.core.keyset import page_of, seek
from orienta.referrals.models import Referral

PAGE_SIZE = 50


@dataclass
class ReferralPage:
    items: list[Referral]
    next_cursor: str


def referral_page(
    user: Any, *, status: str = "", direction: str = "", after: str = ""
) -> ReferralPage:
    rows: Any = Referral.objects.visible_to(user)
    if direction == "received":
        rows = rows.filter(
            recipient_organisation_id__in=scope_for(user, "referrals.receive").organisation_ids
        )
    elif direction == "sent":
        rows = rows.exclude(
            recipient_organisation_id__in=scope_for(user, "referrals.receive").organisation_ids
        )
    if status:
        rows = rows.filter(status=status)
    rows = seek(rows, after).select_related(
        "sender_organisation", "recipient_organisation", "service"
    )
    items, cursor = page_of(rows, PAGE_SIZE)
    return ReferralPage(items, cursor)
