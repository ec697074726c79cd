from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


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


def interface_language() -> str:
    """The language of bilingual (French/English) content for the current request: English
    when the interface is in English, French otherwise — the mechanism's first language."""
    from django.utils import translation

    return "en" if (translation.get_language() or "fr").startswith("en") else "fr"


def in_language(obj: Any, name: str, language: str | None = None) -> str:
    """`obj.<name>_en` in English, `obj.<name>_fr` otherwise; whichever of the two is written
    when the other is empty."""
    language = language or interface_language()
    english = getattr(obj, f"{name}_en", "") if language == "en" else ""
    return str(english or getattr(obj, f"{name}_fr", "") or getattr(obj, f"{name}_en", "") or "")


def requested_language(request: HttpRequest) -> str:
    """A document's language: `?lang=`, else the interface's. Callers check it is one they
    render."""
    return request.GET.get("lang") or interface_language()
