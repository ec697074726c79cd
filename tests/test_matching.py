"""Matching: every criterion ranks or excludes as documented, with its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orienta.directory import models as d
from orienta.directory.matching import Place, Profile, match
from orienta.directory.taxonomy import load_taxonomy, term_id

pytestmark = pytest.mark.django_db

PAP = (18.5944, -72.3074)  # Port-au-Prince
OUANAMINTHE = (19.5500, -71.7240)
CAP = (19.7578, -72.2042)


@pytest.fixture(autouse=True)
def taxonomy() -> None:
    load_taxonomy()


@pytest.fixture
def provider() -> d.Organisation:
    return d.Organisation.objects.create(name="Prestataire (fictive)", kind="ngo", country="HT")


@pytest.fixture
def make(provider):
    unit = d.Unit.objects.create(name="places")

    def service(
        name: str,
        codes=("SHEL-TEMP",),
        where=PAP,
        admin1="HT01",
        status="active",
        cost="free",
        min_age=None,
        max_age=None,
        groups=(),
        languages=(),
        verified_days=10,
        available=None,
        accepts=True,
    ) -> d.ServiceAtLocation:
        s = d.Service.objects.create(
            organization=provider,
            name=name,
            status=status,
            minimum_age=min_age,
            maximum_age=max_age,
            target_groups=list(groups),
            accepts_referrals=accepts,
            assured_date=timezone.localdate() - timedelta(days=verified_days),
        )
        loc = d.Location.objects.create(
            location_type="physical", latitude=where[0], longitude=where[1], admin1_code=admin1
        )
        for code in codes:
            d.Attribute.objects.create(
                link_id=s.pk, link_entity="service", taxonomy_term_id=term_id(code)
            )
        d.CostOption.objects.create(
            service=s,
            option={"free": "free", "shared": "shared_cost", "paid": "paid"}[cost],
            amount=0 if cost == "free" else 100,
        )
        for language in languages:
            d.Language.objects.create(service=s, code=language)
        if available is not None:
            d.ServiceCapacity.objects.create(
                service=s, unit=unit, available=available, maximum=10, updated=timezone.now()
            )
        d.directory_changed()
        return d.ServiceAtLocation.objects.create(service=s, location=loc)

    return service


def names(result) -> list[str]:
    return [m.service_at_location.service.name for m in result.matches]


def reasons(result, name: str) -> set[str]:
    return {
        r.code
        for m in result.matches
        if m.service_at_location.service.name == name
        for r in m.reasons
    }


def excluded(result) -> dict[str, set[str]]:
    found = {}
    for e in result.excluded:
        service = d.Service.objects.get(pk=e.service_id)
        found[service.name] = {r.code for r in e.reasons}
    return found


def test_category_is_required_and_a_parent_code_covers_its_children(make) -> None:
    make("Abri")
    make("Kit", codes=("IMM-HYG",))
    assert names(match(["SHEL-TEMP"])) == ["Abri"]
    assert names(match(["SHEL"])) == ["Abri"]
    assert set(names(match(["SHEL", "IMM"]))) == {"Abri", "Kit"}
    result = match(["NOPE"])
    assert result.matches == [] and result.unknown_needs == ["NOPE"]
    assert "category" in reasons(match(["SHEL"]), "Abri")


def test_inactive_and_non_referring_services_are_excluded_with_reasons(make) -> None:
    make("Ouvert")
    make("Fermé", status="temporarily closed")
    make("Sans orientation", accepts=False)
    result = match(["SHEL"], explain_exclusions=True)
    assert names(result) == ["Ouvert"]
    assert excluded(result) == {"Fermé": {"inactive"}, "Sans orientation": {"no_referrals"}}


def test_age_limits(make) -> None:
    make("Enfants", max_age=17)
    make("Adultes", min_age=18)
    assert names(match(["SHEL"], profile=Profile(age=12))) == ["Enfants"]
    result = match(["SHEL"], profile=Profile(age=30), explain_exclusions=True)
    assert names(result) == ["Adultes"] and excluded(result) == {"Enfants": {"age"}}
    assert set(names(match(["SHEL"]))) == {"Enfants", "Adultes"}  # no age given: both


def test_target_groups(make) -> None:
    make("Pour les enfants seuls", groups=("unaccompanied_separated_children",))
    make("Pour tous", groups=("all",))
    make("Sans précision")
    result = match(["SHEL"], profile=Profile(target_groups=("returnees",)), explain_exclusions=True)
    assert set(names(result)) == {"Pour tous", "Sans précision"}
    assert excluded(result) == {"Pour les enfants seuls": {"target_group"}}
    child = match(["SHEL"], profile=Profile(target_groups=("unaccompanied_separated_children",)))
    assert "Pour les enfants seuls" in names(child)


def test_full_services_are_excluded(make) -> None:
    make("Complet", available=0)
    make("Places libres", available=3)
    result = match(["SHEL"], explain_exclusions=True)
    assert names(result) == ["Places libres"] and excluded(result) == {"Complet": {"full"}}
    places = next(r for r in result.matches[0].reasons if r.code == "capacity")
    assert places.detail == "3"


def test_distance_ranks_nearer_first_and_is_reported(make) -> None:
    make("Cap-Haïtien", where=CAP, admin1="HT03")
    make("Ouanaminthe", where=OUANAMINTHE, admin1="HT04")
    result = match(["SHEL"], Place(latitude=19.56, longitude=-71.73))
    assert names(result) == ["Ouanaminthe", "Cap-Haïtien"]
    assert result.matches[0].distance_km < 3 and 50 < result.matches[1].distance_km < 70


def test_same_area_without_coordinates(make) -> None:
    make("Nord-Est", where=(None, None), admin1="HT04")
    make("Ouest", where=(None, None), admin1="HT01")
    result = match(["SHEL"], Place(admin1_code="HT04"))
    assert names(result) == ["Nord-Est", "Ouest"]
    assert "same_area" in reasons(result, "Nord-Est") and "other_area" in reasons(result, "Ouest")


def test_cost_free_before_shared_before_paid(make) -> None:
    make("Payant", cost="paid")
    make("Partagé", cost="shared")
    make("Gratuit", cost="free")
    result = match(["SHEL"])
    assert names(result) == ["Gratuit", "Partagé", "Payant"]
    assert "shared_cost" in reasons(result, "Partagé") and "paid" in reasons(result, "Payant")


def test_language(make) -> None:
    make("Créole", languages=("ht",))
    make("Espagnol", languages=("es",))
    result = match(["SHEL"], profile=Profile(language="ht"))
    assert names(result) == ["Créole", "Espagnol"]
    assert "language" in reasons(result, "Créole") and "no_language" in reasons(result, "Espagnol")


def test_freshness(make) -> None:
    make("Ancien", verified_days=500)
    make("Récent", verified_days=20)
    result = match(["SHEL"])
    assert names(result) == ["Récent", "Ancien"]
    assert "stale" in reasons(result, "Ancien") and "fresh" in reasons(result, "Récent")


def test_index_follows_changes(make) -> None:
    first = make("Premier")
    assert names(match(["SHEL"])) == ["Premier"]
    d.Service.objects.filter(pk=first.service_id).update(status="defunct")
    d.directory_changed()
    assert names(match(["SHEL"])) == []


def test_limit(make) -> None:
    for n in range(5):
        make(f"Abri {n}")
    assert len(match(["SHEL"], limit=3).matches) == 3


def test_match_api_needs_the_capability_and_explains(
    client, make, colleague, outsider, make_user, organisation
) -> None:
    from orienta.accounts import services

    make("Abri", max_age=17)
    token = services.create_api_token(acting_user=colleague, name="t")[1]
    body = {"needs": ["SHEL"], "profile": {"age": 30}, "explain_exclusions": True}
    response = client.post(
        "/api/v1/directory/match",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["matches"] == []
    assert result["excluded"][0]["reasons"][0]["code"] == "age"
    label = result["excluded"][0]["reasons"][0]["label"]
    assert label and label != "age"  # a sentence a caseworker can read
    bad = client.post(
        "/api/v1/directory/match",
        {"needs": []},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    analyst = make_user("analyst@a.example", organisation, "analyst")
    denied = client.post(
        "/api/v1/directory/match",
        body,
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {services.create_api_token(acting_user=analyst, name='t')[1]}"
        },
    )
    assert denied.status_code == 403
    assert (
        client.post("/api/v1/directory/match", body, content_type="application/json").status_code
        == 401
    )
