"""Personal-information rights: seeing and downloading one's own data, requests, staff handling,
and anonymization that keeps the statistics while leaving no plaintext behind."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.fields import lookup_index
from gonghui.core.models import AuditLog, Notification
from gonghui.members.models import (
    JoinApplication,
    Member,
    MembershipHistory,
    MemberStatus,
    RightsRequest,
    RightsRequestStatus,
    Transfer,
    TransferStatus,
)
from gonghui.members.services import card as card_services
from gonghui.members.services import rights as services
from gonghui.members.services import transfer as transfer_services
from gonghui.members.services.registry import member_create
from gonghui.testing import OK, Cast, id_number, scope_matrix
from gonghui.unions.models import Union

pytestmark = pytest.mark.django_db

_SEQ = itertools.count(1)
MEMBER_TABLES = ["members_member", "members_joinapplication", "members_membershiphistory", "members_transfer",
                 "members_transferevent", "members_rightsrequest"]


def new_member(union: Union) -> Member:
    n = next(_SEQ)
    born = (date(1986, 1, 1) + timedelta(days=n)).strftime("%Y%m%d")
    return member_create(actor=None, union=union, name=f"权利会员{n}", id_number=id_number("630102", born, "628"))


def fresh(member: Member) -> Member:
    return Member.objects.select_related("union", "employer", "user").get(pk=member.pk)


def raw_text(tables: list[str]) -> str:
    """Every value of every row of ``tables``, as the database stores them."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            parts += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(parts)


# --- Seeing one's own data --------------------------------------------------------------------------------------


def test_it_shows_my_data_masked_and_reveals_it_on_request(cast: Cast) -> None:
    member = cast.members["worker_a"]
    client = cast.client("worker_a")
    page = client.get("/members/my-data/").content.decode()
    assert member.masked_id_number in page and member.id_number not in page and member.phone not in page
    revealed = client.post("/members/my-data/reveal/", headers={"HX-Request": "true"})
    assert revealed.status_code == 200
    assert member.id_number in revealed.content.decode() and member.phone in revealed.content.decode()
    assert set(AuditLog.objects.filter(action="member.self_reveal", object_key=str(member.uuid))
               .values_list("detail__field", flat=True)) == {"id_number", "phone"}


def test_it_downloads_everything_about_me_and_audits(cast: Cast) -> None:
    member = cast.members["worker_a"]
    response = cast.client("worker_a").get("/members/my-data/export.json")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["member"]["id_number"] == member.id_number and data["member"]["phone"] == member.phone
    assert data["member"]["union"] == "甲公司工会" and data["membership_history"][0]["event"] == "join"
    assert data["account"]["name"] == "王小明"
    api = cast.client("worker_a", api=True).get("/api/v1/members/me/export")
    assert api.status_code == 200 and api.json()["member"]["name"] == "王小明"
    assert AuditLog.objects.filter(action="member.self_export", object_key=str(member.uuid)).count() == 2


def test_it_returns_my_record_masked_through_the_api(cast: Cast) -> None:
    member = cast.members["worker_a"]
    body = cast.client("worker_a", api=True).get("/api/v1/members/me").json()
    assert body["name"] == "王小明" and body["id_number"] == member.masked_id_number
    assert body["phone"] == member.masked_phone and body["status_label"] == "在会"
    assert cast.client("merchant", api=True).get("/api/v1/members/me").status_code == 404
    assert cast.client(None, api=True).get("/api/v1/members/me").status_code == 401
    assert cast.client(None).get("/members/my-data/").status_code == 302
    assert "您还不是工会会员" in cast.client("merchant").get("/members/my-data/").content.decode()


# --- Requests -----------------------------------------------------------------------------------------------------


def test_it_takes_one_pending_request_per_kind(cast: Cast) -> None:
    client = cast.client("worker_a", api=True)
    url = "/api/v1/members/me/requests"
    empty = client.post(url, {"kind": "correction"}, content_type="application/json")
    assert empty.status_code == 400 and "更正" in empty.json()["message"]
    first = client.post(url, {"kind": "correction", "details": "学历应为本科"}, content_type="application/json")
    assert first.status_code == 201 and first.json()["status"] == "pending"
    again = client.post(url, {"kind": "correction", "details": "再说一次"}, content_type="application/json")
    assert again.status_code == 409 and "待处理" in again.json()["message"]
    other = client.post(url, {"kind": "deletion"}, content_type="application/json")
    assert other.status_code == 201
    assert [r["kind"] for r in client.get(url).json()] == ["deletion", "correction"]
    assert Notification.objects.filter(recipient=cast.grassroots_a_officer,
                                       title="有会员提交了个人信息权利请求").count() == 2


def test_it_submits_a_request_from_the_h5_page(cast: Cast) -> None:
    client = cast.client("worker_a")
    response = client.post("/members/my-data/requests/", {"kind": "correction", "details": "户籍类型应为非农业户口"})
    assert response.status_code == 302
    page = client.get("/members/my-data/").content.decode()
    assert "更正个人信息" in page and "待处理" in page
    bad = client.post("/members/my-data/requests/", {"kind": "correction", "details": ""})
    assert bad.status_code == 200


def test_it_applies_a_correction(cast: Cast) -> None:
    member = cast.members["worker_a"]
    item = services.rights_request_create(actor=cast.worker_a, member=member, kind="correction",
                                          details="手机号已更换为13812345678，学历本科")
    response = cast.client("grassroots_a_officer", api=True).post(
        f"/api/v1/members/rights-requests/{item.uuid}/handle",
        {"outcome": "done", "response": "已按您提供的信息更正", "phone": "138 1234 5678", "education": "bachelor"},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    member = fresh(member)
    assert member.phone == "13812345678" and member.education == "bachelor" and member.name == "王小明"
    assert Member.objects.filter(phone_index=lookup_index(Member, "phone_index", "13812345678")).get() == member
    assert MembershipHistory.objects.filter(member=member).last().event == "corrected"
    row = AuditLog.objects.get(action="rights.handle")
    assert row.detail["fields"] == ["phone", "education"] and "13812345678" not in str(row.detail)
    assert Notification.objects.filter(recipient=cast.worker_a, title="您的「更正个人信息」请求已办结").exists()


def test_it_requires_a_reason_to_reject(cast: Cast) -> None:
    item = services.rights_request_create(actor=cast.worker_a, member=cast.members["worker_a"], kind="deletion")
    with pytest.raises(ValidationFailed, match="理由"):
        services.rights_request_handle(actor=cast.district_a_officer, rights_request=item, outcome="rejected")
    with pytest.raises(Forbidden):
        services.rights_request_handle(actor=cast.district_a_viewer, rights_request=item, outcome="rejected",
                                       response="x")
    services.rights_request_handle(actor=cast.district_a_officer, rights_request=item, outcome="rejected",
                                   response="您有未结清的互助保障，请先办理")
    assert fresh(cast.members["worker_a"]).anonymized_at is None
    with pytest.raises(Conflict):
        services.rights_request_handle(actor=cast.district_a_officer, rights_request=item, outcome="done")


# --- Anonymization ----------------------------------------------------------------------------------------------


def test_it_anonymizes_on_deletion_keeping_the_counts_and_no_plaintext(cast: Cast) -> None:
    member = fresh(cast.members["worker_a"])
    old_name, old_id, old_phone, old_token = member.name, member.id_number, member.phone, member.card_token
    old_index = member.id_index
    JoinApplication.objects.create(
        applicant=cast.worker_a, union=cast.grassroots_a, name=old_name, id_number=old_id, phone=old_phone,
        notice_version="2026-11", consented_at=timezone.now(), status="approved", member=member)
    transfer_services.transfer_start(actor=cast.worker_a, member=member, to_union=cast.grassroots_b,
                                     reason=f"{old_name}去乙物流上班")
    counts = {
        "union": Member.objects.filter(union=cast.grassroots_a).count(),
        "subtree": Member.objects.filter(union__path__startswith=cast.district_a.path).count(),
        "women": Member.objects.filter(gender="F").count(),
        "gig": Member.objects.gig().count(),
    }
    assert old_name in raw_text(MEMBER_TABLES)  # the control: the name is there before

    item = services.rights_request_create(actor=cast.worker_a, member=fresh(member), kind="deletion",
                                          details=f"我是{old_name}，请删除我的信息")
    response = cast.client("district_a_officer").post(f"/console/members/rights/{item.uuid}/",
                                                      {"outcome": "done", "response": "已删除"})
    assert response.status_code == 302, response.content

    member = fresh(member)
    assert member.status == MemberStatus.LEFT and member.anonymized_at is not None
    assert member.name == services.ANONYMIZED_NAME and member.user is None and member.card_no is None
    assert member.id_number is None and member.phone is None and member.id_index is None
    assert member.phone_index is None and member.name_pinyin == "" and member.consented_at is None
    assert member.union == cast.grassroots_a and member.gender == "M" and member.birth_date == date(1990, 1, 1)
    assert member.household == "agricultural" and member.employer == cast.employer_a
    assert counts == {
        "union": Member.objects.filter(union=cast.grassroots_a).count(),
        "subtree": Member.objects.filter(union__path__startswith=cast.district_a.path).count(),
        "women": Member.objects.filter(gender="F").count(),
        "gig": Member.objects.gig().count(),
    }
    assert Member.objects.filter(union=cast.grassroots_a).current().count() == 0
    events = list(MembershipHistory.objects.filter(member=member).values_list("event", flat=True))
    assert events[-2:] == ["transfer_cancelled", "anonymized"]
    assert Transfer.objects.get(member=member).status == TransferStatus.CANCELLED
    assert RightsRequest.objects.get(pk=item.pk).status == RightsRequestStatus.DONE

    raw = raw_text(MEMBER_TABLES)
    for secret in (old_name, old_id, old_phone, old_index, old_token):
        assert secret not in raw
    application = JoinApplication.objects.get(applicant=cast.worker_a)
    assert application.name == services.ERASED_APPLICANT_NAME and application.id_number == "-"
    assert application.phone == "-" and application.id_index != old_index
    assert not Member.objects.filter(id_index=old_index).exists()
    assert card_services.card_verify(token=old_token, actor=cast.city_officer)["valid"] is False
    assert AuditLog.objects.filter(action="member.anonymize", object_key=str(member.uuid)).exists()
    # the person may join again later: nothing of theirs blocks the ID number
    again = member_create(actor=None, union=cast.grassroots_b, name=old_name, id_number=old_id)
    assert again.pk != member.pk


def test_it_anonymizes_on_withdrawn_consent(cast: Cast) -> None:
    member = cast.members["gig_worker_a"]
    item = services.rights_request_create(actor=cast.gig_worker_a, member=member, kind="withdraw_consent")
    services.rights_request_handle(actor=cast.district_a_officer, rights_request=item, outcome="done")
    member = fresh(member)
    assert member.anonymized_at is not None and member.status == MemberStatus.LEFT
    assert member.employment_form == "gig" and member.gig_occupation == "food_delivery"
    assert member.birth_date == date(1995, 1, 1)
    # the former member is told, and their H5 pages now treat them as a non-member
    assert Notification.objects.filter(recipient=cast.gig_worker_a, title="您的「撤回同意」请求已办结").exists()
    assert "您还不是工会会员" in cast.client("gig_worker_a").get("/members/my-data/").content.decode()


# --- The staff side against the cast --------------------------------------------------------------------------


def pending(cast: Cast) -> RightsRequest:
    return services.rights_request_create(actor=None, member=new_member(cast.district_a), kind="correction",
                                          details="姓名有误")


def test_it_gates_handling_through_the_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, r: c.post(f"/api/v1/members/rights-requests/{r.uuid}/handle",
                                           {"outcome": "rejected", "response": "无法核实"},
                                           content_type="application/json"),
                 target=lambda: pending(cast), write=True)


def test_it_gates_handling_through_the_page(cast: Cast) -> None:
    scope_matrix(cast, lambda c, r: c.post(f"/console/members/rights/{r.uuid}/",
                                           {"outcome": "rejected", "response": "无法核实"}),
                 target=lambda: pending(cast), write=True, api=False)


def test_it_gates_reading_a_request(cast: Cast) -> None:
    item = pending(cast)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/members/rights-requests/{item.uuid}"))
    scope_matrix(cast, lambda c, _: c.get(f"/console/members/rights/{item.uuid}/"), api=False)
    page = cast.client("district_a_viewer").get(f"/console/members/rights/{item.uuid}/").content.decode()
    assert "只能查看" in page


def test_it_lists_requests_in_scope_only(cast: Cast) -> None:
    item = pending(cast)
    lists = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}
    scope_matrix(cast, lambda c, _: c.get("/api/v1/members/rights-requests"), overrides=lists)
    scope_matrix(cast, lambda c, _: c.get("/console/members/rights/"), api=False, overrides=lists)
    mine = cast.client("district_a_officer", api=True).get("/api/v1/members/rights-requests?status=pending").json()
    assert [r["uuid"] for r in mine["items"]] == [str(item.uuid)]
    assert cast.client("district_b_officer", api=True).get("/api/v1/members/rights-requests").json()["count"] == 0


WECHAT = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 MicroMessenger/8.0.51"}


def test_it_shows_the_data_on_the_page_where_wechat_will_not_download(cast: Cast) -> None:
    client = cast.client("worker_a")
    page = client.get("/members/my-data/", **WECHAT).content.decode()
    assert "微信内可能无法下载文件" in page and "/members/my-data/all/" in page and "短信发送下载链接" in page
    assert "微信内可能无法下载文件" not in client.get("/members/my-data/").content.decode()
    member = cast.members["worker_a"]
    shown = client.get("/members/my-data/all/", **WECHAT)
    assert shown.status_code == 200 and member.id_number in shown.content.decode()  # their own data, in full
    assert AuditLog.objects.filter(action="member.self_export", object_key=str(member.uuid)).count() == 1
    assert cast.client(None).get("/members/my-data/all/").status_code == 302
    assert cast.client("merchant").get("/members/my-data/all/").status_code == 404


def test_it_texts_a_download_link_that_needs_a_sign_in(cast: Cast, settings,
                                                       django_capture_on_commit_callbacks) -> None:
    from gonghui.core.notify import LoggingSmsBackend

    settings.NOTIFICATION_CHANNELS = ["inbox", "sms"]
    LoggingSmsBackend.sent.clear()
    client = cast.client("worker_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/my-data/send-link/", follow=True)
    assert "下载链接已发送到您的手机" in response.content.decode()
    [(phone, text)] = LoggingSmsBackend.sent
    assert phone == cast.worker_a.phone and text.endswith("/members/my-data/export.json")
    assert cast.members["worker_a"].id_number not in text
    # the link is the ordinary download: without a session it asks for the sign-in
    assert cast.client(None).get("/members/my-data/export.json").status_code == 302
    again = client.post("/members/my-data/send-link/", follow=True)
    assert "下载链接已发送，请查看短信" in again.content.decode() and len(LoggingSmsBackend.sent) == 1
    assert AuditLog.objects.filter(action="member.self_export_link").count() == 1
