"""The survey journey in a real browser (Playwright with the system Chromium): staff publish a need
survey with a skip rule and a public station survey; a real decoder reads the QR codes of the survey
page and the poster; a gig worker answers on the phone (the dependent question appears only for 其他,
answers are saved as he goes and come back when he returns); someone answers the public survey
anonymously. Screenshots go to $GONGHUI_SCREENSHOTS."""

from __future__ import annotations

from gonghui.surveys.models import Audience, Draft, Response
from gonghui.testing import BROWSER, DESKTOP, PHONE, WECHAT_UA, Cast, decode_qr, screenshots_dir, sign_in

from .helpers import need_survey

pytestmark = BROWSER


def test_it_walks_the_survey_journey(live_server, browser, live_cast: Cast) -> None:
    cast = live_cast
    need, parts = need_survey(cast, employment_form="gig")
    station, _ = need_survey(cast, anonymous=True, audience=Audience.PUBLIC)
    shots = screenshots_dir()

    officer = sign_in(browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page(), live_server.url,
                      cast.district_a_officer.phone)
    officer.goto(f"{live_server.url}/console/surveys/{station.uuid}/")
    public_url = f"{live_server.url}/surveys/p/{station.public_token}/"
    assert decode_qr(officer.locator("[data-survey-qr] svg")) == [(public_url, "QRCode")]
    officer.screenshot(path=str(shots / "surveys-console-station.png"), full_page=True)
    officer.goto(f"{live_server.url}/console/surveys/{station.uuid}/poster/")
    assert decode_qr(officer.locator("[data-survey-qr] svg")) == [(public_url, "QRCode")]
    officer.goto(f"{live_server.url}/console/surveys/{need.uuid}/preview/")
    rule = officer.locator(f"[data-show-if='{parts['other'].uuid}']")
    assert rule.is_hidden()
    officer.click(".phone label.sv-opt:has-text('其他')")
    assert rule.is_visible()

    phone = browser.new_context(viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN").new_page()
    sign_in(phone, live_server.url, cast.gig_worker_a.phone)
    phone.goto(f"{live_server.url}/surveys/")
    phone.click(f"text={need.title}")
    phone.wait_for_url(f"**/surveys/{need.uuid}/")
    phone.wait_for_load_state()
    dependent = phone.locator(f"#q-{parts['q2'].uuid}")
    assert dependent.is_hidden()
    phone.click("label.sv-opt:has-text('其他')")
    dependent.locator("input").fill("夜间休息点")
    phone.wait_for_selector("text=已自动暂存")
    assert Draft.objects.get(survey=need).data[str(parts["q2"].uuid)] == ["夜间休息点"]
    phone.reload()
    phone.wait_for_load_state()
    assert dependent.is_visible() and dependent.locator("input").input_value() == "夜间休息点"
    phone.click("label.sv-opt:has-text('休息驿站')")  # changed his mind: the dependent question goes away
    assert dependent.is_hidden()
    phone.click("button:has-text('提交问卷')")
    phone.wait_for_selector("text=此题必答")  # the scale is required
    phone.screenshot(path=str(shots / "surveys-h5-errors.png"), full_page=True)
    phone.locator(f"#q-{parts['q3'].uuid} .sv-scale label").nth(3).click()
    phone.click("button:has-text('提交问卷')")
    phone.wait_for_selector("text=提交成功")
    answered = Response.objects.get(survey=need)
    assert not answered.answers.filter(question=parts["q2"]).exists()  # hidden on submit: not kept

    stranger = browser.new_context(viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN").new_page()
    stranger.goto(public_url)
    stranger.click("label.sv-opt:has-text('法律援助')")
    stranger.locator(".sv-scale label").nth(4).click()
    stranger.click("button:has-text('提交问卷')")
    stranger.wait_for_selector("text=提交成功")
    stranger.screenshot(path=str(shots / "surveys-h5-public-thanks.png"))
    row = Response.objects.get(survey=station)
    assert row.member_id is None and row.channel == "public" and len(row.device_hash) == 64
