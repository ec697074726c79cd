from orienta.reintegration.models.plan import AssistanceItem, CommunityProject, ReintegrationPlan
from orienta.reintegration.models.rounds import SurveyRound
from orienta.reintegration.models.survey import RssConfiguration, RssIndicator, RssQuestion

__all__ = [
    "AssistanceItem",
    "CommunityProject",
    "ReintegrationPlan",
    "RssConfiguration",
    "RssIndicator",
    "RssQuestion",
    "SurveyRound",
]
