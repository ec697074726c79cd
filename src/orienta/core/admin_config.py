# Kept apart from admin_site.py: an AppConfig module is imported before any model may be.
from django.contrib.admin.apps import AdminConfig


class OrientaAdminConfig(AdminConfig):
    default_site = "orienta.core.admin_site.OrientaAdminSite"
