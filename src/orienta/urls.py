from django.contrib import admin
from django.urls import include, path

from orienta.api.urls import api

urlpatterns = [
    path("", include("orienta.core.urls")),
    path("", include("orienta.accounts.urls")),
    path("", include("orienta.directory.urls")),
    path("", include("orienta.audit.urls")),
    path("", include("orienta.cases.urls")),
    path("", include("orienta.identity.urls")),
    path("", include("orienta.referrals.urls")),
    path("", include("orienta.returns.urls")),
    path("", include("orienta.governance.urls")),
    path("", include("orienta.knowledge.urls")),
    path("", include("orienta.reintegration.urls")),
    path("", include("orienta.indicators.urls")),
    path("statistics/", include("orienta.indicators.public_urls")),
    path("directory/", include("orienta.directory.public_urls")),
    path("api/v1/", api.urls),
    path("api/hsds/", include("orienta.directory.hsds.api")),
    path("admin/", admin.site.urls),
]

handler400 = "orienta.core.views.bad_request"
handler403 = "orienta.core.views.permission_denied"
handler404 = "orienta.core.views.page_not_found"
handler500 = "orienta.core.views.server_error"
