"""The closed lists of governance records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeKind(models.TextChoices):
    STEERING = "steering", _("Steering committee")
    TECHNICAL = "technical", _("Technical committee")
    WORKING_GROUP = "working_group", _("Working group")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class MembershipStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class EventKind(models.TextChoices):
    KICK_OFF = "kick_off", _("Kick-off meeting")
    COORDINATION = "coordination", _("Coordination meeting")
    COMMITTEE = "committee", _("Committee meeting")
    CONSULTATION = "consultation", _("Consultation workshop")
    VALIDATION = "validation", _("Validation event")
    TRAINING = "training", _("Training")


# Meetings whose count the first phase of the terms of reference asks for.
COORDINATION_KINDS = (EventKind.KICK_OFF, EventKind.COORDINATION)
# Where stakeholders are consulted on drafts.
CONSULTATION_KINDS = (EventKind.CONSULTATION, EventKind.VALIDATION)


class EventLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantCategory(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    DONOR = "donor", _("Donor")
    UN = "un", _("United Nations")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    COMMUNITY = "community", _("Community")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_GIVEN = "not_given", _("Not given")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class DocumentKind(models.TextChoices):
    INCEPTION_REPORT = "inception_report", _("Inception report")
    ASSESSMENT_REPORT = "assessment_report", _("Assessment report")
    ROADMAP = "roadmap", _("Roadmap")
    CONCEPT_NOTE = "concept_note", _("Concept note")
    TERMS_OF_REFERENCE = "terms_of_reference", _("Terms of reference")
    MOU = "mou", _("Memorandum of understanding")
    SOP = "sop", _("Standard operating procedures")
    PROTOCOL = "protocol", _("Protocol")
    RECEPTION_GUIDE = "reception_guide", _("Reception guide")
    INFORMATION_MATERIAL = "information_material", _("Information material")
    TRAINING_MATERIAL = "training_material", _("Training material")
    SUSTAINABILITY_PLAN = "sustainability_plan", _("Sustainability plan")
    WORKSHOP_REPORT = "workshop_report", _("Workshop report")


# The documents on which the fifth phase consults "key stakeholders": procedures and tools.
SOP_AND_TOOL_KINDS = (DocumentKind.SOP, DocumentKind.PROTOCOL, DocumentKind.RECEPTION_GUIDE)
MATERIAL_KINDS = (DocumentKind.INFORMATION_MATERIAL, DocumentKind.TRAINING_MATERIAL)


class Audience(models.TextChoices):
    MIGRANTS = "migrants", _("Migrants and returnees")
    COMMUNITY = "community", _("Community members")
    FRONTLINE = "frontline", _("Frontline workers")
    PARTNERS = "partners", _("Partners of the mechanism")
    GOVERNMENT = "government", _("Government stakeholders")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_CONSULTATION = "in_consultation", _("In consultation")
    FINAL = "final", _("Final")
    VALIDATED = "validated", _("Validated")


# draft → in consultation → final → validated; a draft may also go straight to final.
VERSION_FLOW: dict[str, tuple[str, ...]] = {
    VersionStatus.DRAFT: (VersionStatus.IN_CONSULTATION, VersionStatus.FINAL),
    VersionStatus.IN_CONSULTATION: (VersionStatus.FINAL,),
    VersionStatus.FINAL: (VersionStatus.VALIDATED,),
    VersionStatus.VALIDATED: (),
}


class FindingKind(models.TextChoices):
    GAP = "gap", _("Gap")
    CHALLENGE = "challenge", _("Challenge")
    OPPORTUNITY = "opportunity", _("Opportunity")


class Treatment(models.TextChoices):
    PENDING = "pending", _("Pending")
    INTEGRATED = "integrated", _("Integrated")
    PARTLY = "partly", _("Partly integrated")
    NOT_INTEGRATED = "not_integrated", _("Not integrated")


# Treatments that point to the version which took the comment in.
INTEGRATING = (Treatment.INTEGRATED, Treatment.PARTLY)
# Treatments that must say why the comment was not (wholly) taken in.
JUSTIFIED = (Treatment.PARTLY, Treatment.NOT_INTEGRATED)


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_COMMENTS = "approved_with_comments", _("Approved with comments")
    NOT_APPROVED = "not_approved", _("Not approved")


class MouStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed, in force")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class RoadmapStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")
    DROPPED = "dropped", _("Dropped")
