"""benefits pages: /benefits/… on the H5 (the worker's and the partner's), /console/benefits/… in the console."""

from .views import console_campaigns, console_lotteries, console_partners, console_reports, merchant, worker

app_name = "benefits"

urlpatterns = [
    *worker.urlpatterns,
    *merchant.urlpatterns,
    *console_reports.urlpatterns,
    *console_partners.urlpatterns,
    *console_campaigns.urlpatterns,
    *console_lotteries.urlpatterns,
]
