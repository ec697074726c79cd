"""Forms of the knowledge base's editing pages. They parse shapes (dates, numbers separated by
commas, country codes, caveats); the services decide what is allowed.

Forms are given values (`initial_of`), never the record itself: a ModelForm writes its cleaned
data onto its instance while validating, and the service must see the record as it was to check
its version and audit what changed."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from orienta.knowledge.choices import Confidence
from orienta.knowledge.members import MEMBER_FIELDS
from orienta.knowledge.models import Entity, EntityFact, EntityMember, Region, Theme
from orienta.knowledge.services import ENTITY_FIELDS, ENTITY_LINKS
from orienta.knowledge.taxonomy import REGION_FIELDS, THEME_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ARABIC = {"dir": "rtl", "lang": "ar"}
_SEPARATORS = re.compile(r"[\s,;]+")
# Blank caveat rows offered below the written ones, and the most a page may post.
SPARE_CAVEATS = 2
MOST_CAVEATS = 30


def initial_of(instance: models.Model | None, fields: list[str]) -> dict[str, Any]:
    """The form's starting values from the record, or none for a new one."""
    return model_to_dict(instance, fields=fields) if instance is not None else {}


def _split(text: str) -> list[str]:
    return [part for part in _SEPARATORS.split(text or "") if part]


class ListField(forms.CharField):
    """A list typed as words separated by commas or spaces ("TUN, MAR"); shown the same way."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> Any:
        return _split(super().to_python(value) or "")


class NumberListField(ListField):
    """Whole numbers separated by commas ("1, 7, 23"): GCM objectives, SDGs."""

    def to_python(self, value: Any) -> Any:
        try:
            return [int(part) for part in super().to_python(value)]
        except ValueError:
            raise forms.ValidationError(
                _("Write whole numbers separated by commas, e.g. 1, 7, 23."), code="invalid"
            ) from None


class ServiceDecidesUnique:
    """Uniqueness (of a key, a code, a country in a list) is the service's to refuse: the form
    has no instance, so Django's own check would take an edit for a duplicate."""

    def validate_unique(self) -> None:
        return None


class Grouped:
    """Fields shown in groups (`groups`: legend and field names), for long forms."""

    groups: list[tuple[Any, list[str]]] = []

    def grouped(self) -> list[tuple[Any, list[Any]]]:
        form = cast(forms.BaseForm, self)
        return [(legend, [form[name] for name in names]) for legend, names in self.groups]


class EntityForm(ServiceDecidesUnique, Grouped, forms.ModelForm):
    gcm_objectives = NumberListField(
        label=_("GCM objectives"),
        required=False,
        help_text=_("Numbers from 1 to 23, separated by commas."),
    )
    sdgs = NumberListField(
        label=_("Sustainable Development Goals"),
        required=False,
        help_text=_("Numbers from 1 to 17, separated by commas."),
    )

    groups = [
        (_("Entity"), ["key", "kind"]),
        (_("Names"), ["name_fr", "name_en", "name_ar", "acronym_fr", "acronym_en", "acronym_ar"]),
        (_("Founded"), ["founded", "founded_on", "founded_confidence", "founded_source"]),
        (
            _("Headquarters or secretariat"),
            ["headquarters", "headquarters_confidence", "headquarters_source"],
        ),
        (_("Member states"), ["members_source", "members_note"]),
        (_("Mapping"), ["themes", "regions", "gcm_objectives", "sdgs"]),
    ]

    class Meta:
        model = Entity
        fields = [
            name for name in ENTITY_FIELDS if name not in ("gcm_objectives", "sdgs")
        ] + ENTITY_LINKS
        labels = {
            "founded": _("Founded (as written)"),
            "founded_confidence": _("Confidence of the founding"),
            "founded_source": _("Source of the founding"),
            "headquarters": _("Headquarters or secretariat"),
            "headquarters_confidence": _("Confidence of the headquarters"),
            "headquarters_source": _("Source of the headquarters"),
        }
        help_texts = {
            "key": _("Short code used in addresses, e.g. LAS: letters, digits, hyphens."),
            "founded": _("E.g. 22 March 1945, Cairo."),
            "founded_source": _("Required when the founding is marked verified."),
            "headquarters_source": _("Required when the headquarters is marked verified."),
        }
        widgets = {
            "name_ar": forms.TextInput(attrs=ARABIC),
            "acronym_ar": forms.TextInput(attrs=ARABIC),
            "founded_on": DATE,
            "members_note": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "regions": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.all()  # type: ignore[attr-defined]
        self.fields["regions"].queryset = Region.objects.all()  # type: ignore[attr-defined]


def entity_initial(entity: Entity | None) -> dict[str, Any]:
    return initial_of(entity, ENTITY_FIELDS + ENTITY_LINKS)


# --- Facts ------------------------------------------------------------------------------------

CAVEAT_PARTS = ("en", "fr", "confidence")


class FactForm(Grouped, forms.Form):
    """One section of an entity, its source, and its caveats (one row each)."""

    text_fr = forms.CharField(
        label=_("Text (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave the text empty in every language to delete this section."),
    )
    text_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    text_ar = forms.CharField(
        label=_("Text (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **ARABIC}),
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Confidence.choices, initial=Confidence.UNVERIFIED
    )
    source_reference = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=500,
        help_text=_("A verified fact names its source: its reference or its address."),
    )
    source_url = forms.URLField(
        label=_("Source address"), required=False, max_length=500, assume_scheme="https"
    )
    source_accessed = forms.DateField(label=_("Consulted on"), required=False, widget=DATE)

    groups = [
        (_("Text"), ["text_fr", "text_en", "text_ar"]),
        (
            _("Source and confidence"),
            ["confidence", "source_reference", "source_url", "source_accessed"],
        ),
    ]

    def __init__(self, *args: Any, caveat_rows: int = SPARE_CAVEATS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.caveat_rows = max(0, min(caveat_rows, MOST_CAVEATS))
        for row in range(1, self.caveat_rows + 1):
            self.fields[f"caveat_{row}_fr"] = forms.CharField(
                label=_("Caveat %(row)d (French)") % {"row": row}, required=False
            )
            self.fields[f"caveat_{row}_en"] = forms.CharField(
                label=_("Caveat %(row)d (English)") % {"row": row}, required=False
            )
            self.fields[f"caveat_{row}_confidence"] = forms.ChoiceField(
                label=_("Confidence of caveat %(row)d") % {"row": row},
                choices=Confidence.choices,
                initial=Confidence.UNVERIFIED,
                required=False,
            )

    def caveat_fields(self) -> list[list[Any]]:
        """The caveat rows' bound fields, a row at a time (French, English, confidence)."""
        return [
            [self[f"caveat_{row}_{part}"] for part in ("fr", "en", "confidence")]
            for row in range(1, self.caveat_rows + 1)
        ]

    def values(self) -> dict[str, Any]:
        """The cleaned values as `save_fact` takes them, caveats gathered into a list."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.base_fields}
        values["caveats"] = [
            {
                "en": data[f"caveat_{row}_en"],
                "fr": data[f"caveat_{row}_fr"],
                "confidence": data[f"caveat_{row}_confidence"] or Confidence.UNVERIFIED,
            }
            for row in range(1, self.caveat_rows + 1)
        ]
        return values


def fact_initial(fact: EntityFact | None) -> dict[str, Any]:
    """The fact's values, its caveats spread over the rows of the form."""
    if fact is None:
        return {}
    initial = initial_of(fact, list(FactForm.base_fields))
    for row, caveat in enumerate(fact.caveats, start=1):
        for part in CAVEAT_PARTS:
            initial[f"caveat_{row}_{part}"] = caveat.get(part, "")
    return initial


def caveat_rows(fact: EntityFact | None) -> int:
    return len(fact.caveats if fact is not None else []) + SPARE_CAVEATS


# --- Member states ----------------------------------------------------------------------------


class MemberForm(ServiceDecidesUnique, forms.ModelForm):
    class Meta:
        model = EntityMember
        fields = MEMBER_FIELDS
        help_texts = {"country": _("ISO 3166 alpha-3 code, e.g. TUN for Tunisia.")}
        widgets = {
            "country": forms.TextInput(
                attrs={"maxlength": 3, "autocapitalize": "characters", "size": 4}
            ),
            "joined_on": DATE,
            "left_on": DATE,
            "suspended_from": DATE,
            "suspended_to": DATE,
        }


# --- Themes and regions -----------------------------------------------------------------------


class LabelledForm(ServiceDecidesUnique, forms.ModelForm):
    """A theme or a region. Once created its code stays (links and packs match it)."""

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label_ar"].widget.attrs.update(ARABIC)
        if editing:
            self.fields["code"].disabled = True


class ThemeForm(LabelledForm):
    class Meta:
        model = Theme
        fields = THEME_FIELDS


class RegionForm(LabelledForm):
    countries = ListField(
        label=_("Countries"),
        required=False,
        help_text=_("ISO 3166 alpha-3 codes separated by commas, e.g. DZA, MAR, TUN."),
    )

    class Meta:
        model = Region
        fields = [name for name in REGION_FIELDS if name != "countries"]
