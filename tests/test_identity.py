"""Names folded and keyed; candidates at registration with their reasons."""

from __future__ import annotations

from datetime import date

import pytest

from orienta.identity.candidates import CandidateQuery, find_candidates
from orienta.identity.normalise import fold, folded_name, phonetic, tokens
from tests.cases_helpers import register_case

pytestmark = pytest.mark.usefixtures("nrm")


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


def test_candidates_with_reasons(colleague, organisation) -> None:
    case = register_case(
        colleague,
        organisation,
        person={
            "given_name": "Jean-Baptiste",
            "family_name": "Théodore",
            "birth_date": date(1988, 3, 7),
            "phone": "+509 3711 2233",
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
    codes = {reason.code for reason in found[0].reasons}
    assert codes == {"names_sound_alike", "birth_day_month_swapped"}
    by_phone = find_candidates(
        CandidateQuery(given_name="Ti Jean", family_name="Inconnu", phone="37112233"),
        user=colleague,
    )
    assert by_phone == [] or by_phone[0].person == case.person


def test_year_off_by_one_and_different_sex(colleague, organisation) -> None:
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
    assert near and "birth_year_one_apart" in {r.code for r in near[0].reasons}
    other_sex = find_candidates(
        CandidateQuery(
            given_name="Rose", family_name="Alexis", birth_date=date(1990, 5, 5), sex="male"
        ),
        user=colleague,
    )
    assert not other_sex or other_sex[0].score < near[0].score


def test_candidates_never_cross_organisations(colleague, outsider, organisation) -> None:
    register_case(colleague, organisation)
    query = CandidateQuery(
        given_name="Wilner", family_name="Dorsainvil", birth_date=date(1991, 4, 12)
    )
    assert find_candidates(query, user=colleague)
    assert find_candidates(query, user=outsider) == []


def test_keys_follow_changes_and_anonymisation(colleague, organisation) -> None:
    from orienta.identity.models import PersonKey
    from orienta.identity.services import forget_person

    case = register_case(colleague, organisation)
    assert PersonKey.objects.filter(person=case.person, key__startswith="p:").exists()
    forget_person(case.person)
    assert not PersonKey.objects.filter(person=case.person).exists()
