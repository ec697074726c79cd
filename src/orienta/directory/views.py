from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from orienta.accounts.access import capability_required, has_capability, scope_for
from orienta.directory import services
from orienta.directory.forms import OrganisationForm
from orienta.directory.models import Organisation


@capability_required("directory.view_organisations")
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every organisation in the mechanism (the directory is shared); member lists only open for
    the organisations the user may see the members of."""
    organisations = Organisation.objects.annotate(
        member_count=Count("memberships__user", distinct=True)
    )
    context = {
        "organisations": organisations,
        "members_scope": scope_for(request.user, "accounts.view_members"),
        "can_manage": has_capability(request.user, "directory.manage_organisations"),
    }
    return render(request, "directory/organisation_list.html", context)


@capability_required("directory.manage_organisations")
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Organisation “%(name)s” added.") % {"name": organisation})
        return redirect("directory:organisation_list")
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": None},
        status=400 if form.errors else 200,
    )


@capability_required("directory.manage_organisations")
def organisation_edit(request: HttpRequest, organisation_id: UUID) -> HttpResponse:
    # The directory is shared by the whole mechanism: whoever keeps it may edit any entry.
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.update_organisation(
            acting_user=request.user,
            organisation=Organisation.objects.get(pk=organisation.pk),
            **form.cleaned_data,
        )
        messages.success(request, _("Organisation “%(name)s” saved.") % {"name": organisation})
        return redirect("directory:organisation_list")
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )
