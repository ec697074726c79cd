"""Every API error has the same JSON body: {"code", "message", "details"}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from orienta.core.errors import ConflictError, ServiceError

logger = logging.getLogger("orienta.api")

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def install(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest, status: int, code: str, message: str, details: Any = None
    ) -> HttpResponse:
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            "not_authenticated",
            _("Authentication required: send an API token as “Authorization: Bearer <token>”."),
        )

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _CODES.get(exc.status_code, "error")
        if "CSRF" in str(exc):
            code = "csrf_failed"
        return respond(request, exc.status_code, code, str(exc))

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(
            request,
            422,
            "invalid",
            _("Some values are missing or not valid."),
            {"errors": exc.errors},
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(PermissionDenied)
    def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(
            request,
            403,
            "permission_denied",
            _("You do not have the capability this needs."),
            {"capability": str(exc)} if str(exc) else None,
        )

    @api.exception_handler(ServiceError)
    def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        status = 409 if isinstance(exc, ConflictError) else 400
        return respond(request, status, exc.code, str(exc.message), exc.details)

    @api.exception_handler(Exception)
    def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path)
        return respond(request, 500, "server_error", _("Something went wrong on our side."))
