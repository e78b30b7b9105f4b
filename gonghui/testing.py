"""Test support shared by every app: the named cast and the scope matrix.

The cast (DESIGN.md) is built through services, the same in every app:

    province ─┬─ city (市总工会) ─┬─ district_a ── street_a ── grassroots_a
              │                  └─ district_b ── grassroots_b
              └─ other_city ── district_c

``scope_matrix`` checks one endpoint for the whole cast in one line: own branch, parent, child,
sibling, other city, read-only and anonymous. ``threaded`` and ``race`` run the concurrency tests'
threads (PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client

from gonghui.accounts.models import ApiToken, StaffAssignment, User
from gonghui.core.scope import Role
from gonghui.unions import services as union_services
from gonghui.unions.models import Employer, Union, UnionKind, UnionLevel

PASSWORD = "Gonghui#2026"  # noqa: S105 - satisfies both the staff and the member rules
# The cast's admins and officers have an authenticator with this secret (second factor, accounts/second_factor.py).
TOTP_SECRET = "TESTCASTTOTPSECRETAAAAAAAAAAAAAA"  # noqa: S105 - test-only secret

_PHONES = iter(range(13900000000, 13999999999))


def next_phone() -> str:
    return str(next(_PHONES))


@dataclass
class Cast:
    unions: dict[str, Union] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    employers: dict[str, Employer] = field(default_factory=dict)
    members: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        for pool in ("users", "unions", "employers"):
            items = self.__dict__.get(pool, {})
            if name in items:
                return items[name]
        raise AttributeError(name)

    def client(self, actor: str | None, *, api: bool = False) -> Client:
        """A test client signed in as ``actor`` (None: anonymous). API clients carry a bearer token."""
        if actor is None:
            return Client()
        user = self.users[actor]
        if api:
            _, raw = ApiToken.issue(user, name="test")
            return Client(headers={"Authorization": f"Bearer {raw}"})
        return log_in(Client(), user)


def log_in(client: Client, user: User) -> Client:
    """``client.force_login(user)`` as if the user had also passed the second factor (the sign-in steps
    themselves are tested in accounts/tests)."""
    from gonghui.accounts.second_factor import SESSION_VERIFIED

    client.force_login(user, backend="gonghui.accounts.auth.PhoneBackend")
    session = client.session
    session[SESSION_VERIFIED] = user.pk
    session.save()
    return client


def otp_code(user: User) -> str:
    """A TOTP code of ``user``'s authenticator that has not been used yet (waits for the next step when the
    current and the next one are spent)."""
    import time

    import pyotp

    from gonghui.accounts.models import SecondFactor

    device = SecondFactor.objects.get(user=user)
    while True:
        current = int(time.time() // 30)
        step = max(current, device.last_step + 1)
        if step <= current + 1:
            return pyotp.TOTP(device.secret).generate_otp(step)
        time.sleep(30 - time.time() % 30 + 0.05)


# (name, union key, role): the staff of the cast
STAFF = [
    ("province_admin", "province", Role.ADMIN),
    ("city_officer", "city", Role.OFFICER),
    ("district_a_admin", "district_a", Role.ADMIN),
    ("district_a_officer", "district_a", Role.OFFICER),
    ("district_a_viewer", "district_a", Role.VIEWER),
    ("district_b_officer", "district_b", Role.OFFICER),
    ("grassroots_a_officer", "grassroots_a", Role.OFFICER),
    ("other_city_officer", "other_city", Role.OFFICER),
    ("auditor", "city", Role.AUDITOR),
]
# People without staff roles; the members module makes the workers members.
PEOPLE = [
    ("worker_a", "王小明"), ("gig_worker_a", "李骑手"), ("worker_b", "赵师傅"), ("provider", "陈劳模"),
    ("merchant", "周老板"),
]
NAMES = {
    "province_admin": "省管理员", "city_officer": "市干事", "district_a_admin": "甲区管理员",
    "district_a_officer": "甲区干事",
    "district_a_viewer": "甲区只读", "district_b_officer": "乙区干事", "grassroots_a_officer": "基层甲干事",
    "other_city_officer": "外市干事", "auditor": "审计员",
}


def make_user(name: str, phone: str | None = None, password: str = PASSWORD) -> User:
    return User.objects.create_user(phone or next_phone(), password, name=name)


def texted(send: Callable[[], Any], phone: str) -> str:
    """Run ``send()`` (a request or service that texts an SMS code) with its on-commit work done, and
    return the 6-digit code of the last text to ``phone``, as its owner would read it. AssertionError
    when nothing was texted to that phone."""
    import re

    from django.test import TestCase

    from gonghui.core.notify import LoggingSmsBackend
    from gonghui.lib.phone import normalize_phone

    before = len(LoggingSmsBackend.sent)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send()
    to = normalize_phone(phone)
    texts = [text for number, text in LoggingSmsBackend.sent[before:] if number == to]
    assert texts, f"no SMS to {to[:3]}****{to[-4:]}"
    found = re.search(r"验证码是(\d{6})", texts[-1])
    assert found, texts[-1]
    return found.group(1)


def register_code(phone: str) -> str:
    """A register code for ``phone`` through the verification service (what the phone receives)."""
    from gonghui.accounts.verification import code_send

    return texted(lambda: code_send(phone=phone, purpose="register"), phone)


def build_cast() -> Cast:
    cast = Cast()
    mk = union_services.union_create
    u = cast.unions
    u["province"] = mk(actor=None, parent=None, name="测试省总工会", kind=UnionKind.FEDERATION,
                       level=UnionLevel.PROVINCE, region_code="630000", audited=False)
    u["city"] = mk(actor=None, parent=u["province"], name="测试市总工会", kind=UnionKind.FEDERATION,
                   region_code="630100", audited=False)
    u["district_a"] = mk(actor=None, parent=u["city"], name="甲区总工会", kind=UnionKind.FEDERATION,
                         region_code="630102", audited=False)
    u["street_a"] = mk(actor=None, parent=u["district_a"], name="甲区东街道总工会", kind=UnionKind.FEDERATION,
                       audited=False)
    u["grassroots_a"] = mk(actor=None, parent=u["street_a"], name="甲公司工会", audited=False)
    u["district_b"] = mk(actor=None, parent=u["city"], name="乙区总工会", kind=UnionKind.FEDERATION,
                         region_code="630103", audited=False)
    u["grassroots_b"] = mk(actor=None, parent=u["district_b"], name="乙公司工会", level=UnionLevel.GRASSROOTS,
                           audited=False)
    u["other_city"] = mk(actor=None, parent=u["province"], name="外市总工会", kind=UnionKind.FEDERATION,
                         audited=False)
    u["district_c"] = mk(actor=None, parent=u["other_city"], name="丙区总工会", kind=UnionKind.FEDERATION,
                         audited=False)
    from gonghui.accounts.second_factor import enrol_with_secret

    for name, union_key, role in STAFF:
        user = make_user(NAMES[name])
        StaffAssignment.objects.create(user=user, union=u[union_key], role=role)
        if role in (Role.ADMIN, Role.OFFICER):
            enrol_with_secret(user, TOTP_SECRET)
        cast.users[name] = user
    for name, display in PEOPLE:
        cast.users[name] = make_user(display)
    e = cast.employers
    e["employer_a"] = Employer.objects.create(name="甲精密制造有限公司", uscc="91630100MA7XKQ0L35",
                                              union=u["grassroots_a"], industry="C", size="medium",
                                              union_established=True)
    e["employer_district_a"] = Employer.objects.create(name="甲区快递服务站", uscc="91630102MA7XKQ0L2Y",
                                                       union=u["district_a"], industry="G", size="small")
    e["employer_b"] = Employer.objects.create(name="乙物流有限公司", uscc="91630103MA7XKQ0L1A", union=u["grassroots_b"],
                                              industry="G", size="large")
    _add_members(cast)
    return cast


# Valid resident ID numbers for the cast (check characters computed per GB 11643).
def id_number(region: str, born: str, seq: str) -> str:
    from gonghui.lib.idcard import check_char

    body = f"{region}{born}{seq}"
    return body + check_char(body)


def _add_members(cast: Cast) -> None:
    """worker_a, gig_worker_a (district A), worker_b (district B) and provider are members."""
    from gonghui.members.services.registry import member_create

    u, e = cast.unions, cast.employers
    cast.members = {
        "worker_a": member_create(actor=None, union=u["grassroots_a"], name="王小明", user=cast.users["worker_a"],
                                  id_number=id_number("630102", "19900307", "123"), phone=cast.users["worker_a"].phone,
                                  employer=e["employer_a"], household="agricultural"),
        "gig_worker_a": member_create(actor=None, union=u["district_a"], name="李骑手", user=cast.users["gig_worker_a"],
                                      id_number=id_number("630102", "19950611", "234"),
                                      phone=cast.users["gig_worker_a"].phone, employment_form="gig",
                                      gig_occupation="food_delivery"),
        "worker_b": member_create(actor=None, union=u["grassroots_b"], name="赵师傅", user=cast.users["worker_b"],
                                  id_number=id_number("630103", "19800115", "345"), phone=cast.users["worker_b"].phone,
                                  employer=e["employer_b"]),
        "provider": member_create(actor=None, union=u["district_a"], name="陈劳模", user=cast.users["provider"],
                                  id_number=id_number("630102", "19751020", "456"), phone=cast.users["provider"].phone,
                                  model_worker_level="national", craftsman=True),
    }


OK = "ok"

# Default expectations for an object owned by district A (the object's branch).
def default_expectations(*, write: bool, api: bool, structure: bool = False) -> dict[str | None, Any]:
    """What each cast member should get for an object owned by district A.

    ``structure``: the action changes the tree's shape (admins only), so officers get 403 too.
    """
    expect: dict[str | None, Any] = {
        "district_a_admin": OK,                                     # own branch, admin
        "district_a_officer": 403 if (write and structure) else OK,  # own branch
        "city_officer": 403 if (write and structure) else OK,        # parent
        "province_admin": OK,                                       # grandparent admin
        "district_a_viewer": 403 if write else OK,                   # read-only
        "grassroots_a_officer": 404,                                # child: can't see upwards
        "district_b_officer": 404,                                  # sibling
        "other_city_officer": 404,                                  # other city
        None: 401 if api else 302,                                  # anonymous
    }
    return expect


def scope_matrix(cast: Cast, call: Callable[[Client, Any], Any], *, target: Callable[[], Any] | None = None,
                 write: bool = False, api: bool = True, structure: bool = False,
                 overrides: dict[str | None, Any] | None = None) -> None:
    """Run ``call(client, target())`` for each cast member and check the status they get.

    ``target`` builds a fresh object for each call (writes change state); OK means any 2xx, or a
    redirect that is not to the login page.
    """
    expect = default_expectations(write=write, api=api, structure=structure)
    expect.update(overrides or {})
    failures = []
    for actor, wanted in expect.items():
        obj = target() if target else None
        response = call(cast.client(actor, api=api), obj)
        status = response.status_code
        if wanted == OK:
            good = 200 <= status < 300 or (300 <= status < 400 and "/login/" not in response.get("Location", ""))
        elif wanted == 302:
            good = status == 302 and "/login/" in response.get("Location", "")
        else:
            good = status == wanted
        if not good:
            failures.append(f"{actor or 'anonymous'}: expected {wanted}, got {status}")
    assert not failures, "scope matrix failed:\n" + "\n".join(failures)


# --- Demo tests ---------------------------------------------------------------------------------------------------


@contextmanager
def small_demo(django_db_blocker: Any, *, members: int = 300) -> Iterator[None]:
    """A small demo province (60 employers, 3 worker accounts, ``members`` members, no service
    modules) for a module-scoped fixture, rolled back when the block ends:

        @pytest.fixture(scope="module")
        def demo_lines(django_db_setup, django_db_blocker):
            with small_demo(django_db_blocker):
                yield build_activities(random.Random(7))
    """
    from gonghui.web.management.commands.demo import build_demo

    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(employers=60, workers=3, members=members, services=False)
        yield
        transaction.set_rollback(True)


# --- Concurrency tests ---------------------------------------------------------------------------------------------
# Real threads, each with its own database connection (closed when it ends), on PostgreSQL: mark the module
# ``pytest.mark.postgres`` and ``pytest.mark.django_db(transaction=True)``.


def xlsx_bytes(header: Sequence[Any], rows: Sequence[Sequence[Any]], *, title: str = "Sheet",
               edit: Callable[[Any], None] | None = None) -> bytes:
    """A workbook as Excel writes it (shared strings, styles): the header row, then ``rows``;
    ``edit(sheet)`` adds oddities (merged cells, formats) before it is saved."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if edit is not None:
        edit(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def threaded(count: int, work: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run ``work(i, barrier)`` in ``count`` threads; each waits on ``barrier`` when its setup is done,
    so the racing part starts at once. Returns each thread's result or exception, in order."""
    barrier = threading.Barrier(count, timeout=30)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            results[i] = work(i, barrier)
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def race(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once, one thread (and connection) each; their results or exceptions, in order."""

    def call(i: int, barrier: threading.Barrier) -> Any:
        barrier.wait()
        return calls[i]()

    return threaded(len(calls), call)


def failures(results: Sequence[Any]) -> list[BaseException]:
    """The exceptions among ``threaded``/``race`` results."""
    return [r for r in results if isinstance(r, BaseException)]


# --- Browser tests --------------------------------------------------------------------------------------------------
# Playwright drives the system Chromium (Debian's package; CI installs it). The ``browser`` and ``live_cast`` fixtures
# are in the root conftest.py; a browser test module sets ``pytestmark = BROWSER``, signs in with sign_in() and saves
# screenshots to screenshots_dir().

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs the system Chromium (apt-get install chromium)"),
]


PHONE = {"width": 390, "height": 844}  # the H5 pages' viewport
DESKTOP = {"width": 1366, "height": 860}  # the console's


def submit_login(page: Any, base: str, phone: str, *, password: str = PASSWORD) -> Any:
    """Fill in and submit the login form at ``base`` (the live server's URL), waiting for nothing: the
    caller waits for where it should land (the console, the enrolment or the code step)."""
    page.goto(f"{base}/login/")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def sign_in(page: Any, base: str, phone: str, *, password: str = PASSWORD, wait: str = "load") -> Any:
    """Sign ``page`` in through the login form at ``base`` (the live server's URL), and through the code
    step with a fresh code for staff with an authenticator, and wait for the page it lands on (``wait``: a
    Playwright load state); returns the page."""
    submit_login(page, base, phone, password=password)
    page.wait_for_load_state(wait)
    if "/login/verify/" in page.url:  # staff: the second factor
        user = User.objects.by_phone(phone).get()
        page.fill("input[name=code]", otp_code(user))
        page.click("button[type=submit]")
        page.wait_for_load_state(wait)
    return page


def screenshots_dir() -> Path:
    """$GONGHUI_SCREENSHOTS, or screenshots/ in the data directory."""
    from django.conf import settings

    path = Path(os.environ.get("GONGHUI_SCREENSHOTS", settings.DATA_DIR / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# WeChat's in-app browser on Android: what most workers open the H5 pages in.
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 "
             "MMWEBSDK/20240802 MMWEBID/2247 MicroMessenger/8.0.51.2720(0x28003339) WeChat/arm64 Weixin "
             "NetType/WIFI Language/zh_CN ABI/arm64")


def decode_qr(locator: Any) -> list[tuple[str, str]]:
    """What a real decoder (ZXing) reads off the pixels the browser shows in ``locator``: [(text, format)].

    A standard QR code reads as ``"QRCode"``; a Micro QR (which phone cameras do not read) as ``"MicroQRCode"``.
    """
    import io

    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(locator.screenshot())))
    return [(r.text, r.format.name) for r in found]
