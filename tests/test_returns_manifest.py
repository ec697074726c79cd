"""Manifest import: mixed errors, encodings, delimiters, XLSX, fixes, re-import, the command."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from orienta.returns import importing
from orienta.returns.choices import RowStatus
from orienta.returns.manifest import UnusableFileError
from orienta.returns.models import ColumnMapping, ManifestRow
from tests.cases_helpers import register_case
from tests.returns_helpers import HEADER, load_haiti, manifest, movement

pytestmark = pytest.mark.django_db

MIXED = (
    HEADER
    + "Pierre;Jean;M;12/03/1990;haitiana;001-1234567-8\n"  # 2 fine
    + "Joseph;Marie;F;31/02/1995;HT;\n"  # 3 bad date
    + ";;F;01/01/2000;HT;\n"  # 4 empty names
    + "Pierre;Jean;M;12/03/1990;haitiana;001-1234567-8\n"  # 5 repeats row 2
    + "Louis;Anne;Z;01/01/1988;HT;\n"  # 6 unknown sex code
    + "Célestin;Rosemène;Femenino;1979-07-04;Haïti;P123\n"  # 7 fine, accents
    + "Dorval;Ti Jan;M;;HT;\n"  # 8 fine, no date
    + "Marc;Eddy;masculino;05.05.2099;HT;\n"  # 9 date in the future
    + "Noël;Lucie;F;1/1/1985;Martien;\n"  # 10 unknown nationality
)
BAD = {
    3: "Fecha de nacimiento",
    4: "Apellidos",
    5: "",
    6: "Sexo",
    9: "Fecha de nacimiento",
    10: "Nacionalidad",
}


@pytest.fixture
def convoy(reception_officer: Any, organisation: Any) -> Any:
    load_haiti()
    return movement(reception_officer, organisation)


def problems_by_row(result: Any) -> dict[int, str]:
    return {p.row: p.column for p in result.problems}


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8", True), ("latin-1", False), ("cp1252", False)],
)
def test_mixed_errors_in_every_encoding(
    reception_officer: Any, convoy: Any, encoding: str, bom: bool
) -> None:
    text = ("\ufeff" if bom else "") + MIXED
    result = manifest(reception_officer, convoy, text, encoding=encoding)
    assert result.accepted == 3
    assert result.rejected == 6
    assert problems_by_row(result) == BAD
    assert result.exit_code == 1
    # Nothing lost: every row is kept, with its cells as read.
    rows = ManifestRow.objects.filter(movement=convoy).order_by("row_number")
    assert [r.row_number for r in rows] == list(range(2, 11))
    assert rows.get(row_number=7).family_name == "Célestin"
    assert rows.get(row_number=7).sex == "female"
    assert rows.get(row_number=2).birth_date == date(1990, 3, 12)
    assert rows.get(row_number=2).nationality == "HT"
    bad_date = rows.get(row_number=3)
    assert bad_date.status == RowStatus.REJECTED
    assert bad_date.cells["Fecha de nacimiento"] == "31/02/1995"
    assert "31/02/1995" in bad_date.problems[0]["message"]


def test_comma_and_tab_delimiters_and_english_and_french_headers(
    reception_officer: Any, convoy: Any
) -> None:
    english = (
        "Surname,Name,Sex,Date of birth,Nationality,Passport\nPierre,Jean,M,1990-03-12,HT,X1\n"
    )
    assert manifest(reception_officer, convoy, english).accepted == 1
    french = (
        "Nom\tPrénom\tSexe\tDate de naissance\tNationalité\n"
        "Joseph\tAnne\tF\t01/02/1993\tHaïtienne\n"
    )
    result = manifest(reception_officer, convoy, french, source="other")
    assert result.accepted == 1 and result.rejected == 0


def test_xlsx(reception_officer: Any, convoy: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Apellidos", "Nombres", "Sexo", "Fecha de nacimiento", "Nacionalidad"])
    sheet.append(["Pierre", "Jean", "M", date(1990, 3, 12), "HT"])
    sheet.append(["Joseph", None, "X?", "hier", "HT"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = importing.import_manifest(
        acting_user=reception_officer, movement=convoy, name="lista.xlsx", data=buffer.getvalue()
    )
    assert (result.accepted, result.rejected) == (1, 1)
    assert {p.column for p in result.problems} == {"Sexo", "Fecha de nacimiento"}
    assert ManifestRow.objects.get(row_number=2).birth_date == date(1990, 3, 12)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.csv", b""),
        ("broken.xlsx", b"PK\x03\x04 not a workbook"),
        ("nonames.csv", b"colour;size\nred;3\n"),
    ],
)
def test_unusable_files_write_nothing(
    reception_officer: Any, convoy: Any, name: str, data: bytes
) -> None:
    with pytest.raises(UnusableFileError):
        importing.import_manifest(
            acting_user=reception_officer, movement=convoy, name=name, data=data
        )
    assert not ManifestRow.objects.exists()


def test_fixing_rejected_rows_completes_the_list(reception_officer: Any, convoy: Any) -> None:
    manifest(reception_officer, convoy, MIXED)
    fixes = {
        3: {"Fecha de nacimiento": "28/02/1995"},
        4: {"Apellidos": "Baptiste", "Nombres": "Roseline"},
        6: {"Sexo": "F"},
        9: {"Fecha de nacimiento": "05.05.1999"},
        10: {"Nacionalidad": "HT"},
    }
    for number, cells in fixes.items():
        row = ManifestRow.objects.get(movement=convoy, row_number=number)
        fixed = importing.fix_row(acting_user=reception_officer, row=row, cells=cells)
        assert fixed.status == RowStatus.ACCEPTED, fixed.problems
    # The repeated row stays rejected: fixing cannot list a person twice.
    twin = ManifestRow.objects.get(movement=convoy, row_number=5)
    again = importing.fix_row(acting_user=reception_officer, row=twin, cells={})
    assert again.status == RowStatus.REJECTED
    assert "(ligne 2)" in again.problems[-1]["message"]
    assert ManifestRow.objects.filter(movement=convoy, status=RowStatus.ACCEPTED).count() == 8
    assert ManifestRow.objects.get(row_number=4).family_name == "Baptiste"


def test_reimporting_a_corrected_file(reception_officer: Any, convoy: Any) -> None:
    manifest(reception_officer, convoy, MIXED)
    corrected = (
        HEADER
        + "Pierre;Jean;M;12/03/1990;haitiana;001-1234567-8\n"
        + "Joseph;Marie;F;28/02/1995;HT;\n"
    )
    result = manifest(reception_officer, convoy, corrected)
    assert (result.accepted, result.rejected, result.already_listed) == (1, 0, 1)
    # The earlier rejected rows are kept, withdrawn, never deleted.
    assert ManifestRow.objects.filter(movement=convoy, status=RowStatus.WITHDRAWN).count() == 6
    assert ManifestRow.objects.filter(movement=convoy).count() == 10


def test_the_mapping_is_remembered_per_source(reception_officer: Any, convoy: Any) -> None:
    odd = "Familia;Pila;Género\nPierre;Jean;M\n"
    mapping = {"family_name": "Familia", "given_name": "Pila", "sex": "Género"}
    result = manifest(reception_officer, convoy, odd, source="DGM Jimaní", mapping=mapping)
    assert result.accepted == 1
    assert ColumnMapping.objects.get(source="DGM Jimaní").mapping == mapping
    # Next time from the same source, the odd titles are understood without help.
    again = manifest(
        reception_officer, convoy, "Familia;Pila;Género\nJoseph;Luc;M\n", source="DGM Jimaní"
    )
    assert again.accepted == 1
    with pytest.raises(UnusableFileError):
        manifest(reception_officer, convoy, "Familia;Pila;Género\nJoseph;Luc;M\n", source="other")


def test_repeat_returnees_are_flagged(
    reception_officer: Any, organisation: Any, convoy: Any
) -> None:
    register_case(
        reception_officer,
        organisation,
        person={
            "given_name": "Jean",
            "family_name": "Pierre",
            "birth_date": date(1990, 3, 12),
            "sex": "male",
        },
    )
    result = manifest(
        reception_officer,
        convoy,
        HEADER + "Pierre;Jean;M;12/03/1990;HT;\nAlcide;Paul;M;02/02/1970;HT;\n",
    )
    assert result.repeat_returns == 1
    flagged = ManifestRow.objects.get(family_name="Pierre")
    assert flagged.repeat_return and flagged.candidate is not None
    assert not ManifestRow.objects.get(family_name="Alcide").repeat_return


def test_an_outsider_cannot_import(outsider: Any, convoy: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        manifest(outsider, convoy, MIXED)


def run(*args: str) -> int:
    try:
        call_command("import_manifest", *args)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def test_the_command_and_its_exit_codes(reception_officer: Any, tmp_path: Path) -> None:
    load_haiti()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Pierre;Jean;M;12/03/1990;HT;\n", encoding="latin-1")
    common = ["--origin", "DO", "--entry-point", "HT-MALPASSE", "--arrival", "2026-11-04T10:00"]
    assert run(str(good), *common) == 0
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(("\ufeff" + MIXED).encode("utf-8"))
    report = tmp_path / "report.csv"
    assert run(str(mixed), *common, "--report", str(report)) == 1
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,reason"
    assert {int(line.split(",")[0]) for line in lines[1:]} == set(BAD)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert run(str(empty), *common) == 2
    assert run(str(tmp_path / "missing.csv"), *common) == 2
    assert (
        run(
            str(good),
            "--origin",
            "DO",
            "--entry-point",
            "XX-NOWHERE",
            "--arrival",
            "2026-11-04T10:00",
        )
        == 2
    )
    assert (
        run(str(good), "--origin", "DO", "--entry-point", "HT-MALPASSE", "--arrival", "tomorrow")
        == 2
    )
    # Both lists went to one movement: the same corridor, entry point and scheduled time.
    from orienta.returns.models import Movement

    assert Movement.objects.count() == 1
    moved = Movement.objects.get()
    assert moved.local(moved.scheduled_at).strftime("%Y-%m-%d %H:%M") == "2026-11-04 10:00"


def test_an_age_with_a_superscript_digit_is_a_problem_not_an_error() -> None:
    from datetime import date

    from orienta.returns.manifest import check_row

    mapping = {"age": "Âge"}
    row = check_row(2, {"Âge": "2²"}, mapping, date(2026, 12, 7))
    assert (2, "Âge") in [(problem.row, problem.column) for problem in row.problems]
