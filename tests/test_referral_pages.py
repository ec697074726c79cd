"""Referral pages and API: each side sees what it should, outsiders get 404, the provider
never reaches the case, and the off-platform link works end to end."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from orienta.accounts.roles import Role
from orienta.audit.models import AuditEvent
from orienta.core.errors import ServiceError
from orienta.directory.models import Contact, Organisation
from orienta.referrals import services
from orienta.referrals.choices import ReferralStatus
from orienta.referrals.models import ExternalLink, Referral
from orienta.referrals.services import ReferralDraft
from tests.referrals_helpers import case_with_need, make_agreement, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(colleague, organisation, provider, nrm):
    make_agreement(organisation, provider)
    return case_with_need(
        colleague, organisation, consent_to=provider, person={"phone": "+509 3700 0000"}
    )


@pytest.fixture
def referral(colleague, case, shelter, focal_point):
    return services.refer(
        acting_user=colleague,
        draft=ReferralDraft(case=case, need=case.needs.first(), service_at_location=shelter),
    )


def test_the_caseworker_refers_from_the_case_page(
    client_for, colleague, case, shelter, focal_point
):
    client = client_for(colleague)
    page = client.get(f"/cases/{case.pk}/refer/")
    assert page.status_code == 200
    assert shelter.service.name in page.content.decode()
    response = client.post(
        f"/cases/{case.pk}/refer/",
        {
            "need": case.needs.first().pk,
            "service_at_location": shelter.pk,
            "urgency": "high",
            "field_groups": ["identity", "contact", "needs"],
            "note": "Besoin d'un abri cette nuit",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.status == ReferralStatus.SENT
    assert referral.matching_reasons  # the reasons shown when it was chosen


def test_a_refused_referral_names_what_is_missing(
    client_for, colleague, organisation, shelter, nrm
):
    case = case_with_need(colleague, organisation)  # no referral consent, no agreement
    response = client_for(colleague).post(
        f"/cases/{case.pk}/refer/",
        {
            "need": case.needs.first().pk,
            "service_at_location": shelter.pk,
            "urgency": "normal",
            "field_groups": ["identity"],
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="gate-refused"' in text
    assert "consentement" in text and "accord" in text
    assert not Referral.objects.exists()


def test_the_provider_sees_the_packet_but_not_the_case(client_for, focal_point, referral):
    client = client_for(focal_point)
    page = client.get(f"/referrals/{referral.pk}/")
    assert page.status_code == 200
    assert "+509 3700 0000" in page.content.decode()
    assert client.get(f"/cases/{referral.case_id}/").status_code == 404
    assert client.get(f"/api/v1/cases/{referral.case_id}").status_code == 404
    assert AuditEvent.objects.filter(
        action="referrals.packet.viewed", actor_id=focal_point.pk
    ).exists()


def test_the_provider_answers_from_the_page_and_a_stale_form_is_told(
    client_for, focal_point, colleague, referral
):
    client = client_for(focal_point)
    version = referral.version
    assert client.post(f"/referrals/{referral.pk}/accept/", {"version": version}).status_code == 302
    response = client.post(
        f"/referrals/{referral.pk}/decline/",
        {"version": version, "reason": "no_capacity"},
        follow=True,
    )
    assert (
        "Quelqu’un" in response.content.decode()
        or "Someone" in response.content.decode()
        or "Quelqu'un" in response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    client.post(
        f"/referrals/{referral.pk}/complete/",
        {
            "version": referral.version,
            "outcome": "served",
            "outcome_date": timezone.localdate().isoformat(),
        },
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    case_page = client_for(colleague).get(f"/cases/{referral.case_id}/").content.decode()
    assert 'data-referral-status="completed"' in case_page


@pytest.mark.parametrize(
    "path",
    [
        "/referrals/{pk}/",
        "/api/v1/referrals/{pk}",
        "/api/v1/referrals/{pk}/packet",
        "/api/v1/referrals/{pk}/messages",
    ],
)
def test_outsiders_get_404(client_for, outsider, referral, path):
    assert client_for(outsider).get(path.format(pk=referral.pk)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/referrals/{pk}/accept/",
        "/referrals/{pk}/cancel/",
        "/referrals/{pk}/messages/",
        "/referrals/{pk}/share/",
        "/referrals/{pk}/links/",
    ],
)
def test_outsiders_cannot_act(client_for, outsider, referral, path):
    response = client_for(outsider).post(
        path.format(pk=referral.pk), {"version": referral.version, "reason": "x", "body": "x"}
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_outsider_api_actions_are_404(
    client_for, outsider, make_user, other_organisation, referral
):
    other_provider = make_user("focal@b.example", other_organisation, Role.PROVIDER_FOCAL_POINT)
    for user in (outsider, other_provider):
        response = client_for(user).post(
            f"/api/v1/referrals/{referral.pk}/accept",
            {"version": referral.version},
            content_type="application/json",
        )
        assert response.status_code in (403, 404)
        assert response.json()["code"] in ("not_found", "permission_denied")


def test_the_lists_show_only_ones_own_and_their_queries_are_pinned(
    client_for, colleague, outsider, focal_point, referral, django_assert_max_num_queries
):
    provider, sender = client_for(focal_point), client_for(colleague)
    with django_assert_max_num_queries(9):
        page = provider.get("/referrals/inbox/")
    assert referral.reference in page.content.decode()
    with django_assert_max_num_queries(8):
        listed = sender.get("/referrals/")
    assert referral.reference in listed.content.decode()
    assert referral.reference not in client_for(outsider).get("/referrals/").content.decode()
    assert client_for(outsider).get("/api/v1/referrals").json()["items"] == []
    assert client_for(outsider).get("/referrals/inbox/").status_code == 403


def test_the_api_refuses_without_consent_with_a_machine_readable_body(
    client_for, colleague, organisation, shelter, nrm
):
    case = case_with_need(colleague, organisation)
    response = client_for(colleague).post(
        "/api/v1/referrals",
        {
            "case_id": str(case.pk),
            "need_id": case.needs.first().pk,
            "service_at_location_id": str(shelter.pk),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "gates_refused"
    assert set(body["details"]["missing"]) == {"consent", "agreement"}


def test_the_api_loop(client_for, colleague, focal_point, case, shelter):
    sent = client_for(colleague).post(
        "/api/v1/referrals",
        {
            "case_id": str(case.pk),
            "need_id": case.needs.first().pk,
            "service_at_location_id": str(shelter.pk),
        },
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    item = sent.json()
    provider = client_for(focal_point)
    assert provider.get("/api/v1/referrals/inbox").json()["counts"]["new"] == 1
    packet = provider.get(f"/api/v1/referrals/{item['id']}/packet").json()
    assert packet["open"] and {e["field_group"] for e in packet["entries"]} >= {"identity"}
    accepted = provider.post(
        f"/api/v1/referrals/{item['id']}/accept",
        {"version": item["version"]},
        content_type="application/json",
    )
    assert accepted.status_code == 200
    stale = provider.post(
        f"/api/v1/referrals/{item['id']}/decline",
        {"version": item["version"], "reason": "no_capacity"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


def test_agreements_are_kept_by_coordinators(
    client_for, coordinator, colleague, outsider, organisation, provider
):
    client = client_for(coordinator)
    response = client.post(
        "/referrals/agreements/new/",
        {
            "title": "Accord OA–MA",
            "parties": [organisation.pk, provider.pk],
            "purposes": ["referral"],
            "field_groups": ["identity", "needs"],
            "valid_from": "2026-01-01",
            "status": "in_force",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client_for(colleague).get("/referrals/agreements/").status_code == 200
    assert "Accord OA–MA" in client_for(colleague).get("/referrals/agreements/").content.decode()
    assert client_for(colleague).get("/referrals/agreements/new/").status_code == 403
    # A party's member may read it; a member of neither party gets 404.
    from orienta.referrals.models import DataSharingAgreement

    agreement = DataSharingAgreement.objects.get()
    assert client_for(outsider).get(f"/referrals/agreements/{agreement.pk}/").status_code == 404
    assert (
        client_for(outsider).get(f"/api/v1/referral-agreements/{agreement.pk}").status_code == 404
    )
    bad = client.post(
        "/referrals/agreements/new/",
        {
            "title": "x",
            "parties": [organisation.pk],
            "purposes": ["referral"],
            "field_groups": ["identity"],
            "valid_from": "2026-01-01",
            "status": "in_force",
        },
    )
    assert bad.status_code == 200 and "deux parties" in bad.content.decode()


def test_capacity_from_the_inbox(client_for, focal_point, outsider, shelter):
    client_for(focal_point).post(
        f"/referrals/inbox/capacity/{shelter.service_id}/", {"available": "3", "maximum": "10"}
    )
    assert shelter.service.capacities.get().available == 3
    assert (
        client_for(outsider)
        .post(f"/referrals/inbox/capacity/{shelter.service_id}/", {"available": "0"})
        .status_code
        == 403
    )
    bad = client_for(focal_point).post(
        f"/referrals/inbox/capacity/{shelter.service_id}/",
        {"available": "12", "maximum": "10"},
        follow=True,
    )
    assert shelter.service.capacities.get().available == 3
    assert bad.status_code == 200


def test_the_external_link_end_to_end(
    client, client_for, colleague, organisation, nrm, make_user, django_capture_on_commit_callbacks
):
    offline = Organisation.objects.create(
        name="Clinique hors plateforme", acronym="CHP", kind="ngo", country="HT"
    )
    clinic = make_service(offline, "HEALTH-PRIM")
    contact = Contact.objects.create(
        name="Dr Exantus", email="focal@clinique.example", organization=offline
    )
    clinic.service.referral_focal_point = contact
    clinic.service.save()
    make_agreement(organisation, offline)
    case = case_with_need(colleague, organisation, "HEALTH-PRIM", consent_to=offline)
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.refer(
            acting_user=colleague,
            draft=ReferralDraft(case=case, need=case.needs.first(), service_at_location=clinic),
        )
    assert referral.external
    [message] = [m for m in mail.outbox if "focal@clinique.example" in m.to]
    url = re.search(r"https?://\S+/r/(\S+)/", message.body)
    assert url, message.body
    path = f"/r/{url.group(1)}/"
    page = client.get(path)
    assert page.status_code == 200
    assert (
        "+509" not in page.content.decode() and case.person.family_name not in page.content.decode()
    )
    # Acknowledge and accept without an account.
    assert (
        client.post(path, {"action": "acknowledge", "version": referral.version}).status_code == 302
    )
    referral.refresh_from_db()
    client.post(path, {"action": "accept", "version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    # The packet needs the one-time code sent to the registered contact.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"action": "send_code"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    assert mail.outbox[0].to == ["focal@clinique.example"]
    wrong = client.post(
        path, {"action": "verify_code", "code": "000000" if code != "000000" else "111111"}
    )
    assert case.person.family_name not in wrong.content.decode()
    client.post(path, {"action": "send_code"})
    # The first code was replaced by a new one: it no longer opens anything.
    assert (
        case.person.family_name
        not in client.post(path, {"action": "verify_code", "code": code}).content.decode()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"action": "send_code"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    client.post(path, {"action": "verify_code", "code": code})
    opened = client.get(path).content.decode()
    assert case.person.family_name in opened
    # Used once: the same code cannot open it from another browser.
    from django.test import Client

    other = Client()
    assert (
        case.person.family_name
        not in other.post(path, {"action": "verify_code", "code": code}).content.decode()
    )
    # The outcome, then revocation by the sender.
    client.post(
        path,
        {
            "action": "complete",
            "version": referral.version,
            "outcome": "served",
            "outcome_date": timezone.localdate().isoformat(),
        },
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    link = ExternalLink.objects.get()
    client_for(colleague).post(f"/referrals/{referral.pk}/links/{link.pk}/revoke/")
    assert client.get(path).status_code == 404
    actions = set(
        AuditEvent.objects.filter(object_id=str(link.pk)).values_list("action", flat=True)
    )
    assert {
        "referrals.external_link.issued",
        "referrals.external_link.used",
        "referrals.external_link.code_checked",
        "referrals.external_link.revoked",
    } <= actions


def test_an_expired_or_forged_link_is_404(client, colleague, organisation, nrm):
    from datetime import timedelta

    from orienta.referrals import external

    offline = Organisation.objects.create(
        name="Hors plateforme", acronym="HP", kind="ngo", country="HT", email="contact@hp.example"
    )
    place = make_service(offline, "SHEL-TEMP")
    make_agreement(organisation, offline)
    case = case_with_need(colleague, organisation, consent_to=offline)
    referral = services.refer(
        acting_user=colleague,
        draft=ReferralDraft(case=case, need=case.needs.first(), service_at_location=place),
    )
    link, token = external.issue(referral=referral, acting_user=colleague)
    assert client.get(f"/r/{token}/").status_code == 200
    assert client.get(f"/r/{token}x/").status_code == 404
    ExternalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/r/{token}/").status_code == 404


@pytest.mark.parametrize(
    "action",
    ["send", "acknowledge", "accept", "decline", "start", "complete", "not_complete", "cancel"],
)
def test_every_transition_page_is_404_for_outsiders(client_for, outsider, referral, action):
    response = client_for(outsider).post(
        f"/referrals/{referral.pk}/{action}/", {"version": referral.version}
    )
    assert response.status_code == 404


def test_the_other_referral_pages_are_404_or_403_for_outsiders(
    client_for, outsider, make_user, other_organisation, referral, case
):
    link_free = client_for(outsider)
    other_provider = client_for(
        make_user("focal@b.example", other_organisation, Role.PROVIDER_FOCAL_POINT)
    )
    assert link_free.get(f"/cases/{case.pk}/refer/").status_code == 404
    assert link_free.post(f"/cases/{case.pk}/refer/", {}).status_code == 404
    assert other_provider.post(f"/referrals/{referral.pk}/onward/", {}).status_code == 404
    assert link_free.post(f"/referrals/{referral.pk}/links/", {"print": "1"}).status_code == 404
    assert link_free.post(f"/referrals/{referral.pk}/links/1/revoke/").status_code == 404
    assert other_provider.get(f"/referrals/{referral.pk}/").status_code == 404
    assert other_provider.get("/referrals/inbox/").status_code == 200
    assert referral.reference not in other_provider.get("/referrals/inbox/").content.decode()
    assert link_free.get("/referrals/deadlines/").status_code == 403
    assert link_free.get("/referrals/agreements/new/").status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/referrals/{pk}/send"),
        ("post", "/api/v1/referrals/{pk}/cancel"),
        ("post", "/api/v1/referrals/{pk}/messages"),
        ("post", "/api/v1/referrals/{pk}/share"),
        ("get", "/api/v1/referrals/{pk}/links"),
        ("post", "/api/v1/referrals/{pk}/links"),
        ("post", "/api/v1/referrals/{pk}/links/1/revoke"),
    ],
)
def test_every_referral_api_operation_is_404_for_outsiders(
    client_for, outsider, referral, method, path
):
    body = {"version": referral.version, "reason": "x", "body": "x", "field_group": "documents"}
    response = getattr(client_for(outsider), method)(
        path.format(pk=referral.pk), body, content_type="application/json"
    )
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


def test_the_api_is_scoped_for_everything_else(
    client_for, outsider, make_user, other_organisation, referral, case, shelter
):
    api = client_for(outsider)
    created = api.post(
        "/api/v1/referrals",
        {"case_id": str(case.pk), "service_at_location_id": str(shelter.pk)},
        content_type="application/json",
    )
    assert created.status_code == 404
    other_provider = client_for(
        make_user("focal@b.example", other_organisation, Role.PROVIDER_FOCAL_POINT)
    )
    assert other_provider.get("/api/v1/referrals/inbox").json()["items"] == []
    onward = other_provider.post(
        f"/api/v1/referrals/{referral.pk}/onward",
        {"service_at_location_id": str(shelter.pk)},
        content_type="application/json",
    )
    assert onward.status_code == 404
    capacity = other_provider.put(
        f"/api/v1/services/{shelter.service_id}/capacity",
        {"available": 1},
        content_type="application/json",
    )
    assert capacity.status_code == 404
    assert api.get("/api/v1/referral-deadlines").status_code == 403
    assert (
        api.put(
            "/api/v1/referral-deadlines",
            {"urgency": "high", "acknowledge_hours": 1},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert api.post(
        "/api/v1/referral-agreements", {}, content_type="application/json"
    ).status_code in (403, 422)


def test_coordinators_keep_agreements_and_deadlines_through_the_api(
    client_for, coordinator, organisation, provider
):
    api = client_for(coordinator)
    made = api.post(
        "/api/v1/referral-agreements",
        {
            "title": "Accord API",
            "parties": [str(organisation.pk), str(provider.pk)],
            "purposes": ["referral"],
            "field_groups": ["identity"],
            "valid_from": "2026-01-01",
            "status": "in_force",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["in_force"] is True
    one_party = api.put(
        f"/api/v1/referral-agreements/{made.json()['id']}",
        {**made.json(), "parties": [str(organisation.pk)], "purposes": ["referral"]},
        content_type="application/json",
    )
    assert one_party.status_code == 400 and one_party.json()["code"] == "invalid"
    deadline = api.put(
        "/api/v1/referral-deadlines",
        {"urgency": "normal", "category": "SHEL", "acknowledge_hours": 12},
        content_type="application/json",
    )
    assert deadline.status_code == 200
    from orienta.referrals.deadlines import acknowledge_hours

    assert acknowledge_hours("normal", "SHEL-TEMP") == 12
    assert acknowledge_hours("normal", "HEALTH-PRIM") == 72


def test_only_the_sender_issues_links_and_only_for_an_open_referral(
    client_for, colleague, focal_point, referral
):
    from django.core.exceptions import PermissionDenied

    from orienta.referrals import external

    with pytest.raises(PermissionDenied):
        external.issue(referral=referral, acting_user=focal_point)
    services.cancel(
        acting_user=colleague, referral=referral, expected_version=referral.version, reason="x"
    )
    referral.refresh_from_db()
    with pytest.raises(ServiceError) as closed:
        external.issue(referral=referral, acting_user=colleague)
    assert closed.value.code == "closed"
    answer = client_for(colleague).post(
        f"/api/v1/referrals/{referral.pk}/links", content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "closed"


def test_a_provider_without_a_registered_address_gets_a_translated_refusal(
    client_for, colleague, organisation, nrm
):
    offline = Organisation.objects.create(
        name="Sans adresse", acronym="SA", kind="ngo", country="HT"
    )
    place = make_service(offline, "SHEL-TEMP")
    make_agreement(organisation, offline)
    case = case_with_need(colleague, organisation, consent_to=offline)
    referral = services.refer(
        acting_user=colleague,
        draft=ReferralDraft(case=case, need=case.needs.first(), service_at_location=place),
    )
    assert referral.external and not referral.external_links.exists()
    answer = client_for(colleague).post(
        f"/api/v1/referrals/{referral.pk}/links", content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "no_contact"
    assert "répertoire" in answer.json()["message"]
