"""The knowledge base as files: the mapping matrix as XLSX and PDF, the mapping report (French and
English), who may have them, and Arabic right to left in the PDFs with the vendored font."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from orienta.core.documents import html_to_pdf, static_root, vendored_font_url
from orienta.knowledge import exports, matrix
from orienta.knowledge.choices import Confidence, FactField
from orienta.knowledge.models import Entity, EntityFact

pytestmark = pytest.mark.django_db

LEAGUE_AR = "جامعة الدول العربية"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-results"
PDFTOPPM = shutil.which("pdftoppm")


@pytest.fixture
def reader(analyst: Any, client_for: Any) -> Client:
    return client_for(analyst)


@pytest.fixture
def league_recommends(mena: Any) -> EntityFact:
    """The pack documents no recommendation: the League gets one, in both languages."""
    return EntityFact.objects.create(
        entity=Entity.objects.get(key="LAS"),
        field=FactField.RECOMMENDATIONS,
        text_en="Engage the ARCP secretariat on labour mobility data.",
        text_fr="Associer le secrétariat de l'ARCP aux données sur la mobilité de main-d'œuvre.",
        confidence=Confidence.SECONDARY,
        source_reference="Mission notes, Cairo",
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def font_names(content: bytes) -> set[str]:
    """The base names of the fonts of every page (and of the forms the pages draw)."""
    names: set[str] = set()

    def visit(resources: Any) -> None:
        if not resources:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont", "")))
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in PdfReader(io.BytesIO(content)).pages:
        visit(page.get("/Resources"))
    return names


def undotted(text: str) -> str:
    """The Arabic letters of `text` that have no dots and no shared body (alif, lam, mim, waw),
    in order, all else dropped."""
    return "".join(char for char in text if char in "المو")


# --- The matrix as XLSX and PDF -----------------------------------------------------------------


def test_the_xlsx_holds_the_matrix_of_the_filters(mena, reader):
    expected = matrix.build("theme", theme="climate_mobility")
    response = reader.get(
        reverse("knowledge:matrix"), {"theme": "climate_mobility", "format": "xlsx", "lang": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    assert response["Content-Disposition"] == 'attachment; filename="matrix-theme-en.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert header[:5] == ["Key", "Name (English)", "Name (French)", "Name (Arabic)", "Acronym"]
    assert header[5:] == [column.label_en for column in expected.columns]
    assert [row[0] for row in body] == [entity.key for entity, _marks in expected.rows]
    for row, (entity, marks) in zip(body, expected.rows, strict=True):
        assert row[1:4] == [entity.name_en, entity.name_fr, entity.name_ar or None]
        assert [cell == "●" for cell in row[5:]] == marks
        assert all(cell in ("●", None) for cell in row[5:])
    assert list(totals[5:]) == expected.totals
    assert sheet.freeze_panes == "F2"
    # Filled cells are coloured, the others not; the Arabic names read right to left.
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, min_col=6):
        for cell in row:
            assert (cell.fill.fill_type == "solid") == (cell.value == "●")
    assert sheet["D2"].alignment.readingOrder == 2


def test_the_xlsx_keeps_text_that_looks_like_a_formula_as_text(mena):
    league = Entity.objects.get(key="LAS")
    league.name_en = '=HYPERLINK("http://evil.example","x")'
    league.save()
    content = exports.matrix_xlsx(matrix.build("region"), language="en")
    sheet = load_workbook(io.BytesIO(content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert league.name_en in names
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "LAS")
    assert cell.data_type == "s"


def test_the_pdf_is_the_heatmap_of_the_filtered_entities(mena, reader):
    expected = matrix.build("theme", theme="climate_mobility")
    response = reader.get(
        reverse("knowledge:matrix"), {"theme": "climate_mobility", "format": "pdf", "lang": "en"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for entity, _marks in expected.rows:
        assert (entity.acronym_en or entity.key) in text
    assert "AFESD" not in text  # a development bank, not classified under climate and mobility
    assert "Theme: Climate action and mobility" in text
    assert "Mapping matrix" in text and "Generated on" in text
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape


def test_the_matrix_page_offers_the_files_and_the_report(mena, reader):
    page = reader.get(reverse("knowledge:matrix"), {"theme": "health"}).content.decode()
    assert "format=xlsx" in page and "format=pdf" in page
    assert reverse("knowledge:mapping_report") + "?theme=health" in page


# --- The mapping report -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "recommendation", "missing", "heading"),
    [
        ("en", "Engage the ARCP secretariat", "Not documented yet.", "Recommendations"),
        ("fr", "Associer le secrétariat de l'ARCP", "Pas encore documenté.", "Recommandations"),
    ],
)
def test_the_mapping_report_gives_recommendations_or_says_they_are_missing(
    language, recommendation, missing, heading, league_recommends, reader
):
    response = reader.get(reverse("knowledge:mapping_report"), {"lang": language})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"mapping-report-{language}.pdf" in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    assert recommendation in text
    assert heading in text
    # Every other entity has no recommendation, and the pack none but one engagement note.
    assert text.count(missing) == 2 * Entity.objects.count() - 2
    assert "Mission notes, Cairo" in text
    # Organisations come before dialogues; both matrices and the counts by theme are there.
    league = "League of Arab States" if language == "en" else "Ligue des États arabes"
    assert text.rindex(league) < text.rindex("Rabat")


def test_the_mapping_report_follows_the_filters(league_recommends, reader):
    response = reader.get(
        reverse("knowledge:mapping_report"), {"kind": "regional_organisation", "lang": "en"}
    )
    text = " ".join(pdf_text(response.content).split())
    assert "League of Arab States" in text and "Gulf Cooperation Council" in text
    assert "Rabat" not in text and "Kind: Regional organisation" in text
    assert "Counts by theme" in text


@pytest.mark.parametrize(
    "params",
    [
        {"lang": "de"},
        {"lang": "<script>"},
        {"theme": "nope", "region": "atlantis", "kind": "x", "lang": ""},
        {"axis": "planet", "format": "pdf", "lang": "zz"},
        {"axis": "planet", "format": "xlsx", "theme": "' OR 1=1"},
    ],
)
def test_bad_languages_and_filters_fall_back_to_defaults(params, mena, reader):
    url = reverse("knowledge:mapping_report" if "format" not in params else "knowledge:matrix")
    response = reader.get(url, params)
    assert response.status_code == 200
    if "format" not in params or params["format"] == "pdf":
        assert response.content.startswith(b"%PDF")
        assert "-fr.pdf" in response["Content-Disposition"]  # the interface's language


# --- Who may have them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("knowledge:matrix", {"format": "xlsx"}),
        ("knowledge:matrix", {"format": "pdf"}),
        ("knowledge:mapping_report", {}),
    ],
)
def test_only_knowledge_roles_have_the_files(name, params, mena, analyst, outsider, client_for):
    url = reverse(name)
    assert client_for(outsider).get(url, params).status_code == 403  # a case supervisor
    anonymous = Client().get(url, params)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert client_for(analyst).get(url, params).status_code == 200


# --- Arabic right to left -----------------------------------------------------------------------


def test_the_arabic_font_is_shipped_with_the_package():
    url = vendored_font_url(exports.ARABIC_REGULAR)
    assert url.startswith("file://") and url.endswith("NotoNaskhArabic-Regular.ttf")
    fonts = static_root() / "vendor" / "fonts" / "noto-naskh-arabic"
    assert (fonts / "NotoNaskhArabic-Bold.ttf").is_file() and (fonts / "OFL.txt").is_file()
    with pytest.raises(FileNotFoundError):
        vendored_font_url("../../../settings.py")


def test_pdfs_fetch_nothing_outside_the_package_static(tmp_path, caplog):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red; }")
    html = (
        f'<html><head><link rel="stylesheet" href="{secret.as_uri()}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><p>x</p><img src="https://example.org/x.png"></body></html>'
    )
    assert html_to_pdf(html).startswith(b"%PDF")
    refused = caplog.text
    assert "Refused to fetch" in refused
    assert secret.name in refused and "127.0.0.1:9" in refused and "example.org" in refused


def _league_pdf(reader: Client) -> bytes:
    response = reader.get(
        reverse("knowledge:matrix"), {"kind": "regional_organisation", "format": "pdf"}
    )
    assert response.status_code == 200
    return response.content


def test_arabic_names_are_set_in_the_vendored_font_in_logical_order(mena, reader):
    content = _league_pdf(reader)
    names = font_names(content)
    assert any("Noto-Naskh-Arabic" in name for name in names), (
        names
    )  # e.g. /ABCDEF+Noto-Naskh-Arabic
    # The text comes back in logical order. Not letter for letter: the font draws dots apart
    # from the letters' bodies, so the PDF's glyph-to-text map may give a dotted letter back as
    # another ("جامعة" as "بامعة"), depending on the page. The letters without dots (alif, lam,
    # mim, waw) come back as they are: their sequence tells the order.
    text = undotted(unicodedata.normalize("NFKC", pdf_text(content)))
    expected = undotted(LEAGUE_AR)
    assert expected == "امالولال"
    assert expected in text, text
    assert expected[::-1] not in text  # what a run drawn reversed would give


def test_arabic_renders_right_to_left_in_the_pdf_image(mena, reader):
    """The first page as an image (test-results/knowledge-arabic-pdf.png), for the eye: the
    League's name joined and right to left. Needs pdftoppm (poppler-utils); CI has it."""
    if PDFTOPPM is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm (poppler-utils) is needed in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "knowledge-arabic-pdf.pdf"
    source.write_bytes(_league_pdf(reader))
    target = ARTIFACTS / "knowledge-arabic-pdf"
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", source, target],
        check=True,
        timeout=60,
    )
    image = target.with_suffix(".png")
    assert image.is_file() and image.read_bytes().startswith(b"\x89PNG")


def test_the_csv_quotes_text_that_looks_like_a_formula(mena, reader):
    """Entities are edited in pages: a name a spreadsheet would run is written as text."""
    league = Entity.objects.get(key="LAS")
    league.name_en = '=HYPERLINK("http://evil.example","x")'
    league.save()
    response = reader.get(reverse("knowledge:matrix"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    row = next(row for row in rows if row[0] == "LAS")
    assert row[1] == "'" + league.name_en
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_control_characters_in_names_do_not_break_the_xlsx(mena, reader):
    """A vertical tab pasted into a name (a page's form accepts it) cannot go into a worksheet:
    it is left out, not a 500."""
    league = Entity.objects.get(key="LAS")
    league.name_en = "League\x0bof Arab States"
    league.save()
    response = reader.get(reverse("knowledge:matrix"), {"format": "xlsx", "axis": "region"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Leagueof Arab States" in names
