from orienta.knowledge.models.briefs import Brief, BriefVersion
from orienta.knowledge.models.entities import Entity, EntityFact, EntityMember
from orienta.knowledge.models.policies import PolicyInstrument
from orienta.knowledge.models.search import SearchEntry
from orienta.knowledge.models.taxonomy import Region, Theme

__all__ = [
    "Brief",
    "BriefVersion",
    "Entity",
    "EntityFact",
    "EntityMember",
    "PolicyInstrument",
    "Region",
    "SearchEntry",
    "Theme",
]
