"""Governance pages: who reaches each one, what they show, the files they give, and the
forms that change things. Every route is in the access table below, so a new page without an
outsider test fails here."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from orienta.accounts.roles import Role
from orienta.governance import urls as governance_urls
from orienta.governance.choices import DocumentKind, EventKind, Treatment, VersionStatus
from orienta.governance.models import Comment, CommitteeMembership, Participant
from tests.governance_helpers import (
    advance,
    comment,
    finalise,
    make_committee,
    make_document,
    make_event,
    make_organisation,
    next_version,
    ready_mou,
    treat,
)

pytestmark = pytest.mark.django_db

ROADMAP_V2 = (
    "# Feuille de route\n\n## Contexte\nLe mécanisme national.\n\n"
    "## Priorités\n- Former les agents\n- Publier le répertoire\n"
)


@pytest.fixture
def member(make_user, organisation):
    """A committee member of organisation A, which sits on the committee."""
    return make_user("member@a.example", organisation, Role.COMMITTEE_MEMBER)


@pytest.fixture
def stranger(make_user, other_organisation):
    """A committee member of organisation B, which sits on no committee here."""
    return make_user("member@b.example", other_organisation, Role.COMMITTEE_MEMBER)


@pytest.fixture
def analyst(make_user, organisation):
    return make_user("analyst@a.example", organisation, Role.ANALYST)


@pytest.fixture
def world(coordinator, organisation, provider):
    committee = make_committee(
        coordinator, (organisation, "chair", True), (provider, "member", None)
    )
    roadmap = make_document(coordinator, committee)
    first = roadmap.versions.get()
    remark = comment(coordinator, first, organisation, "Ajouter le répertoire.")
    finalise(coordinator, first)
    second = next_version(coordinator, roadmap, ROADMAP_V2, "Répertoire ajouté")
    treat(coordinator, remark, Treatment.INTEGRATED, second)
    event = make_event(
        coordinator,
        committee,
        EventKind.CONSULTATION,
        -3,
        [("Awa Diallo", organisation, "government", "female", True)],
        documents=[roadmap],
    )
    mou = ready_mou(coordinator, committee, organisation, provider)
    from orienta.governance import services

    priority = services.save_priority(
        acting_user=coordinator, committee=committee, values={"title": "Coordination"}
    )
    action = services.save_roadmap_action(
        acting_user=coordinator,
        values={
            "priority": priority,
            "title": "Lancer le comité",
            "owner": organisation,
            "starts_on": event.held_on,
            "ends_on": event.held_on,
            "status": "in_progress",
            "progress": 40,
        },
    )
    item = services.save_action_item(
        acting_user=coordinator,
        event=event,
        values={"text": "Envoyer le compte rendu", "owner": organisation},
    )
    return {
        "committee": committee,
        "roadmap": roadmap,
        "first": first,
        "second": second,
        "comment": remark,
        "event": event,
        "mou": mou,
        "action": action,
        "item": item,
        "seat": committee.memberships.get(organisation=provider),
    }


# route name → (arguments from the world, who may reach it, GET or POST). Who: "read" for
# committee members and coordinators, "comment" for members speaking for their organisation,
# "manage" for coordinators only, "indicators" for analysts too (members: their committees').
ACCESS: dict[str, tuple[Any, str, str]] = {
    "committees": (lambda w: [], "read", "get"),
    "committee_new": (lambda w: [], "manage", "get"),
    "committee": (lambda w: [w["committee"].pk], "read", "get"),
    "committee_edit": (lambda w: [w["committee"].pk], "manage", "get"),
    "membership_new": (lambda w: [w["committee"].pk], "manage", "get"),
    "membership_edit": (lambda w: [w["committee"].pk, w["seat"].pk], "manage", "get"),
    "membership_answer": (lambda w: [w["seat"].pk], "comment", "post"),
    "members_pdf": (lambda w: [w["committee"].pk], "read", "get"),
    "members_csv": (lambda w: [w["committee"].pk], "read", "get"),
    "event_new": (lambda w: [w["committee"].pk], "manage", "get"),
    "event": (lambda w: [w["event"].pk], "read", "get"),
    "event_edit": (lambda w: [w["event"].pk], "manage", "get"),
    "participant_new": (lambda w: [w["event"].pk], "manage", "post"),
    "attendance": (lambda w: [w["event"].pk], "manage", "post"),
    "signature_sheet": (lambda w: [w["event"].pk], "read", "get"),
    "decision_new": (lambda w: [w["event"].pk], "manage", "post"),
    "action_item_new": (lambda w: [w["event"].pk], "manage", "get"),
    "action_item_edit": (lambda w: [w["item"].pk], "manage", "get"),
    "document_new": (lambda w: [w["committee"].pk], "manage", "get"),
    "document": (lambda w: [w["roadmap"].pk], "read", "get"),
    "version_write": (lambda w: [w["roadmap"].pk], "manage", "get"),
    "compare": (lambda w: [w["roadmap"].pk], "read", "get"),
    "comment_matrix": (lambda w: [w["roadmap"].pk], "read", "get"),
    "version_advance": (lambda w: [w["second"].pk], "manage", "post"),
    "version_pdf": (lambda w: [w["second"].pk], "read", "get"),
    "version_docx": (lambda w: [w["second"].pk], "read", "get"),
    "version_file": (lambda w: [w["second"].pk], "read", "get"),
    "finding_new": (lambda w: [w["second"].pk], "manage", "post"),
    "comment_new": (lambda w: [w["second"].pk], "comment", "post"),
    "approval_new": (lambda w: [w["second"].pk], "comment", "post"),
    "feedback_form": (lambda w: [w["second"].pk], "read", "get"),
    "comment_treat": (lambda w: [w["comment"].pk], "manage", "get"),
    "comment_attachment": (lambda w: [w["comment"].pk], "read", "get"),
    "mou": (lambda w: [w["mou"].document_id], "read", "get"),
    "mou_party": (lambda w: [w["mou"].document_id], "manage", "post"),
    "mou_party_remove": (
        lambda w: [w["mou"].document_id, w["mou"].parties.first().pk],
        "manage",
        "post",
    ),
    "mou_clause": (lambda w: [w["mou"].document_id], "manage", "post"),
    "mou_write": (lambda w: [w["mou"].document_id], "manage", "post"),
    "mou_status": (lambda w: [w["mou"].document_id], "manage", "post"),
    "roadmap": (lambda w: [w["committee"].pk], "read", "get"),
    "priority_new": (lambda w: [w["committee"].pk], "manage", "post"),
    "roadmap_action_new": (lambda w: [w["committee"].pk], "manage", "get"),
    "roadmap_action_edit": (lambda w: [w["action"].pk], "manage", "get"),
    "dashboard": (lambda w: [], "indicators", "get"),
    "dashboard_for": (lambda w: [w["committee"].pk], "indicators", "get"),
    "progress_report": (lambda w: [w["committee"].pk], "indicators", "get"),
    "indicators_xlsx": (lambda w: [w["committee"].pk], "indicators", "get"),
}
# Pages on no single object: an outsider holding the capability sees an empty page, not a 404.
LISTS = {"committees", "committee_new", "dashboard"}
# Files that exist only when something was uploaded: 404 for everyone here.
UPLOADS = {"version_file", "comment_attachment"}


def test_every_route_is_in_the_access_table():
    names = {pattern.name for pattern in governance_urls.urlpatterns}
    assert names == set(ACCESS)


def _call(client, name, world):
    arguments, _who, method = ACCESS[name]
    url = reverse(f"governance:{name}", args=arguments(world))
    return client.post(url, {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_an_organisation_off_the_committee_sees_nothing(
    name, world, stranger, outsider, client_for
):
    """A committee member whose organisation does not sit on this committee gets 404 (or, for
    what needs a capability it lacks, 403); a case supervisor of B, with no governance role,
    gets 403 everywhere; an anonymous visitor is sent to log in."""
    who = ACCESS[name][1]
    response = _call(client_for(stranger), name, world)
    if who == "manage":
        assert response.status_code == 403
    elif name in LISTS:
        assert response.status_code == 200
        assert world["committee"].name not in response.content.decode()
    else:
        assert response.status_code == 404, name
    assert _call(client_for(outsider), name, world).status_code == 403
    from django.test import Client

    response = _call(Client(), name, world)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_members_read_and_coordinators_keep(name, world, member, coordinator, analyst, client_for):
    who, method = ACCESS[name][1], ACCESS[name][2]
    as_member = _call(client_for(member), name, world)
    if who == "manage":
        assert as_member.status_code == 403
    elif name in UPLOADS:
        assert as_member.status_code == 404
    else:
        assert as_member.status_code in (200, 302), (name, as_member.status_code)
    if method == "get" and name not in UPLOADS:
        assert _call(client_for(coordinator), name, world).status_code == 200, name
    as_analyst = _call(client_for(analyst), name, world)
    assert as_analyst.status_code == (200 if who == "indicators" else 403), name


def test_the_committee_page_shows_members_and_lets_an_organisation_answer(
    world, coordinator, provider, make_user, client_for
):
    focal = make_user("member@provider.example", provider, Role.COMMITTEE_MEMBER)
    client = client_for(focal)
    page = client.get(
        reverse("governance:committee", args=[world["committee"].pk])
    ).content.decode()
    assert "Maison d&#x27;accueil" in page and "Confirm" in page or "Confirmer" in page
    seat = world["seat"]
    response = client.post(
        reverse("governance:membership_answer", args=[seat.pk]),
        {"answer": "confirm", "version": seat.version},
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.confirmed_on is not None


def test_an_organisation_answers_only_for_itself(world, member, client_for):
    seat = world["seat"]  # the provider's seat; the member works for A
    response = client_for(member).post(
        reverse("governance:membership_answer", args=[seat.pk]),
        {"answer": "decline", "version": seat.version},
    )
    assert response.status_code == 403
    seat.refresh_from_db()
    assert seat.declined_on is None


def test_the_diff_between_two_versions_is_shown(world, member, client_for):
    page = client_for(member).get(
        reverse("governance:compare", args=[world["roadmap"].pk]) + "?from=1&to=2"
    )
    text = page.content.decode()
    assert "<ins>- Publier le répertoire</ins>" in text  # a line added
    assert "<del>mécanisme.</del>" in text and "<ins>mécanisme national.</ins>" in text
    assert 'data-testid="diff-summary"' in text


def test_the_attendance_sheet_and_the_member_list_render(world, coordinator, client_for):
    client = client_for(coordinator)
    sheet = client.get(reverse("governance:signature_sheet", args=[world["event"].pk]))
    assert sheet["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(sheet.content)).pages[0].extract_text()
    assert "Awa Diallo" in text and "Signature" in text
    members = client.get(reverse("governance:members_pdf", args=[world["committee"].pk]))
    assert "Organisation A" in PdfReader(io.BytesIO(members.content)).pages[0].extract_text()
    rows = client.get(reverse("governance:members_csv", args=[world["committee"].pk]))
    lines = rows.content.decode().splitlines()
    assert (
        lines[0].startswith("organisation,") and len(lines) == 2
    )  # the provider has not confirmed


def test_the_version_exports_carry_the_version_block(world, member, client_for):
    client = client_for(member)
    pdf = client.get(reverse("governance:version_pdf", args=[world["second"].pk]))
    first_page = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Répertoire ajouté" in first_page  # what changed, in the block and the history
    from docx import Document

    word = Document(
        io.BytesIO(
            client.get(reverse("governance:version_docx", args=[world["second"].pk])).content
        )
    )
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "2" in cells and "Répertoire ajouté" in cells
    assert any(p.text == "Publier le répertoire" for p in word.paragraphs)


def test_the_comment_matrix_lists_each_comment_with_its_treatment(world, member, client_for):
    response = client_for(member).get(
        reverse("governance:comment_matrix", args=[world["roadmap"].pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 1
    assert rows[0][2] == "Organisation A" and rows[0][4] == "Ajouter le répertoire."
    assert rows[0][8] == 2


def test_a_member_comments_while_the_version_is_in_consultation(
    world, member, coordinator, organisation, client_for
):
    second = advance(coordinator, world["second"], VersionStatus.IN_CONSULTATION)
    client = client_for(member)
    page = client.get(reverse("governance:document", args=[world["roadmap"].pk])).content.decode()
    assert "Envoyer le commentaire" in page or "Send the comment" in page
    response = client.post(
        reverse("governance:comment_new", args=[second.pk]),
        {"organisation": organisation.pk, "section": "Priorités", "text": "Ajouter un budget."},
    )
    assert response.status_code == 302
    assert Comment.objects.filter(version=second, text="Ajouter un budget.").exists()


def test_a_member_cannot_comment_for_another_organisation(
    world, member, coordinator, provider, client_for
):
    second = advance(coordinator, world["second"], VersionStatus.IN_CONSULTATION)
    client_for(member).post(
        reverse("governance:comment_new", args=[second.pk]),
        {"organisation": provider.pk, "text": "Au nom d'un autre."},
    )
    assert not Comment.objects.filter(version=second).exists()


def test_recording_attendance_marks_the_event_held(world, coordinator, client_for):
    event = world["event"]
    person = Participant.objects.get(event=event)
    client_for(coordinator).post(
        reverse("governance:attendance", args=[event.pk]), {"version": event.version}
    )
    person.refresh_from_db()
    assert person.attended is False


def test_treating_a_comment_needs_a_later_version_and_a_reason(world, coordinator, client_for):
    remark = world["comment"]
    response = client_for(coordinator).post(
        reverse("governance:comment_treat", args=[remark.pk]),
        {"treatment": Treatment.NOT_INTEGRATED, "version": remark.version_counter},
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    remark.refresh_from_db()
    assert remark.treatment == Treatment.INTEGRATED


def test_a_stale_form_is_refused(world, coordinator, client_for):
    committee = world["committee"]
    response = client_for(coordinator).post(
        reverse("governance:committee_edit", args=[committee.pk]),
        {"name": "Nouveau nom", "kind": "steering", "version": committee.version - 1},
    )
    assert response.status_code == 200
    committee.refresh_from_db()
    assert committee.name == "Comité de pilotage"


def test_the_dashboard_shows_the_indicators_and_the_report_renders(world, analyst, client_for):
    client = client_for(analyst)
    page = client.get(reverse("governance:dashboard")).content.decode()
    assert 'data-testid="value-comments_integrated">100 %' in page
    assert "Awa Diallo" not in page  # counts, never names
    report = client.get(reverse("governance:progress_report", args=[world["committee"].pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.content)).pages)
    assert "Comité de pilotage" in text and "Lancer le comité" not in text  # counts, no names


def test_the_process_indicators_as_xlsx_with_hxl(world, analyst, client_for):
    from openpyxl import load_workbook

    client = client_for(analyst)
    response = client.get(reverse("governance:indicators_xlsx", args=[world["committee"].pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert rows[1][:5] == [
        "#indicator+code",
        "#meta+phase",
        "#indicator+name",
        "#description",
        "#indicator+value",
    ]
    values = {row[0]: row[4] for row in rows[2:] if row[4]}
    assert values["comments_integrated"] == "100 %"  # as on the dashboard
    assert "Awa Diallo" not in str(rows)  # counts, never names


def test_the_mou_page_lists_what_is_missing(world, coordinator, client_for):
    mou = world["mou"]
    mou.funding = ""
    mou.save()
    page = client_for(coordinator).get(reverse("governance:mou", args=[mou.document_id]))
    assert "alert-warning" in page.content.decode()


def test_the_lists_have_a_fixed_number_of_queries(
    world, coordinator, organisation, client_for, django_assert_max_num_queries
):
    for index in range(8):
        committee = make_committee(
            coordinator, (organisation, "member", True), name=f"Groupe {index}"
        )
        make_document(coordinator, committee, DocumentKind.SOP)
        make_event(coordinator, committee, EventKind.COORDINATION, -index)
    client = client_for(coordinator)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("governance:committees")).status_code == 200
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("governance:committee", args=[world["committee"].pk])).status_code
            == 200
        )


def test_bad_uploads_are_refused_with_a_message(world, coordinator, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(coordinator).post(
        reverse("governance:version_write", args=[world["roadmap"].pk]),
        {
            "content": "# v3",
            "change_summary": "Troisième",
            "file": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    assert response.status_code == 200
    assert world["roadmap"].versions.count() == 2
    assert CommitteeMembership.objects.count() == 2


def test_the_navigation_leads_each_role_to_its_governance_page(
    world, analyst, coordinator, client_for
):
    analyst_page = client_for(analyst).get("/").content.decode()
    assert reverse("governance:dashboard") in analyst_page
    assert f'href="{reverse("governance:committees")}"' not in analyst_page
    coordinator_page = client_for(coordinator).get("/").content.decode()
    assert f'href="{reverse("governance:committees")}"' in coordinator_page
    assert f'href="{reverse("governance:dashboard")}"' not in coordinator_page


def test_the_roadmap_timeline_labels_months_without_crowding(world, coordinator):
    import re
    from datetime import timedelta

    from orienta.governance import progress, services

    action = world["action"]
    services.save_roadmap_action(
        acting_user=coordinator,
        values={"ends_on": action.starts_on + timedelta(days=730)},
        action=action,
        expected_version=action.version,
    )
    drawing = progress.svg(progress.roadmap(world["committee"]))
    labels = re.findall(r">(\d\d/\d{4})</text>", drawing)
    assert 5 <= len(labels) <= 10  # 25 months, one label every few
    assert "<title" in drawing and "Lancer le comité" in drawing


def test_the_report_names_only_what_the_reader_may_open(
    world, coordinator, organisation, member, analyst, client_for
):
    from orienta.governance import services

    secret = make_organisation("SEC")
    group = make_committee(
        coordinator, (secret, "member", True), name="Groupe restreint", parent=world["committee"]
    )
    make_document(coordinator, group, DocumentKind.SOP, title="Procédure confidentielle")
    event = make_event(coordinator, group, EventKind.COORDINATION, -1)
    services.save_action_item(
        acting_user=coordinator, event=event, values={"text": "Action réservée", "owner": secret}
    )

    def report(user):
        response = client_for(user).get(
            reverse("governance:progress_report", args=[world["committee"].pk])
        )
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)

    assert "Procédure confidentielle" in report(coordinator)
    as_member = report(member)
    assert "Procédure confidentielle" not in as_member and "Action réservée" not in as_member
    assert "Envoyer le compte rendu" in as_member  # the committee's own
    as_analyst = report(analyst)
    assert "Envoyer le compte rendu" not in as_analyst and "Lancer le comité" not in as_analyst
    page = client_for(analyst).get(
        reverse("governance:dashboard_for", args=[world["committee"].pk])
    )
    assert "Lancer le comité" not in page.content.decode()


def test_bad_parameters_are_answered_without_an_error_page(world, coordinator, client_for):
    client = client_for(coordinator)
    mou = world["mou"]
    response = client.post(
        reverse("governance:mou_clause", args=[mou.document_id]), {"clause": "abc"}
    )
    assert response.status_code == 404
    response = client.post(
        reverse("governance:mou_status", args=[mou.document_id]),
        {"step": "sign", "signed_on": "2025-02-30", "version": mou.version},
    )
    assert response.status_code == 302
    event = world["event"]
    response = client.post(
        reverse("governance:attendance", args=[event.pk]),
        {"present": "²", "version": event.version},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("governance:priority_new", args=[world["committee"].pk]),
        {"title": "P", "order": "9" * 25},
    )
    assert response.status_code == 302
    seat = world["seat"]
    response = client.post(
        reverse("governance:membership_answer", args=[seat.pk]),
        {"answer": "peut-être", "version": seat.version},
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.declined_on is None and seat.confirmed_on is None
