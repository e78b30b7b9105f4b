"""Case numbers: ``12351-YYYYMMDD-NNNNNN``, unique across the platform and consecutive within a day,
from a per-day counter row incremented under its lock. The concurrency claims are proven on
PostgreSQL with real threads, beside a negative control (a read-then-write counter that does
produce duplicates under the same load)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import pytest
from django.db import close_old_connections, transaction

from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import CaseCounter, Rating, Status, Ticket
from gonghui.appeals.services import handling, intake
from gonghui.appeals.services.numbers import format_number, next_case_number
from gonghui.core.errors import Conflict
from gonghui.testing import Cast, build_cast, failures, race

from .helpers import closed, reload

DAY = date(2026, 11, 21)
THREADS = 16


@pytest.mark.django_db
def test_it_numbers_consecutively_per_day() -> None:
    with transaction.atomic():
        first = [next_case_number(DAY) for _ in range(3)]
        other = next_case_number(date(2026, 11, 22))
    assert first == ["12351-20261121-000001", "12351-20261121-000002", "12351-20261121-000003"]
    assert other == "12351-20261122-000001"
    try:
        with transaction.atomic():
            next_case_number(DAY)
            raise RuntimeError("the ticket failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert next_case_number(DAY) == "12351-20261121-000004"  # the rolled-back number is given back
    assert format_number(DAY, 1_234_567) == "12351-20261121-1234567"


@pytest.mark.django_db
def test_it_shows_the_number_on_the_ticket(cast: Cast) -> None:
    from django.utils import timezone

    ticket = intake.ticket_submit(actor=cast.worker_a, kind="consult", content="请问年休假怎么计算？").ticket
    assert ticket.number == format_number(timezone.localtime(ticket.created_at).date(), 1)
    second = intake.ticket_submit(actor=cast.worker_b, kind="consult", content="请问年休假怎么计算？").ticket
    assert second.number.endswith("-000002") and CaseCounter.objects.get().last == 2


# --- PostgreSQL: real threads and connections -----------------------------------------------------------------------


def _run(workers: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``workers`` threads released at once: the results, and the errors."""
    results = race([partial(work, i) for i in range(workers)])
    close_old_connections()
    errors = failures(results)
    return [r for r in results if not isinstance(r, BaseException)], errors


def _slow_number(_: int) -> str:
    with transaction.atomic():
        number = next_case_number(DAY)
        time.sleep(0.02)  # keep the row locked a while: the others must wait, not duplicate
        return number


def _naive_number(_: int) -> str:
    """The negative control: read the counter, then write it back plus one — no lock, no guard."""
    with transaction.atomic():
        last = CaseCounter.objects.filter(day=DAY).values_list("last", flat=True).first() or 0
        time.sleep(0.02)
        CaseCounter.objects.update_or_create(day=DAY, defaults={"last": last + 1})
        return format_number(DAY, last + 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_hands_out_unique_numbers_under_concurrency() -> None:
    numbers, errors = _run(THREADS, _slow_number)
    assert not errors
    assert sorted(numbers) == [format_number(DAY, n) for n in range(1, THREADS + 1)]
    assert CaseCounter.objects.get(day=DAY).last == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_negative_control_duplicates_numbers() -> None:
    CaseCounter.objects.create(day=DAY, last=0)
    numbers, errors = _run(THREADS, _naive_number)
    assert not errors and len(numbers) == THREADS
    assert len(set(numbers)) < THREADS  # lost updates: the read-then-write counter repeats numbers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_ticket_for_the_same_matter_submitted_at_once() -> None:
    cast = build_cast()
    worker = cast.worker_a
    text = "单位拖欠三个月工资，多次讨要无果，请工会帮忙。"
    results, errors = _run(8, lambda i: intake.ticket_submit(actor=worker, kind="complaint", content=text))
    assert not errors, errors
    assert Ticket.objects.filter(submitter=worker).count() == 1
    ticket = Ticket.objects.get(submitter=worker)
    assert sum(1 for r in results if r.linked) == 7 and ticket.repeat_count == 7
    # different matters at once: all created, numbers unique
    results, errors = _run(8, lambda i: intake.ticket_submit(actor=worker, kind="consult", content=f"第{i}个问题内容"))
    assert not errors
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == 9 and len(set(numbers)) == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_reopens_and_accepts_once_under_concurrency() -> None:
    cast = build_cast()
    ticket = closed(cast, reload(intake.ticket_submit(actor=cast.gig_worker_a, kind="consult",
                                                      content="请问加班费怎么算？").ticket))
    handling.ticket_rate(actor=cast.gig_worker_a, ticket=ticket, rating=Rating.DISSATISFIED)

    def reopen(_: int) -> str:
        try:
            handling.ticket_reopen(actor=cast.gig_worker_a, ticket=reload(ticket), reason="没有解决")
        except Conflict:
            return "conflict"
        return "reopened"

    results, errors = _run(6, reopen)
    assert not errors and sorted(results) == ["conflict"] * 5 + ["reopened"]
    assert reload(ticket).reopen_count == 1 and reload(ticket).status == Status.PROCESSING

    fresh = reload(intake.ticket_submit(actor=cast.gig_worker_a, kind="help", content="申请困难帮扶").ticket)
    officers = [cast.district_a_officer, cast.district_a_admin, cast.city_officer, cast.province_admin]

    def accept(i: int) -> str:
        actor = officers[i]
        try:
            handling.ticket_accept(actor=actor, ticket=access_ticket(actor, fresh.uuid, write=True))
        except Conflict:
            return "conflict"
        return "accepted"

    results, errors = _run(len(officers), accept)
    assert not errors and sorted(results) == ["accepted"] + ["conflict"] * 3
    assert reload(fresh).events.filter(action="accept").count() == 1
