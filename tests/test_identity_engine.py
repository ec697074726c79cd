"""The resolution engine on its own: records, blocking, comparison levels, the model, the batch
run, the CSV mode of `orienta find_duplicates` and the synthetic generator."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orienta.identity import batch, blocking
from orienta.identity.compare import MISSING, compare
from orienta.identity.files import RejectedFileError, read_records
from orienta.identity.model import Model, counted_shares
from orienta.identity.records import RawRecord, Records
from orienta.identity.synthetic import HEADER, generate_persons, true_pairs


def records(*rows: tuple) -> Records:
    return Records.from_raw(RawRecord(i, *row) for i, row in enumerate(rows))


def levels(*rows: tuple) -> dict[str, int]:
    """The levels of the pair (row 0, row 1)."""
    compared = compare(records(*rows), np.array([0]), np.array([1]))
    return {name: int(value[0]) for name, value in compared.levels.items()}


def test_records_are_order_insensitive_and_fold_names() -> None:
    found = records(("Jean-Pierre", "JOSEPH"), ("Joseph", "jean pierre"))
    assert sorted(found.words[0].tolist()) == sorted(found.words[1].tolist())
    assert found.names.values[found.given[0]] == "jean pierre"
    assert found.year.tolist() == [0, 0]  # no date: 0, never a default year


def test_keys_are_stable_across_runs_and_record_sets() -> None:
    one = records(("Wilner", "Dorsainvil", "M", date(1991, 4, 12), "Nord-Est", "AB12"))
    two = records(
        ("Marie", "Casimir"),
        ("wilner", "DORSAINVIL", "male", date(1991, 4, 12), "nord est", "ab-12"),
    )
    keys_one = set(blocking.keys(one, blocking.STORED)[1].tolist())
    rows, keys_two = blocking.keys(two, blocking.STORED)
    assert keys_one == set(keys_two[rows == 1].tolist())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # year one off, names spelt otherwise
        (
            ("Wilner", "Dorsainvil", "M", date(1991, 4, 12)),
            ("Wilnè", "Dorsinvil", "M", date(1990, 4, 12)),
        ),
        # given and family names the other way round
        (("Pierre", "Joseph", "M", date(1980, 1, 9)), ("Joseph", "Pierre", "M", date(1980, 1, 9))),
        # a typo in one name, the date right with day and month swapped
        (
            ("Guerline", "Exantus", "F", date(1993, 5, 7)),
            ("Gurline", "Xeantus", "F", date(1993, 7, 5)),
        ),
        # no date on one side: names and origin
        (
            ("Rose", "Belizaire", "F", None, "Sud"),
            ("Roz", "Bélizaire", "F", date(1970, 3, 3), "SUD"),
        ),
        # nothing but the document number in common
        (
            ("Ti Jean", "Inconnu", "", None, "", "HT778899"),
            ("Jean", "Miracle", "", None, "", "ht 778899"),
        ),
    ],
)
def test_blocking_brings_the_usual_errors_together(first: tuple, second: tuple) -> None:
    left, right = blocking.candidate_pairs(records(first, second, ("Marie", "Casimir", "F")))
    assert (0, 1) in set(zip(left.tolist(), right.tolist(), strict=True))


def test_unrelated_records_are_not_blocked_together() -> None:
    left, _right = blocking.candidate_pairs(
        records(("Wilner", "Dorsainvil", "M", date(1991, 4, 12)), ("Marie", "Casimir", "F"))
    )
    assert len(left) == 0


def test_a_block_over_its_limit_is_compared_with_neighbours_only(monkeypatch) -> None:
    monkeypatch.setattr(blocking, "LIMITS", {**blocking.LIMITS, blocking.Kind.PAIR: (3, 1)})
    rows = [("Jean", "Joseph", "M", None, "", "") for _ in range(6)]
    left, _ = blocking.candidate_pairs(records(*rows), [blocking.Kind.PAIR])
    assert len(left) == 5  # each record with the next, not 15 pairs


def test_name_levels() -> None:
    assert levels(("Jean", "Joseph"), ("JEAN", "joseph"))["given"] == 4
    assert levels(("Jean", "Joseph"), ("Jan", "Jozèf"))["family"] == 3
    assert levels(("Jean Pierre", "Joseph"), ("Jean", "Joseph"))["given"] == 2
    assert levels(("Jean", "Joseph"), ("Marie Jean", "Joseph"))["given"] == 2  # either side
    assert levels(("Mackenson", "Joseph"), ("Mackensen", "Joseph"))["given"] == 3
    assert levels(("Dorsainvil", "Joseph"), ("Dorsainbil", "Joseph"))["given"] == 2
    assert levels(("Wilner", "Joseph"), ("Wilmer", "Joseph"))["given"] in (1, 2)
    assert levels(("Wilner", "Joseph"), ("Marie", "Joseph"))["given"] == 0
    assert levels(("", "Joseph"), ("Marie", "Joseph"))["given"] == MISSING


def test_names_are_compared_crosswise_when_swapped() -> None:
    compared = compare(
        records(("Pierre", "Dorsainvil"), ("Dorsainvil", "Pierre")), np.array([0]), np.array([1])
    )
    assert compared.swapped[0]
    assert compared.levels["given"][0] == 4 and compared.levels["family"][0] == 4


@pytest.mark.parametrize(
    ("one", "other", "level"),
    [
        (date(1990, 5, 6), date(1990, 5, 6), 5),
        (date(1990, 5, 6), date(1990, 6, 5), 4),
        (date(1990, 5, 6), date(1991, 5, 6), 3),
        (date(1990, 5, 6), date(1990, 5, 8), 3),
        (date(1990, 5, 6), date(1990, 1, 1), 2),  # 1 January: the day was not known
        (date(1990, 1, 1), date(1990, 1, 1), 2),
        (date(1990, 5, 6), date(1992, 2, 2), 1),
        (date(1990, 5, 6), date(1999, 5, 6), 0),
        (date(1990, 5, 6), None, MISSING),
    ],
)
def test_birth_levels(one: date, other: date | None, level: int) -> None:
    assert levels(("A", "B", "", one), ("A", "B", "", other))["birth"] == level


def test_sex_origin_and_document_levels() -> None:
    found = levels(
        ("A", "B", "F", None, "Nord", "AB123456"), ("A", "B", "M", None, "NORD", "AB123457")
    )
    assert (found["sex"], found["origin"], found["document"]) == (0, 2, 1)
    found = levels(
        ("A", "B", "", None, "Coonabarabran", "AB123456"),
        ("A", "B", "F", None, "Coonabavrabran", "AB123465"),  # two digits swapped
    )
    assert (found["sex"], found["origin"], found["document"]) == (MISSING, 1, 1)
    found = levels(("A", "B", "", None, "", "AB123456"), ("A", "B", "F", None, "Sud", "ZZ999999"))
    assert (found["sex"], found["origin"], found["document"]) == (MISSING, MISSING, 0)
    assert levels(("A", "B", "", None, "Nord"), ("A", "B", "", None, "Sud"))["origin"] == 0


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[tuple[str, ...]], Records]:
    rows = generate_persons(6000, seed=5)
    raw = [
        RawRecord(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]) if r[4] else None, r[5], r[6])
        for r in rows
    ]
    return rows, Records.from_raw(raw)


def _f1(rows: list[tuple[str, ...]], found: set[tuple[str, str]]) -> float:
    truth = {tuple(sorted(pair)) for pair in true_pairs(rows)}
    hits = len(found & truth)
    precision, recall = hits / max(len(found), 1), hits / len(truth)
    return 2 * precision * recall / (precision + recall)


def test_batch_resolution_finds_the_repeat_returns(synthetic) -> None:
    rows, found = synthetic
    result = batch.resolve(found)
    pairs = {
        tuple(sorted((found.ids[a], found.ids[b])))
        for a, b in zip(result.left.tolist(), result.right.tolist(), strict=True)
    }
    assert _f1(rows, pairs) >= 0.85
    # Clusters: records linked by kept pairs share a label.
    clusters = result.clusters()
    assert all(clusters[a] == clusters[b] for a, b in zip(result.left, result.right, strict=True))


def test_the_estimated_model_tells_agreement_from_chance(synthetic) -> None:
    _rows, found = synthetic
    model = batch.train(found)
    weights = {name: model.level_weights(name) for name in model.m}
    assert weights["birth"][5] > 5 > weights["birth"][0]  # same date: strong; far apart: against
    assert weights["given"][4] > weights["given"][1] > weights["given"][0]
    assert weights["document"][2] > 10
    assert 0 < model.prior < 0.01
    # Frequencies: agreeing on a common given name says less than on a rare one.
    common = records(("Jean", "Dorsainvil"), ("Jean", "Dorsainvil"))
    rare = records(("Wisly", "Dorsainvil"), ("Wisly", "Dorsainvil"))
    bits = []
    for pair in (common, rare):
        compared = compare(pair, np.array([0]), np.array([1]), model.record_shares(pair))
        bits.append(model.field_weights(compared)["given"][0])
    assert bits[0] < bits[1]
    # Saved and read back, the model scores alike.
    again = Model.from_json(model.to_json())
    compared = compare(found, np.array([0, 1]), np.array([2, 3]), counted_shares(found))
    assert np.allclose(model.probability(compared), again.probability(compared))


def test_the_bound_drops_only_pairs_that_cannot_match(synthetic) -> None:
    _rows, found = synthetic
    model = batch.train(found)
    left, right = blocking.candidate_pairs(found)
    shares = counted_shares(found)
    full = compare(found, left, right, shares)
    chance = model.probability(full)
    kept = compare(found, left, right, shares, model.could_match(0.5))
    assert {(a, b) for a, b, p in zip(left, right, chance, strict=True) if p >= 0.5} <= set(
        zip(kept.left.tolist(), kept.right.tolist(), strict=True)
    )
    assert len(kept) < len(full)


# -- the CSV mode ---------------------------------------------------------------------------


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = [
    "record_id,given_name,family_name,sex,birth_date,origin,document_number",
    "a1,Wilner,Dorsainvil,M,1991-04-12,Nord-Est,",
    "a2,Wilnè,DORSAINVIL,M,1991-04-12,,",
    "a3,Marie,Casimir,F,,Ouest,",
    "a4,Rose,Alexis,,,,",
]


def test_find_duplicates_on_a_file(tmp_path: Path, capsys) -> None:
    source = write(tmp_path / "in.csv", GOOD)
    out = tmp_path / "pairs.csv"
    call_command("find_duplicates", "--input", str(source), "--output", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["record_id_a", "record_id_b", "probability"]
    assert [r[:2] for r in rows[1:]] == [["a1", "a2"]]
    assert 0.5 <= float(rows[1][2]) <= 1
    assert "1 pair(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["record_id,given_name,family_name,sex,birth_date,origin"], "column document_number"),
        ([GOOD[0], "a1,Jean,Joseph,M,12/04/1991,,"], "line 2, column birth_date"),
        ([GOOD[0], "a1,Jean,Joseph,M,,,", "a1,Rose,Alexis,F,,,"], "line 3, column record_id"),
        ([GOOD[0], ",Jean,Joseph,M,,,"], "line 2, column record_id"),
        ([GOOD[0], "a1,Jean,Joseph"], "line 2: 3 cells"),
        ([], "empty"),
    ],
)
def test_a_malformed_file_is_refused_with_line_and_column(
    tmp_path: Path, lines: list[str], expected: str
) -> None:
    source = write(tmp_path / "in.csv", lines) if lines else tmp_path / "in.csv"
    if not lines:
        source.write_bytes(b"")
    with pytest.raises(CommandError, match=expected):
        call_command("find_duplicates", "--input", str(source))


def test_every_problem_is_listed_and_a_non_utf8_file_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", [GOOD[0], "a1,J,K,M,1990-13-01,,", "a2,J,K,M,x,,"])
    with pytest.raises(RejectedFileError) as refused:
        read_records(source)
    assert [str(p) for p in refused.value.problems] == [
        "line 2, column birth_date: '1990-13-01' is not a date written YYYY-MM-DD",
        "line 3, column birth_date: 'x' is not a date written YYYY-MM-DD",
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((GOOD[0] + "\na1,Désir,Jean,M,,,\n").encode("latin-1"))
    with pytest.raises(RejectedFileError, match="1 problem"):
        read_records(latin)


def test_bad_threshold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="threshold"):
        call_command(
            "find_duplicates",
            "--input",
            str(write(tmp_path / "in.csv", GOOD)),
            "--threshold",
            "1.5",
        )


# -- the generator --------------------------------------------------------------------------


def test_generator_is_seeded_and_writes_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "persons.csv"
    call_command("generate_synthetic", "persons", "--n", "500", "--seed", "3", "--output", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == HEADER and len(rows) == 501
    assert [tuple(r) for r in rows[1:]] == generate_persons(500, seed=3)
    assert generate_persons(500, seed=4) != generate_persons(500, seed=3)
    # Repeat returns: several records share an entity, with the errors of the model.
    by_entity: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_entity.setdefault(row[-1], []).append(row)
    assert any(len(v) > 1 for v in by_entity.values())
    assert any(r[4] == "" for r in rows[1:]) and any(r[5] == "" for r in rows[1:])
    # The file is a valid input of find_duplicates (the truth column is ignored).
    assert len(read_records(out)) == 500


def test_a_record_has_each_key_once_and_never_pairs_with_itself() -> None:
    found = records(("Phoebe", "Pettman-South", "F", date(1972, 3, 28)), ("Marie", "Casimir"))
    rows, keys = blocking.keys(found, [*blocking.STORED, *blocking.BLOCKING])
    assert len(set(zip(rows.tolist(), keys.tolist(), strict=True))) == len(rows)
    left, right = blocking.candidate_pairs(found)
    assert not (left == right).any()
