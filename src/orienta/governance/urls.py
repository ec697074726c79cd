from orienta.governance.views import committees, dashboard, documents, events, mou, roadmap

app_name = "governance"

urlpatterns = (
    committees.urlpatterns
    + events.urlpatterns
    + documents.urlpatterns
    + mou.urlpatterns
    + roadmap.urlpatterns
    + dashboard.urlpatterns
)
