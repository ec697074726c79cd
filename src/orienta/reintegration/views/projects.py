"""The shared list of community projects that plans link to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from orienta.accounts.access import capability_required
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, show_on_form
from orienta.reintegration import services
from orienta.reintegration.access import CONFIGURE, WORK
from orienta.reintegration.forms import CommunityProjectForm
from orienta.reintegration.models import CommunityProject


@capability_required(WORK, CONFIGURE)
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    projects = CommunityProject.objects.select_related("organisation").order_by("name")
    return render(request, "reintegration/project_list.html", {"projects": projects})


@capability_required(WORK, CONFIGURE)
def project(request: AuthenticatedHttpRequest, pk: Any = None) -> HttpResponse:
    existing = get_object_or_404(CommunityProject, pk=pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {name: getattr(existing, name) for name in services.PROJECT_FIELDS}
        initial["version"] = existing.version
    form = CommunityProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_project(
                acting_user=request.user,
                project=existing,
                expected_version=form.cleaned_data.get("version"),
                values=form.cleaned_data,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Community project saved."))
            return redirect("reintegration:projects")
    title = _("Change the community project") if existing else _("New community project")
    return render(request, "reintegration/project_form.html", {"form": form, "title": title})
