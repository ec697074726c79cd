"""The registry's duplicates: found by the nightly run, reviewed by a supervisor, merged with
everything that hangs on the person, and the merge undone."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from orienta.audit.models import AuditEvent
from orienta.cases.models import Case, Consent, Episode, FamilyLink, IdentityDocument, Person
from orienta.identity.candidates import CandidateQuery, find_candidates, forget_model
from orienta.identity.models import DuplicatePair, IdentityModel, PersonKey, PersonMerge
from tests.cases_helpers import register_case

pytestmark = pytest.mark.usefixtures("nrm")

DOCUMENT = {
    "document_type": "national_id",
    "number": "BK-445566",
    "issuing_country": "HT",
    "status": "lost",
}


@pytest.fixture(autouse=True)
def _fresh_model() -> None:
    forget_model()


@pytest.fixture
def twins(colleague, organisation):
    """One man registered twice (the second time as a new person), and a stranger."""
    first = register_case(colleague, organisation)
    second = register_case(
        colleague,
        organisation,
        person={"given_name": "Wilnè", "family_name": "DORSAINVIL", "documents": [DOCUMENT]},
    )
    relative = register_case(
        colleague,
        organisation,
        person={
            "given_name": "Marie",
            "family_name": "Dorsainvil",
            "sex": "female",
            "birth_date": date(1962, 8, 30),
        },
    )
    FamilyLink.objects.create(
        person=second.person, relative=relative.person, relationship="sibling"
    )
    register_case(
        colleague,
        organisation,
        person={"given_name": "Rose", "family_name": "Alexis", "birth_date": date(1970, 1, 2)},
    )
    return first, second, relative


@pytest.fixture
def pair(twins) -> DuplicatePair:
    call_command("find_duplicates")
    first, second, _relative = twins
    return DuplicatePair.objects.get(
        person_a__in=[first.person, second.person], person_b__in=[first.person, second.person]
    )


def test_the_registry_run_queues_the_pair_once(twins, capsys) -> None:
    call_command("find_duplicates")
    assert "1 new pair(s)" in capsys.readouterr().out
    pair = DuplicatePair.objects.get()
    assert pair.status == "pending" and pair.probability >= 0.5
    assert {row["field"] for row in pair.explanation} >= {"given", "family", "birth"}
    assert IdentityModel.objects.count() == 0  # too few persons: the shipped model
    call_command("find_duplicates")
    assert DuplicatePair.objects.count() == 1  # found again, not queued again


def test_merge_moves_everything_and_undo_puts_it_back(client_for, owner, twins, pair) -> None:
    first, second, relative = twins
    client = client_for(owner)
    page = client.get(f"/identity/duplicates/{pair.pk}/")
    assert page.status_code == 200 and "Wilnè" in page.content.decode()
    assert AuditEvent.objects.filter(
        action="cases.person.viewed", object_id=str(second.person.pk)
    ).exists()
    response = client.post(f"/identity/duplicates/{pair.pk}/", {"decision": "merge"})
    assert response.status_code == 302
    merge = PersonMerge.objects.get()
    survivor, merged = first.person, second.person
    assert (merge.survivor, merge.merged) == (survivor, merged)
    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert merged.merged_into == survivor
    assert set(Case.objects.filter(person=survivor)) == {first, second}
    assert Episode.objects.filter(person=merged).count() == 0
    assert Consent.objects.filter(case=second).exists()  # consents follow their case
    assert IdentityDocument.objects.get(number_key="BK445566").person == survivor
    assert FamilyLink.objects.get(relative=relative.person).person == survivor
    assert "Wilnè DORSAINVIL" in survivor.other_names
    assert not PersonKey.objects.filter(person=merged).exists()
    event = AuditEvent.objects.get(action="identity.persons.merged")
    assert event.changes["merged"] == str(merged.pk)
    # The merged record is no longer anyone's candidate.
    found = find_candidates(
        CandidateQuery(given_name="Wilner", family_name="Dorsainvil", birth_date=date(1991, 4, 12)),
        user=owner,
    )
    assert [c.person for c in found] == [survivor]

    response = client.post(f"/identity/merges/{merge.pk}/undo/")
    assert response.status_code == 302
    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert merged.merged_into is None
    assert list(Case.objects.filter(person=merged)) == [second]
    assert Episode.objects.filter(person=merged).count() == 1
    assert IdentityDocument.objects.get(number_key="BK445566").person == merged
    assert FamilyLink.objects.get(relative=relative.person).person == merged
    assert survivor.other_names == []
    assert PersonKey.objects.filter(person=merged).exists()
    assert AuditEvent.objects.filter(action="identity.merge.undone").count() == 1
    pair.refresh_from_db()
    assert pair.status == "pending"
    # Undone once is undone: a second undo is refused, nothing changes.
    client.post(f"/identity/merges/{merge.pk}/undo/")
    assert AuditEvent.objects.filter(action="identity.merge.undone").count() == 1


def test_reject_keeps_them_apart(client_for, owner, pair) -> None:
    response = client_for(owner).post(f"/identity/duplicates/{pair.pk}/", {"decision": "reject"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "rejected" and pair.reviewed_by == owner
    assert not PersonMerge.objects.exists()
    assert AuditEvent.objects.filter(action="identity.pair.rejected").exists()
    assert client_for(owner).get("/identity/duplicates/").context["rows"] == []


def test_queue_page_and_its_query_count(
    client_for, owner, pair, django_assert_max_num_queries
) -> None:
    client = client_for(owner)
    client.get("/identity/duplicates/")
    with django_assert_max_num_queries(12):
        page = client.get("/identity/duplicates/")
    assert page.status_code == 200
    assert [row[0] for row in page.context["rows"]] == [pair]
    assert 'data-reason="birth:5"' in page.content.decode()


def test_outsiders_and_caseworkers_cannot_review(client_for, outsider, colleague, pair) -> None:
    client = client_for(outsider)
    assert client.get("/identity/duplicates/").context["rows"] == []
    assert client.get(f"/identity/duplicates/{pair.pk}/").status_code == 404
    assert client.post(f"/identity/duplicates/{pair.pk}/", {"decision": "merge"}).status_code == 404
    assert client_for(colleague).get("/identity/duplicates/").status_code == 403
    assert client_for(colleague).get(f"/identity/duplicates/{pair.pk}/").status_code == 403
    pair.refresh_from_db()
    assert pair.status == "pending"


def test_outsider_cannot_undo_a_merge(client_for, owner, outsider, pair) -> None:
    client_for(owner).post(f"/identity/duplicates/{pair.pk}/", {"decision": "merge"})
    merge = PersonMerge.objects.get()
    assert client_for(outsider).post(f"/identity/merges/{merge.pk}/undo/").status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
    assert client_for(outsider).get("/identity/merges/").context["merges"].count() == 0


def test_the_review_queue_through_the_api(client_for, owner, outsider, pair) -> None:
    client = client_for(owner)
    listed = client.get("/api/v1/identity/duplicates").json()
    assert [p["id"] for p in listed] == [pair.pk]
    assert client_for(outsider).get("/api/v1/identity/duplicates").json() == []
    assert (
        client_for(outsider).post(f"/api/v1/identity/duplicates/{pair.pk}/merge").status_code == 404
    )
    merged = client.post(f"/api/v1/identity/duplicates/{pair.pk}/merge")
    assert merged.status_code == 200
    again = client.post(f"/api/v1/identity/duplicates/{pair.pk}/merge")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    merge_id = merged.json()["id"]
    assert client_for(outsider).post(f"/api/v1/identity/merges/{merge_id}/undo").status_code == 404
    undone = client.post(f"/api/v1/identity/merges/{merge_id}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_candidates_through_the_api(client_for, colleague, outsider, twins) -> None:
    body = {
        "persons": [
            {"given_name": "Wilner", "family_name": "Dorsainvil", "birth_date": "1991-04-12"},
            {"given_name": "Nobody", "family_name": "Known"},
        ],
        "k": 2,
    }
    found = client_for(colleague).post(
        "/api/v1/identity/candidates", body, content_type="application/json"
    )
    assert found.status_code == 200
    first, second = found.json()
    assert {c["person_id"] for c in first} == {str(twins[0].person.pk), str(twins[1].person.pk)}
    assert second == []
    assert first[0]["explanation"][0]["field"] == "given"
    foreign = client_for(outsider).post(
        "/api/v1/identity/candidates", body, content_type="application/json"
    )
    assert foreign.status_code == 200 and foreign.json() == [[], []]
    bad = client_for(colleague).post(
        "/api/v1/identity/candidates", {"persons": []}, content_type="application/json"
    )
    assert bad.status_code == 422 and "code" in bad.json()
