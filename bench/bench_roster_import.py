"""Roster import of a 200,000-row file, end to end: upload, dry run (read + check every row) and
commit (one transaction), on SQLite (default) or PostgreSQL (DATABASE_URL); printed beside a bare
python-calamine read of the same file, with the peak memory of each.

    .venv/bin/python bench/bench_roster_import.py [--rows 200000] [--format xlsx|csv] [--inline]
                                                  [--data-dir DIR]

The roster is realistic (the generator's people, ``gonghui.seed.person_rows``): valid ID
numbers, unique phones, 15% gig workers, employers of a generated city given by credit code or name.
The .xlsx is laid out as Excel/WPS save it (shared strings); ``--inline`` writes it with openpyxl's
streaming writer instead (inline strings, as our own exports are); ``--format csv`` writes a GBK
CSV. Building the file is not timed. Peak memory is the process's resident high-water mark, reset
before each step (Linux), so it includes Django and the file's bytes held by the caller.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    current_memory_mb,
    excel_like_xlsx,
    figure,
    note,
    peak_memory_mb,
    reset_peak_memory,
    setup,
    teardown,
)

TARGET = 5000  # rows per second, dry run + commit (issue 14)
FAST_TARGET = 15_000  # the same, issue 15


def load() -> str:
    """The machine's load average (1, 5, 15 min), printed beside each figure: it is shared."""
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "load ?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--inline", action="store_true", help="write the .xlsx with openpyxl (inline strings)")
    parser.add_argument("--data-dir", help="SQLite data directory for the bench (default: a new temporary one)")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the dry run and commit")
    args = parser.parse_args()
    where = setup("roster", data_dir=args.data_dir, fresh=True)
    try:
        run(args, where)
    finally:
        teardown(drop_database=True)  # a new one is made for each run anyway


def run(args: argparse.Namespace, where: str) -> None:
    from django.db import connection
    from python_calamine import CalamineWorkbook

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.core.scope import Role
    from gonghui.lib.excel import write_workbook
    from gonghui.members.models import ImportStatus, Member
    from gonghui.members.services import roster
    from gonghui.seed import person_rows, seed

    print(f"# roster import: {args.rows:,} rows as {args.format}, {where}", flush=True)
    tree = seed(unions=30, employers=200)  # one city: a province, the city, a district, streets, grassroots
    city = tree.cities[0]
    officer = User.objects.create_user("13800000001", "Bench#2026pass", name="压测干事")
    StaffAssignment.objects.create(user=officer, union=city, role=Role.OFFICER)
    employers = tree.employers

    started = time.perf_counter()
    rows = person_rows(args.rows, employers=employers)
    if args.format == "csv":
        lines = [",".join(roster.HEADERS), *(",".join(str(v) for v in r) for r in rows)]
        content = ("\r\n".join(lines) + "\r\n").encode("gbk")
        layout = "CSV in GBK"
    elif args.inline:
        content = write_workbook([(roster.SHEET_TITLE, list(roster.HEADERS), rows)])
        layout = "inline strings"
    else:
        content = excel_like_xlsx(roster.SHEET_TITLE, roster.HEADERS, rows)
        layout = "shared strings, as Excel/WPS save"
    del rows
    note(f"file built in {time.perf_counter() - started:.1f} s: {len(content) / 1024 / 1024:.1f} MB ({layout}); "
         f"resident before the import {current_memory_mb():.0f} MB")

    if args.format == "xlsx":
        reset_peak_memory()
        t0 = time.perf_counter()
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        count = sum(1 for _ in sheet.iter_rows()) - 1
        bare = time.perf_counter() - t0
        del sheet
        figure("bare python-calamine read (comparison)", count / bare, "rows/s",
               f"{bare:.1f} s; peak memory {peak_memory_mb():.0f} MB; {load()}")

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    reset_peak_memory()
    if profiler:
        profiler.start()
    t0 = time.perf_counter()
    job = roster.roster_upload(actor=officer, union=city, content=content, filename=f"bench.{args.format}")
    job = roster.roster_check(job=job)
    t1 = time.perf_counter()
    check_peak = peak_memory_mb()
    if job.status != ImportStatus.CHECKED:
        note(f"check failed: {job.message}")
        return
    reset_peak_memory()
    job = roster.roster_commit(job=job, actor=officer)
    t2 = time.perf_counter()
    commit_peak = peak_memory_mb()
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), flush=True)
    if job.status != ImportStatus.DONE:
        note(f"commit did not finish: {job.status} {job.message}")
        return
    count = Member.objects.count()
    note(f"checked {job.total_rows:,} rows ({job.error_rows} with problems), created {job.created_count:,}, "
         f"registry now {count:,}; {connection.vendor}")
    figure("roster dry run (read + check)", args.rows / (t1 - t0), "rows/s",
           f"{t1 - t0:.1f} s; peak memory {check_peak:.0f} MB; {load()}")
    figure("roster commit (one transaction)", args.rows / (t2 - t1), "rows/s",
           f"{t2 - t1:.1f} s; peak memory {commit_peak:.0f} MB; {load()}")
    figure("roster import end to end (dry run + commit)", args.rows / (t2 - t0), "rows/s",
           f"target ≥ {FAST_TARGET} rows/s (issue 15), ≥ {TARGET} (issue 14); {t2 - t0:.1f} s; "
           f"peak memory {max(check_peak, commit_peak):.0f} MB; {load()}")


if __name__ == "__main__":
    main()
