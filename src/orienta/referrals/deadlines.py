"""How long a provider has to acknowledge a referral."""

from __future__ import annotations

from django.conf import settings

from orienta.referrals.models import ResponseDeadline


def acknowledge_hours(urgency: str, category: str = "") -> int:
    """The configured hours for this urgency and category of service: the exact category
    first, then its top-level category, then any category, then the settings' default."""
    wanted = [category, category.split("-")[0], ""] if category else [""]
    rows = dict(
        ResponseDeadline.objects.filter(urgency=urgency, category__in=wanted).values_list(
            "category", "acknowledge_hours"
        )
    )
    for code in wanted:
        if code in rows:
            return int(rows[code])
    return int(settings.ORIENTA_REFERRAL_ACKNOWLEDGE_HOURS[urgency])
