"""Handling: accept, assign down, escalate up, transfer across (every hop with who, when, why),
supervise from above, close, the worker's rating and one reopening, follow-up, bulk assignment
and dispute mediation — through the services, the console and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import StaffAssignment
from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import (
    Action,
    Mediation,
    MediationStatus,
    Priority,
    Rating,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)
from gonghui.appeals.services import handling
from gonghui.appeals.services import mediation as mediations
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.core.scope import Role
from gonghui.testing import Cast, make_user

from .helpers import JSON, accepted, at_district_a, closed, reload, submit

pytestmark = pytest.mark.django_db


def gated(cast: Cast, who: str, ticket: Ticket) -> Ticket:
    return access_ticket(cast.users[who], ticket.uuid, write=True)


def test_it_walks_the_whole_journey_in_the_console_and_the_h5(cast: Cast) -> None:
    ticket = at_district_a(cast, kind="complaint", content="站点拖欠骑手两个月配送费，共计八千元。")
    officer = cast.client("district_a_officer")
    page = officer.get(f"/console/appeals/{ticket.uuid}/").content.decode()
    assert "受理" in page and "李骑手" in page  # district A handles it: the asker is shown

    response = officer.post(f"/console/appeals/{ticket.uuid}/accept/", {"tier": "hard", "topic": "wages"})
    assert response.status_code == 302
    ticket = reload(ticket)
    assert ticket.status == Status.PROCESSING and ticket.handler == cast.district_a_officer
    assert ticket.tier == Tier.HARD and ticket.due_on > timezone.localdate() + timedelta(days=14)

    # 交办 down to the grassroots union, with a handler there
    response = officer.post(f"/console/appeals/{ticket.uuid}/assign/", {
        "union": str(cast.grassroots_a.uuid), "handler": str(cast.grassroots_a_officer.uuid), "note": "请核实后答复"})
    assert response.status_code == 302
    ticket = reload(ticket)
    assert ticket.union == cast.grassroots_a and ticket.handler == cast.grassroots_a_officer
    hop = TicketEvent.objects.filter(ticket=ticket, action=Action.ASSIGN).get()
    assert (hop.from_union, hop.to_union, hop.actor, hop.handler) == (
        cast.district_a, cast.grassroots_a, cast.district_a_officer, cast.grassroots_a_officer)
    assert "请核实后答复" in hop.note
    assert Notification.objects.filter(recipient=cast.grassroots_a_officer, title__contains="交办").exists()

    # the handler replies and closes
    handler = cast.client("grassroots_a_officer")
    page = handler.get(f"/console/appeals/{ticket.uuid}/").content.decode()
    assert "李骑手" in page  # a unit the ticket passed through handles it
    response = handler.post(f"/console/appeals/{ticket.uuid}/close/", {"reply": "已协调站点，配送费本周内发放。"})
    assert response.status_code == 302
    ticket = reload(ticket)
    assert ticket.status == Status.CLOSED and ticket.on_time is True and ticket.replied_by == cast.grassroots_a_officer
    assert Notification.objects.filter(recipient=cast.gig_worker_a, title="您的诉求已办结，请评价").exists()

    # the worker sees the timeline without internal hand-overs' details, rates 不满意 and reopens once
    worker = cast.client("gig_worker_a")
    mine = worker.get(f"/appeals/mine/{ticket.uuid}/").content.decode()
    assert "已协调站点" in mine and "提交评价" in mine and "请核实后答复" not in mine
    worker.post(f"/appeals/mine/{ticket.uuid}/rate/", {"rating": "dissatisfied", "comment": "钱还没到账"})
    ticket = reload(ticket)
    assert ticket.rating == Rating.DISSATISFIED and handling.can_reopen(ticket)
    assert "申请重新办理（限一次）" in worker.get(f"/appeals/mine/{ticket.uuid}/").content.decode()
    worker.post(f"/appeals/mine/{ticket.uuid}/reopen/", {"reason": "钱还没到账"})
    ticket = reload(ticket)
    assert ticket.status == Status.PROCESSING and ticket.reopen_count == 1 and ticket.rating == ""
    assert ticket.handler == cast.grassroots_a_officer and ticket.closed_at is None

    handling.ticket_close(actor=cast.grassroots_a_officer, ticket=gated(cast, "grassroots_a_officer", ticket),
                          reply="配送费已全部到账，请查收。")
    handling.ticket_rate(actor=cast.gig_worker_a, ticket=reload(ticket), rating=Rating.BASIC)
    ticket = reload(ticket)
    assert not handling.can_reopen(ticket)
    with pytest.raises(Conflict):
        handling.ticket_rate(actor=cast.gig_worker_a, ticket=ticket, rating=Rating.SATISFIED)
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions == [Action.SUBMIT, Action.ACCEPT, Action.ASSIGN, Action.CLOSE, Action.RATE, Action.REOPEN,
                       Action.CLOSE, Action.RATE]
    audited = set(AuditLog.objects.filter(object_key=str(ticket.uuid)).values_list("action", flat=True))
    assert {"ticket.submit", "ticket.accept", "ticket.assign", "ticket.close", "ticket.rate",
            "ticket.reopen"} <= audited


def test_it_reopens_only_once_and_only_when_not_satisfied(cast: Cast) -> None:
    ticket = closed(cast, at_district_a(cast))
    worker = cast.gig_worker_a
    with pytest.raises(Conflict, match="不满意"):
        handling.ticket_reopen(actor=worker, ticket=ticket, reason="还想再问问")
    handling.ticket_rate(actor=worker, ticket=reload(ticket), rating=Rating.DISSATISFIED)
    with pytest.raises(NotFound):  # someone else's ticket is not found
        handling.ticket_reopen(actor=cast.worker_a, ticket=reload(ticket), reason="不满意")
    handling.ticket_reopen(actor=worker, ticket=reload(ticket), reason="没有解决")
    ticket = closed(cast, ticket)
    handling.ticket_rate(actor=worker, ticket=reload(ticket), rating=Rating.DISSATISFIED)
    with pytest.raises(Conflict, match="只能申请重新办理一次"):
        handling.ticket_reopen(actor=worker, ticket=reload(ticket), reason="还是没有解决")
    # the database holds the rule too
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(reopen_count=2)


def test_it_escalates_up_and_transfers_across_with_reasons(cast: Cast) -> None:
    ticket = accepted(cast, at_district_a(cast))
    with pytest.raises(ValidationFailed, match="上报原因"):
        handling.ticket_escalate(actor=cast.district_a_officer, ticket=gated(cast, "district_a_officer", ticket),
                                 reason=" ")
    api = cast.client("district_a_officer", api=True)
    response = api.post(f"/api/v1/appeals/tickets/{ticket.uuid}/escalate", {"reason": "涉及跨区企业"},
                        content_type=JSON)
    assert response.status_code == 200, response.content
    ticket = reload(ticket)
    assert ticket.union == cast.city and ticket.status == Status.PENDING and ticket.handler is None
    # the city transfers it to district B; district A no longer sees it, district B does
    response = cast.client("city_officer", api=True).post(f"/api/v1/appeals/tickets/{ticket.uuid}/transfer", {
        "union": str(cast.grassroots_b.uuid), "reason": "职工实际工作单位在乙区"}, content_type=JSON)
    assert response.status_code == 200, response.content
    ticket = reload(ticket)
    assert ticket.union == cast.district_b  # 乙公司工会 has no staff: the nearest staffed union takes it
    hops = list(TicketEvent.objects.filter(ticket=ticket, action__in=[Action.ESCALATE, Action.TRANSFER])
                .values_list("action", "from_union__name", "to_union__name", "actor__name"))
    assert hops == [(Action.ESCALATE, "甲区总工会", "测试市总工会", "甲区干事"),
                    (Action.TRANSFER, "测试市总工会", "乙区总工会", "市干事")]
    assert "职工实际工作单位在乙区" in TicketEvent.objects.get(ticket=ticket, action=Action.TRANSFER).note
    assert api.get(f"/api/v1/appeals/tickets/{ticket.uuid}").status_code == 404
    assert cast.client("district_b_officer", api=True).get(f"/api/v1/appeals/tickets/{ticket.uuid}").status_code == 200
    # the province cannot escalate further
    top = reload(ticket)
    Ticket.objects.filter(pk=top.pk).update(union=cast.province)
    with pytest.raises(Conflict, match="最高一级"):
        handling.ticket_escalate(actor=cast.province_admin, ticket=gated(cast, "province_admin", top), reason="测试")


def test_it_assigns_only_down_the_tree_and_to_staff_of_the_unit(cast: Cast) -> None:
    ticket = at_district_a(cast)
    officer = cast.district_a_officer
    with pytest.raises(ValidationFailed, match="转办"):
        handling.ticket_assign(actor=officer, ticket=gated(cast, "district_a_officer", ticket),
                               to_union=cast.district_b)
    with pytest.raises(ValidationFailed, match="经办人必须"):
        handling.ticket_assign(actor=officer, ticket=gated(cast, "district_a_officer", ticket),
                               to_union=cast.grassroots_a, handler=cast.district_b_officer)
    with pytest.raises(ValidationFailed, match="经办人"):
        handling.ticket_assign(actor=officer, ticket=gated(cast, "district_a_officer", ticket),
                               to_union=cast.district_a)
    handling.ticket_assign(actor=officer, ticket=gated(cast, "district_a_officer", ticket), to_union=cast.district_a,
                           handler=cast.district_a_admin)
    ticket = reload(ticket)
    assert ticket.status == Status.PROCESSING and ticket.handler == cast.district_a_admin
    event = ticket.events.get(action=Action.ASSIGN)
    assert not event.shown_to_worker and event.note == "指派经办人，经办人：甲区管理员"


def test_it_lets_upper_levels_supervise(cast: Cast) -> None:
    ticket = accepted(cast, at_district_a(cast))
    with pytest.raises(Forbidden, match="上级"):
        handling.ticket_supervise(actor=cast.district_a_officer, ticket=gated(cast, "district_a_officer", ticket),
                                  note="快点")
    response = cast.client("city_officer").post(f"/console/appeals/{ticket.uuid}/supervise/",
                                                {"note": "请三个工作日内办结"})
    assert response.status_code == 302
    ticket = reload(ticket)
    assert ticket.priority == Priority.SUPERVISED and ticket.supervised_count == 1
    note = Notification.objects.get(recipient=cast.district_a_officer, title__startswith="【督办】")
    assert note.body == "请三个工作日内办结"
    handling.ticket_supervise(actor=cast.province_admin, ticket=gated(cast, "province_admin", ticket), note="再催")
    handling.ticket_supervise(actor=cast.province_admin, ticket=gated(cast, "province_admin", ticket), note="再催")
    ticket = reload(ticket)
    assert ticket.priority == Priority.KEY and ticket.supervised_count == 3
    # upper levels see the ticket but not who asked (they never handled it)
    page = cast.client("city_officer").get(f"/console/appeals/{ticket.uuid}/").content.decode()
    assert "李**" in page and "李骑手" not in page


def test_it_records_a_follow_up_call_with_the_satisfaction(cast: Cast) -> None:
    ticket = closed(cast, at_district_a(cast))
    with pytest.raises(Conflict, match="办结后"):
        handling.ticket_follow_up(actor=cast.district_a_officer, ticket=accepted(cast, at_district_a(cast)),
                                  note="回访")
    response = cast.client("district_a_officer", api=True).post(
        f"/api/v1/appeals/tickets/{ticket.uuid}/follow-up", {"note": "电话回访，问题已解决", "rating": "satisfied"},
        content_type=JSON)
    assert response.status_code == 200, response.content
    ticket = reload(ticket)
    assert ticket.followed_up_at is not None and ticket.rating == Rating.SATISFIED
    with pytest.raises(Conflict, match="已评价"):
        handling.ticket_follow_up(actor=cast.district_a_officer, ticket=ticket, note="再回访", rating="basic")
    handling.ticket_follow_up(actor=cast.district_a_officer, ticket=ticket, note="再次回访，无新问题")
    assert ticket.events.filter(action=Action.FOLLOW_UP).count() == 2


def test_it_assigns_in_bulk_and_reports_what_it_could_not(cast: Cast) -> None:
    mine = [at_district_a(cast), at_district_a(cast)]
    theirs = submit(cast, "worker_b")  # district B's
    client = cast.client("district_a_officer")
    response = client.post("/console/appeals/bulk-assign/", {
        "tickets": [str(t.uuid) for t in [*mine, theirs]], "union": str(cast.grassroots_a.uuid),
        "handler": "", "note": "请尽快办理", "next": "/console/appeals/?status=open"}, follow=True)
    page = response.content.decode()
    assert "已交办 2 件工单" in page and "1 件未能交办" in page
    assert {reload(t).union for t in mine} == {cast.grassroots_a}
    assert reload(theirs).union == cast.district_b
    api = cast.client("district_a_officer", api=True).post("/api/v1/appeals/tickets/bulk-assign", {
        "tickets": [str(at_district_a(cast).uuid), str(theirs.uuid)], "handler": str(cast.district_a_admin.uuid)},
        content_type=JSON)
    body = api.json()
    assert body["done"] == 1 and body["failed"] == [{"ticket": str(theirs.uuid), "code": "not_found",
                                                     "message": "未找到该记录，或您无权查看"}]


def test_it_mediates_a_labour_dispute(cast: Cast) -> None:
    ticket = accepted(cast, at_district_a(cast, kind="dispute", content="被公司无故辞退，要求支付经济补偿。"))
    officer = cast.district_a_officer
    api = cast.client("district_a_officer", api=True)
    with pytest.raises(ValidationFailed, match="法律援助和劳动争议"):
        mediations.mediation_open(actor=officer, ticket=accepted(cast, at_district_a(cast)), applicant="甲",
                                  respondent="乙", claim="丙丁")
    response = api.post(f"/api/v1/appeals/tickets/{ticket.uuid}/mediation", {
        "applicant": "李骑手", "respondent": "甲区快递服务站", "claim": "支付违法解除赔偿金", "claim_amount": "12000"},
        content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["mediation"]["status"] == "open"
    response = api.post(f"/api/v1/appeals/tickets/{ticket.uuid}/mediation/sessions", {
        "held_at": (timezone.now() - timedelta(hours=2)).isoformat(), "notes": "双方陈述，分歧较大",
        "place": "区总工会调解室"}, content_type=JSON)
    assert response.status_code == 201 and len(response.json()["mediation"]["sessions"]) == 1
    failed = api.post(f"/api/v1/appeals/tickets/{ticket.uuid}/mediation/conclude",
                      {"succeeded": False, "outcome": "单位不同意补偿"}, content_type=JSON)
    assert failed.status_code == 400 and "仲裁" in failed.json()["message"]
    done = api.post(f"/api/v1/appeals/tickets/{ticket.uuid}/mediation/conclude", {
        "succeeded": False, "outcome": "单位不同意补偿", "arbitration_body": "甲区劳动人事争议仲裁委员会"},
        content_type=JSON)
    assert done.status_code == 200 and done.json()["mediation"]["status"] == "failed"
    mediation = Mediation.objects.get(ticket=ticket)
    assert mediation.status == MediationStatus.FAILED and mediation.concluded_at is not None
    with pytest.raises(Conflict):
        mediations.mediation_conclude(actor=officer, mediation=mediation, succeeded=True, outcome="再试")
    # the worker sees the outcome on the H5
    page = cast.client("gig_worker_a").get(f"/appeals/mine/{ticket.uuid}/").content.decode()
    assert "调解不成" in page and "甲区劳动人事争议仲裁委员会" in page
    # the console form works too: a second dispute mediated successfully
    other = accepted(cast, at_district_a(cast, kind="dispute", content="加班费争议，申请调解。"))
    console = cast.client("district_a_officer")
    console.post(f"/console/appeals/{other.uuid}/mediation/", {"applicant": "李骑手", "respondent": "站点",
                                                               "claim": "支付加班费"})
    console.post(f"/console/appeals/{other.uuid}/mediation/session/", {
        "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "notes": "达成一致"})
    console.post(f"/console/appeals/{other.uuid}/mediation/conclude/", {
        "result": "succeeded", "outcome": "单位支付3000元", "agreed_amount": "3000"})
    found = Mediation.objects.get(ticket=other)
    assert found.status == MediationStatus.SUCCEEDED and str(found.agreed_amount) == "3000.00"
    assert found.sessions.count() == 1


def test_it_does_not_act_twice_on_a_stale_ticket(cast: Cast) -> None:
    ticket = at_district_a(cast)
    first, second = gated(cast, "district_a_officer", ticket), gated(cast, "district_a_admin", ticket)
    handling.ticket_accept(actor=cast.district_a_officer, ticket=first)
    with pytest.raises(Conflict):
        handling.ticket_accept(actor=cast.district_a_admin, ticket=second)
    stale = gated(cast, "district_a_officer", ticket)
    handling.ticket_escalate(actor=cast.district_a_officer, ticket=gated(cast, "district_a_officer", ticket),
                             reason="上报")
    with pytest.raises(Conflict):  # the owner changed under it
        handling.ticket_close(actor=cast.district_a_officer, ticket=stale, reply="答复内容五个字")


def test_it_hands_tickets_only_to_staff_who_can_work(cast: Cast) -> None:
    viewer_only = make_user("只读人员")
    StaffAssignment.objects.create(user=viewer_only, union=cast.grassroots_a, role=Role.VIEWER)
    ticket = at_district_a(cast)
    with pytest.raises(ValidationFailed):
        handling.ticket_assign(actor=cast.district_a_officer, ticket=gated(cast, "district_a_officer", ticket),
                               to_union=cast.grassroots_a, handler=viewer_only)


def test_it_hands_a_ticket_to_the_handlers_unit_when_only_a_handler_is_chosen(cast: Cast) -> None:
    ticket = at_district_a(cast)
    response = cast.client("district_a_officer", api=True).post(
        f"/api/v1/appeals/tickets/{ticket.uuid}/assign", {"handler": str(cast.grassroots_a_officer.uuid)},
        content_type=JSON)
    assert response.status_code == 200, response.content
    ticket = reload(ticket)
    assert ticket.union == cast.grassroots_a and ticket.handler == cast.grassroots_a_officer
    assert handling.handler_unit(cast.city_officer, cast.district_a) == cast.district_a
