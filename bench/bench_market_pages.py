"""云集市 pages at scale: the H5 catalogue (browse by domain and search) as a member, and the console's
order board by state as a scoped staff user (a city officer), with 10,000 offerings and 1,000,000
orders; p95 of the query (what the page runs against the database) and of the whole page (the
request through Django, templates included). SQLite by default, PostgreSQL when DATABASE_URL is set.

    .venv/bin/python bench/bench_market_pages.py [--offerings 10000] [--orders 1000000] [--members 50000]
                                                 [--queries 200] [--fresh]

The data come from the generator (``gonghui.seed``: a province of 6,000 unions in four
cities, the members, offerings of the province, cities and districts with their batches, and the
orders walked through their lifecycle, set-based) once, into a bench database of its own
(gonghui-bench-market-pages in the temporary directory, or its own PostgreSQL database), and are
reused by later runs of the same size. Older orders are mostly served and reviewed; the last two
weeks' are mostly waiting for 配货 or in progress, as on a lived-in market.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup

TARGET_MS = 200
UNIONS = 6_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200, help="measurements of each kind")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "gonghui-bench-market-pages"),
                        help="SQLite data directory, kept between runs")
    parser.add_argument("--fresh", action="store_true", help="start from an empty bench database")
    args = parser.parse_args()
    # Pages are rendered without collectstatic: plain static URLs instead of the hashed manifest.
    os.environ.setdefault("GONGHUI_MANIFEST_STATIC", "0")
    where = setup("market_pages", data_dir=args.data_dir, fresh=args.fresh)

    from django.db import connection

    from gonghui.market.models import Offering, Order

    print(f"# market pages: {args.offerings:,} offerings, {args.orders:,} orders, {where}", flush=True)
    have = (Offering.objects.count(), Order.objects.count())
    if have == (0, 0):
        started = time.perf_counter()
        generate(args)
        note(f"generated in {time.perf_counter() - started:.0f} s")
    elif have != (args.offerings, args.orders):
        note(f"the bench database holds {have[0]:,} offerings and {have[1]:,} orders; use --fresh to rebuild")
        return
    measure(args, connection.vendor)


# --- Generation ----------------------------------------------------------------------------------------------------


def generate(args: argparse.Namespace) -> None:
    from django.db import connection

    from gonghui.seed import seed

    seed(unions=UNIONS, members=args.members, orders=args.orders, offerings=args.offerings, progress=note)
    with connection.cursor() as cursor:
        # what a running database has: fresh statistics, and on PostgreSQL the visibility map that
        # index-only scans need (autovacuum's work; VACUUM runs outside a transaction)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# Search words of the catalogue (the generator's offerings are the demo's titles).
WORDS = ("电工技能", "健康体检", "法律咨询", "岗位推荐", "劳模宣讲", "参观交流", "心理咨询", "数控技术", "直播电商",
         "养老护理", "焊工培训", "急救培训", "职工书屋", "创新工作室", "安全生产")


# --- Measurement -----------------------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, vendor: str) -> None:
    from django.test import Client

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.market import selectors
    from gonghui.market.models import OPEN_STATUSES, Domain, Order, OrderStatus
    from gonghui.members.models import Member, MemberStatus
    from gonghui.seed import ROOT_NAME
    from gonghui.unions.models import Union, UnionLevel

    province = Union.objects.get(name=ROOT_NAME, parent__isnull=True)
    city = Union.objects.filter(parent=province, level=UnionLevel.CITY).order_by("pk").first()
    officer = User.objects.filter(name="压测市干事").first()
    if officer is None:
        officer = User.objects.create_user("13800000002", "Bench#2026pass", name="压测市干事")
        StaffAssignment.objects.create(user=officer, union=city, role=Role.OFFICER)
    worker = User.objects.filter(name="压测会员").first()
    if worker is None:
        worker = User.objects.create_user("13800000003", "Bench#2026pass", name="压测会员")
        member = (Member.objects.filter(union__path__startswith=city.path, status=MemberStatus.ACTIVE)
                  .order_by("id").first())
        Member.objects.filter(pk=member.pk).update(user=worker)
    member = Member.objects.select_related("union").get(user=worker)
    visible = Order.objects.visible_to(officer).count()
    catalogue_size = selectors.catalogue(member).count()
    note(f"the city officer sees {visible:,} of {Order.objects.count():,} orders; the member's catalogue holds "
         f"{catalogue_size:,} offerings; {vendor}")

    rng = random.Random(5)
    domains = ["", *Domain.values]
    searches = ["", "", "", *WORDS]
    statuses = [OrderStatus.PLACED, OrderStatus.ASSIGNED, OrderStatus.DELIVERED, OrderStatus.REVIEWED,
                OrderStatus.CANCELLED]

    def timed(fn: Any) -> float:
        started = time.perf_counter()
        fn()
        return (time.perf_counter() - started) * 1000

    def browse_query(domain: str, q: str) -> None:
        from django.core.paginator import Paginator

        page = Paginator(selectors.catalogue(member, q=q, domain=domain), 20).get_page(1)
        selectors.attach_remaining(list(page.object_list))

    def board_query(status: str) -> None:
        from django.core.paginator import Paginator

        qs = selectors.order_board(officer, {"status": status})
        page = Paginator(qs, 20).get_page(1)
        list(page.object_list)
        selectors.status_counts(selectors.order_filters(Order.objects.visible_to(officer), {}),
                                OPEN_STATUSES)

    member_client, staff_client = Client(), Client()
    member_client.force_login(worker, backend="gonghui.accounts.auth.PhoneBackend")
    staff_client.force_login(officer, backend="gonghui.accounts.auth.PhoneBackend")

    def page(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    for _ in range(10):  # warm the caches, as a running server has them
        browse_query(rng.choice(domains), rng.choice(searches))
        board_query(rng.choice(statuses))
    runs = {
        "browse query (catalogue page + places left)": [
            timed(lambda: browse_query(rng.choice(domains), rng.choice(searches))) for _ in range(args.queries)],
        "browse page GET /market/ (as a member)": [
            timed(lambda: page(member_client, f"/market/?domain={rng.choice(domains)}&q={rng.choice(searches)}"))
            for _ in range(args.queries)],
        "order board query (state page + counts of the open states)": [
            timed(lambda: board_query(rng.choice(statuses))) for _ in range(args.queries)],
        "order board page GET /console/market/orders/ (city officer)": [
            timed(lambda: page(staff_client, f"/console/market/orders/?status={rng.choice(statuses)}"))
            for _ in range(args.queries)],
    }
    for label, values in runs.items():
        figure(f"{label} (p95)", percentile(values, 95), "ms", f"target ≤ {TARGET_MS} ms")
        note(f"p50 {percentile(values, 50):.1f} ms, max {max(values):.1f} ms over {len(values)} requests")


if __name__ == "__main__":
    main()
