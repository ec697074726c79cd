"""Template helpers of the knowledge base's editing links."""

from __future__ import annotations

from typing import Any

from django import template

from orienta.knowledge.choices import FactField

register = template.Library()


@register.filter
def fact_field(label: Any) -> str:
    """The section (FactField value) a section's label names, for its "Edit" link: the entity
    page lists its sections by label, documented or not."""
    for value, choice_label in FactField.choices:
        if label is choice_label or str(label) == str(choice_label):
            return str(value)
    return ""
