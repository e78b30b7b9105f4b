"""The inbox (站内信) on the H5 and the API, SMS after commit, and in-process domain events."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from gonghui.core import events
from gonghui.core.models import Notification
from gonghui.core.notify import LoggingSmsBackend, notify
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., Any]


def test_it_puts_a_message_in_the_inbox(cast: Cast) -> None:
    note = notify(cast.worker_a, "入会申请已通过", "欢迎加入工会", url="/me/")
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.recipient, stored.title, stored.body, stored.url) == (cast.worker_a, "入会申请已通过",
                                                                          "欢迎加入工会", "/me/")
    assert stored.read_at is None
    assert list(Notification.objects.for_user(cast.worker_a).unread()) == [stored]
    assert not Notification.objects.for_user(cast.worker_b).exists()


def test_it_cuts_a_long_title_to_the_column(cast: Cast) -> None:
    assert len(notify(cast.worker_a, "长" * 300).title) == 120


def test_it_lists_messages_for_their_owner_only(cast: Cast) -> None:
    notify(cast.worker_a, "王小明的消息", "只给王小明")
    notify(cast.worker_b, "赵师傅的消息")
    page = cast.client("worker_a").get("/messages/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "王小明的消息" in text and "赵师傅的消息" not in text
    other = cast.client("worker_b").get("/messages/").content.decode()
    assert "王小明的消息" not in other and "赵师傅的消息" in other


def test_it_sends_anonymous_visitors_to_the_login_page() -> None:
    from django.test import Client

    response = Client().get("/messages/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_marks_a_message_read_when_opened(cast: Cast) -> None:
    note = notify(cast.worker_a, "活动提醒", url="/me/")
    response = cast.client("worker_a").get(f"/messages/{note.uuid}/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    note.refresh_from_db()
    assert note.read_at is not None
    first_read = note.read_at
    cast.client("worker_a").get(f"/messages/{note.uuid}/")
    note.refresh_from_db()
    assert note.read_at == first_read  # opening again keeps the first time


def test_it_hides_another_users_message(cast: Cast) -> None:
    note = notify(cast.worker_a, "活动提醒")
    response = cast.client("worker_b").get(f"/messages/{note.uuid}/")
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("url", ["//evil.example/phish", "/\\evil.example/phish", "https://evil.example/"])
def test_it_never_redirects_off_site(cast: Cast, url: str) -> None:
    note = notify(cast.worker_a, "活动提醒", url=url)
    response = cast.client("worker_a").get(f"/messages/{note.uuid}/")
    assert response.status_code == 302 and response["Location"] == "/messages/"


def test_it_marks_everything_read(cast: Cast) -> None:
    notify(cast.worker_a, "一")
    notify(cast.worker_a, "二")
    other = notify(cast.worker_b, "三")
    response = cast.client("worker_a").post("/messages/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.for_user(cast.worker_a).unread().exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_it_lists_only_the_callers_messages_in_the_api(cast: Cast) -> None:
    mine = notify(cast.worker_a, "我的消息")
    read = notify(cast.worker_a, "已读消息")
    notify(cast.worker_b, "别人的消息")
    client = cast.client("worker_a", api=True)
    assert client.post(f"/api/v1/core/notifications/{read.uuid}/read").json()["read_at"] is not None
    body = client.get("/api/v1/core/notifications").json()
    assert body["count"] == 2 and {item["title"] for item in body["items"]} == {"我的消息", "已读消息"}
    unread = client.get("/api/v1/core/notifications?unread=true").json()
    assert [item["uuid"] for item in unread["items"]] == [str(mine.uuid)]


def test_it_refuses_to_mark_another_users_message_in_the_api(cast: Cast) -> None:
    theirs = notify(cast.worker_b, "别人的消息")
    response = cast.client("worker_a", api=True).post(f"/api/v1/core/notifications/{theirs.uuid}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_texts_after_commit_with_the_phone_masked_in_the_log(
        cast: Cast, settings: Settings, django_capture_on_commit_callbacks: CaptureOnCommit,
        caplog: pytest.LogCaptureFixture) -> None:
    settings.NOTIFICATION_CHANNELS = ["inbox", "sms"]
    LoggingSmsBackend.sent.clear()
    with caplog.at_level(logging.INFO, logger="gonghui.notify"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(cast.worker_a, "订单已发货", sms=True)
            assert LoggingSmsBackend.sent == []  # nothing leaves before the commit
    assert LoggingSmsBackend.sent == [(cast.worker_a.phone, "【工会】订单已发货")]
    assert cast.worker_a.phone not in caplog.text and cast.worker_a.masked_phone in caplog.text


def test_it_does_not_text_when_the_channel_is_off(cast: Cast,
                                                 django_capture_on_commit_callbacks: CaptureOnCommit) -> None:
    LoggingSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(cast.worker_a, "订单已发货", sms=True)
    assert callbacks == [] and LoggingSmsBackend.sent == []


@pytest.fixture
def subscribed() -> Iterator[Callable[[str, Callable[..., None]], None]]:
    added: list[tuple[str, Callable[..., None]]] = []

    def subscribe(name: str, handler: Callable[..., None]) -> None:
        events.subscribe(name, handler)
        added.append((name, handler))

    yield subscribe
    for name, handler in added:
        events.unsubscribe(name, handler)


def test_it_delivers_events_after_commit(subscribed: Callable[..., None],
                                         django_capture_on_commit_callbacks: CaptureOnCommit) -> None:
    received: list[dict[str, Any]] = []
    subscribed("member.joined", lambda **payload: received.append(payload))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events.publish("member.joined", member_id=7, union_id=3)
        assert received == []  # not before the commit
    assert len(callbacks) == 1
    assert received == [{"member_id": 7, "union_id": 3}]


def test_it_delivers_nothing_when_the_transaction_rolls_back(
        subscribed: Callable[..., None], django_capture_on_commit_callbacks: CaptureOnCommit) -> None:
    received: list[dict[str, Any]] = []
    subscribed("member.joined", lambda **payload: received.append(payload))
    with django_capture_on_commit_callbacks(execute=False):
        events.publish("member.joined", member_id=7)
    assert received == []


def test_it_keeps_delivering_past_a_failing_subscriber(
        subscribed: Callable[..., None], django_capture_on_commit_callbacks: CaptureOnCommit,
        caplog: pytest.LogCaptureFixture) -> None:
    received: list[str] = []

    def broken(**payload: Any) -> None:
        raise RuntimeError("points service down")

    subscribed("order.confirmed", lambda **payload: received.append("first"))
    subscribed("order.confirmed", broken)
    subscribed("order.confirmed", lambda **payload: received.append("last"))
    subscribed("order.placed", lambda **payload: received.append("other event"))
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("order.confirmed", order_id=1)  # the caller is not disturbed either
    assert received == ["first", "last"]
    assert "points service down" in caplog.text and "order.confirmed" in caplog.text


def test_it_subscribes_a_handler_once(subscribed: Callable[..., None],
                                      django_capture_on_commit_callbacks: CaptureOnCommit) -> None:
    received: list[int] = []

    def handler(**payload: Any) -> None:
        received.append(payload["n"])

    subscribed("x.happened", handler)
    events.subscribe("x.happened", handler)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("x.happened", n=1)
    events.unsubscribe("x.happened", handler)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("x.happened", n=2)
    assert received == [1]
