from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "orienta.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from orienta.accounts import capabilities, signals  # noqa: F401

        # An unknown capability in the role table stops the platform at start-up.
        capabilities.validate_role_table()
