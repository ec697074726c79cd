"""Small-cell suppression (orienta/indicators/suppression.py): primary and complementary
suppression on hand-made tables, the safety check, a seeded random property test with two
independent checks (a rank test with numpy, and brute-force enumeration of tiny tables), and the
two pages that publish counts: for an analyst no published figure can be worked back to a hidden
one, while a case-level user sees exact numbers.

Tables are written as they would be read; `T` is the threshold (5, the default)."""

from __future__ import annotations

import csv
import io
import itertools
import random
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test import override_settings
from django.utils import translation

from orienta.indicators.snapshot import consistent_reads
from orienta.indicators.suppression import (
    Cell,
    Disclosure,
    OneWay,
    Publication,
    Reason,
    TwoWay,
    any_hidden,
    is_secret,
    one_way_disclosures,
    percent,
    suppress,
    suppress_one_way,
    suppress_two_way,
    two_way_disclosures,
)
from orienta.referrals.dashboard import Dashboard, GroupRow
from orienta.referrals.dashboard import compute as dashboard_of
from orienta.returns import checkin
from orienta.returns import statistics as figures
from orienta.returns.models import Arrival
from tests.returns_helpers import load_haiti, local, movement, profile
from tests.test_referral_dashboard import (  # noqa: F401 - fixtures
    analyst,
    clinic,
    referrals,
    shelter_org,
)

T = 5
P, C = Reason.PRIMARY, Reason.COMPLEMENTARY


def shown(cells: list[Cell]) -> list[int | None]:
    return [cell.value for cell in cells]


def reasons(cells: list[Cell]) -> list[Reason | None]:
    return [cell.reason for cell in cells]


def naive_one_way(values: list[int], threshold: int = T) -> OneWay:
    """Primary suppression only: what the pages did before complementary suppression."""
    return OneWay([suppress(v, threshold) for v in values], suppress(sum(values), threshold))


def naive_two_way(rows: list[list[int]], threshold: int = T) -> TwoWay:
    columns = list(zip(*rows, strict=True)) if rows else []
    return TwoWay(
        [[suppress(v, threshold) for v in row] for row in rows],
        [suppress(sum(row), threshold) for row in rows],
        [suppress(sum(column), threshold) for column in columns],
        suppress(sum(map(sum, rows)), threshold),
    )


# --- One count -------------------------------------------------------------------------------


def test_a_single_count_is_hidden_from_1_to_threshold_minus_1():
    assert [is_secret(v, T) for v in range(7)] == [False, True, True, True, True, False, False]
    assert suppress(0, T) == Cell(0, False, T)
    assert suppress(4, T) == Cell(None, True, T) and suppress(4, T).reason == P
    assert suppress(5, T) == Cell(5, False, T) and suppress(5, T).reason is None
    assert suppress(3, 0).value == 3 and suppress(1, 1).value == 1  # exact numbers
    assert suppress(9, 10).suppressed
    with pytest.raises(ValueError, match="negative"):
        Publication(T).count(-1)


def test_every_hidden_cell_looks_the_same():
    primary = Cell(None, True, T, P)
    complementary = Cell(None, True, T, C)
    assert primary == complementary  # the reason is not part of what is published
    with translation.override("en"):
        assert str(primary) == str(complementary) == "hidden"
        assert str(Cell(12, False, T)) == "12"


def test_a_rate_or_median_over_a_hidden_count_is_hidden():
    hidden, seven, ten = Cell(None, True, T, P), Cell(7, False, T), Cell(10, False, T)
    assert any_hidden(seven, hidden) and not any_hidden(seven, ten)
    assert percent(seven, ten) == 70
    assert percent(hidden, ten) is None and percent(seven, hidden) is None
    assert percent(Cell(0, False, T), Cell(0, False, T)) is None  # no denominator
    assert percent(Cell(1, False, 0), Cell(3, False, 0)) == pytest.approx(33.3)


# --- One-way tables --------------------------------------------------------------------------


def test_one_small_cell_in_a_line_hides_a_second_one():
    table = suppress_one_way([3, 0, 7, 12], T)
    # 22 - 0 - 7 - 12 would give the 3 back: the smallest non-zero cell, 7, goes too.
    assert shown(table.cells) == [None, 0, None, 12]
    assert reasons(table.cells) == [P, None, C, None]
    assert table.total == Cell(22, False, T)
    naive = naive_one_way([3, 0, 7, 12])
    assert [(d.kind, d.label) for d in one_way_disclosures([3, 0, 7, 12], naive, T)] == [
        ("single", "cell 0")
    ]
    assert one_way_disclosures([3, 0, 7, 12], table, T) == []


def test_the_complement_is_the_smallest_non_zero_cell():
    table = suppress_one_way([2, 0, 0, 9, 6, 40], T)
    assert shown(table.cells) == [None, 0, 0, 9, None, 40]  # 6, not a zero, not 9
    assert table.cells[4].reason == C


def test_two_small_cells_protect_each_other():
    table = suppress_one_way([2, 3, 10], T)
    assert shown(table.cells) == [None, None, 10] and reasons(table.cells) == [P, P, None]
    assert table.total.value == 15


def test_hidden_cells_that_can_only_be_ones_get_a_complement():
    # 32 - 10 - 20 = 2 for two hidden cells, each at least 1 (zeros are shown): both are 1.
    naive = naive_one_way([1, 1, 10, 20])
    assert {d.kind for d in one_way_disclosures([1, 1, 10, 20], naive, T)} == {"bounds"}
    table = suppress_one_way([1, 1, 10, 20], T)
    assert reasons(table.cells) == [P, P, C, None]
    assert one_way_disclosures([1, 1, 10, 20], table, T) == []


def test_a_small_total_is_hidden_with_every_non_zero_cell():
    table = suppress_one_way([1, 2, 0], T)
    assert shown(table.cells) == [None, None, 0]
    assert table.total.suppressed and table.total.reason == P
    assert one_way_disclosures([1, 2, 0], table, T) == []


def test_all_cells_small_but_not_the_total():
    table = suppress_one_way([1, 2, 3, 4], T)
    assert reasons(table.cells) == [P, P, P, P]
    assert table.total == Cell(10, False, T)
    assert one_way_disclosures([1, 2, 3, 4], table, T) == []


def test_zeros_are_never_secrets_and_stay_shown():
    table = suppress_one_way([0, 4, 0, 0, 30], T)
    assert shown(table.cells) == [0, None, 0, 0, None]
    assert table.total.value == 34


def test_categories_not_listed_count_as_a_protected_rest():
    # 32 - 10 - 20 = 2 people in no category listed (not recorded, say): a small count a
    # reader can compute, so one listed cell is hidden.
    table = suppress_one_way([10, 20], T, total=32)
    assert shown(table.cells) == [None, 20] and table.cells[0].reason == C
    assert {d.kind for d in one_way_disclosures([10, 20], naive_one_way([10, 20]), T, 32)} == {
        "single"
    }
    # A rest of 2 beside a hidden 3: two unknowns, nothing more to hide.
    assert shown(suppress_one_way([3, 10], T, total=15).cells) == [None, 10]
    with pytest.raises(ValueError, match="not the sum"):
        suppress_one_way([10, 20], T, total=25)


def test_exact_numbers_hide_nothing():
    for threshold in (0, 1):
        table = suppress_one_way([1, 2, 0], threshold)
        assert shown(table.cells) == [1, 2, 0] and table.total.value == 3
        assert suppress_two_way([[1, 0], [2, 3]], threshold).cells[0][0].value == 1


# --- Two-way tables --------------------------------------------------------------------------

CASCADE = [
    [2, 10, 20],
    [8, 12, 30],
    [9, 15, 40],
]


def test_complements_cascade_until_every_row_and_column_is_safe():
    table = suppress_two_way(CASCADE, T)
    # The 2 is hidden; in its row the smallest other cell, 10. That leaves column 0 and the new
    # column 1 each with one hidden cell: column 0 hides its smallest, 8, and row 1 then closes
    # the rectangle with 12 (it mends column 1 too) rather than hiding 30.
    assert [reasons(row) for row in table.cells] == [
        [P, C, None],
        [C, C, None],
        [None, None, None],
    ]
    assert shown(table.row_totals) == [32, 50, 64]
    assert shown(table.column_totals) == [19, 37, 90]
    assert table.total.value == 146
    assert two_way_disclosures(CASCADE, table, T) == []


def test_the_first_complement_leaves_a_column_that_needs_another():
    def hiding(*places: tuple[int, int]) -> TwoWay:
        cells = [
            [
                Cell(None, True, T) if (i, j) in places else Cell(v, False, T)
                for j, v in enumerate(r)
            ]
            for i, r in enumerate(CASCADE)
        ]
        exact = naive_two_way(CASCADE, 0)
        return TwoWay(cells, exact.row_totals, exact.column_totals, exact.total)

    naive = two_way_disclosures(CASCADE, naive_two_way(CASCADE), T)
    assert [(d.kind, d.label) for d in naive] == [("single", "cell (0, 0)")]
    after_one = two_way_disclosures(CASCADE, hiding((0, 0), (0, 1)), T)
    # Row 0 is safe now, but column 0 gives the 2 back and column 1 the 10.
    assert {(d.kind, d.label) for d in after_one} == {
        ("single", "cell (0, 0)"),
        ("single", "cell (0, 1)"),
    }
    assert two_way_disclosures(CASCADE, hiding((0, 0), (0, 1), (1, 0), (1, 1)), T) == []


def test_a_small_row_total_is_protected_in_the_margin_column():
    rows = [[1, 2, 0], [10, 20, 30], [12, 15, 40]]
    table = suppress_two_way(rows, T)
    assert table.row_totals[0].reason == P  # 3
    assert table.cells[0][2] == Cell(0, False, T)  # zeros stay shown
    assert sum(cell.suppressed for cell in table.row_totals) >= 2  # the margin column
    assert table.total.value == 130  # the grand total is kept
    assert two_way_disclosures(rows, table, T) == []
    assert two_way_disclosures(rows, naive_two_way(rows), T) != []


def test_all_cells_small_in_a_two_way_table():
    rows = [[1, 2], [3, 4]]
    table = suppress_two_way(rows, T)
    assert all(cell.reason == P for row in table.cells for cell in row)
    assert two_way_disclosures(rows, table, T) == []


def test_the_check_sees_combinations_of_lines_and_bounds():
    # Two rectangles of hidden cells joined by one more hidden cell: every row and column has
    # two hidden cells or more, yet the joining cell is fixed by the lines taken together.
    rows = [[10] * 4 for _ in range(4)]
    places = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    exact = naive_two_way(rows, 0)
    bridged = TwoWay(
        [
            [Cell(None, True, T) if (i, j) in places else Cell(10, False, T) for j in range(4)]
            for i in range(4)
        ],
        exact.row_totals,
        exact.column_totals,
        exact.total,
    )
    assert [(d.kind, d.label) for d in two_way_disclosures(rows, bridged, T)] == [
        ("linear", "cell (0, 2)")
    ]
    # Bounds across lines: columns 0 and 2 hold hidden cells of at least 1 each, and the line
    # of column totals leaves them 3 in all: 1 + 1 in column 0, 1 in column 2.
    rows = [[1, 1, 1], [1, 6, 0]]
    pinned = TwoWay(
        [[Cell(None, True, T)] * 3, [Cell(None, True, T), Cell(None, True, T), Cell(0, False, T)]],
        [Cell(None, True, T), Cell(None, True, T)],
        [Cell(None, True, T), Cell(7, False, T), Cell(None, True, T)],
        Cell(10, False, T),
    )
    kinds = {(d.kind, d.label) for d in two_way_disclosures(rows, pinned, T)}
    assert ("bounds", "cell (0, 0)") in kinds and ("bounds", "cell (0, 2)") in kinds
    assert two_way_disclosures(rows, suppress_two_way(rows, T), T) == []


# --- Linked tables ---------------------------------------------------------------------------


def test_a_total_shared_by_two_breakdowns_is_hidden_in_both_or_neither():
    publication = Publication(T)
    total = publication.count(14, name="total")
    sexes = [publication.count(v) for v in (8, 5, 0, 1)]
    origins = [publication.count(v) for v in (12, 2)]
    publication.partition(total, sexes)
    publication.partition(total, origins)
    cells = publication.protect()
    assert cells[total] == Cell(14, False, T)  # a cell is preferred to a total
    assert shown([cells[h] for h in sexes]) == [8, None, 0, None]
    assert shown([cells[h] for h in origins]) == [None, None]
    assert publication.disclosures(h for h in range(len(cells)) if cells[h].suppressed) == []


def test_an_of_which_difference_is_protected():
    # 5 accepted of 7 answered: 2 declined, which both shown would give away.
    publication = Publication(T)
    answered, accepted = publication.count(7), publication.count(5)
    declined = publication.of_which(answered, accepted, name="declined")
    assert publication.disclosures(set()) == [Disclosure("single", declined, "declined", 0)]
    cells = publication.protect()
    assert cells[accepted].reason == C and cells[answered].value == 7
    assert cells[declined].reason == Reason.UNPUBLISHED


def test_lines_must_add_up():
    publication = Publication(T)
    a, b, total = publication.count(3), publication.count(4), publication.count(8)
    with pytest.raises(ValueError, match="not the sum"):
        publication.line(total, [a, b])
    with pytest.raises(ValueError, match="once"):
        publication.line(total, [a, a])
    with pytest.raises(ValueError, match="Unknown"):
        publication.line(total, [a, 99])


# --- Property test: many random tables -------------------------------------------------------

VALUES = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 45]


def _determined_by_rank(rows: list[list[int]], table: TwoWay) -> list[tuple[str, int, int]]:
    """An independent check of exact solving: the unknowns of a two-way table (hidden cells and
    totals) whose value the published lines fix, by matrix rank (numpy)."""
    m, n = len(rows), len(rows[0])
    unknown = [("cell", i, j) for i in range(m) for j in range(n) if table.cells[i][j].suppressed]
    unknown += [("row", i, 0) for i in range(m) if table.row_totals[i].suppressed]
    unknown += [("column", j, 0) for j in range(n) if table.column_totals[j].suppressed]
    unknown += [("grand", 0, 0)] if table.total.suppressed else []
    if not unknown:
        return []
    index = {u: k for k, u in enumerate(unknown)}
    lines = [[("row", i, 0), *[("cell", i, j) for j in range(n)]] for i in range(m)] + [
        [("column", j, 0), *[("cell", i, j) for i in range(m)]] for j in range(n)
    ]
    lines += [[("grand", 0, 0), *[("row", i, 0) for i in range(m)]]]
    lines += [[("grand", 0, 0), *[("column", j, 0) for j in range(n)]]]
    matrix = np.zeros((len(lines), len(unknown)))
    for r, (total, *parts) in enumerate(lines):
        if total in index:
            matrix[r, index[total]] = -1
        for part in parts:
            if part in index:
                matrix[r, index[part]] = 1
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for u, k in index.items():
        unit = np.zeros((1, len(unknown)))
        unit[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(u)
    return found


def _brute_force_exact(rows: list[list[int]], table: TwoWay) -> list[tuple[int, int]]:
    """Another independent check, for tiny tables: every table a reader could believe (hidden
    cells at least 1, shown cells and totals as published), enumerated; the hidden cells that
    have the same value in all of them."""
    m, n = len(rows), len(rows[0])
    hidden = [(i, j) for i in range(m) for j in range(n) if table.cells[i][j].suppressed]
    grand = sum(map(sum, rows))
    bound = grand if table.total.shown else grand + 3
    seen: dict[tuple[int, int], set[int]] = {place: set() for place in hidden}
    for guess in itertools.product(range(1, bound + 1), repeat=len(hidden)):
        trial = [list(row) for row in rows]
        for (i, j), value in zip(hidden, guess, strict=True):
            trial[i][j] = value
        sums = [sum(row) for row in trial]
        columns = [sum(trial[i][j] for i in range(m)) for j in range(n)]
        if any(c.shown and c.value != s for c, s in zip(table.row_totals, sums, strict=True)):
            continue
        if any(c.shown and c.value != s for c, s in zip(table.column_totals, columns, strict=True)):
            continue
        if table.total.shown and sum(sums) != grand:
            continue
        # A hidden total is at least 1 too (zeros are shown).
        hidden_sums = [s for c, s in zip(table.row_totals, sums, strict=True) if c.suppressed]
        hidden_sums += [
            s for c, s in zip(table.column_totals, columns, strict=True) if c.suppressed
        ]
        if any(s == 0 for s in hidden_sums):
            continue
        for (i, j), value in zip(hidden, guess, strict=True):
            seen[(i, j)].add(value)
    return [place for place, values in seen.items() if len(values) == 1]


def _check(cells: list[Cell], values: list[int], threshold: int) -> None:
    for cell, value in zip(cells, values, strict=True):
        if is_secret(value, threshold):
            assert cell.suppressed and cell.reason == P
        elif value == 0:
            assert cell == Cell(0, False, threshold)  # zeros stay shown
        elif cell.suppressed:
            assert cell.reason == C
        else:
            assert cell.value == value  # what is shown is true


def test_random_tables_are_always_safe():
    rng = random.Random(20260107)
    naive_unsafe = brute_forced = 0
    for _round in range(1000):
        threshold = rng.choice([2, 3, 5, 5, 5, 10])
        # One-way, with categories not listed now and then.
        values = [rng.choice(VALUES) for _ in range(rng.randint(1, 8))]
        total = sum(values) + rng.choice([0, 0, 0, 1, 2, 7])
        one = suppress_one_way(values, threshold, total)
        assert one_way_disclosures(values, one, threshold, total) == []
        _check([*one.cells, one.total], [*values, total], threshold)
        naive_unsafe += bool(
            one_way_disclosures(values, naive_one_way(values, threshold), threshold)
        )

        # Two-way.
        m, n = rng.randint(1, 6), rng.randint(1, 6)
        rows = [[rng.choice(VALUES) for _ in range(n)] for _ in range(m)]
        two = suppress_two_way(rows, threshold)
        assert two_way_disclosures(rows, two, threshold) == []
        columns = [list(column) for column in zip(*rows, strict=True)]
        _check([c for row in two.cells for c in row], [v for row in rows for v in row], threshold)
        _check(two.row_totals, [sum(row) for row in rows], threshold)
        _check(two.column_totals, [sum(column) for column in columns], threshold)
        _check([two.total], [sum(map(sum, rows))], threshold)
        naive = naive_two_way(rows, threshold)
        naive_unsafe += bool(two_way_disclosures(rows, naive, threshold))
        assert _determined_by_rank(rows, two) == []
        # Tiny tables: enumerate every table a reader could believe.
        hidden = sum(c.suppressed for row in two.cells for c in row)
        if m * n <= 6 and hidden <= 4 and sum(map(sum, rows)) <= 14:
            assert _brute_force_exact(rows, two) == []
            brute_forced += 1

        # Linked: two breakdowns of one total, and an "of which".
        publication = Publication(threshold)
        whole = publication.count(sum(values))
        handles = [publication.count(v) for v in values]
        publication.partition(whole, handles)
        split = [rng.randint(0, sum(values)) for _ in range(2)]
        others = [publication.count(v) for v in (min(split), sum(values) - min(split))]
        publication.partition(whole, others)
        publication.of_which(handles[0], publication.count(rng.randint(0, values[0])))
        cells = publication.protect()
        hidden_handles = [h for h in range(len(cells)) if cells[h].suppressed]
        published = [h for h in hidden_handles if cells[h].reason != Reason.UNPUBLISHED]
        assert publication.disclosures(published) == []
    # The check is not vacuous: primary suppression alone is often unsafe.
    assert naive_unsafe > 300
    assert brute_forced > 100


# --- The referral dashboard ------------------------------------------------------------------

MEASURES = [
    ("referrals", lambda r: r.referrals),
    ("overridden", lambda r: r.overridden),
    ("overdue", lambda r: r.overdue),
    ("acknowledged", lambda r: r.time_to_acknowledge.count),
    ("started", lambda r: r.time_to_service.count),
    ("answered", lambda r: r.acceptance.denominator),
    ("accepted", lambda r: r.acceptance.numerator),
    ("closed", lambda r: r.completion.denominator),
    ("completed", lambda r: r.completion.numerator),
]


def _as_read(exact: Dashboard, published: Dashboard) -> tuple[Publication, list[int]]:
    """What a reader of the dashboard (page or API) can put together: every count published,
    its true value (from `exact`), the lines the tables show (groups adding up to the key
    figures, statuses adding up to their total) and the "of which" each count is by definition
    (under override, overdue, acknowledged, started, answered within referrals; accepted within
    answered; completed within closed; the overdue within the sent). Returns the publication
    and the hidden counts."""
    publication = Publication(T)
    hidden: list[int] = []

    def count(true: Cell, shown_as: Cell) -> int:
        assert true.value is not None
        handle = publication.count(true.value)
        assert shown_as.value in (None, true.value)  # what is shown is true
        if shown_as.suppressed:
            hidden.append(handle)
        return handle

    def group(true: GroupRow, shown_as: GroupRow) -> dict[str, int]:
        handles = {name: count(get(true), get(shown_as)) for name, get in MEASURES}
        for part in ("overridden", "overdue", "acknowledged", "started", "answered"):
            publication.of_which(handles["referrals"], handles[part])
        publication.of_which(handles["answered"], handles["accepted"])
        publication.of_which(handles["closed"], handles["completed"])
        return handles

    totals = group(exact.totals, published.totals)
    for true_rows, shown_rows in (
        (exact.by_organisation, published.by_organisation),
        (exact.by_category, published.by_category),
    ):
        rows = [group(t, s) for t, s in zip(true_rows, shown_rows, strict=True)]
        for name, _get in MEASURES:
            publication.line(totals[name], [row[name] for row in rows])
    for true_table, shown_table in zip(exact.status_tables, published.status_tables, strict=True):
        # The status table's footer is the key figures' cell, shown the same way.
        assert shown_table.referrals == published.totals.referrals
        assert shown_table.overridden == published.totals.overridden
        pairs = list(zip(true_table.rows, shown_table.rows, strict=True))
        n = [count(t.referrals, s.referrals) for t, s in pairs]
        over = [count(t.overridden, s.overridden) for t, s in pairs]
        publication.line(totals["referrals"], n)
        publication.line(totals["overridden"], over)
        for whole, part in zip(n, over, strict=True):
            publication.of_which(whole, part)
        sent = next(h for h, row in zip(n, true_table.rows, strict=True) if row.status == "sent")
        publication.of_which(sent, totals["overdue"])  # the overdue are sent referrals
        # The completion rate counts statuses: completed is "completed", closed is "completed"
        # plus "not completed".
        by_status = {row.status: h for h, row in zip(n, true_table.rows, strict=True)}
        publication.line(totals["completed"], [by_status["completed"]])
        publication.line(totals["closed"], [by_status["completed"], by_status["not_completed"]])
    return publication, hidden


def test_the_completion_rate_and_the_status_table_hide_the_same_counts(
    client_for: Any,
    nrm: Any,
    colleague: Any,
    organisation: Any,
    analyst: Any,  # noqa: F811
    shelter_org: Any,  # noqa: F811
    clinic: Any,  # noqa: F811
) -> None:
    """20 completed, 2 not completed, 6 cancelled, 20 sent. The 2 is hidden in the status table
    with the 6 as its complement; the key figures hide the completed (20) to protect the 2 behind
    the completion rate. Shown in the status table, that 20 and the rate's denominator (22) gave
    the 2 back: the completion rate's counts are the status table's cells."""
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from orienta.referrals.choices import ReferralStatus as S
    from orienta.referrals.models import Referral
    from tests.cases_helpers import register_case

    case = register_case(colleague, organisation)
    start, due = datetime(2025, 3, 3, 12, tzinfo=UTC), timezone.now() + timedelta(days=1)
    rows = [(shelter_org, S.COMPLETED)] * 12 + [(clinic, S.COMPLETED)] * 8
    rows += [(shelter_org, S.NOT_COMPLETED)] * 2 + [(clinic, S.CANCELLED)] * 6
    rows += [(clinic, S.SENT)] * 10 + [(shelter_org, S.SENT)] * 10
    objects = []
    for hour, (recipient, status) in enumerate(rows):
        sent = start + timedelta(hours=hour)
        done = None if status in (S.SENT, S.CANCELLED) else sent + timedelta(hours=1)
        objects.append(
            Referral(
                case=case,
                category="SHEL-TEMP",
                sender_organisation=organisation,
                recipient_organisation=recipient,
                status=status,
                sent_at=sent,
                acknowledged_at=done,
                answered_at=done,
                started_at=done,
                acknowledge_by=due,
            )
        )
    Referral.objects.bulk_create(objects)
    with override_settings(ORIENTA_SMALL_CELL=1):
        exact = dashboard_of(analyst)
    published = client_for(analyst).get("/referrals/dashboard/").context["dashboard"]
    statuses = {row.status: row.referrals for row in published.status_tables[0].rows}
    assert statuses["not_completed"].suppressed
    assert published.totals.completion.denominator.value == 22
    assert statuses["completed"].suppressed == published.totals.completion.numerator.suppressed
    publication, hidden = _as_read(exact, published)
    assert publication.disclosures(hidden) == []


def test_the_referral_dashboard_gives_an_analyst_no_way_back_to_a_hidden_count(
    client_for: Any,
    analyst: Any,  # noqa: F811 - the fixture imported above
    referrals: Any,  # noqa: F811
) -> None:
    with override_settings(ORIENTA_SMALL_CELL=1):
        exact = dashboard_of(analyst)
    assert not exact.suppressing
    published = client_for(analyst).get("/referrals/dashboard/").context["dashboard"]
    assert published.suppressing
    publication, hidden = _as_read(exact, published)
    assert publication.disclosures(hidden) == []
    # Complementary suppression did happen: of the 8 referrals acknowledged, the shelter's 6
    # shown would give the clinic's 2 (hidden) away, so the 6 is hidden too.
    shelter = next(r for r in published.by_organisation if r.label == "Abri Espoir (fictif)")
    assert shelter.time_to_acknowledge.count.reason == C
    assert published.totals.time_to_acknowledge.count.value == 8
    # And primary suppression alone, as before, let a reader work hidden counts out.
    naive, primary = _as_read(exact, _primary_only(exact))
    assert naive.disclosures(primary) != []


def _primary_only(exact: Dashboard) -> Dashboard:
    """The dashboard as it was: each count hidden on its own when small."""

    def hide(cell: Cell) -> Cell:
        return suppress(cell.value or 0, T)

    def row(r: GroupRow) -> GroupRow:
        return GroupRow(
            key=r.key,
            label=r.label,
            referrals=hide(r.referrals),
            overridden=hide(r.overridden),
            overdue=hide(r.overdue),
            time_to_acknowledge=type(r.time_to_acknowledge)(
                None, hide(r.time_to_acknowledge.count), False
            ),
            time_to_service=type(r.time_to_service)(None, hide(r.time_to_service.count), False),
            acceptance=type(r.acceptance)(
                hide(r.acceptance.numerator), hide(r.acceptance.denominator), None, False
            ),
            completion=type(r.completion)(
                hide(r.completion.numerator), hide(r.completion.denominator), None, False
            ),
        )

    totals = row(exact.totals)
    tables = [
        type(t)(
            t.key,
            t.caption,
            [type(s)(s.status, s.label, hide(s.referrals), hide(s.overridden)) for s in t.rows],
            totals.referrals,
            totals.overridden,
        )
        for t in exact.status_tables
    ]
    return Dashboard(
        mechanism=exact.mechanism,
        threshold=T,
        since=None,
        until=None,
        organisation_id=None,
        organisations=exact.organisations,
        totals=totals,
        status_tables=tables,
        by_organisation=[row(r) for r in exact.by_organisation],
        by_category=[row(r) for r in exact.by_category],
    )


def test_a_case_level_user_sees_the_referral_dashboard_exactly(
    client_for: Any,
    owner: Any,
    referrals: Any,  # noqa: F811
) -> None:
    dashboard = client_for(owner).get("/referrals/dashboard/").context["dashboard"]
    assert dashboard.threshold == 0 and not dashboard.suppressing
    totals = dashboard.totals
    assert (totals.referrals.value, totals.overridden.value, totals.overdue.value) == (12, 3, 2)
    assert totals.acceptance.percent == pytest.approx(71.4)  # 5 / 7, hidden for an analyst
    assert not any(
        cell.suppressed
        for row in [totals, *dashboard.by_organisation, *dashboard.by_category]
        for _name, get in MEASURES
        for cell in [get(row)]
    )


# --- The return statistics -------------------------------------------------------------------


@pytest.fixture
def arrivals(reception_officer: Any, make_user: Any, organisation: Any, other_organisation: Any):
    """Fourteen returns in March 2026. A convoy from the Dominican Republic at Malpasse received
    by A: eight men and four women, one unaccompanied boy, one pregnant woman, two medical
    urgencies, three repeat returnees. A flight from the United States at Cap-Haïtien received
    by B: one woman and one person whose sex is not known."""
    from orienta.accounts.roles import Role

    load_haiti()
    convoy = movement(reception_officer, organisation, scheduled_at=local("2026-03-20T10:00"))
    for k, sex in enumerate(["male"] * 8 + ["female"] * 4):
        person = profile(given_name=f"Personne {k}", family_name="Fictive", sex=sex)
        checkin.check_in(acting_user=reception_officer, movement=convoy, profile=person)
    officer_b = make_user("reception@b.example", other_organisation, Role.RECEPTION_OFFICER)
    flight = movement(
        officer_b,
        other_organisation,
        origin_country="US",
        entry_point="HT-CAP-AIR",
        mode="flight",
        scheduled_at=local("2026-03-21T09:00"),
    )
    for k, sex in enumerate(("female", "unknown")):
        person = profile(given_name=f"Passagère {k}", family_name="Fictive", sex=sex)
        checkin.check_in(acting_user=officer_b, movement=flight, profile=person)
    Arrival.objects.filter(movement=convoy).update(checked_in_at=local("2026-03-20T11:00"))
    Arrival.objects.filter(movement=flight).update(checked_in_at=local("2026-03-21T10:00"))
    men = list(Arrival.objects.filter(movement=convoy, sex="male").order_by("pk"))
    women = list(Arrival.objects.filter(movement=convoy, sex="female").order_by("pk"))
    Arrival.objects.filter(pk=men[0].pk).update(age_group="child", accompaniment="unaccompanied")
    Arrival.objects.filter(pk=women[0].pk).update(pregnant=True)
    Arrival.objects.filter(pk__in=[men[1].pk, women[1].pk]).update(medical_urgency=True)
    Arrival.objects.filter(pk__in=[men[2].pk, men[3].pk, women[2].pk]).update(repeat_return=True)
    return {"convoy": convoy, "flight": flight}


def _stats_as_read(rows: dict[str, list[tuple[str, int, bool]]], total: tuple[int, bool]):
    """What a reader of the statistics can put together, from (key, true value, hidden) by
    breakdown: every breakdown but vulnerabilities and repeat returns adds up to the total;
    those are "of which" counts of it; unaccompanied children are children."""
    publication = Publication(T)
    hidden = []
    handles_of: dict[str, dict[str, int]] = {}
    whole = publication.count(total[0])
    if total[1]:
        hidden.append(whole)
    for breakdown, cells in rows.items():
        handles = []
        for _key, value, is_hidden in cells:
            handles.append(publication.count(value))
            if is_hidden:
                hidden.append(handles[-1])
        if breakdown in ("vulnerability", "repeat_return"):
            for handle in handles:
                publication.of_which(whole, handle)
        else:
            publication.partition(whole, handles)
        handles_of[breakdown] = dict(zip([key for key, _v, _h in cells], handles, strict=True))
    # An unaccompanied child is a child.
    publication.of_which(
        handles_of["age_group"]["child"], handles_of["vulnerability"]["unaccompanied_child"]
    )
    return publication, hidden


def test_the_return_statistics_give_an_analyst_no_way_back_to_a_hidden_count(
    client_for: Any,
    analyst: Any,  # noqa: F811 - the fixture imported above
    arrivals: Any,
) -> None:
    with override_settings(ORIENTA_SMALL_CELL=1):
        exact = figures.compute(analyst)
    truth = {t.key: {r.key: r.returns.value for r in t.rows} for t in exact.tables}
    client = client_for(analyst)
    stats = client.get("/returns/statistics/").context["stats"]
    assert stats.suppressing and stats.total == Cell(14, False, T)
    sex = {row.key: row.returns for row in stats.table("sex").rows}
    # One person of unknown sex: hidden; the 5 women with it, or 14 - 8 - 0 would give the 1
    # away; the 8 men and the 0 stay.
    assert (sex["unknown"].reason, sex["female"].reason) == (P, C)
    assert (sex["male"].value, sex["other"].value) == (8, 0)
    assert str(sex["female"]) == str(sex["unknown"])
    # 2 from the United States: hidden, and so the 12 from the Dominican Republic.
    assert [r.returns.reason for r in stats.table("origin_country").rows] == [C, P]
    assert stats.table("month").rows[0].returns.value == 14

    page = {
        t.key: [(r.key, truth[t.key][r.key], r.returns.suppressed) for r in t.rows]
        for t in stats.tables
    }
    publication, hidden = _stats_as_read(page, (14, stats.total.suppressed))
    assert publication.disclosures(hidden) == []
    for table in stats.tables:
        for row in table.rows:
            assert row.returns.value in (None, truth[table.key][row.key])  # shown is true

    # The CSV carries the very same cells: safe on its own, and identical to the page.
    response = client.get("/returns/statistics.csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))[2:]
    by = {(line[0], line[1]): line for line in lines}
    for table in stats.tables:
        for row in table.rows:
            value, flag = by[(table.key, row.key)][9:]
            assert flag == ("1" if row.returns.suppressed else "0")
            assert value == str(row.returns)
    exported: dict[str, list[tuple[str, int, bool]]] = {}
    for line in lines:
        if line[0] != "total":
            exported.setdefault(line[0], []).append(
                (line[1], truth[line[0]][line[1]] or 0, line[10] == "1")
            )
    assert by[("total", "all")][9:] == ["14", "0"]
    publication, hidden = _stats_as_read(exported, (14, False))
    assert publication.disclosures(hidden) == []
    # Primary suppression alone would not do: the unknown 1 is 14 - 8 - 5 - 0.
    naive = {
        key: [(k, v, is_secret(v, T)) for k, v, _hidden in cells] for key, cells in page.items()
    }
    publication, hidden = _stats_as_read(naive, (14, False))
    assert publication.disclosures(hidden) != []


def test_a_case_level_user_sees_the_return_statistics_exactly(
    client_for: Any, reception_officer: Any, organisation: Any, arrivals: Any
) -> None:
    stats = (
        client_for(reception_officer)
        .get("/returns/statistics/", {"organisation": str(organisation.pk)})
        .context["stats"]
    )
    assert stats.threshold == 0 and not stats.suppressing
    assert stats.total.value == 12
    assert {r.key: r.returns.value for r in stats.table("sex").rows} == {
        "female": 4,
        "male": 8,
        "other": 0,
        "unknown": 0,
    }
    assert {r.key: r.returns.value for r in stats.table("repeat_return").rows} == {"repeat": 3}
    assert not any(r.returns.suppressed for t in stats.tables for r in t.rows)


# --- One snapshot ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_pages_read_their_figures_from_one_snapshot(
    analyst: Any,  # noqa: F811 - the fixture imported above
    referrals: Any,  # noqa: F811
) -> None:
    # Outside any transaction (as in production, not as in the other tests), the queries of a
    # page run in one transaction, REPEATABLE READ on PostgreSQL, so that its figures add up
    # even while referrals are sent and arrivals checked in.
    assert not connection.in_atomic_block
    with consistent_reads():
        assert connection.in_atomic_block
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                assert cursor.fetchone()[0] == "repeatable read"
    assert not connection.in_atomic_block
    assert dashboard_of(analyst).totals.referrals.value == 13
    assert figures.compute(analyst).total.value == 0
