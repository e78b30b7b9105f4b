"""The cockpit in a real browser (Playwright driving the system Chromium): a province admin opens
the big screen, the charts draw from the vendored ECharts with no error, a click on a child union
drills down to the city, the district and the street (and back up), and the console page draws its charts too.

Skipped, with the reason, where Chromium is not installed. Screenshots go to $GONGHUI_SCREENSHOTS
(default var/screenshots/).
"""

from __future__ import annotations

import pytest

from gonghui.cockpit import services
from gonghui.testing import BROWSER, Cast, build_cast, screenshots_dir, sign_in

pytestmark = BROWSER


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    cast = build_cast()
    services.stats_refresh()
    return cast


def test_the_province_admin_drills_down_on_the_big_screen(live_server, browser, live_cast: Cast) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A request the browser itself abandons when the page navigates on (the icon, say) is not a failure.
    page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED"
            and errors.append(f"failed: {request.url} ({request.failure})"))
    sign_in(page, live_server.url, live_cast.province_admin.phone)

    page.goto(f"{live_server.url}/console/cockpit/screen/")
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length >= 6")
    assert "测试省总工会 · 智慧工会数据驾驶舱" in page.inner_text("h1")
    assert page.inner_text(".big [data-k='members.total']") == "4"
    page.screenshot(path=str(screenshots_dir() / "cockpit-screen.png"))

    page.click(".list a:text('测试市总工会')")
    page.wait_for_function("document.querySelector('h1').innerText.startsWith('测试市总工会')")
    page.click(".list a:text('甲区总工会')")
    page.wait_for_function("document.querySelector('h1').innerText.startsWith('甲区总工会')")
    assert page.inner_text(".path").startswith("测试省总工会")
    assert page.inner_text(".big [data-k='members.total']") == "3"
    page.click(".list a:text('甲区东街道总工会')")
    page.wait_for_function("document.querySelector('h1').innerText.startsWith('甲区东街道总工会')")
    assert page.inner_text(".big [data-k='members.total']") == "1"
    page.click(".path a:text('测试市总工会')")  # and back up through the path
    page.wait_for_function("document.querySelector('h1').innerText.startsWith('测试市总工会')")

    page.goto(f"{live_server.url}/console/cockpit/?union={live_cast.street_a.uuid}")
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length >= 4")
    assert "甲区东街道总工会" in page.inner_text("h1")
    page.screenshot(path=str(screenshots_dir() / "console-cockpit.png"), full_page=True)
    assert errors == []
    context.close()
