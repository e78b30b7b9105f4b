"""普惠服务 at scale: 免申即享 issuance to 500,000 eligible members out of 1,000,000 (set-based),
beside a bare SQL ``INSERT … SELECT`` of the same rows; and 1,000 concurrent claims for 100
coupons — exactly 100 — with the throughput. SQLite by default, PostgreSQL with DATABASE_URL.

    .venv/bin/python bench/bench_benefits.py [--members 1000000] [--claims 1000] [--stock 100]
                                             [--threads 32] [--keep] [--data-dir DIR]

Members come from the generator (``gonghui.seed``: encrypted ID numbers and phones, pinyin
keys, card numbers, a few who left or transferred) in a province of two cities; the campaign
belongs to the province and its rule names the first districts that together hold about half of the
members. Seeding is not timed; ``--keep`` reuses an earlier run's members (the database is not
dropped).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, note, percentile, setup

ISSUE_TARGET_S = 30.0
UNIONS = 3_000  # two cities


def reset() -> None:
    """Forget an earlier run's benefits rows (``--keep``): the app's tables are dropped and made again
    (which also picks up a changed schema); the members stay."""
    from django.core.management import call_command
    from django.db import connection

    from gonghui.core.models import AuditLog, Notification

    call_command("migrate", "benefits", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Notification._meta.db_table)}")
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AuditLog._meta.db_table)} "
                       "WHERE action LIKE 'campaign.%%' OR action LIKE 'coupon.%%'")


def half_of_the_members(province: Any) -> list[str]:
    """The first districts (in tree order) that together hold about half of the members: the rule's unions."""
    from django.db.models import Count

    from gonghui.members.models import Member
    from gonghui.unions.models import Union, UnionLevel

    total = Member.objects.count()
    chosen, covered = [], 0
    for district in Union.objects.filter(path__startswith=province.path, level=UnionLevel.DISTRICT).order_by("pk"):
        if covered >= total / 2 or len(chosen) >= 50:
            break
        chosen.append(str(district.uuid))
        covered += Member.objects.filter(union__path__startswith=district.path).aggregate(n=Count("pk"))["n"]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=1000, help="concurrent claimers")
    parser.add_argument("--stock", type=int, default=100, help="coupons they compete for")
    parser.add_argument("--threads", type=int, default=32, help="connections the claimers share")
    parser.add_argument("--keep", action="store_true", help="reuse the members of an earlier run")
    parser.add_argument("--data-dir", help="SQLite data directory for the bench (default: a new temporary one)")
    args = parser.parse_args()
    where = setup("benefits", data_dir=args.data_dir, fresh=not args.keep)

    from datetime import timedelta

    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone

    from gonghui.benefits.models import Campaign, Coupon, CouponEvent, CouponStatus, Partner
    from gonghui.benefits.services import campaigns
    from gonghui.benefits.services.partners import partner_create
    from gonghui.core.errors import Conflict
    from gonghui.members.models import Member
    from gonghui.seed import ROOT_NAME, seed
    from gonghui.unions.models import Union

    print(f"# benefits: {args.members:,} members, {args.claims:,} claims for {args.stock} coupons, {where}",
          flush=True)
    today = timezone.localdate()
    province = Union.objects.filter(parent__isnull=True, name=ROOT_NAME).first()
    have = Member.objects.count()
    if have < args.members:
        started = time.perf_counter()
        if province is None:
            province = seed(unions=UNIONS, members=args.members, progress=note).root
        else:
            seed(members=args.members - have, under=province, progress=note)
        note(f"seeded {Member.objects.count():,} members in {time.perf_counter() - started:.0f} s (not timed)")
    else:
        reset()
        note(f"reusing {have:,} members")
    rule = {"unions": half_of_the_members(province)}
    shop = Partner.objects.first() or partner_create(
        actor=None, union=province, name="压测合作药房", category="medical", address="压测路1号", discount="9折",
        contract_start=today, contract_end=today + timedelta(days=365))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # --- 免申即享 --------------------------------------------------------------------------------------
    reverse("benefits:my_coupons")  # load the URLconf (and the API schemas) as a running server has
    period = {"starts_on": today, "ends_on": today + timedelta(days=30)}
    t0 = time.perf_counter()
    eligible = campaigns.preview_count(union=province, rule=rule)["count"]
    preview_s = time.perf_counter() - t0
    note(f"预览人数: {eligible:,} eligible of {Member.objects.count():,}, counted in {preview_s:.2f} s")

    def campaign(name: str) -> Campaign:
        made = campaigns.campaign_create(actor=None, union=province, partners=[shop], name=name, kind="auto",
                                         face_cents=2000, budget_count=args.members,
                                         budget_cents=args.members * 2000, rule=rule, **period)
        campaigns.campaign_launch(actor=None, campaign=made)
        return Campaign.objects.select_related("union", "rule_version").get(pk=made.pk)

    # Launch without the queued issuance (it would run inline at once): the timed run below is it.
    with mock.patch("gonghui.benefits.tasks.issue_campaign_task.delay"):
        service_campaign = campaign("压测清凉券")
        bare_campaign = campaign("压测清凉券（裸SQL对照）")

    t0 = time.perf_counter()
    run = campaigns.campaign_issue(campaign=service_campaign, trigger="launch")
    issue_s = time.perf_counter() - t0
    issued = run.issued if run else 0
    service_campaign.refresh_from_db()
    assert issued == eligible == service_campaign.issued_count == Coupon.objects.filter(
        campaign=service_campaign).count(), (issued, eligible)

    table, members, unions = (connection.ops.quote_name(m._meta.db_table) for m in (Coupon, Member, Union))
    paths = list(Union.objects.filter(uuid__in=rule["unions"]).values_list("path", flat=True))
    # The bare run starts from the same empty table as the service run did.
    events = connection.ops.quote_name(CouponEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}, {events}")
        else:
            cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "postgresql":
        uuid_expr, code_expr = "gen_random_uuid()", "upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 16))"
    else:
        uuid_expr, code_expr = "lower(hex(randomblob(16)))", "upper(hex(randomblob(8)))"
    bare = (f"INSERT INTO {table} (uuid, code, campaign_id, member_id, seq, status, via, rule_version_id, "
            f"created_at) SELECT {uuid_expr}, {code_expr}, %s, m.id, 1, 'issued', 'auto', %s, %s "
            f"FROM {members} m JOIN {unions} u ON u.id = m.union_id "
            f"WHERE m.status IN ('active', 'transferring') AND ({' OR '.join(['u.path LIKE %s'] * len(paths))}) "
            f"ORDER BY m.id")
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(bare, [bare_campaign.pk, bare_campaign.rule_version_id, timezone.now(),
                              *(path + "%" for path in paths)])
        bare_rows = cursor.rowcount
    bare_s = time.perf_counter() - t0
    assert bare_rows == eligible, (bare_rows, eligible)
    note(f"service run: one INSERT … SELECT of {issued:,} coupons + budget UPDATE + notifications + audit; "
         f"bare: the same INSERT … SELECT alone, into the emptied table")
    figure("免申即享 issuance (service, set-based)", issue_s, "s", f"target ≤ {ISSUE_TARGET_S:.0f} s on PostgreSQL; "
           f"{issued / issue_s:,.0f} coupons/s")
    figure("bare SQL INSERT … SELECT of the same rows", bare_s, "s", f"{bare_rows / bare_s:,.0f} rows/s; "
           f"service / bare = {issue_s / bare_s:.2f}×")
    figure("预览人数 (rule count over the registry)", preview_s * 1000, "ms")

    # --- 抢券 -------------------------------------------------------------------------------------------
    contest = campaigns.campaign_create(actor=None, union=province, partners=[shop], name="压测抢券", kind="claim",
                                        face_cents=1000, budget_count=args.stock, budget_cents=args.stock * 1000,
                                        rule={}, **period)
    contest = campaigns.campaign_launch(actor=None, campaign=contest)
    claimers = list(Member.objects.current().order_by("-pk").values_list("pk", flat=True)[:args.claims])
    queue = list(enumerate(claimers))
    lock = threading.Lock()
    outcomes: list[str] = []
    latencies: list[float] = []
    barrier = threading.Barrier(args.threads, timeout=60)

    def worker() -> None:
        target = Campaign.objects.select_related("union", "rule_version").get(pk=contest.pk)
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    break
                _, member_id = queue.pop()
            # only what a claim needs (no ciphertexts: a --keep run may have other keys)
            member = Member.objects.select_related("union").only("pk", "union", "status").get(pk=member_id)
            began = time.perf_counter()
            try:
                campaigns.coupon_claim(actor=None, campaign=target, member=member)
                result = "ok"
            except Conflict as exc:
                result = exc.code
            took = time.perf_counter() - began
            with lock:
                outcomes.append(result)
                latencies.append(took)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claim_s = time.perf_counter() - t0
    won = Coupon.objects.filter(campaign=contest).count()
    contest.refresh_from_db()
    other = len(outcomes) - outcomes.count("ok") - outcomes.count("sold_out")
    note(f"{args.claims:,} claims on {args.threads} connections: {outcomes.count('ok')} got one, "
         f"{outcomes.count('sold_out')} sold out, other: {other}")
    assert won == args.stock == contest.issued_count == outcomes.count("ok"), (won, contest.issued_count)
    figure("concurrent claims: coupons handed out", won, f"of {args.stock}", "exactly the stock")
    figure("concurrent claims throughput", len(outcomes) / claim_s, "claims/s",
           f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms")
    assert not Coupon.objects.filter(campaign=contest).exclude(status=CouponStatus.ISSUED).exists()


if __name__ == "__main__":
    main()
