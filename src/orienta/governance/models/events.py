"""Meetings, workshops and trainings: who was invited and who came, what was decided and who
follows up."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.governance.choices import (
    ActionStatus,
    EventKind,
    EventLevel,
    EventStatus,
    ParticipantCategory,
    Sex,
)
from orienta.governance.models.scope import CommitteeScopedQuerySet


class EventScopedQuerySet(CommitteeScopedQuerySet):
    committee_path = "event__committee__"


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    committee = models.ForeignKey(
        "governance.Committee",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("committee"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    level = models.CharField(
        _("level"), max_length=10, choices=EventLevel.choices, default=EventLevel.NATIONAL
    )
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("Markdown, one item a line."))
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown."))
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    documents = models.ManyToManyField(
        "governance.Document",
        blank=True,
        related_name="events",
        verbose_name=_("documents discussed"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-held_on", "title"]
        indexes = [models.Index(fields=["committee", "kind", "held_on"])]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A person invited to an event. `attended` is None until attendance is recorded."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    full_name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    # For people whose organisation is not in the directory (a university, a donor's office).
    organisation_name = models.CharField(_("other organisation"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ParticipantCategory.choices)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.NOT_GIVEN)
    role = models.CharField(_("role or function"), max_length=200, blank=True)
    attended = models.BooleanField(_("attended"), null=True, default=None)

    objects = EventScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def organisation_label(self) -> str:
        if self.organisation is not None:
            return self.organisation.acronym or self.organisation.name
        return self.organisation_name


class Decision(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))

    objects = EventScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="action_items")
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = EventScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
