"""Member search at two registry sizes (10,000 and 1,000,000 members by default): name prefix, pinyin
initials, full pinyin, one-letter queries, through member_search as a province administrator (the
widest staff scope), on SQLite (default) or PostgreSQL (DATABASE_URL). Prints the p95 of each kind at
both sizes and their ratio (target ≤ 2: the cost of a page must not grow with the registry).

    .venv/bin/python bench/bench_member_search.py [--sizes 10000,1000000] [--queries 200] [--fresh]

Each size has its own bench database (gonghui-bench-search-<size> in the temporary directory, or the
PostgreSQL database <name>_bench_search_<size>), generated once with ``gonghui.seed`` (a province of
15,000 unions, members skewed over the workplaces) and reused by later runs. A search is the first
page (20 rows with their unions and employers), as the console list and the API fetch it; the
console list's capped count (up to 1,000) is measured beside it. Each size runs in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup, teardown

PAGE = 20
UNIONS = 15_000
KINDS = ("name, one character", "name, two characters", "pinyin, one letter", "initials, two letters",
         "initials, whole name", "full pinyin, syllable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="registry sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    parser.add_argument("--fresh", action="store_true", help="start from empty bench databases")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size
    args = parser.parse_args()
    if args.one:
        data_dir = str(Path(tempfile.gettempdir()) / f"gonghui-bench-search-{args.one}")
        where = setup(f"search_{args.one}", data_dir=data_dir, fresh=args.fresh)
        try:
            print("RESULT " + json.dumps(run(args.one, args.queries, where)), flush=True)
        finally:
            teardown(drop_database=False)  # kept: seeding a million members takes minutes
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        command = [sys.executable, __file__, "--one", str(size), "--queries", str(args.queries)]
        out = subprocess.run([*command, *(["--fresh"] if args.fresh else [])], check=True, text=True,  # noqa: S603
                             stdout=subprocess.PIPE, env=os.environ).stdout
        for line in out.splitlines():
            if line.startswith("RESULT "):
                results[size] = json.loads(line[7:])
            else:
                print(line, flush=True)
    small, large = min(sizes), max(sizes)
    print(f"# member search, province administrator, {small:,} vs {large:,} members; load {os.getloadavg()[0]:.1f}")
    worst = 0.0
    for kind in [*KINDS, "capped count"]:
        a, b = results[small][kind], results[large][kind]
        figure(f"{kind}, p95 at {small:,}", a, "ms")
        figure(f"{kind}, p95 at {large:,}", b, "ms")
        figure(f"{kind}, ratio", b / a, "×", "target ≤ 2")
        worst = max(worst, b / a)
    figure("search p95 ratio, worst kind", max(results[large][k] / results[small][k] for k in KINDS), "×",
           "target ≤ 2")


def run(size: int, queries: int, where: str) -> dict[str, float]:
    from django.db import connection

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.members.models import Member
    from gonghui.members.selectors import member_search
    from gonghui.seed import ROOT_NAME, seed
    from gonghui.unions.models import Union

    print(f"# member search: {size:,} members, {where}", flush=True)
    province = Union.objects.filter(name=ROOT_NAME, parent__isnull=True).first()
    have = Member.objects.count()
    if have < size:
        started = time.perf_counter()
        note(f"seeding {size - have:,} members (kept for later runs) …")
        if province is None:
            province = seed(unions=UNIONS, members=size, progress=note).root
        else:
            seed(members=size - have, under=province, progress=note)
        note(f"seeded in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum (PostgreSQL) or PRAGMA optimize would give
    admin = User.objects.filter(name="压测省管理员").first()
    if admin is None:
        admin = User.objects.create_user("13800000001", "Bench#2026pass", name="压测省管理员")
        StaffAssignment.objects.create(user=admin, union=province, role=Role.ADMIN)
    note(f"searching as a province administrator who sees {Member.objects.visible_to(admin).count():,} members "
         f"(load {os.getloadavg()[0]:.1f})")

    rng = random.Random(7)
    top = Member.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sample: list[tuple[str, str, str]] = []
    while len(sample) < 2000:
        ids = [rng.randrange(1, top + 1) for _ in range(500)]
        sample.extend(Member.objects.filter(id__in=ids).exclude(name_initials="")
                      .values_list("name", "name_initials", "name_pinyin"))
    by_kind = {
        "name, one character": [n[:1] for n, _, _ in sample],
        "name, two characters": [n[:2] for n, _, _ in sample if len(n) > 2],
        "pinyin, one letter": [i[:1] for _, i, _ in sample],
        "initials, two letters": [i[:2] for _, i, _ in sample],
        "initials, whole name": [i for _, i, _ in sample],
        "full pinyin, syllable": [p[:4] for _, _, p in sample],
    }

    def page(q: str) -> float:
        started = time.perf_counter()
        list(member_search(admin, {"q": q}).select_related("union", "employer")[:PAGE])
        return (time.perf_counter() - started) * 1000

    def count(q: str) -> float:
        started = time.perf_counter()
        member_search(admin, {"q": q})[:1001].count()  # the console list shows "1000+" beyond
        return (time.perf_counter() - started) * 1000

    for values in by_kind.values():  # warm the caches, as a running server would have them
        for q in values[:10]:
            page(q)
    results: dict[str, float] = {}
    for kind, values in by_kind.items():
        timings = [page(rng.choice(values)) for _ in range(queries)]
        results[kind] = percentile(timings, 95)
        note(f"{size:,}: {kind}: p50 {percentile(timings, 50):.1f} ms, p95 {results[kind]:.1f} ms")
    counts = [count(rng.choice(by_kind["initials, two letters"] + by_kind["name, one character"]))
              for _ in range(queries)]
    results["capped count"] = percentile(counts, 95)
    note(f"{size:,}: capped count p95 {results['capped count']:.1f} ms (load {os.getloadavg()[0]:.1f})")
    return results


if __name__ == "__main__":
    main()
