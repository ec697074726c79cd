"""Request types for views, so that type-checking knows what middleware has attached."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def posted_version(request: HttpRequest) -> int:
    """The version of the object the posted form was made from (optimistic locking)."""
    from django.utils.translation import gettext as _

    from orienta.core.errors import ServiceError

    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ServiceError(_("Reload the page and try again."), code="invalid") from None


def shown_version(request: HttpRequest, version: int) -> str:
    """The version a page is made from: the record's, or, after a refused post, the one posted
    (so that a conflict is not silently resolved by posting again)."""
    posted = request.POST.get("version", "")
    return posted if posted.isdecimal() else str(version)


def show_on_form(form: Any, error: Any) -> None:
    """A service's refusal on the field it names (`details["field"]`), or on the whole form."""
    name = error.details.get("field")
    form.add_error(name if name in form.fields else None, str(error.message))
