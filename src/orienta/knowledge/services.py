"""Keeping the knowledge base: entities and their sourced facts, member states, themes and
regions. Apart from the pack loader, this is the only place that writes these records: each
change is authorised here (`knowledge.edit`), runs in one transaction with its audit event, and
refreshes the search index when text that search reads has changed.

Forms parse shapes; the rules live here, so that every caller (pages, API, scripts) keeps the
knowledge base's promise: every fact says where it comes from and how sure it is."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ConflictError, ServiceError
from orienta.knowledge import search
from orienta.knowledge.choices import Confidence, EntityKind, FactField, MemberRole
from orienta.knowledge.models import Entity, EntityFact, EntityMember, Region, Theme
from orienta.knowledge.models.taxonomy import Labelled

EDIT = "knowledge.edit"

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
# What the search index reads of an entity (besides its facts): a change here means a reindex.
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
MEMBER_FIELDS = [
    "country",
    "role",
    "joined_on",
    "left_on",
    "suspended_from",
    "suspended_to",
    "confidence",
]
THEME_FIELDS = ["code", "label_en", "label_fr", "label_ar", "order"]
REGION_FIELDS = [*THEME_FIELDS, "countries"]

GCM_OBJECTIVES = 23
SDGS = 17
HIGHEST_ORDER = 100_000
COUNTRY = re.compile(r"^[A-Z]{3}$")
# Taken on PostgreSQL around a reindex, so that two edits committing together rebuild the index
# one after the other instead of both inserting the same rows.
REINDEX_LOCK = zlib.crc32(b"orienta.knowledge.search.reindex")

LabelledModel = TypeVar("LabelledModel", bound=Labelled)


def invalid(field_name: str | None, message: Any) -> ServiceError:
    """A refusal naming the form field it is about (shown there by `show_on_form`)."""
    return ServiceError(
        message, code="invalid", details={"field": field_name} if field_name else {}
    )


def check_version(entity: Entity, expected_version: int | None) -> None:
    """Optimistic locking: refuse a change made from a page older than the record."""
    if expected_version is not None and entity.version != expected_version:
        raise ConflictError(
            _("Someone changed this record in the meantime. Reload the page and try again."),
            code="conflict",
        )


def _reindex() -> None:
    """Rebuild the search index inside the change's transaction, one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REINDEX_LOCK])
    search.reindex()


def _locked_entity(entity: Entity) -> Entity:
    """The entity as stored, locked until the transaction ends: version checks, unique member
    and fact checks and the write then see the same record."""
    return Entity.objects.select_for_update().get(pk=entity.pk)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_lengths(model: type[models.Model], values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise invalid(
                name,
                ngettext(
                    "Write at most %(count)d character.",
                    "Write at most %(count)d characters.",
                    limit,
                )
                % {"count": limit},
            )


def _check_choice(name: str, value: Any, choices: Iterable[str], message: Any) -> None:
    if value not in set(choices):
        raise invalid(name, message)


def _check_date(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, date):
        raise invalid(name, _("Give a date."))


def _check_sourced(name: str, confidence: str, source: str, message: Any) -> None:
    """The knowledge base's promise: what is marked verified names where it was verified."""
    if confidence == Confidence.VERIFIED and not source:
        raise invalid(name, message)


def _numbers(name: str, values: Any, highest: int, message: Any) -> list[int]:
    """A sorted list of distinct whole numbers from 1 to `highest` (GCM objectives, SDGs)."""
    given = list(values or [])
    if any(isinstance(v, bool | float) for v in given):
        raise invalid(name, message)
    try:
        numbers = sorted({int(v) for v in given})
    except (TypeError, ValueError):
        raise invalid(name, message) from None
    if any(n < 1 or n > highest for n in numbers):
        raise invalid(name, message)
    return numbers


def _codes(values: Iterable[Any]) -> list[str]:
    return sorted(str(getattr(v, "code", v)) for v in values)


def _save_unique(instance: models.Model, field_name: str, message: Any) -> None:
    """Save; a unique value taken meanwhile by a concurrent writer is refused, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise invalid(field_name, message) from None


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
            values[name] = _text(value)
    return values


def _check_entity(merged: Mapping[str, Any], entity: Entity) -> None:
    key = merged["key"]
    try:
        validate_slug(key)
    except ValidationError:
        raise invalid(
            "key", _("Write the key with letters, digits, hyphens or underscores only.")
        ) from None
    if Entity.objects.filter(key__iexact=key).exclude(pk=entity.pk).exists():
        raise invalid("key", _("Another entity already has this key."))
    _check_choice("kind", merged["kind"], EntityKind.values, _("Choose a kind of entity."))
    if not merged["name_en"]:
        raise invalid("name_en", _("Give the name in English."))
    if not merged["name_fr"]:
        raise invalid("name_fr", _("Give the name in French."))
    _check_date("founded_on", merged["founded_on"])
    for statement, confidence_field, source_field in SOURCED_STATEMENTS:
        _check_choice(
            confidence_field,
            merged[confidence_field],
            Confidence.values,
            _("Choose a confidence."),
        )
        if merged[statement]:
            _check_sourced(
                source_field,
                merged[confidence_field],
                merged[source_field],
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
    current = Entity() if entity is None else _locked_entity(entity)
    if not creating:
        check_version(current, expected_version)
    values = _entity_values(fields)
    merged = {name: getattr(current, name) for name in ENTITY_FIELDS} | values
    _check_entity(merged, current)
    _check_lengths(Entity, values)
    themes = _taxonomy(Theme, "themes", fields["themes"]) if "themes" in fields else None
    regions = _taxonomy(Region, "regions", fields["regions"]) if "regions" in fields else None
    before = {} if creating else snapshot(current, ENTITY_FIELDS)
    links_before = {
        "themes": [] if creating else _codes(current.themes.all()),
        "regions": [] if creating else _codes(current.regions.all()),
    }
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
    _save_unique(current, "key", _("Another entity already has this key."))
    if themes is not None:
        current.themes.set(themes)
    if regions is not None:
        current.regions.set(regions)
    record(
        f"knowledge.entity.{'created' if creating else 'changed'}",
        actor=acting_user,
        target=current,
        changes=changes,
    )
    if creating or SEARCHED_ENTITY_FIELDS & set(changes):
        _reindex()
    return current


# --- Facts ------------------------------------------------------------------------------------


def _caveats(caveats: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Caveats as stored ({"en", "fr", "confidence"}), rows with no text left out."""
    kept = []
    for caveat in caveats or []:
        english, french = _text(caveat.get("en")), _text(caveat.get("fr"))
        if not english and not french:
            continue
        confidence = caveat.get("confidence") or Confidence.UNVERIFIED
        _check_choice("caveats", confidence, Confidence.values, _("Choose a confidence."))
        kept.append({"en": english, "fr": french, "confidence": str(confidence)})
    return kept


def _fact_values(values: dict[str, Any]) -> dict[str, Any]:
    """A fact's values stripped and checked: confidence, source, dates, address."""
    for name in (*FACT_TEXTS, "source_reference", "source_url"):
        values[name] = _text(values[name])
    values["caveats"] = _caveats(values["caveats"])
    _check_choice("confidence", values["confidence"], Confidence.values, _("Choose a confidence."))
    _check_lengths(EntityFact, {k: values[k] for k in ("source_reference", "source_url")})
    if values["source_url"]:
        try:
            URLValidator(schemes=["http", "https"])(values["source_url"])
        except ValidationError:
            raise invalid("source_url", _("Give a web address starting with https://.")) from None
    _check_date("source_accessed", values["source_accessed"])
    if values["source_accessed"] and values["source_accessed"] > timezone.localdate():
        raise invalid("source_accessed", _("The source cannot be consulted in the future."))
    _check_sourced(
        "source_reference",
        values["confidence"],
        values["source_reference"] or values["source_url"],
        _("A verified fact names its source: give its reference or its address."),
    )
    return values


def _delete_fact(acting_user: Any, fact: EntityFact) -> None:
    changes = {name: [value, None] for name, value in snapshot(fact, FACT_FIELDS).items()}
    record(
        "knowledge.fact.deleted",
        actor=acting_user,
        target=fact,
        changes={"entity": fact.entity.key, "field": fact.field, **changes},
    )
    fact.delete()
    _reindex()


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
    _check_choice("field", field, FactField.values, _("Choose a section."))
    entity = _locked_entity(entity)
    fact = entity.facts.filter(field=field).first()
    if not any(_text(text) for text in (text_en, text_fr, text_ar)):
        if fact is not None:
            _delete_fact(acting_user, fact)
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
        _reindex()
    return fact


# --- Member states ----------------------------------------------------------------------------


def _member_values(values: dict[str, Any]) -> dict[str, Any]:
    """A membership's values checked: the country code, the role, dates in order."""
    values["country"] = _text(values["country"]).upper()
    if not COUNTRY.match(values["country"]):
        raise invalid(
            "country",
            _("Write the country as its ISO 3166 alpha-3 code: three letters, e.g. TUN."),
        )
    _check_choice("role", values["role"], MemberRole.values, _("Choose member or observer."))
    _check_choice("confidence", values["confidence"], Confidence.values, _("Choose a confidence."))
    for name in ("joined_on", "left_on", "suspended_from", "suspended_to"):
        values[name] = values[name] or None
        _check_date(name, values[name])
    if values["joined_on"] and values["left_on"] and values["left_on"] < values["joined_on"]:
        raise invalid("left_on", _("The state cannot leave before it joined."))
    if values["suspended_to"] and not values["suspended_from"]:
        raise invalid("suspended_from", _("Give the start of the suspension."))
    if (
        values["suspended_from"]
        and values["suspended_to"]
        and values["suspended_to"] < values["suspended_from"]
    ):
        raise invalid("suspended_to", _("The suspension cannot end before it starts."))
    return values


@transaction.atomic
def save_member(
    *,
    acting_user: Any,
    entity: Entity,
    member: EntityMember | None = None,
    country: str,
    role: str = MemberRole.MEMBER,
    joined_on: date | None = None,
    left_on: date | None = None,
    suspended_from: date | None = None,
    suspended_to: date | None = None,
    confidence: str = Confidence.UNVERIFIED,
) -> EntityMember:
    """Add a member state to the entity (without `member`) or change one; one membership per
    entity and country."""
    require_capability(acting_user, EDIT)
    entity = _locked_entity(entity)
    if member is not None and member.entity_id != entity.pk:
        raise ValueError("The member state belongs to another entity.")
    values = _member_values(
        {
            "country": country,
            "role": role,
            "joined_on": joined_on,
            "left_on": left_on,
            "suspended_from": suspended_from,
            "suspended_to": suspended_to,
            "confidence": confidence,
        }
    )
    taken = entity.members.filter(country=values["country"])
    if member is not None:
        taken = taken.exclude(pk=member.pk)
    if taken.exists():
        raise invalid("country", _("This country is already listed for this entity."))
    creating = member is None
    current = EntityMember(entity=entity) if member is None else entity.members.get(pk=member.pk)
    before = {} if creating else snapshot(current, MEMBER_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    changes = diff(before, snapshot(current, MEMBER_FIELDS))
    if not creating and not changes:
        return current
    current.save()
    record(
        f"knowledge.member.{'added' if creating else 'changed'}",
        actor=acting_user,
        target=current,
        changes={"entity": entity.key, **changes},
    )
    return current


@transaction.atomic
def remove_member(*, acting_user: Any, member: EntityMember) -> None:
    """Take a member state off the entity's list (the audit trail keeps what it was)."""
    require_capability(acting_user, EDIT)
    entity = _locked_entity(member.entity)
    current = entity.members.filter(pk=member.pk).first()
    if current is None:
        return
    record(
        "knowledge.member.removed",
        actor=acting_user,
        target=current,
        changes={
            "entity": entity.key,
            **{name: [value, None] for name, value in snapshot(current, MEMBER_FIELDS).items()},
        },
    )
    current.delete()


# --- Themes and regions -----------------------------------------------------------------------


def _labelled_values(model: type[Labelled], values: dict[str, Any]) -> dict[str, Any]:
    for name in ("code", "label_en", "label_fr", "label_ar"):
        values[name] = _text(values[name])
    try:
        validate_slug(values["code"])
    except ValidationError:
        raise invalid(
            "code", _("Write the code with letters, digits, hyphens or underscores only.")
        ) from None
    if not values["label_en"]:
        raise invalid("label_en", _("Give the label in English."))
    if not values["label_fr"]:
        raise invalid("label_fr", _("Give the label in French."))
    try:
        values["order"] = int(values["order"])
    except (TypeError, ValueError):
        raise invalid("order", _("Give the order as a whole number.")) from None
    if not 0 <= values["order"] <= HIGHEST_ORDER:
        raise invalid("order", _("Give the order as a number from 0 to 100000."))
    _check_lengths(model, {k: v for k, v in values.items() if isinstance(v, str)})
    return values


def _save_labelled(
    model: type[LabelledModel],
    instance: LabelledModel | None,
    values: dict[str, Any],
    fields: list[str],
    *,
    acting_user: Any,
    action: str,
) -> LabelledModel:
    """Create or change a theme or a region; its code, which links and packs match, stays."""
    creating = instance is None
    current = (
        model()
        if instance is None
        else model._default_manager.select_for_update().get(pk=instance.pk)
    )
    if not creating and values["code"] != current.code:
        raise invalid("code", _("The code cannot change: links and packs refer to it."))
    if model._default_manager.filter(code__iexact=values["code"]).exclude(pk=current.pk).exists():
        raise invalid("code", _("This code is already used."))
    before = {} if creating else snapshot(current, fields)
    for name in fields:
        setattr(current, name, values[name])
    changes = diff(before, snapshot(current, fields))
    if not creating and not changes:
        return current
    _save_unique(current, "code", _("This code is already used."))
    record(
        f"{action}.{'created' if creating else 'changed'}",
        actor=acting_user,
        target=current,
        changes=changes,
    )
    return current


@transaction.atomic
def save_theme(
    *,
    acting_user: Any,
    theme: Theme | None = None,
    code: str,
    label_en: str,
    label_fr: str,
    label_ar: str = "",
    order: int = 100,
) -> Theme:
    """Add a theme to the matrix (without `theme`) or change its labels and order."""
    require_capability(acting_user, EDIT)
    values = _labelled_values(
        Theme,
        {
            "code": code,
            "label_en": label_en,
            "label_fr": label_fr,
            "label_ar": label_ar,
            "order": order,
        },
    )
    return _save_labelled(
        Theme, theme, values, THEME_FIELDS, acting_user=acting_user, action="knowledge.theme"
    )


def _countries(codes: Iterable[Any]) -> list[str]:
    """ISO 3166 alpha-3 codes, upper case, each once, in the order given."""
    kept: list[str] = []
    for raw in codes or []:
        code = _text(raw).upper()
        if not COUNTRY.match(code):
            raise invalid(
                "countries",
                _("Write each country as its ISO 3166 alpha-3 code: three letters, e.g. TUN."),
            )
        if code not in kept:
            kept.append(code)
    return kept


@transaction.atomic
def save_region(
    *,
    acting_user: Any,
    region: Region | None = None,
    code: str,
    label_en: str,
    label_fr: str,
    label_ar: str = "",
    order: int = 100,
    countries: Iterable[str] = (),
) -> Region:
    """Add a region to the matrix (without `region`) or change its labels, order and
    countries."""
    require_capability(acting_user, EDIT)
    values = _labelled_values(
        Region,
        {
            "code": code,
            "label_en": label_en,
            "label_fr": label_fr,
            "label_ar": label_ar,
            "order": order,
        },
    )
    values["countries"] = _countries(countries)
    return _save_labelled(
        Region, region, values, REGION_FIELDS, acting_user=acting_user, action="knowledge.region"
    )


def _refuse_in_use(message: str, users: int) -> None:
    if users:
        raise ServiceError(message, code="in_use", details={"count": users})


def _delete_labelled(
    instance: Labelled, fields: list[str], *, acting_user: Any, action: str
) -> None:
    record(
        action,
        actor=acting_user,
        target=instance,
        changes={name: [value, None] for name, value in snapshot(instance, fields).items()},
    )
    instance.delete()


@transaction.atomic
def delete_theme(*, acting_user: Any, theme: Theme) -> None:
    """Delete a theme no entity and no policy uses; a used theme is refused, with the count."""
    require_capability(acting_user, EDIT)
    current = Theme.objects.select_for_update().get(pk=theme.pk)
    users = current.entities.count() + current.policies.count()
    _refuse_in_use(
        ngettext(
            "The theme “%(label)s” is used by %(count)d entity or policy: take it off first.",
            "The theme “%(label)s” is used by %(count)d entities or policies: take it off first.",
            users,
        )
        % {"label": current.label, "count": users},
        users,
    )
    _delete_labelled(
        current, THEME_FIELDS, acting_user=acting_user, action="knowledge.theme.deleted"
    )


@transaction.atomic
def delete_region(*, acting_user: Any, region: Region) -> None:
    """Delete a region no entity uses (the matrix would silently lose it otherwise)."""
    require_capability(acting_user, EDIT)
    current = Region.objects.select_for_update().get(pk=region.pk)
    users = current.entities.count()
    _refuse_in_use(
        ngettext(
            "The region “%(label)s” is used by %(count)d entity: take it off first.",
            "The region “%(label)s” is used by %(count)d entities: take it off first.",
            users,
        )
        % {"label": current.label, "count": users},
        users,
    )
    _delete_labelled(
        current, REGION_FIELDS, acting_user=acting_user, action="knowledge.region.deleted"
    )
