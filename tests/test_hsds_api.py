"""The public HSDS API at /api/hsds/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

import orienta.directory.hsds as hsds_package
from orienta.directory import models as directory
from orienta.directory.hsds.importer import import_input
from orienta.directory.hsds.reader import read_path
from tests.test_hsds_import import EXAMPLES, french_package

pytestmark = pytest.mark.django_db
SCHEMAS = Path(hsds_package.__file__).parent / "schema"


def validator(name: str) -> Draft202012Validator:
    resources = [
        (
            path.name,
            Resource.from_contents(
                json.loads(path.read_text()),
                default_specification=__import__("referencing.jsonschema").jsonschema.DRAFT202012,
            ),
        )
        for path in SCHEMAS.glob("*.json")
    ]
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def assert_page(body: dict) -> None:
    assert set(body) == {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    }


@pytest.fixture
def directory_data(tmp_path: Path) -> None:
    import_input(read_path(french_package(tmp_path / "fr", services=12)))
    import_input(read_path(EXAMPLES / "csv"))


def test_root_declares_version_profile_and_openapi(client: Client) -> None:
    body = client.get("/api/hsds/").json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/hsds/openapi.json")
    profile = client.get(body["profile"]).json()
    assert "target_groups" in [c["name"] for c in profile["additional_columns"]["service"]]
    assert client.get("/api/hsds/openapi.json").status_code == 200


def test_second_page_of_five(client: Client, directory_data: None) -> None:
    body = client.get("/api/hsds/services", {"per_page": 5, "page": 2}).json()
    assert_page(body)
    assert (body["total_items"], body["total_pages"], body["page_number"], body["size"]) == (
        13,
        3,
        2,
        5,
    )
    assert not body["first_page"] and not body["last_page"] and not body["empty"]
    check = validator("service")
    for item in body["contents"]:
        errors = [e.message for e in check.iter_errors(item)]
        assert errors == [], errors


def test_full_service_validates_against_the_hsds_schema(
    client: Client, directory_data: None
) -> None:
    service = directory.Service.objects.get(name="Community Counselling")
    body = client.get(f"/api/hsds/services/{service.pk}").json()
    assert body["organization"]["name"]
    assert body["service_at_locations"][0]["location"]["location_type"] == "physical"
    assert [e.message for e in validator("service").iter_errors(body)] == []


def test_every_collection_answers_a_valid_page(client: Client, directory_data: None) -> None:
    for name, schema in [
        ("organizations", "organization"),
        ("taxonomies", "taxonomy"),
        ("taxonomy_terms", "taxonomy_term"),
        ("service_at_locations", "service_at_location"),
    ]:
        body = client.get(f"/api/hsds/{name}", {"full": "true"}).json()
        assert_page(body)
        assert body["total_items"] >= 1
        check = validator(schema)
        for item in body["contents"]:
            assert [e.message for e in check.iter_errors(item)] == [], name


def test_filters(client: Client, directory_data: None) -> None:
    organisation = directory.Organisation.objects.get(name__startswith="Groupe d'Appui")
    assert (
        client.get("/api/hsds/services", {"organization_id": str(organisation.pk)}).json()[
            "total_items"
        ]
        == 12
    )
    assert client.get("/api/hsds/services", {"search": "counselling"}).json()["total_items"] == 1
    assert (
        client.get("/api/hsds/services", {"modified_after": "2026-10-31T00:00:00+00:00"}).json()[
            "total_items"
        ]
        == 12
    )
    term = directory.TaxonomyTerm.objects.get()
    service = directory.Service.objects.filter(organization=organisation).first()
    directory.Attribute.objects.create(
        link_id=service.pk, link_entity="service", taxonomy_term=term
    )
    found = client.get("/api/hsds/services", {"taxonomy_term_id": str(term.pk)}).json()
    assert [s["id"] for s in found["contents"]] == [str(service.pk)]


def test_ndjson(client: Client, directory_data: None) -> None:
    response = client.get("/api/hsds/services", {"format": "ndjson", "per_page": 3})
    assert response["Content-Type"] == "application/x-ndjson"
    lines = response.content.decode().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["id"] for line in lines)


def test_internal_contacts_are_never_published(client: Client, directory_data: None) -> None:
    service = directory.Service.objects.get(name="Community Counselling")
    directory.Contact.objects.create(
        service=service, name="Numéro privé du directeur", internal=True
    )
    directory.Contact.objects.create(service=service, name="Accueil public")
    page = client.get(f"/api/hsds/services/{service.pk}").content.decode()
    assert "Accueil public" in page and "Numéro privé" not in page


def test_bad_parameters_and_missing_objects(client: Client) -> None:
    bad = client.get("/api/hsds/services", {"per_page": "zero"})
    assert bad.status_code == 400 and bad.json()["details"] == {"parameter": "per_page"}
    assert client.get("/api/hsds/services", {"taxonomy_term_id": "x"}).status_code == 400
    missing = client.get("/api/hsds/services/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.post("/api/hsds/services").status_code == 405


def test_service_list_query_count_is_flat(
    client: Client, tmp_path: Path, django_assert_max_num_queries
) -> None:
    import_input(read_path(french_package(tmp_path / "fr", services=40)))
    with django_assert_max_num_queries(20):
        body = client.get("/api/hsds/services", {"per_page": 40, "full": "true"}).json()
    assert body["size"] == 40


def test_nrm_taxonomy_pack_loads_two_levels_idempotently(client: Client) -> None:
    from django.core.management import call_command

    from orienta.directory.taxonomy import load_taxonomy, term_id

    call_command("load_pack", "ht")
    taxonomy, terms = load_taxonomy()
    assert terms == 47
    assert directory.TaxonomyTerm.objects.count() == 47
    top = directory.TaxonomyTerm.objects.filter(parent__isnull=True)
    assert top.count() == 14
    child = directory.TaxonomyTerm.objects.get(pk=term_id("PROT-CHILD"))
    assert (child.name, child.name_en, child.parent.code) == (
        "Protection de l'enfance",
        "Child protection",
        "PROT",
    )
    body = client.get(
        "/api/hsds/taxonomy_terms", {"taxonomy_id": str(taxonomy.pk), "per_page": 100}
    ).json()
    assert body["total_items"] == 47
