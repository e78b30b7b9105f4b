"""What every part of the generator shares: seeded random streams, weighted draws, the clock that
spreads events over the 24 months before the anchor day, and batched set-based writing.

Determinism: every part draws from its own stream, ``stream(seed, name, …)`` (a ``random.Random``
seeded with a string, which does not depend on PYTHONHASHSEED), and never iterates over a set, so
the same options, seed and anchor day give the same rows. Primary keys may differ between runs
(PostgreSQL sequences are not rolled back); nothing random depends on their values, only on their
order, which is the order of insertion.

Rows are dicts drawn in their final state before they are inserted: a row that "moves" while it is
drawn (a ticket accepted, then closed) has its fields set on the dict (``row |= {"status": …}``),
and only the last state reaches the database. That is creation, not a status write; the one place
a status changes in the database, ``core.transitions``, is for rows that exist.
"""

from __future__ import annotations

import math
import queue
import random
import threading
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from django.db import connection, connections, transaction
from django.utils import timezone

from gonghui.lib.workdays import is_workday
from gonghui.members.services.roster.writing import bulk_insert, reserve_ids

T = TypeVar("T")

WINDOW_DAYS = 730  # about 24 months of history before the anchor day
GROWTH = 2.5  # the last day is this many times as busy as the first (a platform being taken up)
BATCH = 5000  # rows of the main table per transaction


class SeedError(ValueError):
    """Options the generator cannot honour; the message is for the user, in Chinese."""


def stream(seed: int, *parts: object) -> random.Random:
    """A random stream of its own for one part of the data (independent of the other parts' draws)."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))  # noqa: S311 - deterministic sample data


class Weighted(Generic[T]):
    """Draws from ``items`` in proportion to ``weights`` in O(log n) (cumulative weights + bisect)."""

    def __init__(self, items: Iterable[T], weights: Iterable[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        if not self.items or self.cum[-1] <= 0:
            raise ValueError("nothing to draw from")
        self.total = self.cum[-1]

    @classmethod
    def of(cls, table: dict[T, float]) -> Weighted[T]:
        return cls(table, table.values())

    def __len__(self) -> int:
        return len(self.items)

    def index(self, rng: random.Random) -> int:
        return min(bisect(self.cum, rng.random() * self.total), len(self.items) - 1)

    def pick(self, rng: random.Random) -> T:
        return self.items[self.index(rng)]


def apportion(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder), each share at most its cap.

    What a share cannot take beyond its cap goes to the others, again by weight. Returns fewer than
    ``total`` in all only when the caps add up to less.
    """
    shares = [0] * len(weights)
    open_ = [i for i, w in enumerate(weights) if w > 0 and (caps is None or caps[i] > 0)]
    left = total
    while left > 0 and open_:
        mass = sum(weights[i] for i in open_)
        exact = {i: left * weights[i] / mass for i in open_}
        give = {i: int(exact[i]) for i in open_}
        rest = left - sum(give.values())
        for i in sorted(open_, key=lambda i: (give[i] - exact[i], i))[:rest]:
            give[i] += 1
        left = 0
        for i in open_:
            room = caps[i] - shares[i] if caps is not None else give[i]
            taken = min(give[i], room)
            shares[i] += taken
            left += give[i] - taken
        open_ = [i for i in open_ if caps is None or shares[i] < caps[i]]
    return shares


def pareto_weights(rng: random.Random, count: int, *, alpha: float = 1.2, cap: float = 200.0) -> list[float]:
    """Skewed sizes (a few big, many small): the 80/20 rule at alpha ≈ 1.16."""
    return [min(rng.paretovariate(alpha), cap) for _ in range(count)]


# --- Time ----------------------------------------------------------------------------------------------------------

# Relative activity by weekday (Monday first) and by hour of the day.
OFFICE_WEEK = (1.0, 1.05, 1.0, 0.95, 0.9, 0.45, 0.35)
LEISURE_WEEK = (0.7, 0.7, 0.75, 0.8, 1.0, 1.5, 1.35)
OFFICE_HOURS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 7, 10, 10, 8, 5, 6, 9, 10, 9, 7, 5, 5, 5, 4, 3, 2)
LEISURE_HOURS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 6, 8, 9, 9, 7, 6, 6, 6, 7, 8, 10, 10, 8, 5, 2)


@dataclass
class Clock:
    """The days of the history: ``days`` days ending the day before ``today``; the data's "now" is
    midnight at the start of ``today`` (so a run is the same whatever the hour it is made at).

    Busier towards the end (growth), with a weekly rhythm, and quieter on public holidays (the
    working-day calendar of gonghui.lib.workdays).
    """

    today: date
    days: int = WINDOW_DAYS
    growth: float = GROWTH  # the last day is this many times as busy as the first
    _midnights: list[datetime] = field(default_factory=list, repr=False)
    _samplers: dict[tuple[float, ...], Weighted[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        tz = timezone.get_current_timezone()
        self._midnights = [datetime.combine(self.first + timedelta(days=i), time(), tzinfo=tz)
                           for i in range(self.days + 1)]

    @property
    def first(self) -> date:
        return self.today - timedelta(days=self.days)

    @property
    def now(self) -> datetime:
        return self._midnights[self.days]

    @property
    def start(self) -> datetime:
        return self._midnights[0]

    def midnight(self, day: date) -> datetime:
        index = (day - self.first).days
        if 0 <= index <= self.days:
            return self._midnights[index]
        return datetime.combine(day, time(), tzinfo=timezone.get_current_timezone())

    def day_sampler(self, week: Sequence[float] = OFFICE_WEEK, *, holidays: float = 0.5) -> Weighted[int]:
        key = (*week, holidays)
        if key not in self._samplers:
            weights = []
            for i in range(self.days):
                day = self.first + timedelta(days=i)
                factor = week[day.weekday()]
                if day.weekday() < 5 and not is_workday(day):
                    factor *= holidays
                weights.append(self.growth ** (i / self.days) * factor)
            self._samplers[key] = Weighted(range(self.days), weights)
        return self._samplers[key]

    def per_day(self, rng: random.Random, total: int, week: Sequence[float] = OFFICE_WEEK) -> list[int]:
        """How many of ``total`` events fall on each day (index 0 = the first day)."""
        counts = [0] * self.days
        sampler = self.day_sampler(week)
        for _ in range(total):
            counts[sampler.index(rng)] += 1
        return counts

    def on_day(self, rng: random.Random, index: int, hours: Weighted[int]) -> datetime:
        return self._midnights[index] + timedelta(seconds=hours.pick(rng) * 3600 + rng.randrange(3600))

    def moment(self, rng: random.Random, week: Sequence[float] = OFFICE_WEEK,
               hours: Weighted[int] | None = None) -> datetime:
        """A moment of the history, weighted by growth, weekday and hour."""
        return self.on_day(rng, self.day_sampler(week).index(rng), hours or OFFICE)

    def between(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        """A uniform moment in [start, end) (``start`` when the span is empty), to the second."""
        span = int((end - start).total_seconds())
        return start + timedelta(seconds=rng.randrange(span)) if span > 0 else start

    def after(self, rng: random.Random, moment: datetime, low_hours: float, high_hours: float) -> datetime:
        """A moment ``low``–``high`` hours after ``moment``, skewed towards the early end, to the second."""
        hours = low_hours + (high_hours - low_hours) * rng.random() ** 2
        return moment + timedelta(seconds=math.ceil(hours * 3600))


OFFICE: Weighted[int] = Weighted(range(24), OFFICE_HOURS)
LEISURE: Weighted[int] = Weighted(range(24), LEISURE_HOURS)


# --- Writing -------------------------------------------------------------------------------------------------------


def insert(model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Rows (values by attname, all with the same keys) in multi-row statements or COPY."""
    if rows:
        bulk_insert(model, rows)


def with_ids(model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Give ``rows`` their primary keys (drawn before the INSERT, so that children can point at them)."""
    ids = reserve_ids(model, len(rows)) if rows else []
    for pk, row in zip(ids, rows, strict=True):
        row["id"] = pk
    return ids


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class Progress:
    """Reports a part's progress now and then (every ``every`` rows)."""

    say: Callable[[str], None] | None
    label: str
    total: int
    every: int = 100_000
    done: int = 0
    _next: int = 0

    def __post_init__(self) -> None:
        self._next = self.every

    def add(self, count: int) -> None:
        self.done += count
        if self.say is not None and self.done >= self._next and self.done < self.total:
            self.say(f"  {self.label} {self.done:,} / {self.total:,} …")
            self._next = (self.done // self.every + 1) * self.every


class Writer:
    """Writes a part's batches, each in a transaction of its own, on threads with connections of their
    own (PostgreSQL): the next batch is generated while the database takes the last ones, and with
    ``workers`` > 1 the database server works on two batches at once (on two cores, Python and the
    server keep both busy). Every ``write`` only writes — all drawing is done before it is submitted —
    so the data do not depend on the timing; with several workers only the order of the keys may.

    Inline instead (each batch written when submitted) on SQLite, whose single writer gains nothing
    from threads, and inside an outer transaction (the tests, a caller's atomic block): another
    connection could not see that transaction's rows, nor would its writes be rolled back.
    """

    def __init__(self, progress: Progress | None = None, *, workers: int = 1) -> None:
        self.progress = progress
        self.done = 0
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.queue: queue.Queue[Callable[[], int] | None] = queue.Queue(maxsize=workers + 1)
        self.threads = [threading.Thread(target=self._run, name=f"seed-writer-{n}", daemon=True)
                        for n in range(workers if threaded else 0)]
        for thread in self.threads:
            thread.start()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, write: Callable[[], int]) -> None:
        if self.error is not None:
            raise self.error
        if self.threads:
            self.queue.put(write)
        else:
            self._write(write)

    def close(self) -> int:
        """Wait for the writes submitted so far; re-raise the first one that failed."""
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        self.threads = []
        if self.error is not None:
            raise self.error
        return self.done

    def _write(self, write: Callable[[], int]) -> None:
        with transaction.atomic():
            count = write()
        with self.lock:
            self.done += count
            if self.progress is not None:
                self.progress.add(count)

    def _run(self) -> None:
        try:
            while (write := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self._write(write)
                    except BaseException as exc:  # handed to the generating thread, which raises it
                        self.error = exc
        finally:
            connections.close_all()  # this thread's connections only
