"""The closed lists of reintegration records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The three dimensions of sustainable reintegration (IOM, 2017)."""

    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class ComponentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    DISCONTINUED = "discontinued", _("Discontinued")


class AssistanceType(models.TextChoices):
    CASH_GRANT = "cash_grant", _("Cash grant")
    BUSINESS_START_UP = "business_start_up", _("Business start-up support")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    JOB_PLACEMENT = "job_placement", _("Job placement")
    HOUSING = "housing", _("Housing")
    MEDICAL_CARE = "medical_care", _("Medical care")
    PSYCHOSOCIAL_COUNSELLING = "psychosocial_counselling", _("Psychosocial counselling")
    EDUCATION = "education", _("Education")
    LEGAL_AID = "legal_aid", _("Legal aid")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    OTHER = "other", _("Other")


class AssistanceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ConfigurationStatus(models.TextChoices):
    """A draft is edited; in force is the one weight set that scores; retired is history.
    Only a draft may change: a configuration that has scored anything is frozen."""

    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    RETIRED = "retired", _("Retired")


class AnswerType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")


class Direction(models.TextChoices):
    """For a number: whether a higher answer means a better situation."""

    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")


#: The default survey rounds, in months after arrival: baseline, 3, 6 and 12 months.
DEFAULT_ROUNDS = [0, 3, 6, 12]
