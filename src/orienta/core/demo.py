"""Loading the demo: organisations and one account per role, from a country pack.

Idempotent: what exists is left alone, what is missing is created (with its audit event), and
passwords are set to the one given. Later issues add their packs here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from orienta.accounts.models import Membership, User
from orienta.audit.services import record, snapshot
from orienta.core.packs import load_pack
from orienta.directory.models import Organisation


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    organisation: str


@transaction.atomic
def load_demo(country: str, password: str) -> list[DemoAccount]:
    pack = load_pack("demo", country)
    organisations: dict[str, Organisation] = {}
    for entry in pack["organisations"]:
        organisation = Organisation.objects.filter(
            name=entry["name"], country=pack["country"]
        ).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=entry["name"],
                acronym=entry["acronym"],
                kind=entry["kind"],
                country=pack["country"],
            )
            record(
                "directory.organisation.created",
                actor=None,
                organisation=organisation,
                target=organisation,
                changes=snapshot(organisation, ["name", "acronym", "kind", "country"]),
            )
        organisations[entry["key"]] = organisation

    accounts = []
    for entry in pack["accounts"]:
        organisation = organisations[entry["organisation"]]
        user = User.objects.filter(email=entry["email"]).first()
        if user is None:
            user = User.objects.create_user(entry["email"], password, full_name=entry["full_name"])
            record("accounts.user.created", actor=None, organisation=organisation, target=user)
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            record(
                "accounts.user.password_set",
                actor=None,
                target=user,
                changes={"password": ["", ""]},
            )
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=entry["role"]
        )
        if created:
            record(
                "accounts.membership.created",
                actor=None,
                organisation=organisation,
                target=membership,
                changes={"user_id": user.pk, "role": entry["role"]},
            )
        accounts.append(DemoAccount(user.email, membership.get_role_display(), str(organisation)))
    return accounts
