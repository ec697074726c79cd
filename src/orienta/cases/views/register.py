"""Registration at the desk, with the candidates found as the names are typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orienta.accounts.access import capability_required, scope_for
from orienta.cases import intake as intake_service
from orienta.cases.access import get_case_for_user
from orienta.cases.forms import RegistrationForm
from orienta.cases.scripts import consent_scripts
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.models import Organisation
from orienta.identity.candidates import CandidateQuery, find_candidates


def registering_organisation(request: AuthenticatedHttpRequest) -> Organisation:
    """The organisation the person is registered for: the one chosen, among those where the
    user registers, or the first of them."""
    scope = scope_for(request.user, "cases.register")
    organisations = Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name")
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    if chosen:
        found = organisations.filter(pk=chosen).first() if _is_uuid(chosen) else None
        if found is not None:
            return found
    # The capability check guarantees one; get() says so loudly if that ever changes.
    return organisations[:1].get()


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@capability_required("cases.register")
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = registering_organisation(request)
    form = RegistrationForm(request.POST or None, user=request.user, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            case = intake_service.register(
                acting_user=request.user, organisation=organisation, intake=form.intake()
            )
        except ServiceError as error:
            field = error.details.get("field", "")
            field = field if field in form.fields else None
            form.add_error(field, str(error.message))
        else:
            messages.success(
                request,
                _("%(name)s is registered: case %(reference)s, priority %(priority)s.")
                % {
                    "name": case.person.full_name,
                    "reference": case.reference,
                    "priority": case.get_priority_display(),
                },
            )
            try:
                get_case_for_user(request.user, case.pk)
            except Http404:  # handed over: the registering officer may not see a child's file
                return redirect("cases:register")
            return redirect("cases:case", case.pk)
    organisations = Organisation.objects.filter(
        pk__in=scope_for(request.user, "cases.register").organisation_ids
    )
    context = {
        "form": form,
        "organisation": organisation,
        "organisations": organisations,
        "scripts": consent_scripts(str(organisation)),
    }
    if request.method == "POST":
        # Shown again with the form, with the caseworker's choice kept.
        context.update(_candidates_context(request, request.POST))
    return render(request, "cases/register.html", context)


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _candidates_context(request: AuthenticatedHttpRequest, values: Any) -> dict[str, Any]:
    given = values.get("given_name", "").strip()[:150]
    family = values.get("family_name", "").strip()[:150]
    found: list[Any] = []
    if given and family:
        found = find_candidates(
            CandidateQuery(
                given_name=given,
                family_name=family,
                birth_date=_parse_date(values.get("birth_date", "")),
                sex=values.get("sex", ""),
                origin=values.get("origin_admin1_name", "").strip()[:120],
                document_numbers=[values.get("doc1_number", ""), values.get("doc2_number", "")],
            ),
            user=request.user,
        )
    return {
        "candidates": found,
        "asked": bool(given and family),
        "chosen": values.get("existing_person", ""),
    }


@capability_required("cases.register")
def candidates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The htmx panel under the names: who in the registry may be this person."""
    return render(request, "cases/candidates.html", _candidates_context(request, request.GET))
