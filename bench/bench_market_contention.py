"""云集市 order placement under contention: C concurrent clients (default 200) order from one batch of K
places (default 50) through the API (POST /api/v1/market/orders, each with its own bearer token and
Idempotency-Key), all released at once; exactly K orders must result, the others a 409 "名额已满".
SQLite by default (threads on the WAL database), PostgreSQL when DATABASE_URL is set.

    .venv/bin/python bench/bench_market_contention.py [--clients 200] [--places 50] [--workers 32]

All requests are submitted at once to ``--workers`` threads that each keep a database connection, as
an app server's workers do (PostgreSQL's stock max_connections is 100, so one connection per client
is not how it is deployed); the requests beyond the workers queue. Beside it, the negative control:
the same contention against a naive read-check-write placement (the count read, checked in Python,
written back) oversells on PostgreSQL. (On SQLite, whose IMMEDIATE transactions run one writer at a
time, even the naive version cannot oversell: it only shows the guard costs nothing there.)
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import accounts_for, figure, note, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--workers", type=int, default=32,
                        help="server threads, each with its own database connection (default 32)")
    parser.add_argument("--data-dir", help="SQLite data directory for the bench (default: a new temporary one)")
    args = parser.parse_args()
    where = setup("market_contention", data_dir=args.data_dir, fresh=True)
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 150 "409 Conflict" lines say nothing new

    from datetime import timedelta

    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from gonghui.accounts.models import ApiToken, StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.market.models import Batch, Order
    from gonghui.market.services import catalogue
    from gonghui.members.models import Member
    from gonghui.seed import seed

    vendor = connection.vendor
    workers = min(args.workers, args.clients)
    print(f"# market placement: {args.clients} concurrent requests for {args.places} places, served by {workers} "
          f"threads with a database connection each, {where}", flush=True)

    # One district (six unions) and its members; the clients are current members with an account each.
    district = seed(unions=6, employers=4, members=args.clients + args.clients // 5 + 10).districts[0]
    officer = User.objects.create_user("13800000001", "Bench#2026pass", name="压测干事")
    StaffAssignment.objects.create(user=officer, union=district, role=Role.OFFICER)
    users = accounts_for(list(Member.objects.current().filter(union__path__startswith=district.path)
                              .order_by("pk")[:args.clients]))
    provider = catalogue.provider_create(actor=officer, union=district, data=catalogue.ProviderData(
        kind="model_worker", name="压测劳模"))

    def batch_of(title: str) -> Batch:
        offering = catalogue.offering_create(actor=officer, provider=provider, data=catalogue.OfferingData(
            title=title, domain="education", summary="压测", mode="online"))
        batch = catalogue.batch_add(actor=officer, offering=offering,
                                    data=catalogue.BatchData(name="第1批", capacity=args.places,
                                                             serves_from=timezone.now() + timedelta(days=7)))
        catalogue.offering_list(actor=officer, offering=offering)
        return batch

    tokens = [ApiToken.issue(u, name="bench")[1] for u in users]

    def race(work: Any) -> tuple[list[Any], float]:
        """All the clients' requests at once, served by ``workers`` threads that each keep their database
        connection, as an app server's workers do; returns the results and the wall time."""
        def on_each_worker(pool: ThreadPoolExecutor, fn: Any) -> None:
            ready = threading.Barrier(workers)  # holds every task until all workers have one: one each

            def task() -> None:
                ready.wait()
                fn()

            for future in [pool.submit(task) for _ in range(workers)]:
                future.result()

        def warm() -> None:  # open the worker's connection before the clock starts
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        def guarded(i: int) -> Any:
            try:
                return work(i)
            except Exception as exc:
                return exc

        with ThreadPoolExecutor(max_workers=workers) as pool:
            on_each_worker(pool, warm)
            started = time.perf_counter()
            results = list(pool.map(guarded, range(args.clients)))
            seconds = time.perf_counter() - started
            on_each_worker(pool, connections.close_all)
        return results, seconds

    batch = batch_of("压测服务")

    def place(i: int) -> int:
        response = Client(headers={"Authorization": f"Bearer {tokens[i]}"}).post(
            "/api/v1/market/orders", {"batch": str(batch.uuid)}, content_type="application/json",
            headers={"Idempotency-Key": f"bench-{i}"})
        if response.status_code == 409:
            assert response.json()["message"] == "名额已满", response.content
        return response.status_code

    results, seconds = race(place)
    codes = Counter(r if isinstance(r, int) else type(r).__name__ for r in results)
    made = Order.objects.filter(batch=batch).count()
    taken = Batch.objects.get(pk=batch.pk).taken
    note(f"responses: {dict(sorted(codes.items(), key=str))}; orders {made}, batch.taken {taken}, "
         f"capacity {args.places}; {vendor}")
    figure("orders created for the places (must equal the places)", made, "orders",
           f"exactly {args.places}" + (" ✓" if made == args.places == taken == codes.get(201, 0) else " ✗"))
    figure("placement throughput under contention", args.clients / seconds, "requests/s",
           f"{args.clients} requests in {seconds:.2f} s")
    figure("orders placed per second", made / seconds, "orders/s")
    figure("server errors", sum(n for c, n in codes.items() if c not in (201, 409)), "responses", "target 0")

    # The negative control: read the count, check it in Python, write it back (no guarded UPDATE).
    from django.db import transaction

    naive = batch_of("对照：朴素实现")
    members = {m.user_id: m for m in Member.objects.filter(user__in=users).select_related("union")}

    def naive_place(i: int) -> bool:
        member = members[users[i].pk]
        with transaction.atomic():
            current = Batch.objects.get(pk=naive.pk)
            if current.taken >= current.capacity:
                return False
            time.sleep(0.02)  # the work any request does between its read and its write
            Batch.objects.filter(pk=naive.pk).update(taken=current.taken + 1)
            Order.objects.create(offering=naive.offering, batch=naive, union=district, member=member,
                                 member_union=member.union)
        return True

    results, seconds = race(naive_place)
    oversold = Order.objects.filter(batch=naive).count()
    errors = sum(1 for r in results if isinstance(r, Exception))
    figure("negative control: naive read-check-write placement", oversold, "orders",
           f"for {args.places} places: {'oversold' if oversold > args.places else 'not oversold this run'}; "
           f"{errors} requests failed outright")


if __name__ == "__main__":
    main()
