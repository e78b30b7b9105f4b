"""The second factor in a real browser at desktop width: enrolment (the QR a camera reads, the secret,
the confirming code, the recovery codes) and the code step after the password. Screenshots:
second-factor-enrol.png, second-factor-codes.png, second-factor-step.png."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pyotp

from gonghui.accounts.models import StaffAssignment
from gonghui.core.scope import Role
from gonghui.testing import BROWSER, DESKTOP, Cast, decode_qr, make_user, otp_code, screenshots_dir, submit_login

pytestmark = BROWSER


def test_it_enrols_a_new_officer_and_asks_for_the_code_next_time(live_server, browser, live_cast: Cast) -> None:
    officer = make_user("新干事")
    StaffAssignment.objects.create(user=officer, union=live_cast.district_a, role=Role.OFFICER)
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    submit_login(page, live_server.url, officer.phone)
    page.wait_for_url("**/login/enrol/**")
    page.screenshot(path=str(screenshots_dir() / "second-factor-enrol.png"), full_page=True)

    [(uri, kind)] = decode_qr(page.locator("[data-testid=enrol-qr] svg"))
    assert kind == "QRCode" and uri.startswith("otpauth://totp/")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    assert page.inner_text("[data-testid=enrol-secret]").replace(" ", "") == secret
    assert officer.phone not in uri  # the account is shown masked in the app

    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.screenshot(path=str(screenshots_dir() / "second-factor-codes.png"), full_page=True)
    page.click("text=我已妥善保存，继续")
    page.wait_for_url("**/console/")

    other = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    submit_login(other, live_server.url, officer.phone)
    other.wait_for_url("**/login/verify/**")
    other.fill("input[name=code]", "000000" if otp_code(officer) != "000000" else "111111")
    other.click("button[type=submit]")
    other.wait_for_selector("text=验证码不正确")
    other.screenshot(path=str(screenshots_dir() / "second-factor-step.png"), full_page=True)
    other.fill("input[name=code]", otp_code(officer))
    other.click("button[type=submit]")
    other.wait_for_url("**/console/")
