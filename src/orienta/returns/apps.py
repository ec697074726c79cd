from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "orienta.returns"
    verbose_name = _("Returns and reception")
