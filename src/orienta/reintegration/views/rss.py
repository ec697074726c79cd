"""The survey's configuration pages: the versions, one version's questions and weights (with
the sums per dimension), putting a draft in force, making a new version, scoring the rounds
that wait for a weight set."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, show_on_form
from orienta.reintegration import configuration as config
from orienta.reintegration import surveys
from orienta.reintegration.access import CONFIGURE
from orienta.reintegration.choices import Dimension
from orienta.reintegration.forms import DraftForm
from orienta.reintegration.models import RssConfiguration, SurveyRound
from orienta.reintegration.scoring import sums_to_one, weight_sums


def _configuration(number: int) -> RssConfiguration:
    configuration = (
        RssConfiguration.objects.select_related("weights_entered_by").filter(number=number).first()
    )
    if configuration is None:
        raise Http404("No such configuration.")
    return configuration


@capability_required(CONFIGURE)
def configuration_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    versions = RssConfiguration.objects.select_related("weights_entered_by").annotate(
        scored=Count("scored_rounds")
    )
    return render(
        request,
        "reintegration/rss_list.html",
        {
            "versions": versions,
            "unscored": SurveyRound.objects.filter(scored_with__isnull=True).count(),
            "in_force": config.in_force(),
        },
    )


@capability_required(CONFIGURE)
def configuration_page(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    configuration = _configuration(number)
    form = DraftForm(
        request.POST or None,
        configuration=configuration,
        initial={
            "revision": configuration.revision,
            "weights_source": configuration.weights_source,
            "rounds": ", ".join(str(m) for m in configuration.rounds),
        },
    )
    # A frozen version is posted to from a page opened while it was a draft: the service
    # refuses it, and the page says so (the typed weights are not silently dropped).
    if request.method == "POST" and form.is_valid():
        try:
            config.save_draft(
                acting_user=request.user,
                configuration=configuration,
                expected_revision=form.cleaned_data["revision"],
                weights_source=form.cleaned_data["weights_source"],
                rounds=config.parse_rounds(form.cleaned_data["rounds"]),
                weights=form.weights(),
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Configuration saved."))
            return redirect("reintegration:rss_version", configuration.number)
    _questions, indicator_specs = config.specs(configuration)
    sums = weight_sums(indicator_specs)
    indicators = list(configuration.indicators.prefetch_related("questions"))
    dimensions = [
        {
            "label": dimension.label,
            "sum": sums[dimension],
            "ok": sums_to_one(sums[dimension]),
            "rows": [
                {
                    "indicator": indicator,
                    "dim": form[f"dim_{indicator.code}"],
                    "comp": form[f"comp_{indicator.code}"],
                }
                for indicator in indicators
                if indicator.dimension == dimension
            ],
        }
        for dimension in Dimension
    ]
    return render(
        request,
        "reintegration/rss_detail.html",
        {
            "configuration": configuration,
            "form": form,
            "dimensions": dimensions,
            "composite_sum": sums["composite"],
            "composite_ok": sums_to_one(sums["composite"]),
            "problems": config.problems(configuration) if configuration.is_draft else [],
        },
    )


def _act(request: AuthenticatedHttpRequest, action: Any, to: str, *args: Any) -> HttpResponse:
    try:
        done = action()
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, done)
    return redirect(to, *args)


def _revision(request: AuthenticatedHttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        raise ServiceError(_("Reload the page and try again."), code="invalid") from None


@require_POST
@capability_required(CONFIGURE)
def put_in_force(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    configuration = _configuration(number)

    def action() -> str:
        config.put_in_force(
            acting_user=request.user,
            configuration=configuration,
            expected_revision=_revision(request),
        )
        return _("Version %(number)s is in force.") % {"number": configuration.number}

    return _act(request, action, "reintegration:rss_version", configuration.number)


@require_POST
@capability_required(CONFIGURE)
def new_version(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    source = _configuration(number)
    copy = config.new_version(acting_user=request.user, source=source)
    messages.success(
        request,
        _("Version %(number)s is a new draft, copied from this one.") % {"number": copy.number},
    )
    return redirect("reintegration:rss_version", copy.number)


@require_POST
@capability_required(CONFIGURE)
def rescore(request: AuthenticatedHttpRequest) -> HttpResponse:
    def action() -> str:
        count = surveys.rescore(acting_user=request.user)
        return _("%(count)s survey rounds scored.") % {"count": count}

    return _act(request, action, "reintegration:rss")
