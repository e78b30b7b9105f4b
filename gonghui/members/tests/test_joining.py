"""Online joining (入会): the worker's H5 journey, the staff queue and decisions, drives, the API, and
the scope of every decision endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core import events
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.core.notify import LoggingSmsBackend
from gonghui.members.models import ApplicationStatus, EnrollmentDrive, JoinApplication, Member, MembershipHistory
from gonghui.members.services import joining as services
from gonghui.members.services.registry import NOTICE_VERSION
from gonghui.testing import PASSWORD, Cast, id_number, make_user, next_phone, scope_matrix
from gonghui.unions import services as union_services
from gonghui.unions.models import Union, UnionKind

pytestmark = pytest.mark.django_db
_SEQ = count(501, 2)


def new_id() -> str:
    return id_number("630102", "19920315", f"{next(_SEQ) % 1000:03d}")


def apply(union: Union, *, user: User | None = None, drive: EnrollmentDrive | None = None, **over: Any
          ) -> JoinApplication:
    """A pending application by a fresh worker (or ``user``) to ``union``, through the service."""
    user = user or make_user("新职工")
    data: dict[str, Any] = {"name": user.name, "id_number": new_id(), "phone": user.phone,
                            "notice_version": NOTICE_VERSION, "consented_at": timezone.now(),
                            "education": "senior", "household": "agricultural"}
    data.update(over)
    return services.application_submit(applicant=user, union=union, drive=drive, **data)


def details(user: User, **over: str) -> dict[str, str]:
    data = {"name": user.name, "id_number": new_id(), "phone": user.phone, "education": "college",
            "household": "non_agricultural", "employment_form": "regular", "gig_occupation": "", "employer_name": ""}
    data.update(over)
    return data


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="gonghui.accounts.auth.PhoneBackend")
    return client


def consent_and_details(client: Client, data: dict[str, str]) -> None:
    assert client.post("/members/join/", {"consent": "on"})["Location"] == "/members/join/details/"
    response = client.post("/members/join/details/", data)
    assert response.status_code == 302 and response["Location"] == "/members/join/union/", response.content.decode()


@pytest.fixture
def sms(django_capture_on_commit_callbacks: Callable) -> Iterator[Callable]:
    LoggingSmsBackend.sent.clear()
    yield django_capture_on_commit_callbacks
    LoggingSmsBackend.sent.clear()


# --- The worker's journey on the H5 ----------------------------------------------------------------------


def test_it_walks_the_whole_journey_from_sms_registration_to_submission(cast: Cast, sms: Callable) -> None:
    client, phone = Client(), next_phone()
    start = client.get("/members/join/")
    assert start.status_code == 200 and "手机号验证注册" in start.content.decode()

    with sms(execute=True):
        sent = client.post("/members/join/register/", {"action": "send", "phone": phone, "name": "刘快递"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    code = re.search(r"验证码是(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)

    wrong = client.post("/members/join/register/", {"phone": phone, "code": "999999" if code != "999999" else "111111",
                                                    "name": "刘快递", "password": PASSWORD})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    registered = client.post("/members/join/register/", {"phone": phone, "code": code, "name": "刘快递",
                                                         "password": PASSWORD})
    assert registered.status_code == 302 and registered["Location"] == "/members/join/"
    user = User.objects.by_phone(phone).get()

    notice = client.get("/members/join/")
    assert "个人信息处理告知书" in notice.content.decode() and NOTICE_VERSION in notice.content.decode()
    refused = client.post("/members/join/", {})
    assert refused.status_code == 200 and "请勾选同意" in refused.content.decode()
    assert client.post("/members/join/", {"consent": "on"}).status_code == 302

    form = client.get("/members/join/details/").content.decode()
    assert f'value="{phone}"' in form and 'value="刘快递"' in form  # prefilled from the account
    number = new_id()
    check = client.post("/members/join/details/id-check/", {"id_number": number}).content.decode()
    assert "男" in check and "1992年3月15日" in check
    bad = client.post("/members/join/details/", details(user, id_number=number[:-1] + "0"))
    assert bad.status_code == 200 and "校验位" in bad.content.decode()
    assert client.post("/members/join/details/", details(user, id_number=number))["Location"] == "/members/join/union/"
    stored = " ".join(s.session_data for s in Session.objects.all())
    decoded = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    assert number not in stored and number not in decoded and phone not in decoded  # encrypted in the session

    found = client.get("/members/join/union/", {"q": "甲精密", "part": "employers"}).content.decode()
    assert "甲精密制造有限公司" in found and "甲公司工会" in found
    assert cast.employer_a.uscc not in found  # public-safe: names only
    by_code = client.get("/members/join/union/", {"q": cast.employer_a.uscc.lower(), "part": "employers"},
                         headers={"HX-Request": "true"}).content.decode()
    assert "甲精密制造有限公司" in by_code and "<html" not in by_code  # the HTMX fragment alone
    picked = client.post("/members/join/union/", {"action": "employer", "employer": str(cast.employer_a.uuid)})
    assert picked["Location"] == "/members/join/review/"

    review = client.get("/members/join/review/").content.decode()
    assert "甲公司工会" in review and number not in review and f"{number[:3]}" in review
    submitted = client.post("/members/join/review/")
    assert submitted.status_code == 302 and submitted["Location"] == "/members/join/status/"

    application = JoinApplication.objects.get(applicant=user)
    assert application.status == ApplicationStatus.PENDING and application.union == cast.grassroots_a
    assert application.employer == cast.employer_a and application.id_number == number
    assert application.notice_version == NOTICE_VERSION and application.consented_at is not None
    assert application.education == "college" and application.phone == phone
    status = client.get("/members/join/status/").content.decode()
    assert "待审核" in status and "甲公司工会" in status
    assert client.get("/members/join/").status_code == 302  # a pending application: straight to its status
    assert Notification.objects.filter(recipient=user, title="入会申请已提交").exists()


def test_it_keeps_plaintext_ids_and_phones_out_of_the_table(cast: Cast) -> None:
    application = apply(cast.grassroots_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_joinapplication WHERE id = %s", [application.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert application.id_number not in raw and application.phone not in raw
    assert application.id_number[6:14] not in raw  # not even the birth date


def test_it_joins_through_the_union_qr_code(cast: Cast) -> None:
    code = cast.grassroots_a.join_code
    public = Client().get(f"/unions/join/{code}/").content.decode()
    assert "申请加入本工会" in public and f"/members/join/code/{code}/" in public

    client = Client()
    assert client.get(f"/members/join/code/{code}/")["Location"] == "/members/join/"
    assert "甲公司工会" in client.get("/members/join/").content.decode()  # shown before signing in
    user = make_user("扫码职工")
    client.force_login(user, backend="gonghui.accounts.auth.PhoneBackend")  # keeps the session's choice
    consent_and_details(client, details(user))
    page = client.get("/members/join/union/").content.decode()
    assert "确认加入该工会" in page and "甲公司工会" in page
    assert client.post("/members/join/union/", {"action": "keep"})["Location"] == "/members/join/review/"
    client.post("/members/join/review/")
    assert JoinApplication.objects.get(applicant=user).union == cast.grassroots_a

    assert Client().get("/members/join/code/no-such-code/").status_code == 404


def test_it_accepts_a_typed_join_code_or_drive_code(cast: Cast) -> None:
    drive = services.drive_create(actor=cast.district_a_officer, union=cast.district_a, name="快递员集中入会")
    user = make_user("输码职工")
    client = signed_in(user)
    consent_and_details(client, details(user))
    bad = client.post("/members/join/union/", {"action": "code", "code": "nope"}, follow=True)
    assert "入会码无效" in bad.content.decode()
    client.post("/members/join/union/", {"action": "code", "code": drive.code})
    client.post("/members/join/review/")
    application = JoinApplication.objects.get(applicant=user)
    assert application.union == cast.district_a and application.drive == drive


def test_it_sends_gig_workers_to_the_joint_union_of_their_occupation_and_city(cast: Cast) -> None:
    delivery = union_services.union_create(actor=None, parent=cast.district_a, name="甲区外卖送餐行业工会联合会",
                                           kind=UnionKind.JOINT, audited=False)
    courier = union_services.union_create(actor=None, parent=cast.district_b, name="乙区快递行业工会联合会",
                                          kind=UnionKind.JOINT, audited=False)
    union_services.union_create(actor=None, parent=cast.district_c, name="丙区外卖行业工会联合会",
                                kind=UnionKind.JOINT, audited=False)  # another city
    user = make_user("外卖小哥")
    client = signed_in(user)
    consent_and_details(client, details(user, employment_form="gig", gig_occupation="food_delivery",
                                        employer_name="某外卖平台"))
    page = client.get("/members/join/union/").content.decode()
    assert "加入行业工会联合会" in page and ">测试市<" in page and ">外市<" in page
    listed = client.get("/members/join/union/", {"city": str(cast.city.uuid), "part": "joint"},
                        headers={"HX-Request": "true"}).content.decode()
    assert "甲区外卖送餐行业工会联合会" in listed
    assert "乙区快递行业工会联合会" not in listed and "丙区外卖行业工会联合会" not in listed
    client.post("/members/join/union/", {"action": "joint", "union": str(delivery.uuid)})
    assert "甲区外卖送餐行业工会联合会" in client.get("/members/join/review/").content.decode()
    client.post("/members/join/review/")
    application = JoinApplication.objects.get(applicant=user)
    assert application.union == delivery and application.gig_occupation == "food_delivery"
    assert application.employer_name == "某外卖平台"

    # No joint union named for the occupation: all the city's joint unions, said so.
    items, matched = services.joint_unions_for(occupation="domestic", city=cast.city)
    assert not matched and {u.name for u in items} == {delivery.name, courier.name}
    with pytest.raises(Exception, match="工会联合会"):
        services.joint_union_pickable(cast.grassroots_a.uuid)  # not a joint union


def test_it_requires_an_occupation_for_gig_workers(cast: Cast) -> None:
    user = make_user("骑手")
    client = signed_in(user)
    client.post("/members/join/", {"consent": "on"})
    response = client.post("/members/join/details/", details(user, employment_form="gig"))
    assert response.status_code == 200 and "请选择您的职业" in response.content.decode()


def test_it_refuses_steps_out_of_order(cast: Cast) -> None:
    client = signed_in(make_user("跳步"))
    assert client.get("/members/join/details/")["Location"] == "/members/join/"
    assert client.get("/members/join/review/")["Location"] == "/members/join/"
    assert Client().get("/members/join/details/")["Location"].startswith("/login/")


def test_it_lets_the_worker_withdraw_and_apply_again(cast: Cast) -> None:
    application = apply(cast.grassroots_a)
    other = signed_in(make_user("旁人"))
    assert other.post(f"/members/join/applications/{application.uuid}/withdraw/").status_code == 404
    client = signed_in(application.applicant)
    assert client.post(f"/members/join/applications/{application.uuid}/withdraw/").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert "已撤回" in client.get("/members/join/status/").content.decode()
    apply(cast.grassroots_a, user=application.applicant, id_number=application.id_number)  # again, same ID


# --- Refusals ----------------------------------------------------------------------------------------------


def test_it_refuses_a_second_pending_application(cast: Cast) -> None:
    first = apply(cast.grassroots_a)
    with pytest.raises(Conflict, match="待审核"):
        apply(cast.district_a, user=first.applicant)
    # Another account with the same ID number: the partial unique constraint decides.
    with pytest.raises(Conflict, match="已有待审核") as caught:
        apply(cast.district_a, id_number=first.id_number)
    assert caught.value.code == "application_pending"
    assert JoinApplication.objects.filter(status=ApplicationStatus.PENDING).count() == 1


def test_it_refuses_people_who_are_already_members(cast: Cast) -> None:
    worker = cast.members["worker_a"]
    with pytest.raises(Conflict, match="所在工会：甲公司工会"):
        apply(cast.district_a, user=cast.worker_a, id_number=worker.id_number)
    with pytest.raises(Conflict) as caught:  # a stranger typing a member's ID learns no union
        apply(cast.district_a, id_number=worker.id_number)
    assert caught.value.code == "already_member" and "甲公司工会" not in caught.value.message
    page = signed_in(cast.worker_a).get("/members/join/").content.decode()
    assert "您已是工会会员" in page and worker.card_no in page

    api = cast.client("worker_a", api=True).post("/api/v1/members/applications", {
        "consent": True, "notice_version": NOTICE_VERSION, "name": "王小明", "id_number": worker.id_number,
        "phone": cast.worker_a.phone, "join_code": cast.district_a.join_code}, content_type="application/json")
    assert api.status_code == 409 and "甲公司工会" in api.json()["message"]


def test_it_requires_consent_to_the_current_notice(cast: Cast) -> None:
    with pytest.raises(ValidationFailed, match="单独同意"):
        apply(cast.grassroots_a, notice_version="2020-01")
    with pytest.raises(ValidationFailed, match="单独同意"):
        apply(cast.grassroots_a, consented_at=None)


# --- Staff decisions --------------------------------------------------------------------------------------


def test_it_approves_with_a_card_number_a_notification_and_a_history_row(
        cast: Cast, settings: Any, django_capture_on_commit_callbacks: Callable) -> None:
    settings.NOTIFICATION_CHANNELS = ["inbox", "sms"]
    LoggingSmsBackend.sent.clear()
    joined: list[dict[str, int]] = []

    def on_joined(**payload: int) -> None:
        joined.append(payload)

    events.subscribe("member.joined", on_joined)
    try:
        application = apply(cast.grassroots_a, household="agricultural")
        with django_capture_on_commit_callbacks(execute=True):
            response = cast.client("district_a_officer").post(
                f"/console/members/applications/{application.uuid}/approve/")
    finally:
        events.unsubscribe("member.joined", on_joined)
    assert response.status_code == 302
    application.refresh_from_db()
    member = Member.objects.get(user=application.applicant)
    assert application.status == ApplicationStatus.APPROVED and application.member == member
    assert application.decided_by == cast.district_a_officer and application.decided_at is not None
    assert member.union == cast.grassroots_a and member.card_no and member.id_number == application.id_number
    assert member.is_migrant_worker and member.notice_version == NOTICE_VERSION
    history = MembershipHistory.objects.get(member=member)
    assert history.event == "join" and history.to_union == cast.grassroots_a
    assert history.actor == cast.district_a_officer
    note = Notification.objects.get(recipient=application.applicant, title__startswith="入会申请已通过")
    assert member.card_no in note.title and member.card_no in note.body
    assert note.url == "/members/card/"  # the notification opens the new card itself
    assert any(member.card_no in text for phone, text in LoggingSmsBackend.sent if phone == application.phone)
    assert joined == [{"member_id": member.pk, "union_id": cast.grassroots_a.pk}]
    assert AuditLog.objects.filter(action="member.application_approve", object_key=str(application.uuid)).exists()
    status = signed_in(application.applicant).get("/members/join/status/").content.decode()
    assert member.card_no in status and "已通过" in status
    again = cast.client("district_a_officer").post(f"/console/members/applications/{application.uuid}/approve/",
                                                   follow=True)
    assert "已处理" in again.content.decode()
    LoggingSmsBackend.sent.clear()


def test_it_requires_a_reason_to_reject(cast: Cast) -> None:
    application = apply(cast.grassroots_a)
    officer = cast.client("district_a_officer")
    response = officer.post(f"/console/members/applications/{application.uuid}/reject/", {"reason": "  "},
                            follow=True)
    assert "请填写不通过的原因" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING

    api = cast.client("district_a_officer", api=True)
    empty = api.post(f"/api/v1/members/applications/{application.uuid}/reject", {"reason": ""},
                     content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "reason_required"

    done = officer.post(f"/console/members/applications/{application.uuid}/reject/",
                        {"reason": "身份证号码与姓名不符"}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "未通过" in done.content.decode() and "<html" not in done.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED and application.reason == "身份证号码与姓名不符"
    note = Notification.objects.get(recipient=application.applicant, title="入会申请未通过")
    assert "身份证号码与姓名不符" in note.body
    assert "身份证号码与姓名不符" in signed_in(application.applicant).get("/members/join/status/").content.decode()
    assert not Member.objects.filter(user=application.applicant).exists()


def test_it_batch_approves_a_drive_and_counts_who_joined_through_it(cast: Cast) -> None:
    officer = cast.client("district_a_officer")
    created = officer.post("/console/members/drives/", {
        "name": "2026年快递员集中入会", "union": str(cast.district_a.uuid), "starts_on": str(timezone.localdate())})
    assert created.status_code == 302
    drive = EnrollmentDrive.objects.get(name="2026年快递员集中入会")
    assert drive.created_by == cast.district_a_officer and drive.code

    client = Client()
    assert client.get(f"/members/join/drive/{drive.code}/")["Location"] == "/members/join/"
    applications = [apply(cast.district_a, drive=drive) for _ in range(3)]
    outside = apply(cast.district_b)  # not district A's to decide
    decided = apply(cast.district_a, drive=drive)
    services.application_reject(actor=cast.district_a_officer, application=decided, reason="重复")

    queue = officer.get("/console/members/applications/", {"drive": str(drive.uuid)}).content.decode()
    assert queue.count('name="uuids"') == 3

    keys = [str(a.uuid) for a in applications] + [str(outside.uuid), str(decided.uuid)]
    response = officer.post("/console/members/applications/batch-approve/", {"uuids": keys}, follow=True)
    page = response.content.decode()
    assert "批量通过 3 份入会申请" in page and "2 份未能通过" in page
    assert JoinApplication.objects.filter(drive=drive, status=ApplicationStatus.APPROVED).count() == 3
    outside.refresh_from_db()
    assert outside.status == ApplicationStatus.PENDING

    drives_page = officer.get("/console/members/drives/").content.decode()
    assert drive.code in drives_page and "<b>3</b> 人" in drives_page
    listed = cast.client("district_a_officer", api=True).get("/api/v1/members/drives").json()
    assert listed["items"][0]["joined"] == 3 and listed["items"][0]["pending"] == 0
    assert listed["items"][0]["join_url"].endswith(f"/members/join/drive/{drive.code}/")
    qr = officer.get(f"/console/members/drives/{drive.uuid}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')  # renders as an <img> and a file
    assert cast.client("district_b_officer").get(f"/console/members/drives/{drive.uuid}/qr.svg").status_code == 404

    api_batch = cast.client("district_a_officer", api=True).post(
        "/api/v1/members/applications/batch-approve", {"uuids": [str(apply(cast.district_a).uuid)]},
        content_type="application/json")
    assert api_batch.status_code == 200 and api_batch.json()["approved"] == 1


def test_it_refuses_a_drive_that_has_ended(cast: Cast) -> None:
    drive = services.drive_create(actor=cast.district_a_officer, union=cast.district_a, name="往期活动",
                                  starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31))
    response = Client().get(f"/members/join/drive/{drive.code}/")
    assert response.status_code == 409 and "已于2025年01月31日结束" in response.content.decode()
    with pytest.raises(ValidationFailed, match="结束日期不能早于开始日期"):
        services.drive_create(actor=None, union=cast.district_a, name="错", starts_on=date(2026, 2, 1),
                              ends_on=date(2026, 1, 1))


# --- Working days ----------------------------------------------------------------------------------------


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def test_it_counts_waiting_in_working_days(cast: Cast) -> None:
    application = apply(cast.grassroots_a)
    JoinApplication.objects.filter(pk=application.pk).update(submitted_at=_at(date(2026, 3, 2)))  # a Monday
    application.refresh_from_db()
    services.mark_waiting([application], today=date(2026, 3, 5))
    assert application.waiting_days == 3 and not application.overdue
    services.mark_waiting([application], today=date(2026, 3, 6))
    assert application.waiting_days == 4 and application.overdue
    # Over the Spring Festival: Thursday 12 Feb, then the make-up Saturday, then nine days off.
    JoinApplication.objects.filter(pk=application.pk).update(submitted_at=_at(date(2026, 2, 12)))
    application.refresh_from_db()
    services.mark_waiting([application], today=date(2026, 2, 24))
    assert application.waiting_days == 3 and not application.overdue
    services.mark_waiting([application], today=date(2026, 2, 25))
    assert application.overdue


def test_it_highlights_applications_waiting_more_than_three_working_days(cast: Cast) -> None:
    old, fresh = apply(cast.grassroots_a), apply(cast.district_a)
    JoinApplication.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    officer = cast.client("district_a_officer")
    page = officer.get("/console/members/applications/").content.decode()
    assert page.count("已超3个工作日") == 1 and "有 <b>1</b> 份入会申请已等待超过3个工作日" in page
    assert page.index(str(old.uuid)) < page.index(str(fresh.uuid))  # oldest first
    only = officer.get("/console/members/applications/", {"overdue": "1"}).content.decode()
    assert str(old.uuid) in only and str(fresh.uuid) not in only
    items = cast.client("district_a_officer", api=True).get("/api/v1/members/applications").json()["items"]
    assert [(i["uuid"], i["overdue"]) for i in items] == [(str(old.uuid), True), (str(fresh.uuid), False)]
    assert items[0]["waiting_workdays"] > 3


# --- The console queue and detail ---------------------------------------------------------------------------


def test_it_shows_only_masked_identifiers_to_staff(cast: Cast) -> None:
    application = apply(cast.grassroots_a)
    page = cast.client("district_a_officer").get(f"/console/members/applications/{application.uuid}/")
    text = page.content.decode()
    assert page.status_code == 200 and application.masked_id_number in text
    assert application.id_number not in text and application.phone not in text
    assert f"{application.phone[:3]}****{application.phone[-4:]}" in text and "审核通过" in text
    viewer = cast.client("district_a_viewer").get(f"/console/members/applications/{application.uuid}/")
    assert "审核通过" not in viewer.content.decode() and "只能查看" in viewer.content.decode()
    detail = cast.client("district_a_officer", api=True).get(f"/api/v1/members/applications/{application.uuid}")
    assert detail.json()["id_number"] == application.masked_id_number
    assert application.phone not in detail.content.decode()


def test_it_filters_the_queue_within_scope(cast: Cast) -> None:
    a, b = apply(cast.grassroots_a), apply(cast.grassroots_b)
    city = cast.client("city_officer")
    both = city.get("/console/members/applications/").content.decode()
    assert str(a.uuid) in both and str(b.uuid) in both
    narrowed = city.get("/console/members/applications/", {"union": str(cast.district_b.uuid)}).content.decode()
    assert str(a.uuid) not in narrowed and str(b.uuid) in narrowed
    # A filter can only narrow: district B's officer asking for district A's union sees nothing.
    widened = cast.client("district_b_officer").get("/console/members/applications/",
                                                    {"union": str(cast.district_a.uuid)}).content.decode()
    assert str(a.uuid) not in widened
    api = cast.client("district_b_officer", api=True).get("/api/v1/members/applications", {"status": "all"}).json()
    assert [i["uuid"] for i in api["items"]] == [str(b.uuid)]
    by_id = city.get("/console/members/applications/", {"q": a.id_number}).content.decode()
    assert str(a.uuid) in by_id and str(b.uuid) not in by_id


# --- The API journey --------------------------------------------------------------------------------------


def test_it_runs_the_journey_through_the_api(cast: Cast) -> None:
    user = make_user("接口职工")
    worker = cast.client("worker_b", api=True)  # any signed-in caller may search
    found = worker.get("/api/v1/members/join/employers", {"q": "甲精密"}).json()
    assert found == [{"uuid": str(cast.employer_a.uuid), "name": "甲精密制造有限公司",
                      "union": str(cast.grassroots_a.uuid), "union_name": "甲公司工会"}]
    assert Client().get("/api/v1/members/join/employers", {"q": "甲精密"}).status_code == 401
    notice = Client().get("/api/v1/members/join/notice").json()
    assert notice["version"] == NOTICE_VERSION and notice["sections"]
    cities = worker.get("/api/v1/members/join/cities").json()
    assert {c["name"] for c in cities} == {"测试市总工会", "外市总工会"}
    joint = worker.get("/api/v1/members/join/joint-unions", {"city": str(cast.city.uuid),
                                                             "occupation": "courier"}).json()
    assert joint == {"matched": False, "keyword": "快递", "items": []}

    from gonghui.accounts.models import ApiToken

    _, raw = ApiToken.issue(user)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {"consent": True, "notice_version": notice["version"], "name": "接口职工", "id_number": new_id(),
            "phone": user.phone, "employer": str(cast.employer_a.uuid)}
    assert api.post("/api/v1/members/applications", {**body, "consent": False},
                    content_type="application/json").status_code == 400
    both = api.post("/api/v1/members/applications", {**body, "join_code": cast.district_a.join_code},
                    content_type="application/json")
    assert both.status_code == 400
    created = api.post("/api/v1/members/applications", body, content_type="application/json")
    assert created.status_code == 201, created.content
    key = created.json()["uuid"]
    assert created.json()["union_name"] == "甲公司工会" and "*" in created.json()["id_number"]
    assert api.post(f"/api/v1/members/applications/{key}/withdraw").json()["status"] == "withdrawn"
    again = api.post("/api/v1/members/applications", body, content_type="application/json").json()["uuid"]

    approved = cast.client("grassroots_a_officer", api=True).post(f"/api/v1/members/applications/{again}/approve")
    assert approved.status_code == 200, approved.content
    card = approved.json()["card_no"]
    assert approved.json()["application"]["status"] == "approved" and approved.json()["application"]["card_no"] == card
    mine = api.get("/api/v1/members/applications/mine").json()
    assert [(m["status"], m["card_no"]) for m in mine] == [("approved", card), ("withdrawn", None)]
    assert cast.client("worker_b", api=True).get("/api/v1/members/applications").status_code == 403  # staff only


# --- Scope ----------------------------------------------------------------------------------------------


@pytest.fixture
def fresh(cast: Cast) -> Callable[[], JoinApplication]:
    """A new pending application to district A's own union for each caller."""
    return lambda: apply(cast.district_a)


def test_it_gates_approval_page_and_api(cast: Cast, fresh: Callable[[], JoinApplication]) -> None:
    scope_matrix(cast, lambda c, a: c.post(f"/console/members/applications/{a.uuid}/approve/"), target=fresh,
                 write=True, api=False)
    scope_matrix(cast, lambda c, a: c.post(f"/api/v1/members/applications/{a.uuid}/approve"), target=fresh,
                 write=True)


def test_it_gates_rejection_page_and_api(cast: Cast, fresh: Callable[[], JoinApplication]) -> None:
    scope_matrix(cast, lambda c, a: c.post(f"/console/members/applications/{a.uuid}/reject/", {"reason": "材料不全"}),
                 target=fresh, write=True, api=False)
    scope_matrix(cast, lambda c, a: c.post(f"/api/v1/members/applications/{a.uuid}/reject", {"reason": "材料不全"},
                                           content_type="application/json"), target=fresh, write=True)


def test_it_gates_the_application_detail(cast: Cast) -> None:
    application = apply(cast.district_a)
    scope_matrix(cast, lambda c, _: c.get(f"/console/members/applications/{application.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/members/applications/{application.uuid}"))


def test_it_gates_drive_creation(cast: Cast) -> None:
    payload = {"union": str(cast.district_a.uuid), "name": "集中入会"}
    scope_matrix(cast, lambda c, _: c.post("/api/v1/members/drives", payload, content_type="application/json"),
                 write=True)
    scope_matrix(cast, lambda c, _: c.post("/console/members/drives/", payload), write=True, api=False)


def test_it_keeps_the_queue_pages_for_staff(cast: Cast) -> None:
    # Lists are never 404: out-of-scope staff get an empty list, anonymous is sent to log in.
    lists = {"grassroots_a_officer": "ok", "district_b_officer": "ok", "other_city_officer": "ok"}
    scope_matrix(cast, lambda c, _: c.get("/console/members/applications/"), api=False, overrides=lists)
    scope_matrix(cast, lambda c, _: c.get("/console/members/drives/"), api=False, overrides=lists)
    assert cast.client("worker_a").get("/console/members/applications/").status_code == 403


def test_it_refuses_an_over_long_employer_name_instead_of_cutting_it(cast: Cast) -> None:
    from django.utils import timezone

    from gonghui.core.errors import ValidationFailed
    from gonghui.members.services import joining as joining_services
    from gonghui.members.services.registry import NOTICE_VERSION
    from gonghui.testing import id_number, make_user

    user = make_user("长单位名")
    with pytest.raises(ValidationFailed) as refused:
        joining_services.application_submit(
            applicant=user, union=cast.grassroots_a, name="长单位名", id_number=id_number("630102", "19900101", "123"),
            phone=user.phone, employer_name="公" * 201, notice_version=NOTICE_VERSION, consented_at=timezone.now())
    assert refused.value.detail == {"employer_name": "不能超过200个字"}
    assert not JoinApplication.objects.filter(applicant=user).exists()
