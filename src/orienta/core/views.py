from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from orienta.accounts import services as account_services
from orienta.accounts.access import capabilities_of, scope_for
from orienta.accounts.models import Membership, User
from orienta.accounts.views import LoginView
from orienta.audit.models import AuditEvent
from orienta.core.i18n import remember_language
from orienta.directory.models import Organisation, OrganisationKind

RECENT = 10


def home(request: HttpRequest) -> HttpResponseBase:
    """A page per person: what they hold decides what they see first. Anonymous visitors get the
    login form right here, not a redirect."""
    if not request.user.is_authenticated:
        return LoginView.as_view()(request)
    user = request.user
    held = capabilities_of(user)
    context: dict[str, Any] = {
        "my_memberships": Membership.objects.filter(user=user).select_related("organisation"),
        "my_activity": AuditEvent.objects.filter(actor=user)[:5],
    }
    if "accounts.administer_platform" in held:
        context["platform"] = {
            "organisations": Organisation.objects.count(),
            "people": User.objects.filter(is_active=True).count(),
            "memberships": Membership.objects.count(),
        }
        context["organisations"] = Organisation.objects.annotate(
            member_count=Count("memberships__user", distinct=True)
        )[:RECENT]
    if "audit.view_events" in held:
        context["recent_events"] = AuditEvent.objects.visible_to(user).select_related(
            "organisation"
        )[:RECENT]
    if "directory.view_organisations" in held:
        context["organisations_by_kind"] = [
            (OrganisationKind(row["kind"]).label, row["total"])
            for row in Organisation.objects.values("kind")
            .annotate(total=Count("id"))
            .order_by("-total")
        ]
    members_scope = scope_for(user, "accounts.view_members")
    context["members_scope"] = members_scope
    return render(request, "core/home.html", context)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in person's choice is remembered for next time."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    remember_language(response, language)
    if request.user.is_authenticated:
        account_services.set_preferred_language(user=request.user, language=language)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": code, "message": message, "details": {}}, status=status)
    return render(request, f"{status}.html", {"message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("This page does not exist or is not yours to see."))


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("Something went wrong on our side.")
    if _wants_json(request):
        return JsonResponse({"code": "server_error", "message": message, "details": {}}, status=500)
    # Rendered without the request's context processors: they read the database, which may be
    # the very thing that failed.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "csrf_failed",
        _("Your session form has expired. Go back, reload the page and try again."),
    )
