"""Every figure the cockpit shows equals the same figure counted from the live tables — for every
union of a synthetic province (gonghui seed), after the first refresh and again after changes that
reach back in time (a transfer, a ticket passed on, a reopened ticket) and an incremental refresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.accounts.models import StaffAssignment
from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import Ticket, TicketEvent
from gonghui.appeals.services import handling, intake
from gonghui.cockpit import services
from gonghui.cockpit.models import RefreshKind
from gonghui.cockpit.schemas import payload
from gonghui.cockpit.selectors import overview
from gonghui.core.scope import Role
from gonghui.market.models import Order
from gonghui.members.models import Member
from gonghui.members.services import transfer as transfers
from gonghui.members.services.registry import member_create
from gonghui.seed import seed
from gonghui.testing import id_number, make_user
from gonghui.unions.models import Employer, Union

from .live import live_figures, shown_figures

pytestmark = pytest.mark.django_db

SIZES = {"unions": 40, "employers": 60, "members": 800, "orders": 500, "tickets": 500, "coupons": 400, "signups": 400}


@pytest.fixture
def world() -> Any:
    summary = seed(**SIZES, seed=11)
    admin = make_user("统计管理员")
    StaffAssignment.objects.create(user=admin, union=summary.root, role=Role.ADMIN)
    admin.refresh_from_db()
    return summary, admin


def assert_all_unions_match(admin: Any) -> int:
    today = timezone.localdate()
    mismatches = []
    unions = list(Union.objects.order_by("path"))
    for union in unions:
        data = payload(overview(union, user=admin, today=today))
        if shown_figures(data) != live_figures(union, today):
            mismatches.append(union.name)
        for row in data["ranking"]:
            child = Union.objects.get(uuid=row["union"]["uuid"])
            live = live_figures(child, today)
            assert (row["members"], row["people_served"], row["appeals_received"], row["on_time_rate"],
                    row["satisfaction_rate"], row["unionization_rate"]) == (
                live["members"]["total"], live["services"]["people_served"], live["appeals"]["received"],
                live["appeals"]["on_time_rate"], live["appeals"]["satisfaction_rate"],
                live["organisations"]["unionization_rate"]), child.name
    assert not mismatches, f"figures differ from the live tables for: {mismatches}"
    return len(unions)


def test_every_figure_equals_the_live_tables(world):
    summary, admin = world
    assert services.stats_refresh().kind == RefreshKind.FULL
    assert assert_all_unions_match(admin) >= 40

    # The monthly trend of the root against the live tables, month by month.
    data = payload(overview(summary.root, user=admin))
    orders = dict(Order.objects.annotate(m=TruncMonth("placed_at")).values_list("m").annotate(n=Count("pk")))
    tickets = dict(Ticket.objects.annotate(m=TruncMonth("created_at")).values_list("m").annotate(n=Count("pk")))
    joins = dict(Member.objects.annotate(m=TruncMonth("join_date")).values_list("m").annotate(n=Count("pk")))
    for row in data["trend"]:
        month = timezone.make_aware(timezone.datetime.strptime(row["month"], "%Y-%m"))
        assert row["market_orders"] == orders.get(month, 0), row["month"]
        assert row["appeals_received"] == tickets.get(month, 0), row["month"]
        assert row["new_members"] == joins.get(month.date(), 0), row["month"]
    assert sum(r["market_orders"] for r in data["trend"]) > 0 and sum(r["new_members"] for r in data["trend"]) > 0


def test_changes_reaching_back_in_time_are_picked_up_incrementally(world):
    _, admin = world
    services.stats_refresh()
    today = timezone.localdate()
    # A member who joined long ago transfers to another grassroots union (a different branch).
    old = Member.objects.filter(status="active", join_date__lt=today - timedelta(days=120)).order_by("pk").first()
    target = Union.objects.filter(kind="grassroots").exclude(pk=old.union_id).order_by("pk").first()
    started = transfers.transfer_start(actor=admin, member=old, to_union=target)
    transfers.transfer_accept(actor=admin, transfer=started)

    # An open ticket received months ago is passed on (转办) to that union.
    ticket = (Ticket.objects.filter(status__in=("pending", "processing"),
                                    created_at__lt=timezone.now() - timedelta(days=60))
              .exclude(union=target).order_by("pk").first())
    assert ticket is not None
    StaffAssignment.objects.create(user=make_user("接件员"), union=target, role=Role.OFFICER)
    handling.ticket_transfer(actor=admin, ticket=access_ticket(admin, ticket.uuid, write=True), to_union=target,
                             reason="属地办理")

    # Today: a new member and an employer that has just set up its union.
    member_create(actor=None, union=target, name="新会员", id_number=id_number("630102", "19990101", "321"))
    employer = Employer.objects.filter(union_established=False).order_by("pk").first()
    Employer.objects.filter(pk=employer.pk).update(union_established=True)

    run = services.stats_refresh()
    assert run.kind == RefreshKind.SCHEDULED and run.days < 200
    assert run.first_day <= min(old.join_date, timezone.localtime(ticket.created_at).date())
    assert_all_unions_match(admin)


def test_a_reopened_ticket_leaves_its_first_closing_day(cast):
    u, worker, officer = cast.unions, cast.users["gig_worker_a"], cast.users["district_a_officer"]
    today = timezone.localdate()
    ticket = intake.ticket_submit(actor=worker, kind="consult", content="加班费怎么计算？单位一直没有支付。").ticket
    handling.ticket_close(actor=officer, ticket=access_ticket(officer, ticket.uuid, write=True),
                          reply="已协调单位补发。")
    handling.ticket_rate(actor=worker, ticket=Ticket.objects.get(pk=ticket.pk), rating="dissatisfied")
    shift = timedelta(days=100)
    t = Ticket.objects.get(pk=ticket.pk)
    # Received 130 days ago, closed and rated 100 days ago: only the timeline still knows the closing day.
    Ticket.objects.filter(pk=t.pk).update(created_at=t.created_at - shift - timedelta(days=30),
                                          closed_at=t.closed_at - shift,
                                          rated_at=t.rated_at - shift, updated_at=t.updated_at - shift)
    for event in TicketEvent.objects.filter(ticket=t):
        TicketEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - shift)
    services.stats_refresh()
    closed_on = timezone.localtime(t.closed_at - shift).date()
    data = lambda: payload(overview(u["district_a"], user=officer))  # noqa: E731
    assert data()["appeals"]["closed"] == 1 and data()["appeals"]["rated"] == 1

    handling.ticket_reopen(actor=worker, ticket=Ticket.objects.get(pk=ticket.pk), reason="问题没有解决")
    run = services.stats_refresh()
    assert run.kind == RefreshKind.SCHEDULED and run.first_day <= closed_on < today - timedelta(days=35)
    after = data()
    assert after["appeals"]["closed"] == 0 and after["appeals"]["rated"] == 0 and after["appeals"]["open"] == 1
    assert after["appeals"] == live_figures(u["district_a"], today)["appeals"]
