"""``python -m gonghui serve``: the web server, the Celery worker and beat as one command (make run).

    python -m gonghui serve -- --bind 127.0.0.1:8000 --workers 3 --access-logfile -

Everything after ``--`` goes to gunicorn as it is. Ctrl-C (or SIGTERM) stops all three. A worker or
beat that dies is started again (its jobs are recovered: core.jobs.recover); when gunicorn dies the
others are stopped too and the command exits with an error.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.tasks import media_problem

RESTARTS_PER_MINUTE = 5


def gunicorn_command(extra: list[str]) -> list[str]:
    args = list(extra)
    if not any(a.endswith(":application") or a.endswith(":app") for a in args):
        args = ["gonghui.wsgi:application", *args]
    return [sys.executable, "-m", "gunicorn", *args]


def worker_command(*, concurrency: int, loglevel: str) -> list[str]:
    command = [sys.executable, "-m", "celery", "-A", "gonghui.celery", "worker", "--loglevel", loglevel,
               "--concurrency", str(concurrency), "-n", "gonghui@%h"]
    if not settings.REDIS_URL:  # the filesystem broker has no broadcast
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return command


def beat_command(*, loglevel: str) -> list[str]:
    schedule = settings.DATA_DIR / "celerybeat-schedule"
    return [sys.executable, "-m", "celery", "-A", "gonghui.celery", "beat", "--loglevel", loglevel,
            "--schedule", str(schedule)]


class Command(BaseCommand):
    help = "Start gunicorn, a Celery worker and Celery beat; Ctrl-C stops all three."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "2")),
                            help="worker processes (default 2, or WORKER_CONCURRENCY)")
        parser.add_argument("--loglevel", default="warning", help="log level of the worker and beat")
        parser.add_argument("--no-beat", action="store_true", help="leave out beat (another host runs it)")
        parser.add_argument("gunicorn", nargs=argparse.REMAINDER, help="-- then gunicorn's options")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = list(options["gunicorn"])
        if extra[:1] == ["--"]:
            extra = extra[1:]
        os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
        problem = media_problem()
        if problem:
            raise CommandError(problem)
        commands = {"web": gunicorn_command(extra),
                    "worker": worker_command(concurrency=options["concurrency"], loglevel=options["loglevel"])}
        if not options["no_beat"]:
            commands["beat"] = beat_command(loglevel=options["loglevel"])
        Supervisor(commands, write=self.stderr.write).run()


class Supervisor:
    """Runs the processes, restarts the worker and beat, stops everything on a signal."""

    def __init__(self, commands: dict[str, list[str]], *, write: Any) -> None:
        self.commands = commands
        self.write = write
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.starts: dict[str, list[float]] = {name: [] for name in commands}
        self.stopping = False

    def start(self, name: str) -> None:
        self.starts[name] = [t for t in self.starts[name] if time.monotonic() - t < 60] + [time.monotonic()]
        self.children[name] = subprocess.Popen(self.commands[name])  # noqa: S603 - our own interpreter

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        code = 0
        try:
            for name in self.commands:
                self.start(name)
            self.write(f"serve: started {', '.join(f'{n} (pid {p.pid})' for n, p in self.children.items())}")
            while not self.stopping:
                time.sleep(0.5)
                for name, child in list(self.children.items()):
                    if child.poll() is None:
                        continue
                    if name == "web" or len(self.starts[name]) >= RESTARTS_PER_MINUTE:
                        self.write(f"serve: {name} exited with {child.returncode}; stopping")
                        code = child.returncode or 1
                        self.stopping = True
                        break
                    self.write(f"serve: {name} exited with {child.returncode}; starting it again")
                    self.start(name)
        finally:
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if code:
            raise CommandError(f"a process exited with {code}")

    def shutdown(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
