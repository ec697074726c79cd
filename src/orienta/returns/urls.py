"""Each view module of returns keeps its own routes; they are joined here."""

from orienta.returns.views import compliance, desk, manifests, movements, reference, statistics

app_name = "returns"

urlpatterns = (
    movements.urlpatterns
    + manifests.urlpatterns
    + desk.urlpatterns
    + compliance.urlpatterns
    + statistics.urlpatterns
    + reference.urlpatterns
)
