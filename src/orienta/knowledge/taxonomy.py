"""Keeping the two taxonomies of the mapping matrix: themes and regions (a region lists its
countries). Each change is authorised (`knowledge.edit`) and audited in its transaction. A code
never changes once given, since links and packs match it, and a theme or region still in use
is not deleted: the matrix would silently lose it. Search does not read them: no index to
update."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ServiceError
from orienta.knowledge.checks import (
    EDIT,
    check_lengths,
    country_code,
    invalid,
    is_key,
    save_unique,
    stripped,
)
from orienta.knowledge.models import Region, Theme
from orienta.knowledge.models.taxonomy import Labelled

THEME_FIELDS = ["code", "label_en", "label_fr", "label_ar", "order"]
REGION_FIELDS = [*THEME_FIELDS, "countries"]
HIGHEST_ORDER = 100_000

LabelledModel = TypeVar("LabelledModel", bound=Labelled)


def _labelled_values(model: type[Labelled], **values: Any) -> dict[str, Any]:
    """A theme's or a region's code, labels and order, stripped and checked."""
    for name in ("code", "label_en", "label_fr", "label_ar"):
        values[name] = stripped(values[name])
    if not is_key(values["code"]):
        raise invalid(
            "code", _("Write the code with letters, digits, hyphens or underscores only.")
        )
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
    check_lengths(model, {k: v for k, v in values.items() if isinstance(v, str)})
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
    save_unique(current, "code", _("This code is already used."))
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
        Theme, code=code, label_en=label_en, label_fr=label_fr, label_ar=label_ar, order=order
    )
    return _save_labelled(
        Theme, theme, values, THEME_FIELDS, acting_user=acting_user, action="knowledge.theme"
    )


def _countries(codes: Iterable[Any]) -> list[str]:
    """ISO 3166 alpha-3 codes, upper case, each once, in the order given."""
    kept: list[str] = []
    for raw in codes or []:
        code = country_code(stripped(raw))
        if code is None:
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
        Region, code=code, label_en=label_en, label_fr=label_fr, label_ar=label_ar, order=order
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
