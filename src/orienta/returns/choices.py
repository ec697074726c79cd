"""The fixed vocabularies of returns and reception."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryPointKind(models.TextChoices):
    AIRPORT = "airport", _("Airport")
    SEAPORT = "seaport", _("Seaport")
    LAND = "land", _("Land border crossing")


class Mode(models.TextChoices):
    FLIGHT = "flight", _("Flight")
    BOAT = "boat", _("Boat")
    LAND = "land", _("Land convoy")


class ProtocolStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    DRAFT = "draft", _("Draft")
    NONE = "none", _("No protocol")
    OBSOLETE = "obsolete", _("Obsolete")


class Verification(models.TextChoices):
    VERIFIED = "verified", _("Verified in the text")
    SECONDARY = "secondary", _("From a secondary source: to be confirmed")
    UNVERIFIED = "unverified", _("Not verified: to be confirmed")


class RuleKind(models.TextChoices):
    HOURS = "hours", _("Allowed days and hours")
    ENTRY_POINTS = "entry_points", _("Allowed entry points")
    ADVANCE_NOTICE = "advance_notice", _("Advance notice and list")
    FAMILY_UNITY = "family_unity", _("Family unity")
    UNACCOMPANIED_CHILDREN = "unaccompanied_children", _("Unaccompanied children")
    VULNERABLE_PERSONS = "vulnerable_persons", _("Pregnant, sick and older people")
    GROUP_SIZE = "group_size", _("Maximum group size")
    DETENTION = "detention", _("Maximum days in detention")
    REMOVAL_ORDER = "removal_order", _("Copy of the removal order")
    BELONGINGS = "belongings", _("Belongings and documents returned")
    CONSULAR_ACCESS = "consular_access", _("Consular access")
    DIGNITY = "dignity", _("Human rights and dignity")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class MovementStatus(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    ARRIVED = "arrived", _("Arrived")
    CLOSED = "closed", _("Reception closed")
    CANCELLED = "cancelled", _("Cancelled")


class RowStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult (18–59)")
    OLDER = "older", _("Older person (60 and over)")
    UNKNOWN = "unknown", _("Unknown")


class Accompaniment(models.TextChoices):
    ALONE = "alone", _("Alone (adult)")
    WITH_FAMILY = "with_family", _("With family")
    UNACCOMPANIED = "unaccompanied", _("Unaccompanied child")
    SEPARATED = "separated", _("Separated child (with another adult)")


class Documents(models.TextChoices):
    ID_CARD = "id_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other document")
    NONE = "none", _("No document")


class AssistanceKind(models.TextChoices):
    WATER_FOOD = "water_food", _("Water and food")
    HYGIENE_KIT = "hygiene_kit", _("Hygiene kit")
    TRANSPORT = "transport", _("Transport allowance")
    PHONE_CALL = "phone_call", _("Phone call")
    FIRST_AID = "first_aid", _("First aid")


class Condition(models.TextChoices):
    """Profile conditions a reception SOP rule applies to."""

    EVERYONE = "everyone", _("Everyone")
    CHILD = "child", _("Any child")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    NO_DOCUMENTS = "no_documents", _("No identity document")
    FOREIGN_NATIONAL = "foreign_national", _("Foreign national")
    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
    PREGNANT = "pregnant", _("Pregnant woman")
    DISABILITY = "disability", _("Person with a disability")
    OLDER_PERSON = "older_person", _("Older person")
    ABUSE_REPORTED = "abuse_reported", _("Abuse reported")
    CRIMINAL_RECORD = "criminal_record", _("Criminal-record notice")
    REPEAT_RETURN = "repeat_return", _("Repeat return")


class SopStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class ViolationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    CONTESTED = "contested", _("Contested")
    CLEARED = "cleared", _("No longer detected")


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    CONTEST = "contest", _("Contested")
    CONFIRM = "confirm", _("Confirmed")
