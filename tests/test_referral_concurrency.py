"""On PostgreSQL, two connections answering the same referral at once: exactly one wins, the
other is told it lost, and the row holds the winner's answer."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from orienta.accounts.roles import Role
from orienta.core.errors import ConflictError
from orienta.directory.models import Organisation
from orienta.referrals import services
from orienta.referrals.choices import ReferralStatus
from orienta.referrals.models import Referral
from orienta.referrals.services import ReferralDraft
from tests.referrals_helpers import case_with_need, make_agreement, make_service


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_a_concurrent_accept_and_decline_has_one_winner(
    make_user, colleague, organisation, nrm, round_
) -> None:
    provider = Organisation.objects.create(
        name="Prestataire (fictif)", acronym="PF", kind="ngo", country="HT"
    )
    first = make_user(f"first{round_}@provider.example", provider, Role.PROVIDER_FOCAL_POINT)
    second = make_user(f"second{round_}@provider.example", provider, Role.PROVIDER_FOCAL_POINT)
    place = make_service(provider, "SHEL-TEMP")
    make_agreement(organisation, provider)
    case = case_with_need(colleague, organisation, consent_to=provider)
    referral = services.refer(
        acting_user=colleague,
        draft=ReferralDraft(case=case, need=case.needs.first(), service_at_location=place),
    )
    version = referral.version
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str, user, action) -> None:
        try:
            seen = Referral.objects.get(pk=referral.pk)  # each thread reads on its own connection
            start.wait()
            action(user, seen)
            outcomes[name] = "won"
        except ConflictError:
            outcomes[name] = "lost"
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "accept",
                first,
                lambda u, r: services.accept(acting_user=u, referral=r, expected_version=version),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                "decline",
                second,
                lambda u, r: services.decline(
                    acting_user=u, referral=r, expected_version=version, reason="no_capacity"
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["lost", "won"], outcomes
    final = Referral.objects.get(pk=referral.pk)
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    assert final.status == (
        ReferralStatus.ACCEPTED if winner == "accept" else ReferralStatus.DECLINED
    )
    assert final.version == version + 1
