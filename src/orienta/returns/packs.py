"""Loading `packs/returns/<country>.json`: entry points, deporting countries, consulates,
holidays, bilateral protocols and reception procedures. Safe to run again: what exists is
updated from the pack, a protocol or procedure version already loaded is left as it is (it may
have been confirmed or edited since), and nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.db import transaction

from orienta.core.packs import PACKS, load_pack
from orienta.directory.models import Organisation
from orienta.returns.choices import (
    Condition,
    EntryPointKind,
    ProtocolStatus,
    RuleKind,
    Severity,
    SopStatus,
    Verification,
)
from orienta.returns.models import (
    Consulate,
    DeportingCountry,
    EntryPoint,
    Holiday,
    Protocol,
    ProtocolRule,
    SopRule,
    SopRuleSet,
)


@dataclass
class Loaded:
    entry_points: int = 0
    protocols: int = 0
    sop_rules: int = 0
    holidays: int = 0
    missing_organisations: list[str] = field(default_factory=list)


def has_pack(country: str) -> bool:
    return (PACKS / "returns" / f"{country}.json").exists()


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def organisations_by_acronym(country: str) -> dict[str, Organisation]:
    return {
        o.acronym: o
        for o in Organisation.objects.filter(country=country).exclude(acronym="").order_by("pk")
    }


@transaction.atomic
def load_returns(country: str) -> Loaded:
    pack = load_pack("returns", country.lower())
    code = pack["country"]
    loaded = Loaded()
    acronyms = organisations_by_acronym(code)

    def organisation(acronym: str) -> Organisation | None:
        found = acronyms.get(acronym)
        if found is None and acronym not in loaded.missing_organisations:
            loaded.missing_organisations.append(acronym)
        return found

    for entry in pack["deporting_countries"]:
        DeportingCountry.objects.update_or_create(
            receiving_country=code,
            code=entry["code"],
            defaults={k: entry.get(k, "") for k in ("name_fr", "name_en", "usual_modes", "notes")},
        )
    for entry in pack["entry_points"]:
        point, _created = EntryPoint.objects.update_or_create(
            code=entry["code"],
            defaults={
                "country": code,
                "name": entry["name"],
                "kind": EntryPointKind(entry["kind"]),
                "admin1_name": entry.get("admin1_name", ""),
                "latitude": entry.get("latitude"),
                "longitude": entry.get("longitude"),
                "time_zone": entry["time_zone"],
                "opens": _time(entry.get("opens")),
                "closes": _time(entry.get("closes")),
                "official": entry.get("official", True),
                "notes": entry.get("notes", ""),
                "verification": entry.get("verification", ""),
            },
        )
        partners = [organisation(a) for a in entry.get("partners", [])]
        point.partners.set([p for p in partners if p is not None])
        loaded.entry_points += 1
    for entry in pack.get("consulates", []):
        Consulate.objects.update_or_create(
            receiving_country=code,
            host_country=entry["host_country"],
            city=entry["city"],
            defaults={
                k: entry.get(k, "")
                for k in (
                    "name",
                    "address",
                    "phone",
                    "email",
                    "capacity_notes",
                    "recommendations",
                    "verification",
                )
            },
        )
    holidays = pack.get("holidays", {})
    for holiday_country, days in holidays.items():
        if holiday_country == "source":
            continue
        for day, name in days:
            Holiday.objects.get_or_create(
                country=holiday_country, date=date.fromisoformat(day), defaults={"name": name}
            )
            loaded.holidays += 1
    for entry in pack.get("protocols", []):
        for deporting in [entry["deporting_country"], *entry.get("also_for", [])]:
            key = entry["key"] if deporting == entry["deporting_country"] else None
            key = key or f"{entry['key']}-{deporting.lower()}"
            loaded.protocols += _load_protocol(
                entry, key, code, deporting, pack.get("workflow", [])
            )
    sop = pack.get("sop")
    if sop:
        loaded.sop_rules = _load_sop(sop, code, organisation)
    return loaded


def _load_protocol(
    entry: dict[str, Any], key: str, receiving: str, deporting: str, workflow: list[Any]
) -> int:
    if Protocol.objects.filter(key=key, version=entry["version"]).exists():
        return 0
    protocol = Protocol.objects.create(
        key=key,
        version=entry["version"],
        title_fr=entry["title_fr"],
        title_en=entry["title_en"],
        receiving_country=receiving,
        deporting_country=deporting,
        status=ProtocolStatus(entry["status"]),
        signed_on=_day(entry.get("signed_on")),
        signed_at_place=entry.get("signed_at_place", ""),
        valid_from=_day(entry.get("valid_from")),
        valid_to=_day(entry.get("valid_to")),
        summary=entry.get("summary", ""),
        source=entry.get("source", ""),
        workflow=entry.get("workflow", workflow),
    )
    ProtocolRule.objects.bulk_create(
        ProtocolRule(
            protocol=protocol,
            kind=RuleKind(rule["kind"]),
            clause=rule.get("clause", ""),
            text_fr=rule["text_fr"],
            text_en=rule["text_en"],
            parameters=rule.get("parameters", {}),
            severity=Severity(rule.get("severity", Severity.MAJOR)),
            verification=Verification(rule["verification"]),
            source=rule.get("source", ""),
            position=position,
        )
        for position, rule in enumerate(entry["rules"])
    )
    return 1


def _load_sop(sop: dict[str, Any], country: str, organisation: Any) -> int:
    if SopRuleSet.objects.filter(country=country, version=sop["version"]).exists():
        return 0
    SopRuleSet.objects.filter(country=country, status=SopStatus.IN_FORCE).update(
        status=SopStatus.SUPERSEDED
    )
    ruleset = SopRuleSet.objects.create(
        country=country,
        version=sop["version"],
        status=SopStatus.IN_FORCE,
        title_fr=sop["title_fr"],
        title_en=sop["title_en"],
    )
    SopRule.objects.bulk_create(
        SopRule(
            ruleset=ruleset,
            code=rule["code"],
            position=position,
            condition=Condition(rule["condition"]),
            action_fr=rule["action_fr"],
            action_en=rule["action_en"],
            responsible=organisation(rule["responsible"]),
            responsible_name=rule["responsible"],
            deadline_minutes=rule["deadline_minutes"],
            referral_category=rule.get("referral_category", ""),
        )
        for position, rule in enumerate(sop["rules"])
    )
    return len(sop["rules"])
