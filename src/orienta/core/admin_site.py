from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability


class OrientaAdminSite(admin.AdminSite):
    site_header = _("Orienta administration")
    site_title = _("Orienta administration")

    def has_permission(self, request: HttpRequest) -> bool:
        """Administrators only: other roles work through the platform's own pages, which carry
        the scoping and the audit trail."""
        return bool(request.user.is_active) and has_capability(
            request.user, "accounts.administer_platform"
        )
