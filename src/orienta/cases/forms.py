"""The identification form: one page, in sections, for a tablet or a keyboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.cases import services
from orienta.cases.intake import Intake, NeedData
from orienta.cases.models import Person, ScreeningItem
from orienta.cases.models.choices import (
    Accompaniment,
    BirthDatePrecision,
    CaseKind,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    DocumentStatus,
    DocumentType,
    Presence,
    Sex,
    SpecificNeed,
    Urgency,
)
from orienta.cases.registration import DocumentData, EpisodeData, PersonData
from orienta.directory.search import LANGUAGE_NAMES, category_choices

DOCUMENT_ROWS = 2
NEED_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _codes(value: str) -> list[str]:
    return [part.strip().upper() for part in value.replace(";", ",").split(",") if part.strip()]


class CountryField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": 3, "autocapitalize": "characters", "list": "countries"})

    def clean(self, value: Any) -> str:
        value = super().clean(value).strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code (HT, DO, US…)."))
        return value


class RegistrationForm(forms.Form):
    # Arrival
    kind = forms.ChoiceField(
        label=_("Kind of case"), choices=CaseKind.choices, initial=CaseKind.FORCED_RETURN
    )
    arrived_on = forms.DateField(label=_("Date of arrival"), widget=DATE)
    returned_from = CountryField(label=_("Returned from (country code)"))
    entry_point = forms.CharField(label=_("Entry point"), required=False, max_length=120)
    # Identity
    given_name = forms.CharField(label=_("Given names"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150)
    other_names = forms.CharField(
        label=_("Other names and aliases"),
        required=False,
        max_length=300,
        help_text=_("Separate with commas."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date_precision = forms.ChoiceField(
        label=_("The date of birth is"),
        choices=BirthDatePrecision.choices,
        initial=BirthDatePrecision.EXACT,
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    stated_age = forms.IntegerField(
        label=_("Stated age (years)"), required=False, min_value=0, max_value=200
    )
    nationality = CountryField(label=_("Nationality (country code)"))
    other_nationalities = forms.CharField(
        label=_("Other nationalities"), required=False, max_length=60
    )
    statelessness_risk = forms.BooleanField(label=_("Risk of statelessness"), required=False)
    origin_admin1_name = forms.CharField(
        label=_("Department or region of origin"), required=False, max_length=120
    )
    origin_admin2_name = forms.CharField(
        label=_("Commune or district of origin"), required=False, max_length=120
    )
    origin_locality = forms.CharField(label=_("Locality"), required=False, max_length=150)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(LANGUAGE_NAMES.items()),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    # Family
    accompaniment = forms.ChoiceField(
        label=_("For a child: travelling"),
        required=False,
        widget=forms.RadioSelect,
        choices=Accompaniment.choices,
    )
    accompanied_by = forms.ModelChoiceField(
        label=_("Accompanying adult"),
        required=False,
        queryset=Person.objects.none(),
        help_text=_("Adults registered by your organisation in the last two days."),
    )
    existing_person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.HiddenInput
    )
    # Screening
    specific_needs = forms.MultipleChoiceField(
        label=_("Specific needs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=SpecificNeed.choices,
    )
    # Consent to registration (always), follow-up and referral (optional)
    consent_given_by = forms.ChoiceField(
        label=_("Consent given by"), choices=ConsentGiver.choices, initial=ConsentGiver.PERSON
    )
    consent_giver_name = forms.CharField(
        label=_("Name of the parent or guardian"), required=False, max_length=150
    )
    consent_bip_reference = forms.CharField(
        label=_("Best-interests procedure reference"), required=False, max_length=80
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=ConsentMethod.choices,
        initial=ConsentMethod.VERBAL_CERTIFIED,
    )
    consent_script_language = forms.ChoiceField(
        label=_("Script read in"),
        choices=[("fr", "Français"), ("ht", "Kreyòl"), ("en", "English")],
    )
    consent_registration = forms.BooleanField(
        label=_("The person agrees to be registered and to the processing of their data"),
        required=True,
    )
    consent_follow_up = forms.BooleanField(
        label=_("The person agrees to be contacted for follow-up"), required=False
    )
    consent_referral = forms.BooleanField(
        label=_("The person agrees to be referred to services for the needs recorded below"),
        required=False,
    )
    assigned_to: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Caseworker"), required=False, queryset=Person.objects.none()
    )

    def __init__(self, *args: Any, user: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from orienta.accounts.models import Membership, User
        from orienta.accounts.roles import Role

        self.user = user
        self.organisation = organisation
        today = timezone.localdate()
        self.fields["arrived_on"].initial = today
        self.fields["nationality"].initial = organisation.country
        pool = Person.objects.filter(organisation=organisation, anonymised_at__isnull=True)
        self.fields["existing_person"].queryset = pool  # type: ignore[attr-defined]
        self.fields["accompanied_by"].queryset = pool.filter(  # type: ignore[attr-defined]
            created_at__gte=timezone.now() - timedelta(days=2),
            birth_date__lte=today.replace(year=today.year - 18),
        ).order_by("family_name", "given_name")
        workers = Membership.objects.filter(
            organisation=organisation,
            role__in=[Role.CASEWORKER, Role.CASE_SUPERVISOR, Role.RECEPTION_OFFICER],
        ).values("user_id")
        self.fields["assigned_to"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=workers, is_active=True
        ).order_by("full_name")
        self.fields["assigned_to"].initial = user.pk
        self.items = list(
            ScreeningItem.objects.filter(active=True, country__in=["", organisation.country])
        )
        for item in self.items:
            self.fields[f"q_{item.code}"] = forms.ChoiceField(
                label=item.label,
                choices=Presence.choices,
                initial=Presence.UNKNOWN,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"qn_{item.code}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000
            )
        for row in range(1, DOCUMENT_ROWS + 1):
            self.fields[f"doc{row}_type"] = forms.ChoiceField(
                label=_("Document"),
                required=False,
                choices=[("", "—"), *DocumentType.choices],
            )
            self.fields[f"doc{row}_number"] = forms.CharField(
                label=_("Number"), required=False, max_length=60
            )
            self.fields[f"doc{row}_country"] = CountryField(label=_("Issued by"))
            self.fields[f"doc{row}_status"] = forms.ChoiceField(
                label=_("Status"),
                required=False,
                choices=DocumentStatus.choices,
                initial=DocumentStatus.HELD,
            )
        needs = [c for c in category_choices() if c[0]]
        for row in range(1, NEED_ROWS + 1):
            self.fields[f"need{row}_term"] = forms.ChoiceField(
                label=_("Need"), required=False, choices=[("", "—"), *needs]
            )
            self.fields[f"need{row}_urgency"] = forms.ChoiceField(
                label=_("Urgency"),
                choices=Urgency.choices,
                initial=Urgency.NORMAL,
                required=False,
            )
            self.fields[f"need{row}_note"] = forms.CharField(
                label=_("Note"), required=False, max_length=500
            )

    # Sections, for the template.
    def screening_rows(self) -> list[dict[str, Any]]:
        return [
            {"item": item, "answer": self[f"q_{item.code}"], "note": self[f"qn_{item.code}"]}
            for item in self.items
        ]

    def document_rows(self) -> list[list[Any]]:
        return [
            [self[f"doc{row}_{part}"] for part in ("type", "number", "country", "status")]
            for row in range(1, DOCUMENT_ROWS + 1)
        ]

    def need_rows(self) -> list[list[Any]]:
        return [
            [self[f"need{row}_{part}"] for part in ("term", "urgency", "note")]
            for row in range(1, NEED_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        precision = data.get("birth_date_precision")
        if precision == BirthDatePrecision.ESTIMATED:
            if data.get("stated_age") is None:
                self.add_error("stated_age", _("Give the age the person states."))
        elif precision and not data.get("birth_date"):
            self.add_error(
                "birth_date",
                _("Give the date of birth, or choose “Estimated from a stated age”."),
            )
        for row in range(1, DOCUMENT_ROWS + 1):
            if data.get(f"doc{row}_number") and not data.get(f"doc{row}_type"):
                self.add_error(f"doc{row}_type", _("Say which document this number is from."))
        return data

    def intake(self) -> Intake:
        d = self.cleaned_data
        documents = [
            DocumentData(
                document_type=d[f"doc{row}_type"],
                status=d[f"doc{row}_status"] or DocumentStatus.HELD,
                number=d[f"doc{row}_number"].strip(),
                issuing_country=d[f"doc{row}_country"],
            )
            for row in range(1, DOCUMENT_ROWS + 1)
            if d.get(f"doc{row}_type")
        ]
        person = PersonData(
            given_name=d["given_name"].strip(),
            family_name=d["family_name"].strip(),
            other_names=[n.strip() for n in d["other_names"].split(",") if n.strip()],
            sex=d["sex"],
            birth_date=d.get("birth_date"),
            birth_date_precision=d["birth_date_precision"],
            stated_age=d.get("stated_age"),
            nationality=d["nationality"],
            other_nationalities=_codes(d["other_nationalities"]),
            statelessness_risk=d["statelessness_risk"],
            origin_country=d["nationality"],
            origin_admin1_name=d["origin_admin1_name"].strip(),
            origin_admin2_name=d["origin_admin2_name"].strip(),
            origin_locality=d["origin_locality"].strip(),
            languages=list(d["languages"]),
            phone=d["phone"].strip(),
            documents=documents,
        )
        needs = [
            NeedData(
                term=d[f"need{row}_term"],
                urgency=d[f"need{row}_urgency"] or "normal",
                note=d[f"need{row}_note"],
            )
            for row in range(1, NEED_ROWS + 1)
            if d.get(f"need{row}_term")
        ]
        today = timezone.localdate()
        common = {
            "given_by": d["consent_given_by"],
            "method": d["consent_method"],
            "given_on": today,
            "giver_name": d["consent_giver_name"].strip(),
            "best_interests_reference": d["consent_bip_reference"].strip(),
            "script_language": d["consent_script_language"],
        }
        consents = [services.ConsentData(purpose=ConsentPurpose.REGISTRATION, **common)]
        if d["consent_follow_up"]:
            consents.append(services.ConsentData(purpose=ConsentPurpose.FOLLOW_UP, **common))
        if d["consent_referral"]:
            # Consent is per recipient: here, per category of the needs recorded.
            for category in sorted({need.term.split("-")[0] for need in needs}):
                consents.append(
                    services.ConsentData(
                        purpose=ConsentPurpose.REFERRAL, recipient_category=category, **common
                    )
                )
        return Intake(
            person=person,
            episode=EpisodeData(
                arrived_on=d["arrived_on"],
                returned_from=d["returned_from"],
                entry_point=d["entry_point"].strip(),
            ),
            kind=d["kind"],
            consents=consents,
            existing_person=d.get("existing_person"),
            accompaniment=d.get("accompaniment") or "",
            accompanied_by=d.get("accompanied_by"),
            assigned_to=d.get("assigned_to"),
            answers=[
                services.AnswerData(
                    code=item.code,
                    present=d.get(f"q_{item.code}") or Presence.UNKNOWN,
                    note=d.get(f"qn_{item.code}", ""),
                )
                for item in self.items
            ],
            specific_needs=list(d["specific_needs"]),
            needs=needs,
        )
