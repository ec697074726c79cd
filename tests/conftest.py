"""Shared fixtures: organisations A and B, and people in them.

- `owner`: case supervisor of A (may manage A's members);
- `colleague`: caseworker of A (sees A's members, may not manage them);
- `outsider`: case supervisor of B (manages B, must get 404 on anything of A);
- `admin_user`: administrator (platform-wide); `coordinator`: coordinator of A.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from orienta.accounts.models import Membership, User
from orienta.accounts.roles import Role
from orienta.directory.models import Organisation, OrganisationKind

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> None:
    # PBKDF2 with Django's iterations costs ~0.3 s a hash; tests need correctness, not cost.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = "postgres" in os.environ.get("DATABASE_URL", "")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Organisation A", acronym="OA", kind=OrganisationKind.UN_AGENCY, country="HT"
    )


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Organisation B", acronym="OB", kind=OrganisationKind.NGO, country="HT"
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(email: str, organisation: Organisation | None = None, role: str = "") -> User:
        user = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0].title())
        if organisation is not None:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def owner(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("owner@a.example", organisation, Role.CASE_SUPERVISOR)


@pytest.fixture
def colleague(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("colleague@a.example", organisation, Role.CASEWORKER)


@pytest.fixture
def outsider(make_user: Callable[..., User], other_organisation: Organisation) -> User:
    return make_user("outsider@b.example", other_organisation, Role.CASE_SUPERVISOR)


@pytest.fixture
def admin_user(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("admin@platform.example", organisation, Role.ADMINISTRATOR)


@pytest.fixture
def coordinator(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("coordinator@a.example", organisation, Role.COORDINATOR)


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )


@pytest.fixture
def nrm(db: None) -> None:
    """The NRM taxonomy and the screening questions, as `orienta load_pack` loads them."""
    from orienta.cases.packs import load_screening
    from orienta.directory.taxonomy import load_taxonomy

    load_taxonomy()
    load_screening("ht")


@pytest.fixture
def reception_officer(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("reception@a.example", organisation, Role.RECEPTION_OFFICER)


# --- Referrals: a provider on the platform with a service, its focal point, an agreement -----


@pytest.fixture
def provider(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Maison d'accueil (fictive)", acronym="MA", kind="ngo", country="HT"
    )


@pytest.fixture
def focal_point(make_user: Callable[..., User], provider: Organisation) -> User:
    return make_user("focal@provider.example", provider, Role.PROVIDER_FOCAL_POINT)


@pytest.fixture
def shelter(nrm: None, provider: Organisation, focal_point: User) -> object:
    from tests.referrals_helpers import make_service

    return make_service(provider, "SHEL-TEMP")


@pytest.fixture
def agreement(organisation: Organisation, provider: Organisation) -> object:
    from tests.referrals_helpers import make_agreement

    return make_agreement(organisation, provider)


# --- Knowledge base --------------------------------------------------------------------------


@pytest.fixture
def mena(db: None) -> object:
    """The MENA knowledge pack, as `orienta load_knowledge mena` loads it."""
    from orienta.knowledge.packs import load_knowledge

    return load_knowledge("mena")


@pytest.fixture
def policy_officer(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("policy@a.example", organisation, Role.POLICY_OFFICER)


@pytest.fixture
def analyst(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("analyst@a.example", organisation, Role.ANALYST)
