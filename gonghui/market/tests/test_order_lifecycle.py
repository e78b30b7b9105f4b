"""The whole lifecycle 下单 → 配货 → 发货 → 签收 → 评价 → 复购 through the pages and the API, with the
history, audit rows and notifications (after commit); evidence uploads; cancellation rules; no-show;
the 7-day auto-confirmation job."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.market.models import Batch, Offering, Order, OrderEvent, OrderStatus, Review
from gonghui.market.services import orders
from gonghui.market.tasks import autoconfirm_task
from gonghui.testing import Cast

from .conftest import JSON, advance, load, place

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_it_walks_an_order_through_every_step_on_the_pages(cast: Cast, offering: Offering,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    worker, provider = cast.client("worker_a"), cast.client("provider")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(cast, "worker_a", offering, note="想学配电箱接线")
    assert "新的服务预约" in titles(cast.users["provider"])

    # 配货 by the provider, from the provider's order page
    page = provider.get(f"/market/provider/orders/{order.uuid}/")
    assert page.status_code == 200 and "确认配货" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = provider.post(f"/market/orders/{order.uuid}/assign/", {
            "server_name": "陈师傅", "scheduled_at": tomorrow, "next": f"/market/provider/orders/{order.uuid}/"})
    assert response.status_code == 302 and response["Location"] == f"/market/provider/orders/{order.uuid}/"
    assert load(order).status == OrderStatus.ASSIGNED and load(order).server_name == "陈师傅"
    assert "您报名的服务已安排" in titles(cast.worker_a)  # a class: 报名, not 预约
    # the member can no longer cancel it alone
    worker.post(f"/market/orders/{order.uuid}/cancel/")
    assert load(order).status == OrderStatus.ASSIGNED

    # 发货 with a photo as evidence
    with django_capture_on_commit_callbacks(execute=True):
        provider.post(f"/market/orders/{order.uuid}/deliver/", {
            "note": "完成两小时实操", "evidence": SimpleUploadedFile("现场.png", PNG, content_type="image/png")})
    order = load(order)
    assert order.status == OrderStatus.DELIVERED and order.evidence.name.startswith("market/evidence/")
    assert order.evidence_name == "现场.png" and "服务已完成，请确认" in titles(cast.worker_a)
    evidence = worker.get(f"/market/orders/{order.uuid}/evidence/")
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PNG
    assert cast.client("gig_worker_a").get(f"/market/orders/{order.uuid}/evidence/").status_code == 404
    assert cast.client("district_a_viewer").get(f"/market/orders/{order.uuid}/evidence/").status_code == 200
    assert cast.client("district_b_officer").get(f"/market/orders/{order.uuid}/evidence/").status_code == 404

    # 签收 and 评价 by the member, on the H5
    listing = worker.get("/market/orders/?tab=delivered").content.decode()
    assert "确认完成" in listing and "确认签收" not in listing  # the worker's words
    with django_capture_on_commit_callbacks(execute=True):
        worker.post(f"/market/orders/{order.uuid}/confirm/")
    assert load(order).status == OrderStatus.CONFIRMED and "服务已签收" in titles(cast.users["provider"])
    worker.post(f"/market/orders/{order.uuid}/review/", {"rating": "4", "text": "老师很耐心"})
    order = load(order)
    assert order.status == OrderStatus.REVIEWED and order.review.rating == 4
    offering = Offering.objects.get(pk=offering.pk)
    assert (offering.rating_count, offering.rating_sum, offering.served_count, offering.rating) == (1, 4, 1, 4.0)
    assert "老师很耐心" in cast.client(None).get(f"/market/o/{offering.uuid}/").content.decode()

    steps = list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status"))
    assert steps == [("", "placed"), ("placed", "assigned"), ("assigned", "delivered"), ("delivered", "confirmed"),
                     ("confirmed", "reviewed")]
    actions = list(AuditLog.objects.filter(object_key=str(order.uuid)).order_by("id").values_list("action", flat=True))
    assert actions == ["market.order.place", "market.order.assign", "market.order.deliver", "market.order.confirm",
                       "market.order.review"]


def test_it_walks_an_order_through_every_step_on_the_api(cast: Cast, offering: Offering) -> None:
    member, server = cast.client("worker_a", api=True), cast.client("provider", api=True)
    order = place(cast, "worker_a", offering)
    key = order.uuid
    assert server.get("/api/v1/market/provider/orders?status=placed").json()["count"] == 1
    assigned = server.post(f"/api/v1/market/orders/{key}/assign",
                           {"server_name": "陈师傅", "scheduled_at": (timezone.now() + timedelta(days=2)).isoformat()},
                           content_type=JSON)
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    assert assigned.json()["actions"] == ["assign", "cancel", "deliver", "no_show"]
    delivered = server.post(f"/api/v1/market/orders/{key}/deliver",
                            {"note": "已完成", "evidence": SimpleUploadedFile("记录.pdf", PDF, "application/pdf")})
    assert delivered.status_code == 200, delivered.content
    assert delivered.json()["has_evidence"] is True
    assert member.post(f"/api/v1/market/orders/{key}/review", {"rating": 5}, content_type=JSON).status_code == 409
    confirmed = member.post(f"/api/v1/market/orders/{key}/confirm", content_type=JSON)
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["actions"] == ["reorder", "review"]
    reviewed = member.post(f"/api/v1/market/orders/{key}/review", {"rating": 5, "text": "很好"}, content_type=JSON)
    assert reviewed.json()["review"]["rating"] == 5 and reviewed.json()["review"]["member_name"] == "王**"
    again = member.post(f"/api/v1/market/orders/{key}/review", {"rating": 1}, content_type=JSON)
    assert again.status_code == 409 and Review.objects.count() == 1  # one review per order
    bad = member.post(f"/api/v1/market/orders/{key}/review", {"rating": 6}, content_type=JSON)
    assert bad.status_code == 422
    detail = cast.client("district_a_viewer", api=True).get(f"/api/v1/market/orders/{key}").json()
    assert detail["status"] == "reviewed" and detail["actions"] == []


def test_it_checks_evidence_files(cast: Cast, offering: Offering) -> None:
    order = advance(cast, place(cast, "worker_a", offering), "assigned")
    server = cast.client("provider", api=True)
    url = f"/api/v1/market/orders/{order.uuid}/deliver"
    fake = server.post(url, {"evidence": SimpleUploadedFile("a.png", b"MZ\x90\x00 not an image", "image/png")})
    assert fake.status_code == 400 and fake.json()["detail"] == {"evidence": "只能上传图片或PDF文件"}
    lying = server.post(url, {"evidence": SimpleUploadedFile("a.pdf", PNG, "application/pdf")})
    assert lying.status_code == 400
    huge = PDF + b"0" * (10 * 1024 * 1024)
    big = server.post(url, {"evidence": SimpleUploadedFile("big.pdf", huge, "application/pdf")})
    assert big.status_code == 400 and "10MB" in big.json()["message"]
    assert load(order).status == OrderStatus.ASSIGNED  # nothing was delivered
    fine = server.post(url, {"evidence": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 32,
                                                            "application/octet-stream")})
    assert fine.status_code == 200 and load(order).evidence.name.endswith(".jpg")


def test_it_applies_the_cancellation_rules(cast: Cast, offering: Offering,
                                           django_capture_on_commit_callbacks: Any) -> None:
    batch = Batch.objects.get(offering=offering)
    mine = place(cast, "worker_a", offering)
    # the member, before 配货, without a reason; the provider hears of it
    with django_capture_on_commit_callbacks(execute=True):
        orders.order_cancel(actor=cast.worker_a, order=load(mine))
    assert load(mine).cancelled_by == "member" and "会员取消了预约" in titles(cast.users["provider"])

    theirs = advance(cast, place(cast, "gig_worker_a", offering), "assigned")
    with pytest.raises(Conflict, match="不能自行取消"):
        orders.order_cancel(actor=cast.gig_worker_a, order=theirs)
    with pytest.raises(ValidationFailed, match="请填写取消原因"):
        orders.order_cancel(actor=cast.district_a_officer, order=theirs)
    with pytest.raises(Forbidden):
        orders.order_cancel(actor=cast.worker_b, order=theirs)
    response = cast.client("district_a_officer", api=True).post(
        f"/api/v1/market/orders/{theirs.uuid}/cancel", {"reason": "讲师临时出差"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["cancelled_by"] == "staff"
    assert Batch.objects.get(pk=batch.pk).taken == 0
    # a delivered order can no longer be cancelled
    done = advance(cast, place(cast, "worker_a", offering), "delivered")
    late = cast.client("provider", api=True).post(f"/api/v1/market/orders/{done.uuid}/cancel",
                                                  {"reason": "误操作"}, content_type=JSON)
    assert late.status_code == 409 and late.json()["message"] == "该订单已不能取消"
    assert load(done).status == OrderStatus.DELIVERED


def test_it_marks_a_no_show_without_giving_the_place_back(cast: Cast, offering: Offering) -> None:
    order = advance(cast, place(cast, "worker_a", offering), "assigned")
    with pytest.raises(Conflict):
        orders.order_mark_no_show(actor=cast.users["provider"], order=advance(cast, place(
            cast, "gig_worker_a", offering), "placed"))
    response = cast.client("provider").post(f"/market/orders/{order.uuid}/no-show/", {"note": "未到场"})
    assert response.status_code == 302 and load(order).status == OrderStatus.NO_SHOW
    assert Batch.objects.get(offering=offering).taken == 2
    # a no-show does not block ordering the same batch again
    assert place(cast, "worker_a", offering).status == OrderStatus.PLACED


def test_it_auto_confirms_deliveries_after_seven_days(cast: Cast, offering: Offering) -> None:
    old = advance(cast, place(cast, "worker_a", offering), "delivered")
    recent = advance(cast, place(cast, "gig_worker_a", offering), "delivered")
    Order.objects.filter(pk=old.pk).update(delivered_at=timezone.now() - timedelta(days=7, minutes=1))
    Order.objects.filter(pk=recent.pk).update(delivered_at=timezone.now() - timedelta(days=6))
    out = StringIO()
    call_command("market_autoconfirm", stdout=out)
    assert "已自动签收 1 个订单" in out.getvalue()
    old, recent = load(old), load(recent)
    assert old.status == OrderStatus.CONFIRMED and old.auto_confirmed and recent.status == OrderStatus.DELIVERED
    assert OrderEvent.objects.filter(order=old, to_status="confirmed", actor__isnull=True).exists()
    assert AuditLog.objects.filter(action="market.order.auto_confirm", object_key=str(old.uuid)).exists()
    assert Offering.objects.get(pk=offering.pk).served_count == 1
    assert autoconfirm_task() == 0  # idempotent: nothing left to do
    # the member can still review an auto-confirmed order
    orders.order_review(actor=cast.worker_a, order=old, rating=3)
    assert load(old).status == OrderStatus.REVIEWED


def test_it_bulk_assigns_from_the_board(cast: Cast, offering: Offering) -> None:
    first, second = place(cast, "worker_a", offering), place(cast, "gig_worker_a", offering)
    gone = place(cast, "provider", offering)
    orders.order_cancel(actor=cast.users["provider"], order=load(gone))
    officer = cast.client("district_a_officer")
    response = officer.post("/console/market/orders/assign/", {
        "uuids": [str(first.uuid), str(second.uuid), str(gone.uuid)], "server_name": "陈师傅",
        "scheduled_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert {load(first).status, load(second).status} == {OrderStatus.ASSIGNED}
    board = officer.get(response["Location"]).content.decode()
    assert "已配货 2 个订单" in board and gone.short_code in board  # the failure is reported, not hidden
    # API: a viewer may not, another branch's order is a 404 for the whole request
    api = cast.client("district_a_officer", api=True)
    result = api.post("/api/v1/market/manage/orders/assign",
                      {"orders": [str(first.uuid)], "server_name": "李师傅"}, content_type=JSON).json()
    assert result["done"] == [str(first.uuid)] and result["failed"] == []
    viewer = cast.client("district_a_viewer", api=True).post(
        "/api/v1/market/manage/orders/assign", {"orders": [str(first.uuid)], "server_name": "李师傅"},
        content_type=JSON)
    assert viewer.status_code == 403
