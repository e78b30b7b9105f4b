"""The unit queue: filters, deadline timers, counts; a fixed number of queries however many rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import Ticket
from gonghui.appeals.services import handling
from gonghui.lib.workdays import add_workdays
from gonghui.testing import Cast

from .helpers import accepted, at_district_a, reload

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_filters_the_queue(cast: Cast) -> None:
    late = accepted(cast, at_district_a(cast, kind="complaint", topic="wages"))
    Ticket.objects.filter(pk=late.pk).update(due_on=add_workdays(timezone.localdate(), -2))
    soon = at_district_a(cast, kind="consult")
    Ticket.objects.filter(pk=soon.pk).update(due_on=add_workdays(timezone.localdate(), 1))
    mine = accepted(cast, at_district_a(cast, kind="legal"))
    handling.ticket_supervise(actor=cast.city_officer, ticket=access_ticket(cast.city_officer, mine.uuid, write=True),
                              note="督办")
    done = at_district_a(cast)
    handling.ticket_close(actor=cast.district_a_officer,
                          ticket=access_ticket(cast.district_a_officer, done.uuid, write=True), reply="已答复办结")
    api = cast.client("district_a_officer", api=True)

    def numbers(query: str) -> list[str]:
        return [t["number"] for t in api.get(f"/api/v1/appeals/tickets?{query}").json()["items"]]

    assert set(numbers("")) == {late.number, soon.number, mine.number}
    assert numbers("")[0] == mine.number  # 督办 first, then by due date
    assert numbers("overdue=true") == [late.number]
    assert numbers("due_soon=true") == [soon.number]
    assert numbers("supervised=true") == [mine.number]
    assert set(numbers("mine=true")) == {late.number, mine.number}
    assert numbers("status=closed") == [done.number]
    assert numbers("kind=complaint&topic=wages") == [late.number]
    assert numbers(f"q={done.number}&status=all") == [done.number]
    assert numbers(f"union={cast.street_a.uuid}") == []
    items = api.get("/api/v1/appeals/tickets").json()["items"]
    remaining = {t["number"]: t["remaining_workdays"] for t in items}
    assert remaining[soon.number] == 1 and remaining[late.number] <= 0
    page = cast.client("district_a_officer").get("/console/appeals/").content.decode()
    assert "剩1个工作日" in page and "超期" in page and "督办" in page
    counts = cast.client("district_a_officer").get("/console/appeals/").context["counts"]
    wanted = {"open": 3, "pending": 1, "overdue": 1, "supervised": 1, "mine": 2}
    assert {key: counts[key] for key in wanted} == wanted


def test_it_fetches_a_page_in_a_fixed_number_of_queries(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    api = cast.client("district_a_officer", api=True)
    for _ in range(2):
        accepted(cast, at_district_a(cast))
    api.get("/api/v1/appeals/tickets")  # the token's first use of the minute also records the time
    few_html, few_api = _queries(client, "/console/appeals/"), _queries(api, "/api/v1/appeals/tickets")
    for _ in range(12):
        ticket = accepted(cast, at_district_a(cast, collective=True, headcount=3))
        Ticket.objects.filter(pk=ticket.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    assert _queries(client, "/console/appeals/") == few_html
    assert _queries(api, "/api/v1/appeals/tickets") == few_api
    # pinned: session, user, scope, counts, page, pickers, inbox; the API page no longer counts on its last page
    assert (few_html, few_api) == (13, 3)
    assert reload(ticket).handler is not None
