"""Spreadsheet import: column mapping, every problem with row and column, all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from orienta.directory import models as d
from orienta.directory.taxonomy import load_taxonomy

pytestmark = pytest.mark.django_db

HEADER = [
    "Organisation",
    "Sigle",
    "Service",
    "Catégories",
    "Coût",
    "Montant",
    "Code département",
    "Département",
    "Commune",
    "Latitude",
    "Longitude",
    "Langues",
    "Téléphone",
]
GOOD = [
    [
        "Abri du Nord (fictive)",
        "ADN",
        "Lits d'urgence",
        "SHEL-TEMP",
        "partagé",
        "250",
        "HT04",
        "Nord-Est",
        "Ouanaminthe",
        "19,55",
        "-71.72",
        "fr; ht",
        "+509 0000 0009",
    ],
    [
        "Abri du Nord (fictive)",
        "ADN",
        "Repas chauds",
        "IMM-FOOD",
        "gratuit",
        "",
        "HT04",
        "Nord-Est",
        "Ouanaminthe",
        "19.55",
        "-71.72",
        "ht",
        "",
    ],
]


@pytest.fixture(autouse=True)
def taxonomy() -> None:
    load_taxonomy()


def csv_file(rows, header=HEADER) -> SimpleUploadedFile:
    """As a French spreadsheet saves it: semicolons between cells, quotes where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("repertoire.csv", buffer.getvalue().encode("utf-8"))


def upload(client, file):
    response = client.post("/manage/import/", {"file": file, "country": "ht", "currency": "HTG"})
    assert response.status_code == 302, response.content
    return response["Location"]


def test_csv_with_french_headers_imports(client_for, coordinator) -> None:
    client = client_for(coordinator)
    url = upload(client, csv_file(GOOD))
    page = client.get(url)
    assert page.status_code == 200
    chosen = {f.name: i for f, i in page.context["fields"]}
    assert chosen["organisation"] == 0 and chosen["categories"] == 3 and chosen["latitude"] == 9
    response = client.post(url, {name: "" if i is None else str(i) for name, i in chosen.items()})
    assert response.status_code == 302
    lits = d.Service.objects.get(name="Lits d'urgence")
    assert lits.cost_options.get().option == "shared_cost" and lits.cost_options.get().amount == 250
    assert lits.service_at_locations.get().location.latitude == 19.55
    assert {language.code for language in lits.languages.all()} == {"fr", "ht"}
    assert d.Organisation.objects.get(name="Abri du Nord (fictive)").acronym == "ADN"


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_imported(
    client_for, coordinator
) -> None:
    client = client_for(coordinator)
    bad = [
        GOOD[0],
        [
            "Abri du Nord (fictive)",
            "ADN",
            "",
            "SHEL-TEMP",
            "gratuit",
            "",
            "HT04",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "Autre (fictive)",
            "",
            "Soins",
            "SOINS-X",
            "cher",
            "beaucoup",
            "HT01",
            "",
            "",
            "95",
            "",
            "",
            "",
        ],
    ]
    url = upload(client, csv_file(bad))
    chosen = {f.name: i for f, i in client.get(url).context["fields"]}
    response = client.post(url, {name: "" if i is None else str(i) for name, i in chosen.items()})
    assert response.status_code == 400
    problems = {(p.row, p.column) for p in response.context["problems"]}
    assert (3, "Service") in problems
    assert {(4, "Catégories"), (4, "Coût"), (4, "Montant"), (4, "Latitude")} <= problems
    assert d.Service.objects.count() == 0


def test_xlsx_is_read(client_for, coordinator) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in GOOD:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(coordinator)
    url = upload(client, SimpleUploadedFile("repertoire.xlsx", buffer.getvalue()))
    chosen = {f.name: i for f, i in client.get(url).context["fields"]}
    assert (
        client.post(url, {n: "" if i is None else str(i) for n, i in chosen.items()}).status_code
        == 302
    )
    assert d.Service.objects.filter(name="Repas chauds").exists()


def test_wrong_files_are_refused(client_for, coordinator) -> None:
    client = client_for(coordinator)
    response = client.post(
        "/manage/import/", {"file": SimpleUploadedFile("notes.txt", b"hello"), "country": "HT"}
    )
    assert response.status_code == 400
    empty = client.post(
        "/manage/import/", {"file": SimpleUploadedFile("vide.csv", b""), "country": "HT"}
    )
    assert empty.status_code == 400
    url = upload(client, SimpleUploadedFile("blanc.csv", b";;\n;;\n"))
    problems = client.get(url).context["problems"]
    assert [(p.row, p.column) for p in problems] == [(0, "")] and problems[0].message


def test_only_coordinators_import_and_tickets_are_personal(
    client_for, coordinator, make_user, organisation, colleague
) -> None:
    assert client_for(colleague).get("/manage/import/").status_code == 403
    url = upload(client_for(coordinator), csv_file(GOOD))
    other = make_user("coord2@a.example", organisation, "coordinator")
    assert client_for(other).get(url).status_code == 404
    assert client_for(coordinator).get("/manage/import/forged-token/").status_code == 404
