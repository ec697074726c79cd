"""Forms of the reintegration pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.cases.models import Case
from orienta.directory.models import Organisation
from orienta.referrals.models import Referral
from orienta.reintegration.choices import (
    AnswerType,
    AssistanceStatus,
    AssistanceType,
    ComponentStatus,
    Dimension,
)
from orienta.reintegration.models import CommunityProject, RssConfiguration

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def round_label(months: int) -> str:
    """ "Baseline" for 0, "3 months" otherwise."""
    if months == 0:
        return str(_("Baseline"))
    return str(_("%(months)s months") % {"months": months})


class ComponentsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    economic_objectives = forms.CharField(
        label=_("Economic objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    economic_status = forms.ChoiceField(
        label=_("Economic component: status"), choices=ComponentStatus.choices
    )
    social_objectives = forms.CharField(
        label=_("Social objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    social_status = forms.ChoiceField(
        label=_("Social component: status"), choices=ComponentStatus.choices
    )
    psychosocial_objectives = forms.CharField(
        label=_("Psychosocial objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    psychosocial_status = forms.ChoiceField(
        label=_("Psychosocial component: status"), choices=ComponentStatus.choices
    )


class AssistanceItemForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"), choices=AssistanceType.choices
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Organisation.objects.none(), required=False
    )
    referral = forms.ModelChoiceField(
        label=_("Delivered through the referral"),
        queryset=Referral.objects.none(),
        required=False,
        help_text=_("Only the referrals of this case are offered."),
    )
    in_kind = forms.BooleanField(label=_("In kind (no amount)"), required=False)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3, initial="HTG")
    in_kind_description = forms.CharField(
        label=_("What is given in kind"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=_DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=_DATE)
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=_DATE)
    actual_end = forms.DateField(label=_("Actual end"), required=False, widget=_DATE)
    status = forms.ChoiceField(
        label=_("Status"), choices=AssistanceStatus.choices, initial=AssistanceStatus.PLANNED
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["referral"].queryset = case.referrals.select_related(  # type: ignore[attr-defined]
            "recipient_organisation"
        ).order_by("-created_at")
        self.fields["referral"].label_from_instance = (  # type: ignore[attr-defined]
            lambda r: f"{r.reference} → {r.recipient_organisation}"
        )


class ProjectLinkForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    project = forms.ModelChoiceField(
        label=_("Community project"), queryset=CommunityProject.objects.order_by("name")
    )


class CommunityProjectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    admin_area = forms.CharField(label=_("Administrative area"), max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoundForm(forms.Form):
    """The round's date and interviewer, then one field per question of the questionnaire,
    named q_<code>. Every question may be left unanswered: the indicator is then missing."""

    months = forms.TypedChoiceField(label=_("Round"), coerce=int)
    interviewed_on = forms.DateField(
        label=_("Date of the interview"), widget=_DATE, initial=timezone.localdate
    )
    interviewer = forms.CharField(label=_("Interviewer"), max_length=200)

    def __init__(self, *args: Any, configuration: RssConfiguration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [  # type: ignore[attr-defined]
            (months, round_label(months)) for months in configuration.rounds
        ]
        self.questions = list(configuration.questions.select_related("indicator"))
        for question in self.questions:
            field: forms.Field
            if question.answer_type == AnswerType.NUMBER:
                field = forms.FloatField(
                    min_value=question.minimum, max_value=question.maximum, required=False
                )
            else:
                field = forms.ChoiceField(
                    choices=question.choices(), widget=forms.RadioSelect, required=False
                )
            field.label = question.text
            field.help_text = question.indicator.label
            self.fields[f"q_{question.code}"] = field

    def answers(self) -> dict[str, Any]:
        return {q.code: self.cleaned_data.get(f"q_{q.code}") for q in self.questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.code}"] for q in self.questions]

    def round_fields(self) -> list[forms.BoundField]:
        return [self["months"], self["interviewed_on"], self["interviewer"]]


class DraftForm(forms.Form):
    """The source note, the rounds and both weights of every indicator of a draft."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    weights_source = forms.CharField(
        label=_("Source of the weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            'For example "IOM Reintegration Handbook, Annex 4, p. …". Required to put '
            "the configuration in force."
        ),
    )
    rounds = forms.CharField(
        label=_("Rounds (months after arrival, separated by commas)"), max_length=100
    )

    def __init__(self, *args: Any, configuration: RssConfiguration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(configuration.indicators.all())
        for indicator in self.indicators:
            for prefix, label, value in (
                ("dim", _("Dimension weight"), indicator.dimension_weight),
                ("comp", _("Composite weight"), indicator.composite_weight),
            ):
                self.fields[f"{prefix}_{indicator.code}"] = forms.CharField(
                    label=f"{label} — {indicator.code}",
                    required=False,
                    max_length=20,
                    initial="" if value is None else f"{value.normalize():f}",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
                )

    def weights(self) -> dict[str, tuple[Any, Any]]:
        return {
            i.code: (
                self.cleaned_data.get(f"dim_{i.code}"),
                self.cleaned_data.get(f"comp_{i.code}"),
            )
            for i in self.indicators
        }
