"""The main journeys in a real browser (Playwright driving the system Chromium): a staff member composes
a 免申即享 campaign, previews the count and launches it; the rider finds the coupon on the phone; the
partner redeems it once. Skipped where Chromium is not installed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.benefits.models import Coupon, CouponStatus, PartnerCategory
from gonghui.benefits.services import partners
from gonghui.testing import BROWSER, DESKTOP, PHONE, Cast, build_cast, decode_qr, screenshots_dir, sign_in

pytestmark = BROWSER


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    cast = build_cast()
    today = timezone.localdate()
    shop = partners.partner_create(actor=None, union=cast.district_a, name="甲区康民大药房",
                                   category=PartnerCategory.MEDICAL, address="甲区东街12号", latitude=36.6171,
                                   longitude=101.7782, discount="会员凭卡购药9折", contract_start=today,
                                   contract_end=today + timedelta(days=365))
    partners.partner_staff_add(actor=None, partner=shop, phone=cast.merchant.phone)
    return cast


def test_it_walks_compose_launch_find_and_redeem(live_server, browser, live_cast: Cast) -> None:
    base = live_server.url
    staff = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(staff, base, live_cast.district_a_officer.phone, wait="networkidle")
    staff.goto(base + "/console/benefits/campaigns/new/")
    with staff.expect_navigation():
        staff.select_option("#id_union", label="甲区总工会")
    staff.fill("#id_name", "骑手清凉券")
    staff.check("input[name=kind][value=auto]")
    staff.fill("#id_face_yuan", "20")
    staff.fill("#id_budget_count", "100")
    staff.fill("#id_budget_yuan", "2000")
    staff.check("input[name=gig_occupations][value=food_delivery]")
    staff.check("input[name=partners] >> nth=0")
    staff.click("button:has-text('预览人数')")
    staff.wait_for_selector("#rule-preview .alert-success")
    assert "共有 1 名会员符合条件" in staff.inner_text("#rule-preview")
    staff.screenshot(path=str(screenshots_dir() / "benefits-compose.png"), full_page=True)
    staff.click("button:has-text('保存草稿')")
    staff.wait_for_selector("text=确认无误后点「发布」")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.click("button:has-text('发布')")
    staff.wait_for_selector("text=已发布")
    assert "1" in staff.inner_text("#campaign-counts")
    staff.screenshot(path=str(screenshots_dir() / "benefits-launched.png"), full_page=True)

    rider = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(rider, base, live_cast.gig_worker_a.phone, wait="networkidle")
    rider.goto(base + "/benefits/coupons/")
    rider.click("text=骑手清凉券")
    rider.wait_for_selector(".qr-box svg")
    code = rider.inner_text(".code").replace(" ", "")
    # what the cashier's scanner reads off the phone's screen: a standard QR code of the coupon code
    assert decode_qr(rider.locator(".qr-box svg")) == [(code, "QRCode")]
    assert "新就业形态劳动者（外卖送餐员）" in rider.inner_text(".why")
    rider.screenshot(path=str(screenshots_dir() / "benefits-coupon.png"), full_page=True)

    counter = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(counter, base, live_cast.merchant.phone, wait="networkidle")
    counter.goto(base + "/benefits/merchant/")
    counter.fill("#code", code)
    counter.click("#check-form button[type=submit]")
    counter.wait_for_selector("text=确认核销")
    counter.click("text=确认核销")
    counter.wait_for_selector("text=核销成功")
    counter.fill("#code", code)
    counter.click("#check-form button[type=submit]")
    counter.wait_for_selector("text=不能重复使用")
    counter.screenshot(path=str(screenshots_dir() / "benefits-redeemed.png"), full_page=True)
    assert Coupon.objects.get(code=code).status == CouponStatus.REDEEMED

    rider.wait_for_selector("text=已使用", timeout=15_000)  # the coupon page polls and reloads
