"""The public directory: no login, search, service page, printable PDF; the pack loader."""

from __future__ import annotations

import pytest
from django.test import Client

from orienta.audit.models import AuditEvent
from orienta.directory import models as d
from orienta.directory.packs import load_directory_pack
from tests.fixtures.mini_pack import MINI_PACK

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack() -> None:
    load_directory_pack(MINI_PACK, source="mini")


def found(client: Client, **params: str) -> list[str]:
    response = client.get("/directory/", params)
    assert response.status_code == 200
    return [s.name for s in response.context["services"]]


def test_pack_loads_once_and_again_changes_nothing(pack) -> None:
    assert d.Service.objects.count() == 4
    onm = d.Organisation.objects.get(acronym="ONM")
    assert onm.mandate_en == "Receive and reinsert returnees." and onm.country == "HT"
    abri = d.Service.objects.get(name__startswith="Hébergement")
    assert abri.capacities.get().available == 0
    assert abri.funding.get().end_date is not None
    events = AuditEvent.objects.count()
    load_directory_pack(MINI_PACK, source="mini")
    assert d.Service.objects.count() == 4 and AuditEvent.objects.count() == events


def test_anyone_can_search_without_logging_in(client: Client, pack) -> None:
    assert set(found(client)) == {
        "Allocation de transport au retour",
        "Identification des enfants non accompagnés",
        "Hébergement d'urgence « Abri »",
    }  # the closed canteen is not listed
    assert found(client, q="enfants") == ["Identification des enfants non accompagnés"]
    assert found(client, category="PROT") == ["Identification des enfants non accompagnés"]
    assert found(client, category="SHEL-TEMP") == ["Hébergement d'urgence « Abri »"]
    assert set(found(client, area="HT04")) == {
        "Allocation de transport au retour",
        "Hébergement d'urgence « Abri »",
    }
    assert "Hébergement d'urgence « Abri »" not in found(client, free="on")
    assert found(client, language="fr", area="HT04") == ["Allocation de transport au retour"]
    children = found(client, target_group="unaccompanied_separated_children")
    assert "Identification des enfants non accompagnés" in children
    assert "Allocation de transport au retour" not in children
    assert "Hébergement d'urgence « Abri »" in children  # for everyone


def test_search_page_in_three_languages(client: Client, pack) -> None:
    page = client.get("/directory/").content.decode()
    assert '<html lang="fr"' in page and "Kreyòl" in page  # the switch offers Kreyòl here
    client.cookies["orienta_language"] = "en"
    page = client.get("/directory/", {"category": "PROT"}).content.decode()
    assert '<html lang="en"' in page and "Child protection" in page
    client.cookies["orienta_language"] = "ht"
    assert '<html lang="ht"' in client.get("/directory/").content.decode()


def test_bad_filter_values_are_a_400_with_the_form(client: Client, pack) -> None:
    response = client.get("/directory/", {"category": "NOT-A-CODE"})
    assert response.status_code == 400 and "category" in response.context["form"].errors


def test_service_page_shows_how_to_access_it(client: Client, pack) -> None:
    service = d.Service.objects.get(name__startswith="Hébergement")
    d.Contact.objects.create(service=service, name="Ligne privée du directeur", internal=True)
    d.Contact.objects.create(service=service, name="Accueil")
    page = client.get(f"/directory/services/{service.pk}/").content.decode()
    for text in ("Participation de 250 HTG", "+509 0000 0001", "Fort-Liberté", "Accueil"):
        assert text in page
    assert "Ligne privée" not in page
    closed = d.Service.objects.get(name="Cantine fermée")
    assert client.get(f"/directory/services/{closed.pk}/").status_code == 404


def test_printable_directory_is_a_pdf(client: Client, pack) -> None:
    response = client.get("/directory/print.pdf", {"area": "HT04"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_list_query_count_is_flat(client: Client, pack, django_assert_max_num_queries) -> None:
    client.get("/directory/")
    with django_assert_max_num_queries(12):
        client.get("/directory/")


def test_htmx_search_returns_the_results_only(client: Client, pack) -> None:
    page = client.get("/directory/", {"q": "abri"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="directory-results"' in page and "<html" not in page


def test_hxl_service_map(client: Client, pack) -> None:
    import csv
    import io
    import re

    response = client.get("/directory/service-map.hxl.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    hashtags = rows[1]
    pattern = re.compile(r"^\s*(#[A-Za-z][_0-9A-Za-z]*)((?:\s*\+[A-Za-z][_0-9A-Za-z]*)*)\s*$")
    assert all(pattern.match(tag) for tag in hashtags), hashtags
    data = [dict(zip(hashtags, row, strict=True)) for row in rows[2:]]
    assert len(data) == 3  # the closed canteen is not on the map
    abri = next(r for r in data if r["#service+name"].startswith("Hébergement"))
    assert abri["#adm1+code"] == "HT04" and abri["#x_cost+type"] == "shared_cost"
    assert abri["#contact+phone"] == "+509 0000 0001" and abri["#date+end+funding"]
    assert abri["#sector+name"] == "Hébergement"
