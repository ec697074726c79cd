"""The provider's inbox, with the capacity of the organisation's services beside it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, scope_for
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.models import Service
from orienta.directory.services import set_capacity
from orienta.referrals.inbox import TABS, capacity_services, inbox_for

TAB_LABELS = {
    "new": gettext_lazy("New"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "in_service": gettext_lazy("In service"),
}


def _services(user: Any) -> Any:
    # The inbox lists the organisation's own services, even for one who keeps the directory.
    scope = scope_for(user, "referrals.receive")
    return (
        scope.apply(Service.objects.all(), "organization")
        .filter(accepts_referrals=True)
        .prefetch_related("capacities")
        .order_by("name")[:100]
    )


@capability_required("referrals.receive")
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    box = inbox_for(request.user, request.GET.get("tab", "new"))
    services = list(_services(request.user))
    for service in services:
        service.capacity = max(service.capacities.all(), key=lambda c: c.updated, default=None)
    return render(
        request,
        "referrals/inbox.html",
        {
            "box": box,
            "tabs": [(name, str(TAB_LABELS[name]), box.counts.get(name, 0)) for name in TABS],
            "services": services,
        },
    )


@require_POST
@capability_required("referrals.receive")
def capacity(request: AuthenticatedHttpRequest, service_id: Any) -> HttpResponse:
    service = get_object_or_404(capacity_services(request.user), pk=service_id)
    try:
        available = float(request.POST.get("available", ""))
        maximum = float(request.POST["maximum"]) if request.POST.get("maximum") else None
        set_capacity(
            acting_user=request.user, service=service, available=available, maximum=maximum
        )
        messages.success(request, _("Capacity updated: matching sees it now."))
    except ValueError:
        messages.error(request, _("Give the number of places available."))
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    return redirect("referrals:inbox")
