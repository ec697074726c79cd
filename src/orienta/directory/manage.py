"""The coordinators' directory pages: search, create, edit, verify, change status; providers'
proposed changes and their validation; each service's change history."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import (
    capability_required,
    get_object_for_user,
    has_capability,
    scope_for,
)
from orienta.audit.models import AuditEvent
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory import services
from orienta.directory.analysis import at_risk
from orienta.directory.manage_forms import STATUSES, DecisionForm, ServiceForm
from orienta.directory.models import (
    Attribute,
    ChangeStatus,
    Organisation,
    Service,
    ServiceChange,
    TaxonomyTerm,
)


@capability_required("directory.manage_services", "directory.propose_service_changes")
def service_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows: QuerySet[Service] = Service.objects.visible_to(request.user).select_related(
        "organization"
    )
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(organization__name__icontains=q))
    if status := request.GET.get("status", ""):
        rows = rows.filter(status=status)
    if category := request.GET.get("category", ""):
        linked = Attribute.objects.filter(
            link_id=OuterRef("pk"), link_entity="service", taxonomy_term__code__startswith=category
        )
        rows = rows.filter(Exists(linked))
    if request.GET.get("risk"):
        rows = at_risk(rows)
    page = Paginator(rows.order_by("name"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "keeper": has_capability(request.user, "directory.manage_services"),
        "pending": ServiceChange.objects.filter(status=ChangeStatus.PENDING).count(),
        "statuses": STATUSES,
    }
    return render(request, "directory/manage/service_list.html", context)


def _organisations_for(request: AuthenticatedHttpRequest) -> QuerySet[Organisation]:
    if has_capability(request.user, "directory.manage_services"):
        return Organisation.objects.all()
    scope = scope_for(request.user, "directory.propose_service_changes")
    return scope.apply(Organisation.objects.all(), "pk")


def _save(
    request: AuthenticatedHttpRequest,
    form: ServiceForm,
    organisation: Organisation,
    service: Service | None,
) -> Service | None:
    """Coordinators' edits apply at once; providers' wait for validation."""
    values = form.values()
    try:
        if has_capability(request.user, "directory.manage_services"):
            if service is None:
                service = services.create_service(
                    acting_user=request.user, organisation=organisation, values=values
                )
            else:
                services.update_service(acting_user=request.user, service=service, values=values)
            messages.success(request, _("Service saved."))
            return service
        services.propose_change(
            acting_user=request.user, organisation=organisation, service=service, values=values
        )
        messages.success(request, _("Your change was sent to the coordinators for validation."))
        return service
    except (ServiceError, ValidationError) as error:
        form.add_error(None, getattr(error, "message", None) or "; ".join(error.messages))  # type: ignore[union-attr]
        return None


def _chosen(organisations: QuerySet[Organisation], raw: str) -> Organisation | None:
    try:
        return organisations.filter(pk=UUID(raw)).first()
    except ValueError:
        return None


@capability_required("directory.manage_services", "directory.propose_service_changes")
def service_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = _organisations_for(request)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = _chosen(organisations, request.POST.get("organisation", ""))
        if organisation is None:
            form.add_error(None, _("Choose the organisation that provides the service."))
        else:
            saved = _save(request, form, organisation, None)
            if not form.errors:
                if saved is None:  # a provider's proposal, waiting for validation
                    return redirect("directory:service_list")
                return redirect("directory:service_edit", service_id=saved.pk)
    context = {"form": form, "organisations": organisations, "service": None}
    return render(
        request, "directory/manage/service_form.html", context, status=400 if form.errors else 200
    )


@capability_required("directory.manage_services", "directory.propose_service_changes")
def service_edit(request: AuthenticatedHttpRequest, service_id: UUID) -> HttpResponse:
    service = get_object_for_user(
        Service.objects.select_related("organization"), request.user, pk=service_id
    )
    form = ServiceForm(request.POST or None, initial=services.service_state(service))
    if request.method == "POST" and form.is_valid():
        _save(request, form, service.organization, service)
        if not form.errors:
            return redirect("directory:service_edit", service_id=service.pk)
    history = AuditEvent.objects.filter(object_type="directory.service", object_id=str(service.pk))[
        :50
    ]
    context = {
        "form": form,
        "service": service,
        "history": history,
        "keeper": has_capability(request.user, "directory.manage_services"),
        "pending": service.changes.filter(status=ChangeStatus.PENDING),
    }
    return render(
        request, "directory/manage/service_form.html", context, status=400 if form.errors else 200
    )


@require_POST
@capability_required("directory.manage_services")
def service_verify(request: AuthenticatedHttpRequest, service_id: UUID) -> HttpResponse:
    service = get_object_for_user(Service, request.user, pk=service_id)
    services.mark_verified(acting_user=request.user, service=service)
    messages.success(request, _("Marked as verified today."))
    return redirect("directory:service_edit", service_id=service.pk)


@capability_required("directory.manage_services")
def change_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    changes = list(
        ServiceChange.objects.filter(status=ChangeStatus.PENDING).select_related(
            "organisation", "service", "submitted_by"
        )
    )
    for change in changes:
        current = services.service_state(change.service) if change.service else {}
        change.differences = [  # type: ignore[attr-defined]
            (field, current.get(field), value)
            for field, value in change.proposed.items()
            if current.get(field) != value
        ]
    return render(request, "directory/manage/change_list.html", {"changes": changes})


@require_POST
@capability_required("directory.manage_services")
def change_decide(request: AuthenticatedHttpRequest, change_id: UUID) -> HttpResponse:
    change = ServiceChange.objects.filter(pk=change_id).first()
    form = DecisionForm(request.POST)
    if change is None or not form.is_valid():
        messages.error(request, _("This change could not be found or the decision was unclear."))
        return redirect("directory:change_list")
    try:
        services.decide_change(
            acting_user=request.user,
            change=change,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except (ServiceError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))  # type: ignore[union-attr]
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("directory:change_list")


@capability_required("directory.manage_services")
def taxonomy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The service categories, whose labels coordinators may correct (codes never change)."""
    if request.method == "POST":
        term = TaxonomyTerm.objects.filter(code=request.POST.get("code", "")).first()
        if term is None:
            messages.error(request, _("This category does not exist."))
        else:
            try:
                services.relabel_term(
                    acting_user=request.user,
                    term=term,
                    name=request.POST.get("name", ""),
                    name_en=request.POST.get("name_en", ""),
                )
            except ServiceError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Category saved."))
        return redirect("directory:taxonomy")
    terms = TaxonomyTerm.objects.exclude(code="").select_related("parent").order_by("code")
    return render(request, "directory/manage/taxonomy.html", {"terms": terms})
