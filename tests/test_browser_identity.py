"""Browser journey, in French: a case supervisor opens the review queue the nightly run left,
compares a pair, merges it, finds the merge in the list and undoes it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from orienta.cases.demo import load_demo_cases
from orienta.core.demo import load_demo
from orienta.identity.models import DuplicatePair, PersonMerge
from tests.test_browser import CHROMIUM, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)


@pytest.fixture
def desk(transactional_db: None, live_server, settings) -> Iterator[object]:
    load_demo("ht", "demo-password")
    load_demo_cases("ht")
    with chromium_page(settings, {"width": 1024, "height": 900}) as opened:
        yield opened


def test_supervisor_merges_a_pair_and_undoes_it(desk, live_server) -> None:
    page = desk
    failures: list[str] = []
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, "supervisor@example.org")

    page.get_by_role("link", name="Doublons").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Doublons possibles"
    first = page.locator("tbody tr").first
    assert "Date de naissance" in first.inner_text()
    first.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Même personne ?"
    assert page.locator("section.col-md-6").count() == 2
    pair_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    page.get_by_role("button", name="Même personne : fusionner dans le premier dossier").click()
    page.wait_for_url(live_server.url + "/identity/duplicates/")
    assert "ne forment plus qu’une personne" in page.locator(".alert").first.inner_text()
    merge = PersonMerge.objects.get(pair_id=pair_id)

    page.get_by_role("link", name="Fusions effectuées").click()
    page.get_by_role("button", name="Annuler").first.click()
    page.wait_for_url(live_server.url + "/identity/merges/")
    assert "La fusion est annulée" in page.locator(".alert").first.inner_text()
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert DuplicatePair.objects.get(pk=pair_id).status == "pending"
    assert failures == []
