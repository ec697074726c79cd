"""The indicators of the NRM pack equal figures counted by hand, for every disaggregation.

The world (tests/indicators_helpers.py) is small enough to count on paper; the tables below
were written from its description, record by record, not computed by the code under test. Each
indicator is read from the pre-aggregated cells after a `rebuild()`, through a `Board` with
exact numbers (threshold 0), its total and every disaggregation the pack gives it.

Keys "A", "B" (receiving organisations) and "P1", "P2" (referral recipients) stand for the
organisations' primary keys; "" is "not recorded". Rates are percentages; a rate or a mean with
nothing to compute it over is None."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from orienta.core.packs import load_pack
from orienta.indicators.board import Board, Filters
from orienta.indicators.dashboards import DASHBOARDS, cohort_trend, compute
from orienta.indicators.definitions import load_indicators
from orienta.indicators.exports import as_csv
from orienta.indicators.models import Indicator
from orienta.indicators.refresh import rebuild
from orienta.indicators.subjects import TOTAL
from tests.indicators_helpers import CAP, MAL, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request: pytest.FixtureRequest) -> dict[str, Any]:
    return build_world(request)


MAR, APR, MAY = "2026-03", "2026-04", "2026-05"
Table = dict[str, dict[str, float | None]]

N = None  # nothing to compute a rate or a mean over


def sexes(female: Any, male: Any, other: Any = 0, unknown: Any = 0) -> dict[str, Any]:
    return {"female": female, "male": male, "other": other, "unknown": unknown}


def ages(child: Any, adult: Any, older: Any = 0, unknown: Any = 0) -> dict[str, Any]:
    return {"child": child, "adult": adult, "older": older, "unknown": unknown}


def modes(flight: Any, boat: Any, land: Any) -> dict[str, Any]:
    return {"flight": flight, "boat": boat, "land": land}


EXPECTED: dict[str, Table] = {
    # --- Arrivals: a1…a12 -------------------------------------------------------------------
    "ret-returns": {
        TOTAL: {"": 12},
        "sex": sexes(5, 6, 0, 1),
        "age_group": ages(1, 8, 2, 1),
        "entry_point": {MAL: 7, CAP: 5},
        "origin_country": {"DO": 9, "US": 3},
        "organisation": {"A": 6, "B": 6},
        "admin_area": {"HT01": 6, "HT02": 4, "": 2},
        # a1, a2, a5 after 21:30 on 31 March in Haiti (1 April in UTC) are March's.
        "month": {MAR: 5, APR: 7},
        "mode": modes(5, 0, 7),
    },
    "ret-repeat": {  # a2, a7, a12
        TOTAL: {"": 3},
        "sex": sexes(1, 2),
        "age_group": ages(0, 3),
        "entry_point": {MAL: 1, CAP: 2},
        "origin_country": {"DO": 2, "US": 1},
        "organisation": {"A": 2, "B": 1},
        "admin_area": {"HT01": 3, "HT02": 0, "": 0},
        "month": {MAR: 1, APR: 2},
        "mode": modes(2, 0, 1),
    },
    "ret-unaccompanied": {  # a5
        TOTAL: {"": 1},
        "sex": sexes(0, 1),
        "age_group": ages(1, 0),
        "entry_point": {MAL: 1, CAP: 0},
        "origin_country": {"DO": 1, "US": 0},
        "organisation": {"A": 0, "B": 1},
        "admin_area": {"HT01": 0, "HT02": 0, "": 1},
        "month": {MAR: 1, APR: 0},
        "mode": modes(0, 0, 1),
    },
    # --- Movements: M1…M5 (M6 cancelled); with a live breach: M1, M3 --------------------------
    "ret-movements": {
        TOTAL: {"": 5},
        "entry_point": {MAL: 2, CAP: 3},
        "origin_country": {"DO": 3, "US": 2},
        "organisation": {"A": 3, "B": 2},
        "month": {MAR: 2, APR: 2, MAY: 1},  # M4, 23:30 on 31 March, is March's
        "mode": modes(3, 0, 2),
    },
    "ret-compliance": {
        TOTAL: {"": 40.0},
        "entry_point": {MAL: 50.0, CAP: 100 / 3},
        "origin_country": {"DO": 200 / 3, "US": 0.0},
        "organisation": {"A": 200 / 3, "B": 0.0},
        "month": {MAR: 50.0, APR: 50.0, MAY: 0.0},
        "mode": modes(100 / 3, N, 50.0),
    },
    # --- Cases: c1…c12 (no c6) and c13 --------------------------------------------------------
    "ops-registrations": {
        TOTAL: {"": 12},
        "sex": sexes(5, 7),
        "age_group": ages(1, 9, 2, 0),
        "entry_point": {MAL: 6, CAP: 5, "": 1},
        "origin_country": {"DO": 8, "US": 3, "": 1},
        "organisation": {"A": 6, "B": 6},
        "admin_area": {"HT01": 6, "HT02": 4, "HT03": 1, "": 1},
        "month": {MAR: 5, APR: 6, MAY: 1},
        "kind": {
            "forced_return": 10,
            "assisted_voluntary_return": 0,
            "migrant_in_transit": 0,
            "presumed_trafficking_victim": 1,
            "unaccompanied_child": 1,
            "stranded_migrant": 0,
            "other": 0,
        },
    },
    # --- Referrals: r1…r8, r10, r11 (r9 is a draft) ----------------------------------------
    "ops-referrals": {
        TOTAL: {"": 10},
        "sex": sexes(4, 6),
        "age_group": ages(1, 7, 2, 0),
        "entry_point": {MAL: 6, CAP: 3, "": 1},
        "origin_country": {"DO": 7, "US": 2, "": 1},
        "organisation": {"P1": 5, "P2": 5},
        "admin_area": {"HT01": 5, "HT02": 3, "HT03": 1, "": 1},
        "month": {APR: 6, MAY: 4},
        "service_category": {"SHEL": 6, "HEALTH": 4},
        "status": {
            "sent": 2,
            "acknowledged": 1,
            "accepted": 1,
            "declined": 1,
            "in_progress": 1,
            "completed": 2,
            "not_completed": 1,
            "cancelled": 1,
            "expired": 0,
        },
    },
    # Answered: r1, r2, r3, r4, r6, r8; accepted: all but r4 (declined).
    "ops-acceptance": {
        TOTAL: {"": 500 / 6},
        "sex": sexes(100.0, 200 / 3, N, N),
        "age_group": ages(N, 500 / 6, N, N),
        "entry_point": {MAL: 100.0, CAP: 200 / 3, "": N},
        "origin_country": {"DO": 100.0, "US": 50.0, "": N},
        "organisation": {"P1": 100.0, "P2": 200 / 3},
        "admin_area": {"HT01": 100.0, "HT02": 50.0, "HT03": N, "": N},
        "month": {APR: 75.0, MAY: 100.0},
        "service_category": {"SHEL": 100.0, "HEALTH": 75.0},
    },
    # Closed: r1, r2, r8; completed: r1, r8.
    "ops-completion": {
        TOTAL: {"": 200 / 3},
        "sex": sexes(0.0, 100.0, N, N),
        "age_group": ages(N, 200 / 3, N, N),
        "entry_point": {MAL: 200 / 3, CAP: N, "": N},
        "origin_country": {"DO": 200 / 3, "US": N, "": N},
        "organisation": {"P1": 50.0, "P2": 100.0},
        "admin_area": {"HT01": 100.0, "HT02": 0.0, "HT03": N, "": N},
        "month": {APR: 50.0, MAY: 100.0},
        "service_category": {"SHEL": 50.0, "HEALTH": 100.0},
    },
    # Served: r1 after 2 days, r2 4, r6 0.5, r8 3.
    "ops-time-to-service": {
        TOTAL: {"": 9.5 / 4},
        "sex": sexes(4.5 / 2, 5 / 2, N, N),
        "age_group": ages(N, 9.5 / 4, N, N),
        "entry_point": {MAL: 9 / 3, CAP: 0.5, "": N},
        "origin_country": {"DO": 9.5 / 4, "US": N, "": N},
        "organisation": {"P1": 6.5 / 3, "P2": 3.0},
        "admin_area": {"HT01": 5.5 / 3, "HT02": 4.0, "HT03": N, "": N},
        "month": {APR: 3.0, MAY: 3.5 / 2},
        "service_category": {"SHEL": 3.0, "HEALTH": 3.5 / 2},
    },
    "ops-overdue": {  # r5 (r7 was escalated but acknowledged; r11 not escalated)
        TOTAL: {"": 1},
        "sex": sexes(0, 1),
        "age_group": ages(1, 0),
        "entry_point": {MAL: 1, CAP: 0, "": 0},
        "origin_country": {"DO": 1, "US": 0, "": 0},
        "organisation": {"P1": 1, "P2": 0},
        "admin_area": {"HT01": 0, "HT02": 0, "HT03": 0, "": 1},
        "month": {APR: 1, MAY: 0},
        "service_category": {"SHEL": 1, "HEALTH": 0},
    },
    # --- Scored survey rounds: s1…s5 (s6 not scored) ------------------------------------------
    "rei-rounds": {
        TOTAL: {"": 5},
        "sex": sexes(1, 4),
        "age_group": ages(1, 4),
        "entry_point": {MAL: 3, CAP: 2},
        "origin_country": {"DO": 4, "US": 1},
        "organisation": {"A": 3, "B": 2},
        "admin_area": {"HT01": 3, "HT02": 1, "": 1},
        "month": {MAR: 3, APR: 2},  # the cohort: the month the case was opened
        "round": {"0": 3, "3": 1, "6": 1},
    },
    # Composite: s1 .6, s2 .8, s3 .3, s4 .2, s5 .6.
    "rei-composite": {
        TOTAL: {"": 2.5 / 5},
        "sex": sexes(0.3, 2.2 / 4, N, N),
        "age_group": ages(0.2, 2.3 / 4, N, N),
        "entry_point": {MAL: 1.6 / 3, CAP: 0.9 / 2},
        "origin_country": {"DO": 2.2 / 4, "US": 0.3},
        "organisation": {"A": 2.0 / 3, "B": 0.5 / 2},
        "admin_area": {"HT01": 2.0 / 3, "HT02": 0.3, "": 0.2},
        "month": {MAR: 1.6 / 3, APR: 0.9 / 2},
        "round": {"0": 1.1 / 3, "3": 0.8, "6": 0.6},
    },
    # Economic: s1 .5, s2 .7, s3 .2, s4 .1, s5 .9.
    "rei-economic": {
        TOTAL: {"": 2.4 / 5},
        "sex": sexes(0.2, 2.2 / 4, N, N),
        "age_group": ages(0.1, 2.3 / 4, N, N),
        "entry_point": {MAL: 1.3 / 3, CAP: 1.1 / 2},
        "origin_country": {"DO": 2.2 / 4, "US": 0.2},
        "organisation": {"A": 2.1 / 3, "B": 0.3 / 2},
        "admin_area": {"HT01": 2.1 / 3, "HT02": 0.2, "": 0.1},
        "month": {MAR: 1.3 / 3, APR: 1.1 / 2},
        "round": {"0": 0.8 / 3, "3": 0.7, "6": 0.9},
    },
    # Social: s1 .6, s2 .8, s3 .4, s4 .2, s5 .5.
    "rei-social": {
        TOTAL: {"": 2.5 / 5},
        "sex": sexes(0.4, 2.1 / 4, N, N),
        "age_group": ages(0.2, 2.3 / 4, N, N),
        "entry_point": {MAL: 1.6 / 3, CAP: 0.9 / 2},
        "origin_country": {"DO": 2.1 / 4, "US": 0.4},
        "organisation": {"A": 1.9 / 3, "B": 0.6 / 2},
        "admin_area": {"HT01": 1.9 / 3, "HT02": 0.4, "": 0.2},
        "month": {MAR: 1.6 / 3, APR: 0.9 / 2},
        "round": {"0": 1.2 / 3, "3": 0.8, "6": 0.5},
    },
    # Psychosocial: s1 .7, s2 .9, s3 .3, s4 .3, s5 .4.
    "rei-psychosocial": {
        TOTAL: {"": 2.6 / 5},
        "sex": sexes(0.3, 2.3 / 4, N, N),
        "age_group": ages(0.3, 2.3 / 4, N, N),
        "entry_point": {MAL: 1.9 / 3, CAP: 0.7 / 2},
        "origin_country": {"DO": 2.3 / 4, "US": 0.3},
        "organisation": {"A": 2.0 / 3, "B": 0.6 / 2},
        "admin_area": {"HT01": 2.0 / 3, "HT02": 0.3, "": 0.3},
        "month": {MAR: 1.9 / 3, APR: 0.7 / 2},
        "round": {"0": 1.3 / 3, "3": 0.9, "6": 0.4},
    },
}


def rounded(table: Table) -> Table:
    return {
        breakdown: {key: None if v is None else round(v, 6) for key, v in values.items()}
        for breakdown, values in table.items()
    }


def with_keys(table: Table, w: dict[str, Any]) -> Table:
    """The organisations' names in `table` replaced by their keys in the cells."""
    named = {"A", "B", "P1", "P2"}
    return {
        breakdown: {
            (str(w[key].pk) if breakdown == "organisation" and key in named else key): value
            for key, value in values.items()
        }
        for breakdown, values in table.items()
    }


def read(
    code: str, threshold: int = 0, filters: Filters | None = None, breakdowns: Any = None
) -> Table:
    """The indicator's figures on a board: its total and each breakdown, {category: number}."""
    indicator = Indicator.objects.get(code=code)
    board = Board(threshold, filters)
    wanted = [TOTAL, *(indicator.disaggregations if breakdowns is None else breakdowns)]
    for breakdown in wanted:
        board.add(indicator, breakdown)
    tiles = board.tiles()
    total = tiles[0].total
    assert [row.value for row in tiles[0].rows] == [total]
    # Every tile shows the same total.
    assert all(tile.total == total for tile in tiles)
    return {tile.breakdown: {row.key: row.value.number for row in tile.rows} for tile in tiles}


def test_the_table_covers_every_disaggregation_of_every_indicator_of_the_pack() -> None:
    pack = load_pack("indicators", "nrm")
    assert {item["code"]: [TOTAL, *item["disaggregations"]] for item in pack["indicators"]} == {
        code: list(table) for code, table in EXPECTED.items()
    }


@pytest.mark.parametrize("code", list(EXPECTED))
def test_indicator_values_equal_the_hand_counted_ones(code: str, world: dict[str, Any]) -> None:
    load_indicators("nrm")
    rebuild()
    assert rounded(read(code)) == rounded(with_keys(EXPECTED[code], world))


# --- Filters ---------------------------------------------------------------------------------


def test_filters_give_the_hand_counted_figures(world: dict[str, Any]) -> None:
    load_indicators("nrm")
    rebuild()
    april = date(2026, 4, 1)
    # Malpasse: a1…a6, a10.
    assert read("ret-returns", filters=Filters(entry_point=MAL), breakdowns=["sex"]) == {
        TOTAL: {"": 7},
        "sex": sexes(2, 4, 0, 1),
    }
    # April, local month: a6, a10, a7, a8, a9, a11, a12.
    assert read(
        "ret-returns", filters=Filters(since=april, until=april), breakdowns=["sex", "month"]
    ) == {TOTAL: {"": 7}, "sex": sexes(3, 3, 0, 1), "month": {APR: 7}}
    # From the United States: a7, a8, a9 (B's); movements M2 and M5.
    us = Filters(origin_country="US")
    assert read("ret-returns", filters=us, breakdowns=["organisation"]) == with_keys(
        {TOTAL: {"": 3}, "organisation": {"B": 3}}, world
    )
    assert read("ret-movements", filters=us, breakdowns=["entry_point"]) == {
        TOTAL: {"": 2},
        "entry_point": {CAP: 2},
    }
    # April and from the Dominican Republic: a6, a10 at Malpasse, a11, a12 at Cap-Haïtien.
    assert read(
        "ret-returns",
        filters=Filters(since=april, origin_country="DO"),
        breakdowns=["entry_point"],
    ) == {TOTAL: {"": 4}, "entry_point": {MAL: 2, CAP: 2}}
    # Until March: M1 (A) and M4 (B).
    assert read(
        "ret-movements", filters=Filters(until=date(2026, 3, 1)), breakdowns=["organisation"]
    ) == with_keys({TOTAL: {"": 2}, "organisation": {"A": 1, "B": 1}}, world)
    # Sent to P2: r3 accepted, r4 declined, r7 acknowledged, r8 completed, r11 sent.
    p2 = Filters(organisation=str(world["P2"].pk))
    statuses = read("ops-referrals", filters=p2, breakdowns=["status"])
    assert statuses[TOTAL] == {"": 5}
    assert {key: n for key, n in statuses["status"].items() if n} == {
        "sent": 1,
        "acknowledged": 1,
        "accepted": 1,
        "declined": 1,
        "completed": 1,
    }
    # P2 answered r3, r4, r8 and accepted r3, r8.
    assert rounded(read("ops-acceptance", filters=p2, breakdowns=[])) == {
        TOTAL: {"": round(200 / 3, 6)}
    }
    # From May: r6, r7, r8, r11.
    assert read("ops-referrals", filters=Filters(since=date(2026, 5, 1)), breakdowns=["month"]) == {
        TOTAL: {"": 4},
        "month": {MAY: 4},
    }
    # Nothing there: zeros for the counts, nothing to compute a rate over.
    nowhere = Filters(entry_point="NOWHERE")
    assert read("ret-returns", filters=nowhere, breakdowns=["sex", "month"]) == {
        TOTAL: {"": 0},
        "sex": sexes(0, 0),
        "month": {},
    }
    assert read("ops-acceptance", filters=nowhere, breakdowns=["sex"]) == {
        TOTAL: {"": None},
        "sex": sexes(N, N, N, N),
    }
    # A's cases: s1 (.6, baseline), s2 (.8, 3 months), s5 (.6, 6 months).
    a = Filters(organisation=str(world["A"].pk))
    assert rounded(read("rei-composite", filters=a, breakdowns=["round"])) == rounded(
        {TOTAL: {"": 2.0 / 3}, "round": {"0": 0.6, "3": 0.8, "6": 0.6}}
    )


# --- Labels ----------------------------------------------------------------------------------


def test_tiles_are_labelled_in_the_readers_language(world: dict[str, Any]) -> None:
    load_indicators("nrm")
    rebuild()
    board = Board(0)
    returns = Indicator.objects.get(code="ret-returns")
    for breakdown in ("sex", "admin_area", "month", "organisation"):
        board.add(returns, breakdown)
    board.add(Indicator.objects.get(code="rei-rounds"), "round")
    with translation.override("en"):
        sex, area, month, organisation, rounds = board.tiles()
        assert sex.caption == "Returns by sex"
        assert [(row.key, row.label) for row in sex.rows] == [
            ("female", "Female"),
            ("male", "Male"),
            ("other", "Other"),
            ("unknown", "Not known"),
        ]
        # Areas by name, the records without one last.
        assert [(row.key, row.label) for row in area.rows] == [
            ("HT02", "Nord"),
            ("HT01", "Ouest"),
            ("", "Not recorded"),
        ]
        assert [row.label for row in month.rows] == ["March 2026", "April 2026"]
        assert [row.label for row in organisation.rows] == ["Organisation A", "Organisation B"]
        assert [row.label for row in rounds.rows] == ["Baseline", "3 months", "6 months"]
        assert str(sex.rows[0].value) == "5" and sex.chart == "bar" and month.chart == "line"
    with translation.override("fr"):
        french = Board(0)
        french.add(returns, "sex")
        (tile,) = french.tiles()
        assert tile.caption.startswith("Retours") and tile.heading == "Sexe"


def test_the_cohort_trend_gives_the_hand_computed_means(world: dict[str, Any]) -> None:
    """Cohort = month the case was opened (c1 and c5 in March, c9 and c12 in April); the mean
    composite of each cohort at each round, from the survey table in indicators_helpers."""
    rebuild()
    rounds, table = cohort_trend(Filters(), 0)
    assert rounds == ["0", "3", "6"]
    means = {cohort: {months: mean for months, _count, mean in cells} for cohort, cells in table}
    assert means == {
        MAR: {"0": "0.40", "3": "0.80", "6": ""},  # s1 .6 and s4 .2; s2 .8
        APR: {"0": "0.30", "3": "", "6": "0.60"},  # s3 .3; s5 .6
    }
    # With the default threshold every mean is over fewer than 5 rounds: hidden, zeros shown.
    _rounds, hidden = cohort_trend(Filters(), 5)
    assert {
        cohort: [count.suppressed for _m, count, _mean in cells] for cohort, cells in hidden
    } == {MAR: [True, True, False], APR: [True, False, True]}
    assert all(mean == "" for _c, cells in hidden for _m, _n, mean in cells)


def test_the_reintegration_exports_carry_the_cohort_table(
    world: dict[str, Any], analyst: Any
) -> None:
    load_indicators("nrm")
    rebuild()
    with translation.override("en"):
        page = compute(analyst, DASHBOARDS["reintegration"], Filters())
        lines = [line for line in as_csv(page).splitlines() if ",cohort_round," in line]
    # Two cohorts × three rounds, every mean over fewer than 5 rounds: hidden, or none at all.
    assert len(lines) == 6
    assert [line.split(",")[3] for line in lines] == [
        f"{cohort}/{months}" for cohort in (MAR, APR) for months in ("0", "3", "6")
    ]
    assert [line.split(",")[5:8] for line in lines][:3] == [
        ["hidden", "score", "1"],
        ["hidden", "score", "1"],
        ["", "score", "0"],
    ]
