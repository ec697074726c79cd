"""Forms of the referral pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orienta.referrals.choices import (
    DEFAULT_FIELD_GROUPS,
    AgreementPurpose,
    AgreementStatus,
    DeclineReason,
    FieldGroup,
    NotCompletedReason,
    Outcome,
    ReferralUrgency,
)


class ReferForm(forms.Form):
    service_at_location = forms.UUIDField(required=False, widget=forms.HiddenInput)
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Or refer to an organisation"), queryset=None, required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=ReferralUrgency.choices)
    field_groups = forms.MultipleChoiceField(
        label=_("What the provider will see"),
        choices=FieldGroup.choices,
        initial=list(DEFAULT_FIELD_GROUPS),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Share only what the provider needs; the agreement must allow each group."),
    )
    note = forms.CharField(
        label=_("Reason for the referral"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Emergency override: why it cannot wait"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        help_text=_(
            "Only when the person is in danger and the consent or the agreement is missing. "
            "The override is recorded and shown on dashboards and in reports."
        ),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_date = forms.DateField(
        label=_("Date of the service"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class NotCompletedForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=NotCompletedReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
    parties: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Parties"), queryset=None
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=AgreementPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    field_groups = forms.MultipleChoiceField(
        label=_("Allowed field groups"),
        choices=FieldGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=AgreementStatus.choices)
    signed_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    signed_document = forms.FileField(label=_("Signed document (PDF)"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("parties") is not None and len(data["parties"]) < 2:
            self.add_error("parties", _("An agreement has at least two parties."))
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("The end comes before the start."))
        document = data.get("signed_document")
        if document is not None and not document.name.lower().endswith(".pdf"):
            self.add_error("signed_document", _("Upload the signed agreement as a PDF."))
        return data
