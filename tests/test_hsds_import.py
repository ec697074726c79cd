"""HSDS 3.0 import and export: the official examples, our own French package, lossless round
trips, and every kind of malformed input rejected with file, row and field."""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orienta.audit.models import AuditEvent
from orienta.directory.hsds import exporter
from orienta.directory.hsds.importer import ImportRejectedError, import_input
from orienta.directory.hsds.reader import read_path
from orienta.directory.hsds.spec import ORDER, tables

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).parent / "fixtures" / "hsds-examples"
SKIP = {"created_at", "updated_at"}


def snapshot() -> dict[str, list[dict]]:
    """Every stored HSDS value, table by table, field by field."""
    state = {}
    for name, table in tables().items():
        model = table.model
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIP]
        state[name] = list(model._default_manager.order_by("pk").values(*names))
    return state


def clear() -> None:
    for name in reversed(ORDER):
        tables()[name].model._default_manager.all().delete()


def counts() -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot().items()}


def import_path(path: Path):
    return import_input(read_path(path), source=path.name)


def test_official_csv_package_imports_with_the_right_counts() -> None:
    report = import_path(EXAMPLES / "csv")
    expected = {name: 1 for name in ORDER if name not in ("unit", "service_capacity")}
    assert dict(report.created) == expected
    assert len(report.warnings) == 6  # the examples point at rows they do not include
    assert AuditEvent.objects.filter(action="directory.hsds.imported").count() == 1


@pytest.mark.parametrize(
    ("name", "table", "expected"),
    [
        ("service_full.json", "service", 1),
        ("organization_full.json", "organization", 1),
        ("location.json", "location", 1),
        ("service_at_location_full.json", "service_at_location", 1),
        ("taxonomy.json", "taxonomy", 1),
        ("taxonomy_term.json", "taxonomy_term", 1),
        ("service_list.json", "service", 1),
        ("organization_list.json", "organization", 1),
        ("tabular.json", "service", 1),
    ],
)
def test_official_json_examples_import(name: str, table: str, expected: int) -> None:
    import_path(EXAMPLES / name)
    assert counts()[table] == expected


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_official_examples_round_trip_losslessly(tmp_path: Path, export_format: str) -> None:
    import_path(EXAMPLES / "csv")
    import_path(EXAMPLES / "service_full.json")
    before = snapshot()
    target = tmp_path / ("package" if export_format == "csv" else "directory.json")
    call_command("export_hsds", str(target), "--format", export_format)
    clear()
    import_path(target)
    assert snapshot() == before


def french_package(folder: Path, services: int = 30) -> Path:
    """An HSDS package written from the schemas, with the text French users actually type."""
    folder.mkdir(parents=True, exist_ok=True)
    organisation = str(uuid.uuid4())
    rows: dict[str, list[dict[str, str]]] = {
        "organizations.csv": [],
        "services.csv": [],
        "locations.csv": [],
        "service_at_location.csv": [],
        "cost_options.csv": [],
        "funding.csv": [],
    }
    rows["organizations.csv"].append(
        {
            "id": organisation,
            "name": "Groupe d'Appui aux Rapatriés et Réfugiés",
            "description": "Accueil, « orientation » et suivi ; ligne 1\nligne 2, avec virgule",
            "country": "HT",
            "kind": "ngo",
            "level": "national",
            "mandate_fr": "Défense des droits des rapatriés",
            "year_incorporated": "1991",
            "note_interne": "colonne hors HSDS, gardée",
        }
    )
    for n in range(services):
        service, location = str(uuid.uuid4()), str(uuid.uuid4())
        rows["services.csv"].append(
            {
                "id": service,
                "organization_id": organisation,
                "name": f"Service n°{n} — hébergement d'urgence",
                "description": 'Lits « temporaires », repas ; "guillemets"\net retour à la ligne',
                "status": "active" if n % 5 else "temporarily closed",
                "minimum_age": str(n % 18),
                "maximum_age": "59.5",
                "assured_date": "2026-10-01",
                "last_modified": "2026-11-01T08:30:00Z",
                "target_groups": '["returnees", "unaccompanied_separated_children"]',
                "accepts_referrals": "true",
                "referral_channel": "phone",
            }
        )
        rows["locations.csv"].append(
            {
                "id": location,
                "location_type": "physical",
                "name": f"Centre d'accueil de Belladère {n}",
                "latitude": "19.0786",
                "longitude": "-71.8219",
                "country": "HT",
                "admin1_code": "HT03",
                "admin1_name": "Centre",
            }
        )
        rows["service_at_location.csv"].append(
            {"id": str(uuid.uuid4()), "service_id": service, "location_id": location}
        )
        rows["cost_options.csv"].append(
            {
                "id": str(uuid.uuid4()),
                "service_id": service,
                "option": "Gratuit",
                "currency": "HTG",
                "amount": "0",
                "amount_description": "Pris en charge par l'État",
            }
        )
        rows["funding.csv"].append(
            {
                "id": str(uuid.uuid4()),
                "service_id": service,
                "source": "Union européenne",
                "end_date": "2027-01-31",
            }
        )
    for name, records in rows.items():
        header = sorted({k for r in records for k in r})
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(records)
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "test", "resources": []}), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_french_package_round_trips_losslessly(tmp_path: Path, export_format: str) -> None:
    report = import_path(french_package(tmp_path / "in"))
    assert report.created["service"] == 30
    before = snapshot()
    organisation = before["organization"][0]
    assert (
        organisation["description"].startswith("Accueil, « orientation »")
        and "\n" in organisation["description"]
    )
    assert organisation["extra"] == {"note_interne": "colonne hors HSDS, gardée"}
    service = next(
        s for s in before["service"] if s["name"] == "Service n°3 — hébergement d'urgence"
    )
    assert service["target_groups"] == ["returnees", "unaccompanied_separated_children"]
    assert service["maximum_age"] == 59.5
    target = tmp_path / ("out" if export_format == "csv" else "out.json")
    call_command("export_hsds", str(target), "--format", export_format)
    clear()
    import_path(target)
    assert snapshot() == before


def test_reimport_updates_by_id(tmp_path: Path) -> None:
    folder = french_package(tmp_path / "in", services=2)
    import_path(folder)
    path = folder / "services.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("hébergement d'urgence", "abri"), encoding="utf-8"
    )
    report = import_path(folder)
    assert report.updated["service"] == 2 and report.created["service"] == 0
    assert {s["name"] for s in snapshot()["service"]} == {
        "Service n°0 — abri",
        "Service n°1 — abri",
    }


def _reject(path: Path) -> list[str]:
    before = snapshot()
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRejectedError) as rejected:
        import_path(path)
    assert snapshot() == before and AuditEvent.objects.count() == events  # nothing changed
    return [str(p) for p in rejected.value.problems]


def _edit(folder: Path, name: str, row: int, column: str, value: str | None) -> None:
    path = folder / name
    records = list(csv.DictReader(path.open(encoding="utf-8")))
    header = list(records[0].keys())
    if value is None:
        records[row][column] = ""
    else:
        records[row][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(records)


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "message"),
    [
        ("services.csv", 1, "name", None, "services.csv: row 3: name: is required"),
        ("services.csv", 0, "id", "pas-un-uuid", "services.csv: row 2: id: is not a valid uuid"),
        (
            "services.csv",
            2,
            "status",
            "ouvert",
            "services.csv: row 4: status: must be one of: active, inactive, defunct, "
            "temporarily closed",
        ),
        (
            "services.csv",
            0,
            "organization_id",
            str(uuid.UUID(int=7)),
            "services.csv: row 2: organization_id: refers to organization",
        ),
        ("services.csv", 0, "minimum_age", "dix", "services.csv: row 2: minimum_age:"),
        (
            "services.csv",
            0,
            "assured_date",
            "01/10/2026",
            "services.csv: row 2: assured_date: is not a valid date",
        ),
        (
            "services.csv",
            0,
            "referral_channel",
            "pigeon",
            "services.csv: row 2: referral_channel: must be one of",
        ),
        (
            "locations.csv",
            0,
            "location_type",
            "boat",
            "locations.csv: row 2: location_type: must be one of",
        ),
    ],
)
def test_malformed_rows_are_rejected_with_file_row_and_field(
    tmp_path, table, row, column, value, message
) -> None:
    folder = french_package(tmp_path / "in", services=3)
    _edit(folder, table, row, column, value)
    problems = _reject(folder)
    assert any(p.startswith(message) for p in problems), problems


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    folder = french_package(tmp_path / "in", services=3)
    _edit(folder, "services.csv", 0, "status", "x")
    _edit(folder, "services.csv", 2, "id", "y")
    assert len(_reject(folder)) >= 2


def test_wrong_encoding_is_rejected(tmp_path: Path) -> None:
    folder = french_package(tmp_path / "in", services=1)
    text = (folder / "services.csv").read_text(encoding="utf-8")
    (folder / "services.csv").write_bytes(text.encode("latin-1", errors="replace"))
    problems = _reject(folder)
    assert any(p.startswith("services.csv: line 2: is not UTF-8") for p in problems), problems


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    folder = french_package(tmp_path / "in", services=1)
    (folder / "locations.csv").write_bytes(b"")
    assert "locations.csv: the file is empty" in _reject(folder)


def test_truncated_zip_is_rejected(tmp_path: Path) -> None:
    folder = french_package(tmp_path / "in", services=5)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.iterdir():
            archive.write(path, path.name)
    truncated = tmp_path / "package.zip"
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    problems = _reject(truncated)
    assert problems[0].startswith("package.zip: is not a readable zip file")


def test_whole_zip_imports(tmp_path: Path) -> None:
    folder = french_package(tmp_path / "in", services=4)
    archive_path = tmp_path / "package.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"hsds/{path.name}")
    assert import_path(archive_path).created["service"] == 4


def test_invalid_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text('{"id": ', encoding="utf-8")
    assert _reject(path)[0].startswith("services.json: line 1: is not valid JSON")


def test_command_exit_codes(tmp_path: Path, capsys) -> None:
    call_command("import_hsds", str(EXAMPLES / "csv"))
    assert "Imported 21 records." in capsys.readouterr().out
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "csv", broken)
    _edit(broken, "services.csv", 0, "status", "open")
    with pytest.raises(CommandError, match="Import rejected: 1 problem") as info:
        call_command("import_hsds", str(broken))
    assert info.value.returncode == 1
    assert "services.csv: row 2: status: must be one of" in capsys.readouterr().err


def test_export_writes_a_datapackage_with_every_table(tmp_path: Path) -> None:
    import_path(EXAMPLES / "csv")
    counts_written = exporter.write_package(tmp_path / "out")
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} == set(ORDER)
    assert counts_written["service"] == 1


def test_an_organisation_entered_without_description_still_exports_valid_hsds(
    tmp_path: Path,
) -> None:
    from orienta.directory.models import Organisation

    Organisation.objects.create(name="Saisie rapide", kind="ngo", country="HT")
    exporter.write_package(tmp_path / "out")
    clear()
    report = import_path(tmp_path / "out")
    assert report.created["organization"] == 1
    assert Organisation.objects.get().description == "Saisie rapide"  # the name stands in


@pytest.mark.parametrize(
    ("table", "row"),
    [
        ("service", {"id": str(uuid.uuid4()), "name": "Abri", "status": "active"}),
        ("service", {"id": "not-a-uuid", "name": "Abri", "status": "active"}),
        ("service", {"id": str(uuid.uuid4()), "name": "Abri", "status": "ouvert"}),
        ("service", {"id": str(uuid.uuid4()), "status": "active"}),
        ("service", {"id": str(uuid.uuid4()), "name": 12, "status": "active"}),
        ("service", {"id": str(uuid.uuid4()), "name": "A", "status": "active", "email": "x"}),
        ("service", {"id": str(uuid.uuid4()), "name": "A", "status": "active", "email": "a@b"}),
        ("location", {"id": str(uuid.uuid4()), "location_type": "physical", "latitude": "n"}),
        ("location", {"id": str(uuid.uuid4()), "location_type": "physical", "latitude": 18.5}),
        ("phone", {"id": str(uuid.uuid4()), "number": "+509 2222 0000"}),
    ],
)
def test_the_fast_schema_check_agrees_with_jsonschema(table: str, row: dict) -> None:
    """Rows that pass the compiled check skip jsonschema: both must judge every row alike."""
    from orienta.directory.hsds import importer

    full = not any(True for _ in importer._validator(table).iter_errors(row))
    assert importer._conforms(table)(row) is full
