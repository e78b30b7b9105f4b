"""When the service happens, in the worker's words: a batch without time slots says it (服务开始/结束)
beside the booking deadline, on the offering page, the worker's order pages and in the API; and an
order's status in the API is in the caller's words, from the same function as the pages."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from gonghui.core.errors import ValidationFailed
from gonghui.market.models import (
    Batch,
    Offering,
    OrderStatus,
    member_status_label,
    moment_text,
    service_time_text,
)
from gonghui.market.services import catalogue
from gonghui.testing import Cast

from .conftest import JSON, advance, batch_of, make_offering, place, when

pytestmark = pytest.mark.django_db


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def test_it_words_a_service_window() -> None:
    year = timezone.localtime().year
    assert service_time_text(local(year, 3, 1, 9, 0), local(year, 3, 1, 11, 30)) == "3月1日 09:00–11:30"
    assert service_time_text(local(year, 3, 1, 14, 0), local(year, 3, 5, 17, 0)) == "3月1日 14:00 至 3月5日 17:00"
    assert service_time_text(local(year, 3, 1, 9, 0), None) == "3月1日 09:00 起"
    assert service_time_text(local(year + 1, 1, 2, 9, 0), None) == f"{year + 1}年1月2日 09:00 起"
    assert service_time_text(None, None) == ""


def test_it_requires_the_service_time_of_a_batch_without_slots(cast: Cast, offering: Offering) -> None:
    def add(**kwargs: object) -> Batch:
        return catalogue.batch_add(actor=cast.district_a_officer, offering=offering,
                                   data=catalogue.BatchData(name="第2批", capacity=5, **kwargs))

    with pytest.raises(ValidationFailed) as missing:
        add()
    assert missing.value.detail == {"serves_from": "请填写服务开始时间，或填写服务时段"}
    with pytest.raises(ValidationFailed) as backwards:
        add(serves_from=when(days=3), serves_until=when(days=2))
    assert "serves_until" in backwards.value.detail
    with pytest.raises(ValidationFailed) as over:
        add(serves_from=when(days=-3), serves_until=when(days=-2))
    assert "serves_until" in over.value.detail
    with pytest.raises(ValidationFailed) as both:
        add(serves_from=when(days=3), slots=[catalogue.SlotData(starts_at=when(days=4), ends_at=when(days=4, hours=2),
                                                                capacity=5)])
    assert "serves_from" in both.value.detail
    # a window still running (started yesterday) is fine
    running = add(serves_from=when(days=-1), serves_until=when(days=20))
    assert running.service_time and " 至 " in running.service_time

    # the console form says the same, on the field
    officer = cast.client("district_a_officer")
    detail = f"/console/market/offerings/{offering.uuid}/"
    response = officer.post(f"/market/offerings/{offering.uuid}/batches/", {"name": "第3批", "capacity": 5,
                                                                            "next": detail})
    assert "请填写服务开始时间" in officer.get(response["Location"]).content.decode()
    assert not Batch.objects.filter(offering=offering, name="第3批").exists()
    # and the API, as a 400 with the field
    api = cast.client("provider", api=True)
    refused = api.post(f"/api/v1/market/offerings/{offering.uuid}/batches", {"name": "第3批", "capacity": 5},
                       content_type=JSON)
    assert refused.status_code == 400 and "serves_from" in refused.json()["detail"]


def test_it_shows_when_a_batch_without_slots_is_served(cast: Cast, offering: Offering) -> None:
    batch = batch_of(offering)
    assert batch.serves_from is not None and batch.slots.count() == 0
    expected = service_time_text(batch.serves_from, None)
    assert expected.endswith(" 起")
    worker = cast.client("worker_a")
    page = worker.get(f"/market/o/{offering.uuid}/").content.decode()
    assert f"服务时间：{expected}" in page

    order = place(cast, "worker_a", offering)
    assert f"{expected}" in worker.get(f"/market/orders/{order.uuid}/").content.decode()
    assert f"服务时间：{expected}" in worker.get("/market/orders/").content.decode()

    api = cast.client("worker_a", api=True)
    body = api.get(f"/api/v1/market/offerings/{offering.uuid}").json()
    shown = body["batches"][0]
    assert shown["service_time"] == expected and shown["serves_from"] and shown["serves_until"] is None
    assert api.get(f"/api/v1/market/orders/{order.uuid}").json()["service_time"] == expected

    # once the provider fixes the time, that is the time
    advance(cast, order, "assigned")
    order.refresh_from_db()
    arranged = moment_text(order.scheduled_at)
    assert arranged != expected.removesuffix(" 起")
    assert api.get(f"/api/v1/market/orders/{order.uuid}").json()["service_time"] == arranged
    assert arranged in worker.get(f"/market/orders/{order.uuid}/").content.decode()


def test_it_shows_a_booked_slot_as_the_service_time(cast: Cast) -> None:
    start = when(days=5).replace(hour=9, minute=0, second=0, microsecond=0)
    end = start.replace(hour=11)
    offering = make_offering(cast, domain="health", title="职工健康体检",
                             slots=[catalogue.SlotData(starts_at=start, ends_at=end, capacity=3)])
    slot = batch_of(offering).slots.get()
    order = place(cast, "worker_a", offering, slot=slot)
    text = service_time_text(start, end)
    assert order.service_time == text
    assert text in cast.client("worker_a").get(f"/market/orders/{order.uuid}/").content.decode()


def test_it_labels_an_order_in_the_callers_words_in_the_api(cast: Cast, offering: Offering) -> None:
    order = place(cast, "worker_a", offering)  # a class: 报名
    mine = cast.client("worker_a", api=True)
    body = mine.get(f"/api/v1/market/orders/{order.uuid}").json()
    # the page's words, from the same function
    assert body["status_label"] == member_status_label(OrderStatus.PLACED, offering.domain) == "已报名"
    assert [e["to_status_label"] for e in body["events"]] == ["已报名"]
    listed = mine.get("/api/v1/market/orders/mine").json()["items"][0]
    assert listed["status_label"] == "已报名"
    page = cast.client("worker_a").get(f"/market/orders/{order.uuid}/").content.decode()
    assert "已报名" in page

    advance(cast, order, "assigned")
    assert mine.get(f"/api/v1/market/orders/{order.uuid}").json()["status_label"] == "已安排"
    advance(cast, order, "delivered")
    body = mine.get(f"/api/v1/market/orders/{order.uuid}").json()
    assert body["status_label"] == "待确认完成" and "配货" not in str(body)

    # the provider and staff read the lifecycle's words
    provider = cast.client("provider", api=True).get(f"/api/v1/market/orders/{order.uuid}").json()
    assert provider["status_label"] == "待签收" and provider["events"][1]["to_status_label"] == "已配货"
    board = cast.client("district_a_officer", api=True).get("/api/v1/market/manage/orders").json()["items"]
    assert [o["status_label"] for o in board if o["uuid"] == str(order.uuid)] == ["待签收"]
