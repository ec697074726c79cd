"""Browser journey, in French: the coordinator records a consultation workshop and who came,
then marks a stakeholder's comment on the roadmap as integrated in the new version; the
governance dashboard's "% of comments integrated" and workshop participants move with it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from orienta.core.demo import load_demo
from orienta.governance.demo import load_demo_governance
from orienta.governance.models import Comment, Committee, Document
from tests.test_browser import CHROMIUM, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)

TABLET = {"width": 1024, "height": 1366}


@pytest.fixture
def cameroon(transactional_db: None) -> Committee:
    load_demo("cm", "demo-password")
    call_command("load_pack", "cm", verbosity=0)  # the directory, as `orienta demo` loads it
    load_demo_governance("cm")
    return Committee.objects.get(parent__isnull=True)


@pytest.fixture
def tablet(cameroon, live_server, settings) -> Iterator[object]:
    with chromium_page(settings, TABLET) as opened:
        yield opened


def _value(page, code: str) -> str:
    return page.get_by_test_id(f"value-{code}").inner_text().strip()


def test_a_workshop_and_an_integrated_comment_move_the_indicators(tablet, live_server, cameroon):
    page = tablet
    log_in(page, live_server, "coordinator@example.org")

    page.goto(live_server.url + f"/governance/dashboard/{cameroon.pk}/")
    integrated_before = _value(page, "comments_integrated")
    participants_before = int(_value(page, "workshop_participants"))
    assert integrated_before == "71 %"  # 5 of the 7 comments on the roadmap

    # The workshop: created from the committee's page, one participant, attendance recorded.
    page.goto(live_server.url + f"/governance/committees/{cameroon.pk}/")
    page.get_by_role("link", name="Nouvel événement").click()
    page.locator("#id_kind").select_option("consultation")
    page.locator("#id_title").fill("Atelier de consultation sur les outils — Douala")
    page.locator("#id_held_on").fill(page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.locator("#id_place").fill("Douala")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Atelier de consultation sur les outils — Douala").wait_for()
    # A new event has no one yet: the form to add participants is open.
    page.locator("#id_full_name").fill("Mireille Ngo Biyong")
    page.locator("#id_organisation").select_option(label="Ministère des Affaires Sociales (MINAS)")
    page.locator("#id_category").select_option("government")
    page.locator("#id_sex").select_option("female")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.locator("tr", has_text="Mireille Ngo Biyong").locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.get_by_text("Présence enregistrée.").wait_for()

    # The pending comment of the FNE on version 2 is integrated in version 3.
    roadmap = Document.objects.get(committee=cameroon, kind="roadmap")
    pending = Comment.objects.get(version__document=roadmap, treatment="pending")
    page.goto(live_server.url + f"/governance/documents/{roadmap.pk}/?v=2")
    row = page.locator("tr", has_text=pending.text[:40])
    row.get_by_role("link", name="Traiter").click()
    page.locator("#id_treatment").select_option("integrated")
    page.locator("#id_integrated_in").select_option(label="Version 3")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Traitement enregistré.").wait_for()
    assert "Intégré — v3" in page.locator("tr", has_text=pending.text[:40]).inner_text()

    page.goto(live_server.url + f"/governance/dashboard/{cameroon.pk}/")
    assert _value(page, "comments_integrated") == "86 %"  # 6 of 7
    assert int(_value(page, "workshop_participants")) == participants_before + 1
