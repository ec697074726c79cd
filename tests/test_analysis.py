"""The mapping analysis: matrix, gaps, overlaps, at risk, cost share; page, CSV and PDF."""

from __future__ import annotations

import csv
import io

import pytest

from orienta.directory.analysis import analyse
from orienta.directory.packs import load_directory_pack
from tests.fixtures.mini_pack import MINI_PACK

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack() -> None:
    load_directory_pack(MINI_PACK, source="mini")


def test_matrix_gaps_overlaps_risk_and_costs(pack) -> None:
    result = analyse(overlap_threshold=1)
    assert result.cell("IMM", "HT04") == 1  # transport; the closed canteen does not count
    assert result.cell("SHEL", "HT04") == 1
    assert result.cell("PROT", "HT06") == 1 and result.cell("FTR", "HT06") == 1
    assert ("SHEL", "HT06") in result.gaps and ("PROT", "HT04") in result.gaps
    assert ("IMM", "HT04", 1) in result.overlaps
    assert analyse(overlap_threshold=2).overlaps == []
    risky = {row["service"].name for row in result.at_risk}
    assert risky == {"Hébergement d'urgence « Abri »", "Identification des enfants non accompagnés"}
    assert result.cost_share["SHEL"] == {"shared_cost": 1}
    assert result.cost_share["IMM"] == {"free": 1}


def test_page_csv_and_pdf(client_for, coordinator, make_user, organisation, pack) -> None:
    analyst = make_user("analyst@a.example", organisation, "analyst")
    client = client_for(analyst)
    page = client.get("/manage/analysis/")
    assert page.status_code == 200 and "Nord-Est" in page.content.decode()
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/manage/analysis/", {"format": "csv"}).content.decode())
        )
    )
    cell = next(r for r in rows if r["category"] == "SHEL" and r["admin1_code"] == "HT06")
    assert cell["active_services"] == "0" and cell["gap"] == "1"
    pdf = client.get("/manage/analysis/", {"format": "pdf", "overlap": "x"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_caseworkers_and_outsiders_do_not_see_it(client_for, colleague, outsider, pack) -> None:
    assert client_for(colleague).get("/manage/analysis/").status_code == 403
    assert client_for(outsider).get("/manage/analysis/").status_code == 403
