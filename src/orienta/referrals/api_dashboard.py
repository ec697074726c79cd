"""The referral dashboard in the REST API: the same figures as the page, hidden cells as null.

Every count is `{"value": int | null, "suppressed": bool}`; a rate carries its numerator and
denominator as such counts, a median its number of durations. See referrals/dashboard.py for who
sees what and which cells are hidden (small ones, and those that would give one away: the same
cells as the page).
"""

# No `from __future__ import annotations`: Django Ninja reads the operation's annotations
# through the capability decorator, in that decorator's module.
from datetime import date
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from orienta.api.auth import capability
from orienta.referrals.dashboard import (
    MECHANISM_STATISTICS,
    OWN_STATISTICS,
    Dashboard,
    compute,
)

router = Router(tags=["referrals"])


class CellOut(Schema):
    value: int | None
    suppressed: bool


class RateOut(Schema):
    percent: float | None
    numerator: CellOut
    denominator: CellOut
    suppressed: bool


class MedianOut(Schema):
    hours: float | None
    count: CellOut
    suppressed: bool


class GroupOut(Schema):
    key: str
    label: str
    referrals: CellOut
    overridden: CellOut
    overdue: CellOut
    time_to_acknowledge: MedianOut
    time_to_service: MedianOut
    acceptance: RateOut
    completion: RateOut


class StatusCountOut(Schema):
    status: str
    label: str
    referrals: CellOut
    overridden: CellOut


class StatusTableOut(Schema):
    key: str  # "all" (mechanism), "sent" or "received" (one's organisations)
    caption: str
    rows: list[StatusCountOut]
    referrals: CellOut
    overridden: CellOut


class OrganisationOut(Schema):
    id: UUID
    name: str


class FiltersOut(Schema):
    since: date | None
    until: date | None
    organisation: UUID | None


class DashboardOut(Schema):
    scope: str  # "mechanism" or "organisation"
    small_cell_threshold: int  # 0: exact numbers
    filters: FiltersOut
    organisations: list[OrganisationOut]
    totals: GroupOut
    status_tables: list[StatusTableOut]
    by_organisation: list[GroupOut]
    by_category: list[GroupOut]


def as_json(dashboard: Dashboard) -> dict:
    return {
        "scope": "mechanism" if dashboard.mechanism else "organisation",
        "small_cell_threshold": dashboard.threshold,
        "filters": {
            "since": dashboard.since,
            "until": dashboard.until,
            "organisation": dashboard.organisation_id,
        },
        "organisations": [{"id": pk, "name": name} for pk, name in dashboard.organisations],
        "totals": dashboard.totals,
        "status_tables": dashboard.status_tables,
        "by_organisation": dashboard.by_organisation,
        "by_category": dashboard.by_category,
    }


@router.get(
    "/referrals/dashboard",
    response=DashboardOut,
    summary="Referral dashboard",
    url_name="referral_dashboard",
)
@capability(OWN_STATISTICS, MECHANISM_STATISTICS)
def referral_dashboard(
    request: HttpRequest,
    since: date | None = None,
    until: date | None = None,
    organisation: UUID | None = None,
) -> dict:
    """Referrals by status, overdue, medians, acceptance and completion rates by receiving
    organisation and by top-level category, for the referrals sent from `since` to `until`.
    Needs `referrals.view_statistics` (one's organisations, exact numbers) or
    `referrals.view_mechanism_statistics` (the whole mechanism: small counts, and those that
    would give one away, null with `"suppressed": true`)."""
    user = request.user
    if since and until and since > until:
        raise HttpError(422, _("The end date must not be before the start date."))
    return as_json(compute(user, since=since, until=until, organisation_id=organisation))
