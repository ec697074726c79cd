from orienta.knowledge.views import entities

app_name = "knowledge"

urlpatterns = entities.urlpatterns
