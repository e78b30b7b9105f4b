"""URL map: the worker H5 at /, the staff console at /console/, the API at /api/v1/, admin at /admin/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gonghui.accounts.api import router as accounts_router
from gonghui.activities.api import router as activities_router
from gonghui.appeals.api import router as appeals_router
from gonghui.benefits.api import router as benefits_router
from gonghui.cockpit.api import router as cockpit_router
from gonghui.core.api import api
from gonghui.core.api_audience import require_staff
from gonghui.core.api_routes import router as core_router
from gonghui.learning.api import router as learning_router
from gonghui.market.api import router as market_router
from gonghui.members.api import router as members_router
from gonghui.surveys.api import router as surveys_router
from gonghui.unions.api import router as unions_router

api.add_router("/accounts/", accounts_router)
api.add_router("/core/", core_router)
api.add_router("/unions/", unions_router)
api.add_router("/members/", members_router)
api.add_router("/market/", market_router)
api.add_router("/appeals/", appeals_router)
api.add_router("/benefits/", benefits_router)
api.add_router("/activities/", activities_router)
api.add_router("/surveys/", surveys_router)
api.add_router("/learning/", learning_router)
api.add_router("/cockpit/", cockpit_router)
require_staff(api)  # every operation of an api/staff.py module: 403 for non-staff (core/api_audience.py)

# A path under /api/ that matches no route (a malformed UUID) gets the API's JSON 404, not the HTML page.
handler404 = "gonghui.core.api.page_not_found"

urlpatterns = [
    path("api/v1/", api.urls),
    # The admin's own login form would be a second login path: send it to the one login page.
    path("admin/login/", RedirectView.as_view(url="/login/?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    # Each app's urls.py holds its H5 pages (/<app>/…) and console pages (/console/<app>/…).
    path("", include("gonghui.web.urls")),
    path("", include("gonghui.accounts.urls")),
    path("", include("gonghui.core.urls")),
    path("", include("gonghui.unions.urls")),
    path("", include("gonghui.members.urls")),
    path("", include("gonghui.market.urls")),
    path("", include("gonghui.appeals.urls")),
    path("", include("gonghui.benefits.urls")),
    path("", include("gonghui.activities.urls")),
    path("", include("gonghui.surveys.urls")),
    path("", include("gonghui.learning.urls")),
    path("", include("gonghui.cockpit.urls")),
]
