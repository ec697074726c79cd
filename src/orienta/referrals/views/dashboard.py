"""The referral dashboard page: aggregates only, never a person (see referrals/dashboard.py)."""

from __future__ import annotations

import uuid

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import capability_required
from orienta.core.http import AuthenticatedHttpRequest
from orienta.referrals.dashboard import MECHANISM_STATISTICS, OWN_STATISTICS, compute


class DashboardFilters(forms.Form):
    since = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Sent until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The choices are the receiving organisations the user may see, which the dashboard itself
    # finds; one it may not see is ignored there, so parsing is enough here.
    organisation = forms.UUIDField(label=_("Receiving organisation"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must not be before the start date."))
        return data


@capability_required(OWN_STATISTICS, MECHANISM_STATISTICS)
def referral_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DashboardFilters(request.GET or None)
    filters: dict = {}
    if form.is_bound:
        # A filter that does not parse is left out (and its error shown); the others apply.
        form.is_valid()
        filters = form.cleaned_data
    organisation: uuid.UUID | None = filters.get("organisation")
    dashboard = compute(
        request.user,
        since=filters.get("since"),
        until=filters.get("until"),
        organisation_id=organisation,
    )
    group_tables = [
        (_("By receiving organisation"), _("Receiving organisation"), dashboard.by_organisation),
        (_("By category of need"), _("Category"), dashboard.by_category),
    ]
    context = {"dashboard": dashboard, "form": form, "group_tables": group_tables}
    return render(request, "referrals/dashboard.html", context)
