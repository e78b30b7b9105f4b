# ruff: noqa: S310, S603, S607 - a bench tool that starts its own local server, npm and Lighthouse
"""Lighthouse (mobile) scores of the worker's main pages, beside the targets.

    python bench/bench_lighthouse.py [--data-dir DIR] [--runs N] [--port P]

Builds the demo in its own data directory (a temporary one unless --data-dir is given; a directory
that already holds the demo is reused), serves it with gunicorn and whitenoise as ``make run`` does,
signs in as the demo worker (王小明) and runs Lighthouse 12 (bench/lighthouse, ``npm ci`` on first use)
in the system Chromium with its mobile preset (a mid-range phone on a throttled 4G connection) on the
home, login, member card and 云集市 pages. Each figure is the median of --runs runs.

Targets (issue "The worker's phone"): accessibility ≥ 98 and performance ≥ 90 on each page.
Not a test: scores depend on the machine; the script never fails the suite.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOL = REPO / "bench" / "lighthouse"
PAGES = (("首页", "/", False), ("登录", "/login/", False), ("电子会员卡", "/members/card/", True),
         ("云集市", "/market/", False))
WORKER = ("13900000010", "zhigong2026")  # the demo worker 王小明 (gonghui/accounts/demo.py)
TARGETS = {"accessibility": 98, "performance": 90}


def run(cmd: list[str], env: dict[str, str], **kwargs) -> None:
    subprocess.run(cmd, env=env, check=True, cwd=REPO, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def session_cookie(base: str) -> str:
    """Sign in through the real login form; the session cookie for Lighthouse's requests."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "phone": WORKER[0], "password": WORKER[1]}).encode()
    request = urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"})
    opener.open(request)
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("could not sign in as the demo worker")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def lighthouse(url: str, cookie: str | None, chromium: str) -> dict[str, float]:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [str(TOOL / "node_modules" / ".bin" / "lighthouse"), url, "--quiet", "--output=json",
           f"--output-path={out}", "--only-categories=performance,accessibility", "--form-factor=mobile",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
           "--disable-component-update --disable-sync --no-first-run --disable-quic"]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": chromium}, stdout=subprocess.DEVNULL)
    report = json.loads(out.read_text())
    out.unlink()
    if report.get("finalDisplayedUrl", url).split("?")[0] != url.split("?")[0]:
        raise SystemExit(f"{url} was redirected to {report.get('finalDisplayedUrl')} (not signed in?)")
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    failed = [a["id"] for a in report["audits"].values()
              if a.get("scoreDisplayMode") == "binary" and a.get("score") == 0
              and a["id"] in {ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"]}]
    scores["_failed"] = failed
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not shutil.which("npm"):
        print("lighthouse: skipped — needs the system Chromium (apt-get install chromium) and npm")
        return
    if not (TOOL / "node_modules" / ".bin" / "lighthouse").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOL, check=True)
    data = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="gonghui-bench-lighthouse-"))
    env = {**os.environ, "GONGHUI_DATA_DIR": str(data), "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    python = sys.executable
    print(f"data: {data} (SQLite); building the demo if it is not there …", flush=True)
    run([python, "-m", "gonghui", "migrate", "--noinput", "-v0"], env)
    run([python, "-m", "gonghui", "collectstatic", "--noinput", "-v0"], env)
    run([python, "-m", "gonghui", "demo", "--if-empty"], env, stdout=subprocess.DEVNULL)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(Path(python).parent / "gunicorn"), "gonghui.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
                              env=env, cwd=REPO, start_new_session=True)
    try:
        wait_for(base + "/login/")
        cookie = session_cookie(base)
        print(f"Lighthouse {json.loads((TOOL / 'package.json').read_text())['dependencies']['lighthouse']}, "
              f"mobile preset, median of {args.runs} runs, {chromium}")
        for label, path, signed_in in PAGES:
            runs = [lighthouse(base + path, cookie if signed_in else None, chromium) for _ in range(args.runs)]
            for key, target in TARGETS.items():
                value = statistics.median(r[key] for r in runs)
                mark = "ok" if value >= target else "BELOW TARGET"
                print(f"{label} {path} {key}: {value:.0f} (target ≥ {target}) {mark}")
            failed = sorted({a for r in runs for a in r["_failed"]})
            if failed:
                print(f"{label} {path} failing accessibility audits: {', '.join(failed)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
        if not args.data_dir:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
