"""The indicator dashboards in the REST API: the same figures as the pages and their exports.

`GET /api/v1/indicators/{dashboard}?since=YYYY-MM&until=YYYY-MM&entry_point=…&origin_country=…
&organisation=…&by=…` with `indicators.view`. Every figure is `{"value": number | null,
"suppressed": bool}` with the counts it is computed over, each `{"value": int | null,
"suppressed": bool}`: a hidden one is null, whether small or hidden so that a total cannot give
a small one away (orienta/indicators/board.py)."""

# No `from __future__ import annotations`: Django Ninja reads the operation's annotations
# through the capability decorator, in that decorator's module.
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from orienta.api.auth import capability
from orienta.indicators.board import Filters, Tile, Value
from orienta.indicators.dashboards import DASHBOARDS, DashboardFilters, compute, filters_from

router = Router(tags=["indicators"])


class CountOut(Schema):
    value: int | None
    suppressed: bool


class ValueOut(Schema):
    value: float | None
    suppressed: bool
    counts: list[CountOut]


class RowOut(Schema):
    key: str
    label: str
    figure: ValueOut


class TileOut(Schema):
    indicator: str
    label: str
    unit: str
    hxl: str
    breakdown: str
    total: ValueOut
    rows: list[RowOut]


class CohortOut(Schema):
    cohort: str
    round: str
    mean: float | None
    suppressed: bool


class DashboardOut(Schema):
    dashboard: str
    small_cell_threshold: int
    by: str
    key_figures: list[TileOut]
    tiles: list[TileOut]
    cohorts: list[CohortOut]


def _value(value: Value) -> dict:
    return {
        "value": None if value.suppressed else value.number,
        "suppressed": value.suppressed,
        "counts": [{"value": c.value, "suppressed": c.suppressed} for c in value.counts],
    }


def _tile(tile: Tile) -> dict:
    return {
        "indicator": tile.indicator.code,
        "label": tile.indicator.label,
        "unit": tile.indicator.unit,
        "hxl": tile.indicator.hxl,
        "breakdown": tile.breakdown,
        "total": _value(tile.total),
        "rows": [{"key": r.key, "label": r.label, "figure": _value(r.value)} for r in tile.rows],
    }


def _filters(request: HttpRequest) -> tuple[Filters, str]:
    """The page's own form reads the parameters: one rule for pages, exports and the API."""
    form = DashboardFilters(request.GET)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        )
        raise HttpError(422, problems)
    return filters_from(form)


@router.get(
    "/indicators/{dashboard}",
    response=DashboardOut,
    summary="Indicator dashboard",
    url_name="indicator_dashboard",
)
@capability("indicators.view")
def indicator_dashboard(
    request: HttpRequest,
    dashboard: str,
    since: str | None = None,
    until: str | None = None,
    entry_point: str = "",
    origin_country: str = "",
    organisation: UUID | None = None,
    by: str = "",
) -> dict:
    """The key figures of `dashboard` (operations, returns or reintegration) and each of its
    indicators broken down `by` one of its disaggregations (its default if not given), over
    the months `since`..`until`, for an entry point, a country returned from and an
    organisation if given; with the reintegration dashboard, the mean composite score by
    cohort and round."""
    # The parameters above document the operation; they are read through the page's form.
    if dashboard not in DASHBOARDS:
        raise HttpError(404, _("No such dashboard."))
    filters, by = _filters(request)
    page = compute(request.user, DASHBOARDS[dashboard], filters, by)
    cohorts = [
        {
            "cohort": cohort,
            "round": months,
            "mean": float(mean) if mean else None,
            "suppressed": count.suppressed,
        }
        for cohort, cells in page.cohorts or []
        for months, count, mean in cells
    ]
    return {
        "dashboard": dashboard,
        "small_cell_threshold": page.threshold,
        "by": page.by,
        "key_figures": [_tile(t) for t in page.key_figures],
        "tiles": [_tile(t) for t in page.tiles],
        "cohorts": cohorts,
    }
