"""The appeals part of the demo: tickets in every state across the tree, consistent timelines and
numbers, routing that follows the rules, and the named workers' own tickets through the services."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.appeals import demo
from gonghui.appeals.models import (
    HOP_ACTIONS,
    Action,
    Attachment,
    CaseCounter,
    Kind,
    Mediation,
    MediationStatus,
    Rating,
    Status,
    Ticket,
    TicketEvent,
)
from gonghui.appeals.services.deadlines import deadline_sweep
from gonghui.core.scope import WRITE_ROLES
from gonghui.seed.demo import build_appeals
from gonghui.testing import small_demo
from gonghui.unions.models import UnionLevel

TICKETS = 400


@pytest.fixture(scope="module")
def demo_lines(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    """One small demo (unions, accounts, members) plus this module's tickets, rolled back afterwards."""
    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="appeals-demo-")), small_demo(django_db_blocker):
        yield build_appeals(random.Random(7), count=TICKETS)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_lines")]


def test_it_summarizes_in_chinese(demo_lines: list[str]) -> None:
    text = "\n".join(demo_lines)
    assert f"12351诉求工单 {TICKETS + 6} 件" in text
    assert "按时办结率" in text and "满意率" in text and "劳动争议调解" in text


def test_it_covers_every_state_and_kind() -> None:
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Ticket.objects.filter(overdue=True, status=Status.PENDING).exists()
    assert Ticket.objects.filter(priority__gte=1, status=Status.PROCESSING).exists()
    assert Ticket.objects.filter(reopen_count=1, status=Status.CLOSED).exists()
    assert set(Ticket.objects.exclude(rating="").values_list("rating", flat=True)) == set(Rating.values)
    assert Ticket.objects.filter(collective=True, claimants__isnull=False).exists()
    assert {MediationStatus.OPEN, MediationStatus.SUCCEEDED, MediationStatus.FAILED} <= set(
        Mediation.objects.values_list("status", flat=True))
    assert Ticket.objects.on_board().count() >= 10
    assert Attachment.objects.filter(ticket__kind=Kind.HAZARD).exists()


def test_it_spreads_tickets_over_the_tree() -> None:
    levels = set(Ticket.objects.values_list("union__level", flat=True))
    assert {UnionLevel.DISTRICT, UnionLevel.STREET} <= levels
    assert Ticket.objects.values("union").distinct().count() >= 15
    hops = set(TicketEvent.objects.filter(action__in=HOP_ACTIONS).values_list("action", flat=True))
    assert {Action.ASSIGN, Action.AUTO_ESCALATE} <= hops


def test_it_lands_tickets_only_where_staff_can_handle_them() -> None:
    from gonghui.accounts.models import StaffAssignment

    staffed = set(StaffAssignment.objects.filter(role__in=list(WRITE_ROLES)).values_list("union_id", flat=True))
    owners = set(Ticket.objects.values_list("union_id", flat=True))
    assert owners <= staffed


def test_it_keeps_numbers_unique_and_counters_consistent() -> None:
    numbers = list(Ticket.objects.values_list("number", "created_at"))
    assert len({n for n, _ in numbers}) == len(numbers)
    for number, created in numbers:
        assert number[6:14] == timezone.localtime(created).strftime("%Y%m%d")
    for counter in CaseCounter.objects.all():
        day_numbers = sorted(int(n[-6:]) for n, c in numbers if n[6:14] == counter.day.strftime("%Y%m%d"))
        assert day_numbers == list(range(1, counter.last + 1))


def test_it_keeps_timelines_in_order_and_states_consistent() -> None:
    for ticket in Ticket.objects.prefetch_related("events"):
        events = list(ticket.events.all())
        assert events[0].action in (Action.SUBMIT, Action.CALL)
        assert all(e.created_at >= ticket.created_at for e in events)
        if ticket.status == Status.CLOSED:
            assert ticket.reply and ticket.closed_at and ticket.on_time is not None
            assert ticket.closed_at <= timezone.now()
        else:
            assert ticket.closed_at is None and not ticket.rating
        if ticket.status == Status.PROCESSING:
            assert ticket.handler_id is not None


def test_it_leaves_the_deadline_job_only_todays_run_and_nothing_twice() -> None:
    # The generated history ran the daily job (01:00) up to yesterday's run; the data's "now" is
    # midnight, so today's run is still to come: it may flag the tickets that fell due yesterday
    # (a working day) and nothing else, and a ticket flagged in the history is not flagged again.
    today = timezone.localdate()
    before = set(Ticket.objects.filter(overdue=True).values_list("pk", flat=True))
    result = deadline_sweep(today=today)
    flagged = set(Ticket.objects.filter(overdue=True).values_list("pk", flat=True)) - before
    assert result.overdue == len(flagged)
    assert set(Ticket.objects.filter(pk__in=flagged).values_list("due_on", flat=True)) <= {today - timedelta(days=1)}
    twice = (TicketEvent.objects.filter(action__in=[Action.OVERDUE, Action.AUTO_ESCALATE]).values("ticket", "action")
             .annotate(n=Count("id")).filter(n__gt=1))
    assert not twice.exists()
    again = deadline_sweep(today=today)
    assert (again.overdue, again.escalated) == (0, 0)


def test_it_gives_the_named_worker_tickets_to_act_on() -> None:
    worker = User.objects.by_phone(demo.WORKER_PHONE).get()
    mine = Ticket.objects.of_worker(worker)
    assert mine.count() >= 4
    assert mine.filter(status=Status.CLOSED, rating="").exists()  # to rate (and, if not satisfied, reopen)
    assert mine.filter(kind=Kind.HAZARD, attachments__isnull=False).exists()
    client = Client()
    client.force_login(worker, backend="gonghui.accounts.auth.PhoneBackend")
    page = client.get("/appeals/mine/")
    assert page.status_code == 200 and "12351-" in page.content.decode()
    rider = User.objects.by_phone(demo.RIDER_PHONE).get()
    assert Mediation.objects.filter(ticket__submitter=rider, status=MediationStatus.OPEN).exists()


def test_it_stores_no_plaintext_phone() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM appeals_ticket WHERE phone IS NOT NULL LIMIT 50")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not any(value.isdigit() for value in stored)
