"""The member card and the join codes, as a phone in WeChat shows them: each QR code decodes with a real
decoder (ZXing) to the URL it stands for, and the card's URL lands the scanner on a page they can use.
Skipped where Chromium is not installed; screenshots go to screenshots_dir()."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gonghui.members.models import Member
from gonghui.members.services import joining
from gonghui.testing import BROWSER, WECHAT_UA, Cast, build_cast, decode_qr, screenshots_dir, sign_in

pytestmark = BROWSER
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    return build_cast()


def _phone(browser, base: str, phone: str | None = None):
    page = browser.new_page(viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN", is_mobile=True, has_touch=True)
    if phone:
        sign_in(page, base, phone)
    return page


def test_it_shows_a_card_qr_code_that_scans_to_a_harmless_page(live_server, browser, live_cast: Cast) -> None:
    base = live_server.url
    worker = _phone(browser, base, live_cast.worker_a.phone)
    worker.goto(base + "/members/card/")
    box = worker.locator("#card-qr svg").bounding_box()
    assert box is not None and box["width"] >= 200 and abs(box["width"] - box["height"]) < 1
    token = Member.objects.values_list("card_token", flat=True).get(pk=live_cast.members["worker_a"].pk)
    assert decode_qr(worker.locator("#card-qr svg")) == [(f"{base}/members/c/{token}/", "QRCode")]
    worker.screenshot(path=str(screenshots_dir() / "members-card.png"), full_page=True)

    stranger = _phone(browser, base)  # someone who scans it with WeChat without signing in
    stranger.goto(f"{base}/members/c/{token}/")
    assert "会员身份有效" in stranger.inner_text("main") and "王小明" not in stranger.content()
    stranger.screenshot(path=str(screenshots_dir() / "members-card-scanned.png"), full_page=True)


def test_it_draws_scannable_join_codes(live_server, browser, live_cast: Cast) -> None:
    base = live_server.url
    drive = joining.drive_create(actor=live_cast.district_a_officer, union=live_cast.grassroots_a, name="夏季集中入会")
    officer = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    sign_in(officer, base, live_cast.district_a_officer.phone)  # and the staff code step
    officer.wait_for_url("**/console/")
    union = live_cast.grassroots_a
    codes = {
        f"/console/unions/{union.uuid}/join-qr.svg": reverse("unions:public", args=[union.join_code]),
        f"/console/members/drives/{drive.uuid}/qr.svg": reverse("members:join_drive", args=[drive.code]),
    }
    for url, target in codes.items():
        officer.goto(base + url)
        assert decode_qr(officer.locator("svg")) == [(base + target, "QRCode")]
        assert officer.goto(base + target).status == 200  # and a phone that scans it gets the page
