"""Documents of returns: the bilateral protocol (PDF, DOCX), the reception procedures guide
(PDF) and its flowchart (SVG)."""

from __future__ import annotations

import html
import io
import xml.etree.ElementTree as ET

import docx
import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from orienta.returns.choices import ProtocolStatus, SopStatus, Verification
from orienta.returns.documents import (
    duration,
    protocol_docx,
    protocol_html,
    protocol_pdf,
    sop_flowchart_svg,
    sop_html,
    sop_pdf,
)
from orienta.returns.models import Protocol, SopRuleSet
from orienta.returns.packs import load_returns

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def packs(db: None) -> None:
    call_command("load_pack", "ht", verbosity=0, stdout=io.StringIO())
    load_returns("ht")


@pytest.fixture
def protocol(packs: None) -> Protocol:
    return Protocol.objects.get(key="ht-do-1999")


@pytest.fixture
def draft(packs: None) -> Protocol:
    return Protocol.objects.get(key="ht-model-draft")


@pytest.fixture
def ruleset(packs: None) -> SopRuleSet:
    return SopRuleSet.objects.get(country="HT")


def _docx_text(content: bytes) -> str:
    """Every paragraph of the body, its tables, headers and footers."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def _words(text: str) -> str:
    """Text with line breaks and runs of spaces as single spaces (drawings and PDFs wrap)."""
    return " ".join(text.split())


def _svg_text(root: ET.Element) -> str:
    # A line wrapped after a hyphen ("anti-" / "trafficking") is glued back.
    return _words(" ".join(t.text or "" for t in root.iter(f"{SVG}text"))).replace("- ", "-")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_protocol_pdf_carries_every_clause_in_its_language(protocol, language):
    assert protocol_pdf(protocol, language).startswith(b"%PDF")
    text = protocol_html(protocol, language)
    assert html.escape(getattr(protocol, f"title_{language}")) in text
    for rule in protocol.rules.all():
        assert html.escape(getattr(rule, f"text_{language}")) in text
        other = "en" if language == "fr" else "fr"
        assert html.escape(getattr(rule, f"text_{other}")) not in text
    assert "Saint-Domingue" in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pdf_text_has_the_clauses_when_pypdf_is_there(protocol, language):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(protocol_pdf(protocol, language)))
    # Lines of a PDF break after a space, a hyphen or a slash: compare without any space.
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    for rule in protocol.rules.all():
        assert "".join(getattr(rule, f"text_{language}").split()) in text


def test_the_protocol_names_its_parties_and_its_validity(protocol):
    text = protocol_html(protocol, "en")
    assert "Haiti" in text and "Dominican Republic" in text
    assert "1999" in text and "with no end date" in text
    assert html.escape("Scribd 550960562") in text
    assert html.escape("République dominicaine") in protocol_html(protocol, "fr")


def test_parameters_are_rendered_in_words(protocol, draft):
    text = html.unescape(protocol_html(protocol, "en"))
    assert "Allowed hours: 08:00–18:00" in text
    assert "Sundays and public holidays of Haiti and Dominican Republic: 08:00–12:00 only" in text
    assert "HT-MALPASSE (Malpasse / Jimaní)" in text
    assert "HT-ANSE-A-PITRES (Anse-à-Pitres / Pedernales)" in text
    assert "Notice at least 24 hours before arrival" in text
    assert "List of names at least 24 hours before arrival" in text
    draft_text = html.unescape(protocol_html(draft, "en"))
    assert "Allowed hours: 08:00–17:00" in draft_text
    assert "Sundays and public holidays of Haiti: 08:00–12:00 only" in draft_text
    assert "At most 150 people per movement" in draft_text
    assert "At most 30 days in detention before return" in draft_text
    assert "Notice at least 72 hours before arrival" in draft_text


def test_each_rule_shows_its_verification_and_confirmation(protocol, coordinator):
    rule = protocol.rules.get(kind="consular_access")
    assert rule.verification == Verification.UNVERIFIED
    text = html.unescape(protocol_html(protocol, "en"))
    assert "Verified in the text" in text
    assert "From a secondary source: to be confirmed" in text
    assert "Not verified: to be confirmed" in text
    assert "Not confirmed by a coordinator" in text
    assert "Confirmed by a coordinator" not in text
    rule.confirmed_at, rule.confirmed_by = timezone.now(), coordinator
    rule.save()
    text = html.unescape(protocol_html(protocol, "en"))
    assert "Confirmed by a coordinator on" in text and str(coordinator) in text


def test_the_workflow_is_a_numbered_table_and_a_matrix_of_stakeholders(protocol):
    text = html.unescape(protocol_html(protocol, "en"))
    for step in protocol.workflow:
        assert step["step_en"] in text
    assert "Office National de la Migration (ONM)" in text
    assert "Institut du Bien-Être Social et de Recherches (IBESR)" in text
    assert "Responsibilities of each stakeholder at each step" in text
    # ONM is responsible at steps 2, 3, 4 and 8 of the 8: one mark each.
    row = text.split("Office National de la Migration (ONM)</td>")[-1].split("</tr>")[0]
    assert row.count("✓") == 4


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_docx_carries_the_rules_the_workflow_and_the_organisations(protocol, language):
    text = _docx_text(protocol_docx(protocol, language))
    assert getattr(protocol, f"title_{language}") in text
    for rule in protocol.rules.all():
        assert getattr(rule, f"text_{language}") in text
    for step in protocol.workflow:
        assert step[f"step_{language}"] in text
    for name in (
        "Office National de la Migration",
        "Ministère des Affaires Étrangères et des Cultes",
        "Brigade de Protection des Mineurs (PNH)",
        "Archives Nationales d’Haïti",
    ):
        assert name in text
    assert "08:00–18:00" in text
    assert "Draft" not in text


def test_a_draft_protocol_is_marked_as_draft(protocol, draft):
    assert draft.status == ProtocolStatus.DRAFT
    text = protocol_html(draft, "en")
    assert 'class="watermark"' in text and ">Draft</div>" in text
    assert "this protocol is not in force" in text
    assert protocol_pdf(draft, "en").startswith(b"%PDF")
    words = _docx_text(protocol_docx(draft, "en"))
    assert "DRAFT" in words and "this protocol is not in force" in words
    assert 'class="watermark"' not in protocol_html(protocol, "en")


def test_an_obsolete_protocol_says_it_is_not_in_force(protocol):
    protocol.status = ProtocolStatus.OBSOLETE
    protocol.save()
    text = protocol_html(protocol, "en")
    assert ">Obsolete</div>" in text and "not in force (status: Obsolete)" in text


def test_an_unknown_language_is_refused(protocol, ruleset):
    with pytest.raises(ValueError):
        protocol_html(protocol, "de")
    with pytest.raises(ValueError):
        sop_flowchart_svg(ruleset, "de")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_guide_lists_each_condition_with_its_steps(ruleset, language):
    assert sop_pdf(ruleset, language).startswith(b"%PDF")
    text = html.unescape(sop_html(ruleset, language))
    assert getattr(ruleset, f"title_{language}") in text
    for rule in ruleset.rules.all():
        assert getattr(rule, f"action_{language}") in text
    assert "<svg" in text and 'role="img"' in text


def test_the_guide_shows_who_by_when_and_the_service_category(ruleset):
    text = html.unescape(sop_html(ruleset, "en"))
    for label in ("Everyone", "Unaccompanied or separated child", "No identity document"):
        assert f"<h2>{label}</h2>" in text
    # The conditions in the order of their first rule.
    assert text.index("<h2>Everyone</h2>") < text.index("<h2>Medical emergency</h2>")
    assert text.index("<h2>Medical emergency</h2>") < text.index("<h2>Foreign national</h2>")
    assert "Office National de la Migration (ONM)" in text
    assert "30 minutes" in text and "24 hours" in text and "7 days" in text
    assert "(PROT-CHILD)" in text and "(HEALTH-EMER)" in text


def test_a_draft_guide_is_marked_as_draft(ruleset):
    assert 'class="watermark"' not in sop_html(ruleset, "en")
    ruleset.status = SopStatus.DRAFT
    ruleset.save()
    text = sop_html(ruleset, "en")
    assert ">Draft</div>" in text and "not in force (status: Draft)" in text


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (90, "1 hour 30 minutes"),
        (1440, "24 hours"),
        (2880, "2 days"),
        (10080, "7 days"),
    ],
)
def test_deadlines_are_said_in_words(minutes, words):
    with translation.override("en"):
        assert duration(minutes) == words


def test_the_flowchart_is_accessible_valid_svg_with_every_step(ruleset):
    svg = sop_flowchart_svg(ruleset, "en")
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing, parsed to prove it is XML
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and ruleset.title_en in (title.text or "")
    assert desc is not None
    drawn = _svg_text(root)
    assert "Arrival checked in" in drawn
    for label in ("Everyone", "Unaccompanied or separated child", "Criminal-record notice"):
        assert label in drawn and label in (desc.text or "")
    for rule in ruleset.rules.all():
        assert rule.action_en in drawn and rule.action_en in (desc.text or "")
    assert "Deadline: 15 minutes" in drawn


def test_the_flowchart_escapes_what_it_draws(ruleset):
    rule = ruleset.rules.get(code="pnh-record")
    rule.action_fr = 'Vérifier <script> & "signaler" </script>'
    rule.save()
    svg = sop_flowchart_svg(ruleset, "fr", fit=(175.0, 230.0))
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing, parsed to prove it is XML
    assert root.get("width", "").endswith("mm")
    assert 'Vérifier <script> & "signaler" </script>' in _svg_text(root)
    assert root.find(f".//{SVG}script") is None
