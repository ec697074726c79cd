from orienta.indicators.views import public_urlpatterns

app_name = "public_statistics"
urlpatterns = public_urlpatterns
