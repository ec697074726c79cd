"""The MoU: its completeness, and what signing, suspending and expiry do to the referrals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from orienta.audit.models import AuditEvent
from orienta.core.errors import ServiceError
from orienta.governance import mou as builder
from orienta.governance.choices import DocumentKind, MouStatus
from orienta.referrals import services as referral_services
from orienta.referrals.choices import AgreementStatus, ReferralStatus
from orienta.referrals.models import DataSharingAgreement
from orienta.referrals.services import ReferralDraft
from tests.governance_helpers import days, make_committee, make_document, ready_mou
from tests.referrals_helpers import case_with_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(coordinator, organisation, provider):
    return make_committee(coordinator, (organisation, "chair", True), (provider, "member", True))


@pytest.fixture
def case(colleague, organisation, provider, nrm):
    return case_with_need(colleague, organisation, consent_to=provider)


def _draft(case, shelter):
    return ReferralDraft(case=case, need=case.needs.first(), service_at_location=shelter, note="")


def _sign(coordinator, mou, on=None):
    return builder.sign(
        acting_user=coordinator, mou=mou, signed_on=on or days(0), expected_version=mou.version
    )


def test_the_completeness_check_lists_every_missing_section(coordinator, committee, provider):
    document = make_document(coordinator, committee, DocumentKind.MOU, content="", title="MoU")
    mou = document.mou
    missing = builder.missing_sections(mou)
    assert len(missing) == 7  # six texts, and fewer than two parties
    builder.save_party(acting_user=coordinator, mou=mou, organisation=provider, values={})
    builder.save_sections(
        acting_user=coordinator,
        mou=mou,
        values={"context": "C", "target_group": "T", "coordination": "K", "confidentiality": "D"},
        expected_version=mou.version,
    )
    missing = builder.missing_sections(mou)
    assert any("Modalités de financement" in line for line in missing)
    assert any("deux parties" in line for line in missing)
    assert any("Durée" in line for line in missing)
    assert not any("Contexte" in line for line in missing)


def test_a_party_s_role_is_drawn_from_the_directory(coordinator, committee, provider, shelter):
    provider.mandate = "Accueillir les personnes de retour."
    provider.save()
    document = make_document(coordinator, committee, DocumentKind.MOU, content="", title="MoU")
    party = builder.save_party(
        acting_user=coordinator, mou=document.mou, organisation=provider, values={}
    )
    assert "Accueillir les personnes de retour." in party.responsibilities
    assert shelter.service.name in party.responsibilities


def test_an_incomplete_or_unsigned_mou_cannot_be_signed(
    coordinator, committee, organisation, provider
):
    mou = ready_mou(coordinator, committee, organisation, provider)
    mou.parties.filter(organisation=provider).update(signed_on=None)
    with pytest.raises(ServiceError) as refused:
        _sign(coordinator, mou)
    assert provider.name in str(refused.value.message)
    mou.funding = ""
    mou.save()
    with pytest.raises(ServiceError) as refused:
        _sign(coordinator, mou)
    assert "financement" in str(refused.value.message)
    assert not DataSharingAgreement.objects.exists()


def test_signing_brings_the_agreement_into_force_and_referrals_go_through(
    coordinator, committee, organisation, provider, colleague, case, shelter
):
    mou = ready_mou(coordinator, committee, organisation, provider, ends_on=days(200))
    with pytest.raises(ServiceError) as refused:
        referral_services.refer(acting_user=colleague, draft=_draft(case, shelter))
    assert refused.value.details["missing"] == ["agreement"]

    _sign(coordinator, mou)
    agreement = DataSharingAgreement.objects.get()
    assert agreement.status == AgreementStatus.IN_FORCE
    assert set(agreement.parties.all()) == {organisation, provider}
    assert (agreement.valid_from, agreement.valid_to) == (mou.starts_on, days(200))
    assert "Protocole d'accord" in agreement.source
    assert AuditEvent.objects.filter(
        action="referrals.agreement.created", object_id=str(agreement.pk)
    ).exists()
    referral = referral_services.refer(acting_user=colleague, draft=_draft(case, shelter))
    assert referral.status == ReferralStatus.SENT
    assert referral.agreement == agreement


def test_suspending_the_mou_suspends_sharing_and_reinstating_restores_it(
    coordinator, committee, organisation, provider, colleague, case, shelter
):
    mou = _sign(coordinator, ready_mou(coordinator, committee, organisation, provider))
    builder.suspend(
        acting_user=coordinator, mou=mou, reason="Audit en cours", expected_version=mou.version
    )
    assert DataSharingAgreement.objects.get().status == AgreementStatus.SUSPENDED
    with pytest.raises(ServiceError):
        referral_services.refer(acting_user=colleague, draft=_draft(case, shelter))
    builder.reinstate(acting_user=coordinator, mou=mou, reason="", expected_version=mou.version)
    assert DataSharingAgreement.objects.get().status == AgreementStatus.IN_FORCE
    referral_services.refer(acting_user=colleague, draft=_draft(case, shelter))


def test_expiry_blocks_new_referrals_between_the_parties(
    coordinator, committee, organisation, provider, colleague, case, shelter
):
    mou = _sign(
        coordinator,
        ready_mou(coordinator, committee, organisation, provider, ends_on=days(10)),
    )
    # The day after the MoU's term, the gate refuses at once, before any task runs…
    gate = referral_services.gates.check(case, provider, provider, ["identity"], on=days(11))
    assert gate.missing == ["agreement"]
    # …and the daily task marks both expired.
    assert builder.expire_lapsed(today=days(11)) == 1
    mou.refresh_from_db()
    assert mou.status == MouStatus.EXPIRED
    assert DataSharingAgreement.objects.get().status == AgreementStatus.EXPIRED
    with pytest.raises(ServiceError) as refused:
        referral_services.refer(acting_user=colleague, draft=_draft(case, shelter))
    assert refused.value.details["missing"] == ["agreement"]
    assert builder.expire_lapsed(today=days(12)) == 0


def test_a_signed_mou_is_not_edited(coordinator, committee, organisation, provider):
    mou = _sign(coordinator, ready_mou(coordinator, committee, organisation, provider))
    with pytest.raises(ServiceError):
        builder.save_sections(
            acting_user=coordinator, mou=mou, values={"context": "X"}, expected_version=mou.version
        )
    with pytest.raises(ServiceError):
        _sign(coordinator, mou)


def test_a_clause_names_only_parties_and_known_groups(
    coordinator, committee, organisation, provider, other_organisation
):
    mou = ready_mou(coordinator, committee, organisation, provider)
    with pytest.raises(ServiceError):
        builder.save_clause(
            acting_user=coordinator,
            mou=mou,
            title="Hors parties",
            parties=[organisation, other_organisation],
            purposes=["referral"],
            field_groups=["identity"],
        )
    with pytest.raises(ServiceError):
        builder.save_clause(
            acting_user=coordinator,
            mou=mou,
            title="Inconnu",
            parties=[organisation, provider],
            purposes=["referral"],
            field_groups=["bank_account"],
        )


def test_only_the_secretariat_signs(colleague, coordinator, committee, organisation, provider):
    mou = ready_mou(coordinator, committee, organisation, provider)
    with pytest.raises(PermissionDenied):
        _sign(colleague, mou)


def test_the_composed_text_has_every_section(coordinator, committee, organisation, provider):
    mou = ready_mou(coordinator, committee, organisation, provider)
    text = builder.compose(mou)
    for section in builder.SECTIONS:
        assert f"## {section.title}" in text
    assert f"### {provider.name}" in text
    assert "Signataire" in text
    assert mou.document.latest.content == text
    assert timedelta(0) <= days(0) - mou.starts_on


def test_the_daily_command_expires_lapsed_mous(coordinator, committee, organisation, provider):
    from io import StringIO

    from django.core.management import call_command

    mou = _sign(coordinator, ready_mou(coordinator, committee, organisation, provider))
    type(mou).objects.filter(pk=mou.pk).update(ends_on=days(-1))
    out = StringIO()
    call_command("governance_expire", stdout=out)
    assert "1" in out.getvalue()
    assert DataSharingAgreement.objects.get().status == AgreementStatus.EXPIRED


def test_an_agreement_defined_by_an_mou_is_changed_only_with_it(
    coordinator, committee, organisation, provider, client_for
):
    from django.urls import reverse

    from orienta.referrals.agreements import save_agreement

    mou = _sign(coordinator, ready_mou(coordinator, committee, organisation, provider))
    builder.suspend(acting_user=coordinator, mou=mou, reason="Audit", expected_version=mou.version)
    agreement = DataSharingAgreement.objects.get()
    with pytest.raises(ServiceError) as refused:
        save_agreement(
            acting_user=coordinator,
            agreement=agreement,
            values={
                "title": agreement.title,
                "purposes": agreement.purposes,
                "field_groups": [*agreement.field_groups, "health_details"],
                "valid_from": agreement.valid_from,
                "status": AgreementStatus.IN_FORCE,
            },
            parties=[organisation, provider],
        )
    assert refused.value.code == "defined_elsewhere"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    page = client_for(coordinator).get(reverse("referrals:agreement", args=[agreement.pk]))
    assert page.status_code == 200 and b'name="field_groups"' not in page.content


def test_what_is_signed_is_what_was_written(coordinator, committee, organisation, provider):
    mou = ready_mou(coordinator, committee, organisation, provider)
    builder.save_clause(
        acting_user=coordinator,
        mou=mou,
        title="Santé",
        parties=[organisation, provider],
        purposes=["referral"],
        field_groups=["health_details"],
    )
    with pytest.raises(ServiceError) as refused:
        _sign(coordinator, mou)
    assert "nouvelle version" in str(refused.value.message)
    assert not DataSharingAgreement.objects.exists()


def test_a_signed_mou_gets_no_new_version(coordinator, committee, organisation, provider):
    from orienta.governance import versions

    mou = _sign(coordinator, ready_mou(coordinator, committee, organisation, provider))
    with pytest.raises(ServiceError):
        versions.new_version(
            acting_user=coordinator, document=mou.document, content="# Autre", change_summary="x"
        )
