"""Activity sign-up contention: a burst of sign-ups for a handful of places, every request on its own
thread and database connection, through the real service (signup_create: conditional UPDATE, sign-up
row, history, audit, notification), on SQLite (default) or PostgreSQL (DATABASE_URL).

    .venv/bin/python bench/bench_activities.py [--signups 500] [--quota 100] [--threads 50] [--data-dir DIR]

Checks the outcome every time — exactly ``quota`` confirmed, the rest waitlisted, ``taken`` equal to
the places held — then cancels a batch of confirmed sign-ups concurrently, which must promote the
same number from the head of the waitlist. Beside the service it times the bare conditional UPDATE
alone (no sign-up row, audit or notification) under the same contention.

``--threads`` is the number of concurrent connections (PostgreSQL's default max_connections is 100);
each thread signs up its share of the members one after another, all threads starting together.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import accounts_for, figure, note, percentile, setup


def burst(items: Sequence[Any], threads: int, work: Callable[[Any], Any]) -> tuple[list[Any], list[float], float]:
    """Run ``work`` on every item from ``threads`` threads that start together; results, latencies (s), wall time."""
    from django.db import connection

    shares = [items[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads + 1)
    results: list[Any] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def run(share: Sequence[Any]) -> None:
        mine, times = [], []
        try:
            barrier.wait()
            for item in share:
                t0 = time.perf_counter()
                try:
                    mine.append(work(item))
                except Exception as exc:
                    mine.append(exc)
                times.append(time.perf_counter() - t0)
        finally:
            connection.close()
            with lock:
                results.extend(mine)
                latencies.extend(times)

    workers = [threading.Thread(target=run, args=(share,)) for share in shares]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return results, latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=500, help="members signing up at once")
    parser.add_argument("--quota", type=int, default=100, help="places")
    parser.add_argument("--threads", type=int, default=50, help="concurrent connections")
    parser.add_argument("--data-dir", help="SQLite data directory for the bench (default: a new temporary one)")
    args = parser.parse_args()
    if args.signups <= args.quota:
        parser.error("--signups must be larger than --quota (the rest go on the waitlist)")
    where = setup("activities", data_dir=args.data_dir, fresh=True)

    from datetime import timedelta

    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.activities import services
    from gonghui.activities.models import PLACE_STATUSES, Activity, Signup, SignupStatus
    from gonghui.core.scope import Role
    from gonghui.members.models import Member
    from gonghui.seed import seed

    threads = min(args.threads, args.signups)
    print(f"# activity sign-up contention: {args.signups:,} sign-ups for {args.quota:,} places from {threads} "
          f"concurrent connections, {where}", flush=True)
    # One district (six unions), with members enough that the current ones (most) can all sign up.
    district = seed(unions=6, employers=4, members=args.signups + args.signups // 5 + 10).districts[0]
    officer = User.objects.create_user("13800000001", "Bench#2026pass", name="压测干事")
    StaffAssignment.objects.create(user=officer, union=district, role=Role.OFFICER)
    members = list(Member.objects.current().filter(union__path__startswith=district.path).order_by("pk")
                   [:args.signups])
    accounts_for(members)
    members = list(Member.objects.select_related("union", "user").filter(pk__in=[m.pk for m in members])
                   .order_by("pk"))

    def new_activity(quota: int, title: str) -> Activity:
        now = timezone.now()
        made = services.activity_create(actor=officer, union=district, title=title, kind="culture", place="压测场馆",
                                        starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2),
                                        quota=quota, signup_opens_at=now - timedelta(hours=1))
        return services.activity_publish(actor=officer, activity=made)

    # 1. The service under contention. (The URL map is loaded first, as in a running server: the
    # notifications link to the activity's page.)
    from django.urls import reverse

    activity = new_activity(args.quota, "压测活动")
    reverse("activities:detail", args=[activity.uuid])

    def sign(member: Member) -> str:
        target = Activity.objects.select_related("union").get(pk=activity.pk)
        return services.signup_create(actor=member.user, member=member, activity=target).status

    results, latencies, wall = burst(members, threads, sign)
    outcome = Counter(str(r) if isinstance(r, str) else type(r).__name__ for r in results)
    activity.refresh_from_db()
    held = Signup.objects.filter(activity=activity, status__in=PLACE_STATUSES).count()
    exact = (outcome[SignupStatus.CONFIRMED] == args.quota == activity.taken == held
             and outcome[SignupStatus.WAITLISTED] == args.signups - args.quota)
    note(f"outcome: {dict(outcome)}; taken {activity.taken}, places held {held}; {connection.vendor}")
    figure("sign-ups confirmed (never over quota)", outcome[SignupStatus.CONFIRMED], "sign-ups",
           f"target exactly {args.quota}; {'OK' if exact else 'WRONG'}")
    figure("sign-up burst throughput (service)", len(results) / wall, "sign-ups/s", f"{wall:.2f} s wall")
    figure("sign-up latency p50", percentile(latencies, 50) * 1000, "ms")
    figure("sign-up latency p95", percentile(latencies, 95) * 1000, "ms")

    # 2. Cancellations at once: each frees a place and promotes the head of the waitlist.
    cancels = min(args.quota, args.signups - args.quota, 50)
    first = list(Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED)
                 .select_related("activity__union", "member__user").order_by("created_at", "id")[:cancels])
    head = list(Signup.objects.waitlist().filter(activity=activity).values_list("pk", flat=True)[:cancels])

    def cancel(signup: Signup) -> str:
        return services.signup_cancel(actor=signup.member.user, signup=signup).status

    results, latencies, wall = burst(first, min(threads, cancels), cancel)
    promoted = list(Signup.objects.filter(activity=activity, promoted=True).order_by("created_at", "id")
                    .values_list("pk", flat=True))
    activity.refresh_from_db()
    fifo = sorted(promoted) == sorted(head) and activity.taken == args.quota
    verdict = "exactly the head of the waitlist" if fifo else "NOT the head of the waitlist"
    note(f"cancelled {sum(1 for r in results if r == SignupStatus.CANCELLED)}, promoted {len(promoted)} "
         f"({verdict}); taken {activity.taken}")
    figure("cancel + promote throughput (service)", len(results) / wall, "cancellations/s",
           f"{wall:.2f} s wall; {'OK' if fifo else 'WRONG'}")

    # 3. Comparison: the bare conditional UPDATE alone, same contention.
    bare = new_activity(args.quota, "压测活动（裸更新）")

    def take(_: Any) -> bool:
        from django.db import transaction

        with transaction.atomic():
            return bool(Activity.objects.filter(pk=bare.pk, taken__lt=F("quota")).update(taken=F("taken") + 1))

    results, latencies, wall = burst(list(range(args.signups)), threads, take)
    bare.refresh_from_db()
    note(f"bare UPDATE: {sum(1 for r in results if r is True)} took a place, taken {bare.taken}")
    figure("bare conditional UPDATE throughput (comparison)", len(results) / wall, "updates/s", f"{wall:.2f} s wall")


if __name__ == "__main__":
    main()
