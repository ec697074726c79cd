"""The enumerations of the case file, in one place: forms, API, packs and rules share them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated from a stated age")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    CONSULAR_ID = "consular_id", _("Consular card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document or laissez-passer")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    OTHER = "other", _("Other document")


class DocumentStatus(models.TextChoices):
    HELD = "held", _("Held by the person")
    LOST = "lost", _("Lost")
    CONFISCATED = "confiscated", _("Confiscated")
    RETAINED = "retained", _("Retained by the returning state")
    NONE = "none", _("Never had one")


class Relationship(models.TextChoices):
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    SPOUSE = "spouse", _("Spouse or partner")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    GROUP_MEMBER = "group_member", _("Travelled together, not related")


class CaseKind(models.TextChoices):
    FORCED_RETURN = "forced_return", _("Forced return")
    ASSISTED_VOLUNTARY_RETURN = "assisted_voluntary_return", _("Assisted voluntary return")
    MIGRANT_IN_TRANSIT = "migrant_in_transit", _("Migrant in transit")
    PRESUMED_TRAFFICKING_VICTIM = "presumed_trafficking_victim", _("Presumed victim of trafficking")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    STRANDED_MIGRANT = "stranded_migrant", _("Stranded migrant")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    NEEDS_MET = "needs_met", _("Needs met")
    REFERRED_ONWARD = "referred_onward", _("Handed over to another organisation")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    MOVED_AWAY = "moved_away", _("Moved away or left the country")
    DECLINED = "declined", _("Declined further assistance")
    DECEASED = "deceased", _("Deceased")
    DUPLICATE = "duplicate", _("Duplicate case")
    OTHER = "other", _("Other")


class Accompaniment(models.TextChoices):
    """How a child travelled, the first question child protection asks."""

    WITH_PARENT = "with_parent", _("With a parent or legal guardian")
    SEPARATED = "separated", _("Separated: with another adult relative")
    UNACCOMPANIED = "unaccompanied", _("Unaccompanied: with no adult relative")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical: act today")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("No longer needed")


class Presence(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class Level(models.TextChoices):
    """DoMV's four levels."""

    INDIVIDUAL = "individual", _("Individual")
    HOUSEHOLD = "household", _("Household and family")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


class Polarity(models.TextChoices):
    RISK = "risk", _("Risk factor")
    PROTECTIVE = "protective", _("Protective factor")


class SpecificNeed(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    PREGNANT_OR_LACTATING = "pregnant_or_lactating", _("Pregnant or breastfeeding")
    OLDER_PERSON = "older_person", _("Older person")
    DISABILITY = "disability", _("Disability")
    SERIOUS_MEDICAL_CONDITION = "serious_medical_condition", _("Serious medical condition")
    MENTAL_DISTRESS = "mental_distress", _("Mental distress")
    GBV_SURVIVOR = "gbv_survivor", _("Survivor of gender-based violence")
    TRAFFICKING_INDICATORS = "trafficking_indicators", _("Indicators of trafficking")
    ABUSE_DURING_RETURN = "abuse_during_return", _("Detention or abuse during return")
    NO_DOCUMENTS = "no_documents", _("No identity documents")
    STATELESSNESS_RISK = "statelessness_risk", _("Foreign national or risk of statelessness")


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration and processing of the data")
    REFERRAL = "referral", _("Referral to a service")
    SHARING = "sharing", _("Sharing with a named organisation or a category of services")
    FOLLOW_UP = "follow_up", _("Follow-up contact")


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("The person")
    PARENT_OR_GUARDIAN = "parent_or_guardian", _("Parent or legal guardian")
    APPOINTED_GUARDIAN = "appointed_guardian", _("Guardian appointed for an unaccompanied child")
    BEST_INTERESTS = "best_interests", _("Best-interests procedure")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written and signed")
    VERBAL_CERTIFIED = "verbal_certified", _("Verbal, certified by the caseworker")
    RECORDED = "recorded", _("Audio or video recording")


class Confidentiality(models.TextChoices):
    TEAM = "team", _("Case team: everyone who may open the case")
    RESTRICTED = "restricted", _("Restricted: the author and the case supervisors")


class NoteTopic(models.TextChoices):
    GENERAL = "general", _("General")
    PROTECTION = "protection", _("Protection")
    HEALTH = "health", _("Health")
    GBV = "gbv", _("Gender-based violence")
    TRAFFICKING = "trafficking", _("Trafficking")
    CRIMINAL_RECORD = "criminal_record", _("Criminal-record notice")
    LEGAL = "legal", _("Legal")
