"""Referral documents: the referral form PDF, the pathway flowchart and the SOP annex."""

from __future__ import annotations

import copy
import html
import re

import pytest
from django.test import Client
from django.utils import translation

from orienta.audit.models import AuditEvent
from orienta.referrals import pathway, services
from orienta.referrals.choices import AgreementStatus
from orienta.referrals.documents import referral_form_html
from orienta.referrals.gates import packet_access
from orienta.referrals.services import ReferralDraft
from tests.referrals_helpers import case_with_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(colleague, organisation, provider, shelter, agreement, nrm):
    case = case_with_need(
        colleague, organisation, consent_to=provider, person={"phone": "+509 3700 0000"}
    )
    draft = ReferralDraft(
        case=case,
        need=case.needs.first(),
        service_at_location=shelter,
        note="Nuit dehors",
        matching_reasons=["Catégorie du besoin", "À 3 km"],
    )
    return services.refer(acting_user=colleague, draft=draft)


def _form_url(referral, language: str | None = None) -> str:
    url = f"/referrals/{referral.pk}/form.pdf"
    return f"{url}?lang={language}" if language else url


@pytest.mark.parametrize(
    ("lang", "title", "heading"),
    [("fr", "Fiche de référence", "Réservé au prestataire"), ("en", "Referral form", "")],
)
def test_the_form_in_each_language_carries_the_referral_and_its_packet(
    client_for, colleague, referral, lang, title, heading
):
    text = referral_form_html(None, referral, lang, actor=colleague)
    assert referral.reference in text
    assert html.escape(referral.case.person.family_name) in text
    assert "+509 3700 0000" in text
    assert "Nuit dehors" in text and "À 3 km" in text
    if lang == "en":
        assert title in text
    response = client_for(colleague).get(_form_url(referral, lang))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(
        action="referrals.packet.viewed", object_id=str(referral.pk), actor_id=colleague.pk
    ).exists()


def test_the_form_carries_the_online_answer_box_and_the_override(owner, colleague, referral):
    referral.emergency_override = True
    referral.override_reason = "Enfant seul la nuit à la frontière"
    referral.override_missing = ["agreement"]
    text = referral_form_html(
        None, referral, "en", actor=colleague, link_url="https://orienta.example/r/abc/"
    )
    assert "Answer online" in text and "https://orienta.example/r/abc/" in text
    assert "Sent under emergency override" in text
    assert "Enfant seul la nuit à la frontière" in text


def test_the_receiving_focal_point_may_print_the_form(client_for, focal_point, referral):
    response = client_for(focal_point).get(_form_url(referral, "fr"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_others_get_404_and_anonymous_users_the_login_page(client_for, outsider, referral):
    assert client_for(outsider).get(_form_url(referral, "fr")).status_code == 404
    response = Client().get(_form_url(referral, "fr"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_language_is_404(client_for, colleague, referral):
    assert client_for(colleague).get(_form_url(referral, "xx")).status_code == 404
    assert client_for(colleague).get(_form_url(referral)).status_code == 200  # interface language


def test_after_the_agreement_is_suspended_the_form_gives_the_reason(
    client_for, colleague, referral, agreement
):
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    person = referral.case.person
    for lang in ("fr", "en"):
        with translation.override(lang):
            reason = packet_access(referral).reason
        text = referral_form_html(None, referral, lang, actor=colleague)
        assert html.escape(reason) in text
        assert html.escape(person.family_name) not in text
        assert "+509 3700 0000" not in text
    assert client_for(colleague).get(_form_url(referral, "fr")).status_code == 200
    assert AuditEvent.objects.filter(
        action="referrals.packet.refused", object_id=str(referral.pk)
    ).exists()


# --- The pathway flowchart --------------------------------------------------------------------


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.S)


def _svg_text(svg: str) -> str:
    """The text a reader sees in a drawing, its wrapped lines joined again."""
    lines = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)
    return " ".join(html.unescape(line) for line in lines)


def _pathway_labels(language: str) -> list[tuple[str, list[str]]]:
    pack = pathway.load("ht")
    terms = pathway.taxonomy_terms()
    return [
        (
            pathway.text(item["profile"], language),
            [
                pathway.term_label(code, language, terms)
                for step in item["steps"]
                for code in step["categories"]
            ],
        )
        for item in pack["pathways"]
    ]


def test_the_pathway_page_draws_every_pathway_in_french(client_for, colleague, nrm):
    response = client_for(colleague).get("/referrals/pathway/")
    assert response.status_code == 200
    page = response.content.decode()
    svgs = _svgs(page)
    assert len(svgs) == 1 + len(pathway.load("ht")["pathways"])
    assert all('role="img"' in svg and "<title" in svg for svg in svgs)
    overview = _svg_text(svgs[0])
    for (profile, labels), svg in zip(_pathway_labels("fr"), svgs[1:], strict=True):
        drawn = _svg_text(svg)
        assert profile in drawn and profile in overview
        for label in labels:
            assert label in drawn
            assert html.escape(label) in page  # and in the table next to the drawing
    assert "Enfant non accompagné ou séparé" in overview
    assert "Protection de l'enfance" in _svg_text(svgs[1])
    assert not re.search(r'style="', "".join(svgs))  # the CSP forbids inline styles


def test_the_pathway_labels_follow_the_language(client_for, colleague, nrm):
    client = client_for(colleague)
    client.cookies["orienta_language"] = "en"
    page = client.get("/referrals/pathway/?country=ht").content.decode()
    svgs = _svgs(page)
    for (profile, labels), svg in zip(_pathway_labels("en"), svgs[1:], strict=True):
        drawn = _svg_text(svg)
        assert profile in drawn
        assert all(label in drawn for label in labels)
    assert "Unaccompanied or separated child" in _svg_text(svgs[0])
    assert "Enfant non accompagné" not in page
    with translation.override("en"):
        flow = pathway.build("ht")
        drawn = _svg_text(pathway.render_svg(pathway.pathway_diagram(flow, flow.pathways[0])))
    assert "Child protection" in drawn and "Protection de l'enfance" not in drawn


def test_other_countries_and_unknown_ones(client_for, colleague):
    client = client_for(colleague)
    for country in pathway.countries():
        assert client.get(f"/referrals/pathway/?country={country}").status_code == 200
    assert client.get("/referrals/pathway/?country=zz").status_code == 404
    assert Client().get("/referrals/pathway/").status_code == 302


def test_the_packs_are_sound_and_unknown_codes_are_reported(nrm):
    terms = pathway.taxonomy_terms()
    for country in pathway.countries():
        assert pathway.validate(pathway.load(country), terms) == [], country
    pack = copy.deepcopy(pathway.load("ht"))
    pack["pathways"][0]["steps"][0]["categories"].append("PROT-NOPE")
    pack["pathways"][1]["steps"][1]["actor"] = "nobody"
    pack["pathways"][2]["specific_needs"] = ["not_a_need"]
    with translation.override("en"):
        errors = pathway.validate(pack, terms)
    assert len(errors) == 3
    assert "child 1" in errors[0] and "PROT-NOPE" in errors[0]
    assert "nobody" in errors[1] and "not_a_need" in errors[2]
    assert any("PROT-NOPE" in e for e in pathway.validate(pack, {"PROT-CHILD": ("", "")}))


def test_labels_are_escaped_in_the_drawing():
    diagram = pathway.Diagram(id="x", title="<b>t</b>", description="d & e", width=100)
    diagram.height = 50
    diagram.labels.append(pathway.Label(1, 1, "<script>alert(1)</script>"))
    svg = pathway.render_svg(diagram)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sop_annex_is_a_pdf(client_for, colleague, nrm, lang):
    response = client_for(colleague).get(f"/referrals/pathway.pdf?lang={lang}&country=ht")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client_for(colleague).get("/referrals/pathway.pdf?lang=xx").status_code == 404
