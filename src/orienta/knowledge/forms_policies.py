"""Forms of the policy pages. They parse what the browser sends into the import's columns;
`orienta.knowledge.policy_columns.check_policy` decides what is valid, for the form as for a
file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orienta.knowledge.choices import (
    Confidence,
    Hazard,
    Mobility,
    PolicyLevel,
    PolicyStatus,
    PolicyType,
)
from orienta.knowledge.models import Entity, Theme
from orienta.knowledge.policy_io import MAX_ROWS

MAX_UPLOAD = 5 * 1024 * 1024
UPLOADS = (".csv", ".txt", ".xlsx")


class ListField(forms.CharField):
    """Items typed on one line, separated by semicolons; a list given as the starting value
    is shown that way."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "; ".join(str(item) for item in value)
        return value


class PolicyForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=80,
        required=False,
        help_text=_("In the page's address. Leave empty to make one from the English title."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=500)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=500, required=False)
    title_ar = forms.CharField(
        label=_("Title (Arabic)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"lang": "ar", "dir": "rtl"}),
    )
    issuer = forms.CharField(
        label=_("Issuer"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "issuers", "autocomplete": "off"}),
        help_text=_("Key of an entity (such as LAS) or ISO 3166 alpha-3 code of a country."),
    )
    level = forms.ChoiceField(label=_("Level"), choices=PolicyLevel.choices)
    type = forms.ChoiceField(label=_("Type"), choices=PolicyType.choices)
    year = forms.CharField(
        label=_("Year"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    mobility = forms.MultipleChoiceField(
        label=_("Mobility"),
        choices=Mobility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hazard = forms.MultipleChoiceField(
        label=_("Hazard"),
        choices=Hazard.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gcm_objectives = ListField(
        label=_("GCM objectives"),
        max_length=100,
        required=False,
        help_text=_("Numbers of the objectives, 1 to 23, separated by semicolons (2; 23)."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=PolicyStatus.choices)
    languages = ListField(
        label=_("Languages"),
        max_length=100,
        required=False,
        help_text=_("Language codes of the texts, separated by semicolons (ar; en; fr)."),
    )
    url = forms.CharField(label=_("Address of the text"), max_length=500, required=False)
    summary_en = forms.CharField(
        label=_("Summary (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    summary_fr = forms.CharField(
        label=_("Summary (French)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Confidence.choices, initial=Confidence.UNVERIFIED
    )
    source_reference = forms.CharField(label=_("Source"), max_length=500, required=False)
    source_url = forms.CharField(label=_("Source address"), max_length=500, required=False)
    source_accessed = forms.DateField(
        label=_("Consulted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [  # type: ignore[attr-defined]
            (theme.code, theme.label) for theme in Theme.objects.all()
        ]

    @property
    def issuers(self) -> list[Entity]:
        """The entities offered in the issuer field's list."""
        return list(Entity.objects.order_by("key"))


def check_upload(upload: Any) -> Any:
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 5 MB."))
    if not upload.name.lower().endswith(UPLOADS):
        raise forms.ValidationError(_("Send a CSV or XLSX file."))
    return upload


class PolicyImportForm(forms.Form):
    file = forms.FileField(label=_("Policies (CSV or XLSX)"), validators=[check_upload])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("At most %(rows)s rows.") % {"rows": MAX_ROWS}
