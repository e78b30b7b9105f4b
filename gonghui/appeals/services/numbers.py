"""Case numbers unique across the platform: ``12351-YYYYMMDD-NNNNNN``, one counter row per day.

The counter is incremented with an UPDATE (``last = last + 1``), which takes the row's lock until
the transaction commits: a second submitter on PostgreSQL waits and then increments the committed
value; on SQLite the IMMEDIATE transaction already serializes writers. The first number of a day
inserts the row; two first numbers at once meet on the primary key and the loser retries the
UPDATE. So numbers are unique and, within a day, consecutive.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from gonghui.core.errors import Conflict

from ..models import CaseCounter

PREFIX = "12351"


def format_number(day: date, n: int) -> str:
    return f"{PREFIX}-{day:%Y%m%d}-{n:06d}"


def next_case_number(day: date) -> str:
    """The next case number of ``day``.

    Preconditions: inside a transaction (the counter row stays locked until it commits, and a
    rolled-back ticket gives its number back).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_case_number must run inside transaction.atomic()")
    for _ in range(3):
        if CaseCounter.objects.filter(day=day).update(last=F("last") + 1):
            last = CaseCounter.objects.filter(day=day).values_list("last", flat=True).get()
            return format_number(day, last)
        try:
            with transaction.atomic():  # a savepoint: losing the insert race must not spoil the caller
                CaseCounter.objects.create(day=day, last=1)
        except IntegrityError:
            continue  # someone else made the day's row first: increment theirs
        return format_number(day, 1)
    raise Conflict("工单编号生成繁忙，请稍后重试")  # pragma: no cover - needs three lost races in a row
