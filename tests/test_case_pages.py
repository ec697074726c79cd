"""The case pages: registration, list, case file, actions, PDF — and who gets 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from orienta.audit.models import AuditEvent
from orienta.cases.models import Case, CaseNote, Person
from tests.cases_helpers import register_case

pytestmark = pytest.mark.usefixtures("nrm")


def _form(**extra: str) -> dict[str, str]:
    values = {
        "kind": "forced_return",
        "arrived_on": timezone.localdate().isoformat(),
        "returned_from": "DO",
        "entry_point": "Belladère",
        "given_name": "Guerline",
        "family_name": "Exantus",
        "sex": "female",
        "birth_date_precision": "exact",
        "birth_date": "1996-02-03",
        "nationality": "HT",
        "q_IND-PREGNANT": "yes",
        "q_COM-SHELTER": "yes",
        "need1_term": "SHEL",
        "need1_urgency": "immediate",
        "consent_given_by": "person",
        "consent_method": "verbal_certified",
        "consent_script_language": "ht",
        "consent_registration": "on",
        "consent_referral": "on",
        "doc1_type": "",
        "doc1_status": "held",
        "doc2_status": "held",
    }
    values.update(extra)
    return values


def test_register_through_the_form(client_for, colleague, organisation) -> None:
    response = client_for(colleague).post("/cases/register/", _form())
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.priority == "high" and "R7" in case.profile
    assert case.consents.filter(purpose="referral", recipient_category="SHEL").exists()
    assert case.needs.get().urgency == "immediate"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"birth_date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "futur"),
        ({"need1_term": "NOPE"}, "NOPE"),
        ({"birth_date": (timezone.localdate() - timedelta(days=365 * 7)).isoformat()}, "enfant"),
        ({"birth_date_precision": "estimated", "birth_date": "", "stated_age": "180"}, "120"),
    ],
)
def test_bad_input_is_shown_in_french_and_nothing_is_saved(
    client_for, colleague, extra, message
) -> None:
    client = client_for(colleague)  # logging in is an audit event of its own
    events = AuditEvent.objects.count()
    response = client.post("/cases/register/", _form(**extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Person.objects.count() == 0 and AuditEvent.objects.count() == events


def test_candidates_are_offered_and_a_repeat_return_reuses_the_person(
    client_for, colleague, organisation
) -> None:
    first = register_case(
        colleague, organisation, person={"given_name": "Joseph", "family_name": "Saint-Fleur"}
    )
    client = client_for(colleague)
    panel = client.get(
        "/cases/register/candidates/",
        {"given_name": "Jozef", "family_name": "SAINT FLEUR", "birth_date": "1991-04-12"},
    )
    assert str(first.person.pk) in panel.content.decode()
    response = client.post(
        "/cases/register/",
        _form(
            given_name="Jozef",
            family_name="Saint Fleur",
            sex="male",
            birth_date="1991-04-12",
            **{"q_IND-PREGNANT": "no"},
            existing_person=str(first.person.pk),
        ),
    )
    assert response.status_code == 302
    assert Person.objects.count() == 1 and first.person.cases.count() == 2


def test_case_file_and_its_audit_event(client_for, colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    response = client_for(colleague).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert AuditEvent.objects.filter(action="cases.case.viewed", object_id=str(case.pk)).exists()


def test_outsiders_get_404_everywhere(client_for, colleague, outsider, organisation) -> None:
    case = register_case(colleague, organisation)
    client = client_for(outsider)
    for url in [f"/cases/{case.pk}/", f"/cases/{case.pk}/identification.pdf?lang=fr"]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/cases/{case.pk}/notes/",
        f"/cases/{case.pk}/status/",
        f"/cases/{case.pk}/tasks/",
        f"/cases/{case.pk}/needs/",
    ]:
        assert (
            client.post(
                url,
                {
                    "body": "x",
                    "topic": "general",
                    "confidentiality": "team",
                    "title": "x",
                    "status": "closed",
                    "version": "1",
                },
            ).status_code
            == 404
        ), url
    consent = case.consents.get()
    assert client.post(f"/cases/{case.pk}/consents/{consent.pk}/withdraw/").status_code == 404
    assert consent.__class__.objects.get(pk=consent.pk).withdrawn_at is None
    assert CaseNote.objects.count() == 0
    assert case.pk not in [c.pk for c in Case.objects.visible_to(outsider)]
    listing = client.get("/cases/?scope=organisation").content.decode()
    assert case.reference not in listing
    # Emergency access does not cross organisations either.
    response = client.post(
        "/cases/break-glass/",
        {"reference": case.reference, "reason": "Je veux voir ce dossier urgent."},
    )
    assert response.status_code == 200 and "Aucun dossier" in response.content.decode()


def test_anonymous_visitors_go_to_the_login_page(colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    for url in ["/cases/", "/cases/register/", f"/cases/{case.pk}/"]:
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_roles_without_case_capabilities_get_403(client_for, coordinator) -> None:
    assert client_for(coordinator).get("/cases/").status_code == 403
    assert client_for(coordinator).get("/cases/register/").status_code == 403


def test_actions_from_the_case_file(client_for, colleague, owner, organisation) -> None:
    case = register_case(colleague, organisation)
    client = client_for(colleague)
    client.post(
        f"/cases/{case.pk}/notes/",
        {"body": "Appel à la famille", "topic": "general", "confidentiality": "restricted"},
    )
    client.post(f"/cases/{case.pk}/tasks/", {"title": "Rappeler", "due_on": ""})
    client.post(f"/cases/{case.pk}/needs/", {"term": "EDU", "urgency": "normal"})
    case.refresh_from_db()
    response = client.post(
        f"/cases/{case.pk}/status/",
        {"status": "closed", "closure_reason": "needs_met", "version": str(case.version)},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.notes.count() == 1 and case.tasks.count() == 1
    assert case.needs.filter(term__code="EDU").exists()
    # A stale form: a clear message, no change.
    stale = client.post(
        f"/cases/{case.pk}/status/",
        {"status": "active", "version": str(case.version - 1)},
        follow=True,
    )
    assert "Quelqu" in stale.content.decode()
    # The restricted note: the author and the supervisor, nobody else.
    assert "Appel à la famille" in client_for(owner).get(f"/cases/{case.pk}/").content.decode()


def test_identification_pdf_in_english(client_for, colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    response = client_for(colleague).get(f"/cases/{case.pk}/identification.pdf?lang=en")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"
    assert (
        client_for(colleague).get(f"/cases/{case.pk}/identification.pdf?lang=xx").status_code == 404
    )


def test_case_list_keyset_pages_and_pinned_queries(
    client_for, owner, colleague, organisation, django_assert_num_queries
) -> None:
    from orienta.cases.synthetic import Owner, generate_cases

    generate_cases(
        country="HT",
        owners=[Owner(organisation, [colleague])],
        persons=120,
        seed=3,
        repeat_share=0,
        audit=False,
    )
    client = client_for(colleague)
    seen: list[str] = []
    url = "/cases/"
    # session, user, memberships ×1 (cached), the page of cases, navigation capabilities
    with django_assert_num_queries(4):
        response = client.get(url)
    for _page in range(10):
        body = response.content.decode()
        seen += re.findall(r'href="/cases/([0-9a-f-]{36})/"', body)
        cursor = re.search(r'href="\?after=([^"]+)"', body)
        if cursor is None:
            break
        response = client.get(f"/cases/?after={cursor.group(1)}")
    assert len(seen) == len(set(seen)) == Case.objects.filter(assigned_to=colleague).count()


def test_name_search_by_sound(client_for, colleague, organisation) -> None:
    case = register_case(
        colleague, organisation, person={"given_name": "Jean-Baptiste", "family_name": "Théodore"}
    )
    register_case(colleague, organisation, person={"given_name": "Marie", "family_name": "Casimir"})
    body = client_for(colleague).get("/cases/", {"q": "jan batis teodor"}).content.decode()
    assert case.reference in body and "CASIMIR" not in body
    body = client_for(colleague).get("/cases/", {"q": case.reference}).content.decode()
    assert case.reference in body


def test_a_name_too_common_to_list_says_so(client_for, colleague, organisation, monkeypatch):
    from orienta.cases import caselist

    monkeypatch.setattr(caselist, "SEARCH_LIMIT", 1)
    cases = [
        register_case(
            colleague, organisation, person={"given_name": given, "family_name": "Pierre"}
        )
        for given in ("Jean", "Jan")
    ]
    body = client_for(colleague).get("/cases/", {"q": "Jean Pierre"}).content.decode()
    assert "Beaucoup de personnes portent ce nom" in body
    assert sum(case.reference in body for case in cases) == 1
