"""The roadmap: priorities and actions, with the progress timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, get_object_for_user
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, posted_version, show_on_form
from orienta.governance import progress, services
from orienta.governance.forms import RoadmapActionForm
from orienta.governance.models import RoadmapAction
from orienta.governance.views.common import MANAGE, READ, can_manage, committee_for, form_page


@capability_required(*READ)
def roadmap(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee = committee_for(request, pk)
    rows = progress.roadmap(committee)
    return render(
        request,
        "governance/roadmap.html",
        {
            "committee": committee,
            "rows": rows,
            "overall": progress.overall(rows),
            "timeline": progress.svg(rows),
            "can_manage": can_manage(request),
        },
    )


@require_POST
@capability_required(MANAGE)
def priority_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee = committee_for(request, pk)
    try:
        order = int(request.POST.get("order") or committee.priorities.count() + 1)
        services.save_priority(
            acting_user=request.user,
            committee=committee,
            values={"title": request.POST.get("title", "").strip(), "order": order},
        )
    except ValueError:
        messages.error(request, _("The order is a whole number."))
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Priority added."))
    return redirect("governance:roadmap", pk=committee.pk)


@capability_required(MANAGE)
def action_edit(
    request: AuthenticatedHttpRequest, pk: Any = None, action_pk: Any = None
) -> HttpResponse:
    action = (
        get_object_for_user(
            RoadmapAction.objects.select_related("priority__committee"), request.user, pk=action_pk
        )
        if action_pk is not None
        else None
    )
    committee = action.priority.committee if action else committee_for(request, pk)
    if not committee.priorities.exists():
        messages.info(request, _("Add a priority first."))
        return redirect("governance:roadmap", pk=committee.pk)
    fields = [*services.ROADMAP_FIELDS, "depends_on"]
    form = RoadmapActionForm(
        request.POST or None,
        initial=model_to_dict(action, fields=fields) if action else {},
        committee=committee,
        editing=action,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "depends_on"}
        try:
            services.save_roadmap_action(
                acting_user=request.user,
                values=values,
                depends_on=list(form.cleaned_data["depends_on"]),
                action=action,
                expected_version=posted_version(request) if action else None,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Action saved."))
            return redirect("governance:roadmap", pk=committee.pk)
    return form_page(
        request,
        form,
        title=action.title if action else _("New action"),
        back=reverse("governance:roadmap", args=[committee.pk]),
        back_label=_("Roadmap"),
        version=action.version if action else None,
    )


urlpatterns: list[URLPattern] = [
    path("governance/committees/<uuid:pk>/roadmap/", roadmap, name="roadmap"),
    path("governance/committees/<uuid:pk>/priorities/", priority_new, name="priority_new"),
    path("governance/committees/<uuid:pk>/roadmap/new/", action_edit, name="roadmap_action_new"),
    path("governance/roadmap/<uuid:action_pk>/", action_edit, name="roadmap_action_edit"),
]
