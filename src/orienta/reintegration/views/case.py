"""The reintegration page of a case — plan, assistance, community projects, survey rounds and
the person's trend — and the forms that change them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required
from orienta.cases.access import get_case_for_user
from orienta.cases.models import Case
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, posted_version, show_on_form
from orienta.reintegration import configuration as config
from orienta.reintegration import services, surveys
from orienta.reintegration.access import WORK, can_work_plan, require_plan_work
from orienta.reintegration.forms import (
    AssistanceItemForm,
    ComponentsForm,
    ProjectLinkForm,
    RoundForm,
    round_label,
)
from orienta.reintegration.models import (
    AssistanceItem,
    CommunityProject,
    ReintegrationPlan,
    SurveyRound,
)
from orienta.reintegration.trends import explain, months_after, score_labels, sparklines

# Reading follows the case file: whoever may open the case (404 for the others).
READ = ("cases.work_cases", "cases.view_caseload")


def _plan_of(case: Case) -> ReintegrationPlan | None:
    return ReintegrationPlan.objects.filter(case=case).first()


@capability_required(*READ)
def case_page(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    case = get_case_for_user(request.user, pk, request=request)
    plan = _plan_of(case)
    rounds = explain(
        SurveyRound.objects.filter(case=case)
        .select_related("scored_with", "asked_with")
        .order_by("months")
    )
    arrival = case.episodes.order_by("arrived_on").values_list("arrived_on", flat=True).first()
    asked = config.questionnaire()
    due = [
        {"label": round_label(m), "on": months_after(arrival, m)}
        for m in (asked.rounds if asked else [])
        if arrival is not None and m not in {r.survey.months for r in rounds}
    ]
    return render(
        request,
        "reintegration/case.html",
        {
            "case": case,
            "plan": plan,
            "items": list(plan.items.select_related("provider", "referral")) if plan else [],
            "projects": list(plan.community_projects.all()) if plan else [],
            "link_form": ProjectLinkForm(initial={"version": plan.version}) if plan else None,
            "rounds": rounds,
            "lines": sparklines(rounds) if len(rounds) > 1 else [],
            "labels": score_labels(),
            "in_force": config.in_force(),
            "questionnaire": asked,
            "due": due,
            "can_work": can_work_plan(request.user, case),
        },
    )


def _act(request: AuthenticatedHttpRequest, pk: Any, action: Callable[[Case], str]) -> HttpResponse:
    """Run one posted action; a refusal (conflict included) comes back as a message."""
    case = get_case_for_user(request.user, pk)
    try:
        done = action(case)
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, done)
    return redirect("reintegration:case", case.pk)


@require_POST
@capability_required(WORK)
def start_plan(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    def action(case: Case) -> str:
        services.start_plan(acting_user=request.user, case=case)
        return _("Reintegration plan started.")

    return _act(request, pk, action)


@require_POST
@capability_required(WORK)
def link_project(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    linked = request.POST.get("action", "link") != "unlink"

    def action(case: Case) -> str:
        plan = _plan_of(case)
        if plan is None:
            raise ServiceError(_("Start the plan first."), code="invalid")
        try:
            project = CommunityProject.objects.get(pk=request.POST.get("project", ""))
        except (CommunityProject.DoesNotExist, ValidationError, ValueError):
            raise ServiceError(_("Choose a project from the list."), code="invalid") from None
        services.link_project(
            acting_user=request.user,
            plan=plan,
            project=project,
            expected_version=posted_version(request),
            linked=linked,
        )
        return _("Project linked.") if linked else _("Link removed.")

    return _act(request, pk, action)


@capability_required(WORK)
def components(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    require_plan_work(request.user, case)
    plan = get_object_or_404(ReintegrationPlan, case=case)
    initial = {name: getattr(plan, name) for name in services.COMPONENT_FIELDS}
    form = ComponentsForm(request.POST or None, initial={**initial, "version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_components(
                acting_user=request.user,
                plan=plan,
                expected_version=form.cleaned_data["version"],
                values=form.cleaned_data,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("reintegration:case", case.pk)
    return _form_page(request, case, form, _("Components of the plan"))


@capability_required(WORK)
def item(request: AuthenticatedHttpRequest, pk: Any, item_id: int | None = None) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    require_plan_work(request.user, case)
    plan = get_object_or_404(ReintegrationPlan, case=case)
    existing = get_object_or_404(AssistanceItem, pk=item_id, plan=plan) if item_id else None
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {name: getattr(existing, name) for name in services.ITEM_FIELDS}
        initial["version"] = existing.version
    form = AssistanceItemForm(request.POST or None, initial=initial, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(
                acting_user=request.user,
                plan=plan,
                item=existing,
                expected_version=form.cleaned_data.get("version"),
                values=form.cleaned_data,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Assistance saved."))
            return redirect("reintegration:case", case.pk)
    title = _("Change the assistance") if existing else _("Add assistance")
    return _form_page(request, case, form, title)


def _form_page(
    request: AuthenticatedHttpRequest, case: Case, form: Any, title: str
) -> HttpResponse:
    return render(request, "reintegration/form.html", {"case": case, "form": form, "title": title})


@capability_required(WORK)
def new_round(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    require_plan_work(request.user, case)
    asked = config.questionnaire()
    if asked is None:
        messages.error(
            request, _("No sustainability survey is configured yet. Ask a coordinator to load it.")
        )
        return redirect("reintegration:case", case.pk)
    form = RoundForm(
        request.POST or None,
        configuration=asked,
        initial={"interviewer": request.user.full_name or request.user.email},
    )
    if request.method == "POST" and form.is_valid():
        data = surveys.RoundData(
            months=form.cleaned_data["months"],
            interviewed_on=form.cleaned_data["interviewed_on"],
            interviewer=form.cleaned_data["interviewer"],
            answers=form.answers(),
        )
        try:
            surveys.record_round(acting_user=request.user, case=case, data=data)
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Survey round recorded."))
            return redirect("reintegration:case", case.pk)
    return render(
        request,
        "reintegration/round_form.html",
        {"case": case, "form": form, "configuration": asked, "in_force": config.in_force()},
    )
