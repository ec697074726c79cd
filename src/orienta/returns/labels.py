"""Bilingual labels of returns, read one way everywhere: pages, documents, the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# in_language is read from here by the returns modules; it lives in core, shared by every app.
from orienta.core.i18n import in_language, interface_language
from orienta.returns.models import DeportingCountry

__all__ = ["LANGUAGES", "RECEIVING_COUNTRIES", "country_names", "in_language"]

LANGUAGES = ("fr", "en")
# Receiving countries have no DeportingCountry row of their own.
RECEIVING_COUNTRIES = {
    "HT": gettext_lazy("Haiti"),
    "CM": gettext_lazy("Cameroon"),
    "BF": gettext_lazy("Burkina Faso"),
}


def country_names(language: str | None = None) -> dict[str, str]:
    """Country code → name, as the returns packs write them, then the receiving countries."""
    language = language or interface_language()
    names: dict[str, str] = {}
    rows = DeportingCountry.objects.order_by("receiving_country", "code")
    for row in rows.only("code", "name_fr", "name_en"):
        names.setdefault(row.code, in_language(row, "name", language) or row.code)
    for code, label in RECEIVING_COUNTRIES.items():
        names.setdefault(code, str(label))
    return names


def organisation_label(name: str, acronym: str) -> str:
    return f"{name} ({acronym})" if acronym and acronym != name else name
