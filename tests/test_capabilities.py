"""Roles → capabilities: declared once, checked everywhere, unknown names fail at start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from orienta.accounts import access, capabilities
from orienta.accounts.roles import Role


def test_unknown_capability_on_a_view_fails_when_the_module_loads() -> None:
    with pytest.raises(ImproperlyConfigured, match="Unknown capability 'cases.teleport'"):
        access.capability_required("cases.teleport")


def test_unknown_capability_in_the_api_fails_too() -> None:
    from orienta.api.auth import capability

    with pytest.raises(ImproperlyConfigured):
        capability("nope.nothing")


def test_unknown_capability_on_a_scoped_queryset_fails() -> None:
    with pytest.raises(ImproperlyConfigured):

        class Broken(access.ScopedQuerySet):
            scope_capability = "unknown.capability"


def test_role_table_is_complete_and_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    capabilities.validate_role_table()
    broken = dict(capabilities.ROLE_CAPABILITIES)
    broken[Role.ANALYST] = frozenset({"indicators.teleport"})
    monkeypatch.setattr(capabilities, "ROLE_CAPABILITIES", broken)
    with pytest.raises(ImproperlyConfigured):
        capabilities.validate_role_table()


def test_scope_follows_memberships(
    owner, colleague, outsider, admin_user, organisation, other_organisation
) -> None:
    assert access.scope_for(owner, "accounts.manage_members").organisation_ids == {organisation.pk}
    assert access.has_capability(colleague, "accounts.view_members", organisation.pk)
    assert not access.has_capability(colleague, "accounts.manage_members")
    assert not access.has_capability(outsider, "accounts.view_members", organisation.pk)
    assert access.scope_for(admin_user, "accounts.manage_members").everywhere
    assert access.has_capability(admin_user, "accounts.view_members", other_organisation.pk)
    with pytest.raises(PermissionDenied):
        access.require_capability(colleague, "audit.view_events")


def test_inactive_people_hold_nothing(owner, organisation) -> None:
    owner.is_active = False
    owner.save()
    assert access.scope_for(owner, "accounts.view_members").is_empty


def _views(resolver: URLResolver, prefix: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


# Pages open to anyone (log-in, password reset, health, language) or guarded by login only
# because they show the person's own things.
PUBLIC_OR_OWN = {
    "",
    "healthz",
    "language/",
    "login/",
    "logout/",
    "password-reset/",
    "password-reset/sent/",
    "password-reset/<uidb64>/<token>/",
    "password-reset/complete/",
    "account/",
    "account/tokens/<int:token_id>/revoke/",
    "notifications/",
}


def test_every_platform_page_declares_a_capability() -> None:
    undeclared = [
        route
        for route, view in _views(get_resolver())
        # The HSDS API is public and read-only by design (the directory is public data).
        if not route.startswith(("admin/", "api/v1/", "api/hsds/"))
        and route not in PUBLIC_OR_OWN
        and not hasattr(view, "required_capability")
        and not getattr(view, "public_page", False)
    ]
    assert undeclared == []


@pytest.mark.django_db
def test_anonymous_people_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_missing_capability_is_403_with_a_page(client_for, colleague) -> None:
    response = client_for(colleague).get("/audit/")
    assert response.status_code == 403
    assert "403" in response.content.decode()
