"""Browser journey on a tablet, in French: the caseworker refers a child to a service of the
provider organisation; the provider's focal point accepts it and records the outcome; the
caseworker sees the outcome on the case; the provider gets 404 on the case but reads the
packet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest

from orienta.accounts.models import User
from orienta.cases import services as case_services
from orienta.cases.models.choices import ConsentGiver, ConsentPurpose
from orienta.cases.packs import load_screening
from orienta.core.demo import load_demo
from orienta.directory.models import Organisation
from orienta.directory.packs import load_directory
from orienta.directory.taxonomy import load_taxonomy
from orienta.referrals.models import Referral
from tests.cases_helpers import register_case, registration_consent
from tests.referrals_helpers import make_agreement
from tests.test_browser import CHROMIUM, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def child_case(transactional_db: None):
    load_demo("ht", "demo-password")
    load_taxonomy()
    load_screening("ht")
    load_directory("ht")
    caseworker = User.objects.get(email="caseworker@example.org")
    iom = Organisation.objects.get(acronym="OIM", country="HT")
    ibesr = Organisation.objects.get(acronym="IBESR", country="HT")
    make_agreement(iom, ibesr)
    by_parent = {"given_by": ConsentGiver.PARENT_OR_GUARDIAN, "giver_name": "Marie Joseph"}
    case = register_case(
        caseworker,
        iom,
        person={
            "given_name": "Ti Jean",
            "family_name": "Joseph",
            "birth_date": date(2014, 5, 1),
            "phone": "+509 3111 2222",
        },
        consents=[
            registration_consent(**by_parent),
            registration_consent(
                purpose=ConsentPurpose.REFERRAL, recipient_organisation=ibesr, **by_parent
            ),
        ],
        assigned_to=caseworker,
        accompaniment="unaccompanied",
    )
    case_services.add_need(
        acting_user=caseworker, case=case, term="PROT-CHILD", urgency="immediate"
    )
    return case


@pytest.fixture
def tablet(child_case, live_server, settings) -> Iterator[object]:
    with chromium_page(settings, TABLET) as opened:
        yield opened


def _log_in(page, live_server, email: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("demo-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/")


def test_a_child_is_referred_accepted_and_served(tablet, live_server, child_case) -> None:
    page = tablet
    failures: list[str] = []
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)

    # The caseworker refers from the case page, choosing among the matches with their reasons.
    _log_in(page, live_server, "caseworker@example.org")
    page.goto(f"{live_server.url}/cases/{child_case.pk}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator(f"a[href='/cases/{child_case.pk}/refer/']").click()
    first = page.locator("input[name=service_at_location]").first
    first.wait_for()
    assert (
        "IBESR" in page.locator("fieldset").first.inner_text()
        or "Bien-Être" in page.locator("fieldset").first.inner_text()
    )
    page.locator("#id_note").fill("Enfant non accompagné, arrivé ce matin à Ouanaminthe.")
    page.locator("#send-referral").click()
    page.wait_for_url(f"{live_server.url}/referrals/*/")
    referral = Referral.objects.get(case=child_case)
    assert referral.status == "sent"
    assert page.locator("[data-status=sent]").count() == 1

    # The provider's focal point: the referral is in the inbox; the packet shows, the case does not.
    _log_in(page, live_server, "provider@example.org")
    page.goto(f"{live_server.url}/referrals/inbox/")
    page.locator(f"a[href='/referrals/{referral.pk}/']").click()
    page.wait_for_url(f"{live_server.url}/referrals/{referral.pk}/")
    assert "Joseph" in page.locator("[data-group=identity]").inner_text()
    assert "+509 3111 2222" in page.locator("[data-group=contact]").inner_text()
    # With the focal point's session (requests outside the page, so the console stays clean).
    assert page.request.get(f"{live_server.url}/cases/{child_case.pk}/").status == 404
    assert page.request.get(f"{live_server.url}/api/v1/cases/{child_case.pk}").status == 404
    page.locator(f"form[action='/referrals/{referral.pk}/accept/'] button").click()
    page.wait_for_url(f"{live_server.url}/referrals/{referral.pk}/")
    assert page.locator("[data-status=accepted]").count() == 1
    page.locator("#complete_outcome").select_option("served")
    page.locator("#complete_note").fill("Pris en charge, famille retrouvée.")
    page.locator(f"form[action='/referrals/{referral.pk}/complete/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/referrals/{referral.pk}/")
    assert page.locator("[data-status=completed]").count() == 1

    # The caseworker sees the outcome on the case.
    _log_in(page, live_server, "caseworker@example.org")
    page.goto(f"{live_server.url}/cases/{child_case.pk}/")
    assert page.locator("[data-referral-status=completed]").count() == 1
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    assert "famille retrouvée" in page.locator("[data-outcome]").inner_text()
    assert failures == []
