"""Keeping the knowledge base's entities and their sourced facts (member states are kept in
`members`, themes and regions in `taxonomy`, policies in `policies`). Apart from the pack loader,
this is the only place that writes them: each change is authorised here (`knowledge.edit`), runs
in one transaction with its audit event, under a lock on the entity's row, and writes the
entity's search entries again when text that search reads has changed.

Forms parse shapes; the rules live here, so that every caller (pages, API, scripts) keeps the
knowledge base's promise: every fact says where it comes from and how sure it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.knowledge import search
from orienta.knowledge.checks import (
    EDIT,
    GCM_OBJECTIVES,
    SDGS,
    check_lengths,
    check_version,
    invalid,
    is_choice,
    is_date,
    is_key,
    is_web_address,
    refuse_unless,
    save_unique,
    stripped,
    unsourced,
    whole_numbers,
)
from orienta.knowledge.choices import Confidence, EntityKind, FactField
from orienta.knowledge.models import Entity, EntityFact, Region, Theme
from orienta.knowledge.models.taxonomy import Labelled

ENTITY_FIELDS = [
    "key",
    "kind",
    "name_en",
    "name_fr",
    "name_ar",
    "acronym_en",
    "acronym_fr",
    "acronym_ar",
    "founded",
    "founded_on",
    "founded_confidence",
    "founded_source",
    "headquarters",
    "headquarters_confidence",
    "headquarters_source",
    "members_source",
    "members_note",
    "gcm_objectives",
    "sdgs",
]
ENTITY_LINKS = ["themes", "regions"]
# What the search index reads of an entity (besides its facts): a change here means its entries
# (the entity's and its brief's) are written again.
SEARCHED_ENTITY_FIELDS = frozenset(
    ["key", "name_en", "name_fr", "name_ar", "acronym_en", "acronym_fr", "acronym_ar"]
    + ["headquarters"]
)
# A statement about the entity, its confidence and its source, checked like a fact.
SOURCED_STATEMENTS = [
    ("founded", "founded_confidence", "founded_source"),
    ("headquarters", "headquarters_confidence", "headquarters_source"),
]
FACT_FIELDS = [
    "text_en",
    "text_fr",
    "text_ar",
    "confidence",
    "source_reference",
    "source_url",
    "source_accessed",
    "caveats",
]
FACT_TEXTS = ("text_en", "text_fr", "text_ar")
# Keys that would shadow a page: knowledge/entities/new/ is the form for a new entity.
RESERVED_KEYS = frozenset({"new"})
LabelledModel = TypeVar("LabelledModel", bound=Labelled)


def locked_entity(entity: Entity) -> Entity:
    """The entity as stored, locked until the transaction ends: version checks, unique member
    and fact checks, the write and its search entries then see the same record, one edit of
    it after the other."""
    return Entity.objects.select_for_update().get(pk=entity.pk)


def _numbers(name: str, values: Any, highest: int, message: Any) -> list[int]:
    """A sorted list of distinct whole numbers from 1 to `highest` (GCM objectives, SDGs)."""
    numbers, wrong = whole_numbers(values or [], highest)
    if wrong:
        raise invalid(name, message)
    return sorted(numbers)


def _codes(values: Iterable[Any]) -> list[str]:
    return sorted(str(getattr(v, "code", v)) for v in values)


# --- Entities ---------------------------------------------------------------------------------


def _entity_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The given fields, in the shapes stored (texts stripped, numbers sorted)."""
    unknown = set(fields) - set(ENTITY_FIELDS) - set(ENTITY_LINKS)
    if unknown:
        raise TypeError(f"save_entity() got unknown fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ENTITY_LINKS:
            continue
        if name == "gcm_objectives":
            values[name] = _numbers(
                name, value, GCM_OBJECTIVES, _("GCM objectives are numbers from 1 to 23.")
            )
        elif name == "sdgs":
            values[name] = _numbers(
                name, value, SDGS, _("Sustainable Development Goals are numbers from 1 to 17.")
            )
        elif name == "founded_on":
            values[name] = value or None
        else:
            values[name] = stripped(value)
    return values


def _check_entity(merged: Mapping[str, Any], entity: Entity) -> None:
    key = merged["key"]
    if not is_key(key):
        raise invalid("key", _("Write the key with letters, digits, hyphens or underscores only."))
    if key in RESERVED_KEYS:
        raise invalid("key", _("“%(value)s” names a page: choose another key.") % {"value": key})
    if Entity.objects.filter(key__iexact=key).exclude(pk=entity.pk).exists():
        raise invalid("key", _("Another entity already has this key."))
    refuse_unless(
        is_choice(merged["kind"], EntityKind.values), "kind", _("Choose a kind of entity.")
    )
    if not merged["name_en"]:
        raise invalid("name_en", _("Give the name in English."))
    if not merged["name_fr"]:
        raise invalid("name_fr", _("Give the name in French."))
    refuse_unless(is_date(merged["founded_on"]), "founded_on", _("Give a date."))
    for statement, confidence_field, source_field in SOURCED_STATEMENTS:
        confidence = merged[confidence_field]
        refuse_unless(
            is_choice(confidence, Confidence.values), confidence_field, _("Choose a confidence.")
        )
        refuse_unless(
            not (merged[statement] and unsourced(confidence, merged[source_field])),
            source_field,
            _("A verified statement names its source."),
        )


def _taxonomy(model: type[LabelledModel], name: str, given: Iterable[Any]) -> list[LabelledModel]:
    """Themes or regions given as records or as codes; an unknown code is refused."""
    given = list(given or [])
    codes = {str(getattr(item, "code", item)) for item in given}
    found = list(model._default_manager.filter(code__in=codes))
    if len(found) != len(codes):
        raise invalid(name, _("Choose among the listed items."))
    return found


def _index_entity(entity: Entity, old_key: str = "") -> None:
    """Write the entity's search entries (its own and its brief's) again; a key it had before
    takes its entries away with it."""
    renamed = bool(old_key) and old_key != entity.key
    search.index(
        entities=[entity],
        removed=[("entity", old_key), ("brief", old_key)] if renamed else [],
    )


@transaction.atomic
def save_entity(
    *,
    acting_user: Any,
    entity: Entity | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Entity:
    """Create an entity (without `entity`) or change the given fields of one. `fields` are
    among ENTITY_FIELDS and `themes`/`regions` (records or codes). Refused when the page was
    made from an older version (`expected_version`)."""
    require_capability(acting_user, EDIT)
    creating = entity is None
    current = Entity() if entity is None else locked_entity(entity)
    if not creating:
        check_version(current, expected_version)
    values = _entity_values(fields)
    merged = {name: getattr(current, name) for name in ENTITY_FIELDS} | values
    _check_entity(merged, current)
    check_lengths(Entity, values)
    themes = _taxonomy(Theme, "themes", fields["themes"]) if "themes" in fields else None
    regions = _taxonomy(Region, "regions", fields["regions"]) if "regions" in fields else None
    before = {} if creating else snapshot(current, ENTITY_FIELDS)
    links_before = {
        "themes": [] if creating else _codes(current.themes.all()),
        "regions": [] if creating else _codes(current.regions.all()),
    }
    old_key = current.key
    for name, value in values.items():
        setattr(current, name, value)
    changes: dict[str, Any] = diff(before, snapshot(current, ENTITY_FIELDS))
    for name, chosen in (("themes", themes), ("regions", regions)):
        if chosen is not None and _codes(chosen) != links_before[name]:
            changes[name] = [links_before[name], _codes(chosen)]
    if not creating and not changes:
        return current
    if not creating:
        current.version += 1
    save_unique(current, "key", _("Another entity already has this key."))
    if themes is not None:
        current.themes.set(themes)
    if regions is not None:
        current.regions.set(regions)
    searched = creating or bool(SEARCHED_ENTITY_FIELDS & set(changes))
    if "key" in changes:  # the trail masks any field named like a key; this one is no secret
        changes["slug"] = changes.pop("key")
    record(
        f"knowledge.entity.{'created' if creating else 'changed'}",
        actor=acting_user,
        target=current,
        changes=changes,
    )
    if searched:
        _index_entity(current, old_key)
    return current


# --- Facts ------------------------------------------------------------------------------------


def _caveats(caveats: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Caveats as stored ({"en", "fr", "confidence"}), rows with no text left out."""
    kept = []
    for caveat in caveats or []:
        english, french = stripped(caveat.get("en")), stripped(caveat.get("fr"))
        if not english and not french:
            continue
        confidence = caveat.get("confidence") or Confidence.UNVERIFIED
        refuse_unless(
            is_choice(confidence, Confidence.values), "caveats", _("Choose a confidence.")
        )
        kept.append({"en": english, "fr": french, "confidence": str(confidence)})
    return kept


def _fact_values(values: dict[str, Any]) -> dict[str, Any]:
    """A fact's values stripped and checked: confidence, source, dates, address."""
    for name in (*FACT_TEXTS, "source_reference", "source_url"):
        values[name] = stripped(values[name])
    values["caveats"] = _caveats(values["caveats"])
    refuse_unless(
        is_choice(values["confidence"], Confidence.values),
        "confidence",
        _("Choose a confidence."),
    )
    check_lengths(EntityFact, {k: values[k] for k in ("source_reference", "source_url")})
    if values["source_url"] and not is_web_address(values["source_url"]):
        raise invalid("source_url", _("Give a web address starting with https://."))
    refuse_unless(is_date(values["source_accessed"]), "source_accessed", _("Give a date."))
    if values["source_accessed"] and values["source_accessed"] > timezone.localdate():
        raise invalid("source_accessed", _("The source cannot be consulted in the future."))
    refuse_unless(
        not unsourced(values["confidence"], values["source_reference"] or values["source_url"]),
        "source_reference",
        _("A verified fact names its source: give its reference or its address."),
    )
    return values


def _delete_fact(acting_user: Any, entity: Entity, fact: EntityFact) -> None:
    changes = {name: [value, None] for name, value in snapshot(fact, FACT_FIELDS).items()}
    record(
        "knowledge.fact.deleted",
        actor=acting_user,
        target=fact,
        changes={"entity": entity.key, "field": fact.field, **changes},
    )
    fact.delete()
    _index_entity(entity)


@transaction.atomic
def save_fact(
    *,
    acting_user: Any,
    entity: Entity,
    field: str,
    text_en: str = "",
    text_fr: str = "",
    text_ar: str = "",
    confidence: str = Confidence.UNVERIFIED,
    source_reference: str = "",
    source_url: str = "",
    source_accessed: date | None = None,
    caveats: Iterable[Mapping[str, Any]] = (),
) -> EntityFact | None:
    """Write the entity's fact for `field` (one per entity and field), or delete it when its
    text is empty in every language; returns the fact, or None when there is none left. A fact
    marked verified must name its source reference or address."""
    require_capability(acting_user, EDIT)
    refuse_unless(is_choice(field, FactField.values), "field", _("Choose a section."))
    entity = locked_entity(entity)
    fact = entity.facts.filter(field=field).first()
    if not any(stripped(text) for text in (text_en, text_fr, text_ar)):
        if fact is not None:
            _delete_fact(acting_user, entity, fact)
        return None
    values = _fact_values(
        {
            "text_en": text_en,
            "text_fr": text_fr,
            "text_ar": text_ar,
            "confidence": confidence,
            "source_reference": source_reference,
            "source_url": source_url,
            "source_accessed": source_accessed,
            "caveats": caveats,
        }
    )
    before = {} if fact is None else snapshot(fact, FACT_FIELDS)
    fact = fact or EntityFact(entity=entity, field=field)
    for name, value in values.items():
        setattr(fact, name, value)
    changes = diff(before, snapshot(fact, FACT_FIELDS))
    if not changes:
        return fact
    fact.save()
    record(
        "knowledge.fact.changed",
        actor=acting_user,
        target=fact,
        changes={"entity": entity.key, "field": field, **changes},
    )
    if set(FACT_TEXTS) & set(changes):
        _index_entity(entity)
    return fact
