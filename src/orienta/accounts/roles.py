from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does for an organisation. A person may hold several roles, in several
    organisations; each role brings the capabilities listed in `capabilities.ROLE_CAPABILITIES`."""

    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    RECEPTION_OFFICER = "reception_officer", _("Reception officer")
    CASEWORKER = "caseworker", _("Caseworker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    PROVIDER_FOCAL_POINT = "provider_focal_point", _("Provider focal point")
    ANALYST = "analyst", _("Analyst")
    POLICY_OFFICER = "policy_officer", _("Policy officer")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


def assignable_roles(allow_administrator: bool) -> list[tuple[str, Any]]:
    """The role choices a person may hand out: the administrator role only by an administrator."""
    return [c for c in Role.choices if allow_administrator or c[0] != Role.ADMINISTRATOR]
