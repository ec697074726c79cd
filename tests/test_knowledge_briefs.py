"""Standard briefs: written from the data with the seed's sections for entities and dialogues,
the completeness check that blocks "final", versions (frozen once final, compared), PDF and Word
in French and English, search, audit, and who may do what."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from orienta.audit.models import AuditEvent
from orienta.core.errors import ConflictError, ServiceError
from orienta.knowledge import briefs, search, services
from orienta.knowledge.brief_documents import brief_docx, brief_pdf
from orienta.knowledge.choices import BriefStatus
from orienta.knowledge.models import Brief, Entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def league(mena):
    return Entity.objects.get(key="LAS")


def _complete(version) -> dict[str, dict[str, str]]:
    """Texts for every section still empty, in both languages."""
    return {
        section["code"]: {
            "fr": section["fr"] or f"Texte de la section {section['code']}.",
            "en": section["en"] or f"Text of the {section['code']} section.",
        }
        for section in version.sections
    }


def test_an_entity_brief_has_the_seed_sections_written_from_the_facts(league, policy_officer):
    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    codes = [section["code"] for section in version.sections]
    assert codes == [section.code for section in briefs.ENTITY_SECTIONS]
    mandate = version.sections[0]
    fact = league.facts.get(field="mandate")
    assert fact.text_fr.split()[0] in mandate["fr"] and fact.text_en.split()[0] in mandate["en"]
    assert mandate["sources"] and mandate["sources"][0]["confidence"] == fact.confidence
    # The League's Arab declaration is listed among its policies, in each language.
    policies = next(s for s in version.sections if s["code"] == "policies")
    assert league.policies.get().title_en in policies["en"]
    assert version.profile["name"]["ar"] == "جامعة الدول العربية"
    assert len(version.profile["members"]) == 22
    assert AuditEvent.objects.filter(action="knowledge.brief.version_created").count() == 1


def test_a_dialogue_gets_the_dialogue_brief(mena, policy_officer):
    rabat = Entity.objects.get(key="RABAT-PROCESS")
    version = briefs.write_from_data(acting_user=policy_officer, entity=rabat)
    assert [s["code"] for s in version.sections] == [s.code for s in briefs.DIALOGUE_SECTIONS]
    with translation.override("en"):
        titles = [str(section.title) for section in briefs.DIALOGUE_SECTIONS]
    assert "Financial model" in titles and "Member states and five-year priorities" in titles


def test_the_completeness_check_blocks_final_until_every_section_is_written(league, policy_officer):
    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    missing = {item.code: item.languages for item in briefs.missing_sections(version)}
    assert missing["recommendations"] == ["fr", "en"]
    assert "mandate_governance" not in missing
    with pytest.raises(ServiceError) as refused:
        briefs.mark_final(acting_user=policy_officer, version=version, expected_version=1)
    assert "recommendations" in refused.value.details["missing"]
    version.refresh_from_db()
    assert version.status == BriefStatus.DRAFT
    # One language is not enough: the brief is published in French and English.
    texts = _complete(version)
    texts["recommendations"]["en"] = ""
    version = briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts=texts,
        change_summary="",
        expected_version=1,
    )
    assert [(m.code, m.languages) for m in briefs.missing_sections(version)] == [
        ("recommendations", ["en"])
    ]
    with pytest.raises(ServiceError):
        briefs.mark_final(acting_user=policy_officer, version=version, expected_version=2)
    briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts={"recommendations": {"en": "Engage the League's migration department."}},
        change_summary="Recommendations",
        expected_version=2,
    )
    version.refresh_from_db()
    final = briefs.mark_final(acting_user=policy_officer, version=version, expected_version=3)
    assert final.status == BriefStatus.FINAL and final.final_on
    brief = Brief.objects.get(entity=league)
    assert (brief.current_number, brief.current_status, brief.current_missing) == (1, "final", 0)


def test_a_final_version_is_frozen_and_the_next_says_what_changed(league, policy_officer):
    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    version = briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts=_complete(version),
        change_summary="",
        expected_version=1,
    )
    briefs.mark_final(acting_user=policy_officer, version=version, expected_version=2)
    version.refresh_from_db()
    with pytest.raises(ServiceError):
        briefs.edit_draft(
            acting_user=policy_officer,
            version=version,
            texts={"data": {"fr": "Autre"}},
            change_summary="",
            expected_version=version.version,
        )
    with pytest.raises(ServiceError) as refused:
        briefs.write_from_data(acting_user=policy_officer, entity=league)
    assert refused.value.details["field"] == "change_summary"
    second = briefs.write_from_data(
        acting_user=policy_officer, entity=league, change_summary="Data of December"
    )
    assert second.number == 2 and second.status == BriefStatus.DRAFT
    # Version 1 keeps the texts written in it; version 2 starts again from the data.
    version.refresh_from_db()
    assert version.sections[-1]["fr"].startswith("Texte")
    assert second.sections[-1]["fr"] == ""


def test_a_stale_edit_is_a_conflict(league, policy_officer):
    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts={"data": {"fr": "Un"}},
        change_summary="",
        expected_version=1,
    )
    with pytest.raises(ConflictError):
        briefs.edit_draft(
            acting_user=policy_officer,
            version=version,
            texts={"data": {"fr": "Deux"}},
            change_summary="",
            expected_version=1,
        )


def test_pdf_and_word_in_french_and_english(league, policy_officer):
    from docx import Document as WordDocument
    from pypdf import PdfReader

    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    english = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(brief_pdf(version, "en"))).pages
    )
    assert "Mandate, governance and coverage" in english and "League of Arab States" in english
    french = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(brief_pdf(version, "fr"))).pages
    )
    assert "Ligue des" in french
    fonts = {
        str(font.get("/BaseFont", ""))
        for page in PdfReader(io.BytesIO(brief_pdf(version, "fr"))).pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        for font in [font.get_object()]
    }
    assert any("Naskh-Arabic" in name for name in fonts), fonts
    word = WordDocument(io.BytesIO(brief_docx(version, "en")))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "8. Recommendations" in headings
    assert any(p.text == "جامعة الدول العربية" for p in word.paragraphs)


def test_search_finds_a_brief_by_what_it_says(league, policy_officer):
    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts={"recommendations": {"fr": "Appuyer l'observatoire zanzibarien des migrations."}},
        change_summary="",
        expected_version=1,
    )
    hits = search.search("zanzibarien")
    assert [(hit.kind, hit.key) for hit in hits] == [("brief", "LAS")]
    assert search.search("zanzibarien", kinds=("entity", "policy")) == []
    both = {(hit.kind, hit.key) for hit in search.search("ligue arabes", kinds=("entity", "brief"))}
    assert {("entity", "LAS"), ("brief", "LAS")} <= both
    assert {kind for kind, _key in both} == {"entity", "brief"}


# --- Pages ------------------------------------------------------------------------------------


def _in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_policy_officer_writes_edits_and_cannot_finalise_an_incomplete_brief(
    league, policy_officer, client_for
):
    client = _in_english(client_for(policy_officer))
    page = client.get(reverse("knowledge:brief", args=["LAS"]))
    assert page.status_code == 200 and "Write the brief from the data" in page.content.decode()
    response = client.post(reverse("knowledge:brief_write", args=["LAS"]))
    assert response.status_code == 302
    page = client.get(reverse("knowledge:brief", args=["LAS"]) + "?lang=en").content.decode()
    assert 'data-testid="missing-sections"' in page and "Recommendations" in page
    response = client.post(
        reverse("knowledge:brief_final", args=["LAS", 1]), {"version": "1"}, follow=True
    )
    assert "cannot be final" in response.content.decode()
    edit_url = reverse("knowledge:brief_edit", args=["LAS", 1])
    assert client.get(edit_url).status_code == 200
    version = Brief.objects.get(entity=league).versions.get()
    posted = {"version": "1", "change_summary": "Completed"}
    for code, texts in _complete(version).items():
        posted[f"{code}-fr"], posted[f"{code}-en"] = texts["fr"], texts["en"]
    assert client.post(edit_url, posted).status_code == 302
    client.post(reverse("knowledge:brief_final", args=["LAS", 1]), {"version": "2"})
    version.refresh_from_db()
    assert version.status == BriefStatus.FINAL
    pdf = client.get(reverse("knowledge:brief_download", args=["LAS", 1, "pdf"]) + "?lang=fr")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("knowledge:brief_download", args=["LAS", 1, "docx"]) + "?lang=en")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert (
        client.get(reverse("knowledge:brief_download", args=["LAS", 1, "exe"])).status_code == 404
    )
    client.post(reverse("knowledge:brief_write", args=["LAS"]), {"change_summary": "Again"})
    compare = client.get(reverse("knowledge:brief_compare", args=["LAS", 2]) + "?lang=en")
    assert compare.status_code == 200 and "lines added" in compare.content.decode()


def test_a_bad_posted_version_is_a_message_not_an_error(league, policy_officer, client_for):
    client = _in_english(client_for(policy_officer))
    client.post(reverse("knowledge:brief_write", args=["LAS"]))
    response = client.post(
        reverse("knowledge:brief_final", args=["LAS", 1]), {"version": "x"}, follow=True
    )
    assert response.status_code == 200 and "Reload the page" in response.content.decode()
    assert client.get(reverse("knowledge:brief", args=["LAS"]) + "?v=zz&lang=xx").status_code == 200
    assert client.get(reverse("knowledge:brief_edit", args=["LAS", 9])).status_code == 404


def _urls(number: int = 1) -> dict[str, tuple[str, str]]:
    return {
        "list": ("get", reverse("knowledge:briefs")),
        "page": ("get", reverse("knowledge:brief", args=["LAS"])),
        "pdf": ("get", reverse("knowledge:brief_download", args=["LAS", number, "pdf"])),
        "docx": ("get", reverse("knowledge:brief_download", args=["LAS", number, "docx"])),
        "compare": ("get", reverse("knowledge:brief_compare", args=["LAS", number])),
        "write": ("post", reverse("knowledge:brief_write", args=["LAS"])),
        "edit": ("get", reverse("knowledge:brief_edit", args=["LAS", number])),
        "final": ("post", reverse("knowledge:brief_final", args=["LAS", number])),
    }


READS = {"list", "page", "pdf", "docx", "compare"}


@pytest.mark.parametrize("name", sorted(READS | {"write", "edit", "final"}))
def test_who_reaches_each_brief_url(name, league, policy_officer, analyst, outsider, client_for):
    briefs.write_from_data(acting_user=policy_officer, entity=league)
    method, url = _urls()[name]
    assert getattr(client_for(outsider), method)(url).status_code == 403
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    expected = 200 if name in READS else 403
    assert getattr(client_for(analyst), method)(url).status_code == expected
    assert getattr(client_for(policy_officer), method)(url).status_code in (200, 302)


def test_the_brief_list_reads_a_fixed_number_of_queries(
    league, policy_officer, client_for, django_assert_max_num_queries
):
    for entity in Entity.objects.all()[:5]:
        briefs.write_from_data(acting_user=policy_officer, entity=entity)
    client = client_for(policy_officer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("knowledge:briefs"))
    assert page.status_code == 200 and page.content.decode().count("badge text-bg-") == 5


# --- Review: control characters, fields not posted, the template of a final version --------------


def test_control_characters_are_left_out_of_a_brief_and_its_word_file(
    league, policy_officer, client_for
):
    """A NUL or a vertical tab in a posted text: PostgreSQL refuses the first, a Word file both.
    Invisible, they are left out; the draft is saved and its files are made."""
    client = _in_english(client_for(policy_officer))
    client.post(reverse("knowledge:brief_write", args=["LAS"]), {"change_summary": "a\x00b"})
    version = Brief.objects.get(entity=league).versions.get()
    posted = {"version": version.version, "change_summary": "Pasted\x00 text"}
    for section in version.sections:
        posted[f"{section['code']}-fr"] = "Texte\x0b collé\x00 مرحبا 😀"
        posted[f"{section['code']}-en"] = "<script>alert(1)</script>"
    response = client.post(reverse("knowledge:brief_edit", args=["LAS", 1]), posted)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.sections[0]["fr"] == "Texte collé مرحبا 😀"
    assert version.change_summary == "Pasted text"
    page = client.get(reverse("knowledge:brief", args=["LAS"]) + "?lang=en").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    # A name with a control character (an entity's form accepts it) goes into the file too.
    Entity.objects.filter(pk=league.pk).update(name_en="League\x0bof Arab States")
    client.post(reverse("knowledge:brief_write", args=["LAS"]))
    for fmt in ("docx", "pdf"):
        for language in ("fr", "en"):
            url = reverse("knowledge:brief_download", args=["LAS", 1, fmt])
            response = client.get(url, {"lang": language})
            assert response.status_code == 200, (fmt, language)
    pdf = brief_pdf(Brief.objects.get(entity=league).versions.get(), "en")
    assert b"<script>" not in pdf


def test_a_section_the_form_did_not_post_keeps_its_text(league, policy_officer, client_for):
    client = _in_english(client_for(policy_officer))
    client.post(reverse("knowledge:brief_write", args=["LAS"]))
    version = Brief.objects.get(entity=league).versions.get()
    before = {section["code"]: section["fr"] for section in version.sections}
    assert before["mandate_governance"]
    posted = {"version": version.version, "data-fr": "Données."}
    response = client.post(reverse("knowledge:brief_edit", args=["LAS", 1]), posted)
    assert response.status_code == 302
    version.refresh_from_db()
    after = {section["code"]: section["fr"] for section in version.sections}
    assert after == before | {"data": "Données."}


def test_a_final_version_keeps_its_template_when_the_entity_changes_kind(
    league, policy_officer, client_for
):
    """The League is written as an organisation and made final; made a dialogue afterwards,
    its final brief keeps its titles and stays complete, and the next version is a dialogue's."""
    version = briefs.write_from_data(acting_user=policy_officer, entity=league)
    version = briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts=_complete(version),
        change_summary="",
        expected_version=1,
    )
    final = briefs.mark_final(acting_user=policy_officer, version=version, expected_version=2)
    services.save_entity(acting_user=policy_officer, entity=league, kind="interregional_dialogue")
    final.refresh_from_db()
    assert briefs.missing_sections(final) == []
    client = _in_english(client_for(policy_officer))
    page = client.get(reverse("knowledge:brief", args=["LAS"]) + "?lang=en").content.decode()
    assert "Mandate, governance and coverage" in page and "Entity brief" in page
    assert "Every section is written in French and in English." in page
    assert "Entity brief: League of Arab States" in pdf_text(brief_pdf(final, "en"))
    second = briefs.write_from_data(
        acting_user=policy_officer, entity=league, change_summary="Now a dialogue"
    )
    assert [s["code"] for s in second.sections] == [s.code for s in briefs.DIALOGUE_SECTIONS]
    assert len(briefs.missing_sections(second)) >= 1


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_refused_edit_shows_what_was_typed_and_stays_stale(league, policy_officer, client_for):
    """Someone saved the draft meanwhile: the refusal keeps the text typed on the page and the
    version it was made from, so that posting again does not overwrite the other's edit."""
    client = _in_english(client_for(policy_officer))
    client.post(reverse("knowledge:brief_write", args=["LAS"]))
    version = Brief.objects.get(entity=league).versions.get()
    briefs.edit_draft(
        acting_user=policy_officer,
        version=version,
        texts={"data": {"fr": "Le texte de l'autre."}},
        change_summary="",
        expected_version=1,
    )
    url = reverse("knowledge:brief_edit", args=["LAS", 1])
    posted = {"version": "1", "data-fr": "Mon texte, tapé longuement.", "change_summary": "Mine"}
    response = client.post(url, posted)
    page = response.content.decode()
    assert response.status_code == 200 and "Someone changed this brief" in page
    assert "Mon texte, tapé longuement." in page and 'value="Mine"' in page
    assert 'name="version" value="1"' in page
    assert "Someone changed this brief" in client.post(url, posted).content.decode()
    version.refresh_from_db()
    data = next(s for s in version.sections if s["code"] == "data")
    assert data["fr"] == "Le texte de l'autre."
