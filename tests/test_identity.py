"""Names folded and keyed; candidates at registration with their explanation."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from orienta.audit.models import AuditEvent
from orienta.identity.candidates import (
    CandidateQuery,
    find_candidates,
    find_candidates_for,
    forget_model,
)
from orienta.identity.normalise import fold, folded_name, phonetic, tokens
from tests.cases_helpers import register_case

pytestmark = pytest.mark.usefixtures("nrm")


@pytest.fixture(autouse=True)
def _fresh_model() -> None:
    forget_model()


def test_folding() -> None:
    assert fold("Jean-Baptiste  ÉTIENNE") == "jean baptiste etienne"
    assert tokens("Marie de la Croix") == ["marie", "croix"]
    assert tokens("De La") == ["de", "la"]  # nothing but particles: keep them
    assert folded_name("Pierre", "Jean-Louis") == folded_name("Jean Louis", "PIERRE")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Joseph", "Jozèf"),
        ("Jean", "Jan"),
        ("Baptiste", "Batis"),
        ("Théodore", "Teodor"),
        ("Françoise", "Franswaz"),
        ("Mohammed", "Mouhamed"),
        ("Muhammad", "Mohamed"),
        ("Pierre", "Pyè"),
        ("Jacques", "Jak"),
        ("Exantus", "Egzantis"),
        ("Dieuseul", "Dyesel"),
        ("Youssouf", "Yousef"),
        ("Ouédraogo", "Wedraogo"),
        ("Djoumessi", "Joumessi"),
    ],
)
def test_spellings_that_sound_alike_share_a_key(one: str, other: str) -> None:
    assert phonetic(fold(one)) == phonetic(fold(other))


@pytest.mark.parametrize(("one", "other"), [("Marie", "Pierre"), ("Louis", "Paul")])
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert phonetic(fold(one)) != phonetic(fold(other))


def _codes(candidate) -> set[str]:
    return {reason["code"] for reason in candidate.reasons}


def test_candidates_with_their_explanation(colleague, organisation) -> None:
    case = register_case(
        colleague,
        organisation,
        person={
            "given_name": "Jean-Baptiste",
            "family_name": "Théodore",
            "birth_date": date(1988, 3, 7),
        },
    )
    register_case(
        colleague,
        organisation,
        person={"given_name": "Marie", "family_name": "Casimir", "sex": "female"},
    )
    found = find_candidates(
        CandidateQuery(
            given_name="Jan Batis", family_name="TEODOR", birth_date=date(1988, 7, 3), sex="male"
        ),
        user=colleague,
    )
    assert [c.person for c in found] == [case.person]
    assert {"given:3", "family:3", "birth:4", "sex:1"} <= _codes(found[0])
    shown = AuditEvent.objects.get(action="identity.candidates.shown")
    assert shown.changes["persons"] == [str(case.person.pk)] and shown.actor == colleague
    assert found[0].probability > 0.5
    # The explanation says what each field added, in bits.
    birth = next(r for r in found[0].reasons if r["code"] == "birth:4")
    with translation.override("en"):
        assert birth["bits"] > 0 and str(birth["level"]) == "day and month swapped"
    with translation.override("fr"):
        assert str(birth["field"]) == "Date de naissance"


def test_year_off_by_one_and_different_sex(colleague, organisation, monkeypatch) -> None:
    from orienta.identity import candidates

    monkeypatch.setattr(candidates, "SHOW_FROM", 0.0)  # show the unlikely ones too
    register_case(
        colleague,
        organisation,
        person={
            "given_name": "Rose",
            "family_name": "Alexis",
            "sex": "female",
            "birth_date": date(1990, 5, 5),
        },
    )
    near = find_candidates(
        CandidateQuery(
            given_name="Roz", family_name="Aleksi", birth_date=date(1991, 5, 5), sex="female"
        ),
        user=colleague,
    )
    assert near and "birth:3" in _codes(near[0])
    other_sex = find_candidates(
        CandidateQuery(
            given_name="Roz", family_name="Aleksi", birth_date=date(1991, 5, 5), sex="male"
        ),
        user=colleague,
    )
    assert other_sex and "sex:0" in _codes(other_sex[0])
    assert other_sex[0].probability < near[0].probability


def test_given_and_family_names_the_other_way_round(colleague, organisation) -> None:
    case = register_case(
        colleague,
        organisation,
        person={
            "given_name": "Pierre",
            "family_name": "Dorsainvil",
            "birth_date": date(1985, 2, 9),
        },
    )
    found = find_candidates(
        CandidateQuery(given_name="Dorsainvil", family_name="Pierre", birth_date=date(1985, 2, 9)),
        user=colleague,
    )
    assert found and found[0].person == case.person
    assert {"given:4", "family:4", "birth:5"} <= _codes(found[0])


def test_a_document_number_finds_a_renamed_person(colleague, organisation) -> None:
    case = register_case(
        colleague,
        organisation,
        person={
            "given_name": "Wisly",
            "family_name": "Exantus",
            "documents": [
                {
                    "document_type": "passport",
                    "number": "HT-123 4567",
                    "issuing_country": "HT",
                    "status": "held",
                }
            ],
        },
    )
    found = find_candidates(
        CandidateQuery(given_name="Wesly", family_name="Egzantis", document_numbers=["ht1234567"]),
        user=colleague,
    )
    assert found and found[0].person == case.person and "document:2" in _codes(found[0])


def test_candidates_never_cross_organisations(colleague, outsider, organisation) -> None:
    register_case(colleague, organisation)
    query = CandidateQuery(
        given_name="Wilner", family_name="Dorsainvil", birth_date=date(1991, 4, 12)
    )
    assert find_candidates(query, user=colleague)
    assert find_candidates(query, user=outsider) == []


def test_a_convoy_is_looked_up_at_once(colleague, organisation, django_assert_max_num_queries):
    wilner = register_case(colleague, organisation).person
    rose = register_case(
        colleague,
        organisation,
        person={"given_name": "Rose", "family_name": "Alexis", "birth_date": date(1990, 5, 5)},
    ).person
    queries = [
        CandidateQuery(given_name="Wilnè", family_name="Dorsainvil", birth_date=date(1991, 4, 12)),
        CandidateQuery(given_name="Personne", family_name="Inconnue"),
        CandidateQuery(given_name="Rose", family_name="ALEXIS", birth_date=date(1990, 5, 5)),
    ]
    find_candidates_for(queries, user=colleague)  # the model and the registry's size are kept
    with django_assert_max_num_queries(6):
        found = find_candidates_for(queries, user=colleague)
    assert [f[0].person if f else None for f in found] == [wilner, None, rose]


def test_keys_follow_changes_and_anonymisation(colleague, organisation) -> None:
    from orienta.identity.models import PersonKey
    from orienta.identity.services import forget_person, index_person

    case = register_case(colleague, organisation)
    person = case.person
    before = set(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert before
    person.birth_date = date(1979, 1, 30)
    person.save()
    index_person(person)
    after = set(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert after and after != before
    forget_person(person)
    assert not PersonKey.objects.filter(person=person).exists()


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside the test's transaction
def test_rebuild_person_keys_restores_the_index(colleague, organisation) -> None:
    from django.core.management import call_command

    from orienta.identity.models import PersonKey

    case = register_case(colleague, organisation)
    before = set(PersonKey.objects.filter(person=case.person).values_list("key", flat=True))
    PersonKey.objects.all().delete()
    query = CandidateQuery(
        given_name="Wilner", family_name="Dorsainvil", birth_date=date(1991, 4, 12)
    )
    assert find_candidates(query, user=colleague) == []
    call_command("rebuild_person_keys", verbosity=0)
    assert set(PersonKey.objects.filter(person=case.person).values_list("key", flat=True)) == before
    assert find_candidates(query, user=colleague)[0].person == case.person
    assert AuditEvent.objects.filter(action="identity.keys.rebuilt").exists()
