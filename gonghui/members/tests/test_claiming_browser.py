"""实名认证 in the browser at the phone's size: a roster member signs in, claims the record, lands on
the card. Screenshots: members-claim.png, members-claim-mismatch.png, members-claimed-card.png."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from gonghui.core.notify import LoggingSmsBackend
from gonghui.members.models import Member
from gonghui.members.services.registry import member_create
from gonghui.testing import (
    BROWSER,
    PASSWORD,
    PHONE,
    WECHAT_UA,
    Cast,
    build_cast,
    id_number,
    make_user,
    screenshots_dir,
    sign_in,
)

pytestmark = BROWSER
ID = id_number("630102", "19880512", "611")


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    return build_cast()


def test_a_roster_member_claims_the_record_and_sees_the_card(live_server, browser, live_cast: Cast) -> None:
    cache.clear()
    user = make_user("周建国")
    member = member_create(actor=None, union=live_cast.grassroots_a, name="周建国", id_number=ID, phone=user.phone,
                           employer=live_cast.employer_a, event="import")
    page = browser.new_page(viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN", is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/login/?next=/members/claim/")
    page.fill("input[name=phone]", user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server.url + "/members/claim/")
    page.fill("input[name=name]", "周建国")
    page.fill("input[name=id_number]", ID)
    page.click("button[value=send]:not(.sr-only)")
    page.wait_for_load_state()
    assert "验证码已发送" in page.content()
    code = re.search(r"(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)  # type: ignore[union-attr]
    page.screenshot(path=str(screenshots_dir() / "members-claim.png"), full_page=True)

    page.fill("input[name=name]", "周建华")
    page.fill("input[name=id_number]", ID)
    page.fill("input[name=code]", code)
    page.click("button.btn-primary[value=claim]")
    page.wait_for_load_state()
    assert "未能核实您的会员信息" in page.content() and page.locator("details[open]").count() == 1
    page.screenshot(path=str(screenshots_dir() / "members-claim-mismatch.png"), full_page=True)

    page.fill("form.auth-card input[name=name]", "周建国")
    page.fill("form.auth-card input[name=id_number]", ID)
    page.fill("form.auth-card input[name=code]", code)
    page.click("button.btn-primary[value=claim]")
    page.wait_for_url("**/members/card/")
    assert member.card_no and member.card_no[:4] in page.content()
    page.screenshot(path=str(screenshots_dir() / "members-claimed-card.png"), full_page=True)
    assert Member.objects.get(pk=member.pk).user_id == user.pk


def test_staff_see_the_claim_figure_and_the_invitation(live_server, browser, live_cast: Cast) -> None:
    member_create(actor=None, union=live_cast.grassroots_a, name="吴桂芳", id_number=ID, phone="13700001002",
                  event="import")
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    sign_in(page, live_server.url, live_cast.district_a_officer.phone)  # the password, then the code step
    page.goto(live_server.url + f"/console/members/?union={live_cast.district_a.uuid}&claimed=no")
    text = page.locator(".claim-figures").inner_text()
    assert "已认证 3 / 4 人" in text and "未认证 1 人" in text
    assert page.locator("button", has_text="发送认证邀请短信").count() == 1
    page.screenshot(path=str(screenshots_dir() / "console-members-claims.png"), full_page=True)
