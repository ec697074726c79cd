"""Small-cell suppression on an indicator board (threshold 5, the default): a small count is
hidden and so is a second one of its breakdown; a count shown in two tiles is hidden in both;
a part ("of which") whose difference from its whole is small is protected; rates and means over
a hidden count are hidden; and no published figure can be worked back to a hidden one
(`Publication.disclosures`, as tests/test_suppression.py checks the older pages)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from orienta.indicators import board as board_module
from orienta.indicators.board import Board, Tile, threshold_for
from orienta.indicators.definitions import load_indicators
from orienta.indicators.models import Indicator
from orienta.indicators.refresh import rebuild
from orienta.indicators.subjects import TOTAL
from orienta.indicators.suppression import Protected, Publication, Reason
from orienta.returns import checkin
from orienta.returns.models import Arrival, Violation
from tests.indicators_helpers import CAP, MAL, breach, build_world
from tests.returns_helpers import load_haiti, local, movement, profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request: pytest.FixtureRequest) -> dict[str, Any]:
    return build_world(request)


T = 5


class Recorded(Publication):
    """The board's publication, kept with what `protect()` decided, to check it."""

    made: list[Recorded] = []

    def protect(self) -> Protected:
        self.protected = super().protect()
        Recorded.made.append(self)
        return self.protected


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Recorded]:
    Recorded.made = []
    monkeypatch.setattr(board_module, "Publication", Recorded)
    return Recorded.made


def hidden_of(publication: Recorded) -> set[int]:
    """The published counts the board hides (the unpublished ones are never shown anyway)."""
    return {
        handle
        for handle, cell in enumerate(publication.protected.cells)
        if cell.suppressed and cell.reason != Reason.UNPUBLISHED
    }


def tiles(*wanted: tuple[str, str], threshold: int = T) -> list[Tile]:
    board = Board(threshold)
    for code, breakdown in wanted:
        board.add(Indicator.objects.get(code=code), breakdown)
    return board.tiles()


def numbers(tile: Tile) -> dict[str, float | None]:
    return {row.key: row.value.number for row in tile.rows}


def test_the_threshold_is_5_for_whoever_does_not_see_every_case(
    analyst: Any, coordinator: Any, owner: Any
) -> None:
    assert settings.ORIENTA_SMALL_CELL == T
    # A case supervisor sees A's caseload, not every case: the board protects its numbers too.
    assert [threshold_for(user) for user in (analyst, coordinator, owner)] == [T, T, T]
    with override_settings(ORIENTA_SMALL_CELL=10):
        assert threshold_for(analyst) == 10


def test_a_small_cell_and_its_complement_are_hidden_and_look_the_same(
    world: dict[str, Any], recorded: list[Recorded]
) -> None:
    load_indicators("nrm")
    rebuild()
    (sex,) = tiles(("ret-returns", "sex"))
    # 5 women, 6 men, 1 not known: the 1 is hidden, then the 5 (the smallest non-zero count
    # left), or 12 - 6 - 0 would give it back. The total and the zero stay.
    assert numbers(sex) == {"female": None, "male": 6, "other": 0, "unknown": None}
    assert sex.total.number == 12 and not sex.total.suppressed
    by_key = {row.key: row.value for row in sex.rows}
    assert by_key["unknown"].counts[0].reason == Reason.PRIMARY
    assert by_key["female"].counts[0].reason == Reason.COMPLEMENTARY
    assert str(by_key["female"]) == str(by_key["unknown"])  # hidden cells look the same
    (publication,) = recorded
    assert publication.disclosures(hidden_of(publication)) == []
    # Primary suppression alone would give the 1 back.
    assert publication.disclosures(publication.primary()) != []


def test_rates_and_means_over_a_hidden_count_are_hidden(
    world: dict[str, Any], recorded: list[Recorded]
) -> None:
    load_indicators("nrm")
    rebuild()
    compliance, composite, acceptance, waiting = tiles(
        ("ret-compliance", "month"),
        ("rei-composite", "sex"),
        ("ops-acceptance", "service_category"),
        ("ops-time-to-service", "organisation"),
    )
    # Movements by month: 2, 2, 1; with a breach: 2 of 5 in all.
    assert numbers(compliance) == {"2026-03": None, "2026-04": None, "2026-05": None}
    assert all(row.value.suppressed for row in compliance.rows)
    assert compliance.total.suppressed and compliance.total.number is None
    # Rounds: 1 woman, 4 men (hidden); the 5 of the total are shown, with their mean.
    assert numbers(composite) == {"female": None, "male": None, "other": None, "unknown": None}
    assert [row.value.suppressed for row in composite.rows] == [True, True, False, False]
    assert composite.total.number == pytest.approx(0.5) and not composite.total.suppressed
    # 5 accepted of 6 answered: both shown would give the one declined away, so the rate,
    # computed over them, is hidden whatever else is.
    assert acceptance.total.suppressed and acceptance.total.number is None
    # Four referrals served, all small.
    assert waiting.total.suppressed and all(row.value.suppressed for row in waiting.rows)
    (publication,) = recorded
    assert publication.disclosures(hidden_of(publication)) == []


@pytest.fixture
def crowd(reception_officer: Any, organisation: Any) -> dict[str, Any]:
    """Seven land movements at Malpasse (two with a live breach) and six flights at
    Cap-Haïtien (all six with one); sixteen arrivals on the first convoy: ten men, eight of
    them returned before, and six women, none. Nobody registered."""
    load_haiti()
    convoys = [
        movement(reception_officer, organisation, scheduled_at=local(f"2026-03-{day:02}T10:00"))
        for day in range(2, 9)
    ]
    flights = [
        movement(
            reception_officer,
            organisation,
            entry_point=CAP,
            mode="flight",
            origin_country="US",
            scheduled_at=local(f"2026-03-{day:02}T10:00"),
        )
        for day in range(10, 16)
    ]
    for moved in [*convoys[:2], *flights]:
        breach(moved, "hours", "open")
    for number in range(16):
        checkin.check_in(
            acting_user=reception_officer,
            movement=convoys[0],
            profile=profile(
                family_name=f"Personne {number}",
                sex="male" if number < 10 else "female",
                registration_consent=False,
            ),
        )
    repeat = Arrival.objects.filter(sex="male").order_by("pk").values_list("pk", flat=True)[:8]
    Arrival.objects.filter(pk__in=list(repeat)).update(repeat_return=True)
    load_indicators("nrm")
    rebuild()
    return {"convoys": convoys, "flights": flights}


def test_a_count_shown_in_two_tiles_is_hidden_in_both(
    crowd: dict[str, Any], recorded: list[Recorded]
) -> None:
    assert Violation.objects.count() == 8
    # Alone, the movements by entry point have nothing small: all shown.
    (alone,) = tiles(("ret-movements", "entry_point"))
    assert numbers(alone) == {MAL: 7, CAP: 6} and alone.total.number == 13
    # With the breach rate by entry point, 2 of Malpasse's 7 movements had a breach: hidden.
    # So is another count with a breach (or 8 - 6 gives it back), then what would give that
    # one back (6 at Cap-Haïtien, all with a breach)… down to the movements themselves,
    # which are then hidden in both tiles.
    count, rate = tiles(("ret-movements", "entry_point"), ("ret-compliance", "entry_point"))
    for shown_count, shown_rate in zip(count.rows, rate.rows, strict=True):
        assert shown_count.key == shown_rate.key
        # One count, one cell: the rate's denominator is the count tile's figure.
        assert shown_count.value.counts[0] == shown_rate.value.counts[1]
        assert shown_rate.value.suppressed
    assert numbers(count) == {MAL: None, CAP: None} and count.total.number == 13
    assert {row.value.counts[0].reason for row in count.rows} == {Reason.COMPLEMENTARY}
    assert numbers(rate) == {MAL: None, CAP: None}
    _alone, publication = recorded
    assert publication.disclosures(hidden_of(publication)) == []
    assert publication.disclosures(publication.primary()) != []


def test_a_part_whose_difference_from_its_whole_is_small_is_protected(
    crowd: dict[str, Any], recorded: list[Recorded]
) -> None:
    # Alone, the returns by sex have nothing small: 10 men, 6 women.
    (returns,) = tiles(("ret-returns", "sex"))
    assert numbers(returns) == {"female": 6, "male": 10, "other": 0, "unknown": 0}
    # 8 repeat returns, all men: with the 10 men published, they would say that 2 men had not
    # returned before. The part is protected with its whole even on a board that shows only
    # the part (the whole is published elsewhere).
    (repeat,) = tiles(("ret-repeat", "sex"))
    assert numbers(repeat) == {"female": 0, "male": None, "other": 0, "unknown": 0}
    # Together: one of the two is hidden, in both tiles alike.
    returns, repeat = tiles(("ret-returns", "sex"), ("ret-repeat", "sex"))
    men, repeat_men = numbers(returns)["male"], numbers(repeat)["male"]
    assert men is None or repeat_men is None
    # The repeat returns' total would then be the hidden men's number (no woman, nobody else).
    assert repeat.total.suppressed and returns.total.number == 16
    for publication in recorded[1:]:
        assert publication.disclosures(publication.primary()) != []  # nothing primary: the 2
        assert publication.disclosures(hidden_of(publication)) == []
    # The totals alone are safe: 16 arrivals, 8 repeat returns, 8 first returns.
    whole, part = tiles(("ret-returns", TOTAL), ("ret-repeat", TOTAL))
    assert (whole.total.number, part.total.number) == (16, 8)


def test_a_whole_dashboard_gives_no_way_back_to_a_hidden_count(
    world: dict[str, Any], recorded: list[Recorded]
) -> None:
    load_indicators("nrm")
    rebuild()
    board = Board(T)
    for indicator in Indicator.objects.all():
        for breakdown in [TOTAL, *indicator.disaggregations]:
            board.add(indicator, breakdown)
    shown = board.tiles()
    assert len(shown) == sum(1 + len(i.disaggregations) for i in Indicator.objects.all())
    (publication,) = recorded
    hidden = hidden_of(publication)
    assert publication.disclosures(hidden) == []
    assert publication.disclosures(publication.primary()) != []
    # Exact numbers for those who may see them: nothing hidden, whatever the sizes.
    exact = Board(0)
    for indicator in Indicator.objects.all():
        exact.add(indicator, TOTAL)
    assert not any(tile.total.suppressed for tile in exact.tiles())
