"""API authentication (named tokens or the browser session) and capability checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from orienta.accounts.access import ensure_known, has_capability, require_capability
from orienta.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ori_…`. Revoked tokens and inactive accounts are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=hash_token(token))
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # Record use at most once a minute per token: a busy client must not turn every read
        # into a write.
        touch = timedelta(seconds=settings.ORIENTA_API_TOKEN_TOUCH_SECONDS)
        if found.last_used_at is None or now - found.last_used_at > touch:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


# Session auth checks CSRF on unsafe methods, so the platform's own pages can call the API.
AUTH = [TokenAuth(), SessionAuth(csrf=True)]

F = TypeVar("F", bound=Callable[..., Any])


def capability(name: str, *alternatives: str) -> Callable[[F], F]:
    """Declare the capability an API operation needs (or several, any of which will do); 403
    JSON for those without it."""
    names = (name, *alternatives)
    for each in names:
        ensure_known(each)

    def decorate(operation: F) -> F:
        @wraps(operation)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not any(has_capability(request.user, each) for each in names):
                require_capability(request.user, name)
            return operation(request, *args, **kwargs)

        wrapped.required_capability = name  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate
