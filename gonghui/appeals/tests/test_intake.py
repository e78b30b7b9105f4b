"""Intake: the worker's H5 form and the API, the hotline operator's call, where tickets land,
case numbers shown at once, repeats linked not duplicated, collective cases, uploads checked by
their content."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.accounts.models import StaffAssignment
from gonghui.appeals.models import Action, Attachment, Channel, Claimant, Kind, Status, Ticket, TicketEvent, Topic
from gonghui.appeals.services import handling, intake
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.testing import Cast, make_user

from .helpers import JPEG, JSON, PDF, at_district_a, closed, pdf, png, reload, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
NUMBER = re.compile(r"12351-\d{8}-\d{6}")


def test_it_submits_on_the_h5_and_shows_the_case_number_at_once(cast: Cast) -> None:
    client = cast.client("worker_a")
    assert "我要反映" in client.get("/appeals/new/").content.decode()
    response = client.post("/appeals/new/", {
        "kind": "complaint", "content": "车间连续三个月拖欠加班费，请工会帮忙。", "topic": "wages",
        "files": [png(), pdf()]}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    number = NUMBER.search(page).group(0)
    assert f"提交成功！工单编号 {number}" in page
    ticket = Ticket.objects.get(number=number)
    assert ticket.union == cast.grassroots_a and ticket.member == cast.members["worker_a"]
    assert ticket.submitter == cast.worker_a and ticket.channel == Channel.H5 and ticket.status == Status.PENDING
    assert ticket.person_name == "王小明" and ticket.phone == cast.worker_a.phone
    assert ticket.title == "车间连续三个月拖欠加班费，请工会帮忙。"[:30]
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("content_type", flat=True)) == [
        "application/pdf", "image/png"]
    assert list(ticket.events.values_list("action", flat=True)) == [Action.SUBMIT]
    assert AuditLog.objects.filter(action="ticket.submit", object_key=str(ticket.uuid)).exists()
    # the unit's staff are told
    assert Notification.objects.filter(recipient=cast.grassroots_a_officer, title__contains=number).exists()


def test_it_lands_at_the_nearest_union_with_staff(cast: Cast) -> None:
    # gig_worker_a's union is district A itself; a member of street A (no staff) lands at district A.
    assert at_district_a(cast).union == cast.district_a
    StaffAssignment.objects.filter(union=cast.grassroots_a).delete()
    assert submit(cast, "worker_a").union == cast.district_a


def test_it_lands_a_non_member_by_employer_else_by_place(cast: Cast) -> None:
    outsider = make_user("刘快递")
    by_employer = intake.ticket_submit(actor=outsider, kind="consult", content="请问没有签合同可以要求双倍工资吗？",
                                       employer=cast.employer_b).ticket
    assert by_employer.union == cast.district_b  # 乙公司工会 has no staff: its district takes it
    by_place = intake.ticket_submit(actor=outsider, kind="hazard", content="路边配电箱门坏了，电线裸露。",
                                    place=cast.district_a, location="东街12号", files=[png()]).ticket
    assert by_place.union == cast.district_a and by_place.member is None
    with pytest.raises(ValidationFailed, match="事发地"):
        intake.ticket_submit(actor=outsider, kind="consult", content="请问工会会费怎么交？")
    # on the H5 a non-member sees the place picker and gets its error
    client = cast.client(None)
    client.force_login(outsider, backend="gonghui.accounts.auth.PhoneBackend")
    page = client.get("/appeals/new/").content.decode()
    assert "事发地（区县）" in page and str(cast.district_b.uuid) in page
    response = client.post("/appeals/new/", {"kind": "consult", "content": "请问工会会费怎么交？"})
    assert response.status_code == 200 and "请选择事发地" in response.content.decode()


def test_it_links_a_repeat_of_the_same_open_matter_instead_of_duplicating(cast: Cast) -> None:
    text = "单位拖欠三个月工资，多次讨要无果。"
    first = intake.ticket_submit(actor=cast.worker_a, kind="complaint", content=text)
    again = intake.ticket_submit(actor=cast.worker_a, kind="complaint", content=f"  {text.replace('，', ',')} ")
    assert not first.linked and again.linked and again.ticket.pk == first.ticket.pk
    assert Ticket.objects.filter(submitter=cast.worker_a).count() == 1
    ticket = reload(first.ticket)
    assert ticket.repeat_count == 1
    assert list(ticket.events.values_list("action", flat=True)) == [Action.SUBMIT, Action.REPEAT]
    assert Notification.objects.filter(recipient=cast.grassroots_a_officer, title__contains="重复来件").exists()
    # on the H5 the worker is told it was merged
    response = cast.client("worker_a").post("/appeals/new/", {"kind": "complaint", "content": text}, follow=True)
    assert f"已合并到原工单 {ticket.number}" in response.content.decode()
    # another kind, or someone else, is another matter
    assert not intake.ticket_submit(actor=cast.worker_a, kind="legal", content=text).linked
    assert not intake.ticket_submit(actor=cast.worker_b, kind="complaint", content=text).linked
    # after closing, the same matter is a new ticket that points at the closed one
    closed(cast, ticket, "grassroots_a_officer")
    later = intake.ticket_submit(actor=cast.worker_a, kind="complaint", content=text)
    assert not later.linked and later.ticket.repeat_of_id == ticket.pk


def test_it_lets_the_worker_add_to_an_open_ticket_without_a_new_one(cast: Cast) -> None:
    ticket = submit(cast)
    client = cast.client("worker_a")
    response = client.post(f"/appeals/mine/{ticket.uuid}/more/", {"note": "单位今天又找我谈话了", "files": [png()]})
    assert response.status_code == 302
    ticket = reload(ticket)
    assert ticket.repeat_count == 1 and ticket.attachments.count() == 1
    assert Ticket.objects.filter(submitter=cast.worker_a).count() == 1


def test_it_requires_a_photo_and_a_place_for_a_hazard(cast: Cast) -> None:
    with pytest.raises(ValidationFailed, match="现场照片"):
        submit(cast, kind="hazard", location="二号车间", files=[pdf()])
    with pytest.raises(ValidationFailed, match="地点"):
        submit(cast, kind="hazard", files=[png()])
    ticket = submit(cast, kind="hazard", location="二号车间", latitude="36.62", longitude="101.78", files=[png()])
    assert ticket.topic == Topic.SAFETY and str(ticket.latitude) == "36.620000"


def test_it_addresses_a_suggestion_to_the_workers_employer_and_may_keep_it_anonymous(cast: Cast) -> None:
    ticket = submit(cast, kind="suggestion", anonymous=True)
    assert ticket.employer == cast.employer_a and ticket.anonymous and ticket.topic == Topic.MANAGEMENT
    with pytest.raises(ValidationFailed, match="只有意见建议可以匿名"):
        submit(cast, kind="complaint", anonymous=True)


def test_it_types_uploads_by_their_content_and_limits_their_size(cast: Cast, settings) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed, match="不是图片或PDF"):
        submit(cast, files=[fake])
    html = SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    response = cast.client("worker_a").post("/appeals/new/", {"kind": "consult", "content": "附件测试内容五个字",
                                                              "files": [html]})
    assert response.status_code == 200 and "不是图片或PDF" in response.content.decode()
    settings.APPEALS_MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2000, content_type="image/png")
    with pytest.raises(ValidationFailed, match="超过"):
        submit(cast, files=[big])
    settings.APPEALS_MAX_FILES = 2
    with pytest.raises(ValidationFailed, match="最多上传2个"):
        submit(cast, files=[png(), png(), png()])
    # a JPEG named .png is stored as what it is, under a name we chose
    ticket = submit(cast, files=[SimpleUploadedFile("../../etc/x.png", JPEG, content_type="image/png")])
    stored = ticket.attachments.get()
    assert stored.content_type == "image/jpeg" and stored.name == "x.jpg"
    assert stored.file.name.startswith("appeals/") and stored.file.name.endswith(".jpg")
    assert ".." not in stored.file.name
    assert Ticket.objects.count() == 1  # nothing was created by the rejected submissions


def test_it_records_a_hotline_call_matched_to_the_member(cast: Cast) -> None:
    operator = cast.client("city_officer", api=True)
    response = operator.post("/api/v1/appeals/calls", {
        "phone": cast.worker_b.phone, "kind": "legal", "content": "工伤认定单位不配合，想申请法律援助。"},
        content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert NUMBER.fullmatch(body["ticket"]["number"]) and body["linked"] is False
    ticket = Ticket.objects.get(number=body["ticket"]["number"])
    assert ticket.channel == Channel.HOTLINE and ticket.member == cast.members["worker_b"]
    assert ticket.submitter == cast.worker_b and ticket.union == cast.district_b
    assert ticket.person_name == "赵师傅"
    # the worker sees the call among their own tickets
    mine = cast.client("worker_b", api=True).get("/api/v1/appeals/tickets/mine").json()
    assert [t["number"] for t in mine["items"]] == [ticket.number]
    # the console form shows the matched member masked, and the caller's open tickets
    page = cast.client("city_officer").post("/console/appeals/call/lookup/",
                                            {"phone": cast.worker_b.phone}).content.decode()
    assert "已匹配会员：<b>赵**</b>" in page and ticket.number in page


def test_it_records_a_call_from_someone_unknown_at_the_place_they_name(cast: Cast) -> None:
    response = cast.client("district_a_officer").post("/console/appeals/call/", {
        "phone": "13712345678", "caller_name": "孙女士", "kind": "consult", "content": "想了解困难职工帮扶的申请条件。",
        "place": str(cast.district_a.uuid)})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/appeals/{ticket.uuid}/"
    assert ticket.submitter is None and ticket.member is None and ticket.person_name == "孙女士"
    assert list(ticket.events.values_list("action", flat=True)) == [Action.CALL]
    bad = cast.client("district_a_officer").post("/console/appeals/call/", {
        "phone": "12345", "kind": "consult", "content": "号码不对的来电"})
    assert bad.status_code == 200 and "手机号码格式不正确" in bad.content.decode()


def test_it_lets_only_staff_record_calls(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        intake.ticket_register_call(actor=cast.worker_a, phone="13712345678", kind="consult", content="测试来电内容",
                                    place=cast.district_a)
    with pytest.raises(Forbidden):
        intake.ticket_register_call(actor=cast.district_a_viewer, phone="13712345678", kind="consult",
                                    content="测试来电内容", place=cast.district_a)


def test_it_links_a_call_about_an_open_ticket(cast: Cast) -> None:
    ticket = at_district_a(cast)
    response = cast.client("district_a_officer").post(f"/console/appeals/{ticket.uuid}/link-call/",
                                                       {"note": "来电催办"})
    assert response.status_code == 302
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert event.action == Action.REPEAT and "来电催办" in event.note
    assert reload(ticket).repeat_count == 1


def test_it_holds_many_claimants_in_one_collective_ticket(cast: Cast) -> None:
    ticket = at_district_a(cast, kind="complaint", collective=True, headcount=30)
    assert ticket.collective and ticket.headcount == 30
    officer = cast.district_a_officer
    intake.claimant_add(actor=officer, ticket=ticket, name="张三", phone="13711112222")
    matched = intake.claimant_add(actor=officer, ticket=ticket, name="王小明", phone=cast.worker_a.phone)
    assert matched.member == cast.members["worker_a"]
    with pytest.raises(Conflict, match="已在名单中"):
        intake.claimant_add(actor=officer, ticket=ticket, name="张三", phone="137 1111 2222")
    assert Claimant.objects.filter(ticket=ticket).count() == 2
    single = at_district_a(cast)
    intake.claimant_add(actor=officer, ticket=single, name="李四", phone="13711113333")
    single = reload(single)
    assert single.collective and single.headcount == 2
    api = cast.client("district_a_officer", api=True).get(f"/api/v1/appeals/tickets/{ticket.uuid}/claimants")
    assert [c["name"] for c in api.json()] == ["张*", "王**"]
    with pytest.raises(ValidationFailed, match="至少2人"):
        submit(cast, collective=True, headcount=1)


def test_it_submits_through_the_api_with_photos(cast: Cast) -> None:
    client = cast.client("gig_worker_a", api=True)
    response = client.post("/api/v1/appeals/tickets", {
        "kind": "hazard", "content": "小区门口井盖缺失，夜里很危险。", "location": "东街与北路交叉口",
        "files": [SimpleUploadedFile("a.png", BytesIO(b"").getvalue() + png().read(), content_type="image/png")]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["linked"] is False and body["ticket"]["status"] == "pending"
    assert body["ticket"]["union"]["name"] == "甲区总工会"
    assert body["ticket"]["attachments"][0]["content_type"] == "image/png"
    assert body["ticket"]["asker"] == "李骑手" and body["ticket"]["events"][0]["actor"] == "本人"
    again = client.post("/api/v1/appeals/tickets", {"kind": "hazard", "content": "小区门口井盖缺失，夜里很危险。",
                                                    "location": "东街与北路交叉口", "files": [png()]})
    assert again.status_code == 200 and again.json()["linked"] is True
    bad = client.post("/api/v1/appeals/tickets", {"kind": "nonsense", "content": "随便写点内容"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and bad.json()["message"] == "请选择诉求类型"
    wrong = client.post("/api/v1/appeals/tickets", {"kind": "consult", "content": "带了个假图片",
                                                    "files": [SimpleUploadedFile("x.png", b"GIF", "image/png")]})
    assert wrong.status_code == 400 and wrong.json()["code"] == "file_type"
    assert PDF.startswith(b"%PDF")


def test_it_withdraws_an_open_ticket(cast: Cast) -> None:
    ticket = submit(cast)
    response = cast.client("worker_a").post(f"/appeals/mine/{ticket.uuid}/withdraw/", {"reason": "已经解决了"})
    assert response.status_code == 302 and reload(ticket).status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        handling.ticket_withdraw(actor=cast.worker_a, ticket=reload(ticket))
    assert Kind.HAZARD in Kind.values


def test_it_adds_files_later_through_the_api(cast: Cast) -> None:
    ticket = at_district_a(cast)
    worker = cast.client("gig_worker_a", api=True)
    response = worker.post(f"/api/v1/appeals/tickets/{ticket.uuid}/attachments", {"files": [png()]})
    assert response.status_code == 201, response.content
    assert [a["stage"] for a in response.json()["attachments"]] == ["intake"]
    staff = cast.client("district_a_officer", api=True)
    response = staff.post(f"/api/v1/appeals/tickets/{ticket.uuid}/attachments",
                          {"files": [pdf("调解协议书.pdf")], "stage": "mediation"})
    assert response.status_code == 201 and {a["stage"] for a in response.json()["attachments"]} == {
        "intake", "mediation"}
    # mediation documents stay with the staff; the worker's view lists their own and the replies
    mine = worker.get(f"/api/v1/appeals/tickets/{ticket.uuid}").json()
    assert [a["stage"] for a in mine["attachments"]] == ["intake"]
    viewer = cast.client("district_a_viewer", api=True)
    assert viewer.post(f"/api/v1/appeals/tickets/{ticket.uuid}/attachments",
                       {"files": [png()]}).status_code == 403
    assert cast.client("worker_b", api=True).post(f"/api/v1/appeals/tickets/{ticket.uuid}/attachments",
                                                  {"files": [png()]}).status_code == 404


def test_it_shows_nothing_of_another_branchs_ticket_to_the_call_taker(cast: Cast) -> None:
    """A call from a member of district B, taken in district A, goes to B; A's officer learns only that."""
    api = cast.client("district_a_officer", api=True)
    call = {"phone": cast.worker_b.phone, "caller_name": "赵先生", "kind": "consult", "content": "询问工会会费缴纳标准"}
    first = api.post("/api/v1/appeals/calls", call, content_type="application/json")
    assert first.status_code == 201 and first.json() == {"linked": False, "ticket": None}
    again = api.post("/api/v1/appeals/calls", call, content_type="application/json")
    assert again.status_code == 200 and again.json() == {"linked": True, "ticket": None}
    ticket = Ticket.objects.get(content="询问工会会费缴纳标准")
    assert ticket.union == cast.district_b or ticket.union.path.startswith(cast.district_b.path)
    own = api.post("/api/v1/appeals/calls", {**call, "phone": cast.worker_a.phone, "content": "询问职工书屋开放时间"},
                   content_type="application/json")
    assert own.status_code == 201 and own.json()["ticket"]["number"]  # its own branch: the ticket is shown
