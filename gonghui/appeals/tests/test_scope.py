"""Every appeals endpoint, HTML and API, against the whole cast: own branch, parent, child, sibling,
other city, read-only and anonymous (gonghui.testing.scope_matrix); and the worker's own pages."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.appeals.models import Ticket
from gonghui.testing import OK, Cast, scope_matrix

from .helpers import JSON, accepted, at_district_a, closed, png, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
LISTS = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}  # lists are never 404


def test_it_gates_the_ticket_page_and_api(cast: Cast) -> None:
    ticket = at_district_a(cast)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/appeals/tickets/{ticket.uuid}"))
    scope_matrix(cast, lambda c, _: c.get(f"/console/appeals/{ticket.uuid}/"), api=False)


def _post(path: str, data: dict[str, Any] | None = None, *, api: bool) -> Any:
    if api:
        return lambda c, t: c.post(f"/api/v1/appeals/tickets/{t.uuid}/{path}", data or {}, content_type=JSON)
    return lambda c, t: c.post(f"/console/appeals/{t.uuid}/{path}/", data or {})


def test_it_gates_accepting(cast: Cast) -> None:
    for api in (True, False):
        scope_matrix(cast, _post("accept", {"tier": "normal"}, api=api), target=lambda: at_district_a(cast),
                     write=True, api=api)


def test_it_gates_assigning(cast: Cast) -> None:
    data = {"union": str(cast.street_a.uuid)}
    for api in (True, False):
        scope_matrix(cast, _post("assign", data, api=api), target=lambda: at_district_a(cast), write=True, api=api)


def test_it_gates_escalating_and_transferring(cast: Cast) -> None:
    for api in (True, False):
        scope_matrix(cast, _post("escalate", {"reason": "需上级协调"}, api=api), target=lambda: at_district_a(cast),
                     write=True, api=api)
        scope_matrix(cast, _post("transfer", {"union": str(cast.district_c.uuid), "reason": "事发地在丙区"}, api=api),
                     target=lambda: at_district_a(cast), write=True, api=api)


def test_it_gates_supervising_to_upper_levels(cast: Cast) -> None:
    same_level = {"district_a_admin": 403, "district_a_officer": 403}
    for api in (True, False):
        scope_matrix(cast, _post("supervise", {"note": "请加快办理"}, api=api),
                     target=lambda: accepted(cast, at_district_a(cast)), write=True, api=api, overrides=same_level)


def test_it_gates_classifying_closing_and_following_up(cast: Cast) -> None:
    for api in (True, False):
        scope_matrix(cast, _post("classify", {"tier": "hard"}, api=api), target=lambda: at_district_a(cast),
                     write=True, api=api)
        scope_matrix(cast, _post("close", {"reply": "已协调解决，请查收。"}, api=api),
                     target=lambda: at_district_a(cast), write=True, api=api)
        scope_matrix(cast, _post("follow-up", {"note": "电话回访"}, api=api),
                     target=lambda: closed(cast, at_district_a(cast)), write=True, api=api)


def test_it_gates_claimants_and_mediation(cast: Cast) -> None:
    phones = iter(range(13711110000, 13711119999))
    for api in (True, False):
        def add(c: Any, t: Ticket, api: bool = api) -> Any:
            return _post("claimants", {"name": "张三", "phone": str(next(phones))}, api=api)(c, t)

        scope_matrix(cast, add, target=lambda: at_district_a(cast), write=True, api=api)
        scope_matrix(cast, _post("mediation", {"applicant": "李骑手", "respondent": "站点", "claim": "支付工资"},
                                 api=api), target=lambda: accepted(cast, at_district_a(cast, kind="dispute")),
                     write=True, api=api)


def test_it_gates_the_phone_reveal(cast: Cast) -> None:
    ticket = at_district_a(cast)
    # Only the handling unit's working roles unmask the asker's phone (the unmasking policy): the city and
    # the province supervise without it, and the unit's read-only viewer does not get it either.
    handling_only = {"city_officer": 403, "province_admin": 403, "district_a_viewer": 403}
    scope_matrix(cast, lambda c, _: c.post(f"/api/v1/appeals/tickets/{ticket.uuid}/phone"), overrides=handling_only)
    scope_matrix(cast, lambda c, _: c.post(f"/console/appeals/{ticket.uuid}/phone/"), api=False,
                 overrides=handling_only)


def test_it_gates_bulk_assignment(cast: Cast) -> None:
    # Out-of-scope and read-only callers get a 200 listing the ticket as not done; anonymous 401/302.
    scope_matrix(cast, lambda c, t: c.post("/api/v1/appeals/tickets/bulk-assign", {
        "tickets": [str(t.uuid)], "union": str(cast.street_a.uuid)}, content_type=JSON),
        target=lambda: at_district_a(cast), write=True, overrides={"district_a_viewer": OK, **LISTS})


def test_it_gates_the_queue_and_the_statistics(cast: Cast) -> None:
    ticket = at_district_a(cast)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/appeals/tickets"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/console/appeals/"), api=False, overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/console/appeals/stats/"), api=False, overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/console/appeals/stats/export.xlsx"), api=False, overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/appeals/stats"), overrides=LISTS)
    for who in ("district_b_officer", "other_city_officer", "grassroots_a_officer"):
        assert ticket.number not in cast.client(who).get("/console/appeals/?status=all").content.decode()
        assert cast.client(who, api=True).get("/api/v1/appeals/tickets?status=all").json()["count"] == 0
        assert cast.client(who, api=True).get("/api/v1/appeals/stats").json()["total"]["received"] == 0
    assert cast.client("city_officer", api=True).get("/api/v1/appeals/tickets").json()["count"] == 1
    # a union filter outside the scope cannot widen it
    other = cast.client("district_b_officer", api=True)
    assert other.get(f"/api/v1/appeals/tickets?union={cast.district_a.uuid}").status_code == 404
    assert other.get(f"/api/v1/appeals/stats?union={cast.district_a.uuid}").status_code == 404
    page = cast.client("district_b_officer").get(f"/console/appeals/?union={cast.district_a.uuid}&status=all")
    assert ticket.number not in page.content.decode()


def test_it_keeps_workers_out_of_the_console(cast: Cast) -> None:
    ticket = at_district_a(cast)
    worker = cast.client("gig_worker_a")
    assert worker.get("/console/appeals/").status_code == 403
    assert worker.get(f"/console/appeals/{ticket.uuid}/").status_code == 403
    api = cast.client("gig_worker_a", api=True)
    # staff endpoints refuse workers outright (core.api_audience)
    assert api.get("/api/v1/appeals/tickets").status_code == 403
    assert api.get("/api/v1/appeals/stats").status_code == 403
    assert api.post(f"/api/v1/appeals/tickets/{ticket.uuid}/accept", content_type=JSON).status_code == 403
    assert api.post("/api/v1/appeals/calls", {"phone": "13712345678", "kind": "consult", "content": "冒充来电登记",
                                              "place": str(cast.district_a.uuid)},
                    content_type=JSON).status_code == 403


def test_it_shows_a_worker_only_their_own_tickets(cast: Cast) -> None:
    mine = submit(cast, "worker_a", files=[png()])
    theirs = submit(cast, "worker_b")
    client, api = cast.client("worker_a"), cast.client("worker_a", api=True)
    assert client.get(f"/appeals/mine/{mine.uuid}/").status_code == 200
    assert client.get(f"/appeals/mine/{theirs.uuid}/").status_code == 404
    assert api.get(f"/api/v1/appeals/tickets/{theirs.uuid}").status_code == 404
    for path in ("rate", "reopen", "withdraw", "more"):
        assert client.post(f"/appeals/mine/{theirs.uuid}/{path}/", {"reason": "x", "note": "x"}).status_code == 404
        assert api.post(f"/api/v1/appeals/tickets/{theirs.uuid}/{path}", {"reason": "x", "note": "x",
                                                                            "rating": "satisfied"},
                        content_type=JSON).status_code == 404
    listed = api.get("/api/v1/appeals/tickets/mine").json()
    assert [t["number"] for t in listed["items"]] == [mine.number]
    anonymous = cast.client(None)
    assert anonymous.get("/appeals/mine/").status_code == 302
    assert anonymous.get("/appeals/new/").status_code == 302
    assert cast.client(None, api=True).get("/api/v1/appeals/tickets/mine").status_code == 401


def test_it_gates_attachments(cast: Cast) -> None:
    ticket = at_district_a(cast, files=[png()])
    key = ticket.attachments.get().uuid
    expect = {"gig_worker_a": OK, "worker_a": 404}
    scope_matrix(cast, lambda c, _: c.get(f"/appeals/files/{key}/"), api=False, overrides=expect)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/appeals/attachments/{key}"), overrides=expect)
    response = cast.client("gig_worker_a").get(f"/appeals/files/{key}/")
    assert response["Content-Type"] == "image/png" and b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_it_gates_taking_a_ticket_off_the_board(cast: Cast) -> None:
    for api in (True, False):
        scope_matrix(cast, _post("unpublish", {"reason": "内容含有他人电话"}, api=api),
                     target=lambda: closed(cast, at_district_a(cast, public=True)), write=True, api=api)
    ticket = closed(cast, at_district_a(cast, public=True))
    assert cast.client(None).get(f"/appeals/board/{ticket.uuid}/").status_code == 200
    cast.client("district_a_officer").post(f"/console/appeals/{ticket.uuid}/unpublish/", {"reason": "含有个人信息"})
    assert cast.client(None).get(f"/appeals/board/{ticket.uuid}/").status_code == 404


def test_it_opens_the_board_to_everyone(cast: Cast) -> None:
    ticket = closed(cast, at_district_a(cast, public=True))
    hidden = closed(cast, at_district_a(cast))
    anonymous = cast.client(None)
    page = anonymous.get("/appeals/board/").content.decode()
    assert ticket.title in page and hidden.title not in page
    assert anonymous.get(f"/appeals/board/{ticket.uuid}/").status_code == 200
    assert anonymous.get(f"/appeals/board/{hidden.uuid}/").status_code == 404
    body = cast.client(None, api=True).get("/api/v1/appeals/board").json()
    assert [b["number"] for b in body["items"]] == [ticket.number] and body["items"][0]["asker"] == "李**"
    assert Ticket.objects.on_board().count() == 1
