"""Reference pages of returns: protocols, procedures, entry points, consulates, holidays, tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from orienta.returns import checkin
from orienta.returns.models import Holiday, ListToken, Protocol, ProtocolRule, SopRule, SopRuleSet
from tests.returns_helpers import load_haiti, movement, profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def haiti() -> None:
    load_haiti()


def read_pages() -> list[str]:
    protocol = Protocol.objects.get(key="ht-do-1999")
    ruleset = SopRuleSet.objects.get(country="HT")
    return [
        reverse("returns:protocols"),
        reverse("returns:protocol", args=[protocol.pk]),
        reverse("returns:procedures"),
        reverse("returns:entry_points"),
        reverse("returns:consulates"),
        reverse("returns:holidays"),
        reverse("returns:protocol_document", args=[protocol.pk, "pdf"]),
        reverse("returns:sop_guide", args=[ruleset.pk]),
    ]


def test_coordinators_and_officers_read_everything(
    haiti: None, client_for: Any, coordinator: Any, reception_officer: Any
) -> None:
    for user in (coordinator, reception_officer):
        client = client_for(user)
        for url in read_pages():
            assert client.get(url).status_code == 200, (user, url)
    page = client_for(reception_officer).get(read_pages()[1]).content.decode()
    assert "Confirm" not in page and "confirm_rule" not in page and "/confirm/" not in page
    coordinator_page = client_for(coordinator).get(read_pages()[1]).content.decode()
    assert "/confirm/" in coordinator_page
    assert (
        "Malpasse" in client_for(coordinator).get(reverse("returns:entry_points")).content.decode()
    )


def test_roles_without_the_capabilities_get_403(
    haiti: None, client_for: Any, make_user: Any, organisation: Any, reception_officer: Any
) -> None:
    outsider = client_for(make_user("focal@a.example", organisation, "provider_focal_point"))
    for url in [*read_pages(), reverse("returns:tokens")]:
        assert outsider.get(url).status_code == 403, url
    officer = client_for(reception_officer)
    rule = ProtocolRule.objects.filter(verification="secondary").first()
    assert (
        officer.post(reverse("returns:confirm_rule", args=[rule.pk]), {"note": "x"}).status_code
        == 403
    )
    sop_rule = SopRule.objects.first()
    assert officer.post(reverse("returns:sop_rule_edit", args=[sop_rule.pk]), {}).status_code == 403
    assert officer.post(reverse("returns:holiday_add"), {}).status_code == 403


def test_confirming_a_rule(haiti: None, client_for: Any, coordinator: Any) -> None:
    rule = ProtocolRule.objects.get(protocol__key="ht-do-1999", kind="belongings")
    client = client_for(coordinator)
    url = reverse("returns:confirm_rule", args=[rule.pk])
    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 400 and "invalid-feedback" in empty.content.decode()
    assert client.post(url, {"note": "Text read in the DR compilation"}).status_code == 302
    rule.refresh_from_db()
    assert rule.applies and rule.confirmed_by == coordinator


def test_revising_a_step_makes_a_new_version(
    haiti: None, client_for: Any, coordinator: Any, reception_officer: Any, organisation: Any
) -> None:
    moved = movement(reception_officer, organisation)
    before = checkin.check_in(
        acting_user=reception_officer,
        movement=moved,
        profile=profile(given_name="Jean", family_name="Pierre"),
    )
    rule = SopRule.objects.get(ruleset__version=1, code="onm-registration")
    client = client_for(coordinator)
    url = reverse("returns:sop_rule_edit", args=[rule.pk])
    data = {
        "action_fr": rule.action_fr,
        "action_en": rule.action_en,
        "responsible": str(rule.responsible_id),
        "deadline_minutes": "0",
        "referral_category": "",
    }
    assert client.post(url, data).status_code == 400
    data["deadline_minutes"] = "20"
    data["referral_category"] = "NOPE"
    refused = client.post(url, data)
    assert refused.status_code == 400 and "NOPE" in refused.content.decode()
    data["referral_category"] = ""
    assert client.post(url, data).status_code == 302
    old, new = SopRuleSet.objects.order_by("version")
    assert (old.status, new.status, new.version) == ("superseded", "in_force", 2)
    assert new.rules.get(code="onm-registration").deadline_minutes == 20
    assert before.steps.get(rule__code="onm-registration").rule.ruleset == old


def test_holidays_add_and_remove(haiti: None, client_for: Any, coordinator: Any) -> None:
    client = client_for(coordinator)
    url = reverse("returns:holiday_add")
    assert (
        client.post(url, {"date": "2026-12-25", "country": "HT", "name": "Noël"}).status_code == 400
    )
    assert client.post(url, {"date": "demain", "country": "HT", "name": "X"}).status_code == 400
    assert (
        client.post(
            url, {"date": "2027-04-07", "country": "ht", "name": "Toussaint Louverture"}
        ).status_code
        == 302
    )
    added = Holiday.objects.get(name="Toussaint Louverture")
    assert added.country == "HT"
    assert client.post(reverse("returns:holiday_remove", args=[added.pk])).status_code == 302
    assert not Holiday.objects.filter(pk=added.pk).exists()


def test_documents_in_both_languages(haiti: None, client_for: Any, coordinator: Any) -> None:
    protocol = Protocol.objects.get(key="ht-do-1999")
    client = client_for(coordinator)
    pdf = client.get(reverse("returns:protocol_document", args=[protocol.pk, "pdf"]) + "?lang=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("returns:protocol_document", args=[protocol.pk, "docx"]))
    assert docx.status_code == 200 and "wordprocessingml" in docx["Content-Type"]
    bad = client.get(reverse("returns:protocol_document", args=[protocol.pk, "pdf"]) + "?lang=xx")
    assert bad.status_code == 400


def test_tokens_are_issued_by_the_reception_office(
    haiti: None, client_for: Any, reception_officer: Any, coordinator: Any
) -> None:
    assert client_for(coordinator).get(reverse("returns:tokens")).status_code == 403
    client = client_for(reception_officer)
    issued = client.post(
        reverse("returns:token_issue"), {"name": "DGM Jimaní", "origin_country": "DO"}
    )
    body = issued.content.decode()
    assert issued.status_code == 200 and "ol_" in body and issued["Cache-Control"] == "no-store"
    token = ListToken.objects.get()
    raw = body[body.index("ol_") :].split("<", 1)[0]
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert (
        client.post(reverse("returns:token_issue"), {"name": "", "origin_country": "D"}).status_code
        == 400
    )
    assert client.post(reverse("returns:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_pages_have_a_fixed_number_of_queries(
    haiti: None, client_for: Any, coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(coordinator)
    protocol = Protocol.objects.get(key="ht-do-1999")
    with django_assert_max_num_queries(15):
        assert client.get(reverse("returns:protocol", args=[protocol.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("returns:procedures")).status_code == 200
