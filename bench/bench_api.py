"""API requests against the cost of a bare Django view: req/s and p95 of four endpoints under one gunicorn,
each beside a bare Django JSON view of the same response size served by the same process, and the ratio.

    .venv/bin/python bench/bench_api.py [--members 20000] [--orders 20000] [--signups 20000]
                                        [--duration 10] [--connections 8] [--workers 2] [--fresh]
                                        [--profile] [--split] [--no-load]

The endpoints: the worker's 云集市 offerings (``GET /api/v1/market/offerings``), the worker's activities
(``GET /api/v1/activities/open``), the staff members search (``GET /api/v1/members/?q=…``, a province
administrator: the widest scope) and ``GET /api/v1/accounts/me``, each with a bearer token. The bare view
(``/bench/bare?bytes=N``) exists only under ``bench/settings_bench.py``; it goes through the same
middleware. Targets: ≥ 0.3× of the bare view for the lists, ≥ 0.5× for ``/me``.

The data come from the generator (``gonghui.seed``) once, into a bench database of its own (SQLite in
the temporary directory, or with DATABASE_URL its own PostgreSQL database), and are reused by later runs
of the same size. The load generator is wrk (Debian's package) when installed, else a threaded Python
client (slower: then the client competes with gunicorn for the two cores, and both sides' figures drop).
``--profile`` runs each endpoint in-process under pyinstrument and prints where the time goes; ``--split``
prints the in-process milliseconds per request of each stage (token auth, the view, output validation, JSON
render, the rest) and the SQL's share beside the bare view — less sensitive to the machine's load than the
req/s; ``--no-load`` skips the gunicorn run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, accounts_for, figure, note, percentile, setup

UNIONS = 200
LIST_TARGET = 0.3
ME_TARGET = 0.5

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %d %d\\n", summary.requests, summary.duration / 1e6,
           latency:percentile(95) / 1e3, summary.errors.status, summary.errors.connect + summary.errors.read
           + summary.errors.write + summary.errors.timeout))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--signups", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--profile", action="store_true", help="also profile each endpoint in-process")
    parser.add_argument("--split", action="store_true",
                        help="also print the in-process per-request time of each stage (less sensitive to load)")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load run")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "gonghui-bench-api"),
                        help="SQLite data directory, kept between runs")
    parser.add_argument("--fresh", action="store_true", help="start from an empty bench database")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    os.environ.setdefault("GONGHUI_MANIFEST_STATIC", "0")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    where = setup("api", data_dir=args.data_dir, fresh=args.fresh)

    from gonghui.members.models import Member

    print(f"# API against a bare view: {args.members:,} members, {args.orders:,} orders, {args.signups:,} sign-ups, "
          f"{where}", flush=True)
    if not Member.objects.exists():
        started = time.perf_counter()
        generate(args)
        note(f"generated in {time.perf_counter() - started:.0f} s")
    elif Member.objects.count() < args.members:
        note("the bench database holds fewer members than asked; use --fresh to rebuild")
        return
    targets = prepare()
    close_connections()
    for key, (url, _token) in targets.items():
        note(f"{key}: {url}")
    if args.split:
        split(targets)
        close_connections()
    if args.profile:
        profile(targets)
        close_connections()
    if not args.no_load:
        measure(args, targets)


# --- Data ----------------------------------------------------------------------------------------------------------


def generate(args: argparse.Namespace) -> None:
    from django.db import connection

    from gonghui.seed import seed

    seed(unions=UNIONS, employers=UNIONS * 2, members=args.members, orders=args.orders, signups=args.signups,
         progress=note)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def prepare() -> dict[str, tuple[str, str]]:
    """The four endpoints' URLs and the bearer token each is called with (made once, reused)."""

    from gonghui.accounts.models import ApiToken, StaffAssignment, User
    from gonghui.activities.selectors import member_activities
    from gonghui.core.scope import Role
    from gonghui.market.selectors import catalogue
    from gonghui.members.models import Member, MemberStatus
    from gonghui.unions.models import Union

    worker = Member.objects.filter(user__isnull=False, user__phone_index__isnull=False,
                                   user__name="bench-worker").first()
    if worker is None:
        # The member who sees the most: the generator's members have no accounts; give one to the active
        # member whose catalogue and activity list are the longest among a sample.
        best, best_score = None, -1
        sample = (Member.objects.filter(status=MemberStatus.ACTIVE, user__isnull=True).select_related("union")
                  .order_by("?")[:60])
        for member in sample:
            score = min(catalogue(member).count(), 40) + min(member_activities(member, past=True).count(), 40)
            if score > best_score:
                best, best_score = member, score
        assert best is not None, "no active member"
        (user,) = accounts_for([best], first_phone=13_600_000_000)
        User.objects.filter(pk=user.pk).update(name="bench-worker")
        worker = best
    worker = Member.objects.select_related("union", "user").get(pk=worker.pk)
    staff = User.objects.filter(name="bench-admin").first()
    if staff is None:
        staff = User.objects.create_user("13599990000", None, name="bench-admin")
        root = Union.objects.filter(parent__isnull=True).order_by("id").first()
        StaffAssignment.objects.create(user=staff, union=root, role=Role.ADMIN)
    tokens = {}
    for user in (worker.user, staff):
        ApiToken.objects.filter(user=user, name="bench").delete()
        _, raw = ApiToken.issue(user, name="bench")
        tokens[user.pk] = raw
    upcoming = member_activities(worker, past=False).count()
    past = "false" if upcoming >= 20 else "true"
    # A common surname: the search finds many members and the page is full.
    surname = (Member.objects.filter(status=MemberStatus.ACTIVE).values_list("name", flat=True).first() or "王")[0]
    from urllib.parse import quote

    return {
        "offerings": ("/api/v1/market/offerings?page_size=20", tokens[worker.user.pk]),
        "activities": (f"/api/v1/activities/open?past={past}&page_size=20", tokens[worker.user.pk]),
        "members search": (f"/api/v1/members/?q={quote(surname)}&page_size=20", tokens[staff.pk]),
        "me (staff)": ("/api/v1/accounts/me", tokens[staff.pk]),
        "me (worker)": ("/api/v1/accounts/me", tokens[worker.user.pk]),
    }


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


# --- Profile -------------------------------------------------------------------------------------------------------


def profile(targets: dict[str, tuple[str, str]]) -> None:
    """Each endpoint 300 times in this process (Django's test client, the same settings) under pyinstrument."""
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    for key, (url, token) in targets.items():
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(20):
            client.get(url, headers=headers)
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(300):
            response = client.get(url, headers=headers)
        profiler.stop()
        assert response.status_code == 200, (key, response.status_code, response.content[:300])
        print(f"## profile: {key}", flush=True)
        print(profiler.output_text(unicode=True, color=False, show_all=False), flush=True)


# --- Split ---------------------------------------------------------------------------------------------------------


SPLIT_REQUESTS = 300


def split(targets: dict[str, tuple[str, str]]) -> None:
    """Each endpoint SPLIT_REQUESTS times in this process (Django's test client, the real middleware stack),
    timed by stage: the whole request, ninja's operation (auth, parameters, the view, output validation and
    dump, JSON render), the SQL (count and time) and the rest (middleware, URL resolution, the test client);
    the bare view of the same size beside it. The median of three rounds, in ms per request."""
    from collections import defaultdict

    from django.db import connection
    from django.test import Client
    from ninja import NinjaAPI
    from ninja.operation import Operation

    clock = time.perf_counter
    spent: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += clock() - started
        return wrapper

    def sql(execute: Any, sql_text: str, params: Any, many: bool, context: Any) -> Any:
        started = clock()
        try:
            return execute(sql_text, params, many, context)
        finally:
            spent["sql"] += clock() - started
            counts["queries"] += 1

    originals = {name: getattr(Operation, name) for name in ("run", "_run_checks", "_get_values",
                                                              "_result_to_response")}
    create_response = NinjaAPI.create_response
    Operation.run = timed("operation", originals["run"])
    Operation._run_checks = timed("auth", originals["_run_checks"])
    Operation._get_values = timed("parameters", originals["_get_values"])
    Operation._result_to_response = timed("output", originals["_result_to_response"])
    render = timed("render", create_response)

    def render_where(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        # A view that answers its page directly renders it itself: that render is the view's, not output's.
        started = clock()
        try:
            return render(self, request, *args, **kwargs)
        finally:
            if counts.get("in_output", 0) == 0:
                spent["render_in_view"] += clock() - started

    def output(*args: Any, **kwargs: Any) -> Any:
        counts["in_output"] = counts.get("in_output", 0) + 1
        try:
            return originals_output(*args, **kwargs)
        finally:
            counts["in_output"] -= 1

    originals_output = Operation._result_to_response
    Operation._result_to_response = output
    NinjaAPI.create_response = render_where
    client = Client()
    try:
        print("## in-process split (ms per request, median of 3 rounds of "
              f"{SPLIT_REQUESTS}; SQL is inside the stage that ran it)", flush=True)
        print(f"{'endpoint':<16}{'whole':>7}{'bare':>7}{'auth':>7}{'params':>7}{'view':>7}{'output':>7}"
              f"{'render':>7}{'other':>7}{'sql':>7}{'queries':>8}", flush=True)
        for key, (url, token) in targets.items():
            headers = {"Authorization": f"Bearer {token}"}
            size = len(client.get(url, headers=headers).content)
            bare_url = f"/bench/bare?bytes={size}"
            rounds = []
            for _ in range(3):
                for _ in range(20):
                    client.get(url, headers=headers)
                    client.get(bare_url)
                started = clock()
                for _ in range(SPLIT_REQUESTS):
                    client.get(bare_url)
                bare = (clock() - started) / SPLIT_REQUESTS
                spent.clear()
                counts.clear()
                started = clock()
                with connection.execute_wrapper(sql):
                    for _ in range(SPLIT_REQUESTS):
                        response = client.get(url, headers=headers)
                whole = (clock() - started) / SPLIT_REQUESTS
                assert response.status_code == 200, (key, response.status_code)
                per = {name: value / SPLIT_REQUESTS for name, value in spent.items()}
                output = per.get("output", 0.0) - (per.get("render", 0.0) - per.get("render_in_view", 0.0))
                view = (per.get("operation", 0.0) - per.get("auth", 0.0) - per.get("parameters", 0.0)
                        - per.get("output", 0.0) - per.get("render_in_view", 0.0))
                rounds.append((whole, bare, per.get("auth", 0.0), per.get("parameters", 0.0), view, output,
                               per.get("render", 0.0), whole - per.get("operation", 0.0), per.get("sql", 0.0),
                               counts.get("queries", 0) / SPLIT_REQUESTS))
            rounds.sort()
            row = rounds[1]
            print(f"{key:<16}" + "".join(f"{value * 1000:>7.2f}" for value in row[:-1]) + f"{row[-1]:>8.1f}",
                  flush=True)
    finally:
        for name, function in originals.items():
            setattr(Operation, name, function)
        NinjaAPI.create_response = create_response


# --- Load ----------------------------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, targets: dict[str, tuple[str, str]]) -> None:
    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "DJANGO_SETTINGS_MODULE": "bench.settings_bench"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "python:gonghui.gunicorn_conf", "gonghui.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--log-level", "warning"],
        cwd=REPO, env=env, start_new_session=True)
    try:
        _wait_up(base)
        wrk = shutil.which("wrk")
        note(f"load generator: {'wrk ' + wrk if wrk else 'threaded Python client (wrk not installed)'}, "
             f"{args.connections} connections, {args.duration:g} s per endpoint, gunicorn {args.workers} workers")
        note(f"load before: {_uptime()}")
        for key, (url, token) in targets.items():
            headers = {"Authorization": f"Bearer {token}"}
            body = _get(base + url, headers)
            size = len(body)
            bare_url = f"/bench/bare?bytes={size}"
            bare_size = len(_get(base + bare_url, {}))
            api = _load(base + url, headers, args)
            bare = _load(base + bare_url, {}, args)
            target = ME_TARGET if key.startswith("me (") else LIST_TARGET
            ratio = api["rps"] / bare["rps"] if bare["rps"] else 0.0
            print(f"## {key}: {size:,} bytes (bare view {bare_size:,} bytes)", flush=True)
            figure(f"{key} req/s", api["rps"], "req/s")
            figure(f"{key} p95", api["p95"], "ms")
            figure(f"{key} bare view req/s", bare["rps"], "req/s")
            figure(f"{key} bare view p95", bare["p95"], "ms")
            status = "met" if ratio >= target else "NOT met"
            print(f"{key} ratio: {ratio:.2f}× (target ≥ {target}×, {status})", flush=True)
            if api["errors"] or bare["errors"]:
                note(f"errors: API {api['errors']}, bare {bare['errors']}")
        note(f"load after: {_uptime()}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _load(url: str, headers: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    for _ in range(50):  # warm both workers' connections and caches
        _get(url, headers)
    wrk = shutil.which("wrk")
    if wrk:
        return _wrk(wrk, url, headers, args)
    return _threaded(url, headers, args)


def _wrk(wrk: str, url: str, headers: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [wrk, "-t2", f"-c{args.connections}", f"-d{args.duration:g}s", "-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        os.unlink(script.name)
    line = next(row for row in output.splitlines() if row.startswith("RESULT"))
    _, requests, seconds, p95, bad_status, socket_errors = line.split()
    return {"rps": int(requests) / float(seconds), "p95": float(p95), "errors": int(bad_status) + int(socket_errors)}


def _threaded(url: str, headers: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    stop = time.perf_counter() + args.duration
    latencies: list[list[float]] = [[] for _ in range(args.connections)]
    errors = [0] * args.connections

    def work(i: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[i] += 1
            except OSError:
                errors[i] += 1
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            latencies[i].append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [value for values in latencies for value in values]
    return {"rps": len(every) / elapsed, "p95": percentile(every, 95) if every else 0.0, "errors": sum(errors)}


def _get(url: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    json.loads(body)
    return body


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(base + "/bench/bare?bytes=100", {})
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
