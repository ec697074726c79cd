"""Member pages: owner manages, colleague reads, outsider gets 404 — the same as nothing there."""

from __future__ import annotations

import pytest
from django.core import mail

from orienta.accounts.models import Membership, User
from orienta.accounts.roles import Role
from orienta.audit.models import AuditEvent


def members_url(organisation) -> str:
    return f"/organisations/{organisation.pk}/members/"


def test_owner_sees_and_can_manage(client_for, owner, colleague, organisation) -> None:
    response = client_for(owner).get(members_url(organisation))
    assert response.status_code == 200
    page = response.content.decode()
    assert colleague.email in page
    assert "Ajouter un membre" in page  # the add form is there for a manager


def test_reading_members_is_audited(client_for, owner, organisation) -> None:
    client_for(owner).get(members_url(organisation))
    event = AuditEvent.objects.get(action="directory.organisation.members_viewed")
    assert event.actor == owner and event.object_id == str(organisation.pk)


def test_colleague_reads_but_may_not_add(client_for, colleague, organisation) -> None:
    client = client_for(colleague)
    page = client.get(members_url(organisation)).content.decode()
    assert "Ajouter un membre" not in page
    response = client.post(
        members_url(organisation),
        {"email": "new@a.example", "full_name": "New", "role": Role.CASEWORKER},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@a.example").exists()


def test_outsider_gets_404_like_a_missing_organisation(client_for, outsider, organisation) -> None:
    client = client_for(outsider)
    assert client.get(members_url(organisation)).status_code == 404
    missing = client.get("/organisations/00000000-0000-0000-0000-000000000000/members/")
    assert missing.status_code == 404
    assert (
        client.post(
            members_url(organisation),
            {"email": "x@x.example", "full_name": "X", "role": "caseworker"},
        ).status_code
        == 404
    )


def test_outsider_cannot_change_or_remove_a_membership(client_for, outsider, colleague) -> None:
    membership = colleague.memberships.get()
    client = client_for(outsider)
    assert (
        client.post(f"/memberships/{membership.pk}/role/", {"role": "analyst"}).status_code == 404
    )
    assert client.post(f"/memberships/{membership.pk}/remove/").status_code == 404
    membership.refresh_from_db()
    assert membership.role == Role.CASEWORKER


def test_owner_adds_a_new_person_who_is_invited_by_mail(
    client_for, owner, organisation, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            members_url(organisation),
            {"email": "New.Person@A.example", "full_name": "New Person", "role": Role.CASEWORKER},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@a.example")
    assert not user.has_usable_password()
    assert Membership.objects.filter(
        user=user, organisation=organisation, role="caseworker"
    ).exists()
    assert len(mail.outbox) == 1 and "/password-reset/" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Vous avez été ajouté")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.user.created", "accounts.membership.created"} <= actions


def test_only_administrators_may_make_administrators(client_for, owner, organisation) -> None:
    response = client_for(owner).post(
        members_url(organisation),
        {"email": "boss@a.example", "full_name": "Boss", "role": Role.ADMINISTRATOR},
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not User.objects.filter(email="boss@a.example").exists()


def test_bad_input_re_displays_the_form_with_messages(client_for, owner, organisation) -> None:
    response = client_for(owner).post(
        members_url(organisation), {"email": "not-an-address", "full_name": "", "role": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Saisissez une adresse e-mail valide." in page
    assert 'aria-invalid="true"' in page


def test_owner_changes_a_role_and_it_is_audited(client_for, owner, colleague) -> None:
    membership = colleague.memberships.get()
    response = client_for(owner).post(f"/memberships/{membership.pk}/role/", {"role": "analyst"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ANALYST
    event = AuditEvent.objects.get(action="accounts.membership.updated")
    assert event.changes == {"role": ["caseworker", "analyst"]}


def test_nobody_removes_their_own_membership(client_for, owner) -> None:
    membership = owner.memberships.get()
    client_for(owner).post(f"/memberships/{membership.pk}/remove/")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_owner_removes_a_colleague(client_for, owner, colleague) -> None:
    membership = colleague.memberships.get()
    assert client_for(owner).post(f"/memberships/{membership.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.membership.deleted").count() == 1


@pytest.mark.django_db
def test_members_page_query_count_does_not_grow(
    client_for, owner, organisation, make_user, django_assert_max_num_queries
) -> None:
    for n in range(30):
        make_user(f"person{n}@a.example", organisation, Role.CASEWORKER)
    client = client_for(owner)
    client.get(members_url(organisation))
    with django_assert_max_num_queries(14):
        response = client.get(members_url(organisation))
    assert response.content.decode().count("person") >= 30
