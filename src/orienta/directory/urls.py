from django.urls import path

from orienta.directory import analysis_views, import_views, manage, views

app_name = "directory"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "organisations/<uuid:organisation_id>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path("manage/services/", manage.service_list, name="service_list"),
    path("manage/services/new/", manage.service_create, name="service_create"),
    path("manage/services/<uuid:service_id>/", manage.service_edit, name="service_edit"),
    path("manage/services/<uuid:service_id>/verify/", manage.service_verify, name="service_verify"),
    path("manage/changes/", manage.change_list, name="change_list"),
    path("manage/analysis/", analysis_views.mapping_analysis, name="analysis"),
    path("manage/taxonomy/", manage.taxonomy, name="taxonomy"),
    path("manage/import/", import_views.upload, name="import_upload"),
    path("manage/import/<str:token>/", import_views.map_columns, name="import_map"),
    path("manage/changes/<uuid:change_id>/decide/", manage.change_decide, name="change_decide"),
]
