from django.urls import path

from orienta.directory import views

app_name = "directory"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "organisations/<uuid:organisation_id>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
]
