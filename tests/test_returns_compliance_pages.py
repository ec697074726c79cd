"""The compliance pages: rates, breaches by kind, the breach list, a breach and its notes, the
re-evaluation, and the report for the bilateral commission (PDF and CSV). Never a name."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from orienta.accounts.roles import Role
from orienta.returns import checkin, compliance, rules
from orienta.returns.choices import ViolationStatus
from orienta.returns.models import Movement, Violation, ViolationNote
from orienta.returns.views.compliance import BREACH_LABELS, Scope, report
from tests.returns_helpers import load_haiti, local, movement, profile

pytestmark = pytest.mark.django_db

URL = "/returns/compliance/"
NAMES = ("Wilner", "Dorsainvil", "Zephyrine", "Quetant")


@pytest.fixture
def analyst(make_user: Any, other_organisation: Any) -> Any:
    return make_user("analyst@b.example", other_organisation, Role.ANALYST)


@pytest.fixture
def committee_member(make_user: Any, other_organisation: Any) -> Any:
    return make_user("committee@b.example", other_organisation, Role.COMMITTEE_MEMBER)


@pytest.fixture
def annotator(make_user: Any, organisation: Any) -> Any:
    """A coordinator with a name that must never show on the compliance pages."""
    return make_user("zephyrine.quetant@a.example", organisation, Role.COORDINATOR)


@pytest.fixture
def breaches(reception_officer: Any, organisation: Any) -> dict[str, Movement]:
    """A night convoy at the airport (outside hours, entry point not allowed), a convoy at
    Malpasse where a man was separated from his family (a breach about an arrival), a compliant
    convoy in December, and a flight from the United States (no protocol in force)."""
    load_haiti()
    night = movement(
        reception_officer,
        organisation,
        entry_point="HT-PAP-AIR",
        reference="CONVOY-17",
        scheduled_at=local("2026-11-04T20:00"),
    )
    separated = movement(reception_officer, organisation, scheduled_at=local("2026-11-05T10:00"))
    checkin.check_in(
        acting_user=reception_officer,
        movement=separated,
        profile=profile(
            given_name="Wilner", family_name="Dorsainvil", sex="male", family_separated=True
        ),
    )
    Movement.objects.filter(pk=separated.pk).update(arrived_at=local("2026-11-05T10:05"))
    fine = movement(reception_officer, organisation, scheduled_at=local("2026-12-01T10:00"))
    us = movement(
        reception_officer,
        organisation,
        origin_country="US",
        entry_point="HT-CAP-AIR",
        mode="flight",
        scheduled_at=local("2026-11-06T23:00"),
    )
    compliance.evaluate(Movement.objects.all())
    return {"night": night, "separated": separated, "fine": fine, "us": us}


def test_every_breach_kind_has_a_label() -> None:
    assert set(BREACH_LABELS) == set(rules.BREACHES)


# --- Who may see and do what ---------------------------------------------------------------


def test_the_pages_need_the_capability(client: Any, client_for: Any, colleague: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    caseworker = client_for(colleague)
    for url in (URL, f"{URL}report.pdf", f"{URL}report.csv", f"{URL}violations/1/"):
        assert caseworker.get(url).status_code == 403


def test_a_committee_member_sees_but_neither_annotates_nor_re_evaluates(
    client_for: Any, committee_member: Any, breaches: dict[str, Movement]
) -> None:
    client = client_for(committee_member)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Check the movements of this period again" not in page.content.decode()
    breach = Violation.objects.filter(kind="outside_hours").get()
    detail = client.get(f"{URL}violations/{breach.pk}/")
    assert detail.status_code == 200 and 'name="text"' not in detail.content.decode()
    assert client.post(URL, {}).status_code == 403
    response = client.post(f"{URL}violations/{breach.pk}/", {"kind": "note", "text": "Vu"})
    assert response.status_code == 403
    assert not ViolationNote.objects.exists()
    assert client.get(f"{URL}violations/999999/").status_code == 404


# --- The page -------------------------------------------------------------------------------


def test_the_page_shows_rates_kinds_and_breaches_without_a_name(
    client_for: Any, analyst: Any, breaches: dict[str, Movement]
) -> None:
    with translation.override("en"):
        response = client_for(analyst).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    context = response.context
    rates = {
        t.key: {r.key: (r.total, r.compliant, r.rate) for r in t.rows}
        for t in context["rate_tables"]
    }
    # The US flight has no protocol in force: it is not in the rates.
    assert rates["origin_country"] == {"DO": (3, 1, 33.3)}
    assert rates["entry_point"] == {
        "HT-MALPASSE": (2, 1, 50.0),
        "HT-PAP-AIR": (1, 0, 0.0),
    }
    assert rates["month"] == {"2026-11": (2, 0, 0.0), "2026-12": (1, 1, 100.0)}
    kinds = {k.key: (k.breaches, k.label) for k in context["kinds"]}
    assert kinds["outside_hours"][0] == 1
    assert kinds["family_separated"][0] == 1
    assert set(kinds) == {"outside_hours", "unofficial_entry_point", "family_separated"}
    rows = context["rows"]
    assert [r.kind for r in rows][0] == "family_separated"  # the latest movement first
    arrival_row = rows[0]
    assert arrival_row.arrival and "Wilner" not in arrival_row.arrival
    page = response.content.decode()
    assert "<caption>" in page and '<th scope="col">' in page
    assert "CONVOY-17" in page and "2026-11-04 20:00" in page
    assert "HT-PAP-AIR" in page and "local_time" in page  # the evidence, as text
    for name in NAMES:
        assert name not in page


def test_filters_narrow_the_breaches_and_the_rates(
    client_for: Any, analyst: Any, breaches: dict[str, Movement]
) -> None:
    client = client_for(analyst)
    critical = client.get(URL, {"severity": "critical"}).context
    assert [r.kind for r in critical["rows"]] == ["family_separated"]
    airport = client.get(URL, {"entry_point": "HT-PAP-AIR"}).context
    assert {r.kind for r in airport["rows"]} == {"outside_hours", "unofficial_entry_point"}
    december = client.get(URL, {"since": "2026-12-01", "until": "2026-12-31"}).context
    assert december["rows"] == [] and december["kinds"] == []
    assert december["rate_tables"][0].rows[0].rate == 100.0
    us = client.get(URL, {"origin": "us"}).context
    assert us["rows"] == [] and us["rate_tables"][0].rows == []
    bad = client.get(URL, {"since": "2026-12-01", "until": "2026-11-01"})
    assert bad.status_code == 200 and bad.context["form"].errors["until"]
    # Cleared breaches only on request.
    Violation.objects.filter(kind="outside_hours").update(status=ViolationStatus.CLEARED)
    assert "outside_hours" not in {r.kind for r in client.get(URL).context["rows"]}
    cleared = client.get(URL, {"status": "cleared"}).context
    assert [r.kind for r in cleared["rows"]] == ["outside_hours"]
    assert len(client.get(URL, {"status": "all"}).context["rows"]) == 3


def test_the_breach_list_costs_the_same_queries_whatever_its_length(
    client_for: Any,
    analyst: Any,
    reception_officer: Any,
    organisation: Any,
    breaches: dict[str, Movement],
    django_assert_num_queries: Any,
) -> None:
    client = client_for(analyst)
    client.get(URL)
    with django_assert_num_queries(13):
        assert len(client.get(URL).context["rows"]) == 3
    for day in range(1, 31):
        movement(
            reception_officer,
            organisation,
            entry_point="HT-PAP-AIR",
            scheduled_at=local(f"2026-10-{day:02}T21:00"),
        )
    compliance.evaluate(Movement.objects.all())
    assert Violation.objects.count() == 63
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.context["page"]
    assert len(response.context["rows"]) == 50 and page.has_next()
    assert response.context["rows"][0].kind == "family_separated"  # the latest first
    with django_assert_num_queries(13):
        last = client.get(URL, {"page": 2, "severity": "major"})
    assert [r.local_time for r in last.context["rows"]][-1] == "2026-10-01 21:00"
    assert "page=1" in last.content.decode() and "severity=major" in last.content.decode()


# --- Re-evaluation ---------------------------------------------------------------------------


def test_a_coordinator_checks_the_period_again_and_is_told_what_changed(
    client_for: Any, coordinator: Any, analyst: Any, reception_officer: Any, organisation: Any
) -> None:
    load_haiti()
    late = movement(reception_officer, organisation, scheduled_at=local("2026-11-08T15:00"))
    other = movement(reception_officer, organisation, scheduled_at=local("2026-10-04T21:00"))
    assert client_for(analyst).post(URL, {"since": "2026-11-01"}).status_code == 403
    coordinating = client_for(coordinator)
    response = coordinating.post(URL, {"since": "2026-11-01", "until": "2026-11-30"}, follow=True)
    assert response.redirect_chain[0][0] == f"{URL}?since=2026-11-01&until=2026-11-30"
    assert [str(m) for m in response.context["messages"]] == [
        "Mouvements vérifiés : 1 (sans protocole en vigueur : 0). Nouveaux manquements : 1 ; "
        "plus détectés : 0 ; détectés de nouveau : 0."
    ]
    assert list(late.violations.values_list("kind", flat=True)) == ["restricted_day"]
    assert not other.violations.exists()  # outside the period: not checked
    again = coordinating.post(URL, {"since": "2026-11-01"}, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Mouvements vérifiés : 1 (sans protocole en vigueur : 0). Aucun changement."
    ]
    Movement.objects.filter(pk=late.pk).update(scheduled_at=local("2026-11-08T11:00"))
    cleared = coordinating.post(URL, {"since": "2026-11-01"}, follow=True)
    assert "plus détectés : 1" in str(list(cleared.context["messages"])[0])
    assert late.violations.get().status == ViolationStatus.CLEARED
    bad = coordinating.post(URL, {"since": "2026-11-30", "until": "2026-11-01"}, follow=True)
    assert "Corrigez les filtres" in str(list(bad.context["messages"])[0])


# --- A breach and its notes -----------------------------------------------------------------


def test_annotate_contest_and_confirm(
    client_for: Any, reception_officer: Any, annotator: Any, analyst: Any, breaches: Any
) -> None:
    breach = Violation.objects.get(kind="family_separated")
    url = f"{URL}violations/{breach.pk}/"
    client = client_for(annotator)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Dorsainvil" not in text and "Wilner" not in text
    assert "CONVOY" not in text and "HT-MALPASSE" in text
    response = client.post(url, {"kind": "contest", "text": "The family crossed together."})
    assert response.status_code == 302 and response["Location"] == url
    breach.refresh_from_db()
    assert breach.status == ViolationStatus.CONTESTED
    client_for(reception_officer).post(url, {"kind": "note", "text": "Seen at the desk."})
    assert breach.notes.count() == 2
    # Another person reads the notes: the annotating organisation, never the author's name.
    seen = client_for(analyst).get(url).content.decode()
    assert "The family crossed together." in seen and "Seen at the desk." in seen
    assert "OA" in seen
    for name in NAMES:
        assert name not in seen
    client.post(url, {"kind": "confirm", "text": "Checked with the DGM."})
    breach.refresh_from_db()
    assert breach.status == ViolationStatus.CONFIRMED


def test_an_empty_note_is_refused_with_the_reason(
    client_for: Any, annotator: Any, breaches: Any
) -> None:
    breach = Violation.objects.get(kind="outside_hours")
    url = f"{URL}violations/{breach.pk}/"
    with translation.override("en"):
        response = client_for(annotator).post(
            url, {"kind": "contest", "text": "   "}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    assert "Rédigez la note." in response.content.decode()  # French, the default
    assert response.context["form"].errors["text"] == ["Rédigez la note."]
    bad_kind = client_for(annotator).post(url, {"kind": "delete", "text": "x"})
    assert bad_kind.status_code == 400
    breach.refresh_from_db()
    assert breach.status == ViolationStatus.OPEN and not breach.notes.exists()


# --- The report ------------------------------------------------------------------------------


def test_the_report_pdf(client_for: Any, committee_member: Any, breaches: Any) -> None:
    client = client_for(committee_member)
    response = client.get(f"{URL}report.pdf", {"origin": "DO", "lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="compliance-report-do-en.pdf"'
    assert client.get(f"{URL}report.pdf").content.startswith(b"%PDF")  # French by default
    assert client.get(f"{URL}report.pdf", {"lang": "de"}).status_code == 404


def test_the_report_marks_contested_breaches_leaves_cleared_ones_out_and_names_nobody(
    annotator: Any, breaches: Any
) -> None:
    Violation.objects.filter(kind="outside_hours").update(status=ViolationStatus.CONTESTED)
    Violation.objects.filter(kind="unofficial_entry_point").update(status=ViolationStatus.CLEARED)
    with translation.override("en"):
        found = report(Scope(origin="DO"), "en")
        html = render_to_string(
            "returns/compliance/report_print.html", {"report": found, "language": "en"}
        )
    assert [row.kind for row in found.breaches] == ["outside_hours", "family_separated"]
    assert found.contested == 1
    assert {k.key: (k.breaches, k.contested) for k in found.severities} == {
        "critical": (1, 0),
        "major": (1, 1),
    }
    assert "⚑ Contested" in html and "Family separated" in html
    assert "Compliance by deporting country" in html and "Dominican Republic" in html
    for name in NAMES:
        assert name not in html


def test_the_report_csv(client_for: Any, analyst: Any, breaches: Any) -> None:
    response = client_for(analyst).get(
        f"{URL}report.csv", {"since": "2026-11-01", "until": "2026-11-30", "lang": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Section", "Key", "Label"]
    assert len({len(row) for row in rows}) == 1
    sections = [row[0] for row in rows[1:]]
    assert {"rate_by_origin_country", "rate_by_entry_point", "rate_by_month"} <= set(sections)
    assert sections.count("breach") == 3
    months = [row for row in rows if row[0] == "rate_by_month"]
    assert [(row[1], row[3], row[4]) for row in months] == [("2026-11", "2", "0")]
    arrival = next(row for row in rows if row[0] == "breach" and row[13] == "family_separated")
    assert arrival[18] == "Adult (18–59), Male"
    for name in NAMES:
        assert name not in text
