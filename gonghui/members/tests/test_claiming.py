"""实名认证绑定: a worker binds their account to the member record a roster import created — the
service, its refusals (all alike), limits and audit rows, the correction request after a mismatch,
the H5 page, the API, the staff figures and filter, and the invitation SMS job."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from gonghui.accounts.models import PhoneCode, User
from gonghui.core.context import audit_context
from gonghui.core.errors import Conflict, TooManyRequests, ValidationFailed
from gonghui.core.models import AuditLog, Job
from gonghui.core.notify import LoggingSmsBackend
from gonghui.members import stats
from gonghui.members.models import Member, MembershipHistory, RightsRequest
from gonghui.members.services import claiming
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number, make_user, next_phone, scope_matrix

pytestmark = pytest.mark.django_db
JSON = "application/json"
ID = id_number("630102", "19880512", "611")


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    cache.clear()  # the rate limiter's counters live in the cache, which outlives a test's transaction
    yield
    cache.clear()


def roster_member(cast: Cast, *, name: str = "周建国", number: str = ID, phone: str | None = None,
                  union: Any = None) -> Member:
    """A member as a roster import leaves them: no account."""
    return member_create(actor=cast.district_a_officer, union=union or cast.grassroots_a, name=name,
                         id_number=number, phone=phone or "", event="import", reason="花名册导入")


@pytest.fixture
def code_for(django_capture_on_commit_callbacks: Callable) -> Callable[[User], str]:
    """Text a claim code to the account's phone and read it back from the SMS backend."""
    def send(user: User) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            claiming.claim_code_send(actor=user)
        phone, text = LoggingSmsBackend.sent[-1]
        assert phone == user.phone and "实名认证" in text
        return re.search(r"(\d{6})", text).group(1)  # type: ignore[union-attr]
    return send


def denied(reason: str) -> int:
    return AuditLog.objects.filter(action="member.claim", result="denied", detail__reason=reason).count()


# --- The service ----------------------------------------------------------------------------------------------


def test_it_binds_the_account_to_the_record_with_the_same_phone(cast: Cast, code_for: Callable) -> None:
    user = make_user("周建国")
    member = roster_member(cast, phone=user.phone)
    before = Member.objects.count()
    claimed = claiming.member_claim(actor=user, name="周建国", id_number=ID.lower(), code=code_for(user))
    member.refresh_from_db()
    assert claimed.pk == member.pk and member.user_id == user.pk and Member.objects.count() == before
    assert MembershipHistory.objects.filter(member=member, event="claimed", actor=user).exists()
    row = AuditLog.objects.get(action="member.claim", result="success")
    assert row.object_key == str(member.uuid) and row.union_path == cast.grassroots_a.path


def test_it_takes_the_account_phone_when_the_record_has_none(cast: Cast, code_for: Callable) -> None:
    user = make_user("周建国")
    member = roster_member(cast)
    claiming.member_claim(actor=user, name=" 周 建国 ", id_number=ID, code=code_for(user))
    member = Member.objects.get(pk=member.pk)
    assert member.user_id == user.pk and member.phone == user.phone
    assert Member.objects.filter(phone_index=member.phone_index).count() == 1  # the blind index follows


def test_it_answers_alike_for_no_record_a_wrong_name_and_another_phone(cast: Cast, code_for: Callable) -> None:
    user = make_user("周建国")
    roster_member(cast, phone=next_phone())  # the record has a phone, not this account's
    other_id = id_number("630102", "19880512", "622")
    messages = set()
    for name, number in (("周建国", other_id), ("周建华", ID), ("周建国", ID)):
        with pytest.raises(ValidationFailed) as exc:
            claiming.member_claim(actor=user, name=name, id_number=number, code="000000")
        assert exc.value.code == "claim_mismatch"
        messages.add(exc.value.message)
    assert messages == {claiming.MISMATCH}
    assert "周" not in claiming.MISMATCH and "工会：" not in claiming.MISMATCH
    assert (denied("no_record"), denied("name"), denied("phone")) == (1, 1, 1)
    assert not Member.objects.filter(user=user).exists()


def test_it_does_not_take_the_code_before_the_identity_matches(cast: Cast, code_for: Callable) -> None:
    user = make_user("周建国")
    roster_member(cast)
    code = code_for(user)
    with pytest.raises(ValidationFailed):
        claiming.member_claim(actor=user, name="周建华", id_number=ID, code=code)
    assert claiming.member_claim(actor=user, name="周建国", id_number=ID, code=code).user_id == user.pk


def test_it_refuses_a_wrong_code(cast: Cast, code_for: Callable) -> None:
    user = make_user("周建国")
    member = roster_member(cast)
    code = code_for(user)
    with pytest.raises(ValidationFailed) as exc:
        claiming.member_claim(actor=user, name="周建国", id_number=ID, code=f"{(int(code) + 1) % 1_000_000:06d}")
    assert exc.value.code == "code_wrong"
    member.refresh_from_db()
    assert member.user_id is None


def test_it_refuses_a_record_bound_to_another_account(cast: Cast, code_for: Callable) -> None:
    """Only reachable with the record's own phone: its first account moved to a new number since."""
    first = make_user("周建国")
    old_phone = first.phone
    roster_member(cast)
    claiming.member_claim(actor=first, name="周建国", id_number=ID, code=code_for(first))
    first.phone = next_phone()
    first.save(update_fields=["phone", "phone_index"])
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # past the resend interval
    second = make_user("周建国", phone=old_phone)
    with pytest.raises(Conflict) as exc:
        claiming.member_claim(actor=second, name="周建国", id_number=ID, code=code_for(second))
    assert exc.value.code == "claimed_elsewhere" and denied("claimed_elsewhere") == 1
    # someone else with another phone gets only the mismatch
    with pytest.raises(ValidationFailed):
        claiming.member_claim(actor=make_user("周建国"), name="周建国", id_number=ID, code="000000")


def test_it_refuses_an_account_that_has_a_record(cast: Cast) -> None:
    roster_member(cast)
    with pytest.raises(Conflict) as exc:
        claiming.member_claim(actor=cast.worker_a, name="周建国", id_number=ID, code="000000")
    assert exc.value.code == "already_claimed"


def test_it_does_not_bind_a_former_member(cast: Cast) -> None:
    """退会 records are not claimable: the person applies again, and approval restores the record."""
    from gonghui.members.services.registry import change_status

    member = roster_member(cast)
    change_status(member=member, from_status="active", to_status="left", event="left")
    user = make_user("周建国")
    with pytest.raises(ValidationFailed):
        claiming.member_claim(actor=user, name="周建国", id_number=ID, code="000000")
    assert denied("no_record") == 1


def test_it_limits_attempts_per_account(cast: Cast) -> None:
    user = make_user("试探者")
    for _ in range(claiming.ACCOUNT_LIMIT):
        with pytest.raises(ValidationFailed):
            claiming.member_claim(actor=user, name="周建国", id_number=ID, code="000000")
    with pytest.raises(TooManyRequests) as exc:
        claiming.member_claim(actor=user, name="周建国", id_number=ID, code="000000")
    assert exc.value.status == 429
    assert denied("throttled") == 1


def test_it_limits_attempts_per_address_across_accounts(cast: Cast) -> None:
    with audit_context(ip="203.0.113.7"):
        for i in range(claiming.IP_LIMIT):
            with pytest.raises(ValidationFailed):
                claiming.member_claim(actor=make_user(f"试探者{i}"), name="周建国", id_number=ID, code="000000")
        with pytest.raises(TooManyRequests):
            claiming.member_claim(actor=make_user("又一个"), name="周建国", id_number=ID, code="000000")
    # another address is not affected
    with audit_context(ip="203.0.113.8"), pytest.raises(ValidationFailed):
        claiming.member_claim(actor=make_user("别处"), name="周建国", id_number=ID, code="000000")


def test_a_correction_request_reaches_the_record_without_telling_the_worker(cast: Cast) -> None:
    member = roster_member(cast, name="周健国", phone=next_phone())  # the union misspelt the name
    user = make_user("周建国")
    answer = claiming.claim_correction_request(actor=user, name="周建国", id_number=ID, details="姓名应为周建国")
    request = RightsRequest.objects.get(member=member)
    assert request.kind == "correction" and "周建国" in request.details and user.masked_phone in request.details
    assert user.phone not in request.details
    # no record at all: the same answer, nothing filed
    nobody = make_user("无记录")
    assert claiming.claim_correction_request(actor=nobody, name="无记录",
                                             id_number=id_number("630102", "19700101", "001")) == answer
    assert RightsRequest.objects.count() == 1
    assert AuditLog.objects.filter(action="member.claim_correction", result="denied").count() == 1


def test_after_claiming_the_coupons_of_auto_issue_appear(cast: Cast, code_for: Callable,
                                                          django_capture_on_commit_callbacks: Callable) -> None:
    """免申即享 issued to the record before it was claimed: the new account sees the coupon."""
    from gonghui.benefits.models import PartnerCategory
    from gonghui.benefits.services import campaigns, partners

    user = make_user("周建国")
    member = roster_member(cast, phone=user.phone)
    today = timezone.localdate()
    shop = partners.partner_create(
        actor=cast.district_a_officer, union=cast.district_a, name="甲区康民大药房", category=PartnerCategory.MEDICAL,
        address="甲区东街12号", latitude=36.6171, longitude=101.7782, discount="9折",
        contract_start=today - timedelta(days=1), contract_end=today + timedelta(days=300))
    campaign = campaigns.campaign_create(
        actor=cast.district_a_officer, union=cast.district_a, partners=[shop], name="夏送清凉券", kind="auto",
        coupon_type="amount", face_cents=2000, budget_count=100, budget_cents=200_000, starts_on=today,
        ends_on=today + timedelta(days=30), rule={})
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_launch(actor=cast.district_a_officer, campaign=campaign)
    assert member.coupons.count() == 1
    claiming.member_claim(actor=user, name="周建国", id_number=ID, code=code_for(user))
    client = cast.client(None)
    client.force_login(user)
    mine = client.get("/api/v1/benefits/coupons/mine")
    assert mine.status_code == 200 and mine.json()["count"] == 1
    card = client.get("/members/card/")
    assert member.card_no[:4] in card.content.decode() and "周建国" in card.content.decode()


# --- The H5 page ------------------------------------------------------------------------------------------------


def test_the_page_asks_anonymous_visitors_to_sign_in_or_register(cast: Cast) -> None:
    page = cast.client(None).get("/members/claim/")
    html = page.content.decode()
    assert page.status_code == 200 and "/login/?next=/members/claim/" in html
    assert "/members/join/register/?next=/members/claim/" in html


def test_the_page_claims_and_lands_on_the_card(cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    user = make_user("周建国")
    member = roster_member(cast, phone=user.phone)
    client = cast.client(None)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/members/claim/", {"action": "send", "name": "周建国"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    code = re.search(r"(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)  # type: ignore[union-attr]
    done = client.post("/members/claim/", {"action": "claim", "name": "周建国", "id_number": ID, "code": code})
    assert done.status_code == 302 and done["Location"] == "/members/card/"
    member.refresh_from_db()
    assert member.user_id == user.pk
    assert client.get("/members/claim/")["Location"] == "/members/card/"


def test_the_page_shows_the_mismatch_and_the_correction_form(cast: Cast) -> None:
    roster_member(cast)
    client = cast.client(None)
    client.force_login(make_user("周建国"))
    page = client.post("/members/claim/", {"action": "claim", "name": "周建华", "id_number": ID, "code": "123456"})
    html = page.content.decode()
    assert page.status_code == 200 and claiming.MISMATCH in html
    assert "<details class=\"card\" open>" in html and "提交更正申请" in html
    answer = client.post("/members/claim/correction/", {"name": "周建华", "id_number": ID, "details": ""})
    assert answer.status_code == 302 and RightsRequest.objects.count() == 1


def test_register_with_a_code_comes_back_to_the_claim_page(cast: Cast, django_capture_on_commit_callbacks) -> None:
    client = cast.client(None)
    phone = next_phone()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/join/register/?next=/members/claim/", {"action": "send", "phone": phone})
    code = re.search(r"(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)  # type: ignore[union-attr]
    done = client.post("/members/join/register/?next=/members/claim/",
                       {"action": "register", "phone": phone, "code": code, "name": "周建国",
                        "password": "Zhou-2026-jianguo", "next": "/members/claim/"})
    assert done.status_code == 302 and done["Location"] == "/members/claim/"


# --- The API ----------------------------------------------------------------------------------------------------


def test_the_api_claims(cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    user = make_user("周建国")
    roster_member(cast, phone=user.phone)
    client = cast.client(None)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/members/claim/sms-code").status_code == 202
    code = re.search(r"(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)  # type: ignore[union-attr]
    wrong = client.post("/api/v1/members/claim", {"name": "周建华", "id_number": ID, "code": code}, content_type=JSON)
    assert wrong.status_code == 400 and wrong.json()["code"] == "claim_mismatch"
    done = client.post("/api/v1/members/claim", {"name": "周建国", "id_number": ID, "code": code}, content_type=JSON)
    assert done.status_code == 201 and done.json()["name"] == "周建国" and "*" in done.json()["id_number"]
    assert cast.client(None).post("/api/v1/members/claim", {"name": "x", "id_number": ID, "code": "1"},
                                  content_type=JSON).status_code == 401
    fix = client.post("/api/v1/members/claim/correction", {"name": "周建国", "id_number": ID}, content_type=JSON)
    assert fix.status_code == 409  # bound now: nothing to correct through this path


# --- Staff: figures, filter, scope, invitation ---------------------------------------------------------------------


def test_staff_see_claimed_and_unclaimed(cast: Cast) -> None:
    roster_member(cast)
    roster_member(cast, name="吴桂芳", number=id_number("630102", "19790303", "612"), phone=next_phone())
    client = cast.client("district_a_officer")
    figures = client.get(f"/api/v1/members/claims?union={cast.district_a.uuid}").json()
    # cast members worker_a, gig_worker_a and provider are bound; the two roster members are not
    assert (figures["total"], figures["claimed"], figures["unclaimed"]) == (5, 3, 2) and figures["rate"] == 60.0
    page = client.get(f"/console/members/?union={cast.district_a.uuid}&claimed=no").content.decode()
    assert "已认证 <b>3</b> / 5 人" in page and "周建国" in page and "吴桂芳" in page
    assert "王小明" not in page  # worker_a is bound, filtered out
    assert "发送认证邀请短信" in page
    bound = client.get(f"/console/members/?union={cast.district_a.uuid}&claimed=yes").content.decode()
    assert "王小明" in bound and "吴桂芳" not in bound and "周建国" not in bound


def test_the_export_takes_the_claim_filter(cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    """导出 from a list filtered to 未认证 exports those members only: the list's link carries the filter
    and the job keeps it (the job's own filters, not the page's, decide the rows)."""
    roster_member(cast)
    client = cast.client("district_a_officer")
    page = client.get(f"/console/members/?union={cast.district_a.uuid}&claimed=no").content.decode()
    assert "claimed=no" in page  # the export link
    with django_capture_on_commit_callbacks(execute=True):
        started = client.get("/console/members/export.xlsx", {"union": str(cast.district_a.uuid), "claimed": "no"})
    job = Job.objects.get(uuid=started["Location"].rstrip("/").split("/")[-1])
    assert job.params["filters"]["claimed"] == "no"
    names = [row[0] for row in _export_rows(client, job)]
    assert names == ["周建国"]


def _export_rows(client: Any, job: Job) -> list[tuple[Any, ...]]:
    import io

    from openpyxl import load_workbook

    download = client.get(f"/console/jobs/{job.uuid}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.getvalue())).active
    return list(sheet.values)[1:]


def test_the_claim_figures_are_gated_by_branch(cast: Cast) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/members/claims?union={cast.district_a.uuid}"),
                 overrides={"auditor": "ok"})  # the city's auditor reads figures of its subtree
    other = cast.client("district_b_officer").get(f"/console/members/?union={cast.district_a.uuid}&claimed=no")
    assert "周" not in other.content.decode()


def test_the_invitation_texts_unclaimed_members_with_the_union_name_only(
        cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    phone = next_phone()
    roster_member(cast, name="吴桂芳", phone=phone)
    roster_member(cast, number=id_number("630102", "19790303", "612"))  # no phone: not texted
    client = cast.client("district_a_officer")
    LoggingSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/members/claims/invite", {"union": str(cast.district_a.uuid)},
                              content_type=JSON)
    assert started.status_code == 202, started.content
    job = Job.objects.get(uuid=started.json()["job"])
    assert job.status == "done" and "1 名" in job.result["summary"]
    texts = [(p, t) for p, t in LoggingSmsBackend.sent if "邀请您" in t]
    assert [p for p, _ in texts] == [phone]
    assert "甲区总工会" in texts[0][1] and "http://testserver/" in texts[0][1] and "吴" not in texts[0][1]
    again = client.post("/api/v1/members/claims/invite", {"union": str(cast.district_a.uuid)}, content_type=JSON)
    assert again.status_code == 429
    assert AuditLog.objects.filter(action="member.claim_invite", result="success").count() == 1
    assert AuditLog.objects.filter(action="member.claim_invite", result="denied").count() == 1


def test_the_invitation_is_gated(cast: Cast) -> None:
    roster_member(cast, phone=next_phone())

    def call(c: Any, _: Any) -> Any:
        cache.clear()
        return c.post("/api/v1/members/claims/invite", {"union": str(cast.district_a.uuid)}, content_type=JSON)

    scope_matrix(cast, call, write=True, overrides={"auditor": 403})
    cache.clear()
    page = cast.client("district_b_officer").post("/console/members/claims/invite/", {"union": cast.district_a.uuid})
    assert page.status_code == 404


def test_the_cockpit_counts_claimed_members_per_union(cast: Cast) -> None:
    roster_member(cast)
    rows = {(union, metric): n for union, metric, _dim, n in stats.snapshot()}
    assert rows[(cast.grassroots_a.pk, "members.claimed")] == 1  # worker_a; the roster member is not
    assert rows[(cast.grassroots_a.pk, "members.total")] == 2
    assert rows[(cast.district_a.pk, "members.claimed")] == 2
