"""Identity resolution's own tables: the key index, the saved model, the review queue and the
record of merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet


class PersonKey(models.Model):
    """One blocking key of a person (see blocking.py): a 63-bit number mixed from name parts
    and a date or place part, the same for the registry and for a person at the desk.
    `organisation_id` is the person's owning organisation, copied here so that a look-up is
    scoped without a join; the index covers the person too, so a look-up never reads the
    table."""

    id = models.BigAutoField(primary_key=True)
    key = models.BigIntegerField()
    organisation_id = models.UUIDField()
    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["key", "organisation_id", "person"], name="identity_key_lookup")
        ]

    def __str__(self) -> str:
        return str(self.key)


class IdentityModel(models.Model):
    """A probabilistic model estimated on a registry (`orienta find_duplicates --estimate`):
    the newest is the one the desk uses. Without one, the model shipped in the identity pack
    is used."""

    created_at = models.DateTimeField(auto_now_add=True)
    records = models.PositiveIntegerField(default=0)
    parameters = models.TextField()  # Model.to_json()

    class Meta:
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"identity model of {self.created_at:%Y-%m-%d} ({self.records} records)"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    CONFIRMED = "confirmed", _("same person, merged")
    REJECTED = "rejected", _("different persons")


class DuplicateQuerySet(ScopedQuerySet):
    scope_capability = "cases.resolve_duplicates"


class DuplicatePair(models.Model):
    """Two persons of one organisation's registry the batch resolution judged to be one, for a
    supervisor to confirm (merge) or reject. `person_a` is the one registered first."""

    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    person_a = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("probability"))
    explanation = models.JSONField(_("explanation"), default=list)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DuplicateStatus.choices,
        default=DuplicateStatus.PENDING,
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = DuplicateQuerySet.as_manager()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="identity_pair_once")
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-probability"], name="identity_queue")
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.probability:.2f})"


class MergeQuerySet(ScopedQuerySet):
    scope_capability = "cases.resolve_duplicates"


class PersonMerge(models.Model):
    """One merge: `merged` was folded into `survivor`. `moved` lists, per table and column,
    the rows that were moved, and `survivor_before` the survivor's fields that changed, so that
    the merge can be undone exactly."""

    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    survivor = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="+")
    pair = models.ForeignKey(DuplicatePair, on_delete=models.SET_NULL, null=True, related_name="+")
    moved = models.JSONField(default=dict)
    survivor_before = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = MergeQuerySet.as_manager()

    class Meta:
        verbose_name = _("merge of persons")
        verbose_name_plural = _("merges of persons")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
