"""Cases in the REST API: scoped like the pages, 404 for outsiders, JSON errors."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.cases_helpers import register_case

pytestmark = pytest.mark.usefixtures("nrm")


def test_case_person_and_lists(client_for, colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    client = client_for(colleague)
    body = client.get(f"/api/v1/cases/{case.pk}").json()
    assert body["reference"] == case.reference and body["priority"] == "normal"
    assert client.get(f"/api/v1/persons/{case.person_id}").json()["family_name"] == "Dorsainvil"
    listing = client.get("/api/v1/cases").json()
    assert [item["id"] for item in listing["items"]] == [str(case.pk)]
    assert listing["next_cursor"] == ""
    assert client.get(f"/api/v1/cases/{case.pk}/consents").json()[0]["purpose"] == "registration"


def test_outsider_gets_404_on_every_case_endpoint(
    client_for, colleague, outsider, organisation
) -> None:
    case = register_case(colleague, organisation)
    client = client_for(outsider)
    for url in [
        f"/api/v1/cases/{case.pk}",
        f"/api/v1/persons/{case.person_id}",
        f"/api/v1/cases/{case.pk}/person",
        f"/api/v1/cases/{case.pk}/screenings",
        f"/api/v1/cases/{case.pk}/needs",
        f"/api/v1/cases/{case.pk}/consents",
        f"/api/v1/cases/{case.pk}/consent-check?purpose=registration",
    ]:
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    response = client.post(
        f"/api/v1/cases/{case.pk}/needs", {"term": "SHEL"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get("/api/v1/cases?scope=organisation").json()["items"] == []


def test_needs_screening_consent_through_the_api(client_for, colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    client = client_for(colleague)
    need = client.post(
        f"/api/v1/cases/{case.pk}/needs",
        {"term": "LEGAL", "urgency": "high"},
        content_type="application/json",
    )
    assert need.status_code == 201 and need.json()["term_code"] == "LEGAL"
    bad = client.post(
        f"/api/v1/cases/{case.pk}/needs", {"term": "NOPE"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert "NOPE" in bad.json()["message"]
    screening = client.post(
        f"/api/v1/cases/{case.pk}/screenings",
        {"answers": [{"code": "IND-EXPLOITATION", "present": "yes"}]},
        content_type="application/json",
    )
    assert screening.status_code == 201 and screening.json()["priority"] == "critical"
    consent = client.post(
        f"/api/v1/cases/{case.pk}/consents",
        {
            "purpose": "referral",
            "given_by": "person",
            "method": "written",
            "given_on": timezone.localdate().isoformat(),
            "recipient_category": "LEGAL",
        },
        content_type="application/json",
    )
    assert consent.status_code == 201
    check = f"/api/v1/cases/{case.pk}/consent-check?purpose=referral&recipient_category=LEGAL"
    assert client.get(check).json()["has_consent"] is True
    withdrawn = client.post(f"/api/v1/cases/{case.pk}/consents/{consent.json()['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert client.get(check).json()["has_consent"] is False


def test_bad_input_gets_a_machine_readable_422(client_for, colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    response = client_for(colleague).post(
        f"/api/v1/cases/{case.pk}/consents",
        {"purpose": "everything"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert client_for(colleague).get("/api/v1/cases/not-a-uuid").status_code in (404, 422)


def test_token_without_case_capability_gets_403(client_for, coordinator) -> None:
    response = client_for(coordinator).get("/api/v1/cases")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_register_through_the_api(client_for, colleague, organisation) -> None:
    payload = {
        "organisation_id": str(organisation.pk),
        "kind": "forced_return",
        "arrived_on": timezone.localdate().isoformat(),
        "returned_from": "DO",
        "person": {
            "given_name": "Mirlande",
            "family_name": "Cadet",
            "sex": "female",
            "birth_date": "1999-09-09",
            "documents": [{"document_type": "passport", "number": "PX1"}],
        },
        "answers": [{"code": "IND-PREGNANT", "present": "yes"}],
        "needs": [{"term": "HEALTH-SRH", "urgency": "high"}],
        "consents": [
            {
                "purpose": "registration",
                "given_by": "person",
                "method": "written",
                "given_on": timezone.localdate().isoformat(),
            }
        ],
    }
    client = client_for(colleague)
    response = client.post("/api/v1/cases", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["priority"] == "high"
    again = client.post(
        "/api/v1/cases",
        {**payload, "person": {**payload["person"], "given_name": "Autre"}},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["details"]["field"] == "documents.1.number"


def test_outsider_cannot_register_for_another_organisation(
    client_for, outsider, organisation
) -> None:
    response = client_for(outsider).post(
        "/api/v1/cases",
        {
            "organisation_id": str(organisation.pk),
            "kind": "forced_return",
            "arrived_on": timezone.localdate().isoformat(),
            "person": {"given_name": "A", "family_name": "B"},
            "consents": [
                {
                    "purpose": "registration",
                    "given_by": "person",
                    "method": "written",
                    "given_on": timezone.localdate().isoformat(),
                }
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 404
