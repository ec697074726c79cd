"""The dashboards: which indicators each shows, how a reader filters them, and their figures.

A dashboard page shows each of its indicators for the whole period (key figures) and broken
down by one disaggregation the reader chooses (`by`), as a chart with its table. Its exports
(XLSX, CSV, PDF) carry the very cells of the page. The governance dashboard is governance's own
(orienta/governance/indicators.py): its figures are about officials at meetings, not about the
people assisted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import Organisation
from orienta.indicators.board import Board, Filters, Tile, threshold_for
from orienta.indicators.models import Indicator
from orienta.indicators.subjects import BREAKDOWNS, SUBJECTS, TOTAL
from orienta.indicators.suppression import Cell
from orienta.returns.labels import country_names
from orienta.returns.models import EntryPoint
from orienta.returns.statistics import point_label


@dataclass(frozen=True)
class Dashboard:
    code: str
    title: Promise
    intro: Promise
    default_by: str


DASHBOARDS: dict[str, Dashboard] = {
    d.code: d
    for d in (
        Dashboard(
            "operations",
            _("Operations"),
            _(
                "Cases registered and referrals: how many, how many accepted and completed, how "
                "long until the service starts, how many are late."
            ),
            "organisation",
        ),
        Dashboard(
            "returns",
            _("Returns"),
            _(
                "People returned, by where they were returned from, how and where they arrived; "
                "repeat returns; movements and their compliance with the protocols."
            ),
            "entry_point",
        ),
        Dashboard(
            "reintegration",
            _("Reintegration"),
            _(
                "Sustainability survey scores (0 to 1) by cohort: the month the case was "
                "opened. Each score used the weight set in force when its round was scored."
            ),
            "round",
        ),
    )
}


class DashboardFilters(forms.Form):
    since = forms.DateField(
        label=_("From (month)"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    until = forms.DateField(
        label=_("Until (month)"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    entry_point = forms.CharField(label=_("Entry point"), required=False, max_length=30)
    origin_country = forms.CharField(label=_("Returned from"), required=False, max_length=2)
    organisation = forms.UUIDField(label=_("Organisation"), required=False)
    by = forms.CharField(label=_("Break down by"), required=False, max_length=20)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return data


@dataclass
class Page:
    dashboard: Dashboard
    filters: Filters
    by: str
    choices: list[tuple[str, str]]  # the breakdowns offered
    key_figures: list[Tile]
    tiles: list[Tile]
    threshold: int
    cohorts: list[tuple[str, list[tuple[str, Cell, str]]]] | None = None
    rounds: list[str] | None = None
    entry_points: list[tuple[str, str]] | None = None
    origins: list[tuple[str, str]] | None = None
    organisations: list[tuple[str, str]] | None = None

    @property
    def suppressing(self) -> bool:
        return self.threshold > 1


def _month(value: date | None) -> date | None:
    return value.replace(day=1) if value else None


def filters_from(form: DashboardFilters) -> tuple[Filters, str]:
    """The filters a reader asked for (one that does not parse is left out, its error shown)."""
    if not form.is_bound:
        return Filters(), ""
    form.is_valid()
    data = form.cleaned_data
    organisation = data.get("organisation")
    return (
        Filters(
            since=_month(data.get("since")),
            until=_month(data.get("until")) if "until" not in form.errors else None,
            entry_point=data.get("entry_point") or "",
            origin_country=(data.get("origin_country") or "").upper(),
            organisation=str(organisation) if organisation else "",
        ),
        data.get("by") or "",
    )


def indicators_of(dashboard: Dashboard) -> list[Indicator]:
    return list(Indicator.objects.filter(dashboard=dashboard.code).order_by("position", "code"))


def compute(user: Any, dashboard: Dashboard, filters: Filters, by: str = "") -> Page:
    indicators = indicators_of(dashboard)
    offered = []
    for indicator in indicators:
        for name in indicator.disaggregations:
            if name not in offered:
                offered.append(name)
    if by not in offered:
        by = dashboard.default_by if dashboard.default_by in offered else (offered or [""])[0]
    threshold = threshold_for(user)
    board = Board(threshold, filters)
    for indicator in indicators:
        board.add(indicator, TOTAL)
    for indicator in indicators:
        if by in indicator.disaggregations:
            board.add(indicator, by)
    if dashboard.code == "reintegration":
        board.add_cohorts()
    tiles = board.tiles()
    page = Page(
        dashboard=dashboard,
        filters=filters,
        by=by,
        choices=[(name, str(BREAKDOWNS[name])) for name in offered],
        key_figures=[t for t in tiles if t.breakdown == TOTAL],
        tiles=[t for t in tiles if t.breakdown != TOTAL],
        threshold=threshold,
    )
    points = EntryPoint.objects.order_by("code").only("code", "name")
    page.entry_points = [(point.code, point_label(point)) for point in points]
    names = country_names()
    # From the cells, not the movements: a page view reads no table of records.
    countries = [
        subject.cell._default_manager.filter(
            breakdown="origin_country", **{f"{subject.primary}__gt": 0}
        )
        .exclude(category="")
        .order_by()
        .values_list("category", flat=True)
        .distinct()
        for subject in (SUBJECTS["arrivals"], SUBJECTS["movements"])
    ]
    used = set(countries[0].union(countries[1]))
    page.origins = sorted(((c, names.get(c, c)) for c in used), key=lambda p: p[1].casefold())
    page.organisations = [
        (str(pk), name)
        for pk, name in Organisation.objects.order_by("name").values_list("pk", "name")
    ]
    if dashboard.code == "reintegration":
        page.rounds, page.cohorts = board.cohorts.rounds, board.cohorts.table
    return page


def cohort_trend(
    filters: Filters, threshold: int
) -> tuple[list[str], list[tuple[str, list[tuple[str, Cell, str]]]]]:
    """The cohort table on its own (a page has it from its board, protected with its tiles)."""
    board = Board(threshold, filters)
    board.add_cohorts()
    board.tiles()
    return board.cohorts.rounds, board.cohorts.table
