"""Request types for views, so that type-checking knows what middleware has attached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from orienta.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """For views behind login or a capability check: `user` is a real account."""

    user: User


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser, never kept in a cache: documents about people."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
