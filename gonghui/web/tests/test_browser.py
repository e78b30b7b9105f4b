"""Main journeys in a real browser (Playwright driving the system Chromium), with screenshots.

Skipped, with the reason, where Chromium is not installed (``apt-get install chromium``).
Screenshots go to $GONGHUI_SCREENSHOTS (default var/screenshots/).
"""

from __future__ import annotations

import re

from gonghui.core.notify import LoggingSmsBackend
from gonghui.testing import BROWSER, DESKTOP, PHONE, Cast, screenshots_dir, sign_in

pytestmark = BROWSER


def test_it_walks_a_worker_through_the_h5(live_server, browser, live_cast: Cast) -> None:
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    page.goto(live_server.url + "/")
    assert page.locator(".tiles .tile").count() >= 2
    page.screenshot(path=str(screenshots_dir() / "h5-home.png"), full_page=True)

    page.click("text=找到我的工会")
    page.fill("input[name=q]", "甲精密")
    page.wait_for_selector("text=甲公司工会")
    page.screenshot(path=str(screenshots_dir() / "h5-directory.png"))

    page.goto(live_server.url + "/register/")
    page.fill("input[name=phone]", "139 1234 5678")
    page.click("button[data-code-button]")  # 获取验证码, over htmx
    page.wait_for_selector("text=验证码已发送至139****5678")
    texts = [text for number, text in LoggingSmsBackend.sent if number == "13912345678"]
    page.fill("input[name=code]", re.search(r"验证码是(\d{6})", texts[-1]).group(1))
    page.fill("input[name=name]", "刘快递")
    page.fill("input[name=password]", "ridefast2026")
    page.click("button.btn-primary")
    page.wait_for_selector("text=注册成功")
    assert "刘快递，您好" in page.content()
    page.click(".tabbar >> text=我的")
    page.wait_for_selector("text=139****5678")
    page.screenshot(path=str(screenshots_dir() / "h5-me.png"), full_page=True)


def test_it_walks_an_officer_through_the_console(live_server, browser, live_cast: Cast) -> None:
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(page, live_server.url, live_cast.district_a_admin.phone)
    page.wait_for_url("**/console/")
    assert "甲区总工会" in page.inner_text(".topbar")
    page.screenshot(path=str(screenshots_dir() / "console-home.png"), full_page=True)

    page.click(".sidebar >> text=工会组织")
    page.click(".tree button.toggle")  # expand district A over HTMX
    page.wait_for_selector(".tree >> text=甲区东街道总工会")
    page.screenshot(path=str(screenshots_dir() / "console-tree.png"))

    page.goto(live_server.url + f"/console/unions/employers/{live_cast.employer_a.uuid}/")
    page.fill("#v-notes", "走访车间，了解夜班补贴发放情况")
    page.click("#visits button[type=submit]")
    page.wait_for_selector("#visits >> text=走访车间，了解夜班补贴发放情况")
    page.screenshot(path=str(screenshots_dir() / "console-employer.png"), full_page=True)


def test_it_hides_another_branch_in_the_browser(live_server, browser, live_cast: Cast) -> None:
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, live_server.url, live_cast.district_a_officer.phone)
    page.wait_for_url("**/console/")
    response = page.goto(live_server.url + f"/console/unions/{live_cast.district_b.uuid}/")
    assert response is not None and response.status == 404
    assert "未找到该记录" in page.content()


def test_it_keeps_tap_targets_big_enough_on_the_phone(live_server, browser, live_cast: Cast) -> None:
    """Every link and button in the H5 top bar and tab bar is at least 44×44 CSS px (WCAG 2.5.5)."""
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    sign_in(page, live_server.url, live_cast.worker_a.phone)
    small = []
    for path in ("/", "/members/card/", "/me/"):
        page.goto(live_server.url + path)
        for target in page.locator(".h5-top a, .tabbar a, .h5-main .btn").all():
            box = target.bounding_box()
            if box and (box["width"] < 44 or box["height"] < 44):
                small.append(f"{path} {target.inner_text()!r} {box['width']:.0f}×{box['height']:.0f}")
    assert not small, small
