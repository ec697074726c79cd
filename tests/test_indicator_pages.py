"""The indicator dashboards and their exports as pages: who reaches them, filters that do not
parse, the XLSX and CSV with their HXL row and hidden cells, the PDF, a filter by entry point
against hand-counted figures, the public statistics page, and a number of queries that does not
grow with the records counted.

The fixture (hand-counted): A's reception officer checks in ten people from the Dominican
Republic at Malpasse (land, five men and five women, March 2026) and three from the United
States at Cap-Haïtien airport (flight, one man and two women, April 2026). The analyst and the
coordinator see no case one by one, so counts under ORIENTA_SMALL_CELL (5) other than 0 are
hidden, and those that would give one away.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from orienta.accounts.roles import Role
from orienta.indicators.definitions import load_indicators
from orienta.indicators.exports import COLUMNS
from orienta.indicators.refresh import rebuild
from orienta.returns import checkin
from orienta.returns.models import Arrival
from tests.returns_helpers import load_haiti, local, movement, profile

pytestmark = pytest.mark.django_db

CODES = ("operations", "returns", "reintegration")
EXPORTS = ("figures.xlsx", "figures.csv", "figures.pdf")
HIDDEN = "masqué"  # "hidden", in the default language (French)
MALPASSE, CAP = "HT-MALPASSE", "HT-CAP-AIR"
NAMES = ("Dorsainvil", "Célestin", "Pierre-Louis")

# Columns of the figures (exports.COLUMNS).
CODE, BREAKDOWN, CATEGORY, VALUE, SUPPRESSED, ENTRY_POINT = 0, 2, 3, 5, 7, 10


def pages(code: str) -> list[str]:
    return [f"/indicators/{code}/"] + [f"/indicators/{code}/{name}" for name in EXPORTS]


ALL_URLS = ["/indicators/"] + [url for code in CODES for url in pages(code)]


@pytest.fixture
def analyst(make_user: Any, other_organisation: Any) -> Any:
    """An analyst of B: the figures of A's arrivals are the mechanism's, not B's."""
    return make_user("analyst@b.example", other_organisation, Role.ANALYST)


def check_in_people(officer: Any, convoy: Any, people: list[tuple[str, str]], at: str) -> None:
    for number, (family_name, sex) in enumerate(people):
        checkin.check_in(
            acting_user=officer,
            movement=convoy,
            profile=profile(given_name=f"Personne{number}", family_name=family_name, sex=sex),
        )
    Arrival.objects.filter(movement=convoy).update(checked_in_at=local(at))


@pytest.fixture
def arrivals(reception_officer: Any, organisation: Any) -> dict[str, Any]:
    """Ten arrivals at Malpasse from DO in March, three at Cap-Haïtien from US in April."""
    load_haiti()
    load_indicators("nrm")
    convoy = movement(reception_officer, organisation, scheduled_at=local("2026-03-10T10:00"))
    check_in_people(
        reception_officer,
        convoy,
        [("Dorsainvil", "male")] * 5 + [("Célestin", "female")] * 5,
        "2026-03-10T11:00",
    )
    flight = movement(
        reception_officer,
        organisation,
        origin_country="US",
        entry_point=CAP,
        mode="flight",
        scheduled_at=local("2026-04-02T09:00"),
    )
    check_in_people(
        reception_officer,
        flight,
        [("Pierre-Louis", "male")] + [("Pierre-Louis", "female")] * 2,
        "2026-04-02T10:00",
    )
    rebuild()
    return {"convoy": convoy, "flight": flight}


def text(response: Any) -> str:
    return response.content.decode()


# --- Who reaches the pages ---------------------------------------------------------------------


def test_anonymous_visitors_go_to_log_in(arrivals: Any) -> None:
    for url in ALL_URLS:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_roles_without_the_capability_get_403(
    client_for: Any,
    make_user: Any,
    organisation: Any,
    colleague: Any,
    owner: Any,
    reception_officer: Any,
    focal_point: Any,
    policy_officer: Any,
) -> None:
    committee = make_user("committee@a.example", organisation, Role.COMMITTEE_MEMBER)
    nobody = make_user("nobody@a.example")  # an account without any membership
    for user in (colleague, owner, reception_officer, focal_point, policy_officer, committee):
        client = client_for(user)
        for url in ALL_URLS:
            assert client.get(url).status_code == 403, (user.email, url)
    for url in ALL_URLS:
        assert client_for(nobody).get(url).status_code == 403, url


def test_analysts_coordinators_and_the_administrator_read_every_page_and_export(
    client_for: Any, analyst: Any, coordinator: Any, admin_user: Any, arrivals: Any
) -> None:
    for user in (analyst, coordinator, admin_user):
        client = client_for(user)
        for url in ALL_URLS:
            response = client.get(url)
            assert response.status_code == 200, (user.email, url)
            if url.endswith((".xlsx", ".csv", ".pdf")):
                assert response["Cache-Control"] == "no-store", url
            if url.endswith((".xlsx", ".csv")):
                assert response["Content-Disposition"].startswith("attachment;"), url
            if not url.endswith((".xlsx", ".pdf")):
                for name in NAMES:  # figures only: nobody counted is named
                    assert name not in text(response), (url, name)


def test_an_unknown_dashboard_is_404(client_for: Any, analyst: Any) -> None:
    client = client_for(analyst)
    for code in ("nonsense", "governance", "RETURNS"):
        for url in pages(code):
            assert client.get(url).status_code == 404, url


# --- Filters that do not parse: shown or left out, never a server error ------------------------


BAD_FILTERS: list[dict[str, str]] = [
    {"since": "2026-13"},
    {"since": "2026-04", "until": "2026-03"},
    {"by": "nonsense"},
    {"organisation": "not-a-uuid"},
    {"since": "x" * 500, "until": "2026-02-30", "origin_country": "USA", "entry_point": "x" * 40},
    {"by": "total"},
    {"entry_point": "NOWHERE", "origin_country": "zz"},
]


def test_bad_filters_are_shown_or_left_out_never_a_server_error(
    client_for: Any, analyst: Any, arrivals: Any
) -> None:
    client = client_for(analyst)
    for query in BAD_FILTERS:
        for code in CODES:
            for url in pages(code):
                response = client.get(url, query)
                assert response.status_code == 200, (url, query)
    since = client.get("/indicators/returns/", {"since": "2026-13"})
    assert since.context["form"].errors["since"]
    assert 'id="since-errors"' in text(since) and "is-invalid" in text(since)
    assert since.context["page"].filters.since is None
    assert since.context["page"].key_figures[0].total.number == 13  # nothing left out

    backwards = client.get("/indicators/returns/", {"since": "2026-04", "until": "2026-03"})
    assert backwards.context["form"].errors["until"]
    assert 'id="until-errors"' in text(backwards)
    filters = backwards.context["page"].filters
    assert (f"{filters.since:%Y-%m}", filters.until) == ("2026-04", None)  # the end left out
    assert backwards.context["page"].key_figures[0].total.suppressed  # April: the 3 of the flight

    nonsense = client.get("/indicators/returns/", {"by": "nonsense"})
    assert nonsense.context["page"].by == "entry_point"  # the dashboard's own default
    assert 'value="entry_point" selected' in text(nonsense)
    assert client.get("/indicators/returns/", {"by": "total"}).context["page"].by == "entry_point"

    organisation = client.get("/indicators/returns/", {"organisation": "not-a-uuid"})
    assert organisation.context["page"].filters.organisation == ""
    assert organisation.context["page"].key_figures[0].total.number == 13


# --- The figures and their files ---------------------------------------------------------------


def figures(page: Any) -> dict[tuple[str, str, str], Any]:
    """What the page shows: (indicator, breakdown, category) → Value."""
    found = {(tile.indicator.code, "total", ""): tile.total for tile in page.key_figures}
    for tile in page.tiles:
        for row in tile.rows:
            found[(tile.indicator.code, tile.breakdown, row.key)] = row.value
    return found


def shown(page: Any, code: str) -> dict[str, str]:
    """The categories of an indicator's tile as the page prints them, and its total."""
    tile = next(t for t in page.tiles if t.indicator.code == code)
    return {row.key: str(row.value) for row in tile.rows} | {"all": str(tile.total)}


def key_figure(page: Any, code: str) -> str:
    return str(next(t.total for t in page.key_figures if t.indicator.code == code))


def check_rows(rows: list[list[Any]], page: Any, hidden: str = HIDDEN) -> None:
    """The file's rows are the page's figures, one for one; a hidden one says so and is
    flagged, never a number."""
    expected = figures(page)
    seen = set()
    for row in rows:
        key = (row[CODE], row[BREAKDOWN], row[CATEGORY] or "")
        assert key in expected, key
        seen.add(key)
        value = expected[key]
        if value.suppressed:
            assert (row[VALUE], str(row[SUPPRESSED])) == (hidden, "1"), row
        else:
            assert str(row[SUPPRESSED]) == "0", row
            assert row[VALUE] not in (hidden, "masqué", "hidden"), row
            if value.number is not None:
                assert float(row[VALUE]) == pytest.approx(value.number, abs=1e-3), row
    assert seen == set(expected)


def test_hand_counted_figures_and_a_filter_by_entry_point(
    client_for: Any, analyst: Any, arrivals: Any
) -> None:
    client = client_for(analyst)
    everything = client.get("/indicators/returns/").context["page"]
    assert key_figure(everything, "ret-returns") == "13"
    assert key_figure(everything, "ret-movements") == HIDDEN  # 2
    # By entry point: 3 at Cap-Haïtien is hidden, and 10 at Malpasse too, or 13 - 10 gives 3.
    assert shown(everything, "ret-returns") == {CAP: HIDDEN, MALPASSE: HIDDEN, "all": "13"}
    by_sex = client.get("/indicators/returns/", {"by": "sex"}).context["page"]
    assert shown(by_sex, "ret-returns") == {
        "female": "7",
        "male": "6",
        "other": "0",
        "unknown": "0",
        "all": "13",
    }

    malpasse = client.get("/indicators/returns/", {"entry_point": MALPASSE})
    assert f'<option value="{MALPASSE}" selected>' in text(malpasse)
    page = malpasse.context["page"]
    assert page.filters.entry_point == MALPASSE
    assert key_figure(page, "ret-returns") == "10"
    assert shown(page, "ret-returns") == {MALPASSE: "10", "all": "10"}
    both = client.get("/indicators/returns/", {"entry_point": MALPASSE, "by": "sex"})
    assert shown(both.context["page"], "ret-returns") == {
        "female": "5",
        "male": "5",
        "other": "0",
        "unknown": "0",
        "all": "10",
    }
    cap = client.get("/indicators/returns/", {"entry_point": CAP}).context["page"]
    assert key_figure(cap, "ret-returns") == HIDDEN  # 3
    assert shown(cap, "ret-returns") == {CAP: HIDDEN, "all": HIDDEN}
    # The period and the country returned from filter the same cells.
    march = client.get("/indicators/returns/", {"since": "2026-03", "until": "2026-03"})
    assert key_figure(march.context["page"], "ret-returns") == "10"
    dominican = client.get("/indicators/returns/", {"origin_country": "do"})
    assert key_figure(dominican.context["page"], "ret-returns") == "10"
    # The links to the files carry the filters.
    assert f"/indicators/returns/figures.xlsx?entry_point={MALPASSE}" in text(malpasse)


def test_the_xlsx_has_the_titles_the_hxl_row_and_the_page_figures(
    client_for: Any, coordinator: Any, arrivals: Any
) -> None:
    client = client_for(coordinator)
    for query in ({}, {"entry_point": MALPASSE, "by": "sex"}, {"by": "month"}):
        page = client.get("/indicators/returns/", query).context["page"]
        response = client.get("/indicators/returns/figures.xlsx", query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert ".xlsx" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        rows = [
            ["" if cell is None else cell for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        with translation.override("fr"):
            assert rows[0] == [str(title) for title, _tag in COLUMNS]
        assert rows[1] == [tag for _title, tag in COLUMNS]
        assert rows[1][0] == "#indicator+code"
        assert all(tag.startswith("#") for tag in rows[1])
        check_rows(rows[2:], page)
        assert all(row[ENTRY_POINT] == query.get("entry_point", "") for row in rows[2:])
        # One sheet per tile, with the indicator's own hashtag.
        assert len(book.worksheets) == 1 + len(page.tiles)
        first = book.worksheets[1]
        assert first.cell(row=3, column=2).value == page.tiles[0].indicator.hxl
        assert first.cell(row=3, column=3).value == "#meta+suppressed"

    rows = [
        list(row)
        for row in load_workbook(io.BytesIO(client.get("/indicators/returns/figures.xlsx").content))
        .worksheets[0]
        .iter_rows(min_row=3, values_only=True)
    ]
    by_key = {(r[CODE], r[BREAKDOWN], r[CATEGORY] or ""): r for r in rows}
    assert by_key[("ret-returns", "total", "")][VALUE] == 13  # a number, not text
    for category in (CAP, MALPASSE):
        assert by_key[("ret-returns", "entry_point", category)][VALUE] == HIDDEN
        assert by_key[("ret-returns", "entry_point", category)][SUPPRESSED] == "1"
    assert by_key[("ret-movements", "total", "")][VALUE] == HIDDEN


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_the_hxl_row_and_the_page_figures(
    client_for: Any, analyst: Any, arrivals: Any
) -> None:
    client = client_for(analyst)
    for code in CODES:
        for query in ({}, {"entry_point": MALPASSE}, {"by": "sex", "since": "2026-04"}):
            page = client.get(f"/indicators/{code}/", query).context["page"]
            rows = read_csv(client.get(f"/indicators/{code}/figures.csv", query))
            assert rows[1] == [tag for _title, tag in COLUMNS]
            assert len({len(row) for row in rows}) == 1
            check_rows(rows[2:], page)
    rows = read_csv(client.get("/indicators/returns/figures.csv", {"entry_point": MALPASSE}))
    by_key = {(r[CODE], r[BREAKDOWN], r[CATEGORY]): r for r in rows[2:]}
    assert by_key[("ret-returns", "total", "")][VALUE] == "10"
    assert by_key[("ret-returns", "entry_point", MALPASSE)][VALUE] == "10"
    assert by_key[("ret-movements", "total", "")][VALUE : SUPPRESSED + 1] == [HIDDEN, "count", "1"]
    assert all(row[ENTRY_POINT] == MALPASSE for row in rows[2:])
    # In English, a hidden cell says so in English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = read_csv(client.get("/indicators/returns/figures.csv"))
    assert english[1] == [tag for _title, tag in COLUMNS]
    hidden = [row for row in english[2:] if row[SUPPRESSED] == "1"]
    assert hidden and all(row[VALUE] == "hidden" for row in hidden)


def test_the_pdf(client_for: Any, analyst: Any, arrivals: Any) -> None:
    client = client_for(analyst)
    for code in CODES:
        response = client.get(f"/indicators/{code}/figures.pdf", {"entry_point": MALPASSE})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_dashboards_without_definitions_say_so(client_for: Any, analyst: Any) -> None:
    """Before `load_indicators`: empty pages and files, not errors."""
    client = client_for(analyst)
    for code in CODES:
        for url in pages(code):
            assert client.get(url).status_code == 200, url
    assert "load_indicators" in text(client.get("/indicators/returns/"))
    assert len(read_csv(client.get("/indicators/returns/figures.csv"))) == 2


# --- The public page ---------------------------------------------------------------------------


def test_the_public_page_is_404_unless_published(client_for: Any, analyst: Any) -> None:
    assert Client().get("/statistics/").status_code == 404
    assert client_for(analyst).get("/statistics/").status_code == 404


@override_settings(ORIENTA_PUBLIC_STATISTICS=True)
def test_the_public_page_hides_small_numbers_and_has_no_filters(arrivals: Any) -> None:
    response = Client().get("/statistics/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = text(response)
    tiles = {(t.indicator.code, t.breakdown): t for t in response.context["figures"]}
    assert str(tiles[("ret-returns", "total")].total) == "13"
    countries = {row.key: row.value for row in tiles[("ret-returns", "origin_country")].rows}
    assert countries["US"].suppressed  # 3 returns from one country
    assert countries["DO"].suppressed  # and 10, or 13 - 10 would give the 3 away
    sexes = {row.key: str(row.value) for row in tiles[("ret-returns", "sex")].rows}
    assert sexes["female"] == "7" and sexes["male"] == "6"
    assert HIDDEN in body and "13" in body
    # A fixed page: no filter form, no query string changes it.
    assert 'id="filters"' not in body and 'name="since"' not in body
    assert 'name="entry_point"' not in body and 'name="by"' not in body
    filtered = Client().get("/statistics/", {"origin_country": "US", "entry_point": CAP})

    def printed(tiles: Any) -> list[tuple[str, str, list[str], str]]:
        return [
            (t.indicator.code, t.breakdown, [str(r.value) for r in t.rows], str(t.total))
            for t in tiles
        ]

    assert printed(filtered.context["figures"]) == printed(response.context["figures"])
    for name in NAMES:
        assert name not in body


@override_settings(ORIENTA_PUBLIC_STATISTICS=True)
def test_each_tile_has_its_own_id(client_for: Any, analyst: Any, arrivals: Any) -> None:
    """The public page shows one indicator by several breakdowns: each figure keeps an id of its
    own (an id given twice is invalid HTML, and a link to it lands on the first)."""
    for body in (
        text(Client().get("/statistics/")),
        text(client_for(analyst).get("/indicators/returns/")),
    ):
        ids = re.findall(r'\bid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        assert "tile-ret-returns-entry_point" in ids


@override_settings(ORIENTA_PUBLIC_STATISTICS=True, ORIENTA_SMALL_CELL=5)
def test_the_public_page_hides_small_numbers_even_for_a_user_who_sees_cases(
    client_for: Any, make_user: Any, organisation: Any, arrivals: Any
) -> None:
    supervisor = make_user("supervisor@a.example", organisation, Role.CASE_SUPERVISOR)
    body = text(client_for(supervisor).get("/statistics/"))
    assert HIDDEN in body


# --- Queries -----------------------------------------------------------------------------------


def add_arrivals(officer: Any, organisation: Any, count: int, at: str) -> None:
    convoy = movement(officer, organisation, scheduled_at=local(at))
    for number in range(count):
        checkin.check_in(
            acting_user=officer,
            movement=convoy,
            profile=profile(
                given_name=f"Personne{number}",
                family_name="Arrivée",
                sex="female" if number % 2 else "male",
                registration_consent=False,
            ),
        )
    rebuild()


def test_the_returns_dashboard_reads_as_many_queries_for_3_and_30_arrivals(
    client_for: Any,
    analyst: Any,
    reception_officer: Any,
    organisation: Any,
    django_assert_max_num_queries: Any,
) -> None:
    load_haiti()
    load_indicators("nrm")
    client = client_for(analyst)

    def count() -> int:
        client.get("/indicators/returns/")  # the session, once
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/indicators/returns/")
        assert response.status_code == 200
        return len(queries)

    add_arrivals(reception_officer, organisation, 3, "2026-03-10T10:00")
    few = count()
    add_arrivals(reception_officer, organisation, 27, "2026-04-10T10:00")
    many = count()
    assert key_figure(client.get("/indicators/returns/").context["page"], "ret-returns") == "30"
    # Session, user, roles, definitions; one SUM per subject and breakdown (arrivals and
    # movements, total and entry point); the entry points' names (once per subject); the
    # filters' choices (entry points, countries, origins, organisations).
    assert few == many <= 14
    with django_assert_max_num_queries(14):
        client.get("/indicators/returns/", {"by": "sex", "entry_point": MALPASSE})
