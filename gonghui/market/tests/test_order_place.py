"""下单: from the H5 and the API; the audience rules; 名额已满 (409, never a 500); one active order per
member per batch; time slots; the batch window; Idempotency-Key; 复购; cancelling gives the place back."""

from __future__ import annotations

import pytest

from gonghui.core.errors import Conflict, Forbidden
from gonghui.core.models import AuditLog
from gonghui.market.models import Audience, Batch, IdempotencyKey, Offering, Order, OrderEvent, OrderStatus, Slot
from gonghui.market.services import catalogue, orders
from gonghui.testing import Cast

from .conftest import JSON, advance, batch_of, load, make_offering, new_member, place, when

pytestmark = pytest.mark.django_db


def test_it_places_an_order_from_the_offering_page(cast: Cast, offering: Offering) -> None:
    worker = cast.client("worker_a")
    page = worker.get(f"/market/o/{offering.uuid}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "电工技能培训" in html and "免费报名" in html and "剩 <span class=\"mkt-left\">10</span>" in html

    batch = batch_of(offering)
    response = worker.post(f"/market/o/{offering.uuid}/order/", {"batch": str(batch.uuid), "note": "想考电工证"})
    order = Order.objects.get(member=cast.members["worker_a"])
    assert response.status_code == 302 and response["Location"] == f"/market/orders/{order.uuid}/"
    assert order.status == OrderStatus.PLACED and order.note == "想考电工证"
    assert order.union == cast.district_a and order.member_union == cast.grassroots_a
    assert Batch.objects.get(pk=batch.pk).taken == 1
    assert list(OrderEvent.objects.filter(order=order).values_list("to_status", flat=True)) == ["placed"]
    assert AuditLog.objects.filter(action="market.order.place", object_key=str(order.uuid)).count() == 1
    detail = worker.get(f"/market/orders/{order.uuid}/").content.decode()
    # a class reads as a sign-up in the worker's words (the provider and staff still see 待配货)
    assert "已报名" in detail and "取消报名" in detail and "配货" not in detail
    assert "待配货" in cast.client("district_a_officer").get(f"/console/market/orders/{order.uuid}/").content.decode()


def test_it_speaks_of_booking_a_service_and_of_signing_up_for_a_class(cast: Cast) -> None:
    checkup = make_offering(cast, domain="health", title="职工健康体检")
    worker = cast.client("worker_a")
    assert "免费预约" in worker.get(f"/market/o/{checkup.uuid}/").content.decode()
    response = worker.post(f"/market/o/{checkup.uuid}/order/", {"batch": str(batch_of(checkup).uuid)}, follow=True)
    html = response.content.decode()
    assert "预约成功！服务方安排好人员和时间后会通知您" in html and "已预约" in html and "取消预约" in html
    assert "配货" not in html
    mine = worker.get("/market/orders/").content.decode()
    assert "已预约" in mine and "待安排" in mine and "待配货" not in mine


def test_it_places_an_order_through_the_api(cast: Cast, offering: Offering) -> None:
    api = cast.client("gig_worker_a", api=True)
    browse = api.get("/api/v1/market/offerings?domain=education")
    assert browse.status_code == 200
    item = browse.json()["items"][0]
    assert item["uuid"] == str(offering.uuid) and item["remaining"] == 10 and item["domain_label"] == "教育培训"
    detail = api.get(f"/api/v1/market/offerings/{offering.uuid}").json()
    assert detail["can_order"] is True and detail["batches"][0]["remaining"] == 10
    response = api.post("/api/v1/market/orders", {"batch": detail["batches"][0]["uuid"], "note": "周末有空"},
                        content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "placed" and body["member_name"] == "李**" and body["actions"] == ["cancel"]
    assert body["provider"]["name"] == "陈劳模" and [e["to_status"] for e in body["events"]] == ["placed"]
    mine = api.get("/api/v1/market/orders/mine?status=placed").json()
    assert [o["uuid"] for o in mine["items"]] == [body["uuid"]]


def test_it_refuses_members_the_audience_does_not_cover(cast: Cast, provider: object) -> None:
    district_a_only = make_offering(cast)
    gig_only = make_offering(cast, audience=Audience.GIG, title="骑手安全培训")
    women_only = make_offering(cast, audience=Audience.WOMEN, title="女职工健康讲座", domain="health")
    grassroots_only = make_offering(cast, audience=Audience.UNION, audience_union=cast.grassroots_a, title="车间参观",
                                    domain="visit")

    with pytest.raises(Forbidden, match="甲区总工会"):  # worker_b is in district B
        place(cast, "worker_b", district_a_only)
    with pytest.raises(Forbidden, match="新就业形态"):
        place(cast, "worker_a", gig_only)
    assert place(cast, "gig_worker_a", gig_only).status == OrderStatus.PLACED
    with pytest.raises(Forbidden, match="女职工"):
        place(cast, "worker_a", women_only)
    woman = new_member(cast.district_a, female=True)
    assert orders.order_place(actor=woman.user, batch=batch_of(women_only)).order.status == OrderStatus.PLACED
    with pytest.raises(Forbidden, match="甲公司工会"):
        place(cast, "gig_worker_a", grassroots_only)  # a member of district A itself, not of grassroots A
    assert place(cast, "worker_a", grassroots_only).status == OrderStatus.PLACED
    with pytest.raises(Forbidden, match="加入工会"):  # no membership at all
        orders.order_place(actor=cast.merchant, batch=batch_of(district_a_only))

    # the API says 403 with the reason; the catalogue shows each member only what they may order
    refused = cast.client("worker_b", api=True).post("/api/v1/market/orders", {"batch": str(batch_of(gig_only).uuid)},
                                                     content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "audience"
    titles = {o["title"] for o in cast.client("worker_a", api=True).get("/api/v1/market/offerings").json()["items"]}
    assert titles == {"电工技能培训", "车间参观"}
    assert cast.client("worker_b", api=True).get("/api/v1/market/offerings").json()["count"] == 0
    assert "骑手安全培训" in cast.client("gig_worker_a").get("/market/").content.decode()


def test_it_offers_a_root_unions_offering_to_every_member(cast: Cast) -> None:
    from .conftest import make_provider

    provincial = make_provider(cast, union=cast.province, account=cast.merchant, name="省人民医院", kind="hospital")
    offering = catalogue.offering_create(actor=cast.province_admin, provider=provincial, data=catalogue.OfferingData(
        title="职工体检", domain="health", summary="免费体检", mode="onsite", place="省人民医院"))
    catalogue.batch_add(actor=cast.province_admin, offering=offering, data=catalogue.BatchData(
        name="一批", capacity=5, serves_from=when(days=3)))
    catalogue.offering_list(actor=cast.province_admin, offering=offering)
    assert place(cast, "worker_b", offering).status == OrderStatus.PLACED
    assert place(cast, "worker_a", offering).status == OrderStatus.PLACED


def test_it_says_sold_out_and_never_oversells(cast: Cast, provider: object) -> None:
    small = make_offering(cast, capacity=2)
    place(cast, "worker_a", small)
    place(cast, "gig_worker_a", small)
    late = new_member(cast.district_a)
    with pytest.raises(Conflict, match="名额已满") as caught:
        orders.order_place(actor=late.user, batch=batch_of(small))
    assert caught.value.code == "sold_out"
    assert Batch.objects.get(offering=small).taken == 2 and Order.objects.filter(offering=small).count() == 2

    # the API answers 409 with a clear message; the page shows it on the form
    again = new_member(cast.district_a)
    from django.test import Client

    from gonghui.accounts.models import ApiToken

    _, raw = ApiToken.issue(again.user, name="test")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/api/v1/market/orders", {"batch": str(batch_of(small).uuid)}, content_type=JSON)
    assert response.status_code == 409
    assert response.json() == {"code": "sold_out", "message": "名额已满", "detail": None}
    page = cast.client("provider").post(f"/market/o/{small.uuid}/order/", {"batch": str(batch_of(small).uuid)})
    assert page.status_code == 409 and "名额已满" in page.content.decode()


def test_it_keeps_one_active_order_per_member_and_batch(cast: Cast, offering: Offering) -> None:
    first = place(cast, "worker_a", offering)
    with pytest.raises(Conflict, match="请勿重复下单") as caught:
        place(cast, "worker_a", offering)
    assert caught.value.code == "duplicate"
    assert Batch.objects.get(offering=offering).taken == 1  # the refused order took no place
    orders.order_cancel(actor=cast.worker_a, order=load(first))
    assert Batch.objects.get(offering=offering).taken == 0  # cancelling gives the place back
    assert place(cast, "worker_a", offering).status == OrderStatus.PLACED  # and frees the member to order again


def test_it_takes_places_per_time_slot(cast: Cast, provider: object) -> None:
    slots = [catalogue.SlotData(starts_at=when(days=2), ends_at=when(days=2, hours=2), capacity=1),
             catalogue.SlotData(starts_at=when(days=3), ends_at=when(days=3, hours=2), capacity=2)]
    offering = make_offering(cast, slots=slots)
    batch = batch_of(offering)
    assert batch.capacity == 3
    first, second = list(Slot.objects.filter(batch=batch).order_by("starts_at"))
    with pytest.raises(Exception, match="请选择服务时段"):
        place(cast, "worker_a", offering)
    order = place(cast, "worker_a", offering, slot=first)
    assert order.scheduled_at == first.starts_at
    with pytest.raises(Conflict, match="该时段名额已满"):
        place(cast, "gig_worker_a", offering, slot=first)
    place(cast, "gig_worker_a", offering, slot=second)
    assert Slot.objects.get(pk=first.pk).taken == 1 and Slot.objects.get(pk=second.pk).taken == 1
    assert Batch.objects.get(pk=batch.pk).taken == 2


def test_it_orders_only_inside_the_batch_window(cast: Cast, offering: Offering) -> None:
    Batch.objects.filter(offering=offering).update(opens_at=when(days=1))
    with pytest.raises(Conflict, match="不在预约时间内"):
        place(cast, "worker_a", offering)
    Batch.objects.filter(offering=offering).update(opens_at=when(days=-2), closes_at=when(days=-1))
    with pytest.raises(Conflict, match="不在预约时间内"):
        place(cast, "worker_a", offering)
    catalogue.offering_withdraw(actor=cast.district_a_officer, offering=offering)
    response = cast.client("worker_a", api=True).post(
        "/api/v1/market/orders", {"batch": str(batch_of(offering).uuid)}, content_type=JSON)
    assert response.status_code == 404  # a withdrawn offering's batches are not in the catalogue


def test_it_returns_the_first_result_for_a_repeated_idempotency_key(cast: Cast, offering: Offering) -> None:
    api = cast.client("worker_a", api=True)
    body = {"batch": str(batch_of(offering).uuid), "note": "第一次"}
    first = api.post("/api/v1/market/orders", body, content_type=JSON, headers={"Idempotency-Key": "abc-123"})
    again = api.post("/api/v1/market/orders", body, content_type=JSON, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 201
    assert first.json()["uuid"] == again.json()["uuid"]
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and Batch.objects.get(offering=offering).taken == 1
    assert IdempotencyKey.objects.get(key="abc-123").order.uuid.hex == first.json()["uuid"].replace("-", "")

    # the same key for another request is refused; another key is a new request (here: a duplicate)
    other = api.post("/api/v1/market/orders", {**body, "note": "改了"}, content_type=JSON,
                     headers={"Idempotency-Key": "abc-123"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    second = api.post("/api/v1/market/orders", body, content_type=JSON, headers={"Idempotency-Key": "abc-456"})
    assert second.status_code == 409 and second.json()["code"] == "duplicate"
    # keys are per user: another member's identical key is theirs alone
    mine = cast.client("gig_worker_a", api=True).post("/api/v1/market/orders", body, content_type=JSON,
                                                       headers={"Idempotency-Key": "abc-123"})
    assert mine.status_code == 201 and mine.json()["uuid"] != first.json()["uuid"]
    bad = api.post("/api/v1/market/orders", body, content_type=JSON, headers={"Idempotency-Key": "键"})
    assert bad.status_code == 400


def test_it_reorders_in_one_step(cast: Cast, offering: Offering) -> None:
    order = advance(cast, place(cast, "worker_a", offering, note="第一次"), "reviewed")
    worker = cast.client("worker_a")
    # the same batch is still held by the reviewed order: a reorder needs a new batch (上新)
    response = worker.post(f"/market/orders/{order.uuid}/reorder/")
    assert response.status_code == 302
    assert "暂时没有可预约的名额" in worker.get(response["Location"]).content.decode()
    catalogue.batch_add(actor=cast.users["provider"], offering=offering,
                        data=catalogue.BatchData(name="第2批", capacity=5, serves_from=when(days=9)))
    api = cast.client("worker_a", api=True)
    again = api.post(f"/api/v1/market/orders/{order.uuid}/reorder", content_type=JSON)
    assert again.status_code == 201, again.content
    body = again.json()
    assert body["batch"]["name"] == "第2批" and body["reorder_of"] == str(order.uuid) and body["note"] == "第一次"
    # only the member's own orders can be reordered
    assert cast.client("gig_worker_a", api=True).post(f"/api/v1/market/orders/{order.uuid}/reorder",
                                                      content_type=JSON).status_code == 404
