"""Browser journey on a phone-sized tablet, in French: reception@example.org imports a convoy's
manifest, checks the convoy in from the list at the desk, flags an unaccompanied child, and
finds the IBESR and child-protection police steps with their timers; the child-protection
referral exists."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from orienta.accounts.models import User
from orienta.core.demo import load_demo
from orienta.directory.models import Organisation
from orienta.referrals.models import Referral
from orienta.returns.models import Arrival
from tests.returns_helpers import load_haiti, movement
from tests.test_browser import CHROMIUM, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)

PHONE = {"width": 412, "height": 915}
LIST = (
    "Apellidos;Nombres;Sexo;Fecha de nacimiento;Nacionalidad\n"
    "Pierre;Jean;M;12/03/1990;haitiana\n"
    "Pierre;Marie;F;02/05/1992;haitiana\n"
    "Joseph;Nadège;F;03/03/2013;haitiana\n"
)


@pytest.fixture
def convoy(transactional_db: None):
    load_demo("ht", "demo-password")
    load_haiti()
    officer = User.objects.get(email="reception@example.org")
    onm = Organisation.objects.get(acronym="ONM", country="HT")
    return movement(
        officer, onm, scheduled_at=timezone.now() - timedelta(minutes=20), reference="DGM-JIMANI-01"
    )


@pytest.fixture
def phone(convoy, live_server, settings) -> Iterator[object]:
    with chromium_page(settings, PHONE) as opened:
        yield opened


def test_reception_checks_in_a_convoy_and_flags_an_unaccompanied_child(
    phone, live_server, convoy, tmp_path
) -> None:
    page = phone
    log_in(page, live_server, "reception@example.org")
    page.goto(live_server.url + f"/returns/movements/{convoy.pk}/")
    page.get_by_role("link", name="Importer un manifeste").click()
    sheet = tmp_path / "lista-jimani.csv"
    sheet.write_bytes(LIST.encode("latin-1"))
    page.locator("#id_file").set_input_files(str(sheet))
    page.get_by_role("button", name="Suivant : vérifier les colonnes").click()
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("Toutes les lignes de ce manifeste sont acceptées.").wait_for()

    page.goto(live_server.url + f"/returns/movements/{convoy.pk}/desk/")
    # The adults first, found by typing a few letters and opening them from the keyboard.
    for given in ("Jean", "Marie"):
        page.locator("#q").fill(given[:3])
        page.locator("#desk-rows a").filter(has_text=given).wait_for()
        page.locator("#desk-rows a").filter(has_text=given).click()
        page.get_by_role("button", name="Enregistrer l’arrivée").click()
        page.get_by_role("heading", name="Étapes de l’accueil").wait_for()
        page.goto(live_server.url + f"/returns/movements/{convoy.pk}/desk/")
    page.locator("#q").fill("nad")
    page.locator("#desk-rows a").filter(has_text="Nadège").click()
    page.get_by_text("Enfant non accompagné", exact=True).click()
    page.get_by_text("Aucun document", exact=True).click()
    page.get_by_label("Référence de protection de l’enfance (intérêt supérieur)").fill(
        "IBESR-MAL-0042"
    )
    page.get_by_role("button", name="Enregistrer l’arrivée").click()

    checklist = page.locator("#checklist")
    checklist.get_by_text("IBESR : enregistrer l'enfant").wait_for()
    assert "Brigade de protection des mineurs" in checklist.inner_text()
    assert page.locator("#checklist .timer").count() >= 2
    assert "min restantes" in checklist.inner_text()

    child = Arrival.objects.get(listed__given_name="Nadège")
    assert child.unaccompanied_child
    # IBESR for the child; the missing documents brought a draft to ONI as well.
    referral = Referral.objects.get(case=child.case, recipient_organisation__acronym="IBESR")
    assert referral.status == "draft"
    assert Referral.objects.filter(case=child.case, recipient_organisation__acronym="ONI").exists()
    assert referral.need.term.code == "PROT-CHILD"
    assert Arrival.objects.filter(movement=convoy).count() == 3
