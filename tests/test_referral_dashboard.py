"""The referral dashboard: hand-computed figures, small-cell suppression, who sees what."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone, translation
from ninja import NinjaAPI
from ninja.testing import TestClient

from orienta.accounts.roles import Role
from orienta.api import errors
from orienta.api.auth import AUTH
from orienta.directory.models import Organisation
from orienta.indicators.suppression import Reason
from orienta.referrals.api_dashboard import router
from orienta.referrals.choices import ReferralStatus as S
from orienta.referrals.dashboard import Cell, Dashboard, compute, rate, suppress
from orienta.referrals.models import Referral
from tests.cases_helpers import register_case

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def shelter_org(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Abri Espoir (fictif)", acronym="AE", kind="ngo", country="HT"
    )


@pytest.fixture
def clinic(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Clinique Sainte-Croix (fictive)", acronym="CSC", kind="ngo", country="HT"
    )


@pytest.fixture
def analyst(make_user, other_organisation):
    return make_user("analyst@b.example", other_organisation, Role.ANALYST)


@pytest.fixture
def referrals(nrm, colleague, outsider, organisation, other_organisation, shelter_org, clinic):
    """Twelve referrals sent by A (seven to the shelter, five to the clinic), one by B to the
    clinic, one draft of A. Referral k was sent on T0 + (k - 1) days; waits in hours."""
    case_a = register_case(colleague, organisation)
    case_b = register_case(outsider, other_organisation)
    past, future = T0 + timedelta(days=1), timezone.now() + timedelta(days=1)
    rows = [
        # (recipient, category, status, ack h, answered h, started h, override, acknowledge_by)
        (shelter_org, "SHEL-TEMP", S.COMPLETED, 2, 3, 10, False, past),
        (shelter_org, "SHEL-TEMP", S.COMPLETED, 4, 5, 20, False, past),
        (shelter_org, "SHEL-SAFE", S.COMPLETED, 6, 7, 30, False, past),
        (shelter_org, "HEALTH-PRIM", S.NOT_COMPLETED, 8, 9, 40, False, past),
        (shelter_org, "SHEL-TEMP", S.DECLINED, 10, 10, None, False, past),
        (shelter_org, "SHEL-TEMP", S.SENT, None, None, None, False, past),  # overdue
        (shelter_org, "HEALTH-PRIM", S.ACCEPTED, 1, 2, None, True, past),
        (clinic, "SHEL-TEMP", S.SENT, None, None, None, True, past),  # overdue
        (clinic, "SHEL-TEMP", S.SENT, None, None, None, False, future),
        (clinic, "HEALTH-PRIM", S.ACKNOWLEDGED, 5, None, None, False, past),
        (clinic, "HEALTH-PRIM", S.DECLINED, 3, 4, None, False, past),
        (clinic, "SHEL-TEMP", S.CANCELLED, None, None, None, True, past),
    ]

    def at(sent: datetime, hours: int | None) -> datetime | None:
        return None if hours is None else sent + hours * H

    objects = []
    for day, (recipient, category, status, ack, answered, started, override, due) in enumerate(
        rows
    ):
        sent = T0 + timedelta(days=day)
        objects.append(
            Referral(
                case=case_a,
                category=category,
                sender_organisation=organisation,
                recipient_organisation=recipient,
                status=status,
                sent_at=sent,
                acknowledged_at=at(sent, ack),
                answered_at=at(sent, answered),
                started_at=at(sent, started),
                emergency_override=override,
                acknowledge_by=due,
            )
        )
    objects.append(  # B's: expired, without a category
        Referral(
            case=case_b,
            sender_organisation=other_organisation,
            recipient_organisation=clinic,
            status=S.EXPIRED,
            sent_at=T0 + timedelta(days=12),
            acknowledge_by=past,
        )
    )
    objects.append(  # never sent: counts nowhere
        Referral(
            case=case_a,
            category="SHEL-TEMP",
            sender_organisation=organisation,
            recipient_organisation=clinic,
        )
    )
    return Referral.objects.bulk_create(objects)


def _statuses(dashboard: Dashboard, key: str) -> dict[str, Cell]:
    table = next(t for t in dashboard.status_tables if t.key == key)
    return {row.status: row.referrals for row in table.rows}


def _row(rows, key):
    return next(r for r in rows if r.key == str(key))


# --- the pure parts ------------------------------------------------------------------------


def test_suppress_hides_small_counts_only():
    assert suppress(0, 5) == Cell(0, False, 5)
    assert suppress(3, 5) == Cell(None, True, 5)
    assert suppress(3, 5).reason == Reason.PRIMARY
    with translation.override("en"):
        # Every hidden cell looks the same, small or hidden to protect a small one.
        assert str(suppress(3, 5)) == "hidden"
    assert suppress(5, 5).value == 5
    assert suppress(3, 0).value == 3  # exact numbers
    assert suppress(9, 10).suppressed


def test_a_rate_is_hidden_under_the_threshold_or_when_it_gives_a_small_count_away():
    assert rate(5, 10, 5).percent == 50
    assert rate(5, 7, 5).suppressed  # 7 - 5 would give the 2 not accepted away
    assert rate(5, 7, 5).numerator.suppressed and rate(5, 7, 5).denominator.value == 7
    assert rate(3, 4, 5).suppressed and rate(3, 4, 5).percent is None
    assert rate(2, 10, 5).suppressed  # 20 % of 10 is the hidden 2
    assert rate(0, 10, 5).percent == 0
    assert not rate(0, 0, 5).suppressed and rate(0, 0, 5).percent is None
    assert rate(3, 4, 0).percent == 75


# --- the figures ---------------------------------------------------------------------------


def test_mechanism_figures_for_a_coordinator_with_small_cells_hidden(
    coordinator, referrals, shelter_org, clinic
):
    dashboard = compute(coordinator)
    assert dashboard.mechanism and dashboard.threshold == 5
    assert [t.key for t in dashboard.status_tables] == ["all"]
    statuses = _statuses(dashboard, "all")
    assert "draft" not in statuses
    assert statuses["completed"] == Cell(None, True, 5)  # 3
    assert statuses["in_progress"] == Cell(0, False, 5)
    assert statuses["sent"].suppressed
    assert dashboard.status_tables[0].referrals.value == 13
    totals = dashboard.totals
    assert totals.referrals.value == 13
    assert totals.overdue.suppressed  # 2
    assert totals.overridden.suppressed  # 3
    assert totals.time_to_acknowledge.hours == 4.5  # 1 2 3 4 | 5 6 8 10
    assert totals.time_to_service.suppressed  # four durations only
    # 5 / 7: shown, 7 - 5 would give the 2 answered and declined away; the numerator is
    # hidden (complementary suppression), and with it the rate.
    assert totals.acceptance.suppressed and totals.acceptance.percent is None
    assert (totals.acceptance.numerator.value, totals.acceptance.denominator.value) == (None, 7)
    assert totals.completion.suppressed and totals.completion.percent is None  # 3 / 4

    shelter = _row(dashboard.by_organisation, shelter_org.pk)
    assert shelter.referrals.value == 7  # a cell of 7 is exact
    assert shelter.overridden.suppressed and shelter.overdue.suppressed
    # 6 acknowledged of 8: shown, 8 - 6 would give the clinic's 2 away (complement).
    assert shelter.time_to_acknowledge.suppressed
    assert shelter.time_to_acknowledge.count.reason == Reason.COMPLEMENTARY
    assert shelter.acceptance.suppressed  # 5 / 6, and the total's 5 is hidden
    assert shelter.completion.suppressed
    clinic_row = _row(dashboard.by_organisation, clinic.pk)
    assert clinic_row.referrals.value == 6  # B's included
    assert clinic_row.time_to_acknowledge.suppressed  # two durations
    assert clinic_row.acceptance.suppressed  # 0 / 1
    assert [r.label for r in dashboard.by_organisation] == [shelter_org.name, clinic.name]

    categories = {r.key: r for r in dashboard.by_category}
    assert list(categories) == ["HEALTH", "SHEL", ""]
    assert categories["SHEL"].referrals.value == 8
    assert categories["SHEL"].label == "Hébergement"
    assert categories["HEALTH"].referrals.suppressed  # 4
    assert categories[""].referrals.suppressed  # B's, no category
    with translation.override("en"):
        assert str(categories["SHEL"].acceptance) == "hidden"  # 3 / 4


def test_a_supervisor_sees_exact_numbers_of_their_own_organisation_only(
    owner, referrals, shelter_org, clinic
):
    dashboard = compute(owner)
    assert not dashboard.mechanism and dashboard.threshold == 0
    sent = _statuses(dashboard, "sent")
    assert {k: v.value for k, v in sent.items()} == {
        "sent": 3,
        "acknowledged": 1,
        "accepted": 1,
        "declined": 2,
        "in_progress": 0,
        "completed": 3,
        "not_completed": 1,
        "cancelled": 1,
        "expired": 0,  # B's expired referral is not A's
    }
    assert all(c.value == 0 for c in _statuses(dashboard, "received").values())
    totals = dashboard.totals
    assert totals.referrals.value == 12
    assert totals.overdue.value == 2
    assert totals.overridden.value == 3
    assert totals.time_to_acknowledge.hours == 4.5
    assert totals.time_to_service.hours == 25  # 10 20 | 30 40
    assert totals.completion.percent == 75
    assert str(totals.completion) == "75% (3/4)"

    shelter = _row(dashboard.by_organisation, shelter_org.pk)
    assert (shelter.referrals.value, shelter.overridden.value, shelter.overdue.value) == (7, 1, 1)
    assert shelter.time_to_service.hours == 25
    assert shelter.completion.percent == 75
    clinic_row = _row(dashboard.by_organisation, clinic.pk)
    assert (clinic_row.referrals.value, clinic_row.overridden.value) == (5, 2)
    assert clinic_row.overdue.value == 1
    assert clinic_row.time_to_acknowledge.hours == 4  # 3 | 5
    assert clinic_row.time_to_service.hours is None
    assert clinic_row.acceptance.percent == 0  # 0 / 1
    assert clinic_row.completion.percent is None

    categories = {r.key: r for r in dashboard.by_category}
    assert list(categories) == ["HEALTH", "SHEL"]
    shelter_cat, health = categories["SHEL"], categories["HEALTH"]
    assert (shelter_cat.referrals.value, shelter_cat.overridden.value) == (8, 2)
    assert shelter_cat.overdue.value == 2
    assert shelter_cat.time_to_acknowledge.hours == 5  # 2 4 | 6 10
    assert shelter_cat.time_to_service.hours == 20
    assert shelter_cat.acceptance.percent == 75  # 3 / 4
    assert shelter_cat.completion.percent == 100
    assert (health.referrals.value, health.overridden.value, health.overdue.value) == (4, 1, 0)
    assert health.time_to_acknowledge.hours == 4  # 1 3 | 5 8
    assert health.time_to_service.hours == 40
    assert health.acceptance.percent == pytest.approx(66.7)  # 2 / 3
    assert health.completion.percent == 0  # 0 / 1


def test_filters_by_dates_and_receiving_organisation(owner, referrals, shelter_org, clinic):
    first_five = compute(owner, until=date(2025, 3, 7))
    assert first_five.totals.referrals.value == 5
    assert [r.key for r in first_five.by_organisation] == [str(shelter_org.pk)]
    assert compute(owner, since=date(2025, 3, 10)).totals.referrals.value == 5  # 8 to 12
    to_clinic = compute(owner, organisation_id=clinic.pk)
    assert to_clinic.organisation_id == clinic.pk
    assert to_clinic.totals.referrals.value == 5
    # The filter may choose the receiving organisations the user sees, no other.
    assert [pk for pk, _name in to_clinic.organisations] == [shelter_org.pk, clinic.pk]
    unknown = compute(owner, organisation_id=uuid.uuid4())
    assert unknown.organisation_id is None and unknown.totals.referrals.value == 12


def test_an_outsider_supervisor_sees_none_of_a_numbers(outsider, referrals, clinic):
    dashboard = compute(outsider)
    assert dashboard.totals.referrals.value == 1  # B's own referral
    assert [r.key for r in dashboard.by_organisation] == [str(clinic.pk)]
    assert _statuses(dashboard, "sent")["expired"].value == 1
    assert sum(c.value or 0 for c in _statuses(dashboard, "sent").values()) == 1


def test_an_analyst_sees_the_mechanism_suppressed(analyst, referrals):
    dashboard = compute(analyst)
    assert dashboard.mechanism and dashboard.suppressing
    assert dashboard.totals.overridden == Cell(None, True, 5)


# --- the page ------------------------------------------------------------------------------

URL = "/referrals/dashboard/"


def test_the_page_needs_the_capability(client, client_for, colleague):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client_for(colleague).get(URL).status_code == 403


def test_the_page_for_an_analyst_shows_no_person_and_hides_small_cells(
    client_for, analyst, referrals, django_assert_max_num_queries
):
    client = client_for(analyst)
    client.get(URL)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "masqué" in page  # "hidden", in the default language
    assert '<th scope="col">' in page and "<caption>" in page
    assert "Abri Espoir (fictif)" in page
    for referral in referrals:
        assert referral.reference not in page
        assert str(referral.case_id) not in page
    assert "/cases/" not in page
    assert "Dorsainvil" not in page and "Wilner" not in page


def test_the_page_for_a_supervisor_and_an_outsider(client_for, owner, outsider, referrals, clinic):
    page = client_for(owner).get(URL, {"organisation": str(clinic.pk)}).content.decode()
    assert "masqué" not in page
    assert f'value="{clinic.pk}" selected' in page
    outside = client_for(outsider).get(URL).content.decode()
    assert "Abri Espoir" not in outside


def test_the_page_reports_bad_dates_and_keeps_the_good_ones(client_for, owner, referrals):
    response = client_for(owner).get(URL, {"since": "2025-03-10", "until": "2025-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["until"]
    assert response.context["dashboard"].totals.referrals.value == 5
    response = client_for(owner).get(URL, {"since": "not a date", "organisation": "x"})
    assert response.context["dashboard"].totals.referrals.value == 12


# --- the API -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> TestClient:
    # The router is mounted in orienta/api/urls.py; here on an API of its own, as it would be.
    app = NinjaAPI(auth=AUTH, urls_namespace="test-referral-dashboard")
    errors.install(app)
    app.add_router("/", router)
    return TestClient(app)


def test_the_api_gives_null_for_hidden_cells(api, analyst, referrals, shelter_org):
    response = api.get("/referrals/dashboard", user=analyst)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "scope",
        "small_cell_threshold",
        "filters",
        "organisations",
        "totals",
        "status_tables",
        "by_organisation",
        "by_category",
    }
    assert body["scope"] == "mechanism" and body["small_cell_threshold"] == 5
    statuses = {row["status"]: row["referrals"] for row in body["status_tables"][0]["rows"]}
    assert statuses["completed"] == {"value": None, "suppressed": True}
    assert statuses["in_progress"] == {"value": 0, "suppressed": False}
    shelter = next(r for r in body["by_organisation"] if r["key"] == str(shelter_org.pk))
    assert shelter["referrals"] == {"value": 7, "suppressed": False}
    assert shelter["overridden"] == {"value": None, "suppressed": True}
    totals = body["totals"]
    assert totals["time_to_acknowledge"] == {
        "hours": 4.5,
        "count": {"value": 8, "suppressed": False},
        "suppressed": False,
    }
    assert totals["completion"] == {
        "percent": None,
        "numerator": {"value": None, "suppressed": True},
        "denominator": {"value": None, "suppressed": True},
        "suppressed": True,
    }
    assert "reference" not in response.content.decode()


def test_the_api_for_a_supervisor_filters_and_refuses(api, owner, colleague, referrals, clinic):
    body = api.get(
        f"/referrals/dashboard?since=2025-03-01&organisation={clinic.pk}", user=owner
    ).json()
    assert body["scope"] == "organisation" and body["small_cell_threshold"] == 0
    assert body["filters"] == {"since": "2025-03-01", "until": None, "organisation": str(clinic.pk)}
    assert body["totals"]["referrals"] == {"value": 5, "suppressed": False}
    assert [t["key"] for t in body["status_tables"]] == ["sent", "received"]
    denied = api.get("/referrals/dashboard", user=colleague)
    assert denied.status_code == 403
    assert denied.json()["code"] == "permission_denied"
    assert (
        api.get("/referrals/dashboard?since=2025-03-10&until=2025-03-01", user=owner).status_code
        == 422
    )
