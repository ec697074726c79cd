"""The supervisors' review queue: possible duplicates, merge or keep apart, undo a merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, get_object_for_user
from orienta.audit.services import record_view
from orienta.cases.models import Case
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.identity import services
from orienta.identity.compare import describe
from orienta.identity.models import DuplicatePair, PersonMerge

PAGE = 50


@capability_required("cases.resolve_duplicates")
def duplicate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pairs to decide, most likely first; "after" is the last pair seen (keyset)."""
    pairs = services.pending_pairs(request.user)
    after = request.GET.get("after", "")
    if after.isdecimal():
        last = pairs.filter(pk=int(after)).values_list("probability", flat=True).first()
        if last is not None:
            pairs = pairs.filter(probability__lte=last).exclude(
                probability=last, pk__lte=int(after)
            )
    page = list(pairs[: PAGE + 1])
    rows = [(pair, describe(pair.explanation)) for pair in page[:PAGE]]
    return render(
        request,
        "identity/duplicate_list.html",
        {"rows": rows, "next_after": page[PAGE - 1].pk if len(page) > PAGE else ""},
    )


def _pair(request: AuthenticatedHttpRequest, pk: Any) -> DuplicatePair:
    return get_object_for_user(
        DuplicatePair.objects.select_related("person_a", "person_b", "organisation"),
        request.user,
        pk=pk,
    )


@capability_required("cases.resolve_duplicates")
def duplicate_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The two persons side by side, with their cases and the explanation of the score."""
    pair = _pair(request, pk)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "merge":
                services.merge_pair(acting_user=request.user, pair=pair)
                messages.success(request, _("The two records are now one person."))
            elif request.POST.get("decision") == "reject":
                services.reject_pair(acting_user=request.user, pair=pair)
                messages.success(request, _("The two records stay two persons."))
            else:
                messages.error(request, _("Choose whether they are the same person."))
                return redirect("identity:duplicate", pair.pk)
        except ServiceError as refused:
            messages.error(request, str(refused.message))
            return redirect("identity:duplicate", pair.pk)
        return redirect("identity:duplicates")
    for person in (pair.person_a, pair.person_b):
        record_view(request, person, organisation=pair.organisation, action="cases.person.viewed")
    cases = {
        person.pk: list(Case.objects.filter(person=person).order_by("opened_on"))
        for person in (pair.person_a, pair.person_b)
    }
    return render(
        request,
        "identity/duplicate_detail.html",
        {
            "pair": pair,
            "reasons": describe(pair.explanation),
            "persons": [(p, cases[p.pk]) for p in (pair.person_a, pair.person_b)],
        },
    )


@capability_required("cases.resolve_duplicates")
def merge_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    merges = (
        PersonMerge.objects.visible_to(request.user)
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .order_by("-merged_at", "-pk")[:PAGE]
    )
    return render(request, "identity/merge_list.html", {"merges": merges})


@require_POST
@capability_required("cases.resolve_duplicates")
def undo_merge(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    merge = get_object_for_user(PersonMerge, request.user, pk=pk)
    try:
        services.undo_merge(acting_user=request.user, merge=merge)
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("The merge is undone: the two persons are apart again."))
    return redirect("identity:merges")
