from orienta.cases.models.case import BreakGlassGrant, Case, CaseQuerySet, Episode
from orienta.cases.models.consent import Consent
from orienta.cases.models.notes import CaseNote, Task
from orienta.cases.models.person import (
    FamilyLink,
    IdentityDocument,
    Person,
    PersonQuerySet,
)
from orienta.cases.models.screening import Need, Screening, ScreeningAnswer, ScreeningItem
from orienta.identity.records import document_key

__all__ = [
    "BreakGlassGrant",
    "Case",
    "CaseNote",
    "CaseQuerySet",
    "Consent",
    "Episode",
    "FamilyLink",
    "IdentityDocument",
    "Need",
    "Person",
    "PersonQuerySet",
    "Screening",
    "ScreeningAnswer",
    "ScreeningItem",
    "Task",
    "document_key",
]
