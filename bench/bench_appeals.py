"""12351 work orders among 1,000,000 historical tickets: the unit queue and the statistics page of a
district officer (who sees one district's tickets), on SQLite (default) or PostgreSQL (DATABASE_URL).

    .venv/bin/python bench/bench_appeals.py [--tickets 1000000] [--members 100000] [--requests 100] [--fresh]
                                            [--data-dir DIR]

The data come from the generator (``gonghui.seed``), once, into a bench database of its own
(gonghui-bench-appeals in the temporary directory, or its own PostgreSQL database), and are reused by
later runs; a larger ``--tickets`` adds tickets. A province of 15,000 unions (10 cities, 60
districts), ``--members`` members, and the tickets of two years as the services leave them: two in
three from members, routed to their unions; old ones nearly all closed and mostly rated, the rest
open, some overdue and escalated, some supervised.

What is timed is what the officer's browser gets: the whole page through Django (session, scope,
queries, template) with the test client, for the queue (first page, its counts and filters) and the
statistics page (this year, and three years). The bare queries are measured beside them.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup

QUEUE_TARGET_MS = 200
STATS_TARGET_MS = 500
UNIONS = 15_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=100_000, help="members the tickets come from (first run)")
    parser.add_argument("--requests", type=int, default=100, help="requests of each kind")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "gonghui-bench-appeals"),
                        help="SQLite data directory, kept between runs")
    parser.add_argument("--fresh", action="store_true", help="start from an empty bench database")
    args = parser.parse_args()
    import os

    os.environ.setdefault("GONGHUI_MANIFEST_STATIC", "0")  # pages render without collectstatic's manifest
    where = setup("appeals", data_dir=args.data_dir, fresh=args.fresh)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.appeals.models import Ticket
    from gonghui.appeals.selectors import queue, queue_counts, queue_filters, statistics, stats_filters
    from gonghui.core.scope import Role
    from gonghui.seed import ROOT_NAME, seed
    from gonghui.unions.models import Union

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)
    print(f"# 12351 appeals: {args.tickets:,} tickets, {where}", flush=True)
    province = Union.objects.filter(name=ROOT_NAME, parent__isnull=True).first()
    have = Ticket.objects.count()
    if have < args.tickets:
        started = time.perf_counter()
        note(f"seeding {args.tickets - have:,} tickets (kept for later runs) …")
        if province is None:
            province = seed(unions=UNIONS, members=args.members, tickets=args.tickets, progress=note).root
        else:
            seed(tickets=args.tickets - have, under=province, progress=note)
        note(f"seeded in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif have > args.tickets:
        note(f"the bench database holds {have:,} tickets (more than asked); use --fresh to rebuild")

    district = Union.objects.filter(path__startswith=province.path, level=3).order_by("name").first()
    officer = User.objects.filter(name="压测区干事").first()
    if officer is None:
        officer = User.objects.create_user("13800000003", "Bench#2026pass", name="压测区干事")
        StaffAssignment.objects.create(user=officer, union=district, role=Role.OFFICER)
    visible = Ticket.objects.visible_to(officer)
    note(f"a district officer of {district.name} sees {visible.count():,} of {Ticket.objects.count():,} tickets "
         f"({visible.filter(status__in=['pending', 'processing']).count():,} open); {connection.vendor}")

    client = Client()
    client.force_login(officer, backend="gonghui.accounts.auth.PhoneBackend")
    rng = random.Random(7)
    queue_urls = ["/console/appeals/", "/console/appeals/?overdue=1", "/console/appeals/?kind=complaint",
                  "/console/appeals/?status=closed", "/console/appeals/?status=all&page=3",
                  "/console/appeals/?supervised=1", "/console/appeals/?q=%E5%B7%A5%E8%B5%84"]  # q=工资
    this_year = datetime.now().year  # noqa: DTZ005 - only the year, for a query string
    stats_urls = ["/console/appeals/stats/", f"/console/appeals/stats/?since={this_year - 2}-01-01",
                  "/console/appeals/stats/?kind=legal"]

    def timed(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    def bare(fn) -> float:
        started = time.perf_counter()
        fn()
        return (time.perf_counter() - started) * 1000

    for url in queue_urls + stats_urls:  # warm the caches, as a running server would have them
        timed(url)
    queue_ms = [timed(rng.choice(queue_urls)) for _ in range(args.requests)]
    stats_ms = [timed(rng.choice(stats_urls)) for _ in range(args.requests)]
    filters = queue_filters(officer, {})
    bare_queue = [bare(lambda: (list(queue(officer, filters).select_related("union", "handler")[:20]),
                                queue(officer, filters).count(), queue_counts(officer)))
                  for _ in range(args.requests)]
    year = stats_filters(officer, {})
    bare_stats = [bare(lambda: statistics(officer, year)) for _ in range(args.requests)]

    figure("appeals unit queue page, district officer (p95)", percentile(queue_ms, 95), "ms",
           f"target ≤ {QUEUE_TARGET_MS} ms")
    note(f"p50 {percentile(queue_ms, 50):.1f} ms over {len(queue_urls)} filter variants; the bare queries "
         f"(page + count + badges): p50 {percentile(bare_queue, 50):.1f} ms, p95 {percentile(bare_queue, 95):.1f} ms")
    figure("appeals statistics page, district officer (p95)", percentile(stats_ms, 95), "ms",
           f"target ≤ {STATS_TARGET_MS} ms")
    note(f"p50 {percentile(stats_ms, 50):.1f} ms (this year, three years, one kind); the bare aggregates for this "
         f"year: p50 {percentile(bare_stats, 50):.1f} ms, p95 {percentile(bare_stats, 95):.1f} ms")


if __name__ == "__main__":
    main()
