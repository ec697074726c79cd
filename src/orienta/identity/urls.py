from django.urls import path

from orienta.identity import views

app_name = "identity"

urlpatterns = [
    path("identity/duplicates/", views.duplicate_list, name="duplicates"),
    path("identity/duplicates/<int:pk>/", views.duplicate_detail, name="duplicate"),
    path("identity/merges/", views.merge_list, name="merges"),
    path("identity/merges/<int:pk>/undo/", views.undo_merge, name="undo_merge"),
]
