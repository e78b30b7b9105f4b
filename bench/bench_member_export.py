"""Member export of 200,000 members to .xlsx, masked and unmasked, streamed to a file, with the
peak memory of the process; on SQLite (default) or PostgreSQL (DATABASE_URL).

    .venv/bin/python bench/bench_member_export.py [--members 200000] [--data-dir DIR]

The members come from the generator (``gonghui.seed``) under one province; the export is the one the
console and the API send (``roster.export_write`` over ``member_search``), written to a temporary
file. Seeding is not timed. Peak memory is the resident high-water mark, reset before each export
(Linux), so it includes Django itself.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import current_memory_mb, figure, note, peak_memory_mb, reset_peak_memory, setup, teardown

TARGET = 60  # seconds for 200,000 members


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--data-dir", help="SQLite data directory for the bench (default: a new temporary one)")
    args = parser.parse_args()
    where = setup("export", data_dir=args.data_dir, fresh=True)
    try:
        run(args, where)
    finally:
        teardown(drop_database=True)


def run(args: argparse.Namespace, where: str) -> None:
    from gonghui.accounts.models import User
    from gonghui.members.selectors import member_search
    from gonghui.members.services import roster
    from gonghui.seed import seed

    print(f"# member export: {args.members:,} members, {where}", flush=True)
    started = time.perf_counter()
    seed(unions=200, employers=1000, members=args.members)
    note(f"seeded in {time.perf_counter() - started:.0f} s; resident {current_memory_mb():.0f} MB")
    admin = User.objects.create_superuser("13800000009", "Bench#2026pass", name="压测管理员")
    for unmasked in (False, True):
        qs = member_search(admin, {})
        reset_peak_memory()
        t0 = time.perf_counter()
        with tempfile.TemporaryFile() as target:
            rows = roster.export_write(qs, unmasked=unmasked, target=target)
            size = target.tell()
        took = time.perf_counter() - t0
        label = "unmasked" if unmasked else "masked"
        figure(f"member export, {label} ({rows:,} rows, {size / 1024 / 1024:.1f} MB)", took, "s",
               f"target ≤ {TARGET} s; {rows / took:,.0f} rows/s; peak memory {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
