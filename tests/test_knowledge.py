"""The regional knowledge base: the MENA pack, the pages (who reaches them, Arabic right to
left), the mapping matrix and its filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from orienta.audit.models import AuditEvent
from orienta.knowledge import matrix
from orienta.knowledge.choices import DIALOGUE_KINDS
from orienta.knowledge.models import Entity, EntityFact, EntityMember, PolicyInstrument
from orienta.knowledge.packs import load_knowledge

pytestmark = pytest.mark.django_db


def test_the_pack_has_the_nine_organisations_and_eight_dialogues(mena):
    dialogues = Entity.objects.filter(kind__in=DIALOGUE_KINDS)
    assert Entity.objects.count() == 17 and dialogues.count() == 8
    league = Entity.objects.get(key="LAS")
    assert league.name_ar == "جامعة الدول العربية"
    assert league.members.count() == 22
    assert EntityFact.objects.filter(entity=league, field="mandate").exists()
    assert set(EntityFact.objects.values_list("confidence", flat=True)) <= {
        "verified",
        "secondary",
        "unverified",
    }
    assert PolicyInstrument.objects.exists()
    assert AuditEvent.objects.filter(action="knowledge.pack.loaded").count() == 1


def test_loading_again_duplicates_nothing(mena):
    counts = (Entity.objects.count(), EntityMember.objects.count(), EntityFact.objects.count())
    load_knowledge("mena")
    assert (
        Entity.objects.count(),
        EntityMember.objects.count(),
        EntityFact.objects.count(),
    ) == counts


@pytest.mark.parametrize("name", ["entities", "matrix"])
def test_only_knowledge_roles_reach_the_pages(name, mena, policy_officer, outsider, client_for):
    url = reverse(f"knowledge:{name}")
    assert client_for(policy_officer).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 403  # a case supervisor
    response = Client().get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_entity_shows_its_facts_with_source_and_confidence_and_arabic_right_to_left(
    mena, policy_officer, outsider, client_for
):
    url = reverse("knowledge:entity", args=["LAS"])
    assert client_for(outsider).get(url).status_code == 403
    page = client_for(policy_officer).get(url).content.decode()
    assert 'lang="ar" dir="rtl">جامعة الدول العربية' in page
    assert "badge text-bg-" in page and "Source" in page
    assert (
        client_for(policy_officer).get(reverse("knowledge:entity", args=["nothing"])).status_code
        == 404
    )


def test_the_matrix_filters_by_theme_and_exports_csv(mena, policy_officer, client_for):
    everything = matrix.build("theme")
    climate = matrix.build("theme", theme="climate_mobility")
    assert 0 < len(climate.rows) < len(everything.rows)
    column = [c.code for c in climate.columns].index("climate_mobility")
    assert all(marks[column] for _entity, marks in climate.rows)
    client = client_for(policy_officer)
    page = client.get(reverse("knowledge:matrix"), {"theme": "climate_mobility"}).content.decode()
    assert page.count("table-primary") >= len(climate.rows)
    csv = client.get(reverse("knowledge:matrix"), {"axis": "region", "format": "csv"})
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("entity,name_en,kind,") and len(lines) == 1 + Entity.objects.count()


def test_unknown_filters_are_ignored(mena, policy_officer, client_for):
    response = client_for(policy_officer).get(
        reverse("knowledge:matrix"), {"theme": "nope", "axis": "planet", "kind": "x"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["Ligue des États arabes", "ligue des etats", "جامعة الدول العربية", "جامعة", "LAS"],
)
def test_search_finds_an_entity_by_its_french_and_arabic_name(query, mena):
    from orienta.knowledge.search import search

    assert "LAS" in [hit.key for hit in search(query) if hit.kind == "entity"]


def test_search_finds_policies_and_tolerates_any_input(mena, policy_officer, outsider, client_for):
    from orienta.knowledge.search import search

    assert "kampala-declaration-2022" in [hit.key for hit in search("Kampala climate")]
    assert search("zzzqqq") == [] and search("") == []
    # The engines' own syntax in a query is only text: no error, the words still match.
    assert search('"*( -^') == []
    assert "RABAT-PROCESS" in [hit.key for hit in search('Rabat "process* (-')]
    url = reverse("knowledge:search")
    page = client_for(policy_officer).get(url, {"q": "Rabat"}).content.decode()
    assert "Rabat" in page
    assert client_for(outsider).get(url, {"q": "Rabat"}).status_code == 403


def test_a_policy_issued_by_an_entity_has_no_issuing_country(mena):
    arab = PolicyInstrument.objects.get(key="arab-declaration-international-migration")
    assert arab.issuer.key == "LAS" and arab.issuer_country == ""
