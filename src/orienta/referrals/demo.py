"""Demo referrals: agreements between the demo organisations and referrals in every state,
made through the real services (gates, packets, audit), so that each screen has something to
show. Loaded once; run again, it leaves what exists alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from orienta.accounts.models import User
from orienta.audit.services import record
from orienta.cases import services as case_services
from orienta.cases.models import Case
from orienta.cases.models.choices import ConsentGiver, ConsentMethod, ConsentPurpose
from orienta.core.packs import load_pack
from orienta.directory.models import Attribute, Organisation, ServiceAtLocation
from orienta.referrals import services
from orienta.referrals.choices import AgreementPurpose, AgreementStatus, FieldGroup
from orienta.referrals.escalation import escalate
from orienta.referrals.models import DataSharingAgreement, Referral

# The state each demo referral is left in, in order.
_STATES = [
    "sent",
    "sent",
    "acknowledged",
    "accepted",
    "in_progress",
    "completed",
    "completed",
    "not_completed",
    "declined",
    "cancelled",
    "expired",
    "draft",
]


def _organisation(pack: dict, key: str) -> Organisation:
    entry = next(o for o in pack["organisations"] if o["key"] == key)
    return Organisation.objects.get(name=entry["name"], country=pack["country"])


def _place(organisation: Organisation, code: str) -> ServiceAtLocation | None:
    services_with = Attribute.objects.filter(
        link_entity="service", taxonomy_term__code=code
    ).values("link_id")
    return (
        ServiceAtLocation.objects.filter(
            service__organization=organisation,
            service_id__in=services_with,
            service__accepts_referrals=True,
        )
        .select_related("service")
        .first()
    )


def _agreement(
    coordinator: User, title: str, parties: list[Organisation], groups: list[Any]
) -> None:
    from orienta.referrals.agreements import save_agreement

    if DataSharingAgreement.objects.filter(title=title).exists():
        return
    save_agreement(
        acting_user=coordinator,
        values={
            "title": title,
            "reference": "",
            "purposes": [AgreementPurpose.REFERRAL, AgreementPurpose.FOLLOW_UP],
            "field_groups": groups,
            "valid_from": timezone.localdate() - timedelta(days=90),
            "valid_to": timezone.localdate() + timedelta(days=640),
            "status": AgreementStatus.IN_FORCE,
            "signed_on": timezone.localdate() - timedelta(days=95),
            "notes": "Démo",
        },
        parties=parties,
    )


def _prepare(
    case: Case, supervisor: User, recipient: Organisation, code: str, consent: bool
) -> None:
    if not case.needs.filter(term__code=code).exists():
        case_services.add_need(acting_user=supervisor, case=case, term=code, urgency="high")
    if consent:
        case_services.record_consent(
            acting_user=supervisor,
            case=case,
            data=case_services.ConsentData(
                purpose=ConsentPurpose.REFERRAL,
                # A child's consent is given by a parent or guardian.
                given_by=ConsentGiver.PARENT_OR_GUARDIAN if case.is_child else ConsentGiver.PERSON,
                giver_name="Parent (démo)" if case.is_child else "",
                method=ConsentMethod.VERBAL_CERTIFIED,
                given_on=timezone.localdate(),
                recipient_organisation=recipient,
            ),
        )


def _advance(referral: Referral, state: str, focal: User, supervisor: User) -> None:
    def v() -> int:
        referral.refresh_from_db()
        return referral.version

    steps = {
        "acknowledged": ["acknowledge"],
        "accepted": ["accept"],
        "in_progress": ["accept", "start"],
        "completed": ["accept", "start", "complete"],
        "not_completed": ["accept", "not_complete"],
        "declined": ["decline"],
    }.get(state, [])
    for step in steps:
        if step == "complete":
            services.complete(
                acting_user=focal,
                referral=referral,
                expected_version=v(),
                outcome="served",
                note="Démo",
            )
        elif step == "not_complete":
            services.not_complete(
                acting_user=focal, referral=referral, expected_version=v(), reason="did_not_come"
            )
        elif step == "decline":
            services.decline(
                acting_user=focal, referral=referral, expected_version=v(), reason="no_capacity"
            )
        else:
            getattr(services, step)(acting_user=focal, referral=referral, expected_version=v())
    if state == "cancelled":
        services.cancel(
            acting_user=supervisor,
            referral=referral,
            expected_version=v(),
            reason="La personne a trouvé une autre solution",
        )


@transaction.atomic
def load_demo_referrals(country: str) -> int:
    """Agreements and about fifteen referrals; 0 when they exist already."""
    pack = load_pack("demo", country)
    plan = pack.get("referrals")
    if not plan:
        return 0  # this country's demo has no provider service to refer to
    email = {
        a["role"]: a["email"]
        for a in pack["accounts"]
        if a["organisation"] in ("casework", "secretariat", "provider")
    }
    coordinator = User.objects.get(email=email["coordinator"])
    supervisor = User.objects.get(email=email["case_supervisor"])
    focal = User.objects.get(email=email["provider_focal_point"])
    casework, casework_b = _organisation(pack, "casework"), _organisation(pack, "casework_b")
    provider, offline = _organisation(pack, "provider"), _organisation(pack, plan["offline"])
    category, offline_category = plan["category"], plan["offline_category"]
    if Referral.objects.filter(sender_organisation=casework).exists():
        return 0
    groups = [
        FieldGroup.IDENTITY,
        FieldGroup.CONTACT,
        FieldGroup.NEEDS,
        FieldGroup.VULNERABILITY,
        FieldGroup.PROTECTION,
    ]
    _agreement(
        coordinator,
        f"Accord de partage {casework.acronym}–{provider.acronym}",
        [casework, provider],
        groups,
    )
    _agreement(
        coordinator,
        f"Accord de partage {casework_b.acronym}–{provider.acronym}",
        [casework_b, provider],
        groups,
    )
    _agreement(
        coordinator,
        f"Accord de partage {casework.acronym}–{offline.acronym}",
        [casework, offline],
        [*groups[:4], FieldGroup.HEALTH],
    )
    place, clinic = _place(provider, category), _place(offline, offline_category)
    if place is None:
        return 0
    if not offline.email:
        # The off-platform provider needs a registered address for its link (fictional).
        offline.email = f"orientation.{(offline.acronym or 'prestataire').lower()}@example.org"
        offline.save(update_fields=["email"])
        record(
            "directory.organisation.updated",
            actor=None,
            organisation=offline,
            target=offline,
            changes={"email": ["", offline.email]},
        )
    cases = list(
        Case.objects.filter(organisation=casework).order_by("-is_child", "created_at")[
            : len(_STATES) + 3
        ]
    )
    made = 0
    for case, state in zip(cases, _STATES, strict=False):
        _prepare(case, supervisor, provider, category, consent=True)
        draft = services.ReferralDraft(
            case=case,
            need=case.needs.get(term__code=category),
            service_at_location=place,
            note="Enfant à accompagner (démo)",
        )
        if state == "draft":
            services.create(acting_user=supervisor, draft=draft)
        else:
            referral = services.refer(acting_user=supervisor, draft=draft)
            _advance(referral, state, focal, supervisor)
            if state == "expired":
                Referral.objects.filter(pk=referral.pk).update(
                    expire_at=timezone.now() - timedelta(minutes=1)
                )
        made += 1
    # One sent under emergency override (no consent recorded), one to a provider off the
    # platform (by e-mailed link), and one overdue.
    extra = cases[len(_STATES) :]
    if len(extra) >= 2 and clinic is not None:
        _prepare(extra[0], supervisor, provider, category, consent=False)
        services.refer(
            acting_user=supervisor,
            draft=services.ReferralDraft(
                case=extra[0],
                need=extra[0].needs.get(term__code=category),
                service_at_location=place,
            ),
            override_reason="Enfant seul à la frontière la nuit, tuteur injoignable (démo)",
        )
        _prepare(extra[1], supervisor, offline, offline_category, consent=True)
        services.refer(
            acting_user=supervisor,
            draft=services.ReferralDraft(
                case=extra[1],
                need=extra[1].needs.get(term__code=offline_category),
                service_at_location=clinic,
            ),
        )
        made += 2
    if len(extra) >= 3:
        _prepare(extra[2], supervisor, provider, category, consent=True)
        late = services.refer(
            acting_user=supervisor,
            draft=services.ReferralDraft(
                case=extra[2],
                need=extra[2].needs.get(term__code=category),
                service_at_location=place,
                urgency="critical",
            ),
        )
        Referral.objects.filter(pk=late.pk).update(
            acknowledge_by=timezone.now() - timedelta(minutes=30)
        )
        made += 1
    escalate()
    return made
