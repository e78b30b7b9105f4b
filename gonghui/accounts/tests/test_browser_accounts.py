"""注册 and 忘记密码 in a real browser at the phone's width: the 获取验证码 button over htmx, its countdown,
the Chinese errors, and the reset through to signing in with the new password. Screenshots are saved."""

from __future__ import annotations

import re

from gonghui.core.notify import LoggingSmsBackend
from gonghui.testing import BROWSER, PASSWORD, PHONE, Cast, screenshots_dir

pytestmark = BROWSER


def _last_code(phone: str) -> str:
    texts = [text for number, text in LoggingSmsBackend.sent if number == phone]
    assert texts, "no code texted"
    return re.search(r"验证码是(\d{6})", texts[-1]).group(1)


def test_it_registers_with_an_sms_code_on_the_phone(live_server, browser, live_cast: Cast) -> None:
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    page.goto(live_server.url + "/register/")
    page.fill("input[name=phone]", "139 1234 5678")
    page.click("button[data-code-button]")
    page.wait_for_selector("text=验证码已发送至139****5678")
    button = page.locator("button[data-code-button]")
    assert button.is_disabled() and "秒后重新获取" in button.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("input[name=code]", "000000" if _last_code("13912345678") != "000000" else "111111")
    page.fill("input[name=name]", "刘快递")
    page.fill("input[name=password]", "ridefast2026")
    page.click("button.btn-primary")
    page.wait_for_selector("text=验证码不正确")
    page.screenshot(path=str(screenshots_dir() / "h5-register.png"), full_page=True)
    page.fill("input[name=code]", _last_code("13912345678"))
    page.fill("input[name=password]", "ridefast2026")
    page.click("button.btn-primary")
    page.wait_for_selector("text=注册成功")


def test_it_resets_a_forgotten_password_on_the_phone(live_server, browser, live_cast: Cast) -> None:
    phone = live_cast.worker_a.phone
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    page.goto(live_server.url + "/login/")
    page.click("text=忘记密码？")
    page.wait_for_url("**/password/forgot/")
    page.fill("input[name=phone]", phone)
    page.click("button[data-code-button]")
    page.wait_for_selector("text=如该手机号已注册，验证码已发送至")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots_dir() / "h5-password-forgot.png"), full_page=True)
    page.fill("input[name=code]", _last_code(phone))
    page.click("button.btn-primary")
    page.wait_for_url("**/password/reset/")
    page.fill("input[name=new_password]", "short")
    page.click("button.btn-primary")
    page.wait_for_selector("text=密码至少8位")
    page.screenshot(path=str(screenshots_dir() / "h5-password-reset.png"), full_page=True)
    page.fill("input[name=new_password]", "Anders#2027x")
    page.click("button.btn-primary")
    page.wait_for_selector("text=密码已重置")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=手机号或密码不正确")
    page.fill("input[name=password]", "Anders#2027x")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
