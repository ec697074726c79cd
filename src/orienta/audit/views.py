from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from orienta.accounts.access import capability_required, scope_for
from orienta.audit.forms import AuditFilterForm
from orienta.audit.models import AuditEvent
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.models import Organisation

PAGE_SIZE = 50


@capability_required("audit.view_events")
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit trail, newest first, filtered; pages by event number, so that the millionth
    event is as quick to reach as the first."""
    scope = scope_for(request.user, "audit.view_events")
    form = AuditFilterForm(
        request.GET or None, organisations=scope.apply(Organisation.objects.all(), "pk")
    )
    events: QuerySet[AuditEvent] = AuditEvent.objects.visible_to(request.user).select_related(
        "organisation"
    )
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    page = list(events[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].seq if len(page) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "events": page[:PAGE_SIZE],
        "older": older,
        "query": query.urlencode(),
    }
    template = "audit/event_list.html#results" if request.htmx else "audit/event_list.html"
    return render(request, template, context, status=400 if form.errors else 200)
