from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "orienta.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from orienta.cases.retention import validate_retention_settings

        validate_retention_settings()
