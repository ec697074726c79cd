from django.urls import path

from orienta.reintegration.views import case, projects, rss

app_name = "reintegration"

urlpatterns = [
    path("cases/<uuid:pk>/reintegration/", case.case_page, name="case"),
    path("cases/<uuid:pk>/reintegration/start/", case.start_plan, name="start"),
    path("cases/<uuid:pk>/reintegration/components/", case.components, name="components"),
    path("cases/<uuid:pk>/reintegration/assistance/", case.item, name="item_new"),
    path("cases/<uuid:pk>/reintegration/assistance/<int:item_id>/", case.item, name="item"),
    path("cases/<uuid:pk>/reintegration/projects/", case.link_project, name="link_project"),
    path("cases/<uuid:pk>/reintegration/rounds/new/", case.new_round, name="new_round"),
    path("reintegration/rss/", rss.configuration_list, name="rss"),
    path("reintegration/rss/rescore/", rss.rescore, name="rescore"),
    path("reintegration/rss/<int:number>/", rss.configuration_page, name="rss_version"),
    path("reintegration/rss/<int:number>/in-force/", rss.put_in_force, name="in_force"),
    path("reintegration/rss/<int:number>/new-version/", rss.new_version, name="new_version"),
    path("reintegration/projects/", projects.project_list, name="projects"),
    path("reintegration/projects/new/", projects.project, name="project_new"),
    path("reintegration/projects/<uuid:pk>/", projects.project, name="project"),
]
