"""Coordinators keep the directory; providers propose changes to their own services only."""

from __future__ import annotations

import pytest

from orienta.audit.models import AuditEvent
from orienta.directory import models as d
from orienta.directory.packs import load_directory_pack
from tests.fixtures.mini_pack import MINI_PACK

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack() -> None:
    load_directory_pack(MINI_PACK, source="mini")


@pytest.fixture
def abri(pack) -> d.Service:
    return d.Service.objects.get(name__startswith="Hébergement")


@pytest.fixture
def provider(make_user, abri):
    return make_user("provider@abri.example", abri.organization, "provider_focal_point")


@pytest.fixture
def other_provider(make_user, pack):
    ibesr = d.Organisation.objects.get(acronym="IBESR")
    return make_user("provider@ibesr.example", ibesr, "provider_focal_point")


def form_data(**overrides):
    data = {
        "name": "Hébergement d'urgence « Abri »",
        "description": "Lits pour quelques nuits.",
        "status": "active",
        "categories": ["SHEL-TEMP"],
        "cost": "shared_cost",
        "amount": "300",
        "accepts_referrals": "on",
        "referral_channel": "phone",
        "target_groups": ["all"],
    }
    data.update(overrides)
    return data


def test_coordinator_edits_and_the_change_is_in_the_history(client_for, coordinator, abri) -> None:
    client = client_for(coordinator)
    assert client.get("/manage/services/").status_code == 200
    response = client.post(f"/manage/services/{abri.pk}/", form_data(amount="300"))
    assert response.status_code == 302
    assert abri.cost_options.get().amount == 300
    event = AuditEvent.objects.get(action="directory.service.updated")
    assert event.changes["amount"] == [250.0, 300.0]
    page = client.get(f"/manage/services/{abri.pk}/").content.decode()
    assert "directory.service.updated" in page  # change history: who, when, what


def test_bad_values_are_reported(client_for, coordinator, abri) -> None:
    response = client_for(coordinator).post(
        f"/manage/services/{abri.pk}/", form_data(minimum_age="20", maximum_age="10", categories=[])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert response.context["form"].errors["maximum_age"]
    assert 'aria-invalid="true"' in page
    assert response.context["form"].errors["categories"]


def test_provider_change_waits_for_validation(client_for, provider, coordinator, abri) -> None:
    response = client_for(provider).post(
        f"/manage/services/{abri.pk}/", form_data(name="Abri de nuit")
    )
    assert response.status_code == 302
    abri.refresh_from_db()
    assert abri.name.startswith("Hébergement")  # not yet
    change = d.ServiceChange.objects.get()
    assert change.status == "pending"
    keeper = client_for(coordinator)
    assert "Abri de nuit" in keeper.get("/manage/changes/").content.decode()
    keeper.post(f"/manage/changes/{change.pk}/decide/", {"decision": "approve"})
    abri.refresh_from_db()
    assert abri.name == "Abri de nuit"
    assert (
        keeper.post(f"/manage/changes/{change.pk}/decide/", {"decision": "reject"}).status_code
        == 302
    )
    change.refresh_from_db()
    assert change.status == "approved"  # the second decision was refused


def test_provider_gets_404_on_another_organisations_service(
    client_for, other_provider, abri
) -> None:
    client = client_for(other_provider)
    assert client.get(f"/manage/services/{abri.pk}/").status_code == 404
    assert client.post(f"/manage/services/{abri.pk}/", form_data(name="X")).status_code == 404
    assert d.ServiceChange.objects.count() == 0
    assert abri.name not in client.get("/manage/services/").content.decode()


def test_provider_cannot_validate_or_verify(client_for, provider, abri) -> None:
    client = client_for(provider)
    assert client.get("/manage/changes/").status_code == 403
    assert client.post(f"/manage/services/{abri.pk}/verify/").status_code == 403


def test_outsiders_get_403_or_404(client_for, colleague, outsider, abri) -> None:
    for person in (colleague, outsider):
        assert client_for(person).get("/manage/services/").status_code == 403
        assert client_for(person).get(f"/manage/services/{abri.pk}/").status_code == 403


def test_coordinator_verifies_and_creates(client_for, coordinator, abri) -> None:
    client = client_for(coordinator)
    client.post(f"/manage/services/{abri.pk}/verify/")
    abri.refresh_from_db()
    assert abri.assurer_email == coordinator.email
    organisation = abri.organization
    response = client.post(
        "/manage/services/new/", {**form_data(name="Douches"), "organisation": str(organisation.pk)}
    )
    assert response.status_code == 302
    assert d.Service.objects.filter(name="Douches", organization=organisation).exists()
    missing = client.post(
        "/manage/services/new/", {**form_data(name="Sans organisation"), "organisation": "nope"}
    )
    assert missing.status_code == 400


def test_at_risk_filter(client_for, coordinator, pack) -> None:
    page = client_for(coordinator).get("/manage/services/", {"risk": "1"}).content.decode()
    assert "Hébergement" in page  # funding ends in 30 days
    assert "Identification des enfants" in page  # not verified for 400 days
    assert "Allocation de transport" not in page


def test_coordinator_relabels_a_category(client_for, coordinator, colleague, pack) -> None:
    client = client_for(coordinator)
    assert "SHEL-TEMP" in client.get("/manage/taxonomy/").content.decode()
    client.post(
        "/manage/taxonomy/",
        {"code": "SHEL-TEMP", "name": "Abri temporaire", "name_en": "Temporary shelter"},
    )
    term = d.TaxonomyTerm.objects.get(code="SHEL-TEMP")
    assert term.name == "Abri temporaire"
    assert AuditEvent.objects.filter(action="directory.taxonomyterm.updated").count() == 1
    client.post("/manage/taxonomy/", {"code": "SHEL-TEMP", "name": " ", "name_en": "x"})
    term.refresh_from_db()
    assert term.name == "Abri temporaire"  # an empty French label is refused
    assert client_for(colleague).get("/manage/taxonomy/").status_code == 403
