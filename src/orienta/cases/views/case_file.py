"""The case list and the case file, with the actions taken from it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, has_capability
from orienta.audit.services import record_view
from orienta.cases import services
from orienta.cases.access import get_case_for_user
from orienta.cases.caselist import CaseFilters, case_page
from orienta.cases.models import Case, Consent, Need, Task
from orienta.cases.models.choices import (
    CaseKind,
    CaseStatus,
    ClosureReason,
    Confidentiality,
    NeedStatus,
    NoteTopic,
    Priority,
    Urgency,
)
from orienta.cases.timeline import timeline, visible_notes
from orienta.cases.vulnerability import rule
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, pdf_response, posted_version
from orienta.directory.search import category_choices


@capability_required("cases.work_cases", "cases.view_caseload")
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    supervisor = has_capability(request.user, "cases.view_caseload")
    filters = CaseFilters(
        mine=not (supervisor and request.GET.get("scope") == "organisation"),
        status=request.GET.get("status", "")
        if request.GET.get("status") in CaseStatus.values
        else "",
        priority=request.GET.get("priority", "")
        if request.GET.get("priority") in Priority.values
        else "",
        kind=request.GET.get("kind", "") if request.GET.get("kind") in CaseKind.values else "",
        q=request.GET.get("q", "").strip()[:100],
    )
    page = case_page(request.user, filters, request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": page.cases,
            "next_cursor": page.next_cursor,
            "truncated": page.truncated,
            "query": query.urlencode(),
            "filters": filters,
            "supervisor": supervisor,
            "statuses": CaseStatus.choices,
            "priorities": Priority.choices,
            "kinds": CaseKind.choices,
            "can_register": has_capability(request.user, "cases.register"),
        },
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), choices=NoteTopic.choices)
    confidentiality = forms.ChoiceField(
        label=gettext_lazy("Who may read it"), choices=Confidentiality.choices
    )


class NeedForm(forms.Form):
    term = forms.ChoiceField(label=gettext_lazy("Need"))
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [c for c in category_choices() if c[0]]  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    due_on = forms.DateField(
        label=gettext_lazy("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _file_context(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    notes = visible_notes(case, request.user)
    fired = [r for r in (rule(code) for code in case.profile) if r is not None]
    return {
        "case": case,
        "person": case.person,
        "documents": list(case.person.documents.all()),
        "links": list(case.person.family_links.select_related("relative")),
        "needs": list(case.needs.select_related("term")),
        "consents": list(case.consents.select_related("recipient_organisation")),
        "screening": case.screenings.prefetch_related("answers__item").first(),
        "tasks": list(case.tasks.select_related("assigned_to")),
        "timeline": timeline(case, request.user, notes),
        "fired": fired,
        # The case's referrals, read here (upstream of nothing: the case page only lists them).
        "referrals": list(
            case.referrals.select_related("recipient_organisation", "service").order_by(
                "-created_at"
            )[:50]
        ),
        "can_refer": has_capability(request.user, "referrals.send", case.organisation_id),
        "other_cases": Case.objects.visible_to(request.user)
        .filter(person=case.person)
        .exclude(pk=case.pk)
        .order_by("-created_at"),
        "note_form": NoteForm(),
        "need_form": NeedForm(),
        "task_form": TaskForm(),
        "need_statuses": NeedStatus.choices,
        "closure_reasons": ClosureReason.choices,
        "supervisor": has_capability(request.user, "cases.view_caseload", case.organisation_id),
        "assignable": services.assignable_users(case),
        "age": case.person.age_on(case.opened_on),
    }


# A provider's focal point follows links to the case it received a referral for: it gets the
# same 404 as for a case that does not exist (the scoped getter), not a 403 that confirms one.
@capability_required("cases.work_cases", "cases.view_caseload", "referrals.receive")
def case_file(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    case = get_case_for_user(request.user, pk, request=request)
    return render(request, "cases/case_file.html", _file_context(request, case))


def _act(request: AuthenticatedHttpRequest, pk: Any, action: Any) -> HttpResponse:
    """Run one action from the case file; a refusal comes back as a message."""
    case = get_case_for_user(request.user, pk)
    try:
        done = action(case)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        if done:
            messages.success(request, done)
    return redirect("cases:case", case.pk)


@require_POST
@capability_required("cases.work_cases")
def add_note(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    form = NoteForm(request.POST)

    def action(case: Case) -> str:
        if not form.is_valid():
            raise ServiceError(_("The note is empty."), code="invalid")
        services.add_note(acting_user=request.user, case=case, **form.cleaned_data)
        return _("Note added.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.work_cases")
def add_need(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    form = NeedForm(request.POST)

    def action(case: Case) -> str:
        if not form.is_valid():
            raise ServiceError(_("Choose a need from the list."), code="invalid")
        services.add_need(acting_user=request.user, case=case, **form.cleaned_data)
        return _("Need recorded.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.work_cases")
def need_status(request: AuthenticatedHttpRequest, pk: Any, need_id: int) -> HttpResponse:
    def action(case: Case) -> str:
        need = get_object_or_404(Need, pk=need_id, case=case)
        services.set_need_status(
            acting_user=request.user, need=need, status=request.POST.get("status", "")
        )
        return _("Need updated.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.work_cases")
def add_task(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    form = TaskForm(request.POST)

    def action(case: Case) -> str:
        if not form.is_valid():
            raise ServiceError(_("Say what is to be done."), code="invalid")
        services.add_task(acting_user=request.user, case=case, **form.cleaned_data)
        return _("Task added.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.work_cases")
def task_done(request: AuthenticatedHttpRequest, pk: Any, task_id: int) -> HttpResponse:
    def action(case: Case) -> str:
        task = get_object_or_404(Task, pk=task_id, case=case)
        services.complete_task(acting_user=request.user, task=task)
        return _("Task done.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.work_cases")
def withdraw_consent(request: AuthenticatedHttpRequest, pk: Any, consent_id: int) -> HttpResponse:
    def action(case: Case) -> str:
        consent = get_object_or_404(Consent, pk=consent_id, case=case)
        services.withdraw_consent(
            acting_user=request.user, consent=consent, note=request.POST.get("note", "")[:500]
        )
        return _("Consent withdrawn. It no longer allows anything, from now on.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.work_cases")
def change_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    def action(case: Case) -> str:
        services.change_status(
            acting_user=request.user,
            case=case,
            status=request.POST.get("status", ""),
            closure_reason=request.POST.get("closure_reason", ""),
            expected_version=posted_version(request),
        )
        return _("Status changed.")

    return _act(request, pk, action)


@require_POST
@capability_required("cases.view_caseload")
def assign(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    def action(case: Case) -> str:
        assignee = next(
            (
                u
                for u in services.assignable_users(case)
                if str(u.pk) == request.POST.get("assigned_to")
            ),
            None,
        )
        if assignee is None:
            raise ServiceError(_("Choose a caseworker from the list."), code="invalid")
        services.assign(
            acting_user=request.user,
            case=case,
            assignee=assignee,
            expected_version=posted_version(request),
        )
        return _("Case assigned.")

    return _act(request, pk, action)


@capability_required("cases.break_glass")
def break_glass(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Emergency access by case reference: for a case of one's organisation one is not
    assigned to. Asked for with a reason; granted for a few hours; supervisors are told."""
    error = ""
    if request.method == "POST":
        reference = request.POST.get("reference", "").strip().upper()
        reason = request.POST.get("reason", "")
        case = Case.objects.filter(reference=reference).select_related("organisation").first()
        if case is None or not has_capability(
            request.user, "cases.break_glass", case.organisation_id
        ):
            error = _("No case with this reference in your organisation.")
        else:
            try:
                services.break_glass(acting_user=request.user, case=case, reason=reason)
            except ServiceError as refused:
                error = str(refused.message)
            else:
                messages.warning(
                    request,
                    _("Emergency access granted. Your supervisors have been told."),
                )
                return redirect("cases:case", case.pk)
    return render(request, "cases/break_glass.html", {"error": error, "post": request.POST})


@capability_required("cases.work_cases", "cases.view_caseload")
def identification_pdf(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The identification form as PDF, in French or English, for the paper file."""
    from weasyprint import HTML

    case = get_case_for_user(request.user, pk)
    language = request.GET.get("lang", "fr")
    if language not in ("fr", "en"):
        raise Http404("Unknown language.")
    record_view(
        request,
        case,
        organisation=case.organisation,
        action="cases.case.printed",
        details={"language": language},
    )
    with translation.override(language):
        context = _file_context(request, case)
        html = render(request, "cases/identification_print.html", context).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return pdf_response(pdf, f"identification-{case.reference}.pdf")
