"""The public statistics page: returns and services in aggregate, for anyone, when the
deployment publishes it (ORIENTA_PUBLIC_STATISTICS).

Always suppressed at ORIENTA_SMALL_CELL, whoever reads. No filters on purpose: two filtered
views of the same figures could be subtracted from each other to find a hidden count (each
table is protected, not every pair of queries); a fixed page over the whole period cannot be.
"""

from __future__ import annotations

from django.conf import settings

from orienta.indicators.board import Board, Tile
from orienta.indicators.models import Indicator
from orienta.indicators.subjects import SUBJECTS, TOTAL

#: (indicator code, breakdowns shown): returns, and the services people were referred to.
PUBLISHED = [
    ("ret-returns", ["month", "origin_country", "entry_point", "sex", "age_group"]),
    ("ops-referrals", ["service_category"]),
    ("ops-completion", ["service_category"]),
]


def subject_of(indicator: Indicator) -> tuple[str, ...]:
    subject = SUBJECTS.get(indicator.subject)
    return subject.breakdowns if subject is not None else ()


def public_figures() -> list[Tile]:
    board = Board(int(settings.ORIENTA_SMALL_CELL))
    found = {i.code: i for i in Indicator.objects.filter(code__in=[c for c, _b in PUBLISHED])}
    for code, breakdowns in PUBLISHED:
        indicator = found.get(code)
        if indicator is None:  # definitions not loaded: nothing to publish for it
            continue
        board.add(indicator, TOTAL)
        for breakdown in breakdowns:
            # Only what the deployment's definition offers (a pack may define it otherwise).
            if breakdown in indicator.disaggregations and breakdown in subject_of(indicator):
                board.add(indicator, breakdown)
    return board.tiles()
