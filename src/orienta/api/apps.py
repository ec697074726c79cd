from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "orienta.api"
    verbose_name = "API"
