"""The 云集市 journey in a real browser (Playwright, system Chromium): a member orders on the H5, the
provider arranges and delivers on their workbench, the member signs and rates, staff see it on the
order board. Skipped where Chromium is not installed. Screenshots go to $GONGHUI_SCREENSHOTS."""

from __future__ import annotations

from typing import Any

from gonghui.market.models import Order, OrderStatus
from gonghui.testing import BROWSER, DESKTOP, PHONE, Cast, screenshots_dir, sign_in

from .conftest import make_offering, make_provider

pytestmark = BROWSER


def test_it_walks_an_order_from_the_catalogue_to_the_rating(live_server: Any, browser: Any, live_cast: Cast) -> None:
    make_offering(live_cast, make_provider(live_cast), capacity=5)
    base = live_server.url

    worker = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(worker, base, live_cast.worker_a.phone, wait="networkidle")
    worker.goto(base + "/")
    worker.click(".tiles >> text=云集市")
    worker.fill("input[name=q]", "电工")
    worker.wait_for_selector(".mkt-card >> text=电工技能培训")
    worker.screenshot(path=str(screenshots_dir() / "market-h5-catalogue.png"), full_page=True)
    worker.click(".mkt-card >> text=电工技能培训")
    worker.fill("textarea[name=note]", "想考电工证")
    worker.click("button:has-text('免费报名')")  # a class: the worker signs up (报名)
    worker.wait_for_selector("text=报名成功")
    worker.screenshot(path=str(screenshots_dir() / "market-h5-ordered.png"), full_page=True)
    order = Order.objects.get(member=live_cast.members["worker_a"])

    provider = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(provider, base, live_cast.users["provider"].phone, wait="networkidle")
    provider.goto(base + "/market/provider/")
    provider.click(".mkt-card >> text=电工技能培训")
    provider.fill("input[name=scheduled_at]", "2030-03-01T09:30")
    provider.click("button:has-text('确认配货')")
    provider.wait_for_selector("text=已配货，已通知会员")
    provider.click("button:has-text('服务已完成')")
    provider.wait_for_selector("text=已标记为服务完成")
    provider.screenshot(path=str(screenshots_dir() / "market-provider-order.png"), full_page=True)

    worker.goto(base + "/market/orders/?tab=delivered")
    worker.click("button:has-text('确认完成')")
    worker.wait_for_selector("text=已确认完成")
    worker.goto(base + f"/market/orders/{order.uuid}/")
    worker.check("input[name=rating][value='4']")
    worker.fill("textarea[name=text]", "讲得很细")
    worker.click("button:has-text('提交评价')")
    worker.wait_for_selector("text=感谢您的评价")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REVIEWED

    staff = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(staff, base, live_cast.district_a_officer.phone, wait="networkidle")
    staff.click(".sidebar >> text=云集市")
    staff.click(".subnav >> text=订单看板")
    staff.click(".mkt-tabs >> text=已评价")
    staff.wait_for_selector(f"text={order.short_code}")
    staff.click(".subnav >> text=统计")
    staff.wait_for_selector("text=服务人次")
    staff.screenshot(path=str(screenshots_dir() / "market-console-stats.png"), full_page=True)
