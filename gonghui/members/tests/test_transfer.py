"""会籍转移: the journeys (start → release → accept; refuse; cancel), one open transfer per member,
which side may act, and every endpoint, HTML and API, against the cast."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from gonghui.core.errors import Conflict, Forbidden
from gonghui.core.models import AuditLog, Notification
from gonghui.members.models import Member, MembershipHistory, MemberStatus, Transfer, TransferEvent, TransferStatus
from gonghui.members.services import transfer as services
from gonghui.members.services.registry import member_create
from gonghui.testing import OK, Cast, id_number, make_user, scope_matrix
from gonghui.unions.models import Union

pytestmark = pytest.mark.django_db

_SEQ = itertools.count(1)
JSON = "application/json"  # a body-less POST: the test client would otherwise send an empty multipart body


def new_member(union: Union, *, with_user: bool = True) -> Member:
    """A fresh member (with a login) of ``union``: scope matrices need a new object per caller."""
    n = next(_SEQ)
    born = (date(1985, 1, 1) + timedelta(days=n)).strftime("%Y%m%d")
    user = make_user(f"会员{n}") if with_user else None
    return member_create(actor=None, union=union, name=f"测试会员{n}", id_number=id_number("630102", born, "517"),
                         user=user)


def start_by_member(member: Member, to_union: Union, **extra: Any) -> Transfer:
    return services.transfer_start(actor=member.user, member=member, to_union=to_union, reason="已入职新单位", **extra)


def fresh(member: Member) -> Member:
    return Member.objects.select_related("union", "employer", "user").get(pk=member.pk)


def load(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_related("member__union", "from_union", "to_union", "to_employer").get(pk=transfer.pk)


# --- Journeys ------------------------------------------------------------------------------------------------------


def test_it_completes_the_whole_journey_through_the_api(cast: Cast) -> None:
    worker = cast.client("worker_a", api=True)
    response = worker.post("/api/v1/members/transfers", {"to_employer": str(cast.employer_b.uuid),
                                                         "reason": "已入职乙物流有限公司"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_release" and body["to_union"]["name"] == "乙公司工会"
    assert body["member_name"] == "王**" and body["started_by_member"] is True
    key = body["uuid"]
    member = fresh(cast.members["worker_a"])
    assert member.status == MemberStatus.TRANSFERRING and member.union == cast.grassroots_a

    # the target cannot act before the source releases
    target = cast.client("district_b_officer", api=True)
    early = target.post(f"/api/v1/members/transfers/{key}/accept", content_type=JSON)
    assert early.status_code == 409 and early.json()["message"] == "该会籍转移当前不是「待转入工会接收」状态"

    released = cast.client("grassroots_a_officer", api=True).post(f"/api/v1/members/transfers/{key}/release",
                                                                 {"note": "同意"}, content_type="application/json")
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "awaiting_accept"

    accepted = target.post(f"/api/v1/members/transfers/{key}/accept", content_type=JSON)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "completed"
    assert [e["to_status"] for e in accepted.json()["events"]] == ["awaiting_release", "awaiting_accept", "completed"]

    member = fresh(member)
    assert member.union == cast.grassroots_b and member.status == MemberStatus.ACTIVE
    assert member.employer == cast.employer_b
    events = list(MembershipHistory.objects.filter(member=member).values_list("event", "from_status", "to_status"))
    assert events == [("join", "", "active"), ("transfer_start", "active", "transferring"),
                      ("transfer_in", "transferring", "active")]
    last = MembershipHistory.objects.filter(member=member).last()
    assert last.from_union == cast.grassroots_a and last.to_union == cast.grassroots_b

    # both sides still see it; the worker sees where it stands
    out = cast.client("district_a_officer", api=True).get("/api/v1/members/transfers?direction=out")
    incoming = cast.client("district_b_officer", api=True).get("/api/v1/members/transfers?direction=in")
    assert [t["uuid"] for t in out.json()["items"]] == [key]
    assert [t["uuid"] for t in incoming.json()["items"]] == [key]
    assert cast.client("district_b_officer", api=True).get(
        "/api/v1/members/transfers?direction=out").json()["count"] == 0
    mine = worker.get("/api/v1/members/transfers/mine").json()
    assert [(t["uuid"], t["status"]) for t in mine] == [(key, "completed")]
    assert worker.get(f"/api/v1/members/transfers/{key}").status_code == 200

    actions = set(AuditLog.objects.filter(object_key=key).values_list("action", flat=True))
    assert actions == {"transfer.start", "transfer.release", "transfer.accept"}
    titles = list(Notification.objects.filter(recipient=cast.worker_a).values_list("title", flat=True))
    assert "会籍转移已完成" in titles and "转出工会已同意您的会籍转移" in titles


def test_it_returns_the_member_when_the_target_refuses(cast: Cast) -> None:
    transfer = start_by_member(cast.members["worker_a"], cast.grassroots_b)
    services.transfer_release(actor=cast.district_a_officer, transfer=load(transfer))
    officer = cast.client("district_b_officer", api=True)
    url = f"/api/v1/members/transfers/{transfer.uuid}/refuse"
    missing = officer.post(url, {"reason": "  "}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["message"] == "请填写退回原因"
    refused = officer.post(url, {"reason": "该单位已注销"}, content_type="application/json")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert refused.json()["refusal_reason"] == "该单位已注销"
    member = fresh(cast.members["worker_a"])
    assert member.union == cast.grassroots_a and member.status == MemberStatus.ACTIVE
    assert MembershipHistory.objects.filter(member=member).last().event == "transfer_refused"
    # the worker sees why, on the H5 page too
    page = cast.client("worker_a").get("/members/transfer/")
    assert page.status_code == 200 and "该单位已注销" in page.content.decode()
    # and may start again
    assert start_by_member(fresh(member), cast.grassroots_b).status == TransferStatus.AWAITING_RELEASE


def test_it_lets_the_member_cancel_on_the_h5(cast: Cast) -> None:
    transfer = start_by_member(cast.members["worker_a"], cast.district_b)
    client = cast.client("worker_a")
    page = client.get("/members/transfer/")
    assert page.status_code == 200 and "待转出工会同意" in page.content.decode()
    response = client.post(f"/members/transfer/{transfer.uuid}/cancel/", {"reason": "不换工作了"})
    assert response.status_code == 302
    assert load(transfer).status == TransferStatus.CANCELLED
    assert fresh(cast.members["worker_a"]).status == MemberStatus.ACTIVE
    assert list(TransferEvent.objects.filter(transfer=transfer).values_list("to_status", flat=True)) == [
        "awaiting_release", "cancelled"]
    # someone else's transfer is not found
    other = start_by_member(cast.members["worker_b"], cast.district_a)
    assert client.post(f"/members/transfer/{other.uuid}/cancel/").status_code == 404


def test_it_lets_the_source_cancel_but_not_the_target(cast: Cast) -> None:
    transfer = start_by_member(cast.members["worker_a"], cast.grassroots_b)
    with pytest.raises(Forbidden):
        services.transfer_cancel(actor=cast.district_b_officer, transfer=load(transfer))
    with pytest.raises(Forbidden):
        services.transfer_cancel(actor=cast.district_a_viewer, transfer=load(transfer))
    services.transfer_cancel(actor=cast.district_a_officer, transfer=load(transfer), reason="会员未离职")
    assert load(transfer).status == TransferStatus.CANCELLED
    with pytest.raises(Conflict):
        services.transfer_cancel(actor=cast.district_a_officer, transfer=load(transfer))


def test_it_starts_through_the_h5_form_with_an_employer_search(cast: Cast) -> None:
    client = cast.client("worker_a")
    found = client.get("/members/transfer/targets/?q=乙物流")
    assert found.status_code == 200 and f"employer:{cast.employer_b.uuid}" in found.content.decode()
    unions = client.get("/members/transfer/targets/?q=公司工会").content.decode()
    assert f"union:{cast.grassroots_b.uuid}" in unions
    assert f"union:{cast.grassroots_a.uuid}" not in unions  # the member's own union is not a target
    missing = client.post("/members/transfer/", {"target": f"employer:{cast.employer_b.uuid}", "reason": ""})
    assert missing.status_code == 200 and "请填写转会原因" in missing.content.decode()
    response = client.post("/members/transfer/", {"target": f"employer:{cast.employer_b.uuid}", "reason": "新工作"})
    assert response.status_code == 302
    transfer = Transfer.objects.get(member=cast.members["worker_a"])
    assert transfer.to_union == cast.grassroots_b and transfer.to_employer == cast.employer_b


def test_it_explains_the_page_to_a_non_member(cast: Cast) -> None:
    page = cast.client("merchant").get("/members/transfer/")
    assert page.status_code == 200 and "您还不是工会会员" in page.content.decode()
    response = cast.client("merchant", api=True).post("/api/v1/members/transfers",
                                                      {"to_union": str(cast.grassroots_b.uuid), "reason": "x"},
                                                      content_type="application/json")
    assert response.status_code == 404 and response.json()["message"] == "您还不是工会会员"
    assert cast.client(None).get("/members/transfer/").status_code == 302


def test_it_keeps_one_open_transfer_per_member(cast: Cast) -> None:
    stale = fresh(cast.members["worker_a"])  # read before the first start: still "active" in memory
    start_by_member(cast.members["worker_a"], cast.grassroots_b)
    with pytest.raises(Conflict, match="已有一项进行中的会籍转移"):
        start_by_member(stale, cast.district_b)  # the partial unique constraint answers, in Chinese
    response = cast.client("worker_a", api=True).post(
        "/api/v1/members/transfers", {"to_union": str(cast.district_b.uuid), "reason": "再来一次"},
        content_type="application/json")
    assert response.status_code == 409 and "进行中" in response.json()["message"]
    assert Transfer.objects.filter(member=cast.members["worker_a"]).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(member=cast.members["worker_a"], from_union=cast.grassroots_a,
                                to_union=cast.district_c, status=TransferStatus.AWAITING_ACCEPT)


def test_it_refuses_bad_targets(cast: Cast) -> None:
    member = cast.members["worker_a"]
    client = cast.client("worker_a", api=True)
    same = client.post("/api/v1/members/transfers", {"to_union": str(cast.grassroots_a.uuid), "reason": "x"},
                       content_type="application/json")
    assert same.status_code == 400 and "相同" in same.json()["message"]
    Union.objects.filter(pk=cast.district_c.pk).update(is_active=False)
    inactive = client.post("/api/v1/members/transfers", {"to_union": str(cast.district_c.uuid), "reason": "x"},
                           content_type="application/json")
    assert inactive.status_code == 400
    assert fresh(member).status == MemberStatus.ACTIVE


def test_it_lets_source_staff_start_from_the_member_page(cast: Cast) -> None:
    member = cast.members["gig_worker_a"]
    client = cast.client("district_a_officer")
    page = client.get(f"/console/members/{member.uuid}/transfer/")
    assert page.status_code == 200 and "发起会籍转移" in page.content.decode()
    response = client.post(f"/console/members/{member.uuid}/transfer/",
                           {"target": f"union:{cast.district_b.uuid}", "reason": "跑单区域变更"})
    assert response.status_code == 302
    transfer = Transfer.objects.get(member=member)
    assert response["Location"] == f"/console/members/transfers/{transfer.uuid}/"
    # started by the source side: released at once, waiting for the target
    assert transfer.status == TransferStatus.AWAITING_ACCEPT and not transfer.started_by_member
    assert Notification.objects.filter(recipient=cast.gig_worker_a, title="工会为您发起了会籍转移").exists()
    assert Notification.objects.filter(recipient=cast.district_b_officer, title="有会员待转入，请接收").exists()
    services.transfer_accept(actor=cast.district_b_officer, transfer=load(transfer))
    assert fresh(member).union == cast.district_b


def test_it_gates_the_staff_start_page(cast: Cast) -> None:
    scope_matrix(cast, lambda c, m: c.get(f"/console/members/{m.uuid}/transfer/"),
                 target=lambda: new_member(cast.district_a), write=True, api=False)


def test_it_gates_the_staff_start_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, m: c.post("/api/v1/members/transfers",
                                           {"member": str(m.uuid), "to_union": str(cast.grassroots_b.uuid)},
                                           content_type="application/json"),
                 target=lambda: new_member(cast.district_a), write=True)


# --- Which side may act: the scope matrix -------------------------------------------------------------------------
# Transfers of a district A member to grassroots B: district A is the source, district B the target.
# district B's officer sees the transfer (so 403, not 404, where only the source may act).


def awaiting_release(cast: Cast) -> Transfer:
    return start_by_member(new_member(cast.district_a), cast.grassroots_b)


def awaiting_accept(cast: Cast) -> Transfer:
    transfer = awaiting_release(cast)
    return services.transfer_release(actor=cast.district_a_officer, transfer=load(transfer))


SOURCE_ONLY = {"district_b_officer": 403}
TARGET_ONLY = {"district_b_officer": OK, "district_a_admin": 403, "district_a_officer": 403}


def test_it_gates_release_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, t: c.post(f"/api/v1/members/transfers/{t.uuid}/release", content_type=JSON),
                 target=lambda: awaiting_release(cast), write=True, overrides=SOURCE_ONLY)


def test_it_gates_release_page(cast: Cast) -> None:
    scope_matrix(cast, lambda c, t: c.post(f"/console/members/transfers/{t.uuid}/release/"),
                 target=lambda: awaiting_release(cast), write=True, api=False, overrides=SOURCE_ONLY)


def test_it_gates_accept_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, t: c.post(f"/api/v1/members/transfers/{t.uuid}/accept", content_type=JSON),
                 target=lambda: awaiting_accept(cast), write=True, overrides=TARGET_ONLY)


def test_it_gates_accept_page(cast: Cast) -> None:
    scope_matrix(cast, lambda c, t: c.post(f"/console/members/transfers/{t.uuid}/accept/"),
                 target=lambda: awaiting_accept(cast), write=True, api=False, overrides=TARGET_ONLY)


def test_it_gates_refuse_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, t: c.post(f"/api/v1/members/transfers/{t.uuid}/refuse", {"reason": "不符合条件"},
                                           content_type="application/json"),
                 target=lambda: awaiting_accept(cast), write=True, overrides=TARGET_ONLY)


def test_it_gates_cancel_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, t: c.post(f"/api/v1/members/transfers/{t.uuid}/cancel", content_type=JSON),
                 target=lambda: awaiting_accept(cast), write=True, overrides=SOURCE_ONLY)


def test_it_shows_the_detail_to_both_sides(cast: Cast) -> None:
    transfer = awaiting_accept(cast)
    both = {"district_b_officer": OK}
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/members/transfers/{transfer.uuid}"), overrides=both)
    scope_matrix(cast, lambda c, _: c.get(f"/console/members/transfers/{transfer.uuid}/"), api=False, overrides=both)
    page = cast.client("district_b_officer").get(f"/console/members/transfers/{transfer.uuid}/").content.decode()
    assert f"{transfer.uuid}/accept/" in page and f"{transfer.uuid}/refuse/" in page
    assert f"{transfer.uuid}/release/" not in page and f"{transfer.uuid}/cancel/" not in page
    viewer = cast.client("district_a_viewer").get(f"/console/members/transfers/{transfer.uuid}/").content.decode()
    assert "撤销原因" not in viewer  # a read-only role gets no action forms


def test_it_lists_for_every_staff_member_but_only_in_scope(cast: Cast) -> None:
    transfer = awaiting_accept(cast)
    lists = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}
    scope_matrix(cast, lambda c, _: c.get("/api/v1/members/transfers"), overrides=lists)
    scope_matrix(cast, lambda c, _: c.get("/console/members/transfers/"), api=False, overrides=lists)
    assert cast.client("other_city_officer", api=True).get("/api/v1/members/transfers").json()["count"] == 0
    page = cast.client("district_b_officer").get("/console/members/transfers/?direction=in&status=open")
    assert transfer.member.name in page.content.decode()
    empty = cast.client("district_b_officer").get("/console/members/transfers/?direction=out")
    assert transfer.member.name not in empty.content.decode()


def test_it_swaps_the_card_for_htmx_actions(cast: Cast) -> None:
    transfer = awaiting_release(cast)
    response = cast.client("district_a_officer").post(f"/console/members/transfers/{transfer.uuid}/release/",
                                                      headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="transfer-card"' in response.content.decode()
    assert load(transfer).status == TransferStatus.AWAITING_ACCEPT
    again = cast.client("district_a_officer").post(f"/console/members/transfers/{transfer.uuid}/release/")
    assert again.status_code == 302  # a repeated click: a message, not an error page
