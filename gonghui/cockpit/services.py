"""The refresh: the one writer of the cockpit's statistics.

Each registered ``StatSource`` (core.modules) counts its own tables per union; the refresh rolls
every union's own counts up to all of its ancestors (the union path is the chain) and stores the
subtree figures. A refresh recounts

* the current figures (members, organisations, open tickets) — all of them, every time, and only
  the rows whose value changed are written;
* the counts of the last ``WINDOW_DAYS`` days, the days the sources report as touched since the
  previous refresh (a transferred member's join day, a reopened ticket's closing day …) and any
  days asked for, then the months those days fall in;
* everything (a full rebuild) the first time, on request, and whenever a union was moved in the
  tree (every earlier day of its subtree rolls up differently); a new union needs no rebuild.

The whole refresh is one transaction behind a row lock, so readers see the old statistics or the
new ones, never half of each, and two refreshes (the beat job and an admin's click) never interleave.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.modules import stat_sources
from gonghui.unions.models import Union

from .models import Figure, Flow, Period, RefreshKind, RefreshLock, RefreshRun, RefreshStatus, RolledPath

if TYPE_CHECKING:
    from gonghui.accounts.models import User

logger = logging.getLogger("gonghui.cockpit")

WINDOW_DAYS = 35  # every refresh recounts this month and the last one
TOUCHED_MARGIN = timedelta(minutes=10)  # changes committed while the previous refresh was running
BATCH = 5000


def history_days() -> int:
    """How far back the daily counts go (the cumulative 累计 figures cover this span)."""
    return int(getattr(settings, "COCKPIT_HISTORY_DAYS", 3660))


@dataclass(frozen=True)
class Tree:
    paths: dict[int, str]  # union id → materialized path

    @cached_property
    def chains(self) -> dict[int, tuple[int, ...]]:
        """union id → ids of the union and all its ancestors."""
        return {pk: tuple(int(part) for part in path.split("/")[:-1]) for pk, path in self.paths.items()}


def load_tree() -> Tree:
    return Tree(paths=dict(Union.objects.order_by("pk").values_list("pk", "path")))


def _moved(tree: Tree, stored: dict[int, str]) -> bool:
    """Whether a union's path differs from the one the stored statistics were rolled up with."""
    return any(stored.get(pk, path) != path for pk, path in tree.paths.items())


def _remember_paths(tree: Tree, stored: dict[int, str]) -> None:
    RolledPath.objects.bulk_create([RolledPath(union_id=pk, path=path) for pk, path in tree.paths.items()
                                    if pk not in stored], batch_size=BATCH)
    RolledPath.objects.bulk_update([RolledPath(union_id=pk, path=path) for pk, path in tree.paths.items()
                                    if stored.get(pk, path) != path], ["path"], batch_size=1000)


def rollup(rows: Iterable[tuple[Any, ...]], tree: Tree) -> dict[tuple[Any, ...], int]:
    """Add each (union id, *key, value) row to the union and every ancestor: subtree totals by key."""
    totals: dict[tuple[Any, ...], int] = defaultdict(int)
    for union_id, *key, value in rows:
        for owner in tree.chains.get(union_id, ()):
            totals[(owner, *key)] += value
    return totals


def _insert(model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    """INSERT plain tuples in batches (executemany): no model object per row, which cost the
    scheduled refresh a third of its time (76,000 of them). Values must be database-ready."""
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    written = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _delete(queryset: QuerySet) -> int:
    # A plain DELETE … WHERE: nothing refers to these rows and no signal needs them.
    return queryset._raw_delete(queryset.db)


# --- Days -------------------------------------------------------------------------------------------------------


def _months(days: Iterable[date]) -> dict[date, list[date]]:
    months: dict[date, list[date]] = defaultdict(list)
    for day in sorted(set(days)):
        months[day.replace(day=1)].append(day)
    return months


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def days_to_recount(*, today: date, since: Any | None, extra: Iterable[date] = (), window: bool = True) -> set[date]:
    first = today - timedelta(days=history_days())
    wanted = {today - timedelta(days=n) for n in range(WINDOW_DAYS if window else 0)} | set(extra)
    if since is not None:
        for source in stat_sources():
            if source.touched is not None:
                wanted |= set(source.touched(since - TOUCHED_MARGIN))
    return {day for day in wanted if first <= day <= today}


def _daily_rows(days: list[date]) -> Iterator[tuple[Any, ...]]:
    wanted = set(days)
    for source in stat_sources():
        if source.daily is None:
            continue
        for union_id, day, metric, dim, value in source.daily(days[0], days[-1]):
            if day in wanted:
                yield union_id, day, metric, dim, value


def _recount_month(month: date, days: list[date], tree: Tree) -> int:
    """Replace the day rows of ``days`` (all in ``month``) and then the month's own rows."""
    rolled = rollup(_daily_rows(days), tree)
    if len(days) == _month_end(month).day:
        _delete(Flow.objects.filter(period=Period.DAY, start__gte=month, start__lte=days[-1]))
    else:
        _delete(Flow.objects.filter(period=Period.DAY, start__in=days))
    _insert(Flow, ("union_id", "period", "start", "metric", "dim", "value"),
            ((union_id, Period.DAY.value, connection.ops.adapt_datefield_value(day), metric, dim, value)
             for (union_id, day, metric, dim), value in rolled.items() if value))
    _delete(Flow.objects.filter(period=Period.MONTH, start=month))
    # The month's rows from its day rows in the database: INSERT … SELECT … GROUP BY.
    totals = (Flow.objects.filter(period=Period.DAY, start__gte=month, start__lte=_month_end(month)).order_by()
              .values_list("union_id", "metric", "dim").annotate(total=Sum("value")))
    select, params = totals.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Flow._meta.db_table)} ({quote('union_id')}, {quote('metric')}, {quote('dim')}, "  # noqa: S608
            f"{quote('value')}, {quote('period')}, {quote('start')}) "
            f"SELECT grouped.*, %s, %s FROM ({select}) AS grouped",
            [Period.MONTH.value, connection.ops.adapt_datefield_value(month), *params])
        months = cursor.rowcount
    return len(rolled) + months


def _recount_figures(tree: Tree) -> int:
    """Current figures: recount all, write only what changed."""
    rows = (row for source in stat_sources() if source.snapshot is not None for row in source.snapshot())
    fresh = {key: value for key, value in rollup(rows, tree).items() if value}
    stored = {(u, m, d): (pk, v) for pk, u, m, d, v in
              Figure.objects.values_list("pk", "union_id", "metric", "dim", "value").iterator(chunk_size=BATCH)}
    gone = [pk for key, (pk, _) in stored.items() if key not in fresh]
    changed = [(value, stored[key][0]) for key, value in fresh.items() if key in stored and stored[key][1] != value]
    new = [(u, m, d, value) for (u, m, d), value in fresh.items() if (u, m, d) not in stored]
    for start in range(0, len(gone), BATCH):
        _delete(Figure.objects.filter(pk__in=gone[start:start + BATCH]))
    with connection.cursor() as cursor:
        for start in range(0, len(changed), BATCH):
            cursor.executemany(f"UPDATE {connection.ops.quote_name(Figure._meta.db_table)} SET value = %s "  # noqa: S608
                               "WHERE id = %s", changed[start:start + BATCH])
    _insert(Figure, ("union_id", "metric", "dim", "value"), new)
    return len(gone) + len(changed) + len(new)


# --- The refresh ------------------------------------------------------------------------------------------------


def stats_refresh(*, kind: str = RefreshKind.SCHEDULED, actor: User | None = None, full: bool = False,
                  days: Iterable[date] = (), window: bool = True, today: date | None = None,
                  union: Union | None = None) -> RefreshRun:
    """Recount the statistics (see the module docstring for which). Returns the finished run.

    ``days`` adds days to recount (the management command's ``--day``); ``window=False`` leaves
    out the recent window (recount just ``days`` and the touched ones); ``full`` rebuilds all.
    A failure rolls everything back and leaves a failed run behind with the error.
    """
    today = today or timezone.localdate()
    started = timezone.now()
    try:
        with transaction.atomic():
            RefreshLock.objects.select_for_update().get_or_create(pk=1)
            run = _refresh_locked(kind=kind, actor=actor, full=full, days=days, window=window, today=today,
                                  started=started)
    except Exception as exc:
        logger.exception("cockpit refresh failed")
        RefreshRun.objects.create(kind=kind, status=RefreshStatus.FAILED, actor=_user(actor), started_at=started,
                                  finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    if kind == RefreshKind.MANUAL or full:
        audit.record("cockpit.refresh", actor=actor, obj=run, union=union,
                     detail={"kind": run.kind, "days": run.days, "rows": run.rows,
                             "seconds": round(run.seconds or 0, 1)})
    return run


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _refresh_locked(*, kind: str, actor: Any, full: bool, days: Iterable[date], window: bool, today: date,
                    started: Any) -> RefreshRun:
    tree = load_tree()
    previous = RefreshRun.objects.filter(status=RefreshStatus.DONE).first()
    stored = dict(RolledPath.objects.values_list("union_id", "path"))
    rebuild = full or previous is None or _moved(tree, stored)
    if rebuild:
        first = today - timedelta(days=history_days())
        wanted = {first + timedelta(days=n) for n in range((today - first).days + 1)}
        _delete(Flow.objects.all())
        kind = RefreshKind.FULL
    else:
        wanted = days_to_recount(today=today, since=previous.started_at, extra=days, window=window)
    written = 0
    for month, month_days in _months(wanted).items():
        written += _recount_month(month, month_days, tree)
    written += _recount_figures(tree)
    _remember_paths(tree, stored)
    ordered = sorted(wanted)
    return RefreshRun.objects.create(
        kind=kind, status=RefreshStatus.DONE, actor=_user(actor), started_at=started, finished_at=timezone.now(),
        days=len(ordered), first_day=ordered[0] if ordered else None, last_day=ordered[-1] if ordered else None,
        rows=written)


def last_refresh() -> RefreshRun | None:
    return RefreshRun.objects.filter(status=RefreshStatus.DONE).first()
