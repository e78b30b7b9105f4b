"""market pages: /market/… on the H5 (the worker's and the provider's), /console/market/… in the console."""

from .views import actions, console, h5, provider

app_name = "market"

urlpatterns = [
    *h5.urlpatterns,
    *actions.urlpatterns,
    *provider.urlpatterns,
    *console.urlpatterns,
]
