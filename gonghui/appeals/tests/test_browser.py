"""The main 12351 journey in a real browser (Playwright driving the system Chromium): a worker
reports a hazard with a photo on the H5 and gets the case number at once; the unit's officer
accepts and closes it in the console; the worker rates it 不满意 and sends it back once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gonghui.appeals.models import Status, Ticket
from gonghui.testing import BROWSER, PHONE, Cast, build_cast, screenshots_dir, sign_in

from .helpers import PNG

pytestmark = BROWSER
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def live_cast(transactional_db: None, settings, tmp_path) -> Cast:
    settings.MEDIA_ROOT = tmp_path
    return build_cast()


def test_it_walks_a_hazard_report_from_the_h5_to_the_console_and_back(live_server, browser, live_cast: Cast,
                                                                      tmp_path: Path) -> None:
    photo = tmp_path / "hazard.png"
    photo.write_bytes(PNG)
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(phone, live_server.url, live_cast.worker_a.phone)
    phone.goto(live_server.url + "/appeals/")
    phone.click(".tiles >> text=安全隐患随手拍")
    phone.fill("textarea[name=content]", "二号车间消防通道堆满货物，安全出口被锁。")
    phone.fill("input[name=location]", "二号车间东侧")
    phone.set_input_files("input[name=files]", str(photo))
    phone.click("button:has-text('提交')")
    phone.wait_for_selector("text=提交成功")
    number = re.search(r"12351-\d{8}-\d{6}", phone.inner_text("#alerts")).group(0)
    phone.screenshot(path=str(screenshots_dir() / "appeals-h5-submitted.png"), full_page=True)
    ticket = Ticket.objects.get(number=number)
    assert ticket.union == live_cast.grassroots_a and ticket.attachments.count() == 1

    desk = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(desk, live_server.url, live_cast.grassroots_a_officer.phone)
    desk.goto(live_server.url + "/console/appeals/")
    desk.click(f"text={number}")
    desk.click("details:has-text('受理') button:has-text('受理')")
    desk.wait_for_selector("text=已受理")
    desk.fill("textarea[name=reply]", "已责令清理通道、打开安全出口，感谢监督。")
    desk.click("button:has-text('答复并办结')")
    desk.wait_for_selector("text=已答复并办结")
    desk.screenshot(path=str(screenshots_dir() / "appeals-console-closed.png"), full_page=True)

    phone.goto(live_server.url + f"/appeals/mine/{ticket.uuid}/")
    assert "已责令清理通道" in phone.content()
    phone.check("input[value=dissatisfied]")
    phone.click("button:has-text('提交评价')")
    phone.wait_for_selector("text=感谢您的评价")
    phone.fill("textarea[name=reason]", "安全出口还是锁着")
    phone.click("button:has-text('申请重新办理')")
    phone.wait_for_selector("text=已申请重新办理")
    ticket.refresh_from_db()
    assert ticket.status == Status.PROCESSING and ticket.reopen_count == 1
    assert "申请重新办理（限一次）" not in phone.content()


def test_it_never_says_a_complaint_goes_to_the_employer_it_is_about(live_server, browser, live_cast: Cast) -> None:
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(phone, live_server.url, live_cast.worker_a.phone)
    phone.goto(live_server.url + "/appeals/new/")
    employer = live_cast.members["worker_a"].employer.name
    passed_on = phone.locator(f"text=意见建议将转达给 {employer}")
    phone.check("input[name=kind][value=complaint]")
    assert not passed_on.is_visible()
    assert phone.locator("text=不会交给您所投诉或争议的单位").is_visible()
    phone.check("input[name=kind][value=suggestion]")
    assert passed_on.is_visible() and not phone.locator("text=不会交给您所投诉或争议的单位").is_visible()


def test_it_counts_characters_instead_of_cutting_them_and_keeps_submit_in_reach(live_server, browser,
                                                                               live_cast: Cast) -> None:
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(phone, live_server.url, live_cast.worker_a.phone)
    phone.goto(live_server.url + "/appeals/new/")
    content = phone.locator("textarea[name=content]")
    content.fill("车间夜班没有加班费")
    assert phone.inner_text(".counter") == "已输入 9/2000"
    content.fill("长" * 2003)  # pasted text is kept whole, not cut at the limit …
    assert len(content.input_value()) == 2003
    assert "超出 3 字" in phone.inner_text(".counter")  # … and the counter says by how much
    phone.screenshot(path=str(screenshots_dir() / "appeals-h5-counter.png"))
    # the primary button stays on screen above the tab bar while the form scrolls
    phone.evaluate("window.scrollTo(0, 0)")
    box = phone.locator("button.sticky-submit").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    phone.check("input[name=kind][value=consult]")
    phone.click("button.sticky-submit")
    phone.wait_for_selector("text=诉求内容不能超过2000个字（现在2003个字）")
    assert Ticket.objects.count() == 0


def test_it_says_inline_why_locating_failed(live_server, browser, live_cast: Cast) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # no geolocation permission granted
    phone = context.new_page()
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(phone, live_server.url, live_cast.worker_a.phone)
    phone.goto(live_server.url + "/appeals/new/")
    phone.click("#locate")
    phone.wait_for_selector("#locate-status.error")
    assert "直接填写地点" in phone.inner_text("#locate-status") and dialogs == []
    assert phone.inner_text("#locate") == "重新定位"
    context.close()
