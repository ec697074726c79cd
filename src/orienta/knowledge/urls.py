from orienta.knowledge.views import briefs, editing, entities, policies, reports

app_name = "knowledge"

# Editing first: its "knowledge/entities/new/" would otherwise be taken for an entity's key.
urlpatterns = (
    editing.urlpatterns
    + entities.urlpatterns
    + policies.urlpatterns
    + reports.urlpatterns
    + briefs.urlpatterns
)
