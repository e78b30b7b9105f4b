"""云集市 pages at scale: the H5 catalogue (browse by domain and search) as a member, and the console's
order board by state as a scoped staff user (a city officer), with 10,000 offerings and 1,000,000
orders; p95 of the query (what the page runs against the database) and of the whole page (the
request through Django, templates included). SQLite by default, PostgreSQL when DATABASE_URL is set.

    .venv/bin/python bench/bench_market_pages.py [--offerings 10000] [--orders 1000000] [--members 50000]
                                                 [--queries 200] [--fresh]

The data is generated set-based once (offerings, providers and batches by bulk_create; the orders
by one INSERT … SELECT per 200,000 rows over a number series) into a bench database of its own
(gonghui-bench-market-pages in the temporary directory, or its own PostgreSQL database) and reused by
later runs of the same size. Orders go round-robin over the batches and members; their states are
spread as a lived-in market's are (about 10% waiting for 配货).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup  # noqa: E402

TARGET_MS = 200
CHUNK = 200_000
STATES = ["placed", "assigned", "delivered", "confirmed", "reviewed", "reviewed", "reviewed", "confirmed",
          "cancelled", "no_show"]


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
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.market.models import Batch, BatchStatus, Domain, Offering, OfferingStatus, Provider, ProviderKind
    from gonghui.members.management.commands.seed_members import bench_tree, seed_members
    from gonghui.members.models import Member

    rng = random.Random(11)
    tree = bench_tree(cities=4, districts=5, grassroots=10, employers_each=0)
    note(f"seeding {args.members:,} members …")
    seed_members(args.members, unions=tree["grassroots"])
    owners = tree["districts"] + tree["cities"]
    now = timezone.now()
    with transaction.atomic():
        providers = Provider.objects.bulk_create([
            Provider(union=rng.choice(owners), kind=rng.choice(ProviderKind.values), name=f"压测服务方{i}",
                     specialty="压测") for i in range(max(args.offerings // 20, 1))])
        domains = Domain.values
        offerings = []
        for i in range(args.offerings):
            provider = providers[i % len(providers)]
            listed = i % 10 != 0
            offerings.append(Offering(
                union_id=provider.union_id, provider=provider, title=f"{rng.choice(WORDS)}服务{i}",
                domain=domains[i % len(domains)], mode="online", summary=f"{rng.choice(WORDS)}，面向会员免费",
                status=OfferingStatus.LISTED if listed else OfferingStatus.DRAFT,
                listed_at=now - timedelta(seconds=rng.randrange(0, 365 * 86400)) if listed else None))
        offerings = Offering.objects.bulk_create(offerings, batch_size=5000)
        batches = []
        for offering in offerings:
            batches.append(Batch(offering=offering, name="第一批", capacity=100, status=BatchStatus.CLOSED,
                                 opens_at=now - timedelta(days=200), closes_at=now - timedelta(days=100)))
            batches.append(Batch(offering=offering, name="第二批", capacity=100, opens_at=now - timedelta(days=1),
                                 closes_at=now + timedelta(days=30)))
        Batch.objects.bulk_create(batches, batch_size=5000)
    ids = {
        "batch": _id_range(Batch), "member": _id_range(Member),
    }
    note(f"inserting {args.orders:,} orders set-based …")
    for start in range(0, args.orders, CHUNK):
        stop = min(start + CHUNK, args.orders) - 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_orders_sql(connection.vendor), {
                "start": start, "stop": stop, "bmin": ids["batch"][0], "B": ids["batch"][1],
                "mmin": ids["member"][0], "M": ids["member"][1]})
        note(f"{stop + 1:,}")
    with transaction.atomic(), connection.cursor() as cursor:
        # the counters the transitions keep, from the orders
        cursor.execute("UPDATE market_batch SET taken = (SELECT count(*) FROM market_order o WHERE "
                       "o.batch_id = market_batch.id AND o.status NOT IN ('cancelled', 'no_show'))")
        cursor.execute("UPDATE market_offering SET served_count = (SELECT count(*) FROM market_order o WHERE "
                       "o.offering_id = market_offering.id AND o.status IN ('confirmed', 'reviewed'))")
        cursor.execute("UPDATE market_offering SET rating_count = served_count * 6 / 10, "
                       "rating_sum = served_count * 6 / 10 * 46 / 10")
    with connection.cursor() as cursor:
        # what a running database has: fresh statistics, and on PostgreSQL the visibility map that
        # index-only scans need (autovacuum's work; VACUUM runs outside a transaction)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _id_range(model: Any) -> tuple[int, int]:
    """(first id, count) of a table filled in one go here: the ids must be contiguous."""
    from django.db.models import Count, Max, Min

    row = model.objects.aggregate(low=Min("id"), high=Max("id"), n=Count("id"))
    assert row["high"] - row["low"] + 1 == row["n"], f"{model.__name__} ids are not contiguous"
    return row["low"], row["n"]


_COLUMNS = ("uuid, offering_id, batch_id, union_id, member_id, member_union_id, status, note, server_name, "
            "delivery_note, evidence, evidence_name, auto_confirmed, cancel_reason, cancelled_by, placed_at, "
            "updated_at")


def _orders_sql(vendor: str) -> str:
    """One INSERT … SELECT of the orders ``start``..``stop``: order n goes to batch n mod B and to member
    (n div B) mod M, so no member holds two orders of one batch (n < 50·B ≤ B·M)."""
    if vendor == "postgresql":
        states = "(ARRAY[" + ", ".join(f"'{s}'" for s in STATES) + "])[1 + (s.n %% 10)]"
        return (
            f"INSERT INTO market_order ({_COLUMNS}) "
            f"SELECT gen_random_uuid(), b.offering_id, b.id, o.union_id, m.id, m.union_id, {states}, '', '', '', '', "
            "'', false, '', '', now() - ((s.n * 7919) %% 31536000) * interval '1 second', now() "
            "FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS s(n) "
            "JOIN market_batch b ON b.id = %(bmin)s + (s.n %% %(B)s) "
            "JOIN market_offering o ON o.id = b.offering_id "
            "JOIN members_member m ON m.id = %(mmin)s + ((s.n / %(B)s) %% %(M)s)")
    states = "CASE s.n %% 10 " + " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(STATES)) + " END"
    return (
        f"INSERT INTO market_order ({_COLUMNS}) "
        "WITH RECURSIVE s(n) AS (SELECT %(start)s UNION ALL SELECT n + 1 FROM s WHERE n < %(stop)s) "
        f"SELECT lower(hex(randomblob(16))), b.offering_id, b.id, o.union_id, m.id, m.union_id, {states}, '', '', '', "
        "'', '', 0, '', '', "
        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || ((s.n * 7919) %% 31536000) || ' seconds'), "
        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now') "
        "FROM s JOIN market_batch b ON b.id = %(bmin)s + (s.n %% %(B)s) "
        "JOIN market_offering o ON o.id = b.offering_id "
        "JOIN members_member m ON m.id = %(mmin)s + ((s.n / %(B)s) %% %(M)s)")


WORDS = ("电工技能", "健康体检", "法律咨询", "岗位推荐", "劳模宣讲", "参观交流", "心理咨询", "数控技术", "直播电商",
         "养老护理", "焊工培训", "急救培训", "职工书屋", "创新工作室", "安全生产")


# --- Measurement -----------------------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, vendor: str) -> None:
    from django.test import Client

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.market import selectors
    from gonghui.market.models import OPEN_STATUSES, Domain, Order, OrderStatus
    from gonghui.members.models import Member
    from gonghui.unions.models import Union

    city = Union.objects.filter(name="压测1市总工会").first()
    officer = User.objects.filter(name="压测市干事").first()
    if officer is None:
        officer = User.objects.create_user("13800000002", "Bench#2026pass", name="压测市干事")
        StaffAssignment.objects.create(user=officer, union=city, role=Role.OFFICER)
    worker = User.objects.filter(name="压测会员").first()
    if worker is None:
        worker = User.objects.create_user("13800000003", "Bench#2026pass", name="压测会员")
        member = Member.objects.filter(union__path__startswith=city.path).order_by("id").first()
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
