"""The returns API: movements, manifests, arrivals, tokens and the advance-list endpoint, scoped
like the pages (404 for outsiders, 403 without the capability), with JSON errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from orienta.accounts import services as account_services
from orienta.accounts.models import Membership
from orienta.accounts.roles import Role
from orienta.audit.models import AuditEvent
from orienta.returns import services
from orienta.returns.models import ListToken, Manifest, ManifestRow, Movement
from tests.returns_helpers import HEADER, load_haiti, manifest, movement

pytestmark = pytest.mark.django_db

URL = "/api/v1/returns"
HAITI = ZoneInfo("America/Port-au-Prince")
LIST = (
    HEADER
    + "Pierre;Jean;M;12/03/1990;HT;\n"
    + "Pierre;Ti Jo;M;01/06/2014;HT;\n"
    + "Joseph;Nadège;F;03/03/2011;HT;\n"
    + "Absent;Paul;M;01/01/1980;HT;\n"
)
MIXED = (
    HEADER
    + "Pierre;Jean;M;12/03/1990;haitiana;001-1234567-8\n"  # 2 fine
    + "Joseph;Marie;F;31/02/1995;HT;\n"  # 3 bad date
    + "Louis;Anne;Z;01/01/1988;HT;\n"  # 4 unknown sex code
    + "Célestin;Rosemène;Femenino;1979-07-04;Haïti;P123\n"  # 5 fine
)


class Api:
    """A client calling the API with a personal API token, as an integration would."""

    def __init__(self, user: Any) -> None:
        raw = account_services.create_api_token(acting_user=user, name="tests")[1]
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(URL + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            URL + path, body or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            URL + path, body, content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, name: str, data: bytes, **form: str) -> Any:
        return self.client.post(
            URL + path, {"file": SimpleUploadedFile(name, data), **form}, headers=self.headers
        )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]
    return body


@pytest.fixture(autouse=True)
def haiti(db: None) -> None:
    load_haiti()


@pytest.fixture
def convoy(reception_officer: Any, organisation: Any) -> Movement:
    moved = movement(reception_officer, organisation)
    manifest(reception_officer, moved, LIST)
    return moved


@pytest.fixture
def desk(reception_officer: Any) -> Api:
    return Api(reception_officer)


@pytest.fixture
def issuer(make_user: Any, organisation: Any) -> Any:
    """A coordinator who also receives arrivals: the lists sent with their tokens import."""
    user = make_user("issuer@a.example", organisation, Role.COORDINATOR)
    Membership.objects.create(user=user, organisation=organisation, role=Role.RECEPTION_OFFICER)
    return user


def new_movement(api: Api, **extra: Any) -> Any:
    body = {
        "mode": "land",
        "origin_country": "DO",
        "entry_point": "HT-MALPASSE",
        "scheduled_at": "2030-01-05T21:30",
        "reference": "Convoi 12",
        **extra,
    }
    return api.post("/movements", body)


# --- Movements -----------------------------------------------------------------------------


def test_a_movement_is_recorded_read_listed_and_changed(desk: Api, organisation: Any) -> None:
    created = new_movement(desk, announced_headcount=40)
    assert created.status_code == 201, created.json()
    body = created.json()
    # 21:30 in Port-au-Prince (UTC−5 in January) is 02:30 UTC the next day.
    assert datetime.fromisoformat(body["scheduled_at"]) == datetime(2030, 1, 6, 2, 30, tzinfo=UTC)
    assert body["scheduled_local"] == "2030-01-05T21:30"
    assert body["organisation_id"] == str(organisation.pk) and body["entry_point"] == "HT-MALPASSE"
    assert body["version"] == 1 and body["status"] == "announced"
    assert body["reconciliation"] == {
        "listed": 0,
        "arrived": 0,
        "absent": 0,
        "absent_row_ids": [],
        "not_listed": 0,
        "matches": True,
    }
    aware = new_movement(desk, scheduled_at="2030-01-07T12:00:00+00:00", entry_point="HT-PAP-AIR")
    assert aware.json()["scheduled_local"] == "2030-01-07T07:00"
    movement_id = body["id"]

    assert desk.get(f"/movements/{movement_id}").json()["announced_headcount"] == 40
    listed = desk.get("/movements").json()
    assert [m["id"] for m in listed["items"]] == [aware.json()["id"], movement_id]
    assert listed["next_cursor"] == ""
    ids = lambda **params: [m["id"] for m in desk.get("/movements", **params).json()["items"]]  # noqa: E731
    assert ids(entry_point="HT-MALPASSE") == [movement_id]
    assert ids(origin="do", status="announced") == [aware.json()["id"], movement_id]
    assert ids(origin="US") == [] and ids(status="cancelled") == []
    # Days are read on the entry point's clock: the 5th in Haiti, though the 6th in UTC.
    assert ids(date_from="2030-01-05", date_to="2030-01-05") == [movement_id]
    assert ids(date_from="2030-01-06", date_to="2030-01-06") == []
    assert ids(date_from="2030-01-06") == [aware.json()["id"]]

    changed = desk.patch(
        f"/movements/{movement_id}",
        {"version": 1, "reference": "Convoi 12 bis", "scheduled_at": "2030-01-05T22:00"},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2 and changed.json()["reference"] == "Convoi 12 bis"
    assert changed.json()["scheduled_local"] == "2030-01-05T22:00"
    assert changed.json()["announced_headcount"] == 40  # what was not sent is kept
    stale = desk.patch(f"/movements/{movement_id}", {"version": 1, "notes": "late"})
    assert_error(stale, 409, "conflict")
    assert Movement.objects.get(pk=movement_id).notes == ""
    cancelled = desk.patch(f"/movements/{movement_id}", {"version": 2, "status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    assert AuditEvent.objects.filter(action="returns.movement.updated").count() == 2


def test_bad_movement_input(desk: Api) -> None:
    body = assert_error(new_movement(desk, entry_point="HT-NOWHERE"), 400, "invalid")
    assert body["details"] == {"field": "entry_point"}
    body = assert_error(new_movement(desk, scheduled_at="tomorrow noon"), 400, "invalid")
    assert body["details"] == {"field": "scheduled_at"}
    body = assert_error(new_movement(desk, notice_received_at="2020-13-01T10:00"), 400, "invalid")
    assert body["details"] == {"field": "notice_received_at"}
    body = assert_error(new_movement(desk, origin_country="D1"), 400, "invalid")
    assert body["details"] == {"field": "origin_country"}
    body = assert_error(new_movement(desk, mode="plane"), 422, "invalid")
    assert body["details"]["errors"][0]["loc"][-1] == "mode"
    created = new_movement(desk).json()
    body = assert_error(
        desk.patch(f"/movements/{created['id']}", {"version": 1, "mode": None}), 400, "invalid"
    )
    assert body["details"] == {"field": "mode"}
    for name in ("reference", "notes", "consular_access_refused"):
        emptied = desk.patch(f"/movements/{created['id']}", {"version": 1, name: None})
        assert assert_error(emptied, 400, "invalid")["details"] == {"field": name}
    cleared = desk.patch(f"/movements/{created['id']}", {"version": 1, "announced_headcount": None})
    assert cleared.status_code == 200 and cleared.json()["announced_headcount"] is None
    assert Movement.objects.count() == 1


def test_the_organisation_is_chosen_when_the_caller_acts_for_several(
    make_user: Any, organisation: Any, other_organisation: Any
) -> None:
    user = make_user("both@a.example", organisation, Role.RECEPTION_OFFICER)
    Membership.objects.create(
        user=user, organisation=other_organisation, role=Role.RECEPTION_OFFICER
    )
    api = Api(user)
    assert_error(new_movement(api), 400, "invalid")
    created = new_movement(api, organisation=str(other_organisation.pk))
    assert created.status_code == 201
    assert created.json()["organisation_id"] == str(other_organisation.pk)


def test_a_movement_elsewhere_cannot_be_chosen(desk: Api, other_organisation: Any) -> None:
    assert_error(new_movement(desk, organisation=str(other_organisation.pk)), 404, "not_found")


def test_movements_come_in_keyset_pages(desk: Api) -> None:
    made = [
        new_movement(desk, scheduled_at=f"2030-01-0{day}T10:00").json()["id"] for day in (1, 2, 3)
    ]
    first = desk.get("/movements", limit=2).json()
    assert [m["id"] for m in first["items"]] == [made[2], made[1]] and first["next_cursor"]
    second = desk.get("/movements", limit=2, after=first["next_cursor"]).json()
    assert [m["id"] for m in second["items"]] == [made[0]] and second["next_cursor"] == ""


def test_the_movement_list_costs_the_same_for_many_movements(
    desk: Api, reception_officer: Any, organisation: Any, django_assert_num_queries: Any
) -> None:
    movement(reception_officer, organisation)
    desk.get("/movements")  # the token's first use is recorded once
    # The token, the caller's roles, the movements with their entry points.
    with django_assert_num_queries(3):
        assert len(desk.get("/movements").json()["items"]) == 1
    for hours in range(3, 9):
        movement(
            reception_officer, organisation, scheduled_at=timezone.now() + timedelta(hours=hours)
        )
    with django_assert_num_queries(3):
        assert len(desk.get("/movements").json()["items"]) == 7
    with django_assert_num_queries(4):  # days: the entry points' time zones, once
        desk.get("/movements", date_from=timezone.localdate().isoformat())


# --- Manifests and rows ------------------------------------------------------------------


def test_a_list_is_uploaded_its_rejected_rows_listed_and_fixed(desk: Api, convoy: Movement) -> None:
    response = desk.upload(
        f"/movements/{convoy.pk}/manifests", "list.csv", MIXED.encode(), source="DGM"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["accepted"], body["rejected"], body["already_listed"]) == (2, 2, 0)
    assert {(r["row"], r["column"]) for r in body["rejected_rows"]} == {
        (3, "Fecha de nacimiento"),
        (4, "Sexo"),
    }
    assert all(r["reason"] and r["row_id"] for r in body["rejected_rows"])
    assert Manifest.objects.get(pk=body["manifest_id"]).source == "DGM"

    rejected = desk.get(f"/movements/{convoy.pk}/rows", status="rejected").json()["items"]
    assert [r["row"] for r in rejected] == [3, 4]
    assert rejected[0]["problems"][0]["column"] == "Fecha de nacimiento"
    assert len(desk.get(f"/movements/{convoy.pk}/rows").json()["items"]) == 4 + 4
    date_row, sex_row = rejected[0]["id"], rejected[1]["id"]

    still_bad = desk.patch(f"/rows/{date_row}", {"cells": {"Fecha de nacimiento": "30/02/1995"}})
    assert still_bad.status_code == 200 and still_bad.json()["status"] == "rejected"
    assert still_bad.json()["problems"][0]["column"] == "Fecha de nacimiento"
    fixed = desk.patch(f"/rows/{date_row}", {"cells": {"Fecha de nacimiento": "28/02/1995"}})
    assert fixed.status_code == 200 and fixed.json()["status"] == "accepted"
    assert fixed.json()["birth_date"] == "1995-02-28" and fixed.json()["problems"] == []
    by_field = desk.patch(f"/rows/{sex_row}", {"cells": {"sex": "F"}})  # a field name will do
    assert by_field.json()["status"] == "accepted" and by_field.json()["sex"] == "female"

    assert_error(desk.patch(f"/rows/{date_row}", {"cells": {"Sexo": "M"}}), 400, "conflict")
    body = assert_error(
        desk.patch(f"/rows/{date_row}", {"cells": {"Shoe size": "42"}}), 400, "invalid"
    )
    assert body["details"]["column"] == "Shoe size"
    assert_error(desk.patch(f"/rows/{date_row}", {"cells": {}}), 422, "invalid")
    assert desk.get(f"/movements/{convoy.pk}/rows", status="rejected").json()["items"] == []


def test_rows_come_in_pages(desk: Api, convoy: Movement) -> None:
    first = desk.get(f"/movements/{convoy.pk}/rows", limit=3).json()
    assert [r["row"] for r in first["items"]] == [2, 3, 4] and first["next_cursor"]
    rest = desk.get(f"/movements/{convoy.pk}/rows", limit=3, after=first["next_cursor"]).json()
    assert [r["row"] for r in rest["items"]] == [5] and rest["next_cursor"] == ""


def test_an_unusable_file_is_400_with_its_problems(desk: Api, convoy: Movement) -> None:
    before = Manifest.objects.count()
    body = assert_error(
        desk.upload(f"/movements/{convoy.pk}/manifests", "list.csv", b"Sexo;Edad\nM;30\n"),
        400,
        "unusable_file",
    )
    assert body["details"]["problems"] == [
        {
            "row": 1,
            "column": "family_name",
            "reason": "Aucune colonne n’indique le nom de famille : choisissez-la.",
        }
    ]
    body = assert_error(
        desk.upload(f"/movements/{convoy.pk}/manifests", "list.xlsx", b"not a workbook"),
        400,
        "unusable_file",
    )
    assert body["details"]["problems"][0]["row"] == 0
    assert Manifest.objects.count() == before
    missing = desk.client.post(f"{URL}/movements/{convoy.pk}/manifests", {}, headers=desk.headers)
    assert_error(missing, 422, "invalid")


# --- Arrivals, assistance, steps ---------------------------------------------------------


def test_check_in_assistance_steps_and_the_reconciliation(desk: Api, convoy: Movement) -> None:
    jean = ManifestRow.objects.get(given_name="Jean")
    arrival = desk.post(
        f"/movements/{convoy.pk}/arrivals",
        {"listed": jean.pk, "age_group": "adult", "accompaniment": "alone", "documents": "id_card"},
    )
    assert arrival.status_code == 201, arrival.json()
    body = arrival.json()
    assert body["listed_id"] == jean.pk and body["person_id"] and body["case_id"]
    steps = {s["rule"]: s for s in body["steps"]}
    assert set(steps) == {"onm-registration", "water-food"}
    assert all(s["action"] and s["responsible"] and s["due_at"] for s in steps.values())
    assert not any(s["done_at"] or s["overdue"] for s in steps.values())

    child = desk.post(
        f"/movements/{convoy.pk}/arrivals",
        {
            "listed": ManifestRow.objects.get(given_name="Nadège").pk,
            "age_group": "child",
            "accompaniment": "alone",
            "documents": "none",
            "best_interests_reference": "IBESR-MAL-0042",
        },
    ).json()
    assert child["accompaniment"] == "unaccompanied"
    ibesr = next(s for s in child["steps"] if s["rule"] == "ibesr-child")
    assert ibesr["responsible"] == "IBESR" and ibesr["referral_id"]
    with_father = desk.post(
        f"/movements/{convoy.pk}/arrivals",
        {
            "listed": ManifestRow.objects.get(given_name="Ti Jo").pk,
            "accompanied_by": body["id"],
            "age_group": "child",
            "accompaniment": "with_family",
            "documents": "none",
        },
    )
    assert with_father.status_code == 201, with_father.json()
    walk_in = {"age_group": "adult", "accompaniment": "alone", "documents": "none"}
    nameless = desk.post(f"/movements/{convoy.pk}/arrivals", {**walk_in, "family_name": "Inconnu"})
    assert assert_error(nameless, 400, "invalid")["details"] == {"field": "given_name"}
    walk_in = desk.post(
        f"/movements/{convoy.pk}/arrivals",
        {**walk_in, "family_name": "Inconnu", "given_name": "Jean"},
    )
    assert walk_in.status_code == 201 and walk_in.json()["listed_id"] is None

    listed = desk.get(f"/movements/{convoy.pk}/arrivals").json()
    assert [a["id"] for a in listed][0] == body["id"] and len(listed) == 4
    detail = desk.get(f"/movements/{convoy.pk}").json()
    assert detail["status"] == "arrived" and detail["arrived_at"]
    absent = ManifestRow.objects.get(given_name="Paul").pk
    assert detail["reconciliation"] == {
        "listed": 4,
        "arrived": 4,
        "absent": 1,
        "absent_row_ids": [absent],
        "not_listed": 1,
        "matches": False,
    }
    assert len(detail["manifests"]) == 1 and detail["manifests"][0]["rows_total"] == 4

    given = desk.post(f"/arrivals/{body['id']}/assistance", {"kind": "water_food", "quantity": 2})
    assert given.status_code == 201 and given.json()["quantity"] == 2
    body_ = assert_error(
        desk.post(f"/arrivals/{body['id']}/assistance", {"kind": "transport"}), 400, "invalid"
    )
    assert body_["details"] == {"field": "amount"}
    fare = desk.post(f"/arrivals/{body['id']}/assistance", {"kind": "transport", "amount": "2500"})
    assert fare.status_code == 201 and float(fare.json()["amount"]) == 2500
    assert_error(desk.post(f"/arrivals/{body['id']}/assistance", {"kind": "cash"}), 422, "invalid")
    assistance = desk.get(f"/movements/{convoy.pk}/arrivals").json()[0]["assistance"]
    assert [a["kind"] for a in assistance] == ["water_food", "transport"]

    step = steps["water-food"]["id"]
    done = desk.post(f"/steps/{step}/done", {"note": "Given at the tent"})
    assert (
        done.status_code == 200
        and done.json()["done_at"]
        and done.json()["note"] == "Given at the tent"
    )
    assert_error(desk.post(f"/steps/{step}/done"), 400, "conflict")


def test_bad_check_ins(
    desk: Api, convoy: Movement, reception_officer: Any, organisation: Any
) -> None:
    base = {"age_group": "adult", "accompaniment": "alone", "documents": "id_card"}
    body = assert_error(desk.post(f"/movements/{convoy.pk}/arrivals", base), 400, "invalid")
    assert body["details"] == {"field": "family_name"}
    elsewhere = movement(reception_officer, organisation, entry_point="HT-BELLADERE")
    manifest(reception_officer, elsewhere, HEADER + "Autre;Liste;M;01/01/1990;HT;\n")
    other_row = ManifestRow.objects.get(movement=elsewhere)
    body = assert_error(
        desk.post(f"/movements/{convoy.pk}/arrivals", {**base, "listed": other_row.pk}),
        400,
        "invalid",
    )
    assert body["details"] == {"field": "listed"}
    assert_error(
        desk.post(f"/movements/{convoy.pk}/arrivals", {**base, "age_group": "baby"}), 422, "invalid"
    )
    jean = {**base, "listed": ManifestRow.objects.get(given_name="Jean").pk}
    assert desk.post(f"/movements/{convoy.pk}/arrivals", jean).status_code == 201
    assert_error(desk.post(f"/movements/{convoy.pk}/arrivals", jean), 409, "conflict")


# --- Scoping and capabilities -----------------------------------------------------------


def test_an_outsider_gets_404_on_every_object_and_sees_nothing(
    desk: Api, convoy: Movement, outsider: Any, make_user: Any, other_organisation: Any
) -> None:
    arrival = desk.post(
        f"/movements/{convoy.pk}/arrivals",
        {
            "listed": ManifestRow.objects.get(given_name="Jean").pk,
            "age_group": "adult",
            "accompaniment": "alone",
            "documents": "id_card",
        },
    ).json()
    row = ManifestRow.objects.filter(movement=convoy).first()
    assert row is not None
    step = arrival["steps"][0]["id"]
    # Reception officers of B: they may do all of this in B, nothing in A.
    theirs = Api(make_user("desk@b.example", other_organisation, Role.RECEPTION_OFFICER))
    for api in (Api(outsider), theirs):
        for path in (
            f"/movements/{convoy.pk}",
            f"/movements/{convoy.pk}/rows",
            f"/movements/{convoy.pk}/arrivals",
        ):
            assert_error(api.get(path), 404, "not_found")
        assert api.get("/movements").json()["items"] == []
    for response in (
        theirs.patch(f"/movements/{convoy.pk}", {"version": 1, "notes": "x"}),
        theirs.upload(f"/movements/{convoy.pk}/manifests", "list.csv", LIST.encode()),
        theirs.patch(f"/rows/{row.pk}", {"cells": {"Sexo": "F"}}),
        theirs.post(
            f"/movements/{convoy.pk}/arrivals",
            {
                "family_name": "X",
                "age_group": "adult",
                "accompaniment": "alone",
                "documents": "none",
            },
        ),
        theirs.post(f"/arrivals/{arrival['id']}/assistance", {"kind": "water_food"}),
        theirs.post(f"/steps/{step}/done"),
    ):
        assert_error(response, 404, "not_found")
    assert Movement.objects.get(pk=convoy.pk).version == 1


def test_without_the_capability_it_is_403(
    coordinator: Any, owner: Any, reception_officer: Any, convoy: Movement
) -> None:
    for path in ("/movements", f"/movements/{convoy.pk}", f"/movements/{convoy.pk}/rows"):
        assert_error(Api(coordinator).get(path), 403, "permission_denied")
    # A case supervisor sees the movements of the organisation, and changes none of them.
    supervisor = Api(owner)
    assert supervisor.get(f"/movements/{convoy.pk}").status_code == 200
    assert_error(new_movement(supervisor), 403, "permission_denied")
    assert_error(
        supervisor.patch(f"/movements/{convoy.pk}", {"version": 1, "notes": "x"}),
        403,
        "permission_denied",
    )
    # Tokens belong to the reception office that receives the lists, not to coordinators.
    assert_error(Api(coordinator).get("/tokens"), 403, "permission_denied")
    assert_error(
        Api(coordinator).post("/tokens", {"name": "DGM", "origin_country": "DO"}),
        403,
        "permission_denied",
    )


# --- Tokens ------------------------------------------------------------------------------


def test_the_reception_office_issues_lists_and_revokes_tokens(
    reception_officer: Any, issuer: Any, make_user: Any, other_organisation: Any
) -> None:
    api = Api(reception_officer)
    issued = api.post("/tokens", {"name": "DGM Dajabón", "origin_country": "do"})
    assert issued.status_code == 201, issued.json()
    body = issued.json()
    assert body["token"].startswith("ol_") and body["origin_country"] == "DO"
    assert body["usable"] is True
    assert Api(issuer).post("/tokens", {"name": "OIM", "origin_country": "DO"}).json()["usable"]
    listed = api.get("/tokens").json()
    assert [t["name"] for t in listed] == ["OIM", "DGM Dajabón"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert_error(api.post("/tokens", {"name": " ", "origin_country": "DO"}), 400, "invalid")

    other = Api(make_user("reception@b.example", other_organisation, Role.RECEPTION_OFFICER))
    assert other.get("/tokens").json() == []
    assert_error(other.post(f"/tokens/{body['id']}/revoke"), 404, "not_found")
    revoked = api.post(f"/tokens/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert services.token_for(body["token"]) is None


# --- The advance-list endpoint -----------------------------------------------------------


def advance_list(**extra: Any) -> dict[str, Any]:
    return {
        "reference": "DGM-2030-0105",
        "mode": "land",
        "entry_point": "HT-MALPASSE",
        "scheduled_arrival": "2030-01-05T09:00",
        "headcount": 3,
        "persons": [
            {
                "family_name": "Pierre",
                "given_name": "Jean",
                "sex": "M",
                "birth_date": "1990-03-12",
                "nationality": "HT",
                "document_number": "001-1234567-8",
            },
            {
                "family_name": "Louis, dit Ti Louis",
                "given_name": "Anne",
                "sex": "Z",
                "birth_date": None,
                "nationality": "HT",
                "document_number": "",
            },
            {
                "family_name": "Célestin",
                "given_name": "Rosemène",
                "sex": "femenino",
                "birth_date": "2099-01-01",
                "nationality": "haitiana",
                "document_number": "P123",
            },
        ],
        **extra,
    }


def send(raw: str | None, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {raw}"} if raw is not None else {}
    return Client().post(
        f"{URL}/advance-lists", body, content_type="application/json", headers=headers
    )


@pytest.fixture
def list_token(issuer: Any, organisation: Any) -> str:
    return services.issue_token(
        acting_user=issuer, organisation=organisation, name="DGM Dajabón", origin_country="DO"
    )[1]


def test_an_advance_list_creates_the_movement_with_its_rows(
    list_token: str, issuer: Any, organisation: Any
) -> None:
    before = timezone.now()
    response = send(list_token, advance_list())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] is True and body["accepted"] == 1 and body["rejected"] == 2
    assert {(r["row"], r["column"]) for r in body["rejected_rows"]} == {
        (3, "sex"),
        (4, "birth_date"),
    }
    assert all(r["reason"] for r in body["rejected_rows"])
    moved = Movement.objects.get(pk=body["movement_id"])
    assert moved.organisation == organisation and moved.origin_country == "DO"
    assert moved.scheduled_at == datetime(2030, 1, 5, 9, 0, tzinfo=HAITI)
    assert moved.reference == "DGM-2030-0105" and moved.announced_headcount == 3
    assert moved.notice_received_at and moved.notice_received_at >= before
    assert moved.list_received_at and moved.list_received_at >= before
    rows = ManifestRow.objects.filter(movement=moved).order_by("row_number")
    assert [(r.row_number, r.status) for r in rows] == [
        (2, "accepted"),
        (3, "rejected"),
        (4, "rejected"),
    ]
    assert rows[0].birth_date.isoformat() == "1990-03-12" and rows[0].nationality == "HT"
    # A comma in a name survives the list written as CSV.
    assert rows[1].cells["family_name"] == "Louis, dit Ti Louis"
    assert rows.first().manifest.source == "DGM Dajabón"  # type: ignore[union-attr]
    received = AuditEvent.objects.get(action="returns.advance_list.received")
    assert received.actor_id is None and received.object_id == str(moved.pk)
    assert received.changes["sender"] == "DGM Dajabón" and received.changes["accepted"] == 1
    imported = AuditEvent.objects.get(action="returns.manifest.imported")
    assert imported.actor_id == issuer.pk
    assert ListToken.objects.get().last_used_at is not None

    again = send(list_token, advance_list()).json()
    assert again["movement_id"] == body["movement_id"] and again["created"] is False
    assert (again["accepted"], again["already_listed"], again["rejected"]) == (0, 1, 2)
    assert Movement.objects.count() == 1


def test_an_advance_list_joins_the_movement_on_record(
    list_token: str, reception_officer: Any, organisation: Any
) -> None:
    point_time = datetime(2030, 1, 5, 9, 0, tzinfo=HAITI)
    on_record = movement(reception_officer, organisation, scheduled_at=point_time)
    body = send(list_token, advance_list()).json()
    assert body["movement_id"] == str(on_record.pk) and body["created"] is False
    on_record.refresh_from_db()
    assert on_record.list_received_at is not None


def test_advance_lists_need_a_valid_token(
    list_token: str, issuer: Any, organisation: Any, make_user: Any
) -> None:
    for raw in (
        None,
        "ol_wrong",
        account_services.create_api_token(acting_user=issuer, name="x")[1],
    ):
        assert_error(send(raw, advance_list()), 401, "not_authenticated")
    expired, expired_raw = services.issue_token(
        acting_user=issuer, organisation=organisation, name="Old", origin_country="DO"
    )
    ListToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert_error(send(expired_raw, advance_list()), 401, "not_authenticated")
    services.revoke_token(acting_user=issuer, token=ListToken.objects.get(name="DGM Dajabón"))
    assert_error(send(list_token, advance_list()), 401, "not_authenticated")
    # Issued by an officer who has since left the reception office: to be reissued.
    leaver = make_user("leaver@a.example", organisation, Role.RECEPTION_OFFICER)
    _token, raw = services.issue_token(
        acting_user=leaver, organisation=organisation, name="Partner", origin_country="DO"
    )
    Membership.objects.filter(user=leaver).delete()
    body = assert_error(send(raw, advance_list()), 403, "permission_denied")
    assert "nouveau jeton" in body["message"]
    assert Movement.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"mode": "plane"}, "mode"),
        ({"scheduled_arrival": "05/01/2030 09:00"}, "scheduled_arrival"),
        ({"scheduled_arrival": "2030-02-30T09:00"}, "scheduled_arrival"),
        ({"persons": []}, "persons"),
        ({"persons": [{"given_name": "No family name"}]}, "family_name"),
        ({"persons": [{"family_name": "X", "birth_date": "12/03/1990"}]}, "birth_date"),
        ({"headcount": -1}, "headcount"),
        ({"reference": None}, "reference"),
    ],
)
def test_an_invalid_advance_list_is_422(
    list_token: str, change: dict[str, Any], where: str
) -> None:
    body = assert_error(send(list_token, advance_list(**change)), 422, "invalid")
    assert any(where in error["loc"] for error in body["details"]["errors"]), body
    assert Movement.objects.count() == 0


def test_a_malformed_or_unknown_advance_list(list_token: str) -> None:
    wrong = Client().post(
        f"{URL}/advance-lists",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {list_token}"},
    )
    assert 400 <= wrong.status_code < 500 and wrong.json()["code"]
    body = assert_error(send(list_token, advance_list(entry_point="HT-NOWHERE")), 400, "invalid")
    assert body["details"] == {"field": "entry_point"}
    assert Movement.objects.count() == 0


def test_the_openapi_document_describes_the_advance_list() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    validate(document)
    schemas = document["components"]["schemas"]
    advance = schemas["AdvanceListIn"]
    assert set(advance["required"]) >= {
        "reference",
        "mode",
        "entry_point",
        "scheduled_arrival",
        "persons",
    }
    assert advance["properties"]["persons"]["items"] == {
        "$ref": "#/components/schemas/AdvanceListPersonIn"
    }
    assert set(schemas["AdvanceListPersonIn"]["properties"]) == {
        "family_name",
        "given_name",
        "sex",
        "birth_date",
        "nationality",
        "document_number",
    }
    operation = document["paths"]["/api/v1/returns/advance-lists"]["post"]
    assert operation["security"] == [{"ListTokenAuth": []}]
    assert "AdvanceListIn" in str(operation["requestBody"])
    assert document["paths"]["/api/v1/returns/movements"]["get"]["security"] != [
        {"ListTokenAuth": []}
    ]
