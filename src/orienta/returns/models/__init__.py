from orienta.returns.models.compliance import Violation, ViolationNote
from orienta.returns.models.movement import (
    ColumnMapping,
    ListToken,
    Manifest,
    ManifestRow,
    Movement,
)
from orienta.returns.models.protocol import Protocol, ProtocolRule
from orienta.returns.models.reception import (
    Arrival,
    ArrivalStep,
    Assistance,
    SopRule,
    SopRuleSet,
)
from orienta.returns.models.reference import Consulate, DeportingCountry, EntryPoint, Holiday

__all__ = [
    "Arrival",
    "ArrivalStep",
    "Assistance",
    "ColumnMapping",
    "Consulate",
    "DeportingCountry",
    "EntryPoint",
    "Holiday",
    "ListToken",
    "Manifest",
    "ManifestRow",
    "Movement",
    "Protocol",
    "ProtocolRule",
    "SopRule",
    "SopRuleSet",
    "Violation",
    "ViolationNote",
]
