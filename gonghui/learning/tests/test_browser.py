"""The 职课堂 journey in a real browser (Playwright driving the system Chromium) at the phone's size with
WeChat's user agent: find a course, enrol, study (the player's progress beacon of gonghui.js included),
sit the exam (answers saved as given, kept across a reload, the countdown shown), pass, download the
certificate, and a stranger verifies it. Skipped, with the reason, where Chromium is not installed."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.learning.models import Certificate, LessonProgress
from gonghui.testing import BROWSER, PHONE, WECHAT_UA, Cast, screenshots_dir, sign_in

from .conftest import RIGHT, build_course

pytestmark = [*BROWSER, pytest.mark.usefixtures("media")]


def test_it_walks_the_learning_journey(live_server: Any, browser: Any, live_cast: Cast) -> None:
    cast = live_cast
    course = build_course(cast)
    shots = screenshots_dir()
    context = browser.new_context(viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 确定开始/交卷吗？
    sign_in(page, live_server.url, cast.worker_a.phone)
    page.goto(f"{live_server.url}/learning/")
    page.click("text=安全生产基础")
    page.click("button:has-text('报名学习')")
    page.wait_for_selector("text=报名成功")
    page.click("ol.lessons a >> nth=0")
    page.click("button:has-text('已学完')")
    page.wait_for_selector("text=岗位操作规程")
    page.click("button:has-text('已学完')")
    page.wait_for_selector("video.player")
    # the player's beacon: the end of the video posts done (gonghui.js data-progress-url)
    with page.expect_response(lambda r: "/progress/" in r.url) as beacon:
        page.eval_on_selector("video.player", "v => v.dispatchEvent(new Event('ended'))")
    assert beacon.value.status == 204
    assert LessonProgress.objects.filter(done=True).count() == 3
    page.goto(f"{live_server.url}/learning/courses/{course.uuid}/")
    page.click("button:has-text('开始考试')")
    page.wait_for_selector("[data-countdown]")
    assert ":" in page.inner_text("[data-countdown]")  # counted down by gonghui.js as m:ss
    for box in page.locator("fieldset.q").all():
        text = box.locator("legend").inner_text()
        answer = next(value for key, value in RIGHT.items() if key in text)
        if isinstance(answer[0], str):
            box.locator("input[type=text]").fill(answer[0])
            box.locator("input[type=text]").dispatch_event("change")
        else:
            for index in answer:
                box.locator("label.opt").nth(index).click()
        page.wait_for_selector("#saved:has-text('已保存')")
    page.screenshot(path=str(shots / "learning-h5-exam.png"), full_page=True)
    page.reload()  # a dropped connection: the saved answers are back
    assert page.locator("input:checked").count() >= 4
    page.click("button:has-text('交卷')")
    page.wait_for_selector("text=恭喜，考试通过")
    page.screenshot(path=str(shots / "learning-h5-result.png"), full_page=True)
    certificate = Certificate.objects.get()
    with page.expect_download() as download:
        page.click("text=下载证书（PDF）")
    assert download.value.suggested_filename == f"结业证书-{certificate.number}.pdf"

    stranger = browser.new_context(viewport=PHONE, user_agent=WECHAT_UA).new_page()
    stranger.goto(f"{live_server.url}/learning/verify/{certificate.number}/")
    stranger.wait_for_selector("text=证书有效")
    assert "王**" in stranger.content()
    stranger.screenshot(path=str(shots / "learning-h5-verify.png"), full_page=True)
