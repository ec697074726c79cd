"""Searching the directory for the public pages: the filters people use at a border post."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import (
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
    """The admin-1 areas that have services, from the in-memory directory (no table scan)."""
    from orienta.directory.matching import current_index

    names = current_index().area_names
    ordered = sorted(names.items(), key=lambda item: item[1] or item[0])
    return [("", str(_("All areas")))] + [(code, name or code) for code, name in ordered]


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


def find_service_ids(filters: Filters) -> list[Any]:
    """Ids of the active services (with a place) matching the filters, in name order, found in
    the in-memory directory that matching uses: no scan of the tables per search."""
    import numpy as np

    from orienta.directory.matching import current_index, fold

    index = current_index()
    n = len(index.sal_ids)
    if n == 0:
        return []
    keep = index.active.copy()
    for word in fold(filters.q).split()[:6]:
        keep &= np.fromiter((word in text for text in index.texts), dtype=bool, count=n)
    if filters.category:
        columns, _unknown = index.need_columns([filters.category])
        keep &= index.categories[:, columns].any(axis=1) if columns else False
    if filters.area:
        keep &= index.area_mask(index.admin1, filters.area)
    if filters.target_group:
        bits = index.group_bits
        wanted = bits.get(filters.target_group, 0) | bits["all"]
        keep &= (index.groups == 0) | ((index.groups & wanted) != 0)
    if filters.language:
        spoken = index.languages.get(filters.language.lower())
        keep &= spoken if spoken is not None else False
    if filters.free:
        keep &= index.cost == 0
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(index.name_rank[rows], kind="stable")]
    seen: set[Any] = set()
    ordered = []
    for i in rows:
        service = index.service_ids[i]
        if service not in seen:
            seen.add(service)
            ordered.append(service)
    return ordered
