"""The activities journey in a real browser (Playwright driving the system Chromium): a worker takes
the last place, a rider joins the waitlist, the worker cancels and the rider is promoted, staff scan
the rider's e-member card in the console, the rider rates the activity.

Skipped, with the reason, where Chromium is not installed. Screenshots go to $GONGHUI_SCREENSHOTS
(default var/screenshots/).
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Activity, Rating, Signup
from gonghui.members.models import Member
from gonghui.testing import BROWSER, PHONE, WECHAT_UA, Cast, decode_qr, screenshots_dir, sign_in

pytestmark = BROWSER
DESKTOP = {"width": 1366, "height": 900}


def signed_in(browser, url: str, phone: str, viewport: dict[str, int]):
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 确定取消报名吗？
    return sign_in(page, url, phone)


def open_walk(cast: Cast, *, quota: int) -> Activity:
    """职工健步走 of 甲区, published, open for sign-up, starting in half an hour."""
    now = timezone.now()
    activity = services.activity_create(
        actor=cast.district_a_officer, union=cast.district_a, title="职工健步走", kind="culture", place="甲区滨河公园",
        starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(hours=2), quota=quota,
        signup_opens_at=now - timedelta(days=1))
    services.activity_publish(actor=cast.district_a_officer, activity=activity)
    return activity


def test_it_walks_the_activity_journey(live_server, browser, live_cast: Cast) -> None:
    cast = live_cast
    activity = open_walk(cast, quota=1)
    shots = screenshots_dir()

    worker = signed_in(browser, live_server.url, cast.worker_a.phone, PHONE)
    worker.goto(f"{live_server.url}/activities/")
    worker.click("text=职工健步走")
    worker.click("button:has-text('立即报名')")
    worker.wait_for_selector("text=报名成功")
    worker.screenshot(path=str(shots / "activities-h5-signed-up.png"), full_page=True)

    rider = signed_in(browser, live_server.url, cast.gig_worker_a.phone, PHONE)
    rider.goto(f"{live_server.url}/activities/{activity.uuid}/")
    rider.click("button:has-text('报名候补')")
    rider.wait_for_selector("text=候补第1位")
    rider.screenshot(path=str(shots / "activities-h5-waitlisted.png"), full_page=True)

    worker.click("button:has-text('取消报名')")
    worker.wait_for_selector("text=已取消报名")
    rider.reload()
    rider.wait_for_selector("text=您已报名")

    officer = signed_in(browser, live_server.url, cast.district_a_officer.phone, DESKTOP)
    officer.goto(f"{live_server.url}/console/activities/{activity.uuid}/")
    assert officer.locator(".qr-box svg").count() == 1
    checkin_code = Activity.objects.values_list("checkin_code", flat=True).get(pk=activity.pk)
    assert decode_qr(officer.locator(".qr-box svg")) == [
        (f"{live_server.url}/activities/checkin/{checkin_code}/", "QRCode")]
    # the officer scans the rider's e-card off the rider's phone screen
    rider.goto(f"{live_server.url}/members/card/")
    token = Member.objects.values_list("card_token", flat=True).get(pk=cast.members["gig_worker_a"].pk)
    card = decode_qr(rider.locator("#card-qr svg"))
    assert card == [(f"{live_server.url}/members/c/{token}/", "QRCode")]
    officer.fill("#scan-token", card[0][0])
    officer.click("button:has-text('扫码签到')")
    officer.wait_for_selector("#scan-result >> text=李** 签到成功")
    officer.screenshot(path=str(shots / "activities-console-scan.png"), full_page=True)
    assert Signup.objects.get(activity=activity, member=cast.members["gig_worker_a"]).status == "checked_in"

    rider.goto(f"{live_server.url}/activities/{activity.uuid}/")
    rider.click("label[for=star4]")
    rider.fill("input[name=comment]", "路线规划得很好")
    rider.click("button:has-text('提交评价')")
    rider.wait_for_selector("text=感谢您的评价")
    assert Rating.objects.get(activity=activity).score == 4


# What WeChat's jweixin script does on a phone, as far as the check-in page needs it: accept the
# signed config, and answer wx.scanQRCode with what the camera read (here: the member's card).
FAKE_JSSDK = """
window.wx = {
  config: function (c) { window.wxConfigured = c; },
  ready: function (done) { setTimeout(done, 0); },
  scanQRCode: function (options) { window.wxScanned = true; options.success({resultStr: window.cardUrl}); }
};
"""


def test_staff_check_in_with_the_wechat_scanner(live_server, browser, live_cast: Cast, settings: Any) -> None:
    """Inside WeChat with an official account configured, 用摄像头扫码 on the console's check-in opens
    WeChat's scanner (wx.scanQRCode, through gonghui/wechat.js and gonghui/scan.js) and checks the
    scanned card in: the same path as the merchant's counter."""
    cast = live_cast
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wx-test-app", "secret"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["script-src"] = ["'self'", "https://res.wx.qq.com"]  # as settings.py does when configured
    settings.CONTENT_SECURITY_POLICY = policy
    activity = open_walk(cast, quota=5)
    member = cast.members["worker_a"]
    services.signup_create(actor=cast.worker_a, member=member, activity=activity)
    token = Member.objects.values_list("card_token", flat=True).get(pk=member.pk)

    context = browser.new_context(viewport=PHONE, locale="zh-CN", user_agent=WECHAT_UA)
    page = context.new_page()
    page.route("https://res.wx.qq.com/**", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=FAKE_JSSDK))
    signed = {"appId": "wx-test-app", "timestamp": 1, "nonceStr": "n", "signature": "s", "jsApiList": ["scanQRCode"]}
    page.route("**/wechat/js-config?*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(signed)))
    sign_in(page, live_server.url, cast.district_a_officer.phone)
    page.goto(f"{live_server.url}/console/activities/{activity.uuid}/")
    page.evaluate(f"window.cardUrl = {json.dumps(f'{live_server.url}/members/c/{token}/')}")
    scan = page.locator("button[data-scan]")
    scan.wait_for(state="visible")  # shown once WeChat accepted the config (gonghui:scan-ready)
    assert page.evaluate("window.wxConfigured.jsApiList") == ["scanQRCode"]
    scan.click()
    page.wait_for_selector("#scan-result >> text=签到成功")
    assert page.evaluate("window.wxScanned") is True
    assert Signup.objects.get(activity=activity, member=member).status == "checked_in"
    context.close()


def test_the_scan_button_stays_hidden_without_a_scanner(live_server, browser, live_cast: Cast) -> None:
    """Not configured and no BarcodeDetector (desktop Chromium): no 扫码 button, the typed code still works."""
    cast = live_cast
    activity = open_walk(cast, quota=5)
    page = signed_in(browser, live_server.url, cast.district_a_officer.phone, DESKTOP)
    page.goto(f"{live_server.url}/console/activities/{activity.uuid}/")
    page.wait_for_load_state("load")
    has_detector = page.evaluate("'BarcodeDetector' in window")
    assert page.locator("button[data-scan]").is_visible() is has_detector
    assert "gonghui-wechat" not in page.content()
