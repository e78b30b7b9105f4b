"""Deadlines: tiers in working days on the holiday calendar (configurable), warnings before the due
date, and the periodic job that flags overdue tickets and escalates them — idempotent, audited as
the system, reachable from Celery beat and a management command."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import Action, Status, Ticket, TicketEvent, Tier
from gonghui.appeals.services import handling
from gonghui.appeals.services.common import SYSTEM_LABEL, deadline_days, due_date
from gonghui.appeals.services.deadlines import deadline_sweep, recompute_deadlines, remaining_workdays
from gonghui.appeals.tasks import BEAT_SCHEDULE, deadline_sweep_task
from gonghui.core.models import AuditLog, Notification
from gonghui.lib.workdays import add_workdays
from gonghui.testing import Cast

from .helpers import accepted, at_district_a, reload, submit

pytestmark = pytest.mark.django_db


def test_it_counts_working_days_over_holidays_and_make_up_days() -> None:
    # 2026-09-30 (Wed) + 5 working days: 10-01…10-07 are 国庆 holidays, Saturday 10-10 is a make-up working day.
    assert due_date(date(2026, 9, 30), Tier.NORMAL) == date(2026, 10, 13)
    assert due_date(date(2026, 2, 13), Tier.NORMAL) == date(2026, 2, 27)  # 春节: 02-14 (Sat) is a working day
    assert deadline_days() == {"normal": 5, "hard": 15, "complex": 30}


def test_it_reads_the_limits_and_the_calendar_from_the_settings(settings) -> None:
    settings.APPEALS_DEADLINE_DAYS = {"normal": 3, "complex": 20}
    assert deadline_days() == {"normal": 3, "hard": 15, "complex": 20}
    assert due_date(date(2027, 3, 1), Tier.NORMAL) == date(2027, 3, 4)
    settings.WORKDAY_CALENDAR = {2027: {"holidays": ["2027-03-02/2027-03-03"], "workdays": []}}
    assert due_date(date(2027, 3, 1), Tier.NORMAL) == date(2027, 3, 8)


def test_it_sets_and_resets_the_due_date_by_tier(cast: Cast) -> None:
    ticket = at_district_a(cast)
    today = timezone.localdate()
    assert ticket.due_on == add_workdays(today, 5)
    officer = cast.district_a_officer
    handling.ticket_accept(actor=officer, ticket=access_ticket(officer, ticket.uuid, write=True), tier=Tier.COMPLEX)
    assert reload(ticket).due_on == add_workdays(today, 30)
    handling.ticket_classify(actor=officer, ticket=access_ticket(officer, ticket.uuid, write=True), tier=Tier.HARD)
    assert reload(ticket).due_on == add_workdays(today, 15)
    assert remaining_workdays(reload(ticket).due_on) == 15


def _due(ticket: Ticket, *, workdays: int) -> Ticket:
    """Pretend the ticket was received so long ago that it is due ``workdays`` working days from
    today (negative: that many working days ago), whatever day of the week the tests run."""
    due = add_workdays(timezone.localdate(), workdays)
    received = add_workdays(due, -deadline_days()[ticket.tier])
    Ticket.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at - timedelta(
        days=(timezone.localdate() - received).days), due_on=due)
    assert due_date(received, ticket.tier) == due
    return reload(ticket)


def test_it_warns_before_the_due_date_once(cast: Cast) -> None:
    ticket = _due(accepted(cast, at_district_a(cast)), workdays=1)
    result = deadline_sweep()
    assert result.warned == 1 and result.overdue == 0
    ticket = reload(ticket)
    assert ticket.warned_on == timezone.localdate() and not ticket.overdue
    note = Notification.objects.get(recipient=cast.district_a_officer, title__startswith="【临期】")
    assert ticket.number in note.title
    assert deadline_sweep().warned == 0  # idempotent
    assert TicketEvent.objects.filter(ticket=ticket, action=Action.WARN).count() == 1


def test_it_flags_overdue_tickets_and_escalates_them_automatically(cast: Cast) -> None:
    late = _due(accepted(cast, at_district_a(cast)), workdays=-2)
    on_time = accepted(cast, at_district_a(cast))
    done = _due(at_district_a(cast), workdays=-3)
    handling.ticket_close(actor=cast.district_a_officer,
                          ticket=access_ticket(cast.district_a_officer, done.uuid, write=True), reply="已答复办结")
    result = deadline_sweep()
    assert (result.overdue, result.escalated) == (1, 1)
    late = reload(late)
    assert late.overdue and late.union == cast.city and late.status == Status.PENDING and late.handler is None
    assert not reload(on_time).overdue and not reload(done).overdue and reload(done).on_time is False
    hop = TicketEvent.objects.get(ticket=late, action=Action.AUTO_ESCALATE)
    assert hop.actor is None and (hop.from_union, hop.to_union) == (cast.district_a, cast.city)
    audit = AuditLog.objects.get(action="ticket.auto_escalate", object_key=str(late.uuid))
    assert audit.user is None and audit.user_label == SYSTEM_LABEL and audit.union_name == "甲区总工会"
    assert Notification.objects.filter(recipient=cast.city_officer, title__startswith="【超期上报】").exists()
    assert Notification.objects.filter(recipient=cast.district_a_officer, title__contains="已自动上报").exists()
    # a second run changes nothing
    again = deadline_sweep()
    assert (again.overdue, again.escalated) == (0, 0)
    assert reload(late).union == cast.city
    # the queue flags it for the city
    page = cast.client("city_officer").get("/console/appeals/?overdue=1").content.decode()
    assert late.number in page and "超期" in page


def test_it_flags_without_escalating_at_the_top(cast: Cast) -> None:
    ticket = _due(submit(cast, "worker_b"), workdays=-1)
    Ticket.objects.filter(pk=ticket.pk).update(union=cast.province)
    result = deadline_sweep()
    assert (result.overdue, result.escalated) == (1, 0)
    assert reload(ticket).union == cast.province and reload(ticket).overdue


def test_it_clears_the_flag_when_the_tier_gives_more_time(cast: Cast) -> None:
    ticket = _due(accepted(cast, submit(cast, "worker_b"), "district_b_officer"), workdays=-1)
    Ticket.objects.filter(pk=ticket.pk).update(union=cast.province)
    deadline_sweep()
    assert reload(ticket).overdue
    handling.ticket_classify(actor=cast.province_admin,
                             ticket=access_ticket(cast.province_admin, ticket.uuid, write=True), tier=Tier.HARD)
    assert not reload(ticket).overdue


def test_it_runs_from_the_command_and_the_task(cast: Cast) -> None:
    _due(accepted(cast, at_district_a(cast)), workdays=-1)
    out = StringIO()
    call_command("appeals_deadlines", stdout=out)
    assert "新超期 1 件，其中自动上报 1 件" in out.getvalue()
    assert "新超期 0 件" in deadline_sweep_task()
    future = StringIO()
    call_command("appeals_deadlines", date=(timezone.localdate() + timedelta(days=60)).isoformat(), stdout=future)
    assert "新超期 0 件" in future.getvalue()  # already flagged; the escalated one stays where it is
    assert BEAT_SCHEDULE["appeals-deadline-sweep"]["task"] == "gonghui.appeals.tasks.deadline_sweep_task"


# --- A year's arrangement loaded later -----------------------------------------------------------------------

# A made-up 2027 arrangement for the tests (none is published yet): 元旦 01-01 … 01-03 and a bridge
# Monday 01-04, paid for by Saturday 01-09.
ARRANGEMENT_2027 = {"2027": {"holidays": ["2027-01-01/2027-01-04"], "workdays": ["2027-01-09"]}}


def test_a_ticket_filed_on_christmas_2026_is_due_after_the_new_year_holiday() -> None:
    # Friday 2026-12-25 + 5 working days: 12-28 … 12-31, then 元旦 (Friday 2027-01-01) is skipped
    # although no 2027 arrangement is shipped; the statutory holiday applies.
    assert due_date(date(2026, 12, 25), Tier.NORMAL) == date(2027, 1, 4)


def _filed(ticket: Ticket, on: date, due: date) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.make_aware(datetime.combine(on, time(10))), due_on=due)
    return reload(ticket)


def test_loading_an_arrangement_re_dates_the_open_tickets_in_it(cast: Cast, settings) -> None:
    christmas = _filed(accepted(cast, at_district_a(cast)), date(2026, 12, 25), date(2027, 1, 4))
    march = _filed(at_district_a(cast), date(2026, 3, 2), date(2026, 3, 9))  # nothing of 2027 in it
    done = _filed(at_district_a(cast), date(2026, 12, 25), date(2027, 1, 4))
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED)
    settings.WORKDAY_CALENDAR = ARRANGEMENT_2027
    assert due_date(date(2026, 12, 25), Tier.NORMAL) == date(2027, 1, 5)

    changed = recompute_deadlines([2027], today=date(2026, 12, 28))
    assert [t.pk for t in changed] == [christmas.pk]
    christmas = reload(christmas)
    assert christmas.due_on == date(2027, 1, 5) and christmas.warned_on is None and not christmas.overdue
    row = TicketEvent.objects.get(ticket=christmas, action=Action.RESCHEDULE)
    assert row.actor is None and row.shown_to_worker and "由2027-01-04调整为2027-01-05" in row.note
    audit = AuditLog.objects.get(action="ticket.reschedule", object_key=str(christmas.uuid))
    assert audit.user is None and audit.detail["to"] == "2027-01-05"
    assert reload(march).due_on == date(2026, 3, 9) and reload(done).due_on == date(2027, 1, 4)
    assert recompute_deadlines([2027], today=date(2026, 12, 28)) == []  # idempotent
    assert TicketEvent.objects.filter(action=Action.RESCHEDULE).count() == 1


def test_a_ticket_re_dated_into_the_future_is_no_longer_overdue(cast: Cast, settings) -> None:
    ticket = _filed(accepted(cast, at_district_a(cast)), date(2026, 12, 25), date(2027, 1, 4))
    Ticket.objects.filter(pk=ticket.pk).update(overdue=True, warned_on=date(2027, 1, 1))
    settings.WORKDAY_CALENDAR = ARRANGEMENT_2027
    [changed] = recompute_deadlines([2027], today=date(2027, 1, 5))
    ticket = reload(ticket)
    assert ticket.due_on == date(2027, 1, 5) and not ticket.overdue and ticket.warned_on is None


def test_a_reopened_ticket_counts_from_the_day_it_was_reopened(cast: Cast, settings) -> None:
    ticket = _filed(accepted(cast, at_district_a(cast)), date(2026, 11, 2), date(2027, 1, 4))
    Ticket.objects.filter(pk=ticket.pk).update(reopen_count=1)
    TicketEvent.objects.create(ticket=ticket, action=Action.REOPEN,
                               created_at=timezone.make_aware(datetime.combine(date(2026, 12, 25), time(9))))
    settings.WORKDAY_CALENDAR = ARRANGEMENT_2027
    [changed] = recompute_deadlines([2027], today=date(2026, 12, 28))
    assert reload(ticket).due_on == date(2027, 1, 5)


def test_the_command_re_dates_only_a_configured_year(cast: Cast, settings) -> None:
    ticket = _filed(accepted(cast, at_district_a(cast)), date(2026, 12, 25), date(2027, 1, 4))
    with pytest.raises(CommandError, match="2027年尚未配置节假日安排"):
        call_command("appeals_recompute_deadlines", "--year", "2027", stdout=StringIO())
    settings.WORKDAY_CALENDAR = ARRANGEMENT_2027
    out = StringIO()
    call_command("appeals_recompute_deadlines", "--year", "2027", stdout=out)
    assert f"{ticket.number}：办理期限调整为 2027-01-05" in out.getvalue() and "共调整 1 件" in out.getvalue()
