from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from orienta.accounts import services
from orienta.accounts.access import capabilities_of, get_object_for_user
from orienta.accounts.models import ApiToken, Membership
from orienta.api.auth import capability
from orienta.audit.services import record_view
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.models import Organisation

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    id: int
    organisation_id: UUID
    organisation_name: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str
    memberships: list[MembershipOut]
    capabilities: list[str]


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: str
    since: datetime


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str


def _membership(m: Membership) -> MembershipOut:
    return MembershipOut(
        id=m.pk,
        organisation_id=m.organisation_id,
        organisation_name=m.organisation.name,
        role=m.role,
    )


@router.get("/me", response=MeOut, summary="The authenticated person, their roles and capabilities")
def me(request: AuthenticatedHttpRequest) -> MeOut:
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        language=user.language,
        memberships=[_membership(m) for m in memberships],
        capabilities=sorted(capabilities_of(user)),
    )


@router.get(
    "/organisations/{organisation_id}/members",
    response=list[MemberOut],
    summary="Members of an organisation (404 for organisations outside your reach)",
)
@capability("accounts.view_members")
def organisation_members(
    request: AuthenticatedHttpRequest, organisation_id: UUID
) -> list[MemberOut]:
    organisation = get_object_for_user(Organisation, request.user, pk=organisation_id)
    rows = (
        Membership.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("user")
    )
    record_view(
        request,
        organisation,
        organisation=organisation,
        action="directory.organisation.members_viewed",
    )
    return [
        MemberOut(
            id=m.pk,
            user_id=m.user_id,
            email=m.user.email,
            full_name=m.user.full_name,
            role=m.role,
            since=m.created_at,
        )
        for m in rows
    ]


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request: AuthenticatedHttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=request.user))


@router.post("/tokens", response={201: NewTokenOut}, summary="Create a token; shown only once")
def create_token(request: AuthenticatedHttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    token, plaintext = services.create_api_token(acting_user=request.user, name=payload.name)
    out = NewTokenOut.model_validate({**TokenOut.from_orm(token).model_dump(), "token": plaintext})
    return Status(201, out)


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke one of your tokens")
def revoke_token(request: AuthenticatedHttpRequest, token_id: int) -> ApiToken:
    token = get_object_or_404(ApiToken, user=request.user, pk=token_id)
    return services.revoke_api_token(acting_user=request.user, token=token)
