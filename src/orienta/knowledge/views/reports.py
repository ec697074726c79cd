"""The mapping report of the terms of reference: the matrix (by theme and by region) with the
key recommendations and engagement opportunities of each entity, as a PDF, with the matrix's
filters and in French or English (`?lang=`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLPattern, path

from orienta.accounts.access import capability_required
from orienta.core.http import AuthenticatedHttpRequest, pdf_response
from orienta.core.i18n import requested_language
from orienta.knowledge import exports
from orienta.knowledge.views.entities import VIEW, _filters


@capability_required(VIEW)
def mapping_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The report for the entities the filters keep (unknown filter values and languages fall
    back to none and to the interface's)."""
    language = exports.document_language(requested_language(request))
    pdf = exports.mapping_report_pdf(**_filters(request), language=language)
    return pdf_response(pdf, f"mapping-report-{language}.pdf")


urlpatterns: list[URLPattern] = [
    path("knowledge/mapping-report/", mapping_report, name="mapping_report"),
]
