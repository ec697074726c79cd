from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts import services
from orienta.accounts.access import capability_required, get_object_for_user, has_capability
from orienta.accounts.forms import (
    InvitationAwarePasswordResetForm,
    LoginForm,
    MemberForm,
    RoleForm,
    TokenForm,
)
from orienta.accounts.models import ApiToken, Membership
from orienta.accounts.roles import assignable_roles
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.core.i18n import remember_language
from orienta.directory.models import Organisation


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        # The saved preference follows the person from tablet to tablet; a first choice made on
        # the login page becomes the preference.
        if user.language:
            remember_language(response, user.language)
        else:
            services.set_preferred_language(user=user, language=self.request.LANGUAGE_CODE)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = InvitationAwarePasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's memberships and API tokens."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(
                acting_user=request.user, name=form.cleaned_data["name"]
            )
        except ServiceError as error:
            form.add_error("name", str(error.message))
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user),
        "memberships": Membership.objects.filter(user=request.user).select_related("organisation"),
    }
    template = "accounts/account.html#tokens" if request.htmx else "accounts/account.html"
    return render(request, template, context, status=400 if form.errors else 200)


@require_POST
@login_required
def revoke_token(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    # Only one's own tokens exist for a person: anyone else's is a 404.
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    services.revoke_api_token(acting_user=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:account")


@capability_required("accounts.view_members")
def members(request: AuthenticatedHttpRequest, organisation_id: UUID) -> HttpResponse:
    organisation = get_object_for_user(Organisation, request.user, pk=organisation_id)
    can_manage = has_capability(request.user, "accounts.manage_members", organisation.pk)
    allow_admin = has_capability(request.user, "accounts.administer_platform")
    form = MemberForm(request.POST or None, allow_administrator=allow_admin)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("accounts.manage_members")
        if form.is_valid():
            try:
                services.add_member(
                    acting_user=request.user, organisation=organisation, **form.cleaned_data
                )
            except ServiceError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("%(email)s now holds that role.") % form.cleaned_data)
                return redirect("accounts:members", organisation_id=organisation.pk)
        status = 400
    else:
        record_view(
            request,
            organisation,
            organisation=organisation,
            action="directory.organisation.members_viewed",
        )
    context = {
        "organisation": organisation,
        "memberships": Membership.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("user"),
        "can_manage": can_manage,
        "form": form,
        "roles": assignable_roles(allow_admin),
    }
    return render(request, "accounts/members.html", context, status=status)


@require_POST
@capability_required("accounts.manage_members")
def membership_role(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_for_user(
        Membership, request.user, capability="accounts.manage_members", pk=membership_id
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
    else:
        _apply(request, services.change_role, membership=membership, role=form.cleaned_data["role"])
    return redirect("accounts:members", organisation_id=membership.organisation_id)


@require_POST
@capability_required("accounts.manage_members")
def membership_remove(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_for_user(
        Membership, request.user, capability="accounts.manage_members", pk=membership_id
    )
    organisation_id = membership.organisation_id
    _apply(request, services.remove_member, membership=membership)
    return redirect("accounts:members", organisation_id=organisation_id)


def _apply(request: AuthenticatedHttpRequest, service: Any, **kwargs: Any) -> None:
    try:
        service(acting_user=request.user, **kwargs)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Saved."))


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own notifications, newest first; posting marks them all read."""
    from orienta.accounts.models import Notification
    from orienta.accounts.notifications import mark_read

    items = list(Notification.objects.filter(user=request.user)[:100])
    if request.method == "POST":
        mark_read(request.user)
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"items": items})
