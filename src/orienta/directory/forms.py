from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import Organisation


class OrganisationForm(forms.ModelForm[Organisation]):
    # Longer than the model's two characters, so that "Haiti" reaches clean_country and gets
    # the helpful message rather than a bare length error.
    country = forms.CharField(
        label=_("country"),
        max_length=60,
        help_text=_("ISO 3166-1 alpha-2 code of the country where it works, e.g. HT."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "country", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Optional for imported HSDS data, required when a coordinator enters an actor.
        self.fields["kind"].required = True

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Enter the two-letter ISO code, e.g. HT, CM or BF."))
        return country
