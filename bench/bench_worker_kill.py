"""``kill -9`` of a real Celery worker in the middle of a roster check and of a roster commit, then a
restart: each job is finished once, without duplicates. On the embedded default (SQLite and the
filesystem broker) or on PostgreSQL with Redis:

    .venv/bin/python bench/bench_worker_kill.py [--rows 50000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/bench_worker_kill.py

The worker is the one ``make run`` starts (``serve``'s worker command, node ``gonghui@<host>``), in a
process group of its own, so that SIGKILL takes the main process and its pool child at once, as an
OOM kill or a power cut would. The script waits until the job is running (the commit inside its one
transaction), kills the group, checks that nothing of the commit was written, starts the worker
again and waits for the job: its restart re-queues what it was running (``core.jobs.recover``).
Prints ``figure:`` lines (time to finish after the restart) and exits non-zero if a check fails.
A Redis database is flushed of its queue first: give the script a database number of its own.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import excel_like_xlsx, figure, note, setup, teardown

FAILED: list[str] = []


def load() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "load ?"


def expect(ok: bool, what: str) -> None:
    note(("ok: " if ok else "FAILED: ") + what)
    if not ok:
        FAILED.append(what)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--data-dir", help="SQLite data directory (default: a new temporary one)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for each job")
    args = parser.parse_args()
    where = setup("workerkill", data_dir=args.data_dir, fresh=True)
    try:
        run(args, where)
    finally:
        teardown(drop_database=True)
    if FAILED:
        sys.exit(1)


class Worker:
    """The embedded default's worker command, in its own process group."""

    def __init__(self) -> None:
        from gonghui.web.management.commands.serve import worker_command

        self.command = worker_command(concurrency=1, loglevel="warning")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # the banner to /dev/null; the worker's warnings (the re-queued job) stay on stderr
        self.process = subprocess.Popen(self.command, start_new_session=True, env=os.environ.copy(),  # noqa: S603
                                        stdout=subprocess.DEVNULL)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # a warm shutdown of the main process, which stops its pool
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wait_for(what: str, test: Any, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(every)
    note(f"gave up waiting for {what} after {timeout:.0f} s")
    return False


def run(args: argparse.Namespace, where: str) -> None:
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count

    from gonghui.accounts.models import StaffAssignment, User
    from gonghui.celery import app
    from gonghui.core.models import Job, JobStatus
    from gonghui.core.scope import Role
    from gonghui.members.models import ImportStatus, Member, MembershipHistory, RosterImport
    from gonghui.members.services import roster
    from gonghui.members.tasks import roster_job_start
    from gonghui.seed import person_rows, seed

    broker = "Redis" if settings.REDIS_URL else "the filesystem broker"
    print(f"# worker kill -9 mid-job: {args.rows:,} rows, {where}, {broker}", flush=True)
    if settings.REDIS_URL:
        app.control.purge()  # this database's queue only: a message left by an earlier run
    tree = seed(unions=30, employers=200)
    city = tree.cities[0]
    officer = User.objects.create_user("13800000002", "Bench#2026pass", name="压测干事")
    StaffAssignment.objects.create(user=officer, union=city, role=Role.OFFICER)
    content = excel_like_xlsx(roster.SHEET_TITLE, roster.HEADERS, person_rows(args.rows, employers=tree.employers))
    before = Member.objects.count()
    worker = Worker()
    ri = roster.roster_upload(actor=officer, union=city, content=content, filename="bench.xlsx")
    try:
        for step in ("check", "commit"):
            ri = RosterImport.objects.get(pk=ri.pk)
            worker.start()
            with transaction.atomic():
                job = roster_job_start(ri, step=step, actor=officer)  # sent to the broker on commit
            working = ImportStatus.CHECKING if step == "check" else ImportStatus.COMMITTING

            def midway(job: Job = job, ri: RosterImport = ri, working: str = working, step: str = step) -> bool:
                job.refresh_from_db()
                ri.refresh_from_db()
                return job.status == JobStatus.RUNNING and ri.status == working and (
                    step == "commit" or ri.processed_rows >= min(args.rows // 3, 20_000))

            if not wait_for(f"the {step} to get going", midway, args.timeout):
                FAILED.append(f"{step} never started")
                return
            if step == "commit":
                time.sleep(1.0)  # inside its one transaction, writing
            worker.kill()
            job.refresh_from_db()
            ri.refresh_from_db()
            note(f"killed the worker (SIGKILL to its process group) during the {step}: job {job.status}, "
                 f"import {ri.status}, {ri.processed_rows:,} rows processed; {load()}")
            expect(Member.objects.count() == before, f"nothing of the {step} is in the registry after the kill")
            t0 = time.monotonic()
            worker.start()
            ended = Job.objects.filter(pk=job.pk, status__in=[JobStatus.DONE, JobStatus.FAILED])
            finished = wait_for(f"the {step} to finish", ended.exists, args.timeout, every=0.5)
            took = time.monotonic() - t0
            worker.stop()
            job.refresh_from_db()
            ri.refresh_from_db()
            expect(finished and job.status == JobStatus.DONE, f"the {step} job finished ({job.status} {job.error})")
            expect(job.attempts == 2, f"the {step} ran exactly twice (attempts {job.attempts})")
            figure(f"{step} killed mid-way, finished after the restart", took, "s",
                   f"{ri.total_rows:,} rows; {load()}")
            if step == "check":
                expect(ri.status == ImportStatus.CHECKED and ri.total_rows == args.rows,
                       f"the check covered every row ({ri.status}, {ri.total_rows:,}, {ri.error_rows} with problems)")
        created = Member.objects.count() - before
        expect(ri.status == ImportStatus.DONE and created == ri.valid_rows == ri.created_count,
               f"the commit wrote every valid row once ({created:,} new members, {ri.valid_rows:,} valid)")
        dupes = (Member.objects.values("id_index").annotate(n=Count("pk")).filter(n__gt=1).count())
        expect(dupes == 0, f"no ID number twice in the registry ({dupes})")
        history = MembershipHistory.objects.filter(event="import").count()
        expect(history == created, f"one joining record per new member ({history:,})")
        note(f"{connection.vendor}; registry now {Member.objects.count():,}")
    finally:
        worker.stop()


if __name__ == "__main__":
    main()
