"""The cockpit at province scale: the root-scope cockpit page and API at 1,000,000 members +
1,000,000 orders + 1,000,000 tickets (warm and cold), and the refresh (one day; the scheduled run;
the full rebuild), on SQLite (default) or PostgreSQL (DATABASE_URL).

    .venv/bin/python bench/bench_cockpit.py [--members 1000000] [--orders 1000000] [--tickets 1000000]
        [--unions 10000] [--employers 30000] [--coupons 300000] [--signups 200000] [--requests 100] [--fresh]

The data comes from the synthetic generator (gonghui seed) once, into a bench database of its own
(gonghui-bench-cockpit in the temporary directory, or its own PostgreSQL database), and is reused by
later runs. What is timed for the page is what the province admin's browser gets: the whole console
page through Django (session, scope, queries, template) with the test client; the API beside it.
"Cold" is the first request of a new process (new database connection, nothing compiled or cached
in Python); the database server's own caches stay as they are.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup

WARM_TARGET_MS = 300
COLD_TARGET_MS = 2000
REFRESH_TARGET_S = 60
ADMIN_PHONE = "13700009999"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=10_000)
    parser.add_argument("--employers", type=int, default=30_000)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--coupons", type=int, default=300_000)
    parser.add_argument("--signups", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests of each kind")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "gonghui-bench-cockpit"),
                        help="SQLite data directory, kept between runs")
    parser.add_argument("--fresh", action="store_true", help="start from an empty bench database")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("GONGHUI_MANIFEST_STATIC", "0")  # pages render without collectstatic's manifest
    Path(args.data_dir, "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants it to exist
    where = setup("cockpit", data_dir=args.data_dir, fresh=args.fresh and not args.cold_child)
    if args.cold_child:
        cold_child()
        return
    run(args, where)


def _admin():
    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.unions.models import Union

    user = User.objects.filter(name="压测省总管理员").first()
    if user is None:
        user = User.objects.create_user(phone=ADMIN_PHONE, name="压测省总管理员", password="Bench@2026x")  # noqa: S106
        StaffAssignment.objects.create(user=user, union=Union.objects.get(parent=None), role=Role.ADMIN)
    return user


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def cold_child() -> None:
    """In a new process: time the very first page request (prints milliseconds)."""
    client = _client(_admin())
    started = time.perf_counter()
    response = client.get("/console/cockpit/")
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    print(f"COLD {elapsed:.1f}")


def run(args: argparse.Namespace, where: str) -> None:
    from django.utils import timezone

    from gonghui.cockpit import services
    from gonghui.cockpit.models import RefreshRun
    from gonghui.members.models import Member
    from gonghui.seed import seed
    from gonghui.unions.models import Union

    print(f"cockpit bench on {where}")
    if not Union.objects.exists():
        note("seeding (kept for later runs) …")
        started = time.perf_counter()
        seed(unions=args.unions, employers=args.employers, members=args.members, orders=args.orders,
             tickets=args.tickets, coupons=args.coupons, signups=args.signups, progress=note)
        note(f"seeded in {time.perf_counter() - started:.0f} s")
    note(f"{Union.objects.count():,} unions, {Member.objects.count():,} members")

    if not RefreshRun.objects.filter(status="done").exists():
        run_ = services.stats_refresh(full=True)
        figure("full rebuild of the statistics", run_.seconds, "s", f"{run_.days:,} days, {run_.rows:,} rows")
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    one = services.stats_refresh(days=[yesterday], window=False)
    figure("refresh one day (and the current figures)", one.seconds, "s", f"target ≤ {REFRESH_TARGET_S} s")
    window = services.stats_refresh()
    figure(f"scheduled refresh ({window.days} days and the current figures)", window.seconds, "s",
           f"target ≤ {REFRESH_TARGET_S} s")

    client = _client(_admin())
    for url, label in (("/console/cockpit/", "root cockpit page"), ("/api/v1/cockpit/overview", "root cockpit API"),
                       ("/console/cockpit/screen/", "root big screen")):
        client.get(url)  # warm
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        figure(f"{label} p95 (warm)", percentile(times, 95), "ms", f"target ≤ {WARM_TARGET_MS} ms")

    colds = []
    for _ in range(3):
        out = subprocess.run([sys.executable, __file__, "--cold-child", "--data-dir", args.data_dir],  # noqa: S603
                             capture_output=True, text=True, check=True).stdout
        colds.append(float(next(line for line in out.splitlines() if line.startswith("COLD")).split()[1]))
    figure("root cockpit page, first request of a new process (worst of 3)", max(colds), "ms",
           f"target ≤ {COLD_TARGET_MS} ms")


if __name__ == "__main__":
    main()
