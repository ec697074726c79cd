"""`orienta demo`: one account per role, a second organisation, and safe to run twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from orienta.accounts.models import Membership, User
from orienta.audit.models import AuditEvent
from orienta.audit.services import verify_chain
from orienta.directory.models import Organisation

pytestmark = pytest.mark.django_db

ROLES = {
    "admin@example.org": "administrator",
    "coordinator@example.org": "coordinator",
    "reception@example.org": "reception_officer",
    "caseworker@example.org": "caseworker",
    "supervisor@example.org": "case_supervisor",
    "provider@example.org": "provider_focal_point",
    "analyst@example.org": "analyst",
    "policy@example.org": "policy_officer",
    "committee@example.org": "committee_member",
    "caseworker-b@example.org": "caseworker",
    "supervisor-b@example.org": "case_supervisor",
}


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_creates_every_role_and_is_idempotent(settings) -> None:
    settings.ORIENTA_DEMO_PASSWORD = "x"
    output = run_demo()
    assert "Password for every account: x" in output
    for email, role in ROLES.items():
        assert email in output
        assert Membership.objects.filter(user__email=email, role=role).exists()
    before = counts()
    run_demo()
    assert counts() == before
    assert verify_chain().intact
    assert User.objects.get(email="caseworker@example.org").check_password("x")


def test_demo_second_organisation_is_isolated(settings) -> None:
    settings.ORIENTA_DEMO_PASSWORD = "x"
    run_demo()
    first = Membership.objects.get(user__email="caseworker@example.org").organisation
    second = Membership.objects.get(user__email="caseworker-b@example.org").organisation
    assert first != second
    client = Client()
    assert (
        client.post(
            "/login/", {"username": "supervisor-b@example.org", "password": "x"}
        ).status_code
        == 302
    )
    assert client.get(f"/organisations/{first.pk}/members/").status_code == 404
    assert client.get(f"/organisations/{second.pk}/members/").status_code == 200


def test_demo_without_a_password_prints_a_random_one(settings) -> None:
    settings.ORIENTA_DEMO_PASSWORD = ""
    output = run_demo("--country", "cm")
    password = output.split("Password for every account: ")[1].split()[0]
    assert len(password) >= 10
    assert User.objects.get(email="coordinator@example.org").check_password(password)
    assert Organisation.objects.filter(country="CM", acronym="MINREX").exists()


def test_demo_packs_load_for_every_country(settings) -> None:
    settings.ORIENTA_DEMO_PASSWORD = "x"
    for country in ("ht", "cm", "bf"):
        run_demo("--country", country)
    assert set(Organisation.objects.values_list("country", flat=True)) == {"HT", "CM", "BF"}


def test_migrations_match_the_models() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_generate_synthetic_is_seeded_and_chained() -> None:
    out = io.StringIO()
    call_command(
        "generate_synthetic",
        "--organisations",
        "5",
        "--people",
        "12",
        "--audit-events",
        "40",
        stdout=out,
    )
    assert "Added 5 organisations, 12 people, 40 audit events." in out.getvalue()
    assert Membership.objects.filter(user__email__startswith="synthetic-").count() == 12
    assert verify_chain().intact
    call_command(
        "generate_synthetic", "--organisations", "2", "--people", "1", "--audit-events", "0"
    )
    assert Organisation.objects.filter(name__startswith="Synthetic").count() == 7
