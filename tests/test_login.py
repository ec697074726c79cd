"""Log-in, lock-out, password reset and the interface language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from orienta.accounts.models import User
from orienta.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str):
    return client.post("/login/", {"username": email, "password": password})


def test_login_page_is_french_by_default(client: Client) -> None:
    response = client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in page and "Connexion à Orienta" in page


def test_root_shows_the_login_form_to_anonymous_visitors(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_login_with_email_in_any_case(client: Client, colleague) -> None:
    response = login(client, colleague.email.upper(), PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["user"] == colleague
    assert AuditEvent.objects.filter(action="accounts.user.logged_in", actor=colleague).exists()


def test_wrong_password_says_so_in_french_and_is_audited(client: Client, colleague) -> None:
    response = login(client, colleague.email, "wrong")
    assert response.status_code == 200
    assert "ne correspondent à aucun compte actif" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.user.login_failed")
    assert event.changes == {"username": colleague.email}


def test_lockout_after_repeated_failures(client: Client, colleague, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, colleague.email, "wrong")
    response = login(client, colleague.email, PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.user.locked_out").exists()
    # Another person at the same border post (same address) is not locked out.
    other = User.objects.create_user("other@a.example", PASSWORD, full_name="Other")
    assert login(Client(), other.email, PASSWORD).status_code == 302


def test_logout_needs_post(client_for, colleague) -> None:
    client = client_for(colleague)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/organisations/").status_code == 302


def test_password_reset_mail_in_the_persons_language(client: Client, colleague, settings) -> None:
    settings.ORIENTA_BASE_URL = "https://orienta.example.org"
    colleague.language = "en"
    colleague.save()
    response = client.post("/password-reset/", {"email": colleague.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Orienta: choose a new password"
    link = re.search(r"https://orienta\.example\.org(/password-reset/\S+/)", message.body)
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a new long secret 1", "new_password2": "a new long secret 1"},
    )
    assert done.status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password("a new long secret 1")


def test_password_reset_for_unknown_address_reveals_nothing(client: Client) -> None:
    response = client.post("/password-reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302 and mail.outbox == []


def test_language_switch_sets_the_cookie_and_remembers_the_choice(client_for, colleague) -> None:
    client = client_for(colleague)
    response = client.post("/language/", {"language": "en", "next": "/organisations/"})
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    assert client.cookies["orienta_language"].value == "en"
    page = client.get("/organisations/").content.decode()
    assert '<html lang="en"' in page and "Organisations" in page
    colleague.refresh_from_db()
    assert colleague.language == "en"


def test_language_switch_refuses_foreign_redirects(client: Client) -> None:
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_saved_language_follows_the_person_to_a_new_device(client: Client, colleague) -> None:
    colleague.language = "en"
    colleague.save()
    login(client, colleague.email, PASSWORD)
    assert client.cookies["orienta_language"].value == "en"


def test_arabic_is_right_to_left(client: Client) -> None:
    client.cookies["orienta_language"] = "ar"
    page = client.get("/login/").content.decode()
    assert 'dir="rtl"' in page and "bootstrap.rtl.min.css" in page
