"""The REST API: OpenAPI 3, token auth, session with CSRF, JSON errors, scoping."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from orienta.accounts import services
from orienta.accounts.models import ApiToken
from orienta.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def bearer(client: Client, token: str):
    return {"Authorization": f"Bearer {token}"}


def token_for(user) -> str:
    return services.create_api_token(acting_user=user, name="tests")[1]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]
    return body


def test_openapi_document_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_docs_page_is_served_without_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


def test_no_token_is_401_json(client: Client) -> None:
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/organisations"), 401, "not_authenticated")


def test_wrong_or_revoked_token_is_401(client: Client, colleague) -> None:
    assert_error(
        client.get("/api/v1/me", headers=bearer(client, "ori_nope")), 401, "not_authenticated"
    )
    plaintext = token_for(colleague)
    token = ApiToken.objects.get(user=colleague)
    services.revoke_api_token(acting_user=colleague, token=token)
    assert_error(
        client.get("/api/v1/me", headers=bearer(client, plaintext)), 401, "not_authenticated"
    )


def test_token_for_an_inactive_account_is_refused(client: Client, colleague) -> None:
    plaintext = token_for(colleague)
    colleague.is_active = False
    colleague.save()
    assert_error(
        client.get("/api/v1/me", headers=bearer(client, plaintext)), 401, "not_authenticated"
    )


def test_token_works_and_its_use_is_recorded(client: Client, colleague, organisation) -> None:
    plaintext = token_for(colleague)
    stored = ApiToken.objects.get(user=colleague)
    assert plaintext not in {stored.digest, stored.prefix} and stored.digest != plaintext
    response = client.get("/api/v1/me", headers=bearer(client, plaintext))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == colleague.email
    assert body["memberships"][0]["organisation_id"] == str(organisation.pk)
    assert "accounts.view_members" in body["capabilities"]
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_tokens_are_created_listed_and_revoked_through_the_api(client: Client, colleague) -> None:
    headers = bearer(client, token_for(colleague))
    created = client.post(
        "/api/v1/tokens", {"name": "sync"}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201
    assert created.json()["token"].startswith("ori_")
    listed = client.get("/api/v1/tokens", headers=headers).json()
    assert {t["name"] for t in listed} == {"tests", "sync"}
    assert all("token" not in t and "digest" not in t for t in listed)
    revoked = client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_someone_elses_token_is_404(client: Client, colleague, outsider) -> None:
    token_for(colleague)
    theirs = ApiToken.objects.get(user=colleague)
    response = client.delete(
        f"/api/v1/tokens/{theirs.pk}", headers=bearer(client, token_for(outsider))
    )
    assert_error(response, 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_outsider_gets_404_on_another_organisations_members(
    client: Client, outsider, colleague, organisation
) -> None:
    headers = bearer(client, token_for(outsider))
    response = client.get(f"/api/v1/organisations/{organisation.pk}/members", headers=headers)
    assert_error(response, 404, "not_found")


def test_member_sees_their_organisations_members_and_the_read_is_audited(
    client: Client, colleague, owner, organisation
) -> None:
    headers = bearer(client, token_for(colleague))
    response = client.get(f"/api/v1/organisations/{organisation.pk}/members", headers=headers)
    assert response.status_code == 200
    assert {m["email"] for m in response.json()} == {colleague.email, owner.email}
    assert AuditEvent.objects.filter(
        action="directory.organisation.members_viewed", actor=colleague
    ).exists()


def test_missing_capability_is_403_json(client: Client, colleague) -> None:
    response = client.get("/api/v1/audit/events", headers=bearer(client, token_for(colleague)))
    body = assert_error(response, 403, "permission_denied")
    assert body["details"] == {"capability": "audit.view_events"}


def test_invalid_body_is_422_with_details(client: Client, coordinator) -> None:
    headers = bearer(client, token_for(coordinator))
    response = client.post(
        "/api/v1/organisations",
        {"name": "X", "kind": "spaceship", "country": "HT"},
        content_type="application/json",
        headers=headers,
    )
    body = assert_error(response, 422, "invalid")
    assert body["details"]["errors"]


def test_invalid_model_values_are_400_with_fields(client: Client, coordinator) -> None:
    headers = bearer(client, token_for(coordinator))
    response = client.post(
        "/api/v1/organisations",
        {"name": "X", "kind": "ngo", "country": "HTI"},
        content_type="application/json",
        headers=headers,
    )
    body = assert_error(response, 400, "invalid")
    assert "country" in body["details"]["fields"]


def test_malformed_json_is_a_4xx_json(client: Client, coordinator) -> None:
    headers = bearer(client, token_for(coordinator))
    response = client.post(
        "/api/v1/organisations", "{not json", content_type="application/json", headers=headers
    )
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"code", "message", "details"}


def test_unknown_api_path_is_404_json(client: Client) -> None:
    assert_error(client.get("/api/v1/does-not-exist"), 404, "not_found")


def test_session_auth_needs_csrf_on_unsafe_methods(colleague) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(colleague, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    client.get("/account/")  # sets the CSRF cookie, as a page of the platform would
    csrf = client.cookies["csrftoken"].value
    ok = client.post(
        "/api/v1/tokens",
        {"name": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert ok.status_code == 201


def test_audit_events_api_filters_and_pages(client: Client, admin_user) -> None:
    from orienta.audit.services import record

    for i in range(7):
        record("tests.thing.touched", actor=None, object_id=str(i))
    headers = bearer(client, token_for(admin_user))
    first = client.get(
        "/api/v1/audit/events", {"action": "tests.thing", "limit": 5}, headers=headers
    ).json()
    assert [e["object_id"] for e in first["items"]] == ["6", "5", "4", "3", "2"]
    second = client.get(
        "/api/v1/audit/events",
        {"action": "tests.thing", "limit": 5, "before": first["next_before"]},
        headers=headers,
    ).json()
    assert [e["object_id"] for e in second["items"]] == ["1", "0"] and second["next_before"] is None
    bad = client.get("/api/v1/audit/events", {"date_from": "yesterday"}, headers=headers)
    assert_error(bad, 400, "invalid")


def test_audit_events_api_outsider_sees_nothing_of_others(
    client: Client, coordinator, make_user, other_organisation
) -> None:
    from orienta.audit.services import record

    other_coordinator = make_user("coord@b.example", other_organisation, "coordinator")
    record(
        "tests.thing.touched",
        actor=coordinator,
        organisation=coordinator.memberships.get().organisation,
        object_id="A",
    )
    body = client.get(
        "/api/v1/audit/events", headers=bearer(client, token_for(other_coordinator))
    ).json()
    assert "A" not in [e["object_id"] for e in body["items"]]


def test_organisations_api(client: Client, colleague, organisation, other_organisation) -> None:
    headers = bearer(client, token_for(colleague))
    names = {o["name"] for o in client.get("/api/v1/organisations", headers=headers).json()}
    assert names == {organisation.name, other_organisation.name}
    one = client.get(f"/api/v1/organisations/{organisation.pk}", headers=headers)
    assert one.json()["kind"] == "un_agency"
    denied = client.post(
        "/api/v1/organisations",
        json.dumps({"name": "Z", "kind": "ngo", "country": "HT"}),
        content_type="application/json",
        headers=headers,
    )
    assert_error(denied, 403, "permission_denied")
