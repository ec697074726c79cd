"""Blocking keys: the index that makes an online candidate look-up a handful of index hits."""

from __future__ import annotations

from django.db import models


class PersonKey(models.Model):
    """One key of a person: full phonetic name, a pair of name parts, a name part with a birth
    year, a document number, a phone number, a searchable name word. `organisation_id` is the
    person's owning organisation, copied here so that a look-up is scoped without a join."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=80)
    organisation_id = models.UUIDField()
    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["key", "organisation_id"], name="identity_key_org")]

    def __str__(self) -> str:
        return self.key
