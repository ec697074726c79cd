"""The closed lists of the knowledge base."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityKind(models.TextChoices):
    REGIONAL_ORGANISATION = "regional_organisation", _("Regional organisation")
    ECONOMIC_COMMUNITY = "economic_community", _("Economic community")
    DEVELOPMENT_BANK = "development_bank", _("Development bank")
    HEALTH_BODY = "health_body", _("Health body")
    INTERREGIONAL_DIALOGUE = "interregional_dialogue", _("Interregional dialogue")
    CONSULTATIVE_PROCESS = "regional_consultative_process", _("Regional consultative process")


# Dialogues and consultative processes get the dialogue brief; the others the entity brief.
DIALOGUE_KINDS = (EntityKind.INTERREGIONAL_DIALOGUE, EntityKind.CONSULTATIVE_PROCESS)


class Confidence(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    SECONDARY = "secondary", _("Secondary source")
    UNVERIFIED = "unverified", _("Unverified")


class FactField(models.TextChoices):
    MANDATE = "mandate", _("Mandate")
    GOVERNANCE_MODEL = "governance_model", _("Governance model")
    FINANCIAL_MODEL = "financial_model", _("Financial model")
    PRIORITIES = "priorities", _("Priorities for the next five years")
    IOM_HISTORY = "iom_history", _("History of collaboration with IOM")
    UN_COLLABORATION = "un_collaboration", _("Collaboration with other UN entities")
    FRAMEWORKS = "frameworks", _("Links with other multilateral frameworks")
    ENGAGEMENT = "engagement_opportunities", _("Engagement opportunities")
    RECOMMENDATIONS = "recommendations", _("Recommendations")
    CLIMATE_MOBILITY = "climate_mobility", _("Climate action and mobility")
    DATA = "data", _("Data")


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class PolicyLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    INTERREGIONAL = "interregional", _("Interregional")


class PolicyType(models.TextChoices):
    DECLARATION = "declaration", _("Declaration")
    STRATEGY = "strategy", _("Strategy")
    LAW = "law", _("Law")
    ACTION_PLAN = "action_plan", _("Action plan")
    MOU = "mou", _("Memorandum of understanding")
    NDC_NAP = "ndc_nap", _("NDC / NAP")
    DRR_STRATEGY = "drr_strategy", _("Disaster risk reduction strategy")


class PolicyStatus(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    IN_FORCE = "in_force", _("In force")
    DRAFT = "draft", _("Draft")
    EXPIRED = "expired", _("Expired")


class Mobility(models.TextChoices):
    MIGRATION = "migration", _("Migration")
    DISPLACEMENT = "displacement", _("Displacement")
    PLANNED_RELOCATION = "planned_relocation", _("Planned relocation")


class Hazard(models.TextChoices):
    SUDDEN_ONSET = "sudden_onset", _("Sudden-onset hazard")
    SLOW_ONSET = "slow_onset", _("Slow-onset hazard")
    ENVIRONMENTAL_DEGRADATION = "environmental_degradation", _("Environmental degradation")


class BriefStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")
