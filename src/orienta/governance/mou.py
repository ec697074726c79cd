"""The MoU builder: its required sections and their completeness, the parties and their roles
drawn from the directory, the data-sharing clauses, and what signing, suspending and expiry do
to the referral agreements.

When an MoU is signed, each of its data-sharing clauses becomes (or updates) a data-sharing
agreement of the referrals module, in force for the MoU's term; when the MoU is suspended or
expires, those agreements are suspended or expire with it, so the referral gates stop sharing at
once. The referrals module's own service (`save_agreement`) makes those changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.governance.choices import MouStatus, VersionStatus
from orienta.governance.models import DataSharingClause, Mou, MouParty
from orienta.governance.models.scope import MANAGE
from orienta.governance.services import check_version, invalid
from orienta.referrals.agreements import lapse_agreement, save_agreement
from orienta.referrals.choices import AgreementPurpose, AgreementStatus, FieldGroup

SECTION_FIELDS = [
    "context",
    "target_group",
    "coordination",
    "funding",
    "duration",
    "confidentiality",
]
TERM_FIELDS = ["starts_on", "ends_on"]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any


# The sections the terms of reference require of the MoU, in their order.
SECTIONS = [
    Section("context", gettext_lazy("Context and objective of the mechanism")),
    Section("target_group", gettext_lazy("Target groups")),
    Section("roles", gettext_lazy("Roles and responsibilities of the members")),
    Section("coordination", gettext_lazy("Coordination mechanisms")),
    Section("funding", gettext_lazy("Funding modalities")),
    Section("duration", gettext_lazy("Duration")),
    Section("confidentiality", gettext_lazy("Data confidentiality and sharing")),
]


def missing_sections(mou: Mou) -> list[str]:
    """What keeps the MoU from being complete, one line per gap, in the sections' order."""
    missing: list[str] = []
    parties = list(mou.parties.all())
    for section in SECTIONS:
        if section.key == "roles":
            if len(parties) < 2:
                missing.append(_("%(section)s: at least two parties.") % {"section": section.title})
            for party in parties:
                if not party.responsibilities.strip():
                    missing.append(
                        _("%(section)s: the responsibilities of %(party)s.")
                        % {"section": section.title, "party": party.organisation}
                    )
        elif section.key == "duration":
            if not mou.duration.strip() or not mou.starts_on:
                missing.append(
                    _("%(section)s: the text and the date it comes into force.")
                    % {"section": section.title}
                )
        elif not getattr(mou, section.key).strip():
            missing.append(str(section.title))
    return missing


def suggested_responsibilities(organisation: Any) -> str:
    """A first wording of a party's role from the directory: its mandate and the services it
    offers to the mechanism."""
    lines = []
    if getattr(organisation, "mandate", ""):
        lines.append(organisation.mandate.strip())
    services = [s.name for s in organisation.services.order_by("name")[:10]]
    if services:
        lines.append(_("Services offered: %(services)s.") % {"services": ", ".join(services)})
    return "\n\n".join(lines)


def _day(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "—"


def compose(mou: Mou, *, signatories: bool = True) -> str:
    """The MoU as Markdown, in the active language, for the document's next version; without
    `signatories`, only the agreed text (what signing checks against the final version)."""
    parts = [f"# {mou.document.title}"]
    for section in SECTIONS:
        parts.append(f"## {section.title}")
        if section.key == "roles":
            for party in mou.parties.select_related("organisation"):
                parts.append(f"### {party.organisation.name}")
                parts.append(party.responsibilities.strip() or "—")
        elif section.key == "duration":
            parts.append(mou.duration.strip() or "—")
            parts.append(
                _("In force from %(start)s until %(end)s.")
                % {"start": _day(mou.starts_on), "end": _day(mou.ends_on)}
            )
        elif section.key == "confidentiality":
            parts.append(mou.confidentiality.strip() or "—")
            for clause in mou.clauses.prefetch_related("parties"):
                parts.append(f"### {clause.title}")
                purposes = ", ".join(str(AgreementPurpose(p).label) for p in clause.purposes)
                groups = ", ".join(str(FieldGroup(g).label) for g in clause.field_groups)
                names = ", ".join(o.name for o in clause.parties.all())
                parts.append(
                    f"- {_('Parties')}: {names}\n- {_('Purposes')}: {purposes}\n"
                    f"- {_('Data that may be shared')}: {groups}"
                )
        else:
            parts.append(getattr(mou, section.key).strip() or "—")
    signing = [p for p in mou.parties.select_related("organisation") if p.signatory]
    if signatories and signing:
        parts.append(f"## {_('Signatories')}")
        parts.append(
            "\n".join(
                f"- {p.organisation.name}: {p.signatory}"
                + (f", {p.signatory_title}" if p.signatory_title else "")
                + (f" ({_day(p.signed_on)})" if p.signed_on else "")
                for p in signing
            )
        )
    return "\n\n".join(parts) + "\n"


def _locked(mou: Mou, expected_version: int) -> Mou:
    """The MoU row locked for the change, at the version the user saw (a second click on
    "sign" waits for the first, then finds the MoU changed)."""
    Mou.objects.select_for_update().filter(pk=mou.pk).values_list("pk").get()
    mou.refresh_from_db()
    check_version(mou, expected_version)
    return mou


@transaction.atomic
def save_sections(
    *, acting_user: Any, mou: Mou, values: dict[str, Any], expected_version: int
) -> Mou:
    require_capability(acting_user, MANAGE)
    check_version(mou, expected_version)
    if mou.status != MouStatus.DRAFT:
        raise invalid(None, _("A signed MoU is changed by a new MoU, not edited."))
    starts, ends = values.get("starts_on", mou.starts_on), values.get("ends_on", mou.ends_on)
    if starts and ends and ends < starts:
        raise invalid("ends_on", _("The end comes before the start."))
    fields = SECTION_FIELDS + TERM_FIELDS
    before = snapshot(mou, fields)
    for name in fields:
        if name in values:
            setattr(mou, name, values[name])
    mou.version += 1
    mou.save()
    record(
        "governance.mou.changed",
        actor=acting_user,
        target=mou,
        changes=dict.fromkeys(diff(before, snapshot(mou, fields)), True),
    )
    return mou


@transaction.atomic
def save_party(
    *,
    acting_user: Any,
    mou: Mou,
    organisation: Any,
    values: dict[str, Any],
) -> MouParty:
    """Add a party (its responsibilities drawn from the directory when left empty) or change
    its role and signature."""
    require_capability(acting_user, MANAGE)
    if mou.status != MouStatus.DRAFT:
        raise invalid(None, _("A signed MoU is changed by a new MoU, not edited."))
    if values.get("signed_on") and values["signed_on"] > timezone.localdate():
        raise invalid("signed_on", _("The signature date is in the future."))
    party, created = MouParty.objects.get_or_create(mou=mou, organisation=organisation)
    before = snapshot(party, ["responsibilities", "signatory", "signatory_title", "signed_on"])
    for name in ("responsibilities", "signatory", "signatory_title", "signed_on"):
        if name in values:
            setattr(party, name, values[name])
    if created and not party.responsibilities.strip():
        party.responsibilities = suggested_responsibilities(organisation)
    party.save()
    record(
        "governance.mou_party.created" if created else "governance.mou_party.changed",
        actor=acting_user,
        target=party,
        changes=diff(
            before,
            snapshot(party, ["responsibilities", "signatory", "signatory_title", "signed_on"]),
        ),
    )
    return party


@transaction.atomic
def remove_party(*, acting_user: Any, party: MouParty) -> None:
    require_capability(acting_user, MANAGE)
    if party.mou.status != MouStatus.DRAFT:
        raise invalid(None, _("A signed MoU is changed by a new MoU, not edited."))
    if party.mou.clauses.filter(parties=party.organisation_id).exists():
        raise invalid(None, _("A data-sharing clause names this party: change the clause first."))
    record("governance.mou_party.deleted", actor=acting_user, target=party)
    party.delete()


@transaction.atomic
def save_clause(
    *,
    acting_user: Any,
    mou: Mou,
    title: str,
    parties: list[Any],
    purposes: list[str],
    field_groups: list[str],
    clause: DataSharingClause | None = None,
) -> DataSharingClause:
    require_capability(acting_user, MANAGE)
    if mou.status != MouStatus.DRAFT:
        raise invalid(None, _("A signed MoU is changed by a new MoU, not edited."))
    if not title.strip():
        raise invalid("title", _("Give the clause a title."))
    party_ids = set(mou.parties.values_list("organisation_id", flat=True))
    if len({p.pk for p in parties}) < 2:
        raise invalid("parties", _("A clause shares data between at least two parties."))
    if any(p.pk not in party_ids for p in parties):
        raise invalid("parties", _("Choose parties to the MoU."))
    if not purposes or any(p not in AgreementPurpose.values for p in purposes):
        raise invalid("purposes", _("Choose the purposes."))
    if not field_groups or any(g not in FieldGroup.values for g in field_groups):
        raise invalid("field_groups", _("Choose the groups of data that may be shared."))
    creating = clause is None
    clause = clause or DataSharingClause(mou=mou)
    clause.title, clause.purposes, clause.field_groups = title.strip(), purposes, field_groups
    clause.save()
    clause.parties.set(parties)
    record(
        "governance.clause.created" if creating else "governance.clause.changed",
        actor=acting_user,
        target=clause,
        changes={
            "parties": sorted(str(p.pk) for p in parties),
            "purposes": purposes,
            "field_groups": field_groups,
        },
    )
    return clause


def _source(mou: Mou) -> str:
    return _("MoU “%(title)s”") % {"title": mou.document.title}


def _set_agreements(acting_user: Any, mou: Mou, status: str) -> int:
    """Bring every clause's agreement to `status` over the MoU's term, creating the agreements
    the first time. Returns how many agreements were touched."""
    touched = 0
    for clause in mou.clauses.select_related("agreement").prefetch_related("parties"):
        values = {
            "title": f"{mou.document.title} — {clause.title}",
            "reference": mou.document.title[:80],
            "purposes": clause.purposes,
            "field_groups": clause.field_groups,
            "valid_from": mou.starts_on,
            "valid_to": mou.ends_on,
            "status": status,
            "signed_on": mou.signed_on,
            "notes": _("Defined by the data-sharing section of the MoU; changed with it."),
        }
        agreement = save_agreement(
            acting_user=acting_user,
            values=values,
            parties=list(clause.parties.all()),
            agreement=clause.agreement,
            source=_source(mou),
        )
        if clause.agreement_id != agreement.pk:
            clause.agreement = agreement
            clause.save(update_fields=["agreement"])
        touched += 1
    return touched


def _change_status(acting_user: Any, mou: Mou, status: str, reason: str) -> None:
    before = mou.status
    mou.status = status
    mou.status_reason = reason
    mou.version += 1
    mou.save()
    record(
        "governance.mou.status_changed",
        actor=acting_user,
        target=mou,
        changes={"status": [before, status], "reason": reason},
    )


@transaction.atomic
def sign(*, acting_user: Any, mou: Mou, signed_on: date, expected_version: int) -> Mou:
    """Record the MoU as signed: complete, its final text validated or final, every party's
    signature dated. Its data-sharing clauses come into force as referral agreements."""
    require_capability(acting_user, MANAGE)
    mou = _locked(mou, expected_version)
    if mou.status != MouStatus.DRAFT:
        raise invalid(None, _("Only a draft MoU can be signed."))
    gaps = missing_sections(mou)
    if gaps:
        raise invalid(None, _("The MoU is not complete: %(gaps)s") % {"gaps": " ".join(gaps)})
    latest = mou.document.latest
    if latest is None or latest.status not in (VersionStatus.FINAL, VersionStatus.VALIDATED):
        raise invalid(None, _("Sign the final text: make the latest version final first."))
    if not latest.content.startswith(compose(mou, signatories=False)):
        # What becomes agreements must be what the parties read and signed.
        raise invalid(
            None,
            _(
                "The sections have changed since version %(n)s: write the text as a new "
                "version and make it final before signing."
            )
            % {"n": latest.number},
        )
    unsigned = [str(p.organisation) for p in mou.parties.all() if not p.signed_on]
    if unsigned:
        raise invalid(
            None,
            _("These parties have not signed yet: %(parties)s.") % {"parties": ", ".join(unsigned)},
        )
    if signed_on > timezone.localdate():
        raise invalid("signed_on", _("The signature date is in the future."))
    if mou.ends_on and mou.ends_on < timezone.localdate():
        raise invalid(None, _("The MoU's term is already over."))
    mou.signed_on = signed_on
    _change_status(acting_user, mou, MouStatus.SIGNED, "")
    _set_agreements(acting_user, mou, AgreementStatus.IN_FORCE)
    return mou


@transaction.atomic
def suspend(*, acting_user: Any, mou: Mou, reason: str, expected_version: int) -> Mou:
    """Suspend a signed MoU, and with it the sharing it allowed."""
    require_capability(acting_user, MANAGE)
    mou = _locked(mou, expected_version)
    if mou.status != MouStatus.SIGNED:
        raise invalid(None, _("Only an MoU in force can be suspended."))
    if not reason.strip():
        raise invalid("reason", _("Give the reason."))
    _change_status(acting_user, mou, MouStatus.SUSPENDED, reason.strip())
    _set_agreements(acting_user, mou, AgreementStatus.SUSPENDED)
    return mou


@transaction.atomic
def reinstate(*, acting_user: Any, mou: Mou, reason: str, expected_version: int) -> Mou:
    require_capability(acting_user, MANAGE)
    mou = _locked(mou, expected_version)
    if mou.status != MouStatus.SUSPENDED:
        raise invalid(None, _("Only a suspended MoU can be reinstated."))
    if mou.ends_on and mou.ends_on < timezone.localdate():
        raise invalid(None, _("The MoU's term is over; it can no longer be reinstated."))
    _change_status(acting_user, mou, MouStatus.SIGNED, reason.strip())
    _set_agreements(acting_user, mou, AgreementStatus.IN_FORCE)
    return mou


@transaction.atomic
def expire_lapsed(*, acting_user: Any = None, today: date | None = None) -> int:
    """Mark as expired the MoUs whose term is over, and their agreements with them (the gates
    already refuse an agreement past its end date; this makes the status say so). Run daily by
    `orienta governance_expire`."""
    today = today or timezone.localdate()
    lapsed = Mou.objects.filter(
        status__in=[MouStatus.SIGNED, MouStatus.SUSPENDED], ends_on__lt=today
    ).select_related("document")
    count = 0
    for mou in lapsed:
        # Run by the task, with no user: the reason is kept in the platform's language.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Term over.")
        _change_status(acting_user, mou, MouStatus.EXPIRED, reason)
        for clause in mou.clauses.select_related("agreement"):
            if clause.agreement is not None:
                lapse_agreement(agreement=clause.agreement, status=AgreementStatus.EXPIRED)
        count += 1
    return count
