"""Security headers on the real pages: no-store for personal data, the CSP, the Permissions-Policy.

The no-store rule is one middleware (gonghui.core.headers), so it is checked over a list of URLs of
every kind — lists, exports, the e-card, my data, attachments, console pages, the API — for a
signed-in staff member and a worker, rather than per view.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from gonghui.appeals.tests.helpers import at_district_a, png
from gonghui.benefits.tests.conftest import shop  # noqa: F401 - the partner fixture
from gonghui.core.headers import PrivateResponseMiddleware, allow_features, cacheable
from gonghui.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

STAFF_PAGES = [
    "/console/",
    "/console/members/",
    "/console/members/export.xlsx",
    "/console/members/applications/",
    "/console/members/rights/",
    "/console/unions/export.xlsx",
    "/console/unions/employers/export.xlsx",
    "/console/appeals/",
    "/console/cockpit/",
    "/console/cockpit/export/all.xlsx",
    "/api/v1/members/",
    "/api/v1/members/?q=13900000001",
]
WORKER_PAGES = [
    "/",
    "/members/card/",
    "/members/my-data/",
    "/members/my-data/export.json",
    "/appeals/mine/",
    "/api/v1/members/me/export",
]


def _no_store(response: HttpResponse) -> bool:
    return response.get("Cache-Control") == "no-store" and "Expires" not in response


def test_it_keeps_every_personal_response_out_of_caches(cast: Cast) -> None:
    ticket = at_district_a(cast, files=[png()])
    attachment = f"/appeals/files/{ticket.attachments.get().uuid}/"
    checks = [("province_admin", url, False) for url in STAFF_PAGES]
    checks += [("province_admin", url, True) for url in STAFF_PAGES if url.startswith("/api/")]
    checks += [("worker_a", url, False) for url in WORKER_PAGES]
    checks += [("worker_a", url, True) for url in WORKER_PAGES if url.startswith("/api/")]
    checks += [("gig_worker_a", attachment, False), ("district_a_officer", attachment, False)]
    failed = []
    for actor, url, api in checks:
        response = cast.client(actor, api=api).get(url)
        if response.status_code >= 400 or not _no_store(response):
            failed.append(f"{actor} {'API ' if api else ''}{url}: {response.status_code} "
                          f"{response.get('Cache-Control')}")
    assert failed == []


def test_it_keeps_api_answers_to_anonymous_callers_out_of_caches(cast: Cast) -> None:
    response = cast.client(None).get("/api/v1/members/")
    assert response.status_code == 401 and _no_store(response)


def test_it_leaves_public_pages_cacheable_for_anonymous_visitors(cast: Cast) -> None:
    response = cast.client(None).get("/unions/")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_it_lets_a_view_without_personal_data_opt_out(cast: Cast) -> None:
    def page(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("公开的内容")
        response["Cache-Control"] = "private, max-age=600"
        return response

    request = RequestFactory().get("/somewhere/")
    request.user = cast.worker_a
    assert PrivateResponseMiddleware(page)(request)["Cache-Control"] == "no-store"
    assert PrivateResponseMiddleware(cacheable(page))(request)["Cache-Control"] == "private, max-age=600"


def _directives(response: HttpResponse) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_it_sends_a_content_security_policy_without_inline_script(cast: Cast) -> None:
    for actor, url in [(None, "/"), (None, "/login/"), ("worker_a", "/members/card/"), ("province_admin", "/console/"),
                       ("province_admin", "/console/cockpit/"), ("province_admin", "/console/cockpit/screen/")]:
        response = cast.client(actor).get(url)
        assert response.status_code == 200, url
        policy = _directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"], url
        assert policy["form-action"] == ["'self'"], url


def _features(response: HttpResponse) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


def test_it_turns_browser_features_off_except_where_a_page_needs_them(cast: Cast, shop) -> None:  # noqa: F811
    home = _features(cast.client("worker_a").get("/"))
    assert home["camera"] == "()" and home["geolocation"] == "()" and home["microphone"] == "()"
    assert home["payment"] == "()" and home["usb"] == "()"
    console = _features(cast.client("province_admin").get("/console/members/"))
    assert set(console.values()) == {"()"}

    merchant = cast.client("merchant").get("/benefits/merchant/")
    assert merchant.status_code == 200
    assert _features(merchant)["camera"] == "(self)" and _features(merchant)["geolocation"] == "()"
    appeal = cast.client("worker_a").get("/appeals/new/")
    assert appeal.status_code == 200
    assert _features(appeal)["geolocation"] == "(self)" and _features(appeal)["camera"] == "()"
    circle = cast.client(None).get("/benefits/partners/")
    assert circle.status_code == 200 and _features(circle)["geolocation"] == "(self)"


def test_it_refuses_unknown_feature_names() -> None:
    with pytest.raises(ValueError, match="camra"):
        allow_features("camra")
