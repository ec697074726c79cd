"""Browser journey on a tablet, in French: a caseworker registers a returnee end to end
(identity, screening, consent, needs) and sees the derived priority; a caseworker of another
organisation gets 404 on the case's page and API URL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from orienta.cases.models import Case
from orienta.cases.packs import load_screening
from orienta.core.demo import load_demo
from orienta.directory.taxonomy import load_taxonomy
from tests.test_browser import CHROMIUM, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def tablet(transactional_db: None, live_server, settings) -> Iterator[object]:
    load_demo("ht", "demo-password")
    load_taxonomy()
    load_screening("ht")
    with chromium_page(settings, TABLET) as opened:
        yield opened


def test_caseworker_registers_a_returnee_on_a_tablet(tablet, live_server) -> None:
    page = tablet
    failures: list[str] = []
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, "caseworker@example.org")
    page.goto(live_server.url + "/cases/register/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Enregistrer une personne"

    page.locator("#id_returned_from").fill("DO")
    page.locator("#id_entry_point").fill("Ouanaminthe")
    page.locator("#id_given_name").fill("Guerline")
    page.locator("#id_family_name").fill("Exantus")
    page.locator("label[for=id_sex_0]").click()  # Femme
    page.locator("#id_birth_date").fill("1996-02-03")
    page.locator("#id_doc1_type").select_option("national_id")
    page.locator("#id_doc1_number").fill("NIF 001-234-567-8")
    page.locator("#id_doc1_status").select_option("retained")
    page.locator("#candidates").get_by_text("Personne").first.wait_for()
    # Screening: pregnant, nowhere to sleep tonight.
    page.locator("input[name='q_IND-PREGNANT'][value=yes]").check()
    page.locator("input[name='q_COM-SHELTER'][value=yes]").check()
    page.locator("input[name='q_HH-CONTACT'][value=yes]").check()
    # Needs.
    page.locator("#id_need1_term").select_option("SHEL")
    page.locator("#id_need1_urgency").select_option("immediate")
    page.locator("#id_need2_term").select_option("HEALTH-SRH")
    # Consent, read out in Kreyòl.
    page.locator("summary", has_text="Kreyòl").click()
    assert page.get_by_text("Èske ou dakò").is_visible()
    page.locator("#id_consent_script_language").select_option("ht")
    page.locator("#id_consent_registration").check()
    page.locator("#id_consent_referral").check()
    page.locator("#id_consent_follow_up").check()
    page.locator("button[type=submit]", has_text="Enregistrer").click()

    page.wait_for_url(f"{live_server.url}/cases/*/")
    badge = page.locator("[data-priority]")
    assert badge.get_attribute("data-priority") == "high"
    assert "Enceinte ou allaitante" in page.locator("#priority-title").locator("..").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Guerline EXANTUS"
    assert failures == []

    case = Case.objects.get(person__family_name="Exantus")
    assert case.consents.filter(purpose="referral").count() == 2
    assert case.person.documents.get().status == "retained"

    # Another organisation's caseworker: 404 on the page and on the API.
    other = page.context.browser.new_context(viewport=TABLET)
    intruder = other.new_page()
    log_in(intruder, live_server, "caseworker-b@example.org")
    assert intruder.goto(f"{live_server.url}/cases/{case.pk}/").status == 404
    assert intruder.goto(f"{live_server.url}/api/v1/cases/{case.pk}").status == 404
    other.close()
