"""members pages: /members/… on the H5, /console/members/… in the console."""

from .views import card, joining, registry, rights, roster, transfer

app_name = "members"

urlpatterns = [
    *roster.urlpatterns,  # static console paths (import/export) before the <uuid> detail pages
    *registry.urlpatterns,
    *joining.urlpatterns,
    *transfer.urlpatterns,
    *card.urlpatterns,
    *rights.urlpatterns,
]
