"""Regional knowledge base benchmark: search, the pages (server time and queries), one edit with
its search update, the policy import and export, the matrix and mapping-report documents, the
brief documents and writing a brief from the data.

    python bench/knowledge.py                          # SQLite in a temporary ORIENTA_HOME
    python bench/knowledge.py --database postgres      # orienta_bench_knowledge, re-created
    python bench/knowledge.py --quick                  # 50 entities, 2,000 policies: a smoke run
    python bench/knowledge.py --only search,pages      # some groups (or measures) only

The data (fixed seed), far above the MENA pack: the pack's 11 themes and 10 regions; 500
entities of every kind (names in English, French and Arabic), each with the 11 fact sections
written in English and French (a paragraph each, with source and confidence, a fifth with a
caveat), 25–35 member states, 3 themes and 2 regions; 20,000 policy instruments (titles in
English, French and Arabic, summaries in English and French, 1–3 themes, mobility, hazard, GCM
objectives), 60 % issued by the entities (a few issue many: the largest 185) and 40 % by 30
countries; a brief version for every entity, written from its data (`briefs.write_sections`,
40 % final, the rest drafts). Everything is written with bulk_create, then `search.reindex()`
once, then VACUUM ANALYZE (ANALYZE on SQLite), as autovacuum would.

Targets (ours: issue 9 names none): search p95 ≤ 100 ms; list pages and the matrix p95 ≤ 300
ms, an entity or brief page p95 ≤ 200 ms (server time, Django's test client, logged in as a
policy officer); one edit with its search update p95 ≤ 150 ms; import of 5,000 new policies
≤ 15 s, and of 5,000 rows with a bad last row (nothing written) ≤ 15 s; export of every policy
as CSV and XLSX ≤ 15 s each; matrix XLSX ≤ 3 s, matrix PDF ≤ 20 s; mapping report of every
entity ≤ 60 s, of one region ≤ 15 s; a brief PDF ≤ 5 s, DOCX ≤ 2 s; writing a brief from the
data p95 ≤ 500 ms. Fast measures are repeated 60 times (search) or 30 times (pages, edits,
briefs) after warm-up calls, slow ones 5 times after one; `--runs N` repeats each N times. The
queries of each measure are those of its last warm-up call (CaptureQueriesContext). The JSON
result, with every sample, goes to bench/results/knowledge-<database>.json (with -quick or
-partial in the name for --quick or --only).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "src" / "orienta" / "packs" / "knowledge" / "mena.json"
PG_KNOWLEDGE = "postgres://postgres@127.0.0.1:5432/orienta_bench_knowledge"
OFFICER = "policy.officer@bench.invalid"
SEED = 9

FULL = {"entities": 500, "policies": 20_000, "import_rows": 5_000}
QUICK = {"entities": 50, "policies": 2_000, "import_rows": 500}
ENTITY_SHARE = 0.6  # of the policies, issued by an entity (the rest by a country)
BRIEFS_FINAL = 0.4

# The queries measured: a French word (accents folded), an Arabic word (in titles), two words
# matched as prefixes, a word in nearly every policy.
QUERIES = {
    "french_word": "sécheresse",
    "arabic_word": "التصحر",
    "two_word_prefix": "désert transhum",
    "common_word": "migration",
}

# --- Vocabulary -------------------------------------------------------------------------------
# Words are drawn with Zipf weights (the n-th word 1/n as likely as the first), as in real text:
# a few words are in nearly every document, most in a few.

EN_VOCABULARY = (
    "the of and to in for with on by its migration climate regional national mobility "
    "displacement cooperation member states policy development framework data support partners "
    "strategy adaptation communities governance protection resilience risk disaster labour "
    "programme implementation capacity border dialogue secretariat commission funding "
    "assessment coordination agreement environmental planning rights return reintegration "
    "health water drought flood land agriculture pastoral coastal urban rural youth women "
    "diaspora remittances statistics census survey evidence monitoring evaluation priorities "
    "action plan summit ministerial declaration protocol convention treaty charter annual report "
    "technical working group experts training workshop pilot project initiative budget donors "
    "bank loans grants trust fund transhumance desertification salinisation cyclone heatwave "
    "locust erosion relocation trafficking smuggling asylum refugees stateless seasonal circular "
    "pastoralists fisheries mangroves oasis aquifer irrigation livelihoods microfinance insurance "
    "warning anticipatory humanitarian peacebuilding conflict mediation interoperability "
    "biometric registry portal dashboard"
)
FR_VOCABULARY = (
    "la le les des de et en pour avec sur du migration climat régional national mobilité "
    "déplacement coopération membres États politique développement cadre données soutien "
    "partenaires stratégie adaptation communautés gouvernance protection résilience risque "
    "catastrophe travail programme œuvre capacités frontières dialogue secrétariat commission "
    "financement évaluation coordination accord environnemental planification droits retour "
    "réintégration santé eau sécheresse inondation terres agriculture pastoral côtier urbain "
    "rural jeunes femmes diaspora transferts statistiques recensement enquête preuves suivi "
    "priorités action plan sommet ministériel déclaration protocole convention traité charte "
    "annuel rapport technique groupe experts formation atelier pilote projet initiative budget "
    "bailleurs banque prêts subventions fonds transhumance désertification salinisation cyclone "
    "canicule criquets érosion réinstallation traite trafic asile réfugiés apatrides saisonnière "
    "circulaire pasteurs pêcheries mangroves oasis aquifère irrigation subsistance microfinance "
    "assurance alerte précoce humanitaire consolidation paix conflit médiation interopérabilité "
    "biométrique registre portail"
)
# Strings first, split here: the word lists stay readable.
EN_WORDS, FR_WORDS = EN_VOCABULARY.split(), FR_VOCABULARY.split()

KINDS = {  # kind: (weight, English, French, Arabic)
    "regional_organisation": (0.25, "Organisation", "Organisation", "منظمة"),
    "economic_community": (
        0.2,
        "Economic Community",
        "Communauté économique",
        "الجماعة الاقتصادية",
    ),
    "development_bank": (0.1, "Development Bank", "Banque de développement", "بنك التنمية"),
    "health_body": (0.1, "Health Organisation", "Organisation de la santé", "منظمة الصحة"),
    "interregional_dialogue": (0.2, "Dialogue", "Dialogue", "حوار"),
    "regional_consultative_process": (
        0.15,
        "Consultative Process on Migration",
        "Processus consultatif sur la migration",
        "العملية التشاورية بشأن الهجرة",
    ),
}
KINDS_DIALOGUE = ("interregional_dialogue", "regional_consultative_process")
GEOGRAPHIES = [  # English, French (with its article), Arabic
    ("Sahel", "du Sahel", "الساحل"),
    ("Maghreb", "du Maghreb", "المغرب العربي"),
    ("Mashreq", "du Machrek", "المشرق"),
    ("Gulf", "du Golfe", "الخليج"),
    ("Horn of Africa", "de la Corne de l'Afrique", "القرن الأفريقي"),
    ("Nile Basin", "du bassin du Nil", "حوض النيل"),
    ("Lake Chad Basin", "du bassin du lac Tchad", "حوض بحيرة تشاد"),
    ("Red Sea", "de la mer Rouge", "البحر الأحمر"),
    ("Mediterranean", "de la Méditerranée", "البحر الأبيض المتوسط"),
    ("West Africa", "de l'Afrique de l'Ouest", "غرب أفريقيا"),
    ("East Africa", "de l'Afrique de l'Est", "شرق أفريقيا"),
    ("Central Africa", "de l'Afrique centrale", "وسط أفريقيا"),
    ("Arab Region", "de la région arabe", "المنطقة العربية"),
    ("Euro-African", "euro-africain", "الأورو-أفريقي"),
    ("Atlantic Coast", "de la côte atlantique", "ساحل الأطلسي"),
    ("Indian Ocean", "de l'océan Indien", "المحيط الهندي"),
    ("Sahara", "du Sahara", "الصحراء"),
    ("Great Lakes", "des Grands Lacs", "البحيرات الكبرى"),
    ("Levant", "du Levant", "بلاد الشام"),
    ("Arabian Peninsula", "de la péninsule Arabique", "شبه الجزيرة العربية"),
]
TOPICS = [  # English, French, Arabic
    ("Migration and Development", "pour la migration et le développement", "للهجرة والتنمية"),
    (
        "Drought and Pastoral Mobility",
        "sur la sécheresse et la mobilité pastorale",
        "بشأن الجفاف والتنقل الرعوي",
    ),
    ("Desertification and Land", "sur la désertification et les terres", "بشأن التصحر والأراضي"),
    (
        "Disaster Displacement",
        "sur les déplacements liés aux catastrophes",
        "بشأن النزوح الناجم عن الكوارث",
    ),
    ("Labour Migration", "sur la migration de main-d'œuvre", "بشأن هجرة اليد العاملة"),
    ("Climate Change Adaptation", "d'adaptation au changement climatique", "للتكيف مع تغير المناخ"),
    ("Flood Risk", "sur le risque d'inondation", "بشأن مخاطر الفيضانات"),
    ("Planned Relocation", "sur la réinstallation planifiée", "بشأن إعادة التوطين المخطط لها"),
    ("Water Security", "sur la sécurité de l'eau", "بشأن الأمن المائي"),
    ("Return and Reintegration", "sur le retour et la réintégration", "بشأن العودة وإعادة الإدماج"),
    ("Border Management", "sur la gestion des frontières", "بشأن إدارة الحدود"),
    ("Diaspora Engagement", "sur l'engagement de la diaspora", "بشأن إشراك المغتربين"),
    (
        "Coastal Erosion and Sea-Level Rise",
        "sur l'érosion côtière et la montée des eaux",
        "بشأن تآكل السواحل وارتفاع منسوب البحر",
    ),
    ("Urban Resilience", "sur la résilience urbaine", "بشأن المرونة الحضرية"),
    ("Food Security", "sur la sécurité alimentaire", "بشأن الأمن الغذائي"),
]
TYPES = {  # policy type: English, French, Arabic
    "declaration": ("Declaration", "Déclaration", "إعلان"),
    "strategy": ("Strategy", "Stratégie", "استراتيجية"),
    "law": ("Law", "Loi", "قانون"),
    "action_plan": ("Action Plan", "Plan d'action", "خطة عمل"),
    "mou": ("Memorandum of Understanding", "Mémorandum d'accord", "مذكرة تفاهم"),
    "ndc_nap": ("National Adaptation Plan", "Plan national d'adaptation", "الخطة الوطنية للتكيف"),
    "drr_strategy": (
        "Disaster Risk Reduction Strategy",
        "Stratégie de réduction des risques de catastrophe",
        "استراتيجية الحد من مخاطر الكوارث",
    ),
}
COUNTRIES = {  # the issuing countries: alpha-3, English, French, Arabic
    "DZA": ("Algeria", "Algérie", "الجزائر"),
    "BHR": ("Bahrain", "Bahreïn", "البحرين"),
    "DJI": ("Djibouti", "Djibouti", "جيبوتي"),
    "EGY": ("Egypt", "Égypte", "مصر"),
    "IRQ": ("Iraq", "Irak", "العراق"),
    "JOR": ("Jordan", "Jordanie", "الأردن"),
    "KWT": ("Kuwait", "Koweït", "الكويت"),
    "LBN": ("Lebanon", "Liban", "لبنان"),
    "LBY": ("Libya", "Libye", "ليبيا"),
    "MRT": ("Mauritania", "Mauritanie", "موريتانيا"),
    "MAR": ("Morocco", "Maroc", "المغرب"),
    "OMN": ("Oman", "Oman", "عمان"),
    "QAT": ("Qatar", "Qatar", "قطر"),
    "SAU": ("Saudi Arabia", "Arabie saoudite", "السعودية"),
    "SOM": ("Somalia", "Somalie", "الصومال"),
    "SDN": ("Sudan", "Soudan", "السودان"),
    "SYR": ("Syria", "Syrie", "سوريا"),
    "TUN": ("Tunisia", "Tunisie", "تونس"),
    "ARE": ("United Arab Emirates", "Émirats arabes unis", "الإمارات"),
    "YEM": ("Yemen", "Yémen", "اليمن"),
    "NER": ("Niger", "Niger", "النيجر"),
    "MLI": ("Mali", "Mali", "مالي"),
    "TCD": ("Chad", "Tchad", "تشاد"),
    "SEN": ("Senegal", "Sénégal", "السنغال"),
    "ETH": ("Ethiopia", "Éthiopie", "إثيوبيا"),
    "KEN": ("Kenya", "Kenya", "كينيا"),
    "NGA": ("Nigeria", "Nigéria", "نيجيريا"),
    "BFA": ("Burkina Faso", "Burkina Faso", "بوركينا فاسو"),
    "ERI": ("Eritrea", "Érythrée", "إريتريا"),
    "SSD": ("South Sudan", "Soudan du Sud", "جنوب السودان"),
}
OTHER_CODES = (
    "AGO BEN BWA BDI CMR CPV CAF COM COG COD CIV GNQ SWZ GAB GMB GHA GIN GNB LSO LBR MDG MWI MUS "
    "MOZ NAM RWA STP SYC SLE ZAF TZA TGO UGA ZMB ZWE IRN ISR PSE TUR CYP GRC ITA ESP PRT FRA MLT "
    "DEU BEL NLD"
)
STATES = list(COUNTRIES) + OTHER_CODES.split()
CITIES = [
    "Cairo",
    "Tunis",
    "Rabat",
    "Algiers",
    "Djibouti",
    "Addis Ababa",
    "Nairobi",
    "Dakar",
    "Niamey",
    "Abuja",
    "Riyadh",
    "Amman",
    "Beirut",
    "Khartoum",
    "Nouakchott",
    "Doha",
    "Muscat",
    "Kuwait City",
    "Ouagadougou",
    "Bamako",
    "N'Djamena",
    "Tripoli",
    "Manama",
]
FACT_FIELDS = [
    "mandate",
    "governance_model",
    "financial_model",
    "priorities",
    "iom_history",
    "un_collaboration",
    "frameworks",
    "engagement_opportunities",
    "recommendations",
    "climate_mobility",
    "data",
]
CONFIDENCES = ["verified", "secondary", "unverified"]


class Words:
    """Sentences drawn from a vocabulary with Zipf weights."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        weights = [1 / rank for rank in range(1, len(words) + 1)]
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]

    def sentence(self, rng: random.Random, low: int = 12, high: int = 22) -> str:
        drawn = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(low, high))
        return " ".join(drawn).capitalize() + "."

    def paragraph(self, rng: random.Random, low: int = 4, high: int = 6) -> str:
        return " ".join(self.sentence(rng) for _ in range(rng.randint(low, high)))


ENGLISH, FRENCH = Words(EN_WORDS), Words(FR_WORDS)


# --- Django ------------------------------------------------------------------------------------


def _django(args: argparse.Namespace) -> None:
    os.environ["ORIENTA_HOME"] = args.home or tempfile.mkdtemp(prefix="orienta-bench-knowledge-")
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    os.environ["ORIENTA_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def _recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- Data --------------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-zÀ-ÿ]+", text) if w[0].isupper())[:8]


@dataclass
class Issuer:
    entity: Any  # an Entity, or None for a country
    country: str
    names: tuple[str, str, str]  # English, French, Arabic
    dialogue: bool


def _policy_fields(rng: random.Random, issuer: Issuer, year: int) -> dict[str, Any]:
    """A policy's columns (but the key and the themes), titles made from its type, topic and
    issuer, summaries from the vocabulary."""
    kind = rng.choice(list(TYPES))
    topic = rng.choice(TOPICS)
    type_en, type_fr, type_ar = TYPES[kind]
    name_en, name_fr, name_ar = issuer.names
    level = "national" if issuer.entity is None else rng.choice(["regional", "interregional"])
    if issuer.dialogue:
        level = "interregional"
    source = rng.choice(["Official gazette", "Secretariat website", "IOM mapping", "UNDRR"])
    return {
        "title_en": f"{name_en} {type_en} on {topic[0]} ({year})",
        "title_fr": f"{type_fr} {topic[1]} — {name_fr} ({year})",
        "title_ar": f"{type_ar} {topic[2]} - {name_ar} {year}",
        "level": level,
        "type": kind,
        "year": year,
        "mobility": sorted(
            rng.sample(["migration", "displacement", "planned_relocation"], rng.randint(0, 2))
        ),
        "hazard": sorted(
            rng.sample(
                ["sudden_onset", "slow_onset", "environmental_degradation"], rng.randint(0, 2)
            )
        ),
        "gcm_objectives": sorted(rng.sample(range(1, 24), rng.randint(0, 4))),
        "status": rng.choice(["adopted", "in_force", "in_force", "draft", "expired"]),
        "languages": rng.choice([["en", "fr"], ["ar", "en"], ["ar", "fr"], ["ar", "en", "fr"]]),
        "summary_en": ENGLISH.paragraph(rng, 2, 3),
        "summary_fr": FRENCH.paragraph(rng, 2, 3),
        "confidence": rng.choice(CONFIDENCES),
        "source_reference": f"{source}, {year + rng.randint(0, 3)}",
        "source_accessed": date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
    }


def _issuers(entities: list[Any]) -> tuple[list[Issuer], list[float]]:
    """Who issues policies, and how likely each is: entities a little skewed (the first
    issues about 25 times as many as the last), countries evenly."""
    issuers, weights = [], []
    for rank, entity in enumerate(entities):
        names = (entity.acronym_en, entity.acronym_fr or entity.acronym_en, entity.name_ar)
        issuers.append(Issuer(entity, "", names, entity.kind in KINDS_DIALOGUE))
        weights.append(ENTITY_SHARE / (rank + 20))
    entity_total = sum(weights)
    weights = [w * ENTITY_SHARE / entity_total for w in weights]
    for code, names in COUNTRIES.items():
        issuers.append(Issuer(None, code, names, False))
        weights.append((1 - ENTITY_SHARE) / len(COUNTRIES))
    return issuers, weights


def build(rng: random.Random, scale: dict[str, int]) -> dict[str, Any]:
    """Everything the measures need; returns the objects they use and the build's timings."""
    from django.db import connection, transaction

    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role
    from orienta.directory.models import Organisation
    from orienta.knowledge import briefs, search
    from orienta.knowledge.models import (
        Brief,
        BriefVersion,
        Entity,
        EntityFact,
        EntityMember,
        PolicyInstrument,
        Region,
        Theme,
    )
    from orienta.knowledge.policies import unique_key

    timings: dict[str, float] = {}
    started = time.perf_counter()
    organisation = Organisation.objects.create(
        name="Bureau régional (synthétique)", acronym="BR", kind="un_agency", country="CM"
    )
    officer = User.objects.create_user(OFFICER, None, full_name="Policy officer (bench)")
    Membership.objects.create(user=officer, organisation=organisation, role=Role.POLICY_OFFICER)

    pack = json.loads(PACK.read_text())
    with transaction.atomic():
        Theme.objects.bulk_create(
            Theme(
                code=t["code"],
                label_en=t["en"],
                label_fr=t["fr"],
                label_ar=t.get("ar", ""),
                order=10 * n,
            )
            for n, t in enumerate(pack["themes"], start=1)
        )
        Region.objects.bulk_create(
            Region(
                code=r["code"],
                label_en=r["en"],
                label_fr=r["fr"],
                label_ar=r.get("ar", ""),
                order=10 * n,
                countries=r.get("countries", []),
            )
            for n, r in enumerate(pack["regions"], start=1)
        )
        themes, regions = list(Theme.objects.all()), list(Region.objects.all())

        # Entities, their facts, member states, themes and regions.
        kinds = list(KINDS)
        kind_weights = [KINDS[k][0] for k in kinds]
        entities, facts, members, entity_themes, entity_regions = [], [], [], [], []
        for n in range(scale["entities"]):
            kind = rng.choices(kinds, kind_weights)[0]
            _weight, kind_en, kind_fr, kind_ar = KINDS[kind]
            geo, topic = rng.choice(GEOGRAPHIES), rng.choice(TOPICS)
            name_en = f"{geo[0]} {kind_en} for {topic[0]}"
            name_fr = f"{kind_fr} {geo[1]} {topic[1]}"
            acronym_en, acronym_fr = _initials(name_en), _initials(name_fr)
            entity = Entity(
                id=_uuid(rng),
                key=f"{acronym_en}-{n + 1:03d}",
                kind=kind,
                name_en=name_en,
                name_fr=name_fr,
                name_ar=f"{kind_ar} {geo[2]} {topic[2]}",
                acronym_en=acronym_en,
                acronym_fr=acronym_fr,
                founded=str(rng.randint(1945, 2020)),
                founded_confidence=rng.choice(CONFIDENCES),
                founded_source="Founding treaty",
                headquarters=rng.choice(CITIES),
                headquarters_confidence=rng.choice(CONFIDENCES),
                headquarters_source="Secretariat website",
                members_source="Secretariat website, list of member states",
                gcm_objectives=sorted(rng.sample(range(1, 24), rng.randint(1, 6))),
                sdgs=sorted(rng.sample(range(1, 18), rng.randint(1, 4))),
            )
            entities.append(entity)
            for field in FACT_FIELDS:
                caveat = rng.random() < 0.2
                facts.append(
                    EntityFact(
                        entity=entity,
                        field=field,
                        text_en=ENGLISH.paragraph(rng),
                        text_fr=FRENCH.paragraph(rng),
                        confidence=rng.choice(CONFIDENCES),
                        source_reference=f"{acronym_en} annual report {rng.randint(2015, 2025)}",
                        source_url=f"https://example.org/{entity.key.lower()}/{field}",
                        source_accessed=date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
                        caveats=(
                            [
                                {
                                    "en": ENGLISH.sentence(rng),
                                    "fr": FRENCH.sentence(rng),
                                    "confidence": "unverified",
                                }
                            ]
                            if caveat
                            else []
                        ),
                    )
                )
            for index, country in enumerate(rng.sample(STATES, rng.randint(25, 35))):
                joined = date(rng.randint(1960, 2020), rng.randint(1, 12), 1)
                members.append(
                    EntityMember(
                        entity=entity,
                        country=country,
                        role="observer" if index % 10 == 9 else "member",
                        joined_on=joined,
                        suspended_from=date(2021, 1, 1) if rng.random() < 0.02 else None,
                        confidence=rng.choice(CONFIDENCES),
                    )
                )
            entity_themes += [(entity, t) for t in rng.sample(themes, 3)]
            entity_regions += [(entity, r) for r in rng.sample(regions, 2)]
        Entity.objects.bulk_create(entities, batch_size=500)
        EntityFact.objects.bulk_create(facts, batch_size=1000)
        EntityMember.objects.bulk_create(members, batch_size=2000)
        Entity.themes.through.objects.bulk_create(
            Entity.themes.through(entity_id=e.pk, theme_id=t.pk) for e, t in entity_themes
        )
        Entity.regions.through.objects.bulk_create(
            Entity.regions.through(entity_id=e.pk, region_id=r.pk) for e, r in entity_regions
        )

        # Policies.
        issuers, weights = _issuers(entities)
        taken: set[str] = set()
        policies, policy_themes = [], []
        for _n in range(scale["policies"]):
            issuer = rng.choices(issuers, weights)[0]
            fields = _policy_fields(rng, issuer, rng.randint(1995, 2026))
            key = unique_key(fields["title_en"], taken)
            taken.add(key)
            policy = PolicyInstrument(
                id=_uuid(rng),
                key=key,
                issuer=issuer.entity,
                issuer_country=issuer.country,
                url=f"https://example.org/policies/{key}",
                source_url=f"https://example.org/sources/{key}",
                **fields,
            )
            policies.append(policy)
            policy_themes += [(policy, t) for t in rng.sample(themes, rng.randint(1, 3))]
        PolicyInstrument.objects.bulk_create(policies, batch_size=1000)
        PolicyInstrument.themes.through.objects.bulk_create(
            (
                PolicyInstrument.themes.through(policyinstrument_id=p.pk, theme_id=t.pk)
                for p, t in policy_themes
            ),
            batch_size=2000,
        )
    timings["records_seconds"] = round(time.perf_counter() - started, 1)

    # A brief for every entity, written from its data as the service writes it.
    started = time.perf_counter()
    with transaction.atomic():
        brief_rows, versions = [], []
        today = date(2026, 12, 1)
        for entity in Entity.objects.prefetch_related("facts").order_by("key"):
            final = rng.random() < BRIEFS_FINAL
            brief = Brief(id=_uuid(rng), entity=entity, current_number=1)
            version = BriefVersion(
                id=_uuid(rng),
                brief=brief,
                number=1,
                status="final" if final else "draft",
                sections=briefs.write_sections(entity),
                profile=briefs.write_profile(entity),
                created_by=officer,
                final_on=today if final else None,
            )
            brief.current_status = version.status
            brief.current_missing = len(briefs.missing_sections(version))
            brief_rows.append(brief)
            versions.append(version)
        Brief.objects.bulk_create(brief_rows, batch_size=500)
        BriefVersion.objects.bulk_create(versions, batch_size=200)
    timings["briefs_seconds"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    entries = search.reindex()
    timings["reindex_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    timings["analyze_seconds"] = round(time.perf_counter() - started, 1)
    return {"officer": officer, "search_entries": entries, "timings": timings}


def data_sizes() -> dict[str, Any]:
    from django.db.models import Count

    from orienta.knowledge.models import (
        BriefVersion,
        Entity,
        EntityFact,
        EntityMember,
        PolicyInstrument,
        Region,
        SearchEntry,
        Theme,
    )

    issued = Entity.objects.annotate(n=Count("policies")).values_list("n", flat=True)
    issued = sorted(issued)
    fact_lengths = [
        len(en) + len(fr) for en, fr in EntityFact.objects.values_list("text_en", "text_fr")
    ]
    documents = [len(d) for d in SearchEntry.objects.values_list("document", flat=True)]
    return {
        "themes": Theme.objects.count(),
        "regions": Region.objects.count(),
        "entities": Entity.objects.count(),
        "entities_by_kind": dict(Entity.objects.values_list("kind").annotate(n=Count("pk"))),
        "facts": EntityFact.objects.count(),
        "fact_chars_en_fr_median": statistics.median(fact_lengths),
        "members": EntityMember.objects.count(),
        "policies": PolicyInstrument.objects.count(),
        "policies_by_entities": PolicyInstrument.objects.filter(issuer__isnull=False).count(),
        "policies_per_entity": {
            "min": issued[0],
            "median": statistics.median(issued),
            "max": issued[-1],
        },
        "policy_theme_links": PolicyInstrument.themes.through.objects.count(),
        "brief_versions": BriefVersion.objects.count(),
        "brief_versions_by_status": dict(
            BriefVersion.objects.values_list("status").annotate(n=Count("pk"))
        ),
        "search_entries": len(documents),
        "search_chars": sum(documents),
    }


def import_file(rng: random.Random, rows: int, *, bad_last_row: bool) -> bytes:
    """A CSV of `rows` new policies in the import's columns, without keys (each gets one made
    from its English title), issued by entities and countries; with `bad_last_row`, the last
    row has a level that does not exist."""
    from orienta.knowledge.models import Entity, Theme
    from orienta.knowledge.policy_io import COLUMNS

    entities = list(Entity.objects.order_by("key"))
    themes = list(Theme.objects.values_list("code", flat=True))
    issuers, weights = _issuers(entities)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS))
    for n in range(rows):
        issuer = rng.choices(issuers, weights)[0]
        fields = _policy_fields(rng, issuer, rng.randint(1995, 2026))
        fields["title_en"] = f"{fields['title_en']} — annex {n + 1}"
        if bad_last_row and n == rows - 1:
            fields["level"] = "galactic"
        cells = {
            **fields,
            "key": "",
            "issuer": issuer.entity.key if issuer.entity else issuer.country,
            "themes": rng.sample(themes, rng.randint(1, 3)),
            "url": "",
            "source_url": "",
        }
        writer.writerow([_cell(cells.get(column, "")) for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- Measures ----------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest rank: the smallest sample with at least q of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "median": round(statistics.median(samples), 2),
        "p95": round(percentile(samples, 0.95), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
    }


@dataclass
class Measure:
    group: str
    name: str
    call: Callable[[], Any]
    repeat: int
    warm: int
    target_ms: float
    target_on: str  # "p95" or "median"
    note: str
    after: Callable[[Any], None] | None = None  # untimed, after each call (a check, a clean-up)


def run_measure(measure: Measure, runs: int | None) -> dict[str, Any]:
    """Milliseconds of the repeated calls, after the warm-up calls; the queries of the last
    warm-up call."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # Django keeps the last 9,000 queries: an import makes more (three a row).
    connection.queries_log = deque(maxlen=1_000_000)
    queries = None
    result = None
    for index in range(measure.warm):
        if index == measure.warm - 1:
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                result = measure.call()
            queries = len(captured.captured_queries)
        else:
            result = measure.call()
        if measure.after:
            measure.after(result)
    samples = []
    for _ in range(runs or measure.repeat):
        started = time.perf_counter()
        result = measure.call()
        samples.append((time.perf_counter() - started) * 1000)
        if measure.after:
            measure.after(result)
    entry: dict[str, Any] = {
        "group": measure.group,
        "ms": summary(samples),
        "target_ms": measure.target_ms,
        "target_on": measure.target_on,
        "note": measure.note,
        "queries": queries,
        "samples_ms": [round(sample, 2) for sample in samples],
    }
    if isinstance(result, bytes):
        entry["bytes"] = len(result)
        if result.startswith(b"%PDF"):
            entry["pages"] = pdf_pages(result)
    elif hasattr(result, "content"):
        entry["bytes"] = len(result.content)
    return entry


def pdf_pages(data: bytes) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(data)).pages)


def plan(data: dict[str, Any], scale: dict[str, int], quick: bool) -> list[Measure]:
    from django.db.models import Count
    from django.test import Client

    from orienta.knowledge import (
        brief_documents,
        briefs,
        exports,
        policies,
        policy_io,
        search,
        services,
    )
    from orienta.knowledge import matrix as matrices
    from orienta.knowledge.models import BriefVersion, Entity, PolicyInstrument, Region, Theme

    officer = data["officer"]
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    fast, search_runs, slow = (10, 20, 2) if quick else (30, 60, 5)

    def get(url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    # The entity that issues the most policies: its page lists them all, its brief 30.
    heaviest = Entity.objects.annotate(n=Count("policies")).order_by("-n", "key").first()
    assert heaviest is not None
    issued = heaviest.policies.count()
    theme = Theme.objects.order_by("order").first()
    region = Region.objects.order_by("order").first()
    assert theme is not None and region is not None
    version = (
        BriefVersion.objects.select_related("brief__entity")
        .filter(brief__entity=heaviest)
        .order_by("-number")
        .first()
    )
    assert version is not None
    drafts = list(
        Entity.objects.filter(brief__current_status="draft").exclude(pk=heaviest.pk).order_by("key")
    )
    policy = PolicyInstrument.objects.filter(issuer=heaviest).order_by("key").first()
    assert policy is not None
    matches = {name: len(search.search(q, limit=1_000_000)) for name, q in QUERIES.items()}
    counter = {"fact": 0, "policy": 0, "brief": 0}

    def save_fact() -> Any:
        counter["fact"] += 1
        n = counter["fact"]
        return services.save_fact(
            acting_user=officer,
            entity=heaviest,
            field="mandate",
            text_en=f"Edit {n}. " + ENGLISH.paragraph(random.Random(n)),
            text_fr=f"Modification {n}. " + FRENCH.paragraph(random.Random(n)),
            confidence="secondary",
            source_reference="Secretariat website",
            source_url="https://example.org/mandate",
            source_accessed=date(2026, 11, 1),
        )

    def save_policy() -> Any:
        counter["policy"] += 1
        row = policy_io.policy_row(
            PolicyInstrument.objects.select_related("issuer").get(pk=policy.pk)
        )
        row["summary_en"] = f"Edit {counter['policy']}. {row['summary_en']}"
        return policies.save_policy(acting_user=officer, data=row, policy=policy)

    def write_brief() -> Any:
        entity = drafts[counter["brief"] % len(drafts)]
        counter["brief"] += 1
        return briefs.write_from_data(acting_user=officer, entity=entity)

    # The imports: new policies (taken out again after each run, untimed), and the same with a
    # bad last row (nothing written).
    rows = scale["import_rows"]
    good = import_file(random.Random(SEED + 2), rows, bad_last_row=False)
    bad = import_file(random.Random(SEED + 3), rows, bad_last_row=True)
    before = set(PolicyInstrument.objects.values_list("key", flat=True))

    def imported(result: Any) -> None:
        assert result.imported and result.created == rows, result.problems[:3]
        remove_new_policies(before)

    def refused(result: Any) -> None:
        assert not result.imported and len(result.problems) == 1, result.problems[:3]
        assert result.problems[0].row == rows + 1, result.problems[0]
        assert PolicyInstrument.objects.count() == len(before)

    every = policies.filtered(policies.Filters())
    entity_url = f"/knowledge/entities/{heaviest.key}/"
    n_entities = scale["entities"]
    n_policies = PolicyInstrument.objects.count()
    measures = [
        Measure(
            "search",
            f"search_{name}",
            lambda q=q: search.search(q),
            search_runs,
            3,
            100,
            "p95",
            f"search.search({q!r}): {matches[name]:,} matching entries",
        )
        for name, q in QUERIES.items()
    ]
    pages = [
        ("entity_list", "/knowledge/", 300, f"{n_entities} entities"),
        ("matrix", "/knowledge/matrix/", 300, f"{n_entities} rows × themes"),
        ("policy_list", "/knowledge/policies/", 300, f"{n_policies:,} policies, page 1"),
        (
            "policy_list_theme",
            f"/knowledge/policies/?theme={theme.code}",
            300,
            f"theme {theme.code}",
        ),
        (
            "policy_list_text_french",
            f"/knowledge/policies/?q={QUERIES['french_word']}",
            300,
            "a French word",
        ),
        (
            "policy_list_text_common",
            f"/knowledge/policies/?q={QUERIES['common_word']}",
            300,
            f"a word in nearly every policy (capped at {policies.TEXT_MATCHES:,} matches)",
        ),
        ("entity_page", entity_url, 200, f"{heaviest.key}: 11 facts, members, {issued} policies"),
        ("brief_page", f"{entity_url}brief/", 200, f"{heaviest.key}, version {version.number}"),
    ]
    measures += [
        Measure("pages", name, get(url), fast, 3, target, "p95", f"GET {url} ({note})")
        for name, url, target, note in pages
    ]
    measures += [
        Measure(
            "edits",
            "save_fact",
            save_fact,
            fast,
            2,
            150,
            "p95",
            f"services.save_fact: the mandate of {heaviest.key}, EN and FR changed, with its "
            "search entries (entity and brief)",
        ),
        Measure(
            "edits",
            "save_policy",
            save_policy,
            fast,
            2,
            150,
            "p95",
            f"policies.save_policy: the English summary of {policy.key}, with its search entry",
        ),
        Measure(
            "briefs",
            "write_from_data",
            write_brief,
            fast,
            2,
            500,
            "p95",
            "briefs.write_from_data: a draft written again, a different entity each time",
        ),
        Measure(
            "documents",
            "matrix_xlsx",
            lambda: exports.matrix_xlsx(matrices.build("theme"), language="fr"),
            slow,
            1,
            3000,
            "median",
            f"matrix.build + exports.matrix_xlsx, {n_entities} rows × themes",
        ),
        Measure(
            "documents",
            "matrix_pdf",
            lambda: exports.matrix_pdf(
                matrices.build("theme"), exports.describe_filters(), language="fr"
            ),
            slow,
            1,
            20_000,
            "median",
            f"matrix.build + exports.matrix_pdf, {n_entities} rows × themes",
        ),
        Measure(
            "documents",
            "mapping_report_all",
            lambda: exports.mapping_report_pdf(language="fr"),
            slow,
            1,
            60_000,
            "median",
            f"exports.mapping_report_pdf, every entity ({n_entities})",
        ),
        Measure(
            "documents",
            "mapping_report_region",
            lambda: exports.mapping_report_pdf(region=region.code, language="fr"),
            slow,
            1,
            15_000,
            "median",
            f"exports.mapping_report_pdf(region={region.code!r}): "
            f"{matrices.filtered(region=region.code).count()} entities",
        ),
        Measure(
            "documents",
            "brief_pdf",
            lambda: brief_documents.brief_pdf(version, "fr"),
            slow,
            1,
            5000,
            "median",
            f"brief_documents.brief_pdf, {heaviest.key} v{version.number}, French",
        ),
        Measure(
            "documents",
            "brief_docx",
            lambda: brief_documents.brief_docx(version, "fr"),
            slow,
            1,
            2000,
            "median",
            f"brief_documents.brief_docx, {heaviest.key} v{version.number}, French",
        ),
        Measure(
            "files",
            "export_csv",
            lambda: policy_io.export_policies(every, "csv"),
            slow,
            1,
            15_000,
            "median",
            f"policy_io.export_policies, {n_policies:,} policies, CSV",
        ),
        Measure(
            "files",
            "export_xlsx",
            lambda: policy_io.export_policies(every, "xlsx"),
            slow,
            1,
            15_000,
            "median",
            f"policy_io.export_policies, {n_policies:,} policies, XLSX",
        ),
        Measure(
            "files",
            "import_new",
            lambda: policy_io.import_policies(acting_user=officer, name="new.csv", data=good),
            slow,
            1,
            15_000,
            "median",
            f"policy_io.import_policies, {rows:,} new policies ({len(good):,} bytes of CSV), "
            "taken out again after each run",
            after=imported,
        ),
        Measure(
            "files",
            "import_bad_last_row",
            lambda: policy_io.import_policies(acting_user=officer, name="bad.csv", data=bad),
            slow,
            1,
            15_000,
            "median",
            f"policy_io.import_policies, {rows:,} rows, the last one bad: nothing written",
            after=refused,
        ),
    ]
    return measures


def remove_new_policies(before: set[str]) -> None:
    """Take out the policies an import made, and their search entries."""
    from django.db import transaction

    from orienta.knowledge.models import PolicyInstrument, SearchEntry

    with transaction.atomic():
        keys = sorted(set(PolicyInstrument.objects.values_list("key", flat=True)) - before)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            PolicyInstrument.objects.filter(key__in=chunk).delete()
            SearchEntry.objects.filter(kind="policy", key__in=chunk).delete()


# --- Report ------------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    head = ("measure", "n", "median", "p95", "min–max", "target", "ratio", "met", "queries")
    rows = [head]

    def shown(ms: float, seconds: bool) -> str:
        return f"{ms / 1000:.2f} s" if seconds else f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"

    for name, entry in results.items():
        if "error" in entry:
            rows.append((name, "—", "FAILED", "", entry["error"][:60], "", "", "", ""))
            continue
        ms, target = entry["ms"], entry["target_ms"]
        seconds = target >= 1000
        value = ms["p95"] if entry["target_on"] == "p95" else ms["median"]
        rows.append(
            (
                name,
                str(ms["n"]),
                shown(ms["median"], seconds),
                shown(ms["p95"], seconds),
                f"{shown(ms['min'], seconds)} – {shown(ms['max'], seconds)}",
                f"{'p95 ' if entry['target_on'] == 'p95' else ''}≤ {shown(target, seconds)}",
                f"{value / target:.2f}",
                "yes" if value <= target else "NO",
                "" if entry["queries"] is None else str(entry["queries"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def machine(database: str) -> dict[str, Any]:
    from django.db import connection

    server = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0]
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": connection.vendor,
        "database_server": re.sub(r" on .*", "", str(server)),
        "chosen": database,
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default=PG_KNOWLEDGE,
        help=f"PostgreSQL database, dropped and re-created (default {PG_KNOWLEDGE})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="50 entities, 2,000 policies, a 500-row import, fewer repetitions: a smoke run",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="repetitions of every measure (default: 60 searches, 30 pages, edits and briefs, "
        "5 documents, exports and imports)",
    )
    parser.add_argument(
        "--only",
        help="measure only these (comma-separated measure or group names: search, pages, edits, "
        "briefs, documents, files)",
    )
    parser.add_argument("--home", help="ORIENTA_HOME to build in (SQLite; default a temp dir)")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    if args.database == "postgres":
        _recreate_database(args.database_url)
    _django(args)
    from django.core.management import call_command
    from django.utils import translation

    from orienta.accounts.models import User

    call_command("migrate", verbosity=0)
    if User.objects.filter(email=OFFICER).exists():
        parser.error("this database already holds a knowledge bench: give a fresh --home")
    begun = time.perf_counter()
    print(f"building the data on {args.database} (ORIENTA_HOME {os.environ['ORIENTA_HOME']}) ...")
    with translation.override("fr"):
        data = build(random.Random(SEED), scale)
    sizes = data_sizes()
    print(f"built: {json.dumps(data['timings'])}\n{json.dumps(sizes, default=str)}")
    facts = machine(args.database)
    print(
        f"{facts['platform']}, {facts['cpus']} CPUs, Python {facts['python']}, "
        f"{facts['database_server']}, {facts['date']}"
    )
    results: dict[str, Any] = {}
    with translation.override("fr"):  # the interface language of the pages and documents
        for measure in plan(data, scale, args.quick):
            if args.only and not {measure.name, measure.group} & set(args.only.split(",")):
                continue
            print(f"  {measure.name} ...", end="", flush=True)
            try:
                results[measure.name] = run_measure(measure, args.runs)
            except Exception as failure:  # report, do not stop the other measures
                import traceback

                print(" FAILED")
                traceback.print_exc()
                results[measure.name] = {
                    "group": measure.group,
                    "error": repr(failure)[:2000],
                    "note": measure.note,
                }
                continue
            entry = results[measure.name]
            print(f" median {entry['ms']['median']:.1f} ms, p95 {entry['ms']['p95']:.1f} ms")
    total = round(time.perf_counter() - begun)
    print()
    print(table(results))
    for name, entry in results.items():
        extra = [f"{entry['pages']} pages"] if entry.get("pages") else []
        extra += [f"{entry['bytes']:,} bytes"] if entry.get("bytes") else []
        print(f"  {name}: {entry['note']}" + (f" ({', '.join(extra)})" if extra else ""))
    print(f"total {total} s (build included)")
    # A smoke run or a partial one does not overwrite the full result.
    suffix = ("-quick" if args.quick else "") + ("-partial" if args.only else "")
    out = ROOT / "bench" / "results" / f"knowledge-{args.database}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": facts,
                "scale": scale,
                "runs": args.runs,
                "build": data["timings"],
                "total_seconds": total,
                "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
                "data": sizes,
                "results": results,
            },
            indent=2,
            default=str,
            ensure_ascii=False,
        )
    )
    print(f"written to {out}")
    if not args.home:  # the temporary ORIENTA_HOME this run made
        from django.db import connections

        connections.close_all()
        shutil.rmtree(os.environ["ORIENTA_HOME"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
