"""Review of the indicator engine: each test showed one defect found in review (each failed
before its fix).

The world is tests/indicators_helpers.py's; some tests replace its referrals or survey rounds
with a set chosen so that a figure a reader can see gives a hidden count back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from orienta.indicators.board import Filters
from orienta.indicators.dashboards import DASHBOARDS, compute
from orienta.indicators.definitions import load_indicators
from orienta.indicators.refresh import rebuild
from orienta.referrals.choices import ReferralStatus as S
from orienta.referrals.models import Referral
from orienta.reintegration.models import SurveyRound
from tests.indicators_helpers import build_world, noon

pytestmark = pytest.mark.django_db

T = 5


@pytest.fixture
def world(request: pytest.FixtureRequest) -> dict[str, Any]:
    return build_world(request)


def replace_referrals(w: dict[str, Any], statuses: list[tuple[str, int]]) -> None:
    """The world's referrals replaced by these: (status, escalation level), all from c1 to P1,
    sent on 1 April 2026 (answered ones answered, started ones started)."""
    Referral.objects.all().delete()
    at = noon("2026-04-01")
    hour = timedelta(hours=1)
    answered = {S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED, S.NOT_COMPLETED}
    started = {S.IN_PROGRESS, S.COMPLETED, S.NOT_COMPLETED}
    Referral.objects.bulk_create(
        [
            Referral(
                case=w["c1"],
                category="SHEL-TEMP",
                sender_organisation=w["A"],
                recipient_organisation=w["P1"],
                status=status,
                sent_at=at,
                acknowledged_at=None if status == S.SENT else at + hour,
                answered_at=at + 2 * hour if status in answered else None,
                started_at=at + 3 * hour if status in started else None,
                escalation_level=level,
            )
            for status, level in statuses
        ]
    )
    load_indicators("nrm")
    rebuild()


def by_key(page: Any, code: str) -> tuple[dict[str, Any], Any]:
    (tile,) = [t for t in page.tiles if t.indicator.code == code]
    return {row.key: row.value for row in tile.rows}, tile.total


def key_figure(page: Any, code: str) -> Any:
    (tile,) = [t for t in page.key_figures if t.indicator.code == code]
    return tile.total


# --- 1. Disclosure: the referrals' status breakdown is not tied to the measures ----------------


def test_the_completion_rate_and_the_status_rows_give_a_hidden_status_back(
    world: dict[str, Any], analyst: Any
) -> None:
    """Status rows: 6 sent, 7 completed, 5 not completed, 2 cancelled (20). The 2 cancelled
    are hidden, and the 5 not completed with them (the smallest other row). But the key
    figure "completion rate" (completed of closed, counts whose rest, 5, is no secret) is
    shown: 7 completed (shown in the status tile) / 58.3 % = 12 closed, so 5 not completed, so
    20 - 6 - 7 - 5 = 2 cancelled. The status rows are the same counts as the measures
    `completed`, `closed`, `accepted`, `answered`, `overdue`, under other handles, with no
    line between them."""
    replace_referrals(
        world,
        [(S.SENT, 0)] * 6
        + [(S.COMPLETED, 0)] * 7
        + [(S.NOT_COMPLETED, 0)] * 5
        + [(S.CANCELLED, 0)] * 2,
    )
    page = compute(analyst, DASHBOARDS["operations"], Filters(), "status")
    assert page.threshold == T
    rows, total = by_key(page, "ops-referrals")
    assert rows["cancelled"].suppressed  # the secret, as it should be
    hidden = [key for key, value in rows.items() if value.suppressed]
    rate = key_figure(page, "ops-completion")
    # What a reader does with the page:
    recoverable = (
        not total.suppressed
        and not rate.suppressed
        and not rows["completed"].suppressed
        and set(hidden) == {"cancelled", "not_completed"}
    )
    if recoverable:
        closed = round(rows["completed"].number * 100 / rate.number)
        not_completed = closed - rows["completed"].number
        shown = sum(v.number for k, v in rows.items() if k not in hidden)
        cancelled = total.number - shown - not_completed
        assert cancelled == 2  # the reader has it
    assert not recoverable, "the hidden number of cancelled referrals can be worked out"


def test_the_overdue_key_figure_and_the_sent_row_give_a_small_difference(
    world: dict[str, Any], analyst: Any
) -> None:
    """Overdue referrals are sent ones (status "sent", escalated): 7 sent, 5 of them overdue,
    10 completed. The page shows the 5 overdue (key figure) and the 7 sent (status tile):
    2 sent referrals are not overdue, a count from 1 to 4 nobody protected (overdue is
    declared "of which" the referrals, not of the sent ones)."""
    replace_referrals(world, [(S.SENT, 1)] * 5 + [(S.SENT, 0)] * 2 + [(S.COMPLETED, 0)] * 10)
    page = compute(analyst, DASHBOARDS["operations"], Filters(), "status")
    rows, _total = by_key(page, "ops-referrals")
    overdue = key_figure(page, "ops-overdue")
    if not overdue.suppressed and not rows["sent"].suppressed:
        difference = rows["sent"].number - overdue.number
        assert not 0 < difference < T, f"{difference} sent referrals not overdue, published"


# --- 2. Disclosure: the cohort table is protected on its own, beside the round tile ------------


def test_the_cohort_means_and_the_round_tile_give_a_hidden_cohort_count_back(
    world: dict[str, Any], analyst: Any
) -> None:
    """Baseline rounds: 1 of the March cohort (s1), 5 of the April cohort (s3 and four more);
    no other round. The round tile shows 6 baseline rounds (nothing small there: it is the
    total). The cohort table hides March's mean (1 round) and shows April's, which says April
    has at least 5 rounds (a mean is shown only over 5 or more): so March has exactly 1.
    `cohort_trend` hides each mean with `suppress()` alone, outside the board's Publication."""
    w = world
    SurveyRound.objects.filter(pk__in=[w["s2"].pk, w["s4"].pk, w["s5"].pk]).delete()
    asked = w["s1"].asked_with
    for name in ("c7", "c8", "c11", "c12"):
        SurveyRound.objects.create(
            case=w[name],
            asked_with=asked,
            months=0,
            interviewed_on=date(2026, 4, 20),
            interviewer="Enquêteur",
            economic=0.5,
            social=0.5,
            psychosocial=0.5,
            composite=0.5,
        )
    load_indicators("nrm")
    rebuild()
    page = compute(analyst, DASHBOARDS["reintegration"], Filters(), "round")
    rows, _total = by_key(page, "rei-rounds")
    baseline = rows["0"]
    cohorts = {
        cohort: {m: (count, mean) for m, count, mean in cells}
        for cohort, cells in page.cohorts or []
    }
    column = {cohort: cells["0"] for cohort, cells in cohorts.items() if "0" in cells}
    hidden = [c for c, (count, _mean) in column.items() if count.suppressed]
    shown = [c for c, (count, mean) in column.items() if not count.suppressed and mean]
    assert "2026-03" in hidden  # its one round: a secret
    if not baseline.suppressed:
        # Each hidden cohort has 1 to 4 rounds, each shown mean 5 or more.
        most = int(baseline.number) - T * len(shown) - (len(hidden) - 1)
        assert most > 1, f"the March cohort's baseline rounds are exactly {most}"


# --- 3. Disclosure: a pack can publish a count unprotected, as a "mean" ------------------------


def _with_extra_indicator(monkeypatch: pytest.MonkeyPatch, extra: dict[str, Any]) -> None:
    from orienta.core.packs import load_pack
    from orienta.indicators import definitions

    pack = load_pack("indicators", "nrm")
    pack = {**pack, "indicators": [*pack["indicators"], extra]}
    monkeypatch.setattr(definitions, "load_pack", lambda kind, name: pack)


def test_a_mean_whose_total_is_a_count_is_refused_or_protected(
    world: dict[str, Any], analyst: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`problems_of` checks that a mean's *count* is a count, never that its *total* is not
    one: {"mean": ["unaccompanied_children", "returns"]} loads, and the board shows it
    whenever the returns are shown, with no "of which" protection for the part. 1
    unaccompanied child (a5) of 12 returns: 0.08 × 12 = 1, on the page."""
    _with_extra_indicator(
        monkeypatch,
        {
            "code": "ret-unaccompanied-share",
            "label": {"fr": "Part des enfants non accompagnés", "en": "Unaccompanied share"},
            "subject": "arrivals",
            "formula": {"mean": ["unaccompanied_children", "returns"]},
            "unit": "score",
            "disaggregations": ["sex"],
            "dashboard": "returns",
            "hxl": "#affected+children+unaccompanied",
        },
    )
    from orienta.indicators.definitions import PackError

    try:
        load_indicators("nrm")
    except PackError:
        return  # refused: fixed
    rebuild()
    page = compute(analyst, DASHBOARDS["returns"], Filters(), "sex")
    share = key_figure(page, "ret-unaccompanied-share")
    returns = key_figure(page, "ret-returns")
    unaccompanied = key_figure(page, "ret-unaccompanied")
    assert unaccompanied.suppressed  # the count itself: 1, hidden
    if not share.suppressed and not returns.suppressed:
        worked_out = round(share.number * returns.number)
        assert not 0 < worked_out < T, f"{worked_out} unaccompanied child(ren), on the page"


# --- 4. Robustness: the public page adds breakdowns the pack's indicator may not have ---------


def test_the_public_page_survives_a_pack_whose_published_indicator_differs(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """public.py hard-codes (code, breakdowns) and calls `Board.add` with them whatever the
    loaded definition says. A pack (valid by `problems_of`) that counts "ret-returns" from
    the movements (no sex, no age group) makes `Board.add` raise ValueError: a 500 for
    anyone on /statistics/."""
    from django.test import Client, override_settings

    from orienta.core.packs import load_pack
    from orienta.indicators import definitions

    pack = load_pack("indicators", "nrm")
    changed = []
    for item in pack["indicators"]:
        if item["code"] == "ret-returns":
            item = {
                **item,
                "subject": "movements",
                "formula": {"sum": "movements"},
                "disaggregations": ["entry_point", "origin_country", "month"],
            }
        changed.append(item)
    monkeypatch.setattr(
        definitions, "load_pack", lambda kind, name: {**pack, "indicators": changed}
    )
    load_indicators("nrm")
    rebuild()
    with override_settings(ORIENTA_PUBLIC_STATISTICS=True):
        client = Client(raise_request_exception=False)
        response = client.get("/statistics/")
    assert response.status_code == 200
