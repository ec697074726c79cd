"""Roles → capabilities, in one table.

A capability is a named thing a person may do (`accounts.manage_members`). Views and API
operations declare the capability they need; a name that is not declared here raises
ImproperlyConfigured when the code that uses it is loaded, so a typo never silently opens or
closes a door.

Capabilities are held *in an organisation*: a caseworker of organisation A may do caseworker
things with A's data, not B's. The administrator role is the exception: it belongs to the platform
host and its capabilities reach every organisation (`PLATFORM_ROLES`).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orienta.accounts.roles import Role

CAPABILITIES: dict[str, Promise] = {
    "accounts.administer_platform": _(
        "Use the administration site, manage every organisation and its members"
    ),
    "accounts.view_members": _("See who works in the organisation and in which role"),
    "accounts.manage_members": _(
        "Add members to the organisation, change their roles, remove them"
    ),
    "audit.view_events": _("Read the audit trail of the organisation"),
    "directory.view_organisations": _("See the organisations taking part in the mechanism"),
    "directory.manage_organisations": _("Add organisations to the mechanism and edit them"),
    "directory.match_services": _("Find the services that fit a person's needs"),
    "directory.manage_services": _(
        "Keep the directory of services: create, edit, verify, validate providers' changes"
    ),
    "directory.view_analysis": _(
        "See the mapping analysis: coverage, gaps, overlaps and services at risk"
    ),
    "directory.propose_service_changes": _(
        "Propose changes to the organisation's own services, for a coordinator to validate"
    ),
    "cases.register": _("Register a person and open a case for the organisation"),
    "cases.work_cases": _(
        "Work on the cases one is assigned to or registered: screening, needs, consent, notes"
    ),
    "cases.view_caseload": _("See and assign the organisation's whole caseload"),
    "cases.view_child_cases": _("See the cases of children (child protection)"),
    "cases.break_glass": _(
        "Open another case of the organisation in an emergency, with a written reason"
    ),
    "cases.resolve_duplicates": _(
        "Review the persons of the organisation's registry who may be one, merge them and undo "
        "a merge"
    ),
    "referrals.send": _(
        "Refer the people of one's cases to services, follow the referrals, write to providers"
    ),
    "referrals.override_gates": _(
        "In an emergency, send a referral that no consent or agreement covers, with a written "
        "reason"
    ),
    "referrals.receive": _(
        "Receive the referrals made to the organisation: acknowledge, accept or decline, record "
        "the outcome, refer onward, update the services' capacity"
    ),
    "referrals.view_agreements": _("See the data-sharing agreements of one's organisation"),
    "referrals.manage_agreements": _(
        "Keep the data-sharing agreements and the response deadlines of the mechanism"
    ),
    "referrals.view_statistics": _("See the referral dashboard of one's organisation"),
    "referrals.view_mechanism_statistics": _(
        "See the referral dashboard of the whole mechanism (small numbers hidden)"
    ),
    "returns.view_movements": _(
        "See the organisation's movements, manifests, arrivals and reception checklists"
    ),
    "returns.receive_arrivals": _(
        "Record movements, import manifests, check arrivals in, record assistance and reception "
        "steps"
    ),
    "returns.manage_reception": _(
        "Keep entry points, consulates, holidays, bilateral protocols, reception procedures and "
        "advance-list tokens"
    ),
    "returns.view_compliance": _(
        "See protocol compliance: breaches, rates and the report for the bilateral commission"
    ),
    "returns.annotate_violations": _("Annotate, confirm or contest protocol breaches"),
    "returns.view_statistics": _("See return statistics (small numbers hidden)"),
    "governance.view": _(
        "Read the records of the committees one's organisation sits on: members, meetings, "
        "documents, the MoU and the roadmap"
    ),
    "governance.comment": _(
        "Answer the organisation's invitations to committees, comment on documents in "
        "consultation and give the organisation's approval"
    ),
    "governance.manage": _(
        "Keep the governance of the mechanism: committees, meetings and attendance, documents "
        "and their versions, the treatment of comments, the MoU and its signature, the roadmap"
    ),
    "governance.view_indicators": _(
        "See the process indicators and the progress report of the mechanism's governance"
    ),
    "reintegration.work": _(
        "Keep the reintegration plans of the cases one works on, record their sustainability "
        "survey rounds, and keep the list of community projects"
    ),
    "reintegration.configure": _(
        "Keep the sustainability survey's configuration: enter its weights with their source, "
        "put a version in force, score the rounds waiting for a weight set"
    ),
    "indicators.view": _(
        "See the indicator dashboards of the whole mechanism and export them (small numbers hidden)"
    ),
    "knowledge.view": _(
        "Read the regional knowledge base: entities, dialogues, policies, the mapping matrix"
    ),
    "knowledge.edit": _(
        "Keep the regional knowledge base: entities and their facts, policies, taxonomies"
    ),
}

_EVERY_ROLE = {"accounts.view_members", "directory.view_organisations"}
# People's files are for those who work with them: the platform's administrator manages
# organisations, accounts and keys, and does not read cases (need-to-know).
_CASE_CAPABILITIES = {name for name in CAPABILITIES if name.startswith("cases.")} | {
    "referrals.send",
    "referrals.override_gates",
    "referrals.receive",
    "returns.view_movements",
    "returns.receive_arrivals",
    "reintegration.work",
}
_RECEPTION = {"returns.view_movements", "returns.receive_arrivals"}
_CASEWORK = {"cases.register", "cases.work_cases", "cases.break_glass", "referrals.send"}
# Reintegration follow-up is casework: caseworkers and supervisors, in the same organisations.
_REINTEGRATION = {"reintegration.work"}

ROLE_CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(set(CAPABILITIES) - _CASE_CAPABILITIES),
    Role.COORDINATOR: frozenset(
        _EVERY_ROLE
        | {
            "accounts.manage_members",
            "audit.view_events",
            "directory.manage_organisations",
            "directory.manage_services",
            "directory.match_services",
            "directory.view_analysis",
            "referrals.view_agreements",
            "referrals.manage_agreements",
            "referrals.view_mechanism_statistics",
            "returns.manage_reception",
            "returns.view_compliance",
            "returns.annotate_violations",
            "returns.view_statistics",
            "governance.view",
            "governance.comment",
            "governance.manage",
            "governance.view_indicators",
            "indicators.view",
            "knowledge.view",
            "reintegration.configure",
        }
    ),
    # Reception officers register at the border and hand over; children's files stay with
    # child-protection staff.
    Role.RECEPTION_OFFICER: frozenset(
        _EVERY_ROLE
        | _CASEWORK
        | _RECEPTION
        | {
            "directory.match_services",
            "returns.view_compliance",
            "returns.annotate_violations",
            "returns.view_statistics",
        }
    ),
    Role.CASEWORKER: frozenset(
        _EVERY_ROLE
        | _CASEWORK
        | _REINTEGRATION
        | {"directory.match_services", "cases.view_child_cases", "referrals.view_agreements"}
    ),
    Role.CASE_SUPERVISOR: frozenset(
        _EVERY_ROLE
        | _CASEWORK
        | _REINTEGRATION
        | {
            "accounts.manage_members",
            "directory.match_services",
            "cases.view_caseload",
            "cases.view_child_cases",
            "cases.resolve_duplicates",
            "referrals.override_gates",
            "referrals.view_agreements",
            "referrals.view_statistics",
            "returns.view_movements",
            "returns.view_compliance",
            "returns.view_statistics",
        }
    ),
    Role.PROVIDER_FOCAL_POINT: frozenset(
        _EVERY_ROLE
        | {"directory.propose_service_changes", "referrals.receive", "referrals.view_agreements"}
    ),
    Role.ANALYST: frozenset(
        _EVERY_ROLE
        | {
            "directory.view_analysis",
            "referrals.view_mechanism_statistics",
            "returns.view_compliance",
            "returns.view_statistics",
            "governance.view_indicators",
            "indicators.view",
            "knowledge.view",
        }
    ),
    Role.POLICY_OFFICER: frozenset(
        _EVERY_ROLE | {"directory.view_analysis", "knowledge.view", "knowledge.edit"}
    ),
    Role.COMMITTEE_MEMBER: frozenset(
        _EVERY_ROLE
        | {
            "returns.view_compliance",
            "governance.view",
            "governance.comment",
        }
    ),
}

#: Roles whose capabilities apply to every organisation, not only the one the role is held in.
PLATFORM_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR})


def ensure_known(name: str) -> str:
    """Return `name` if it is a declared capability; raise ImproperlyConfigured otherwise."""
    if name not in CAPABILITIES:
        raise ImproperlyConfigured(
            f"Unknown capability {name!r}. Declare it in orienta/accounts/capabilities.py."
        )
    return name


def validate_role_table() -> None:
    for role in Role:
        if role not in ROLE_CAPABILITIES:
            raise ImproperlyConfigured(f"Role {role.value!r} has no line in ROLE_CAPABILITIES.")
        for name in ROLE_CAPABILITIES[role]:
            ensure_known(name)


def roles_with(name: str) -> frozenset[Role]:
    """The roles that bring capability `name`."""
    ensure_known(name)
    return frozenset(role for role, names in ROLE_CAPABILITIES.items() if name in names)
