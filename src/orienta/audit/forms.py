from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import Organisation


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (e-mail)"), required=False, max_length=254)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=100,
        help_text=_("Beginning of the action code, e.g. accounts.membership"),
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, events: QuerySet[Any]) -> QuerySet[Any]:
        """Apply the valid filters to `events` (already scoped to what the user may see)."""
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor_label__iexact=data["actor"].strip())
        if data.get("organisation"):
            events = events.filter(organisation=data["organisation"])
        if data.get("action"):
            events = events.filter(action__startswith=data["action"].strip())
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"].strip().lower())
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"].strip())
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            events = events.filter(
                occurred_at__gte=datetime.combine(data["date_from"], time.min, zone)
            )
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, zone)
            events = events.filter(occurred_at__lt=end)
        if data.get("before"):
            events = events.filter(seq__lt=data["before"])
        return events
