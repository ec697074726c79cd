"""The shell: home page per role, navigation by capability, admin, errors, headers, health."""

from __future__ import annotations

import pytest
from django.test import Client

from orienta.audit.services import record
from orienta.directory.models import Organisation

pytestmark = pytest.mark.django_db


def test_healthz_checks_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_security_headers(client: Client) -> None:
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "script-src 'self'" in csp
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


def test_cookies_are_secure_and_hsts_is_on_outside_debug(settings) -> None:
    # Settings as read at start-up with ORIENTA_DEBUG unset.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS >= 31_536_000
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def test_every_form_carries_a_csrf_token(client_for, owner, organisation) -> None:
    page = client_for(owner).get(f"/organisations/{organisation.pk}/members/").content.decode()
    assert page.count("<form") == page.count("csrfmiddlewaretoken") + page.count('method="get"')
    assert "X-CSRFToken" in page  # htmx requests carry it too


def test_administrator_home_shows_the_platform(
    client_for, admin_user, colleague, organisation
) -> None:
    record("tests.thing.touched", actor=colleague, organisation=organisation, object_id="seen")
    page = client_for(admin_user).get("/").content.decode()
    assert "Plateforme" in page and organisation.name in page
    assert "Événements d’audit récents" in page and "tests.thing.touched" in page
    assert "/admin/" in page


def test_caseworker_home_shows_their_roles_and_no_admin(
    client_for, colleague, organisation
) -> None:
    page = client_for(colleague).get("/").content.decode()
    assert organisation.name in page and "Travailleur social" in page
    assert "/admin/" not in page and "/audit/" not in page


def test_analyst_home_shows_the_mechanism(
    client_for, make_user, organisation, other_organisation
) -> None:
    analyst = make_user("analyst@a.example", organisation, "analyst")
    page = client_for(analyst).get("/").content.decode()
    assert "Organisations du mécanisme" in page and "Agence des Nations unies" in page


def test_admin_site_is_for_administrators_only(
    client_for, admin_user, coordinator, outsider
) -> None:
    assert client_for(admin_user).get("/admin/").status_code == 200
    assert client_for(admin_user).get("/admin/audit/auditevent/").status_code == 200
    for person in (coordinator, outsider):
        response = client_for(person).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_audit_events_are_read_only_in_the_admin(client_for, admin_user) -> None:
    event = record("tests.thing.touched", actor=None)
    client = client_for(admin_user)
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x.y.z"})
    assert response.status_code == 403


def test_not_found_page_is_translated(client_for, colleague) -> None:
    response = client_for(colleague).get("/no/such/page/")
    assert response.status_code == 404
    assert "Erreur 404" in response.content.decode()


def test_organisation_list_query_count_is_flat(
    client_for, coordinator, django_assert_max_num_queries
) -> None:
    for n in range(40):
        Organisation.objects.create(name=f"Org {n}", kind="ngo", country="CM")
    client = client_for(coordinator)
    client.get("/organisations/")
    with django_assert_max_num_queries(8):
        page = client.get("/organisations/").content.decode()
    assert "Org 39" in page


def test_home_query_count_is_flat(client_for, admin_user, django_assert_max_num_queries) -> None:
    for n in range(30):
        Organisation.objects.create(name=f"Org {n}", kind="ngo", country="CM")
        record("tests.thing.touched", actor=admin_user, object_id=str(n))
    client = client_for(admin_user)
    client.get("/")
    with django_assert_max_num_queries(14):
        client.get("/")


def test_coordinator_adds_and_edits_an_organisation(client_for, coordinator, colleague) -> None:
    client = client_for(coordinator)
    response = client.post(
        "/organisations/new/", {"name": "GARR", "acronym": "GARR", "kind": "ngo", "country": "ht"}
    )
    assert response.status_code == 302
    garr = Organisation.objects.get(name="GARR")
    assert garr.country == "HT"
    bad = client.post(
        f"/organisations/{garr.pk}/edit/", {"name": "", "kind": "ngo", "country": "Haiti"}
    )
    assert bad.status_code == 400
    assert "Saisissez le code ISO à deux lettres" in bad.content.decode()
    client.post(
        f"/organisations/{garr.pk}/edit/",
        {"name": "GARR", "acronym": "G", "kind": "ngo", "country": "HT"},
    )
    garr.refresh_from_db()
    assert garr.acronym == "G"
    from orienta.audit.models import AuditEvent

    assert AuditEvent.objects.get(action="directory.organisation.updated").changes == {
        "acronym": ["GARR", "G"]
    }
    # A caseworker may look at the directory but not change it.
    assert client_for(colleague).get("/organisations/").status_code == 200
    assert client_for(colleague).get(f"/organisations/{garr.pk}/edit/").status_code == 403


def test_account_page_creates_and_revokes_tokens(client_for, colleague, outsider) -> None:
    client = client_for(colleague)
    response = client.post("/account/", {"name": "Kobo sync"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "ori_" in page and "<html" not in page
    token = colleague.api_tokens.get()
    assert client_for(outsider).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post("/account/", {"name": "  "}).status_code == 400
