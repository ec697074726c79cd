"""Browser journey, in French: the policy officer filters the mapping matrix by "climate action
and mobility", opens an entity from it, writes its brief from the data, downloads it as a PDF,
and cannot mark it final while the completeness check finds sections missing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from orienta.core.demo import load_demo
from orienta.knowledge.choices import BriefStatus
from orienta.knowledge.models import BriefVersion, Entity
from orienta.knowledge.packs import load_knowledge
from tests.test_browser import CHROMIUM, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)

TABLET = {"width": 1024, "height": 1366}


@pytest.fixture
def knowledge(transactional_db: None) -> None:
    load_demo("ht", "demo-password")
    load_knowledge("mena")


@pytest.fixture
def tablet(knowledge, live_server, settings) -> Iterator[object]:
    with chromium_page(settings, TABLET) as opened:
        yield opened


def test_matrix_filter_brief_pdf_and_the_completeness_check(tablet, live_server, tmp_path):
    page = tablet
    log_in(page, live_server, "policy@example.org")
    page.goto(live_server.url + "/knowledge/matrix/")
    everyone = page.locator("table.matrix tbody tr").count()
    page.locator("#theme").select_option("climate_mobility")
    page.locator("form[method=get] button[type=submit]").first.click()
    page.wait_for_url("**theme=climate_mobility**")
    climate = {
        entity.acronym or entity.name
        for entity in Entity.objects.filter(themes__code="climate_mobility")
    }
    rows = page.locator("table.matrix tbody th[scope=row]").all_inner_texts()
    assert rows and len(rows) < everyone
    assert {row.strip() for row in rows} == climate

    # From the matrix to an entity of the theme, to its brief.
    entity = Entity.objects.filter(themes__code="climate_mobility").order_by("kind", "key").first()
    page.locator("table.matrix tbody th[scope=row] a").first.click()
    page.wait_for_url(f"**/knowledge/entities/{entity.key}/")
    page.locator(f"a[href='/knowledge/entities/{entity.key}/brief/']").first.click()
    page.locator(f"form[action='/knowledge/entities/{entity.key}/brief/write/'] button").click()
    page.get_by_test_id("brief-status").wait_for()
    assert page.get_by_test_id("missing-sections").locator("li").count() >= 1

    # The PDF of the draft, downloaded.
    with page.expect_download() as download_info:
        page.locator("a[href$='/1/pdf/?lang=fr']").click(modifiers=["Alt"])
    saved = tmp_path / "brief.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    # Marking it final is refused, naming what is missing; it stays a draft.
    page.locator(f"form[action='/knowledge/entities/{entity.key}/brief/1/final/'] button").click()
    alert = page.locator(".alert-danger")
    alert.wait_for()
    first_missing = page.get_by_test_id("missing-sections").locator("li").first.inner_text()
    assert first_missing.split(" (")[0] in alert.inner_text()
    version = BriefVersion.objects.get(brief__entity=entity)
    assert version.status == BriefStatus.DRAFT
