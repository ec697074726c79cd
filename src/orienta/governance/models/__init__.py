from orienta.governance.models.bodies import Committee, CommitteeMembership
from orienta.governance.models.documents import (
    Approval,
    Comment,
    Document,
    DocumentVersion,
    Finding,
)
from orienta.governance.models.events import ActionItem, Decision, Event, Participant
from orienta.governance.models.mou import DataSharingClause, Mou, MouParty
from orienta.governance.models.roadmap import Priority, RoadmapAction

__all__ = [
    "ActionItem",
    "Approval",
    "Comment",
    "Committee",
    "CommitteeMembership",
    "DataSharingClause",
    "Decision",
    "Document",
    "DocumentVersion",
    "Event",
    "Finding",
    "Mou",
    "MouParty",
    "Participant",
    "Priority",
    "RoadmapAction",
]
