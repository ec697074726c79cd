"""Return statistics: hand-counted figures, local days and months, small-cell suppression and
who sees exact numbers, the page and the HXL-tagged CSV.

The rule applied (that of the referral dashboard): small cells are hidden unless the user
already sees every arrival counted one by one (`returns.view_movements` everywhere, or the
figures restricted to a receiving organisation where the user holds it). So an analyst and a
coordinator see small cells hidden (and those that would give them away: complementary
suppression, see tests/test_suppression.py); a reception officer sees them hidden for the
mechanism and the exact count for their own organisation."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from orienta.accounts.roles import Role
from orienta.returns import checkin
from orienta.returns import statistics as figures
from orienta.returns.models import Arrival
from tests.returns_helpers import load_haiti, local, movement, profile

pytestmark = pytest.mark.django_db

URL = "/returns/statistics/"
CSV_URL = "/returns/statistics.csv"
NAMES = ("Dorsainvil", "Wilner", "Célestin", "Mackenson")


@pytest.fixture
def analyst(make_user: Any, other_organisation: Any) -> Any:
    return make_user("analyst@b.example", other_organisation, Role.ANALYST)


@pytest.fixture
def committee_member(make_user: Any, other_organisation: Any) -> Any:
    return make_user("committee@b.example", other_organisation, Role.COMMITTEE_MEMBER)


@pytest.fixture
def returns(
    reception_officer: Any, make_user: Any, organisation: Any, other_organisation: Any
) -> dict[str, Any]:
    """A convoy from the Dominican Republic at Malpasse received by A: five men, three women
    (one pregnant, one with a medical urgency), one of them an unaccompanied boy, one a repeat
    returnee; all checked in at 21:30 on 31 March 2026, Haiti time (1 April in UTC). A flight
    from the United States at Cap-Haïtien received by B: one woman, on 2 April."""
    load_haiti()
    convoy = movement(reception_officer, organisation, scheduled_at=local("2026-03-31T20:00"))
    people = [
        profile(given_name="Wilner", family_name="Dorsainvil", sex="male"),
        profile(given_name="Jean", family_name="Célestin", sex="male", medical_urgency=True),
        profile(given_name="Pierre", family_name="Mackenson", sex="male"),
        profile(given_name="Paul", family_name="Augustin", sex="male"),
        profile(
            given_name="Ti",
            family_name="Jacques",
            sex="male",
            age_group="child",
            stated_age=15,
            accompaniment="alone",
            best_interests_reference="IBESR-7",
        ),
        profile(given_name="Marie", family_name="Joseph", sex="female", pregnant=True),
        profile(given_name="Rose", family_name="Louis", sex="female"),
        profile(given_name="Anne", family_name="Michel", sex="female"),
    ]
    for person in people:
        checkin.check_in(acting_user=reception_officer, movement=convoy, profile=person)
    Arrival.objects.filter(movement=convoy).update(checked_in_at=local("2026-03-31T21:30"))
    repeat = Arrival.objects.filter(movement=convoy, sex="female", pregnant=False).first()
    assert repeat is not None
    Arrival.objects.filter(pk=repeat.pk).update(repeat_return=True)

    officer_b = make_user("reception@b.example", other_organisation, Role.RECEPTION_OFFICER)
    flight = movement(
        officer_b,
        other_organisation,
        origin_country="US",
        entry_point="HT-CAP-AIR",
        mode="flight",
        scheduled_at=local("2026-04-02T09:00"),
    )
    checkin.check_in(
        acting_user=officer_b,
        movement=flight,
        profile=profile(given_name="Nadège", family_name="Pierre-Louis", sex="female"),
    )
    Arrival.objects.filter(movement=flight).update(checked_in_at=local("2026-04-02T10:00"))
    return {"convoy": convoy, "flight": flight, "officer_b": officer_b}


def values(table: figures.Table) -> dict[str, int | None]:
    return {row.key: row.returns.value for row in table.rows}


def shown(table: figures.Table) -> dict[str, str]:
    return {row.key: str(row.returns) for row in table.rows}


# --- The figures ---------------------------------------------------------------------------


def test_exact_figures_for_a_reception_officer_of_the_organisation(
    reception_officer: Any, organisation: Any, returns: Any
) -> None:
    stats = figures.compute(reception_officer, figures.Filters(organisation_id=organisation.pk))
    assert stats.threshold == 0 and not stats.suppressing
    assert stats.total.value == 8
    assert values(stats.table("origin_country")) == {"DO": 8}
    assert values(stats.table("mode")) == {"flight": 0, "boat": 0, "land": 8}
    assert values(stats.table("entry_point")) == {"HT-MALPASSE": 8}
    assert values(stats.table("sex")) == {"female": 3, "male": 5, "other": 0, "unknown": 0}
    assert values(stats.table("age_group")) == {"child": 1, "adult": 7, "older": 0, "unknown": 0}
    assert values(stats.table("vulnerability")) == {
        "unaccompanied_child": 1,
        "medical_urgency": 1,
        "pregnant": 1,
        "disability": 0,
        "abuse_reported": 0,
    }
    assert values(stats.table("repeat_return")) == {"repeat": 1}
    # 21:30 on 31 March in Haiti is 1 April in UTC: the month is March.
    assert values(stats.table("month")) == {"2026-03": 8}


def test_the_mechanism_with_small_cells_hidden_for_an_analyst_and_a_coordinator(
    analyst: Any, coordinator: Any, returns: Any
) -> None:
    for user in (analyst, coordinator):
        stats = figures.compute(user)
        assert stats.threshold == 5 and stats.suppressing
        assert str(stats.total) == "9"
        # 4 women: hidden; then 5 men too, or 9 - 5 would give the 4 away.
        assert values(stats.table("sex")) == {
            "female": None,
            "male": None,
            "other": 0,
            "unknown": 0,
        }
        sex = {row.key: row.returns for row in stats.table("sex").rows}
        assert sex["female"].reason == "primary" and sex["male"].reason == "complementary"
        assert str(sex["female"]) == str(sex["male"])  # they look the same
        assert values(stats.table("origin_country")) == {"DO": None, "US": None}
        assert values(stats.table("mode"))["flight"] is None
        assert values(stats.table("month")) == {"2026-03": None, "2026-04": None}
        assert values(stats.table("vulnerability"))["pregnant"] is None
        assert stats.exact_organisations == []


def test_a_reception_officer_sees_exact_numbers_for_their_organisation_only(
    reception_officer: Any, organisation: Any, other_organisation: Any, returns: Any
) -> None:
    mechanism = figures.compute(reception_officer)
    assert mechanism.suppressing and mechanism.table("sex").rows[0].returns.suppressed
    assert [pk for pk, _name in mechanism.exact_organisations] == [organisation.pk]
    other = figures.compute(
        reception_officer, figures.Filters(organisation_id=other_organisation.pk)
    )
    assert other.suppressing and other.total.suppressed  # 1
    with override_settings(ORIENTA_SMALL_CELL=10):
        ten = figures.compute(reception_officer).total
        assert ten.suppressed and ten.threshold == 10  # 9


def test_filters_by_local_period_origin_and_entry_point(analyst: Any, returns: Any) -> None:
    april = figures.compute(analyst, figures.Filters(since=local("2026-04-01T00:00").date()))
    assert april.total == figures.compute(analyst, figures.Filters(origin="us")).total
    assert values(april.table("origin_country")) == {"US": None}
    march = figures.compute(analyst, figures.Filters(until=local("2026-03-31T00:00").date()))
    assert march.total.value == 8
    point = figures.compute(analyst, figures.Filters(entry_point="HT-MALPASSE"))
    assert point.filters.entry_point == "HT-MALPASSE" and point.total.value == 8
    unknown = figures.compute(analyst, figures.Filters(origin="ZZ", entry_point="NOWHERE"))
    assert unknown.filters.origin == "" and unknown.filters.entry_point == ""
    assert unknown.total.value == 9


def test_no_capability_no_statistics(colleague: Any, committee_member: Any) -> None:
    for user in (colleague, committee_member):
        with pytest.raises(PermissionDenied):
            figures.compute(user)


# --- The page and the CSV ------------------------------------------------------------------


def test_the_pages_need_the_capability(
    client: Any, client_for: Any, colleague: Any, committee_member: Any
) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    for user in (colleague, committee_member):
        assert client_for(user).get(URL).status_code == 403
        assert client_for(user).get(CSV_URL).status_code == 403


def test_the_page_for_an_analyst_hides_small_cells_and_shows_no_person(
    client_for: Any, analyst: Any, returns: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(analyst)
    client.get(URL)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "masqué" in page  # "hidden", in the default language
    assert "<caption>" in page and '<th scope="col">' in page and '<th scope="row">' in page
    for name in NAMES:
        assert name not in page


def test_the_page_for_a_coordinator_and_a_reception_officer(
    client_for: Any, coordinator: Any, reception_officer: Any, organisation: Any, returns: Any
) -> None:
    assert "masqué" in client_for(coordinator).get(URL).content.decode()
    officer = client_for(reception_officer)
    own = officer.get(URL, {"organisation": str(organisation.pk)})
    assert own.context["stats"].threshold == 0
    page = own.content.decode()
    assert "masqué" not in page
    assert f'value="{organisation.pk}" selected' in page
    female = next(r for r in own.context["stats"].table("sex").rows if r.key == "female")
    assert str(female.returns) == "3"
    bad = officer.get(URL, {"since": "2026-04-10", "until": "2026-04-01", "organisation": "x"})
    assert bad.status_code == 200 and bad.context["form"].errors["until"]


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_the_hxl_row_and_hides_small_cells(
    client_for: Any, analyst: Any, returns: Any
) -> None:
    rows = _csv(client_for(analyst).get(CSV_URL))
    assert rows[1] == [tag for _title, tag in figures.HXL_COLUMNS]
    assert rows[1][0] == "#indicator+breakdown+code"
    for tag in ("#country+origin+code", "#loc+entry+code", "#affected+returnees", "#date+month"):
        assert tag in rows[1]
    assert all(tag.startswith("#") for tag in rows[1])
    assert len({len(row) for row in rows}) == 1
    by = {(row[0], row[1]): row for row in rows[2:]}
    assert by[("total", "all")][9] == "9"
    assert by[("sex", "female")][9:] == ["masqué", "1"]
    assert by[("sex", "male")][9:] == ["masqué", "1"]  # as on the page: 9 - 5 would give 4
    assert by[("origin_country", "US")][3] == "US"
    assert by[("month", "2026-03")][5] == "2026-03" and by[("month", "2026-03")][9] == "masqué"
    assert by[("entry_point", "HT-MALPASSE")][4] == "HT-MALPASSE"
    text = "\n".join(",".join(row) for row in rows)
    for name in NAMES:
        assert name not in text


def test_the_csv_for_the_own_organisation_is_exact_and_carries_the_filters(
    client_for: Any, reception_officer: Any, organisation: Any, returns: Any
) -> None:
    rows = _csv(
        client_for(reception_officer).get(
            CSV_URL, {"organisation": str(organisation.pk), "origin": "DO", "since": "2026-03-01"}
        )
    )
    by = {(row[0], row[1]): row for row in rows[2:]}
    assert by[("sex", "female")][9:] == ["3", "0"]
    assert by[("sex", "female")][3] == "DO"  # the origin filtered on, on every row
    assert by[("sex", "female")][6] == "2026-03-01"
    assert by[("sex", "female")][8] == organisation.name
