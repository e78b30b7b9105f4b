"""Roster import of a 100,000-row file: dry run (read + check every row) and commit (one
transaction), end to end, on SQLite (default) or PostgreSQL (DATABASE_URL).

    .venv/bin/python bench/bench_roster_import.py [--rows 100000] [--inline] [--data-dir DIR]

The roster is realistic (the generator's people, ``gonghui.seed.person_rows``): valid ID
numbers, unique phones, 15% gig workers, employers of a generated city given by credit code or name.
The file is laid out as Excel/WPS save it (shared strings); ``--inline`` writes it with openpyxl's
streaming writer instead (inline strings, as our own exports are). Building the file is not timed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import excel_like_xlsx, figure, note, setup, teardown

TARGET = 5000  # rows per second, dry run + commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--inline", action="store_true", help="write the file with openpyxl (inline strings)")
    parser.add_argument("--data-dir", help="SQLite data directory for the bench (default: a new temporary one)")
    args = parser.parse_args()
    where = setup("roster", data_dir=args.data_dir, fresh=True)
    try:
        run(args, where)
    finally:
        teardown(drop_database=True)  # a new one is made for each run anyway


def run(args: argparse.Namespace, where: str) -> None:

    from django.db import connection

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.lib.excel import write_workbook
    from gonghui.members.models import ImportStatus, Member
    from gonghui.members.services import roster
    from gonghui.seed import person_rows, seed

    print(f"# roster import: {args.rows:,} rows, {where}", flush=True)
    tree = seed(unions=30, employers=200)  # one city: a province, the city, a district, streets, grassroots
    city = tree.cities[0]
    officer = User.objects.create_user("13800000001", "Bench#2026pass", name="压测干事")
    StaffAssignment.objects.create(user=officer, union=city, role=Role.OFFICER)
    employers = tree.employers

    started = time.perf_counter()
    rows = person_rows(args.rows, employers=employers)
    if args.inline:
        content = write_workbook([(roster.SHEET_TITLE, list(roster.HEADERS), rows)])
    else:
        content = excel_like_xlsx(roster.SHEET_TITLE, roster.HEADERS, rows)
    note(f"file built in {time.perf_counter() - started:.1f} s: {len(content) / 1024 / 1024:.1f} MB "
         f"({'inline strings' if args.inline else 'shared strings, as Excel/WPS save'})")

    t0 = time.perf_counter()
    job = roster.roster_upload(actor=officer, union=city, content=content, filename="bench.xlsx")
    job = roster.roster_check(job=job)
    t1 = time.perf_counter()
    if job.status != ImportStatus.CHECKED:
        note(f"check failed: {job.message}")
        return
    job = roster.roster_commit(job=job, actor=officer)
    t2 = time.perf_counter()
    if job.status != ImportStatus.DONE:
        note(f"commit did not finish: {job.status} {job.message}")
        return
    count = Member.objects.count()
    note(f"checked {job.total_rows:,} rows ({job.error_rows} with problems), created {job.created_count:,}, "
         f"registry now {count:,}; {connection.vendor}")
    figure("roster dry run (read + check)", args.rows / (t1 - t0), "rows/s", f"{t1 - t0:.1f} s")
    figure("roster commit (one transaction)", args.rows / (t2 - t1), "rows/s", f"{t2 - t1:.1f} s")
    figure("roster import end to end (dry run + commit)", args.rows / (t2 - t0), "rows/s",
           f"target ≥ {TARGET} rows/s; {t2 - t0:.1f} s")


if __name__ == "__main__":
    main()
