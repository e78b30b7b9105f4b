"""Member search among 1,000,000 members: name prefix and pinyin initials, through member_search as a
scoped staff user (a city officer, who sees one city's members), on SQLite (default) or PostgreSQL
(DATABASE_URL).

    .venv/bin/python bench/bench_member_search.py [--members 1000000] [--queries 200] [--fresh]

The members are generated once (``gonghui.seed``: a province of 15,000 unions in 10 cities,
members skewed over the workplaces as they are) into a bench database of their own
(gonghui-bench-search in the temporary directory, or its own PostgreSQL database) and reused by
later runs; a larger size adds members to them. A search is the first page (20 rows with their
unions and employers), as the list page and the API fetch it; the total count the pager shows is
measured beside it.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup, teardown

TARGET_MS = 150
PAGE = 20
UNIONS = 15_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "gonghui-bench-search"),
                        help="SQLite data directory, kept between runs")
    parser.add_argument("--fresh", action="store_true", help="start from an empty bench database")
    args = parser.parse_args()
    where = setup("search", data_dir=args.data_dir, fresh=args.fresh)
    try:
        run(args, where)
    finally:
        teardown(drop_database=False)  # kept: seeding a million members takes minutes


def run(args: argparse.Namespace, where: str) -> None:

    from django.db import connection

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.members.models import Member
    from gonghui.members.selectors import member_search
    from gonghui.seed import ROOT_NAME, seed
    from gonghui.unions.models import Union

    print(f"# member search: {args.members:,} members, {where}", flush=True)
    province = Union.objects.filter(name=ROOT_NAME, parent__isnull=True).first()
    have = Member.objects.count()
    if have:
        try:
            Member.objects.only("id_number").first()
        except Exception:  # InvalidTag: the rows were encrypted with keys of another data directory
            note("the bench database was filled with keys from another data directory; run again with --fresh")
            return
    if have < args.members:
        started = time.perf_counter()
        note(f"seeding {args.members - have:,} members (kept for later runs) …")
        if province is None:
            province = seed(unions=UNIONS, members=args.members, progress=note).root
        else:
            seed(members=args.members - have, under=province, progress=note)
        note(f"seeded in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum (PostgreSQL) or PRAGMA optimize would give
    elif have > args.members:
        note(f"the bench database holds {have:,} members (more than asked); use --fresh to rebuild")
    city = Union.objects.filter(parent=province).order_by("name").first()
    officer = User.objects.filter(name="压测市干事").first()
    if officer is None:
        officer = User.objects.create_user("13800000002", "Bench#2026pass", name="压测市干事")
        StaffAssignment.objects.create(user=officer, union=city, role=Role.OFFICER)
    visible = Member.objects.visible_to(officer).count()
    note(f"searching as a city officer who sees {visible:,} of {Member.objects.count():,} members")

    rng = random.Random(7)
    sample = list(Member.objects.visible_to(officer).order_by("?").values_list("name", "name_initials")[:2000]) \
        if connection.vendor == "postgresql" else _sample(officer, rng)
    names = [n[:2] if len(n) > 2 and rng.random() < 0.6 else n[:1] for n, _ in sample]
    initials = [i[:2] if rng.random() < 0.5 else i for _, i in sample]

    def page(q: str) -> float:
        started = time.perf_counter()
        list(member_search(officer, {"q": q}).select_related("union", "employer")[:PAGE])
        return (time.perf_counter() - started) * 1000

    def count(q: str) -> float:
        started = time.perf_counter()
        member_search(officer, {"q": q}).count()
        return (time.perf_counter() - started) * 1000

    for q in names[:20] + initials[:20]:  # warm the caches, as a running server would have them
        page(q)
    results = {}
    for label, queries in (("name prefix", names), ("pinyin initials", initials)):
        chosen = [rng.choice(queries) for _ in range(args.queries)]
        results[label] = ([page(q) for q in chosen], [count(q) for q in chosen])
    for label, (pages, counts) in results.items():
        figure(f"search by {label}, first page (p95)", percentile(pages, 95), "ms", f"target ≤ {TARGET_MS} ms")
        note(f"p50 {percentile(pages, 50):.1f} ms; the pager's count beside it: p50 {percentile(counts, 50):.1f} ms, "
             f"p95 {percentile(counts, 95):.1f} ms")


def _sample(officer: object, rng: random.Random) -> list[tuple[str, str]]:
    """Random members of the officer's scope (ORDER BY RANDOM() over a million rows is slow on SQLite)."""
    from gonghui.members.models import Member

    qs = Member.objects.visible_to(officer)
    top = Member.objects.order_by("-id").values_list("id", flat=True).first() or 0
    found: list[tuple[str, str]] = []
    while len(found) < 2000 and top:
        ids = [rng.randrange(1, top + 1) for _ in range(500)]
        found.extend(qs.filter(id__in=ids).values_list("name", "name_initials"))
    return found[:2000]


if __name__ == "__main__":
    main()
