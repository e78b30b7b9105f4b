"""Privacy and bad input: the asker's identity only for the units handling the ticket, anonymous
suggestions anonymous to everyone, unmasked phones audited, text escaped, phones encrypted."""

from __future__ import annotations

import pytest
from django.db import connection

from gonghui.appeals.models import Ticket
from gonghui.core.models import AuditLog
from gonghui.testing import Cast

from .helpers import closed, reload, submit

pytestmark = pytest.mark.django_db


def test_it_shows_who_asked_only_to_the_handling_unit(cast: Cast) -> None:
    ticket = submit(cast, "worker_a")  # lands at 甲公司工会 (it has staff)
    handling = cast.client("grassroots_a_officer").get(f"/console/appeals/{ticket.uuid}/").content.decode()
    assert "王小明" in handling and "显示完整号码" in handling
    for upper in ("district_a_officer", "city_officer", "province_admin"):
        page = cast.client(upper).get(f"/console/appeals/{ticket.uuid}/").content.decode()
        assert "王小明" not in page and "王**" in page and "身份仅承办单位可见" in page
        api = cast.client(upper, api=True).get(f"/api/v1/appeals/tickets/{ticket.uuid}").json()
        assert api["asker"] == "王**" and api["phone"] == "" and api["identity_visible"] is False
    api = cast.client("grassroots_a_officer", api=True).get(f"/api/v1/appeals/tickets/{ticket.uuid}").json()
    assert api["asker"] == "王小明" and api["phone"] == cast.worker_a.phone[:3] + "****" + cast.worker_a.phone[-4:]
    # the queue lists masked names only
    queue = cast.client("grassroots_a_officer").get("/console/appeals/").content.decode()
    assert "王**" in queue and "王小明" not in queue


def test_it_reveals_the_full_phone_to_the_handler_and_audits_it(cast: Cast) -> None:
    ticket = submit(cast, "worker_a")
    response = cast.client("grassroots_a_officer").post(f"/console/appeals/{ticket.uuid}/phone/")
    assert response.status_code == 200 and cast.worker_a.phone in response.content.decode()
    row = AuditLog.objects.get(action="ticket.reveal_phone")
    assert row.user == cast.grassroots_a_officer and cast.worker_a.phone not in str(row.detail)
    assert cast.client("district_a_officer").post(f"/console/appeals/{ticket.uuid}/phone/").status_code == 403


def test_it_keeps_an_anonymous_suggestion_anonymous_to_everyone(cast: Cast) -> None:
    ticket = closed(cast, submit(cast, "worker_a", kind="suggestion", anonymous=True, public=True,
                                 content="建议食堂增加夜班餐，夜班工人半夜没有饭吃。"), "grassroots_a_officer")
    for who in ("grassroots_a_officer", "district_a_officer", "province_admin"):
        page = cast.client(who).get(f"/console/appeals/{ticket.uuid}/").content.decode()
        assert "王小明" not in page and "王**" not in page and cast.worker_a.phone[-4:] not in page
        assert "匿名" in page
        api = cast.client(who, api=True).get(f"/api/v1/appeals/tickets/{ticket.uuid}").json()
        assert api["asker"] == "匿名" and api["phone"] == ""
        assert all(e["actor"] != "王小明" for e in api["events"])
    assert cast.client("grassroots_a_officer").post(f"/console/appeals/{ticket.uuid}/phone/").status_code == 403
    board = cast.client(None).get(f"/appeals/board/{ticket.uuid}/").content.decode()
    assert "匿名" in board and "王" not in board.split("<main")[1].split("</main>")[0]
    # the worker still follows it
    assert cast.client("worker_a").get(f"/appeals/mine/{ticket.uuid}/").status_code == 200
    rows = AuditLog.objects.filter(object_key=str(ticket.uuid))
    assert not any("王小明" in str(row.detail) or "王小明" in row.user_label for row in rows)
    submitted = rows.get(action="ticket.submit")
    assert submitted.user is None and submitted.user_label == "匿名职工" and submitted.ip is None


def test_it_escapes_what_people_type(cast: Cast) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    ticket = closed(cast, submit(cast, "worker_a", title=evil[:40], content=f"问题描述{evil}", public=True),
                    "grassroots_a_officer")
    pages = [cast.client("grassroots_a_officer").get(f"/console/appeals/{ticket.uuid}/"),
             cast.client("grassroots_a_officer").get("/console/appeals/?status=all"),
             cast.client("worker_a").get(f"/appeals/mine/{ticket.uuid}/"),
             cast.client(None).get("/appeals/board/"),
             cast.client(None).get(f"/appeals/board/{ticket.uuid}/")]
    for page in pages:
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html or "&lt;scrip" in html


def test_it_never_stores_a_phone_in_plaintext(cast: Cast) -> None:
    from gonghui.appeals.services import intake

    ticket = submit(cast, "worker_a")
    intake.claimant_add(actor=cast.grassroots_a_officer, ticket=reload(ticket), name="张三", phone="13711112222")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM appeals_ticket")
        rows = cursor.fetchall()
        cursor.execute("SELECT phone, phone_index FROM appeals_claimant")
        rows += cursor.fetchall()
    assert rows
    for phone, index in rows:
        assert cast.worker_a.phone not in phone and "13711112222" not in phone
        assert index and not index.isdigit()
    assert Ticket.objects.get().phone == cast.worker_a.phone


@pytest.mark.parametrize("api", [False, True])
def test_it_unmasks_the_phone_only_for_working_roles_at_the_handling_unit(cast: Cast, api: bool) -> None:
    """The unmasking policy's CONTACT rule (gonghui.core.unmasking): admins and officers of a handling
    unit; not its read-only viewer, not the levels above; refused attempts leave a denied row."""
    from gonghui.testing import OK, scope_matrix

    from .helpers import at_district_a

    ticket = at_district_a(cast)
    url = f"/api/v1/appeals/tickets/{ticket.uuid}/phone" if api else f"/console/appeals/{ticket.uuid}/phone/"
    scope_matrix(cast, lambda c, _: c.post(url), api=api, overrides={
        "district_a_admin": OK, "district_a_officer": OK, "district_a_viewer": 403,
        "city_officer": 403, "province_admin": 403, "auditor": 404})
    refused = AuditLog.objects.filter(action="ticket.reveal_phone", result="denied")
    assert {row.user for row in refused} == {cast.district_a_viewer, cast.city_officer, cast.province_admin}
    viewer_row = refused.get(user=cast.district_a_viewer)
    assert viewer_row.object_key == str(ticket.uuid) and viewer_row.role == "viewer"
    assert viewer_row.union_name == cast.district_a.name
    assert AuditLog.objects.filter(action="ticket.reveal_phone", result="success").count() == 2
    # the page offers the button only to those who may press it
    assert "显示完整号码" in cast.client("district_a_officer").get(f"/console/appeals/{ticket.uuid}/").content.decode()
    assert "显示完整号码" not in cast.client("district_a_viewer").get(
        f"/console/appeals/{ticket.uuid}/").content.decode()
