"""The main pages under the Content-Security-Policy in a real browser (Playwright, system Chromium).

Every page is loaded with a listener for ``securitypolicyviolation`` (installed by Playwright, which
the policy does not govern) and the console is watched for CSP reports; the behaviour that moved
from inline script to static files is exercised: confirmations, the tree toggle, check-all, the
appeal form's kind switch, the card's htmx refresh. H5 pages at 390 px with a phone user agent.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.testing import BROWSER, Cast, build_cast, sign_in

pytestmark = BROWSER
PHONE = {"width": 390, "height": 844}
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.49")
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""
WORKER_PAGES = ["/", "/members/card/", "/members/my-data/", "/appeals/", "/appeals/new/", "/appeals/mine/",
                "/benefits/", "/benefits/partners/", "/market/", "/activities/", "/me/", "/messages/"]
STAFF_PAGES = ["/console/", "/console/members/", "/console/members/applications/", "/console/members/rights/",
               "/console/unions/", "/console/appeals/", "/console/benefits/", "/console/activities/",
               "/console/market/", "/console/cockpit/", "/console/core/audit/"]


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    return build_cast()


def _signed_in(browser: Any, base: str, phone: str, **context: Any) -> tuple[Any, list[str]]:
    ctx = browser.new_context(locale="zh-CN", **context)
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    reports: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and reports.append(m.text))
    page.on("pageerror", lambda error: reports.append(f"pageerror: {error}"))
    sign_in(page, base, phone, wait="networkidle")  # and the staff code step
    return page, reports


def _walk(page: Any, base: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        found += [f"{path}: {v}" for v in page.evaluate("window.__violations")]
    return found


def test_it_runs_the_worker_pages_without_a_csp_violation(live_server, browser, live_cast: Cast) -> None:
    page, reports = _signed_in(browser, live_server.url, live_cast.worker_a.phone, viewport=PHONE,
                               user_agent=PHONE_UA, is_mobile=True, has_touch=True)
    violations = _walk(page, live_server.url, WORKER_PAGES)

    page.goto(live_server.url + "/appeals/new/")
    page.click("text=安全隐患")  # the kind switch shows the hazard fields (was an inline onchange)
    assert page.get_attribute("#appeal-form", "data-kind") == "hazard"
    page.goto(live_server.url + "/members/card/")
    before = page.inner_html("#card-qr")
    page.click("#card-qr button")  # the live token refresh over htmx
    page.wait_for_function("(html) => document.querySelector('#card-qr').innerHTML !== html", arg=before)
    violations += page.evaluate("window.__violations")
    assert violations == [] and reports == []


def test_it_runs_the_console_without_a_csp_violation(live_server, browser, live_cast: Cast) -> None:
    page, reports = _signed_in(browser, live_server.url, live_cast.province_admin.phone,
                               viewport={"width": 1366, "height": 860})
    violations = _walk(page, live_server.url, STAFF_PAGES)

    page.goto(live_server.url + "/console/unions/")
    toggle = page.locator(".tree button.toggle").first
    toggle.click()  # the glyph flips in gonghui.js, the children come over htmx
    page.wait_for_selector(".tree >> text=测试市总工会")
    assert toggle.inner_text() == "▾"
    page.goto(live_server.url + "/console/accounts/staff/")
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    remove = page.locator("form[data-confirm] button[type=submit]").first
    remove.click()  # dismissed: the assignment stays
    page.wait_for_timeout(300)
    assert asked == ["确定撤销该任职？"] and page.url.endswith("/console/accounts/staff/")
    violations += page.evaluate("window.__violations")
    assert violations == [] and reports == []
