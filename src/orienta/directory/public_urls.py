from django.urls import path

from orienta.directory import public

app_name = "public"

urlpatterns = [
    path("", public.directory, name="directory"),
    path("services/<uuid:service_id>/", public.service_page, name="service"),
    path("print.pdf", public.printable, name="print"),
    path("service-map.hxl.csv", public.hxl_service_map, name="hxl"),
]
