"""URL map: the worker H5 at /, the staff console at /console/, the API at /api/v1/, admin at /admin/."""

from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import import_string
from django.views.generic import RedirectView

from gonghui.core.api import api
from gonghui.core.api_audience import require_staff

# The modules with pages and an API router: each module's urls.py holds its H5 pages (/<app>/…) and console
# pages (/console/<app>/…), and its router is mounted at /api/v1/<app>/. This order is the order in which
# their URL maps are tried (after the shells') and their operations appear in the OpenAPI document.
MODULES = ["accounts", "core", "unions", "members", "market", "appeals", "benefits", "activities", "surveys",
           "learning", "cockpit"]


def router_path(label: str) -> str:
    """Where a module's Router is: ``<module>.api.router``; core's ``api`` is the NinjaAPI itself, so its own
    routes are ``core.api_routes``."""
    return "gonghui.core.api_routes.router" if label == "core" else f"gonghui.{label}.api.router"


for label in MODULES:
    api.add_router(f"/{label}/", import_string(router_path(label)))
require_staff(api)  # every operation of an api/staff.py module: 403 for non-staff (core/api_audience.py)

# A path under /api/ that matches no route (a malformed UUID) gets the API's JSON 404, not the HTML page.
handler404 = "gonghui.core.api.page_not_found"

urlpatterns = [
    path("api/v1/", api.urls),
    # The admin's own login form would be a second login path: send it to the one login page.
    path("admin/login/", RedirectView.as_view(url="/login/?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    path("", include("gonghui.web.urls")),
    *(path("", include(f"gonghui.{label}.urls")) for label in MODULES),
]
