from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import ReferralChannel, TargetGroup
from orienta.directory.search import category_choices

STATUSES = [
    ("active", _("Active")),
    ("inactive", _("Inactive")),
    ("temporarily closed", _("Temporarily closed")),
    ("defunct", _("Defunct")),
]
COSTS = [("free", _("Free")), ("shared_cost", _("Shared cost")), ("paid", _("Paid"))]


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=500)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, initial="active")
    categories = forms.MultipleChoiceField(
        label=_("Categories"), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    cost = forms.ChoiceField(label=_("Cost"), choices=COSTS, initial="free")
    amount = forms.FloatField(label=_("Amount"), required=False, min_value=0)
    fees_description = forms.CharField(label=_("About the cost"), required=False)
    target_groups = forms.MultipleChoiceField(
        label=_("For"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minimum_age = forms.FloatField(
        label=_("Minimum age"), required=False, min_value=0, max_value=130
    )
    maximum_age = forms.FloatField(
        label=_("Maximum age"), required=False, min_value=0, max_value=130
    )
    eligibility_description = forms.CharField(label=_("Who can use it"), required=False)
    application_process = forms.CharField(
        label=_("How to access it"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    accepts_referrals = forms.BooleanField(label=_("Accepts referrals"), required=False)
    referral_channel = forms.ChoiceField(
        label=_("Referral channel"),
        choices=[("", "—"), *ReferralChannel.choices],
        required=False,
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    url = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            choice for choice in category_choices() if choice[0]
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age is below the minimum age."))
        if data.get("cost") in ("shared_cost", "paid") and data.get("amount") is None:
            self.add_error("amount", _("Give the amount the person pays."))
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for text in ("description", "fees_description", "eligibility_description"):
            data[text] = data.get(text) or ""
        data["application_process"] = data.get("application_process") or ""
        data["email"] = data.get("email") or ""
        data["url"] = data.get("url") or ""
        data["referral_channel"] = data.get("referral_channel") or ""
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(label=_("Note to the provider"), required=False, max_length=1000)
