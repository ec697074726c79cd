"""Forms of the reception pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orienta.returns.choices import (
    Accompaniment,
    AgeGroup,
    AssistanceKind,
    Documents,
    Mode,
    MovementStatus,
)
from orienta.returns.models import EntryPoint

MAX_BYTES = 10 * 1024 * 1024
LOCAL = {"type": "datetime-local"}
YES_NO_UNKNOWN = [("", _("Not asked")), ("yes", _("Yes")), ("no", _("No"))]


class MovementForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    reference = forms.CharField(label=_("Flight, boat or convoy"), max_length=80, required=False)
    origin_country = forms.CharField(
        label=_("Returned from (country code)"), max_length=2, min_length=2, initial="DO"
    )
    entry_point = forms.ModelChoiceField(label=_("Entry point"), queryset=EntryPoint.objects.none())
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled arrival (local time)"), widget=forms.DateTimeInput(LOCAL)
    )
    announced_headcount = forms.IntegerField(
        label=_("Announced headcount"), min_value=0, required=False
    )
    notice_received_at = forms.DateTimeField(
        label=_("Notice received at (local time)"),
        required=False,
        widget=forms.DateTimeInput(LOCAL),
    )
    list_received_at = forms.DateTimeField(
        label=_("List received at (local time)"), required=False, widget=forms.DateTimeInput(LOCAL)
    )
    arrived_at = forms.DateTimeField(
        label=_("Actual arrival (local time)"), required=False, widget=forms.DateTimeInput(LOCAL)
    )
    actual_headcount = forms.IntegerField(label=_("Actual headcount"), min_value=0, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=MovementStatus.choices, initial="announced"
    )
    consular_access_refused = forms.BooleanField(
        label=_("Consular access to detention was refused"), required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 2}))

    LOCAL_FIELDS = ("scheduled_at", "notice_received_at", "list_received_at", "arrived_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry_point"].queryset = EntryPoint.objects.order_by("country", "code")  # type: ignore[attr-defined]

    def clean_origin_country(self) -> str:
        value = self.cleaned_data["origin_country"].strip().upper()
        if not value.isalpha():
            raise forms.ValidationError(_("Give the country as a two-letter code (e.g. DO)."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        point = data.get("entry_point")
        # The times were typed on the entry point's clock, not the server's.
        if point is not None:
            for name in self.LOCAL_FIELDS:
                value = data.get(name)
                if value is not None:
                    data[name] = value.replace(tzinfo=None).replace(tzinfo=point.zone)
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Manifest (CSV or XLSX)"))
    source = forms.CharField(
        label=_("Who sent the list"),
        max_length=120,
        required=False,
        help_text=_("The column names of this sender's lists are remembered."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CheckInForm(forms.Form):
    """The quick profile: big targets, few words, sensible defaults."""

    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    given_name = forms.CharField(label=_("Given names"), max_length=150, required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("unknown", _("Not known")), ("female", _("Female")), ("male", _("Male"))],
        required=False,
    )
    age_group = forms.ChoiceField(
        label=_("Age group"),
        choices=AgeGroup.choices,
        initial=AgeGroup.ADULT,
        widget=forms.RadioSelect,
    )
    stated_age = forms.IntegerField(
        label=_("Age (years)"), min_value=0, max_value=120, required=False
    )
    accompaniment = forms.ChoiceField(
        label=_("Travels"),
        choices=Accompaniment.choices,
        initial=Accompaniment.ALONE,
        widget=forms.RadioSelect,
    )
    accompanied_by = forms.ChoiceField(label=_("With (already checked in)"), required=False)
    documents = forms.ChoiceField(
        label=_("Documents"),
        choices=Documents.choices,
        initial=Documents.ID_CARD,
        widget=forms.RadioSelect,
    )
    nationality = forms.CharField(label=_("Nationality (code)"), max_length=2, required=False)
    medical_urgency = forms.BooleanField(label=_("Medical urgency"), required=False)
    pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    disability = forms.BooleanField(label=_("Disability"), required=False)
    abuse_reported = forms.BooleanField(label=_("Reports abuse"), required=False)
    family_separated = forms.BooleanField(
        label=_("Separated from family on return"), required=False
    )
    criminal_record_notice = forms.BooleanField(label=_("Criminal-record notice"), required=False)
    child_protection_handover = forms.BooleanField(
        label=_("Handed over by child-protection services of the deporting country"), required=False
    )
    detention_days = forms.IntegerField(
        label=_("Days in detention"), min_value=0, max_value=3650, required=False
    )
    removal_order_received = forms.ChoiceField(
        label=_("Received a copy of the removal order"), choices=YES_NO_UNKNOWN, required=False
    )
    belongings_returned = forms.ChoiceField(
        label=_("Belongings and documents returned"), choices=YES_NO_UNKNOWN, required=False
    )
    registration_consent = forms.BooleanField(
        label=_("Agrees to be registered (consent script read)"), required=False, initial=True
    )
    best_interests_reference = forms.CharField(
        label=_("Child-protection (best-interests) reference"),
        max_length=100,
        required=False,
        help_text=_("For a child without a parent: the IBESR officer gives it."),
    )
    same_person = forms.BooleanField(
        label=_("Same person as the one already registered"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, adults: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accompanied_by"].choices = [("", "—"), *(adults or [])]  # type: ignore[attr-defined]

    def clean_nationality(self) -> str:
        return self.cleaned_data["nationality"].strip().upper()

    def profile_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("accompanied_by", None)
        data["removal_order_received"] = _tristate(data.get("removal_order_received", ""))
        data["belongings_returned"] = _tristate(data.get("belongings_returned", ""))
        data["sex"] = data.get("sex") or "unknown"
        return data


class FixRowForm(forms.Form):
    """One field per column of the file, holding what was read."""

    def __init__(self, *args: Any, cells: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for position, (title, value) in enumerate(cells.items()):
            self.fields[f"c{position}"] = forms.CharField(
                label=title, initial=value, required=False, max_length=300
            )
        self.titles = list(cells)

    def cells(self) -> dict[str, str]:
        return {t: self.cleaned_data.get(f"c{i}", "") for i, t in enumerate(self.titles)}


class AssistanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Assistance"), choices=AssistanceKind.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
