from django.db import models
from django.utils.translation import gettext_lazy as _


class AdministrativeArea(models.Model):
    """NRM profile: where an actor or a location is, in the country's administrative divisions
    (codes as in the country's P-codes)."""

    admin1_code = models.CharField(_("admin-1 code"), max_length=20, blank=True, default="")
    admin1_name = models.TextField(_("admin-1 name"), blank=True, default="")
    admin2_code = models.CharField(_("admin-2 code"), max_length=20, blank=True, default="")
    admin2_name = models.TextField(_("admin-2 name"), blank=True, default="")

    class Meta:
        abstract = True
