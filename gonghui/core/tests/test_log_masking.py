"""No phone or ID number in the logs after searches (gonghui.lib.logmask, gonghui/gunicorn_conf.py).

Searches put what was typed into the URL. Two logs print URLs: gunicorn's access log (the request
line) and Django's request log (``Not Found: /path``, runserver's request lines). The searches run
through the test client; their WSGI environs then go through the gunicorn logger that
``-c python:gonghui.gunicorn_conf`` installs, and every handler Django's loggers reach is captured.
A last test starts gunicorn itself with that config and reads the log file it writes.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from gonghui import gunicorn_conf
from gonghui.lib.logmask import mask_log_text
from gonghui.members.models import Member
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db

ID_NUMBER = "630102199003071234"
PHONE = "13812345678"


def _reachable_handlers(*names: str) -> list[logging.Handler]:
    found: list[logging.Handler] = []
    for name in names:
        logger: logging.Logger | None = logging.getLogger(name)
        while logger is not None:
            found += [h for h in logger.handlers if h not in found]
            logger = logger.parent if logger.propagate else None
    return found


@pytest.fixture
def django_log() -> Iterator[io.StringIO]:
    """Everything the handlers of Django's request loggers write, whatever their streams were."""
    captured = io.StringIO()
    # pytest's own capture handlers on the root logger are not the application's output.
    handlers = [h for h in _reachable_handlers("django.request", "django.server", "gonghui")
                if not type(h).__module__.startswith("_pytest")]
    assert handlers and all(isinstance(h, logging.StreamHandler) for h in handlers), handlers
    previous = [h.setStream(captured) for h in handlers]
    yield captured
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def _gunicorn_logger(path: Path) -> object:
    """The logger gunicorn builds from gonghui/gunicorn_conf.py, writing its access log to ``path``."""
    cfg = Config()
    for name, value in vars(gunicorn_conf).items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", str(path))
    return cfg.logger_class(cfg)


def _access(logger: object, response: object) -> None:
    environ = dict(response.wsgi_request.META)
    query = environ.get("QUERY_STRING", "")
    environ.setdefault("RAW_URI", environ["PATH_INFO"] + (f"?{query}" if query else ""))
    environ.setdefault("SERVER_PROTOCOL", "HTTP/1.1")
    environ["HTTP_REFERER"] = f"http://testserver/console/members/?q={PHONE}"
    resp = SimpleNamespace(status=f"{response.status_code} X", sent=len(response.content), headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(resp, req, environ, timedelta(milliseconds=12))


def test_it_masks_the_searches_in_the_access_log_and_the_request_log(cast: Cast, tmp_path: Path,
                                                                       django_log: io.StringIO) -> None:
    member = Member.objects.get(user=cast.worker_a)
    id_number, phone = member.id_number, member.phone
    access_log = tmp_path / "access.log"
    logger = _gunicorn_logger(access_log)
    staff, api = cast.client("province_admin"), cast.client("province_admin", api=True)
    responses = [
        api.get("/api/v1/members/", {"q": id_number}),
        api.get("/api/v1/members/", {"q": phone}),
        api.get("/api/v1/members/", {"q": f"{phone[:3]} {phone[3:7]} {phone[7:]}"}),  # typed with spaces
        staff.get("/console/members/", {"q": id_number}),
        staff.get("/console/members/", {"q": phone, "union": str(cast.city.uuid)}),
        staff.get("/console/appeals/", {"q": phone}),
        staff.get(f"/console/members/card-check/{phone}/"),
        staff.get(f"/members/{id_number}/"),  # a 404: Django logs "Not Found: <path>"
        cast.client(None, api=True).get("/api/v1/members/", {"q": id_number}),  # a 401, logged too
    ]
    assert [r.status_code for r in responses[:6]] == [200] * 6
    assert responses[0].json()["count"] == 1 and responses[1].json()["count"] == 1
    for response in responses:
        _access(logger, response)
    for handler in logger.access_log.handlers:
        handler.flush()

    written = access_log.read_text() + django_log.getvalue()
    assert written.count("GET /api/v1/members/?q=*** HTTP/1.1") == 4
    assert f"/members/{id_number[:3]}" in written and "Not Found: /members/" in written
    for secret in (id_number, phone, id_number[6:14], phone[3:]):
        assert secret not in written


def test_it_masks_numbers_outside_search_parameters() -> None:
    line = f'GET /x/{PHONE}/?card={ID_NUMBER[:17]}X&union=0d5e1234-5678-4abc-9def-123456789012 HTTP/1.1'
    assert mask_log_text(line) == ("GET /x/138****5678/?card=630***********123X"
                                   "&union=0d5e1234-5678-4abc-9def-123456789012 HTTP/1.1")
    assert mask_log_text(f"手机{PHONE}，证件 {ID_NUMBER}") == "手机138****5678，证件 630***********1234"
    assert mask_log_text(f"GET /x/?card={PHONE[:3]}+{PHONE[3:7]}%20{PHONE[7:]} HTTP/1.1") == (
        "GET /x/?card=138****5678 HTTP/1.1")
    # Numbers that are not identifiers stay readable: the status and size of a request line.
    assert mask_log_text('"GET /favicon.ico HTTP/1.1" 404 2929') == '"GET /favicon.ico HTTP/1.1" 404 2929'
    # The login redirect carries the search on, escaped, in ?next=.
    assert mask_log_text(f"GET /login/?next=/console/members/%3Fq%3D{PHONE}%26union%3D1 HTTP/1.1") == (
        "GET /login/?next=/console/members/%3Fq%3D***%26union%3D1 HTTP/1.1")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 302 to the login page is the answer to look at


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_masks_the_log_gunicorn_writes_with_the_project_config(tmp_path: Path) -> None:
    port, log = _free_port(), tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "GONGHUI_MODE"}}
    env["GONGHUI_DATA_DIR"] = str(tmp_path / "data")
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:gonghui.gunicorn_conf", "gonghui.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log),
                "--error-logfile", str(log), "--log-level", "warning"]
    with open(tmp_path / "stderr.log", "wb") as stderr:
        server = subprocess.Popen(gunicorn, env=env, stdout=stderr, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            base, answers = f"http://127.0.0.1:{port}", []
            opener = urllib.request.build_opener(_NoRedirect)
            deadline = time.monotonic() + 60
            for path in (f"/api/v1/members/?q={ID_NUMBER}", f"/console/members/?q={PHONE}",
                         f"/api/v1/members/?page=1&q={PHONE[:3]}+{PHONE[3:]}"):
                while True:
                    try:
                        opener.open(base + path, timeout=10)
                    except urllib.error.HTTPError as refused:  # 401 or the login redirect: still logged
                        answers.append(refused.code)
                        break
                    except OSError:
                        if time.monotonic() > deadline or server.poll() is not None:
                            raise
                        time.sleep(0.3)
                        continue
                    answers.append(200)
                    break
        finally:
            server.terminate()
            server.wait(timeout=30)
    written = log.read_text() + (tmp_path / "stderr.log").read_text()
    assert answers == [401, 302, 401], written
    assert '"GET /api/v1/members/?q=*** HTTP/1.1" 401' in written, written
    assert '"GET /console/members/?q=*** HTTP/1.1" 302' in written
    assert ID_NUMBER not in written and PHONE not in written and PHONE[3:] not in written
