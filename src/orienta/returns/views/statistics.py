"""Return statistics: arrivals counted, never a person (see orienta/returns/statistics.py for
the figures and who sees small numbers)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import capability_required
from orienta.core.http import AuthenticatedHttpRequest
from orienta.returns import statistics as figures
from orienta.returns.views.compliance import PeriodFilters


class StatisticsFilters(PeriodFilters):
    # The choices are what the statistics themselves find; one that matches nothing is dropped
    # there, so parsing is enough here.
    origin = forms.CharField(label=_("Returned from"), required=False, max_length=2)
    entry_point = forms.CharField(label=_("Entry point"), required=False, max_length=30)
    organisation = forms.UUIDField(label=_("Receiving organisation"), required=False)


def _filters(request: AuthenticatedHttpRequest) -> tuple[StatisticsFilters, figures.Filters]:
    form = StatisticsFilters(request.GET or None)
    if not form.is_bound:
        return form, figures.Filters()
    # A filter that does not parse is left out (and its error shown); the others apply.
    form.is_valid()
    data = form.cleaned_data
    return form, figures.Filters(
        since=data.get("since"),
        until=data.get("until"),
        origin=data.get("origin") or "",
        entry_point=data.get("entry_point") or "",
        organisation_id=data.get("organisation"),
    )


@capability_required(figures.CAPABILITY)
def statistics_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    stats = figures.compute(request.user, filters)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"stats": stats, "form": form, "query": query.urlencode()}
    return render(request, "returns/statistics/statistics.html", context)


@capability_required(figures.CAPABILITY)
def statistics_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    stats = figures.compute(request.user, filters)
    response = HttpResponse(figures.as_csv(stats), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="return-statistics.csv"'
    # What is hidden depends on who asks: never kept in a shared cache.
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("returns/statistics/", statistics_page, name="statistics"),
    path("returns/statistics.csv", statistics_csv, name="statistics_csv"),
]
