"""Drive the deployment of .ci/deploy.sh from outside, as its users would (standard library only).

    deploy_check.py PROXY APP1 APP2 CAFILE APP1_PGID

PROXY is nginx (https), APP1 and APP2 the two app servers (plain http; the driver adds the headers
nginx adds). Prints one line per check and exits non-zero at the first that fails:

1. the administrator's password on one app server, the first sign-in's enrolment of the authenticator
   on the other, and the console is signed in on both; a staff token is refused without the second
   factor, and one made with it on one server works on the other;
2. a roster uploaded through one app server is checked by the worker, committed through the other,
   and written by the worker;
3. a 免申即享 campaign launched through one app server is issued by the worker;
4. the lockout counts on both servers: five wrong passwords on one lock the account on the other;
5. one app server is killed (SIGKILL) during traffic through nginx: no request fails.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import signal
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PROXY, APP1, APP2, CAFILE, APP1_PGID = sys.argv[1:6]
PUBLIC_HOST = urllib.parse.urlsplit(PROXY).netloc  # what a browser would send as Host (nginx passes $host)
ADMIN_PHONE, ADMIN_PASSWORD = os.environ["DEPLOY_ADMIN_PHONE"], os.environ["DEPLOY_ADMIN_PASSWORD"]
TLS = ssl.create_default_context(cafile=CAFILE)
MEMBERS = 60


def say(text: str) -> None:
    print(f"deploy: {text}", flush=True)


def fail(text: str) -> None:
    say(f"FAILED: {text}")
    sys.exit(1)


class BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies to an app server addressed over plain HTTP: it stands behind nginx's TLS."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return True


class Client:
    """One browser or API client: a cookie jar, optional bearer token, and the proxy headers."""

    def __init__(self, token: str = "") -> None:
        self.jar = http.cookiejar.CookieJar(BehindTheProxy())
        self.token = token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  urllib.request.HTTPSHandler(context=TLS), NoRedirect())

    def call(self, base: str, method: str, path: str, *, body: bytes | None = None, content_type: str = "",
             form: dict[str, str] | None = None, payload: Any = None) -> tuple[int, bytes, Any]:
        headers = {"Host": PUBLIC_HOST, "Origin": f"https://{PUBLIC_HOST}", "Referer": f"https://{PUBLIC_HOST}/"}
        if not base.startswith("https"):
            # Straight to an app server: what nginx would add (deployment.md §8).
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        if payload is not None:
            body, content_type = json.dumps(payload).encode(), "application/json"
        if form is not None:
            body, content_type = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        if csrf and method != "GET":
            headers["X-CSRFToken"] = csrf
        request = urllib.request.Request(base + path, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                data = response.read()
                return response.status, data, response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def json(self, base: str, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        status, data, _ = self.call(base, method, path, **kwargs)
        if status != expect:
            fail(f"{method} {path} on {base}: {status} {data[:300].decode(errors='replace')}")
        return json.loads(data) if data else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def id_number(rng: random.Random) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit), born 1970–2000."""
    born = date(1970, 1, 1) + timedelta(days=rng.randrange(30 * 365))
    body = f"110101{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def wait_for(what: str, probe: Any, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    fail(f"timed out waiting for {what}")
    return None


def form_token(page: bytes) -> str:
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        fail("no CSRF token on the page")
    return token.group(1).decode()


def sign_in_web(first: str, second: str) -> tuple[Client, list[str]]:
    """The password on one app server, then the first sign-in's enrolment of the authenticator
    (the administrator's second factor, security.md) confirmed on the other. Returns the browser and
    the recovery codes the enrolment showed."""
    import pyotp  # in requirements.lock: the deployment's own venv runs this script

    browser = Client()
    status, page, _ = browser.call(first, "GET", "/login/")
    if status != 200:
        fail(f"GET /login/ on {first}: {status}")
    status, _, _ = browser.call(first, "POST", "/login/", form={
        "csrfmiddlewaretoken": form_token(page), "phone": ADMIN_PHONE, "password": ADMIN_PASSWORD})
    if status != 302:
        fail(f"POST /login/ on {first}: {status}")
    status, page, _ = browser.call(second, "GET", "/login/enrol/")
    secret = re.search(rb'data-testid="enrol-secret"[^>]*>([^<]+)<', page)
    if status != 200 or secret is None:
        fail(f"the pending sign-in made on {first} does not reach the enrolment on {second} ({status})")
    code = pyotp.TOTP(secret.group(1).decode().replace(" ", "")).now()
    status, page, _ = browser.call(second, "POST", "/login/enrol/",
                                   form={"csrfmiddlewaretoken": form_token(page), "code": code})
    codes = re.findall(rb"<li>([^<]+)</li>", page.split(b'data-testid="recovery-codes"', 1)[-1].split(b"</ol>", 1)[0])
    if status != 200 or len(codes) != 10:
        fail(f"the enrolment was not confirmed on {second} ({status})")
    return browser, [c.decode().strip() for c in codes]


def main() -> None:
    # 1. One sign-in, both servers: the password on 1, the authenticator's enrolment on 2, the console on 1.
    browser, recovery = sign_in_web(APP1, APP2)
    status, page, _ = browser.call(APP1, "GET", "/console/")
    if status != 200 or "张三".encode() not in page:
        fail(f"the sign-in completed on app server 2 is not signed in on app server 1 ({status})")
    say("a password on app server 1, the authenticator enrolled on app server 2: signed in on both")
    refused, _, _ = Client().call(APP1, "POST", "/api/v1/accounts/token",
                                  payload={"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD, "device": "deploy-ci"})
    if refused != 403:
        fail(f"a staff token without the second factor was not refused ({refused})")
    token = Client().json(APP1, "POST", "/api/v1/accounts/token", expect=201, payload={
        "phone": ADMIN_PHONE, "password": ADMIN_PASSWORD, "device": "deploy-ci", "otp": recovery[0]})["token"]
    api = Client(token)
    me = api.json(APP2, "GET", "/api/v1/accounts/me")
    root = me["grants"][0]["union"]
    say(f"an API token made on app server 1 works on app server 2 ({me['name']}, {me['grants'][0]['union_name']})")

    # 2. A roster: uploaded through 1, checked by the worker, committed through 2, written by the worker.
    union = api.json(APP1, "POST", "/api/v1/unions/", expect=201,
                     payload={"parent": root, "name": "部署检查机械厂工会", "kind": "grassroots", "level": 5})["uuid"]
    rng = random.Random(20261207)  # noqa: S311 - test data, not secrets
    stems, branches = "甲乙丙丁戊己庚辛壬癸", "子丑寅卯辰巳午未申酉戌亥"  # a real name has no digits
    rows = ["姓名,身份证号码,手机号码"] + [f"部署{stems[i % 10]}{branches[i // 10 % 12]},{id_number(rng)},"
                                           f"139{rng.randrange(10**8):08d}" for i in range(MEMBERS)]
    boundary = f"deploy{rng.randrange(10**12)}"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"union\"\r\n\r\n{union}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode()
    body += "\r\n".join(rows).encode() + f"\r\n--{boundary}--\r\n".encode()
    upload = api.json(APP1, "POST", "/api/v1/members/imports", expect=201, body=body,
                      content_type=f"multipart/form-data; boundary={boundary}")
    key = upload["uuid"]

    def state(*final: str) -> Any:
        def probe() -> dict | None:
            found = api.json(APP2, "GET", f"/api/v1/members/imports/{key}")
            return found if found["status"] in final else None
        return probe

    checked = wait_for("the roster check", state("checked", "failed"))
    if checked["status"] != "checked" or checked["valid_rows"] != MEMBERS:
        fail(f"roster check: {checked['status']} {checked['message']} valid {checked['valid_rows']}")
    api.json(APP2, "POST", f"/api/v1/members/imports/{key}/commit")
    done = wait_for("the roster commit", state("done", "failed"))
    if done["status"] != "done" or done["created_count"] != MEMBERS:
        fail(f"roster commit: {done['status']} {done['message']} created {done['created_count']}")
    say(f"a roster of {MEMBERS} uploaded on app server 1 was checked by the worker, committed on app server 2 "
        f"and written by the worker ({done['created_count']} members)")

    # 3. 免申即享: launched through 1, issued by the worker.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the app's calendar day
    partner = api.json(APP1, "POST", "/api/v1/benefits/partners", expect=201, payload={
        "union": root, "name": "部署检查药房", "category": "medical", "address": "城中区部署路1号",
        "discount": "会员9折", "contract_start": str(today), "contract_end": str(today + timedelta(days=365))})["uuid"]
    campaign = api.json(APP1, "POST", "/api/v1/benefits/campaigns", expect=201, payload={
        "union": root, "name": "部署检查免申即享", "kind": "auto", "face_cents": 2000, "budget_count": 1000,
        "budget_cents": 2_000_000, "starts_on": str(today), "ends_on": str(today + timedelta(days=30)),
        "partners": [partner], "rule": {"unions": [union]}})["uuid"]
    api.json(APP1, "POST", f"/api/v1/benefits/campaigns/{campaign}/launch")
    counts = wait_for("the 免申即享 issuance", lambda: (
        c if (c := api.json(APP2, "GET", f"/api/v1/benefits/campaigns/{campaign}/counts"))["issued_count"] else None))
    if counts["issued_count"] != MEMBERS:
        fail(f"免申即享 issued {counts['issued_count']} coupons, expected {MEMBERS}")
    say(f"a 免申即享 campaign launched on app server 1 was issued by the worker ({counts['issued_count']} coupons)")

    # 4. The lockout is shared: five wrong passwords on app server 1, then the right one is refused on 2
    # (from the same client address: the lockout may count per account and address).
    for _ in range(5):
        Client().call(APP1, "POST", "/api/v1/accounts/token",
                      payload={"phone": ADMIN_PHONE, "password": "wrong-password", "device": "deploy-ci"})
    status, data, _ = Client().call(APP2, "POST", "/api/v1/accounts/token", payload={
        "phone": ADMIN_PHONE, "password": ADMIN_PASSWORD, "device": "deploy-ci", "otp": recovery[1]})
    code = json.loads(data).get("code") if data.startswith(b"{") else ""
    if status == 201 or code != "locked":
        fail(f"five wrong passwords did not lock the account on the other app server ({status} {code})")
    say(f"five wrong passwords on app server 1 lock the account on app server 2 ({status} {code})")

    # 5. Kill app server 1 during traffic through nginx.
    results: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def traffic() -> None:
        client = Client(token)
        paths = ["/api/v1/accounts/me", "/api/v1/unions/", "/"]
        n = 0
        while not stop.is_set():
            status, _, _ = client.call(PROXY, "GET", paths[n % len(paths)])
            n += 1
            with lock:
                results.append(status)

    threads = [threading.Thread(target=traffic) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    before = len(results)
    os.killpg(int(APP1_PGID), signal.SIGKILL)
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join()
    failed = [s for s in results if s != 200]
    say(f"app server 1 killed during traffic through nginx: {len(results)} requests ({before} before the kill), "
        f"{len(failed)} failed")
    if failed or len(results) - before < 20:
        fail(f"requests failed or stalled after the kill: {sorted(set(failed))}")


if __name__ == "__main__":
    main()
