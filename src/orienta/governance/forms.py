"""Forms of the governance pages. They parse and check shapes; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import Organisation
from orienta.governance.choices import ApprovalDecision, FindingKind, Treatment, VersionStatus
from orienta.governance.models import (
    ActionItem,
    Committee,
    CommitteeMembership,
    Document,
    DocumentVersion,
    Event,
    Mou,
    MouParty,
    Participant,
    RoadmapAction,
)
from orienta.referrals.choices import AgreementPurpose, FieldGroup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MARKDOWN = forms.Textarea(attrs={"rows": 14, "class": "font-monospace"})
# Uploaded documents, comment attachments: what a ministry sends by mail, at most 20 MB.
MAX_UPLOAD = 20 * 1024 * 1024
ALLOWED_UPLOADS = (".pdf", ".docx", ".doc", ".odt", ".xlsx", ".pptx", ".txt", ".md", ".png", ".jpg")


def organisations() -> Any:
    return Organisation.objects.order_by("name")


def check_upload(upload: Any) -> Any:
    if not upload:
        return upload
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    if not upload.name.lower().endswith(ALLOWED_UPLOADS):
        raise forms.ValidationError(
            _("Attach a PDF, Word, OpenDocument, Excel, PowerPoint, text or image file.")
        )
    return upload


class CommitteeForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = ["name", "acronym", "kind", "country", "parent", "terms_of_reference"]
        widgets = {"terms_of_reference": MARKDOWN}

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (  # type: ignore[attr-defined]
            parents if parents is not None else Committee.objects.none()
        )


class MembershipForm(forms.ModelForm):
    class Meta:
        model = CommitteeMembership
        fields = [
            "organisation",
            "role",
            "representative",
            "representative_title",
            "invited_on",
            "confirmed_on",
            "declined_on",
        ]
        widgets = {"invited_on": DATE, "confirmed_on": DATE, "declined_on": DATE}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations()  # type: ignore[attr-defined]
        if editing:
            del self.fields["organisation"]

    def validate_unique(self) -> None:
        """The service says when an organisation already sits on the committee."""


class DocumentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_kind_display()})"


class EventForm(forms.ModelForm):
    documents = DocumentChoices(
        label=_("Documents discussed"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "level",
            "title",
            "held_on",
            "place",
            "status",
            "agenda",
            "minutes",
            "documents",
        ]
        widgets = {"held_on": DATE, "agenda": MARKDOWN, "minutes": MARKDOWN}

    def __init__(self, *args: Any, committee: Committee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = committee.documents.order_by("kind", "title")  # type: ignore[attr-defined]


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["full_name", "organisation", "organisation_name", "category", "sex", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations()  # type: ignore[attr-defined]


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["text", "owner", "due_on", "status", "follow_up"]
        widgets = {"due_on": DATE, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations()  # type: ignore[attr-defined]


class DocumentForm(forms.ModelForm):
    content = forms.CharField(label=_("Content (Markdown)"), widget=MARKDOWN, required=False)
    file = forms.FileField(label=_("File"), required=False, validators=[check_upload])

    class Meta:
        model = Document
        fields = ["kind", "title", "audience", "language"]


class VersionForm(forms.Form):
    content = forms.CharField(label=_("Content (Markdown)"), widget=MARKDOWN, required=False)
    file = forms.FileField(label=_("File"), required=False, validators=[check_upload])
    change_summary = forms.CharField(
        label=_("What changed"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=VersionStatus.choices)
    consultation_until = forms.DateField(label=_("Comments until"), required=False, widget=DATE)
    validated_on = forms.DateField(label=_("Validated on"), required=False, widget=DATE)
    validated_by = forms.CharField(label=_("Validated by"), required=False, max_length=200)
    validation_event = forms.ModelChoiceField(
        label=_("Validation event"), queryset=Event.objects.none(), required=False
    )

    def __init__(self, *args: Any, version: DocumentVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["validation_event"].queryset = version.document.committee.events.order_by(  # type: ignore[attr-defined]
            "-held_on"
        )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CommentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none()
    )
    section = forms.CharField(label=_("Section"), required=False, max_length=200)
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[check_upload])

    def __init__(self, *args: Any, voices: Any, sections: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = voices  # type: ignore[attr-defined]
        only = list(voices[:2])
        if len(only) == 1:
            self.fields["organisation"].initial = only[0].pk
        if sections:
            self.fields["section"].widget = forms.Select(
                choices=[("", _("The whole document"))] + [(s, s) for s in sections]
            )


class TreatmentForm(forms.Form):
    treatment = forms.ChoiceField(label=_("Treatment"), choices=Treatment.choices)
    integrated_in = forms.ModelChoiceField(
        label=_("Integrated in version"), queryset=DocumentVersion.objects.none(), required=False
    )
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, later: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["integrated_in"].queryset = later  # type: ignore[attr-defined]
        self.fields["integrated_in"].label_from_instance = lambda v: (  # type: ignore[attr-defined]
            _("Version %(n)s") % {"n": v.number}
        )


class ApprovalForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none()
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=ApprovalDecision.choices)
    remarks = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    given_by = forms.CharField(label=_("Given by"), required=False, max_length=200)
    given_on = forms.DateField(label=_("Given on"), required=False, widget=DATE)

    def __init__(self, *args: Any, voices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = voices  # type: ignore[attr-defined]


class MouForm(forms.ModelForm):
    class Meta:
        model = Mou
        fields = [
            "context",
            "target_group",
            "coordination",
            "funding",
            "duration",
            "starts_on",
            "ends_on",
            "confidentiality",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in (
                    "context",
                    "target_group",
                    "coordination",
                    "funding",
                    "duration",
                    "confidentiality",
                )
            },
        }


class PartyForm(forms.ModelForm):
    class Meta:
        model = MouParty
        fields = ["organisation", "responsibilities", "signatory", "signatory_title", "signed_on"]
        widgets = {"signed_on": DATE, "responsibilities": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations()  # type: ignore[attr-defined]
        self.fields["responsibilities"].help_text = _(
            "Left empty, it is drawn from the directory: the organisation's mandate and services."
        )

    def validate_unique(self) -> None:
        """A second save for the same organisation changes its line (see mou.save_party)."""


class ClauseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=AgreementPurpose.choices, widget=forms.CheckboxSelectMultiple
    )
    field_groups = forms.MultipleChoiceField(
        label=_("Data that may be shared"),
        choices=FieldGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, mou: Mou, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=mou.parties.values("organisation")
        ).order_by("name")


class RoadmapActionForm(forms.ModelForm):
    class Meta:
        model = RoadmapAction
        fields = [
            "priority",
            "title",
            "owner",
            "starts_on",
            "ends_on",
            "status",
            "progress",
            "depends_on",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(
        self, *args: Any, committee: Committee, editing: RoadmapAction | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = committee.priorities.all()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = organisations()  # type: ignore[attr-defined]
        others = RoadmapAction.objects.filter(priority__committee=committee)
        if editing is not None:
            others = others.exclude(pk=editing.pk)
        self.fields["depends_on"].queryset = others  # type: ignore[attr-defined]
        self.fields["depends_on"].required = False
