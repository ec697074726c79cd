"""Movement, manifest and desk pages: the officer's journey, outsiders, bad input, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orienta.returns import checkin
from orienta.returns.models import Arrival, ManifestRow, Movement
from tests.returns_helpers import HEADER, load_haiti, local, manifest, movement, profile

pytestmark = pytest.mark.django_db

LIST = HEADER + "Pierre;Jean;M;12/03/1990;HT;\nJoseph;Nadège;F;03/03/2011;HT;\nLouis;X;Z;;HT;\n"


@pytest.fixture
def convoy(reception_officer: Any, organisation: Any) -> Movement:
    load_haiti()
    moved = movement(reception_officer, organisation, scheduled_at=local("2026-11-04T10:00"))
    manifest(reception_officer, moved, LIST)
    return moved


@pytest.fixture
def arrival(reception_officer: Any, convoy: Movement) -> Arrival:
    row = ManifestRow.objects.get(given_name="Jean")
    return checkin.check_in(
        acting_user=reception_officer, movement=convoy, profile=profile(), listed=row
    )


def pages(convoy: Movement, arrival: Arrival) -> list[str]:
    row = ManifestRow.objects.get(given_name="X")
    step = arrival.steps.first()
    return [
        reverse("returns:movement", args=[convoy.pk]),
        reverse("returns:movement_edit", args=[convoy.pk]),
        reverse("returns:manifest_upload", args=[convoy.pk]),
        reverse("returns:manifest", args=[row.manifest_id]),
        reverse("returns:desk", args=[convoy.pk]),
        reverse("returns:check_in", args=[convoy.pk]) + f"?row={row.pk}",
        reverse("returns:arrival", args=[arrival.pk]),
        reverse("returns:fix_row", args=[row.pk]),
        reverse("returns:assistance", args=[arrival.pk]),
        reverse("returns:step_done", args=[step.pk]),
    ]


def test_the_officer_opens_every_page(
    client_for: Any, reception_officer: Any, convoy: Movement, arrival: Arrival
) -> None:
    client = client_for(reception_officer)
    for url in pages(convoy, arrival)[:7]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("returns:movements")).status_code == 200
    assert client.get(reverse("returns:movement_new")).status_code == 200
    board = client.get(reverse("returns:board", args=["HT-MALPASSE"]))
    assert board.status_code == 200 and "Enregistrement ONM" in board.content.decode()


def test_an_outsider_gets_404_everywhere(
    client_for: Any, make_user: Any, other_organisation: Any, convoy: Movement, arrival: Arrival
) -> None:
    stranger = make_user("reception@b.example", other_organisation, "reception_officer")
    client = client_for(stranger)
    for url in pages(convoy, arrival):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    listing = client.get(reverse("returns:movements")).content.decode()
    assert str(convoy.pk) not in listing
    board = client.get(reverse("returns:board", args=["HT-MALPASSE"])).content.decode()
    assert "Enregistrement ONM" not in board


def test_roles_without_the_capability_get_403(
    client_for: Any, make_user: Any, organisation: Any, convoy: Movement, arrival: Arrival
) -> None:
    analyst = make_user("analyst@a.example", organisation, "analyst")
    client = client_for(analyst)
    for url in [reverse("returns:movements"), *pages(convoy, arrival)]:
        assert client.get(url).status_code == 403, url


def test_recording_a_movement_with_bad_input(
    client_for: Any, reception_officer: Any, convoy: Movement
) -> None:
    client = client_for(reception_officer)
    point = convoy.entry_point
    response = client.post(
        reverse("returns:movement_new"),
        {"mode": "land", "origin_country": "1X", "entry_point": point.pk, "scheduled_at": "hier"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "invalid-feedback" in body
    response = client.post(
        reverse("returns:movement_new"),
        {
            "mode": "land",
            "origin_country": "do",
            "entry_point": point.pk,
            "scheduled_at": "2026-11-05T09:30",
            "status": "announced",
        },
    )
    assert response.status_code == 302
    made = Movement.objects.exclude(pk=convoy.pk).get()
    assert made.origin_country == "DO"
    # Typed on the border's clock: 09:30 in Port-au-Prince is 14:30 UTC in November.
    assert made.scheduled_at.isoformat() == "2026-11-05T14:30:00+00:00"


def test_editing_with_a_stale_version_is_refused(
    client_for: Any, reception_officer: Any, convoy: Movement
) -> None:
    client = client_for(reception_officer)
    data = {
        "mode": "land",
        "origin_country": "DO",
        "entry_point": convoy.entry_point.pk,
        "scheduled_at": "2026-11-04T10:00",
        "status": "arrived",
        "actual_headcount": "3",
        "version": str(convoy.version + 5),
    }
    response = client.post(reverse("returns:movement_edit", args=[convoy.pk]), data)
    assert response.status_code == 400
    data["version"] = str(convoy.version)
    assert client.post(reverse("returns:movement_edit", args=[convoy.pk]), data).status_code == 302
    convoy.refresh_from_db()
    assert convoy.actual_headcount == 3


def test_upload_map_import_and_fix(
    client_for: Any, reception_officer: Any, convoy: Movement
) -> None:
    client = client_for(reception_officer)
    sent = SimpleUploadedFile(
        "lista.csv",
        ("\ufeff" + HEADER + "Noël;Rose;F;1/2/1999;HT;\nBad;Row;F;99/99/99;HT;\n").encode(),
    )
    response = client.post(
        reverse("returns:manifest_upload", args=[convoy.pk]), {"file": sent, "source": "DGM"}
    )
    assert response.status_code == 302
    mapping = client.get(response["Location"])
    body = mapping.content.decode()
    assert mapping.status_code == 200 and "Apellidos" in body
    assert '<option value="Apellidos" selected>' in body
    done = client.post(
        response["Location"],
        {
            "family_name": "Apellidos",
            "given_name": "Nombres",
            "sex": "Sexo",
            "birth_date": "Fecha de nacimiento",
        },
    )
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "99/99/99" in page and "Fecha de nacimiento" in page
    bad = ManifestRow.objects.get(family_name="Bad")
    prefix = f"r{bad.pk}"
    position = list(bad.cells).index("Fecha de nacimiento")
    fields = {f"{prefix}-c{i}": v for i, v in enumerate(bad.cells.values())}
    fields[f"{prefix}-c{position}"] = "09/09/1999"
    assert client.post(reverse("returns:fix_row", args=[bad.pk]), fields).status_code == 302
    bad.refresh_from_db()
    assert bad.status == "accepted"


def test_an_unusable_file_says_why(
    client_for: Any, reception_officer: Any, convoy: Movement
) -> None:
    client = client_for(reception_officer)
    sent = SimpleUploadedFile("x.csv", b"colour;size\nred;1\n")
    response = client.post(reverse("returns:manifest_upload", args=[convoy.pk]), {"file": sent})
    mapping = client.get(response["Location"])
    assert mapping.status_code == 200
    response = client.post(response["Location"], {})
    assert response.status_code == 400
    wrong = SimpleUploadedFile("x.pdf", b"%PDF")
    refused = client.post(reverse("returns:manifest_upload", args=[convoy.pk]), {"file": wrong})
    assert refused.status_code == 400


def test_desk_search_and_check_in_of_an_unaccompanied_child(
    client_for: Any, reception_officer: Any, convoy: Movement
) -> None:
    client = client_for(reception_officer)
    found = client.get(
        reverse("returns:desk", args=[convoy.pk]), {"q": "nad"}, HTTP_HX_REQUEST="true"
    )
    body = found.content.decode()
    assert "Nadège" in body and "Jean" not in body and "<html" not in body
    child = ManifestRow.objects.get(given_name="Nadège")
    url = reverse("returns:check_in", args=[convoy.pk])
    missing = client.post(
        url,
        {
            "row": child.pk,
            "age_group": "child",
            "accompaniment": "unaccompanied",
            "documents": "none",
            "registration_consent": "on",
        },
    )
    assert missing.status_code == 400
    assert "IBESR" in missing.content.decode()
    done = client.post(
        url,
        {
            "row": child.pk,
            "age_group": "child",
            "accompaniment": "unaccompanied",
            "documents": "none",
            "registration_consent": "on",
            "best_interests_reference": "IBESR-7",
        },
    )
    assert done.status_code == 302
    arrival = Arrival.objects.get(listed=child)
    page = client.get(done["Location"]).content.decode()
    assert "IBESR" in page and "BPM" in page and "min" in page
    assert arrival.steps.filter(referral__isnull=False).exists()


def test_the_movement_list_has_a_fixed_number_of_queries(
    client_for: Any,
    reception_officer: Any,
    organisation: Any,
    convoy: Movement,
    django_assert_max_num_queries: Any,
) -> None:
    for hour in range(8, 18):
        movement(reception_officer, organisation, scheduled_at=local(f"2026-11-06T{hour:02d}:00"))
    client = client_for(reception_officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("returns:movements")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("returns:board", args=["HT-MALPASSE"])).status_code == 200
