"""Scoped access: who may do what, where, and the one way to fetch objects for a user.

Every view and API operation that touches organisation-owned data goes through
`get_object_for_user` or a `ScopedQuerySet.visible_to`, which answer 404 for what the user may not
see — the same answer as for what does not exist, so outsiders learn nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from orienta.accounts.capabilities import PLATFORM_ROLES, ROLE_CAPABILITIES, ensure_known
from orienta.accounts.roles import Role

_CACHE = "_orienta_roles"


@dataclass(frozen=True)
class Scope:
    """Where a capability reaches: every organisation, or the listed ones."""

    everywhere: bool
    organisation_ids: frozenset[uuid.UUID]

    @property
    def is_empty(self) -> bool:
        return not self.everywhere and not self.organisation_ids

    def includes(self, organisation_id: uuid.UUID | None) -> bool:
        if self.everywhere:
            return True
        return organisation_id is not None and organisation_id in self.organisation_ids

    def apply(self, queryset: models.QuerySet[Any], field: str) -> models.QuerySet[Any]:
        """Filter `queryset` to rows whose organisation (reached through `field`) is in scope."""
        if self.everywhere:
            return queryset
        if not self.organisation_ids:
            return queryset.none()
        return queryset.filter(**{f"{field}__in": self.organisation_ids})


NOWHERE = Scope(everywhere=False, organisation_ids=frozenset())
EVERYWHERE = Scope(everywhere=True, organisation_ids=frozenset())


def roles_of(user: Any) -> list[tuple[uuid.UUID, Role]]:
    """The user's (organisation id, role) pairs, read once per user object (so once per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE, None)
    if cached is None:
        from orienta.accounts.models import Membership

        cached = [
            (organisation_id, Role(role))
            for organisation_id, role in Membership.objects.filter(user=user).values_list(
                "organisation_id", "role"
            )
        ]
        setattr(user, _CACHE, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles after memberships change within the same request."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def scope_for(user: Any, capability: str) -> Scope:
    ensure_known(capability)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOWHERE
    if user.is_superuser and capability in ROLE_CAPABILITIES[Role.ADMINISTRATOR]:
        # A superuser is the platform's administrator, with no more reach into people's files.
        return EVERYWHERE
    organisation_ids = set()
    for organisation_id, role in roles_of(user):
        if capability in ROLE_CAPABILITIES[role]:
            if role in PLATFORM_ROLES:
                return EVERYWHERE
            organisation_ids.add(organisation_id)
    return Scope(everywhere=False, organisation_ids=frozenset(organisation_ids))


def has_capability(user: Any, capability: str, organisation_id: uuid.UUID | None = None) -> bool:
    """Whether `user` holds `capability` in that organisation, or anywhere when none is given."""
    scope = scope_for(user, capability)
    if organisation_id is None:
        return not scope.is_empty
    return scope.includes(organisation_id)


def require_capability(
    user: Any, capability: str, organisation_id: uuid.UUID | None = None
) -> None:
    """Raise PermissionDenied unless `user` holds `capability` (there)."""
    if not has_capability(user, capability, organisation_id):
        raise PermissionDenied(capability)


def capabilities_of(user: Any) -> frozenset[str]:
    """Every capability the user holds somewhere; used to build the navigation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ensure_known(name) for name in ROLE_CAPABILITIES[Role.ADMINISTRATOR])
    names: set[str] = set()
    for _organisation_id, role in roles_of(user):
        names |= ROLE_CAPABILITIES[role]
    return frozenset(names)


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def capability_required(capability: str, *alternatives: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: anonymous users go to the login page, users holding none of the named
    capabilities in any organisation get 403. Which *objects* they see is then the scoped
    getters' business."""
    names = (capability, *alternatives)
    for name in names:
        ensure_known(name)

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                # Imported here: auth.views needs the user model, which imports this module.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not any(has_capability(request.user, name) for name in names):
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def public_page(view: ViewFunc) -> ViewFunc:
    """Declare a page open to anyone, without an account (the public directory). Declared, so
    that a page is never public by forgetting its capability."""
    view.public_page = True  # type: ignore[attr-defined]
    return view


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset that knows which capability lets a user see its rows and where the owning
    organisation is. Subclasses set both; `visible_to(user)` is then the only filter views use."""

    scope_capability: ClassVar[str]
    scope_field: ClassVar[str] = "organisation"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "scope_capability" in cls.__dict__:
            ensure_known(cls.scope_capability)

    def visible_to(self, user: Any, capability: str | None = None) -> ScopedQuerySet:
        scope = scope_for(user, capability or self.scope_capability)
        return scope.apply(self, self.scope_field)  # type: ignore[return-value]


def get_object_for_user(
    source: type[models.Model] | ScopedQuerySet,
    user: Any,
    *,
    capability: str | None = None,
    **lookup: Any,
) -> Any:
    """The object matching `lookup` if `user` may see it; Http404 otherwise, as if missing."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(f"{queryset.model.__name__} has no scoped queryset; it cannot be fetched.")
    return get_object_or_404(queryset.visible_to(user, capability), **lookup)


def organisation_ids(pairs: Iterable[tuple[uuid.UUID, Role]]) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    for organisation_id, _role in pairs:
        if organisation_id not in seen:
            seen.append(organisation_id)
    return seen
