"""Every change to accounts, memberships and API tokens, each with its audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import forget_roles, require_capability
from orienta.accounts.links import password_link
from orienta.accounts.models import ApiToken, Membership, User, hash_token
from orienta.accounts.roles import Role
from orienta.audit.services import record
from orienta.core.errors import ServiceError
from orienta.core.mail import send_templated_mail
from orienta.directory.models import Organisation


def _check_may_grant(acting_user: Any, organisation: Organisation, role: str) -> None:
    require_capability(acting_user, "accounts.manage_members", organisation.pk)
    if role == Role.ADMINISTRATOR:
        # Administrators reach every organisation, so only an administrator may make one.
        require_capability(acting_user, "accounts.administer_platform")


def _refuse_duplicate(user_id: int, organisation_id: Any, role: str) -> None:
    if Membership.objects.filter(
        user_id=user_id, organisation_id=organisation_id, role=role
    ).exists():
        raise ServiceError(
            _("This person already holds that role in the organisation."), code="duplicate"
        )


def _invite(user: User, organisation: Organisation) -> None:
    send_templated_mail.enqueue(
        to=user.email,
        template="accounts/email/invitation",
        context={
            "full_name": user.full_name,
            "organisation": str(organisation),
            "url": password_link(user),
        },
        language=user.language,
    )


@transaction.atomic
def add_member(
    *, acting_user: Any, organisation: Organisation, email: str, full_name: str, role: str
) -> Membership:
    """Give `email` the role in the organisation, creating the account (and mailing an
    invitation to choose a password) when the person is new to the platform."""
    _check_may_grant(acting_user, organisation, role)
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name.strip())
        record(
            "accounts.user.created",
            actor=acting_user,
            organisation=organisation,
            target=user,
            changes={"full_name": user.full_name},
        )
        transaction.on_commit(lambda: _invite(user, organisation))
    _refuse_duplicate(user.pk, organisation.pk, role)
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    record(
        "accounts.membership.created",
        actor=acting_user,
        organisation=organisation,
        target=membership,
        changes={"user_id": user.pk, "role": role},
    )
    forget_roles(user)
    return membership


@transaction.atomic
def change_role(*, acting_user: Any, membership: Membership, role: str) -> Membership:
    if membership.user_id == acting_user.pk:
        raise ServiceError(_("You cannot change your own role."), code="own_membership")
    _check_may_grant(acting_user, membership.organisation, role)
    _check_may_grant(acting_user, membership.organisation, membership.role)
    if role == membership.role:
        return membership
    _refuse_duplicate(membership.user_id, membership.organisation_id, role)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(
        "accounts.membership.updated",
        actor=acting_user,
        organisation=membership.organisation_id,
        target=membership,
        changes={"role": [old, role]},
    )
    return membership


@transaction.atomic
def remove_member(*, acting_user: Any, membership: Membership) -> None:
    if membership.user_id == acting_user.pk:
        raise ServiceError(_("You cannot remove your own membership."), code="own_membership")
    _check_may_grant(acting_user, membership.organisation, membership.role)
    record(
        "accounts.membership.deleted",
        actor=acting_user,
        organisation=membership.organisation_id,
        target=membership,
        changes={"user_id": membership.user_id, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def create_api_token(*, acting_user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the acting user; the plaintext is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name."), code="invalid")
    plaintext = ApiToken.new_plaintext()
    token = ApiToken.objects.create(
        user=acting_user, name=name, prefix=plaintext[:8], digest=hash_token(plaintext)
    )
    record("accounts.apitoken.created", actor=acting_user, target=token, changes={"name": name})
    return token, plaintext


@transaction.atomic
def revoke_api_token(*, acting_user: User, token: ApiToken) -> ApiToken:
    if token.user_id != acting_user.pk:
        raise ServiceError(_("This token is not yours."), code="permission_denied")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("accounts.apitoken.revoked", actor=acting_user, target=token)
    return token


@transaction.atomic
def set_preferred_language(*, user: User, language: str) -> None:
    if user.language == language:
        return
    old = user.language
    user.language = language
    user.save(update_fields=["language"])
    record(
        "accounts.user.updated",
        actor=user,
        target=user,
        changes={"language": [old, language]},
    )
