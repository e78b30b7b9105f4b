"""Statistics over the viewer's scope: received, closed, on-time and satisfaction rates by kind,
union (rolled up to the children of the viewer's union), month and topic; the Excel export."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import Rating, Ticket
from gonghui.appeals.services import handling
from gonghui.core.models import AuditLog
from gonghui.testing import Cast

from .helpers import at_district_a, closed, png, reload, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def figures(cast: Cast) -> dict[str, Ticket]:
    """District A: 3 tickets (2 closed, 1 late; ratings 满意, 不满意); grassroots A: 2 (1 closed, 基本满意);
    district B: 1 open."""
    a1 = closed(cast, at_district_a(cast, kind="complaint", topic="wages"))
    handling.ticket_rate(actor=cast.gig_worker_a, ticket=a1, rating=Rating.SATISFIED)
    a2 = at_district_a(cast, kind="complaint", topic="wages")
    Ticket.objects.filter(pk=a2.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    a2 = closed(cast, reload(a2))
    handling.ticket_rate(actor=cast.gig_worker_a, ticket=a2, rating=Rating.DISSATISFIED)
    a3 = at_district_a(cast, kind="consult", topic="insurance")
    g1 = closed(cast, submit(cast, "worker_a", kind="consult", topic="insurance"), "grassroots_a_officer")
    handling.ticket_rate(actor=cast.worker_a, ticket=g1, rating=Rating.BASIC)
    g2 = submit(cast, "worker_a", kind="hazard", location="车间", files=[png()])
    b1 = submit(cast, "worker_b", kind="legal", topic="injury")
    return {"a1": a1, "a2": a2, "a3": a3, "g1": g1, "g2": g2, "b1": b1}


def test_it_counts_the_callers_scope_by_kind_union_month_and_topic(cast: Cast, figures: dict[str, Ticket]) -> None:
    body = cast.client("city_officer", api=True).get("/api/v1/appeals/stats").json()
    assert body["union"]["name"] == "测试市总工会"
    total = body["total"]
    assert (total["received"], total["closed"], total["on_time"], total["rated"], total["satisfied"]) == (6, 3, 2, 3, 2)
    assert total["on_time_rate"] == 66.7 and total["satisfaction_rate"] == 66.7
    kinds = {row["key"]: (row["received"], row["closed"]) for row in body["by_kind"]}
    assert kinds["complaint"] == (2, 2) and kinds["consult"] == (2, 1) and kinds["legal"] == (1, 0)
    assert kinds["dispute"] == (0, 0)  # every kind is listed
    unions = {row["label"]: row["received"] for row in body["by_union"]}
    assert unions == {"甲区总工会": 5, "乙区总工会": 1}
    month = timezone.localtime().strftime("%Y-%m")
    assert [(row["key"], row["received"]) for row in body["by_month"]] == [(month, 6)]
    topics = [(row["label"], row["received"]) for row in body["by_topic"]]
    assert topics[:2] in ([("工资报酬", 2), ("社会保险", 2)], [("社会保险", 2), ("工资报酬", 2)])

    district = cast.client("district_a_officer", api=True).get("/api/v1/appeals/stats").json()
    assert district["total"]["received"] == 5
    assert {row["label"]: row["received"] for row in district["by_union"]} == {"甲区总工会（本级）": 3,
                                                                              "甲区东街道总工会": 2}
    drill = cast.client("city_officer", api=True).get(f"/api/v1/appeals/stats?union={cast.district_b.uuid}").json()
    assert drill["total"]["received"] == 1 and drill["union"]["name"] == "乙区总工会"
    kind = cast.client("city_officer", api=True).get("/api/v1/appeals/stats?kind=complaint").json()
    assert kind["total"]["received"] == 2
    past = cast.client("city_officer", api=True).get("/api/v1/appeals/stats?since=2020-01-01&until=2020-12-31").json()
    assert past["total"]["received"] == 0 and past["total"]["on_time_rate"] is None


def test_it_shows_the_page_and_exports_excel(cast: Cast, figures: dict[str, Ticket]) -> None:
    client = cast.client("city_officer")
    page = client.get("/console/appeals/stats/").content.decode()
    assert "按时办结率" in page and "66.7%" in page and "甲区总工会" in page and "导出 Excel" in page
    response = client.get("/console/appeals/stats/export.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["总体", "按类型", "按单位", "按月份", "热点问题"]
    total = [c.value for c in book["总体"][2]]
    assert total[0] == "测试市总工会" and total[2:5] == [6, 3, 2]
    assert [row[0].value for row in book["按单位"].iter_rows(min_row=2)] == ["甲区总工会", "乙区总工会"]
    assert AuditLog.objects.filter(action="ticket.stats_export", user=cast.city_officer).exists()


def test_it_counts_a_reopened_ticket_once_by_its_final_rating(cast: Cast) -> None:
    ticket = closed(cast, at_district_a(cast))
    handling.ticket_rate(actor=cast.gig_worker_a, ticket=ticket, rating=Rating.DISSATISFIED)
    handling.ticket_reopen(actor=cast.gig_worker_a, ticket=reload(ticket), reason="没有解决")
    officer = cast.district_a_officer
    handling.ticket_close(actor=officer, ticket=access_ticket(officer, ticket.uuid, write=True), reply="再次答复办结")
    handling.ticket_rate(actor=cast.gig_worker_a, ticket=reload(ticket), rating=Rating.SATISFIED)
    total = cast.client("district_a_officer", api=True).get("/api/v1/appeals/stats").json()["total"]
    assert (total["received"], total["closed"], total["rated"], total["satisfied"]) == (1, 1, 1, 1)
