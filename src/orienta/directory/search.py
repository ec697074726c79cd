"""Searching the directory for the public pages: the filters people use at a border post."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import (
    Attribute,
    CostOption,
    Language,
    Location,
    Service,
    TargetGroup,
    TaxonomyTerm,
)


def term_label(term: TaxonomyTerm) -> str:
    """French is the taxonomy's own language; English has its column; Kreyòl reads French."""
    if get_language() == "en" and term.name_en:
        return term.name_en
    return term.name


def category_choices() -> list[tuple[str, str]]:
    terms = list(TaxonomyTerm.objects.exclude(code="").order_by("code"))
    top = [t for t in terms if t.parent_id is None]
    children: dict[Any, list[TaxonomyTerm]] = {}
    for term in terms:
        if term.parent_id:
            children.setdefault(term.parent_id, []).append(term)
    choices: list[tuple[str, str]] = [("", str(_("All categories")))]
    for parent in top:
        choices.append((parent.code, term_label(parent)))
        choices += [(c.code, f"— {term_label(c)}") for c in children.get(parent.pk, [])]
    return choices


def area_choices() -> list[tuple[str, str]]:
    areas = (
        Location.objects.exclude(admin1_code="")
        .values_list("admin1_code", "admin1_name")
        .distinct()
        .order_by("admin1_name")
    )
    return [("", str(_("All areas")))] + [(code, name or code) for code, name in areas]


LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "ht": "Kreyòl",
    "es": "Español",
    "ar": "العربية",
}


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    target_group = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Everyone"))] + TargetGroup.choices
    )
    language = forms.ChoiceField(
        label=_("Language spoken"),
        required=False,
        choices=[("", _("Any language"))] + list(LANGUAGE_NAMES.items()),
    )
    free = forms.BooleanField(label=_("Free services only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["area"].choices = area_choices()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Filters:
    q: str = ""
    category: str = ""
    area: str = ""
    target_group: str = ""
    language: str = ""
    free: bool = False


def public_services(filters: Filters) -> QuerySet[Service]:
    """Active services matching the filters, in name order."""
    services = Service.objects.filter(status="active")
    if filters.q:
        for word in filters.q.split()[:6]:
            services = services.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if filters.category:
        codes = [filters.category] + list(
            TaxonomyTerm.objects.filter(parent__code=filters.category).values_list(
                "code", flat=True
            )
        )
        services = services.filter(
            Exists(
                Attribute.objects.filter(
                    link_id=OuterRef("pk"), link_entity="service", taxonomy_term__code__in=codes
                )
            )
        )
    if filters.area:
        services = services.filter(service_at_locations__location__admin1_code=filters.area)
    if filters.target_group:
        group = filters.target_group
        if _json_contains_supported():
            named = Q(target_groups__contains=[group]) | Q(target_groups__contains=["all"])
        else:  # SQLite: match the JSON text
            named = Q(target_groups__icontains=f'"{group}"') | Q(target_groups__icontains='"all"')
        services = services.filter(named | Q(target_groups=[]))
    if filters.language:
        services = services.filter(
            Exists(Language.objects.filter(service=OuterRef("pk"), code=filters.language))
        )
    if filters.free:
        services = services.filter(
            Exists(CostOption.objects.filter(service=OuterRef("pk"), option="free"))
        )
    return services.distinct().order_by("name")


def _json_contains_supported() -> bool:
    from django.db import connection

    return bool(connection.features.supports_json_field_contains)
