"""The indicator dashboards and their exports, for holders of `indicators.view` (coordinators,
analysts): aggregates only, small numbers hidden; and the public statistics page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from orienta.accounts.access import capability_required, has_capability, public_page
from orienta.core.http import AuthenticatedHttpRequest, pdf_response
from orienta.indicators import exports
from orienta.indicators.dashboards import (
    DASHBOARDS,
    Dashboard,
    DashboardFilters,
    Page,
    compute,
    filters_from,
)
from orienta.indicators.public import public_figures

CAPABILITY = "indicators.view"


def _dashboard(code: str) -> Dashboard:
    try:
        return DASHBOARDS[code]
    except KeyError:
        raise Http404("No such dashboard.") from None


def _page(request: AuthenticatedHttpRequest, code: str) -> tuple[DashboardFilters, Page]:
    dashboard = _dashboard(code)
    form = DashboardFilters(request.GET or None)
    filters, by = filters_from(form)
    return form, compute(request.user, dashboard, filters, by)


@capability_required(CAPABILITY)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "dashboards": DASHBOARDS.values(),
        "governance": has_capability(request.user, "governance.view_indicators"),
        "return_statistics": has_capability(request.user, "returns.view_statistics"),
        "referral_dashboard": has_capability(request.user, "referrals.view_mechanism_statistics"),
    }
    return render(request, "indicators/index.html", context)


@capability_required(CAPABILITY)
def dashboard(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    form, page = _page(request, code)
    query = request.GET.urlencode()
    context = {"form": form, "page": page, "query": query, "dashboards": DASHBOARDS.values()}
    return render(request, "indicators/dashboard.html", context)


def _file(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # What is hidden depends on who asks: never kept in a shared cache.
    response["Cache-Control"] = "no-store"
    return response


def _name(page: Page, extension: str) -> str:
    return f"indicators-{page.dashboard.code}-{timezone.localdate():%Y%m%d}.{extension}"


@capability_required(CAPABILITY)
def dashboard_xlsx(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _form, page = _page(request, code)
    return _file(
        exports.as_xlsx(page),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _name(page, "xlsx"),
    )


@capability_required(CAPABILITY)
def dashboard_csv(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _form, page = _page(request, code)
    return _file(exports.as_csv(page), "text/csv; charset=utf-8", _name(page, "csv"))


@capability_required(CAPABILITY)
def dashboard_pdf(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _form, page = _page(request, code)
    return pdf_response(exports.as_pdf(page), _name(page, "pdf"))


@public_page
def public_statistics(request: HttpRequest) -> HttpResponse:
    """Open to anyone when the deployment publishes it (ORIENTA_PUBLIC_STATISTICS); a 404
    otherwise, as if it did not exist."""
    if not settings.ORIENTA_PUBLIC_STATISTICS:
        raise Http404("Public statistics are not published here.")
    response = render(request, "indicators/public.html", {"figures": public_figures()})
    response["Cache-Control"] = "no-store"
    return response


app_name = "indicators"

urlpatterns: list[URLPattern] = [
    path("indicators/", index, name="index"),
    path("indicators/<slug:code>/", dashboard, name="dashboard"),
    path("indicators/<slug:code>/figures.xlsx", dashboard_xlsx, name="xlsx"),
    path("indicators/<slug:code>/figures.csv", dashboard_csv, name="csv"),
    path("indicators/<slug:code>/figures.pdf", dashboard_pdf, name="pdf"),
]

public_urlpatterns: list[URLPattern] = [
    path("", public_statistics, name="statistics"),
]
