from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBase


def remember_language(response: HttpResponseBase, language: str) -> None:
    """Set the cookie that `PreferredLanguageMiddleware` reads on the next request."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,
        samesite="Lax",
    )
