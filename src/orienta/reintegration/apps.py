from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    name = "orienta.reintegration"
    verbose_name = _("Reintegration")

    def ready(self) -> None:
        from orienta.cases.retention import register_case_anonymiser
        from orienta.reintegration.services import anonymise_case

        register_case_anonymiser(anonymise_case)
