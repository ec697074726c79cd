"""The case file's timeline: everything that happened on a case, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import has_capability
from orienta.cases.models import Case, CaseNote
from orienta.cases.models.choices import Confidentiality


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    by: str = ""


def _who(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _midnight(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def visible_notes(case: Case, user: Any) -> list[CaseNote]:
    """Restricted notes: their author and the organisation's case supervisors only."""
    supervisor = has_capability(user, "cases.view_caseload", case.organisation_id)
    return [
        note
        for note in case.notes.select_related("author")
        if note.confidentiality == Confidentiality.TEAM or supervisor or note.author_id == user.pk
    ]


def timeline(case: Case, user: Any, notes: list[CaseNote]) -> list[Entry]:
    entries: list[Entry] = []
    for episode in case.episodes.select_related("recorded_by"):
        entries.append(
            Entry(
                _midnight(episode.arrived_on),
                "episode",
                _("Arrival"),
                " · ".join(filter(None, [episode.entry_point, episode.returned_from])),
                _who(episode.recorded_by),
            )
        )
    for screening in case.screenings.select_related("screened_by"):
        entries.append(
            Entry(
                screening.screened_at,
                "screening",
                _("Screening"),
                _("Priority: %(p)s") % {"p": screening.get_priority_display()},
                _who(screening.screened_by),
            )
        )
    for need in case.needs.select_related("term", "created_by"):
        entries.append(
            Entry(
                need.created_at,
                "need",
                _("Need recorded"),
                f"{need.term} · {need.get_urgency_display()}",
                _who(need.created_by),
            )
        )
    for consent in case.consents.select_related("recorded_by"):
        entries.append(
            Entry(
                consent.created_at,
                "consent",
                _("Consent recorded"),
                consent.get_purpose_display(),
                _who(consent.recorded_by),
            )
        )
        if consent.withdrawn_at:
            entries.append(
                Entry(
                    consent.withdrawn_at,
                    "consent",
                    _("Consent withdrawn"),
                    consent.get_purpose_display(),
                )
            )
    for note in notes:
        entries.append(
            Entry(
                note.created_at,
                "note",
                _("Note: %(topic)s") % {"topic": note.get_topic_display()},
                note.body,
                _who(note.author),
            )
        )
    for task in case.tasks.select_related("created_by"):
        entries.append(Entry(task.created_at, "task", _("Task"), task.title, _who(task.created_by)))
        if task.done_at:
            entries.append(Entry(task.done_at, "task", _("Task done"), task.title))
    if case.closed_at:
        entries.append(
            Entry(case.closed_at, "status", _("Case closed"), case.get_closure_reason_display())
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries
