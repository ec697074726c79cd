"""The search index of the knowledge base: one row per entity, policy (and later brief), its text
in every language folded for matching. SQLite searches it through an FTS5 table, PostgreSQL
through a full-text index (see migrations 0002 and `orienta.knowledge.search`)."""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    kind = models.CharField(max_length=12)
    key = models.CharField(max_length=80)
    title = models.CharField(max_length=500)
    document = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="knowledge_one_search_entry")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
