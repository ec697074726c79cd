"""The governance dashboard: the process indicators of a committee, and the progress report."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from orienta.accounts.access import capability_required, has_capability
from orienta.core.http import AuthenticatedHttpRequest, pdf_response
from orienta.governance import exports, indicators, progress
from orienta.governance.models import Committee
from orienta.governance.views.common import INDICATORS, MANAGE, VIEW


def _committee(request: AuthenticatedHttpRequest, pk: Any) -> tuple[Committee, Any]:
    visible = Committee.objects.visible_to(request.user, INDICATORS).order_by("name")
    if pk is None:
        committee = visible.filter(parent__isnull=True).first() or visible.first()
        if committee is None:
            return None, visible  # type: ignore[return-value]
        return committee, visible
    committee = visible.filter(pk=pk).first()
    if committee is None:
        raise Http404("No such committee.")
    return committee, visible


def _readable(request: AuthenticatedHttpRequest, committee: Committee) -> list[Any]:
    """The committee and working groups whose records (not only counts) the reader may see."""
    return list(
        Committee.objects.visible_to(request.user)
        .filter(pk__in=indicators.bodies(committee))
        .values_list("pk", flat=True)
    )


@capability_required(INDICATORS, MANAGE, VIEW)
def dashboard(request: AuthenticatedHttpRequest, pk: Any = None) -> HttpResponse:
    committee, visible = _committee(request, pk)
    context: dict[str, Any] = {
        "committee": committee,
        "committees": visible,
        "can_read": has_capability(request.user, VIEW) or has_capability(request.user, MANAGE),
    }
    if committee is not None:
        # The timeline names actions and owners: for those who may read the committee.
        readable = committee.pk in _readable(request, committee)
        rows = progress.roadmap(committee) if readable else []
        items = indicators.process_indicators(committee)
        context |= {
            "indicators": items,
            "phases": [
                (number, label, [i for i in items if i.phase == number])
                for number, label in indicators.PHASES.items()
            ],
            "overall": progress.overall(rows),
            "timeline": progress.svg(rows),
            "open_actions": indicators.open_actions(committee).count(),
        }
    return render(request, "governance/dashboard.html", context)


@capability_required(INDICATORS, MANAGE, VIEW)
def progress_report(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee, _visible = _committee(request, pk)
    pdf = exports.progress_report_pdf(committee, _readable(request, committee))
    return pdf_response(pdf, "progress-report.pdf")


@capability_required(INDICATORS, MANAGE, VIEW)
def indicators_xlsx(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee, _visible = _committee(request, pk)
    response = HttpResponse(
        exports.process_indicators_xlsx(committee),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="process-indicators.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("governance/dashboard/", dashboard, name="dashboard"),
    path("governance/dashboard/<uuid:pk>/", dashboard, name="dashboard_for"),
    path("governance/dashboard/<uuid:pk>/report.pdf", progress_report, name="progress_report"),
    path("governance/dashboard/<uuid:pk>/indicators.xlsx", indicators_xlsx, name="indicators_xlsx"),
]
