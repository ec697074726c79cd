from django import forms
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import Organisation


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "country"]

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Enter the two-letter ISO code, e.g. HT, CM or BF."))
        return country
