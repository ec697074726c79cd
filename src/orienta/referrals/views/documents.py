"""Documents of the mechanism: the referral form as PDF, the referral pathway flowchart, and the
SOP annex that carries it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from orienta.accounts.access import capability_required
from orienta.core.http import AuthenticatedHttpRequest, pdf_response
from orienta.core.i18n import requested_language
from orienta.referrals import documents, pathway
from orienta.referrals.access import get_referral_for_user


def _language(request: HttpRequest) -> str:
    """`?lang=fr|en`, else the interface language (French unless it is English); 404 else."""
    language = requested_language(request)
    if language not in documents.LANGUAGES:
        raise Http404("Unknown language.")
    return language


def _country(request: HttpRequest) -> str:
    country = (request.GET.get("country") or pathway.default_country()).lower()
    if country not in pathway.countries():
        raise Http404("No referral pathways for that country.")
    return country


@capability_required("referrals.send", "referrals.receive")
def referral_form_pdf(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The referral form (fiche de référence) as PDF, in French or English; the packet as the
    recipient may read it now, the reading audited."""
    referral = get_referral_for_user(request.user, pk)
    language = _language(request)
    pdf = documents.referral_form_pdf_bytes(request, referral, language)
    return pdf_response(pdf, f"referral-{referral.reference}-{language}.pdf")


def _pathway_context(
    country: str, language: str, *, css_class: str = "", print_size: bool = False
) -> dict[str, Any]:
    flow = pathway.build(country, language)
    return {
        "flow": flow,
        "countries": [
            (code, pathway.text(pathway.load(code).get("name"), language) or code.upper())
            for code in pathway.countries()
        ],
        "country": country,
        **pathway.diagrams(flow, css_class=css_class, print_size=print_size),
    }


@capability_required("directory.view_organisations")
def pathway_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referral pathway flowchart of a country, drawn on the server, with the same flow as
    tables next to each drawing."""
    country = _country(request)
    language = translation.get_language() or "fr"
    context = _pathway_context(country, language, css_class="img-fluid")
    return render(request, "referrals/pathway.html", context)


@capability_required("directory.view_organisations")
def pathway_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The SOP annex: identification and referral steps with data protection, and the
    flowchart, as PDF in French or English."""
    from weasyprint import HTML

    country = _country(request)
    language = _language(request)
    with translation.override(language), timezone.override(pathway.time_zone_for(country)):
        context = _pathway_context(country, language, print_size=True)
        context.update(language=language, printed_at=timezone.now())
        html = render_to_string("referrals/pathway_print.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return pdf_response(bytes(pdf), f"referral-pathways-{country}-{language}.pdf")
